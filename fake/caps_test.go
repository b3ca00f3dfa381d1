package fake_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestFixtureTotalCaps: the caps on generated data hold over all teams
// together, not only per team, so that a small document cannot ask for a
// hundred teams of a million. They are checked before anything is seeded.
func TestFixtureTotalCaps(t *testing.T) {
	t.Parallel()
	teams := func(n int, generate string, extra string) string {
		var b strings.Builder
		b.WriteString(`{"organizations": [`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name": "Team %d", "generate": %s%s}`, i, generate, extra)
		}
		b.WriteString("]}")
		return b.String()
	}
	cases := []struct {
		name, fixture, want string
	}{
		{"members/hundred-teams-of-a-million", teams(100, `{"members": 1000000}`, ""),
			"the teams have 100000000 members in total, listed and generated; at most 1000000"},
		{"members/two-teams", teams(2, `{"members": 600000}`, ""),
			"the teams have 1200000 members in total, listed and generated; at most 1000000"},
		{"members/listed-and-generated", teams(1, `{"members": 999999}`, `, "members": [{"email": "a@x.test"}, {"email": "b@x.test"}]`),
			"the teams have 1000001 members in total, listed and generated; at most 1000000"},
		{"groups", teams(3, `{"groups": 400000}`, ""), "generate: the teams ask for 1200000 groups in total; at most 1000000"},
		{"campaigns", teams(2, `{"campaigns": 500001}`, ""), "generate: the teams ask for 1000002 campaigns in total; at most 1000000"},
	}
	s := newAPIServer(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, err := fake.ParseFixture([]byte(c.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fake.New(fake.WithFixtures(*f)); err == nil || err.Error() != c.want {
				t.Errorf("New: %v\nwant %s", err, c.want)
			}
			r := s.plain(t, call{method: "PUT", path: "/__fake/state", body: c.fixture})
			wantStatus(t, r, 400)
			if got := r.detail(t); got != "Invalid state: "+c.want {
				t.Errorf("PUT /__fake/state: %q\nwant %q", got, "Invalid state: "+c.want)
			}
		})
	}
}
