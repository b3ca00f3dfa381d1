package fake_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Pagination (SPEC §5): version 2.0 pages every list, with X-Total-Count and
// a Link header of absolute URLs; older versions return the whole list.

const (
	bigID          = "0c000000-0000-4000-8000-000000000003"
	bigGroupID     = "0c000000-0000-4000-8000-00000000a001"
	bigEmptyGroup  = "0c000000-0000-4000-8000-00000000a002"
	bigCampaignID  = "0c000000-0000-4000-8000-00000000c001"
	bigEmptyCampID = "0c000000-0000-4000-8000-00000000c002"
	emptyID        = "0d000000-0000-4000-8000-000000000004"
	bigAdmin       = "big-admin-token"
	emptyAdmin     = "empty-admin-token"
	bigMembers     = 251 // the admin and 250 generated people
)

var (
	bigPath         = "/api/organizations/" + bigID + "/"
	bigMemberships  = bigPath + "memberships/"
	bigGroupPath    = "/api/groups/" + bigGroupID + "/memberships/"
	bigCampaignPath = bigPath + "campaigns/" + bigCampaignID + "/members/"
	emptyPath       = "/api/organizations/" + emptyID + "/"
)

// bigFixture is a team large enough for several pages of every list, and a
// team with nothing in it but its admin.
func bigFixture() fake.Fixture {
	var pending []fake.FixtureGroupMember
	var enrolled []fake.FixtureCampaignMember
	for i := 1; i <= 30; i++ {
		email := fmt.Sprintf("pending%02d@big.test", i)
		// Lists of group and campaign members are in creation order.
		created := time.Date(2025, time.June, 1, i, 0, 0, 0, time.UTC)
		pending = append(pending, fake.FixtureGroupMember{Email: email, CreatedAt: &created})
		if i <= 25 {
			enrolled = append(enrolled, fake.FixtureCampaignMember{Email: email, Data: map[string]any{"n": i}, CreatedAt: &created})
		}
	}
	return fake.Fixture{Organizations: []fake.FixtureOrganization{
		{
			ID:              bigID,
			Name:            "Big Co",
			VerifiedDomains: []string{"big.test"},
			Members:         []fake.FixtureMember{{Email: "boss@big.test", Name: "Big Boss", Role: fake.RoleAdmin, Token: bigAdmin}},
			Generate:        &fake.FixtureGenerate{Members: bigMembers - 1, Groups: 12, Campaigns: 11},
			Groups: []fake.FixtureGroup{
				{ID: bigGroupID, Name: "All Pending", Members: pending},
				{ID: bigEmptyGroup, Name: "Nobody Yet"},
			},
			Campaigns: []fake.FixtureCampaign{
				{ID: bigCampaignID, Name: "Big Campaign", Members: enrolled},
				{ID: bigEmptyCampID, Name: "Empty Campaign"},
			},
		},
		{
			ID:      emptyID,
			Name:    "Empty Co",
			Members: []fake.FixtureMember{{Email: "solo@empty.test", Role: fake.RoleAdmin, Token: emptyAdmin}},
		},
	}}
}

var linkRE = regexp.MustCompile(`^<([^>]*)>; rel="(first|prev|next|last)"$`)

// parseLink splits a Link header into its rels, failing on anything that is
// not `<url>; rel="…"`.
func parseLink(t testing.TB, header string) map[string]string {
	t.Helper()
	links := map[string]string{}
	if header == "" {
		return links
	}
	for _, part := range strings.Split(header, ", ") {
		m := linkRE.FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("Link part %q is not <url>; rel=\"…\" (header %q)", part, header)
		}
		if _, dup := links[m[2]]; dup {
			t.Fatalf("Link has rel %s twice: %q", m[2], header)
		}
		links[m[2]] = m[1]
	}
	return links
}

func rangeInts(lo, hi int) []int {
	ids := []int{}
	for i := lo; i <= hi; i++ {
		ids = append(ids, i)
	}
	return ids
}

func TestPaginationMemberships(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtures(bigFixture()))
	base := s.URL + bigMemberships
	tests := []struct {
		name  string
		query string
		ids   []int
		links map[string]string // rel → query of the URL
	}{
		{"default-size/page-1", "", rangeInts(1, 100),
			map[string]string{"next": "page=2", "last": "page=3"}},
		{"default-size/page-2", "page=2", rangeInts(101, 200),
			map[string]string{"first": "", "prev": "", "next": "page=3", "last": "page=3"}},
		{"default-size/page-3", "page=3", rangeInts(201, 251),
			map[string]string{"first": "", "prev": "page=2"}},
		{"page/last", "page=last", rangeInts(201, 251),
			map[string]string{"first": "", "prev": "page=2"}},
		{"page/1-explicit", "page=1", rangeInts(1, 100),
			map[string]string{"next": "page=2", "last": "page=3"}},
		{"page/repeated-last-wins", "page=9&page=2", rangeInts(101, 200),
			map[string]string{"first": "", "prev": "", "next": "page=3", "last": "page=3"}},
		{"page/empty-is-1", "page=", rangeInts(1, 100),
			map[string]string{"next": "page=2", "last": "page=3"}},
		{"page_size/50-page-2", "page_size=50&page=2", rangeInts(51, 100),
			map[string]string{"first": "page_size=50", "prev": "page_size=50", "next": "page=3&page_size=50", "last": "page=6&page_size=50"}},
		{"page_size/1-page-last", "page=last&page_size=1", []int{251},
			map[string]string{"first": "page_size=1", "prev": "page=250&page_size=1"}},
		{"page_size/whole-list-on-one-page", "page_size=1000", rangeInts(1, 251), map[string]string{}},
		{"page_size/exactly-the-total", "page_size=251", rangeInts(1, 251), map[string]string{}},
		{"page_size/zero-is-default", "page_size=0", rangeInts(1, 100),
			map[string]string{"next": "page=2&page_size=0", "last": "page=3&page_size=0"}},
		{"page_size/negative-is-default", "page_size=-5", rangeInts(1, 100),
			map[string]string{"next": "page=2&page_size=-5", "last": "page=3&page_size=-5"}},
		{"page_size/word-is-default", "page_size=abc", rangeInts(1, 100),
			map[string]string{"next": "page=2&page_size=abc", "last": "page=3&page_size=abc"}},
		{"page_size/fraction-is-default", "page_size=2.5", rangeInts(1, 100),
			map[string]string{"next": "page=2&page_size=2.5", "last": "page=3&page_size=2.5"}},
		{"filters/q-kept", "q=big+boss&page_size=1", []int{1}, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := bigMemberships
			if tc.query != "" {
				path += "?" + tc.query
			}
			r := s.do(t, call{method: "GET", path: path, token: bigAdmin, accept: v2})
			assertAPI(t, r, apiWant{status: 200})
			var got []fake.Membership
			r.decode(t, &got)
			if ids := membershipIDs(got); !slices.Equal(ids, tc.ids) {
				t.Errorf("ids %v, want %v", ids, tc.ids)
			}
			total := strconv.Itoa(bigMembers)
			if strings.Contains(tc.query, "q=") {
				total = "1"
			}
			if got := r.Header.Get("X-Total-Count"); got != total {
				t.Errorf("X-Total-Count %q, want %s", got, total)
			}
			want := map[string]string{}
			for rel, query := range tc.links {
				want[rel] = base
				if query != "" {
					want[rel] += "?" + query
				}
			}
			if links := parseLink(t, r.Header.Get("Link")); !mapsEqual(links, want) {
				t.Errorf("Link %q\nwant %v", r.Header.Get("Link"), want)
			}
			if len(tc.links) == 0 {
				if _, present := r.Header["Link"]; present {
					t.Errorf("a single page has a Link header: %q", r.Header.Get("Link"))
				}
			}
		})
	}

	t.Run("filters/kept-in-links", func(t *testing.T) {
		t.Parallel()
		// Most generated people are restricted users.
		var restricted []fake.Membership
		s.do(t, call{method: "GET", path: bigMemberships + "?role=4", token: bigAdmin}).decode(t, &restricted)
		if len(restricted) < 3 {
			t.Fatalf("the seed made only %d restricted users", len(restricted))
		}
		r := s.do(t, call{method: "GET", path: bigMemberships + "?role=4&page_size=1&page=2", token: bigAdmin, accept: v2})
		assertAPI(t, r, apiWant{status: 200, headers: map[string]string{"X-Total-Count": strconv.Itoa(len(restricted))}})
		var page []fake.Membership
		r.decode(t, &page)
		if len(page) != 1 || page[0].ID != restricted[1].ID {
			t.Errorf("page 2 %v, want [%d]", membershipIDs(page), restricted[1].ID)
		}
		want := map[string]string{
			"first": base + "?page_size=1&role=4",
			"prev":  base + "?page_size=1&role=4",
			"next":  base + "?page=3&page_size=1&role=4",
			"last":  base + fmt.Sprintf("?page=%d&page_size=1&role=4", len(restricted)),
		}
		if links := parseLink(t, r.Header.Get("Link")); !mapsEqual(links, want) {
			t.Errorf("Link %q\nwant %v", r.Header.Get("Link"), want)
		}
	})

	invalid := []string{"page=0", "page=-1", "page=abc", "page=1.0", "page=4", "page=3&page_size=200", "page=252&page_size=1", "page=99999999999999999999"}
	for _, query := range invalid {
		t.Run("error/"+query, func(t *testing.T) {
			t.Parallel()
			r := s.do(t, call{method: "GET", path: bigMemberships + "?" + query, token: bigAdmin, accept: v2})
			assertAPI(t, r, apiWant{status: 404, body: invalidPage, headers: map[string]string{"Link": "", "X-Total-Count": ""}})
		})
	}

	for name, version := range map[string]string{"no-version": "", "1.0": "application/json; version=1.0", "1.1": "application/json; version=1.1"} {
		t.Run("unpaginated/"+name, func(t *testing.T) {
			t.Parallel()
			// page and page_size mean nothing before 2.0, even bad ones.
			r := s.do(t, call{method: "GET", path: bigMemberships + "?page=abc&page_size=2", token: bigAdmin, accept: version})
			assertAPI(t, r, apiWant{status: 200, headers: map[string]string{"Link": "", "X-Total-Count": ""}})
			var got []fake.Membership
			r.decode(t, &got)
			if ids := membershipIDs(got); !slices.Equal(ids, rangeInts(1, bigMembers)) {
				t.Errorf("%d memberships, want all %d in id order", len(ids), bigMembers)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestPaginationClamp: page_size over 1,000 is clamped, not refused.
func TestPaginationClamp(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID:       bigID,
		Name:     "Huge Co",
		Members:  []fake.FixtureMember{{Email: "boss@huge.test", Role: fake.RoleAdmin, Token: bigAdmin}},
		Generate: &fake.FixtureGenerate{Members: 1100},
	}}}))
	base := s.URL + bigMemberships
	tests := []struct {
		query string
		ids   []int
		links map[string]string
	}{
		{"page_size=5000", rangeInts(1, 1000), map[string]string{"next": base + "?page=2&page_size=5000", "last": base + "?page=2&page_size=5000"}},
		{"page_size=5000&page=2", rangeInts(1001, 1101), map[string]string{"first": base + "?page_size=5000", "prev": base + "?page_size=5000"}},
		{"page_size=1000", rangeInts(1, 1000), map[string]string{"next": base + "?page=2&page_size=1000", "last": base + "?page=2&page_size=1000"}},
		{"page_size=1001&page=last", rangeInts(1001, 1101), map[string]string{"first": base + "?page_size=1001", "prev": base + "?page_size=1001"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			r := s.do(t, call{method: "GET", path: bigMemberships + "?" + tc.query, token: bigAdmin, accept: v2})
			assertAPI(t, r, apiWant{status: 200, headers: map[string]string{"X-Total-Count": "1101"}})
			var got []fake.Membership
			r.decode(t, &got)
			if ids := membershipIDs(got); !slices.Equal(ids, tc.ids) {
				t.Errorf("%d ids from %d, want %d from %d", len(ids), ids[0], len(tc.ids), tc.ids[0])
			}
			if links := parseLink(t, r.Header.Get("Link")); !mapsEqual(links, tc.links) {
				t.Errorf("Link %q\nwant %v", r.Header.Get("Link"), tc.links)
			}
		})
	}
}

// TestPaginationEveryList walks every list of the API page by page through
// its Link headers and compares the pages with the whole list of version 1.0.
func TestPaginationEveryList(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtures(bigFixture()))
	tests := []struct {
		name     string
		path     string
		token    string
		pageSize int
		total    int // the list's length, when the fixture fixes it
		pages    int
	}{
		{"organizations", "/api/organizations/", bigAdmin, 1, 1, 1},
		{"memberships", bigMemberships, bigAdmin, 60, bigMembers, 5},
		{"groups", bigPath + "groups/", bigAdmin, 5, 14, 3},
		{"group-memberships", bigGroupPath, bigAdmin, 7, 30, 5},
		{"campaigns", bigPath + "campaigns/", bigAdmin, 4, 13, 4},
		{"campaign-members", bigCampaignPath, bigAdmin, 10, 25, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			whole := s.do(t, call{method: "GET", path: tc.path, token: tc.token, accept: "application/json; version=1.0"})
			assertAPI(t, whole, apiWant{status: 200, headers: map[string]string{"Link": "", "X-Total-Count": ""}})
			var all []map[string]any
			whole.decode(t, &all)
			if len(all) != tc.total {
				t.Fatalf("%d items, want %d", len(all), tc.total)
			}
			var walked []map[string]any
			next := fmt.Sprintf("%s?page_size=%d", tc.path, tc.pageSize)
			pages := 0
			for next != "" {
				pages++
				if pages > tc.pages {
					t.Fatalf("more than %d pages", tc.pages)
				}
				r := s.do(t, call{method: "GET", path: next, token: tc.token, accept: v2})
				assertAPI(t, r, apiWant{status: 200, headers: map[string]string{"X-Total-Count": strconv.Itoa(tc.total)}})
				var page []map[string]any
				r.decode(t, &page)
				if len(page) == 0 || len(page) > tc.pageSize {
					t.Fatalf("page %d has %d items (page size %d)", pages, len(page), tc.pageSize)
				}
				walked = append(walked, page...)
				links := parseLink(t, r.Header.Get("Link"))
				next = ""
				if u, ok := links["next"]; ok {
					if !strings.HasPrefix(u, s.URL+tc.path+"?") {
						t.Fatalf("next %q is not an absolute URL of the list", u)
					}
					next = strings.TrimPrefix(u, s.URL)
				}
			}
			if pages != tc.pages {
				t.Errorf("%d pages, want %d", pages, tc.pages)
			}
			if !sameJSON(t, mustJSON(t, walked), mustJSON(t, all)) {
				t.Errorf("the pages joined differ from the whole list")
			}
		})
	}

	t.Run("organizations/two-teams", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		r := s.do(t, call{method: "GET", path: "/api/organizations/?page_size=1", token: samToken, accept: v2})
		assertAPI(t, r, apiWant{status: 200, headers: map[string]string{"X-Total-Count": "2"}})
		var orgs []fake.Organization
		r.decode(t, &orgs)
		if len(orgs) != 1 || orgs[0].ID != acmeID {
			t.Errorf("page 1 %s", r.Body)
		}
		want := map[string]string{
			"next": s.URL + "/api/organizations/?page=2&page_size=1",
			"last": s.URL + "/api/organizations/?page=2&page_size=1",
		}
		if links := parseLink(t, r.Header.Get("Link")); !mapsEqual(links, want) {
			t.Errorf("Link %q, want %v", r.Header.Get("Link"), want)
		}
	})
}

// TestPaginationOrder: groups and campaigns by name, group and campaign
// members by creation.
func TestPaginationOrder(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtures(bigFixture()))
	t.Run("groups-by-name", func(t *testing.T) {
		t.Parallel()
		var groups []fake.Group
		s.do(t, call{method: "GET", path: bigPath + "groups/", token: bigAdmin}).decode(t, &groups)
		names := groupNames(groups)
		if !slices.IsSorted(names) || !slices.Contains(names, "All Pending") || !slices.Contains(names, "Nobody Yet") {
			t.Errorf("groups %v", names)
		}
	})
	t.Run("campaigns-by-name", func(t *testing.T) {
		t.Parallel()
		var campaigns []fake.Campaign
		s.do(t, call{method: "GET", path: bigPath + "campaigns/", token: bigAdmin}).decode(t, &campaigns)
		if names := campaignNames(campaigns); !slices.IsSorted(names) || len(names) != 13 {
			t.Errorf("campaigns %v", names)
		}
	})
	t.Run("group-members-by-creation", func(t *testing.T) {
		t.Parallel()
		var members []fake.GroupMembership
		s.do(t, call{method: "GET", path: bigGroupPath + "?page_size=3&page=2", token: bigAdmin, accept: v2}).decode(t, &members)
		if emails := groupMemberEmails(members); !slices.Equal(emails, []string{"pending04@big.test", "pending05@big.test", "pending06@big.test"}) {
			t.Errorf("page 2 %v", emails)
		}
	})
	t.Run("campaign-members-by-creation", func(t *testing.T) {
		t.Parallel()
		var members []fake.CampaignMember
		s.do(t, call{method: "GET", path: bigCampaignPath + "?page=last&page_size=10", token: bigAdmin, accept: v2}).decode(t, &members)
		var emails []string
		for _, m := range members {
			emails = append(emails, m.Email)
		}
		want := []string{"pending21@big.test", "pending22@big.test", "pending23@big.test", "pending24@big.test", "pending25@big.test"}
		if !slices.Equal(emails, want) {
			t.Errorf("last page %v, want %v", emails, want)
		}
	})
}

// TestPaginationEmptyLists: an empty list still has a page 1, and only that.
func TestPaginationEmptyLists(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtures(bigFixture()))
	paths := map[string]struct{ path, token string }{
		"groups":               {emptyPath + "groups/", emptyAdmin},
		"campaigns":            {emptyPath + "campaigns/", emptyAdmin},
		"group-memberships":    {"/api/groups/" + bigEmptyGroup + "/memberships/", bigAdmin},
		"campaign-members":     {bigPath + "campaigns/" + bigEmptyCampID + "/members/", bigAdmin},
		"memberships-filtered": {bigMemberships + "?q=" + url.QueryEscape("no such person"), bigAdmin},
	}
	for name, p := range paths {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			join := "?"
			if strings.Contains(p.path, "?") {
				join = "&"
			}
			for _, page := range []string{"", join + "page=1", join + "page=last"} {
				r := s.do(t, call{method: "GET", path: p.path + page, token: p.token, accept: v2})
				assertAPI(t, r, apiWant{status: 200, body: `[]`, headers: map[string]string{"X-Total-Count": "0", "Link": ""}})
			}
			assertAPI(t, s.do(t, call{method: "GET", path: p.path + join + "page=2", token: p.token, accept: v2}),
				apiWant{status: 404, body: invalidPage})
			assertAPI(t, s.do(t, call{method: "GET", path: p.path, token: p.token}),
				apiWant{status: 200, body: `[]`, headers: map[string]string{"X-Total-Count": "", "Link": ""}})
		})
	}
}

// TestPaginationPageSizeOption: WithPageSize changes the default, not the clamp.
func TestPaginationPageSizeOption(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtures(bigFixture()), fake.WithPageSize(25))
	r := s.do(t, call{method: "GET", path: bigMemberships, token: bigAdmin, accept: v2})
	var got []fake.Membership
	r.decode(t, &got)
	if ids := membershipIDs(got); !slices.Equal(ids, rangeInts(1, 25)) {
		t.Errorf("ids %v, want 1-25", ids)
	}
	want := map[string]string{"next": s.URL + bigMemberships + "?page=2", "last": s.URL + bigMemberships + "?page=11"}
	if links := parseLink(t, r.Header.Get("Link")); !mapsEqual(links, want) {
		t.Errorf("Link %q, want %v", r.Header.Get("Link"), want)
	}
}
