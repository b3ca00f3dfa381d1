package fake_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestStateFileOldRecords reads a state file written before writes were
// mutation values: testdata/statefile-v1/every-write.state is what
// everyAPIWrite left in a state file at commit 21470d2 (a crash, so its 13
// writes are records with the old operation names), and
// every-write.observed.json what that server then served. The file replays
// to the same bytes.
func TestStateFileOldRecords(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/statefile-v1/every-write.state")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{`"op":"group.membership.delete"`, `"op":"campaign.members.replace"`} {
		if !strings.Contains(string(data), op) {
			t.Fatalf("the old file holds no %s record", op)
		}
	}
	var want []string
	raw, err := os.ReadFile("testdata/statefile-v1/every-write.observed.json")
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
	// The observations made since (service accounts, deployment keys, the
	// audit trail) did not exist when the file was written.
	sameObservations(t, observe(t, s)[:len(want)], want)
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
