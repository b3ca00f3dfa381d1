package fake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// BenchmarkManyGroups is the cost of team detail, /api/me/ and creating a
// group over the API in a team of 30 members with 100 and with 60,000 groups
// (100,000 for the create): none of them should grow with the groups the
// response does not show.
func BenchmarkManyGroups(b *testing.B) {
	for _, groups := range []int{100, 60_000, 100_000} {
		srv, err := fake.New(fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
			ID: bigID, Name: "Bench Co", VerifiedDomains: []string{"bench.test"},
			Members:  []fake.FixtureMember{{Email: "boss@bench.test", Role: fake.RoleAdmin, Token: bigAdmin}},
			Generate: &fake.FixtureGenerate{Members: 29},
		}}}), fake.WithJournalSize(0))
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < groups; i++ { // one in a thousand holds the caller, so that detail and me list some
			members := []string{}
			if i%1000 == 0 {
				members = append(members, "boss@bench.test")
			}
			if _, err := srv.AddGroup(bigID, fmt.Sprintf("Group %06d", i), members...); err != nil {
				b.Fatal(err)
			}
		}
		serve := func(b *testing.B, method, path, body string, want int) {
			var reader *strings.Reader
			if body != "" {
				reader = strings.NewReader(body)
			}
			var req *http.Request
			if reader != nil {
				req = httptest.NewRequest(method, path, reader)
				req.Header.Set("Content-Type", "application/json")
			} else {
				req = httptest.NewRequest(method, path, nil)
			}
			req.Header.Set("Authorization", "Token "+bigAdmin)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != want {
				b.Fatalf("%s %s: %d %.200s", method, path, rec.Code, rec.Body)
			}
		}
		b.Run(fmt.Sprintf("team-detail/groups-%d", groups), func(b *testing.B) {
			for b.Loop() {
				serve(b, "GET", "/api/organizations/"+bigID+"/", "", 200)
			}
		})
		b.Run(fmt.Sprintf("me/groups-%d", groups), func(b *testing.B) {
			for b.Loop() {
				serve(b, "GET", "/api/me/", "", 200)
			}
		})
		b.Run(fmt.Sprintf("create-group/groups-%d", groups), func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				serve(b, "POST", "/api/organizations/"+bigID+"/groups/", fmt.Sprintf(`{"name": "Bench new %d"}`, i), 201)
			}
		})
	}
}
