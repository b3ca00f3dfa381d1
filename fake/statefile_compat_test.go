package fake_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestStateFileOldRecords reads state files written by earlier versions,
// each left as a crash leaves it (a snapshot and a log to replay), and each
// replays to what its .observed.json beside it holds:
//   - every-write.state is what everyAPIWrite left at commit 21470d2, before
//     writes were mutation values (its 13 records have the old operation
//     names);
//   - main-b3c7f05.state is what everyAPIWrite and two Go helpers
//     (AddMember, AddGroup) left at commit b3c7f05, before records carried
//     sequence numbers.
//
// Every value an old server served is served again, the same; only fields
// added to responses and states since (the published schema's other
// fields, issue 11's resources) may come on top.
func TestStateFileOldRecords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ops  []string // records the file must hold, so that it tests them
	}{
		{"every-write", []string{`"op":"group.membership.delete"`, `"op":"campaign.members.replace"`}},
		{"main-b3c7f05", []string{`"op":"group.membership.delete@2"`, `"op":"helpers.add_group"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile("testdata/statefile-v1/" + tc.name + ".state")
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range tc.ops {
				if !strings.Contains(string(data), op) {
					t.Fatalf("the old file holds no %s record", op)
				}
			}
			var want []string
			raw, err := os.ReadFile("testdata/statefile-v1/" + tc.name + ".observed.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "state")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			s := newDurableServer(t, path)
			got := observe(t, s)
			if len(got) != len(want) {
				t.Fatalf("%d observations, want %d", len(got), len(want))
			}
			for i := range want {
				if !observationGrownFrom(got[i], want[i]) {
					t.Errorf("after restart:\n%s\nwant (fields added since aside):\n%s", got[i], want[i])
				}
			}
		})
	}
}

// observationGrownFrom reports whether an observation ("[path status ]JSON")
// holds everything old did: the same prefix, and JSON in which every value
// of old's is present and equal (objects may have gained keys).
func observationGrownFrom(got, old string) bool {
	gotHead, gotBody := splitObservation(got)
	oldHead, oldBody := splitObservation(old)
	if gotHead != oldHead {
		return false
	}
	var g, o any
	if json.Unmarshal([]byte(gotBody), &g) != nil || json.Unmarshal([]byte(oldBody), &o) != nil {
		return got == old
	}
	return jsonGrownFrom(g, o)
}

func splitObservation(s string) (head, body string) {
	if i := strings.IndexAny(s, "[{"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func jsonGrownFrom(got, old any) bool {
	switch o := old.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, ov := range o {
			gv, ok := g[k]
			if !ok || !jsonGrownFrom(gv, ov) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(o) {
			return false
		}
		for i := range o {
			if !jsonGrownFrom(g[i], o[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(got, old)
	}
}

// TestStateFileHelperAppends: a Go helper's write is one record appended to
// the log, like an API write, not a new snapshot of the whole data; a
// restart replays it.
func TestStateFileHelperAppends(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state")
	s := newDurableServer(t, path)
	frames := func() []int {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return frameOffsets(t, data)
	}
	before := frames()
	if _, err := s.Server.AddMember(acmeID, fake.FixtureMember{Email: "joiner@acme.test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Server.AddGroup(acmeID, "Joiners", "joiner@acme.test"); err != nil {
		t.Fatal(err)
	}
	after := frames()
	if len(after) != len(before)+2 || after[0] != before[0] {
		t.Fatalf("frames at %v, then %v: want the same snapshot and two records more", before, after)
	}
	want := observe(t, s)
	sameObservations(t, observe(t, newDurableServer(t, path)), want)
}
