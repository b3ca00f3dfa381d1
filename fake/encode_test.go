package fake

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/jsonenc"
)

// jsonenc writes responses with github.com/goccy/go-json; these tests hold
// it to exactly the bytes encoding/json writes, for every resource type, and
// the fuzz target for any text and numbers in them.

func stdJSON(t testing.TB, v any) ([]byte, bool) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}

func checkSameJSON(t testing.TB, v any) {
	t.Helper()
	want, wantOK := stdJSON(t, v)
	var buf bytes.Buffer
	err := jsonenc.Encode(&buf, v)
	switch {
	case !wantOK && err == nil:
		t.Fatalf("jsonenc wrote %s for %#v, which encoding/json refuses", buf.Bytes(), v)
	case wantOK && err != nil:
		t.Fatalf("jsonenc refused %#v, which encoding/json writes as %s: %v", v, want, err)
	case !bytes.Equal(buf.Bytes(), want):
		t.Fatalf("jsonenc differs from encoding/json for %#v:\n got  %s\n want %s", v, buf.Bytes(), want)
	}
}

// resourcesWith builds every resource type around one text, number and time.
func resourcesWith(text string, number float64, at time.Time) []any {
	user := UserRef{ID: text, Name: text, Email: text, ServiceAccount: true, DateJoined: at}
	scope := text
	membership := Membership{ID: int(number), User: user, Role: RoleManager,
		Groups: []GroupRef{{ID: text, Name: text}}, LastActiveAt: &at}
	data := map[string]any{text: text, "n": number, "list": []any{text, number, nil, true},
		"nested": map[string]any{text: json.Number("1.50")}}
	return []any{
		user, membership, []Membership{membership, {User: user, Groups: []GroupRef{}}}, []Membership{}, []Membership(nil),
		Organization{ID: text, Name: text, Scope: &scope, DefaultRole: RoleRestricted, Members: []Membership{membership}},
		Group{ID: text, Name: text, NumMembers: int(number), CreatedAt: at},
		GroupDetail{ID: text, Name: text, CreatedAt: at, Deployments: []DeploymentRef{}},
		GroupMembership{ID: text, User: &user, Email: text, CreatedAt: at, Campaigns: []CampaignRef{{ID: text, Name: text, CreatedAt: at, UpdatedAt: at}}},
		GroupMembership{ID: text, Email: text, Campaigns: []CampaignRef{}},
		Campaign{ID: text, Name: text, CreatedAt: at, UpdatedAt: at},
		CampaignMember{ID: text, Email: text, Data: data, Account: &user, Groups: []string{text}, AssignedDeployments: []DeploymentRef{}, CreatedAt: at, UpdatedAt: at},
		Me{ID: text, Email: text, Organization: &MeOrganization{ID: text, Name: text, Scope: &scope},
			OrganizationMemberships: []MeOrganizationMembership{{Organization: text, OrganizationName: text, Role: RoleAdmin}}, Flags: []string{}},
		map[string]string{"detail": text},
		fieldErrors{text: {text, text}},
		[]fieldErrors{{}, {text: {text}}},
		data,
	}
}

func TestEncodeJSONMatchesEncodingJSON(t *testing.T) {
	texts := []string{"", "plain", "ünïcødé", `quote " backslash \ slash /`, "<&>", "\u2028\u2029",
		"\x00\x01\x1f\x7f", "\xff\xfe invalid utf-8", "tab\tnewline\n", "emoji 😀"}
	numbers := []float64{0, -1, 1.5, 1e21, 1e-7, math.MaxInt32, math.Copysign(0, -1)}
	times := []time.Time{epoch, epoch.Add(123456789 * time.Nanosecond), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("", 5*3600+1800)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, text := range texts {
		for _, number := range numbers {
			for _, at := range times {
				for _, v := range resourcesWith(text, number, at) {
					checkSameJSON(t, v)
				}
			}
		}
	}
}

func FuzzEncodeJSON(f *testing.F) {
	f.Add("ada@acme.test", 2.0, int64(0))
	f.Add("<\u2028\xff\x00", -1e300, int64(-62135596800))
	f.Add(`"\`, math.SmallestNonzeroFloat64, int64(253402300800))
	f.Fuzz(func(t *testing.T, text string, number float64, unix int64) {
		if math.IsNaN(number) || math.IsInf(number, 0) {
			return // not JSON: encoding/json refuses them, and so does the API
		}
		at := time.Unix(unix, int64(number)%1e9).UTC()
		for _, v := range resourcesWith(text, number, at) {
			checkSameJSON(t, v)
		}
	})
}
