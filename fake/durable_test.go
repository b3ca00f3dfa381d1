package fake_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The state file: every acknowledged write survives a restart, later writes
// continue as they would have, and damage other than a torn final write is
// an error at start.

// stateMagic opens the files written now (version 2: numbered records);
// stateMagicV1 the ones written before, which are still read.
const (
	stateMagic   = "pixiebrix-fake state v2\n"
	stateMagicV1 = "pixiebrix-fake state v1\n"
)

// newDurableServer starts a fake on the state file at path. The test's end
// closes the file (a server abandoned without it stands for a crash).
func newDurableServer(t testing.TB, path string, opts ...fake.Option) *apiServer {
	t.Helper()
	s := newAPIServer(t, append([]fake.Option{fake.WithStateFile(path)}, opts...)...)
	t.Cleanup(func() { _ = s.Server.CloseStateFile() })
	return s
}

// writeOK sends a write and requires a 2xx, returning the response.
func writeOK(t testing.TB, s *apiServer, method, path string, body any) *response {
	t.Helper()
	r := s.do(t, call{method: method, path: path, token: acmeAdmin, accept: v2, body: body})
	if r.Status/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	return r
}

// everyAPIWrite makes one write of every kind the API has, each acknowledged.
func everyAPIWrite(t testing.TB, s *apiServer) {
	t.Helper()
	acme := "/api/organizations/" + acmeID
	writeOK(t, s, "PATCH", "/api/memberships/4/", map[string]int{"role": 4})
	var group struct{ ID string }
	writeOK(t, s, "POST", acme+"/groups/", map[string]string{"name": "Durable"}).decode(t, &group)
	writeOK(t, s, "PATCH", "/api/groups/"+group.ID+"/", map[string]string{"name": "Durable Ops"})
	var added []struct{ ID string }
	writeOK(t, s, "POST", "/api/groups/"+group.ID+"/memberships/",
		`[{"email": "max@acme.test"}, {"email": "zed@acme.test"}]`).decode(t, &added)
	writeOK(t, s, "PUT", "/api/groups/"+supportGroupID+"/memberships/", `[{"email": "dev@acme.test"}]`)
	writeOK(t, s, "DELETE", "/api/groups/"+group.ID+"/memberships/"+added[0].ID+"/", nil)
	var campaign struct{ ID string }
	writeOK(t, s, "POST", acme+"/campaigns/", map[string]string{"name": "Durable Drive"}).decode(t, &campaign)
	writeOK(t, s, "PATCH", acme+"/campaigns/"+campaign.ID+"/", map[string]string{"name": "Durable Drive 2"})
	writeOK(t, s, "POST", acme+"/campaigns/"+campaign.ID+"/members/",
		`[{"email": "ada@acme.test", "data": {"n": 1.50, "big": 12345678901234567890, "x": [1, {"y": null}], "s": "\u00e9"}}]`)
	writeOK(t, s, "PUT", acme+"/campaigns/"+q1CampaignID+"/members/", `[{"email": "mel@acme.test", "data": {}}]`)
	writeOK(t, s, "DELETE", acme+"/campaigns/"+onboardingID+"/", nil)
	writeOK(t, s, "DELETE", "/api/groups/"+salesGroupID+"/", nil)
	writeOK(t, s, "DELETE", "/api/memberships/5/", nil)
	teamsWrites(t, s)
}

// teamsWrites makes one write of each kind of teams' lifecycle and the
// caller's own account (issue 11, "teams").
func teamsWrites(t testing.TB, s *apiServer) {
	t.Helper()
	var team, doomed struct{ ID string }
	writeOK(t, s, "POST", "/api/organizations/", map[string]string{"name": "Durable Team", "scope": "@durable"}).decode(t, &team)
	writeOK(t, s, "PATCH", "/api/organizations/"+team.ID+"/", map[string]any{"name": "Durable Team 2", "trial_end_timestamp": "2026-03-01T12:00:00.5Z"})
	writeOK(t, s, "POST", "/api/organizations/", map[string]string{"name": "Doomed"}).decode(t, &doomed)
	writeOK(t, s, "DELETE", "/api/organizations/"+doomed.ID+"/", nil)
	writeOK(t, s, "POST", "/api/me/milestones/", `{"key": "durable_run", "metadata": {"n": 1.50, "big": 12345678901234567890}}`)
	writeOK(t, s, "PATCH", "/api/me/settings/webextension/", map[string]any{"floating_action_button_site_denylist": []string{"https://example.com/*"}})
	// Rae, in no team since the membership delete above: her account goes.
	if r := s.do(t, call{method: "DELETE", path: "/api/me/", token: acmeRestricted}); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE /api/me/: %d %s", r.Status, r.Body)
	}
}

// observe reads what a client can see of the data: the whole state and the
// API's lists, as bytes.
func observe(t testing.TB, s *apiServer) []string {
	t.Helper()
	state, _ := s.send(t, call{method: "GET", path: "/__fake/state"})
	if state.Status != http.StatusOK {
		t.Fatalf("GET /__fake/state: %d %s", state.Status, state.Body)
	}
	out := []string{string(state.Body)}
	acme := "/api/organizations/" + acmeID
	for _, path := range []string{
		"/api/me/",
		"/api/organizations/",
		"/api/organizations/" + globexID + "/memberships/",
		acme + "/",
		acme + "/memberships/?page_size=1000",
		acme + "/groups/",
		"/api/groups/" + supportGroupID + "/memberships/",
		acme + "/campaigns/",
		acme + "/campaigns/" + q1CampaignID + "/members/",
	} {
		r := s.do(t, call{method: "GET", path: path, token: acmeAdmin, accept: v2})
		out = append(out, fmt.Sprintf("%s %d %s", path, r.Status, r.Body))
	}
	return out
}

func sameObservations(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d observations, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("after restart:\n%s\nwant:\n%s", got[i], want[i])
		}
	}
}

// TestStateFileRestart makes writes of every kind, abandons the server as a
// crash would, and starts another on the same file: it serves the same
// bytes, and its next write is the one the first would have made.
func TestStateFileRestart(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		write func(t *testing.T, s *apiServer)
	}{
		{"api/every-write", func(t *testing.T, s *apiServer) { everyAPIWrite(t, s) }},
		{"control/reset", func(t *testing.T, s *apiServer) {
			everyAPIWrite(t, s)
			if r, _ := s.send(t, call{method: "POST", path: "/__fake/reset"}); r.Status != http.StatusNoContent {
				t.Fatalf("reset: %d %s", r.Status, r.Body)
			}
		}},
		{"control/put-state", func(t *testing.T, s *apiServer) {
			everyAPIWrite(t, s)
			state, _ := s.send(t, call{method: "GET", path: "/__fake/state"})
			edited := strings.ReplaceAll(string(state.Body), `"Globex"`, `"Globex Durable"`)
			if r, _ := s.send(t, call{method: "PUT", path: "/__fake/state", body: edited}); r.Status != http.StatusNoContent {
				t.Fatalf("PUT /__fake/state: %d %s", r.Status, r.Body)
			}
			writeOK(t, s, "POST", "/api/organizations/"+acmeID+"/groups/", map[string]string{"name": "After Load"})
		}},
		{"go/load-state-and-helpers", func(t *testing.T, s *apiServer) {
			everyAPIWrite(t, s)
			if err := s.Server.LoadState(s.Server.State()); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Server.AddTeam(fake.FixtureOrganization{Name: "Helpers Inc", Members: []fake.FixtureMember{{Email: "h@helpers.test", Token: "helpers-token"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Server.AddMember(acmeID, fake.FixtureMember{Email: "joiner@acme.test", Name: "Joiner"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Server.AddGroup(acmeID, "Helpers", "joiner@acme.test"); err != nil {
				t.Fatal(err)
			}
			writeOK(t, s, "PATCH", "/api/memberships/3/", map[string]int{"role": 1})
		}},
		{"go/reset", func(t *testing.T, s *apiServer) {
			everyAPIWrite(t, s)
			s.Server.Reset()
			writeOK(t, s, "DELETE", "/api/memberships/3/", nil)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state")
			first := newDurableServer(t, path)
			tc.write(t, first)
			want := observe(t, first)

			second := newDurableServer(t, path) // the first is left as a crash leaves it
			sameObservations(t, observe(t, second), want)

			// Ids and times continue: the next write is the one the first
			// server makes, and holds no id the data held before.
			next := func(s *apiServer) string {
				return string(writeOK(t, s, "POST", "/api/organizations/"+acmeID+"/campaigns/", map[string]string{"name": "Next"}).Body)
			}
			got, wantNext := next(second), next(first)
			if got != wantNext {
				t.Errorf("next write after restart:\n%s\nwant:\n%s", got, wantNext)
			}
			var created struct{ ID string }
			if err := json.Unmarshal([]byte(got), &created); err != nil || created.ID == "" || strings.Contains(want[0], created.ID) {
				t.Errorf("new campaign %q (%v) reuses an id of the data:\n%s", created.ID, err, want[0])
			}
		})
	}
}

// TestStateFileClose: CloseStateFile leaves one snapshot (nothing to
// replay), and a write after it fails rather than being lost.
func TestStateFileClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state")
	s := newDurableServer(t, path)
	everyAPIWrite(t, s)
	want := observe(t, s)
	if err := s.Server.CloseStateFile(); err != nil {
		t.Fatal(err)
	}
	if offsets := frameOffsets(t, readFile(t, path)); len(offsets) != 1 {
		t.Errorf("closed state file has %d frames, want 1 (the snapshot)", len(offsets))
	}
	r := s.do(t, call{method: "PATCH", path: "/api/memberships/4/", token: acmeAdmin, accept: v2, body: map[string]int{"role": 1}})
	if r.Status != http.StatusInternalServerError {
		t.Errorf("write after CloseStateFile: %d %s, want 500", r.Status, r.Body)
	}
	sameObservations(t, observe(t, newDurableServer(t, path)), want)
}

// TestStateFileCompaction: once the log outgrows its snapshot (and 4 MiB),
// the file is rewritten as one snapshot, which a restart reads back whole.
func TestStateFileCompaction(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state")
	s := newDurableServer(t, path)
	members := "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/"
	// Writes of about 900 KB each: the fifth takes the log past 4 MiB.
	for i, wantFrames := range []int{2, 3, 4, 5, 1, 2} {
		blob := strings.Repeat(string(rune('a'+i)), 900_000)
		writeOK(t, s, "POST", members, []map[string]any{{"email": "ada@acme.test", "data": map[string]string{"blob": blob}}})
		if got := len(frameOffsets(t, readFile(t, path))); got != wantFrames {
			t.Errorf("after write %d the file has %d frames, want %d", i+1, got, wantFrames)
		}
	}
	want := observe(t, s)
	sameObservations(t, observe(t, newDurableServer(t, path)), want)
}

// TestStateFileFixture: a missing file starts from the fixture (and is
// created); an existing one wins over the fixture, which reset goes back to.
func TestStateFileFixture(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state")
	fixture := fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Fixture Co", Members: []fake.FixtureMember{{Email: "a@fixture.test", Role: fake.RoleAdmin, Token: "fixture-admin"}}}}}
	first := newDurableServer(t, path, fake.WithFixtures(fixture))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("state file not created at start: %v", err)
	}
	if _, err := first.Server.AddTeam(fake.FixtureOrganization{Name: "Added Co"}); err != nil {
		t.Fatal(err)
	}
	second := newDurableServer(t, path) // the default fixture: the file wins
	if got := teamNames(second.Server); got != "Added Co,Fixture Co" {
		t.Errorf("teams after restart: %s", got)
	}
	second.Server.Reset()
	if got := teamNames(second.Server); got != "Acme Corp,Globex" {
		t.Errorf("teams after reset: %s, want the default fixture's", got)
	}

	// A bad fixture is an error at start even when the state file wins.
	bad := fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Bad", Members: []fake.FixtureMember{{Email: "not-an-email"}}}}}
	if srv, err := fake.New(fake.WithStateFile(path), fake.WithFixtures(bad)); err == nil {
		_ = srv.CloseStateFile()
		t.Errorf("New took a bad fixture beside an existing state file")
	} else if !strings.Contains(err.Error(), "not-an-email") {
		t.Errorf("error %q does not name the bad member", err)
	}
}

func teamNames(s *fake.Server) string {
	var names []string
	for _, team := range s.Teams() {
		names = append(names, team.Name)
	}
	return strings.Join(names, ",")
}

// --- the file format ---

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// frameOffsets lists where each frame starts, by the documented format:
// the header line, then frames of a 12-byte header (payload length, payload
// CRC-32C, header CRC-32C) and the payload.
func frameOffsets(t testing.TB, data []byte) []int {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(stateMagic)) && !bytes.HasPrefix(data, []byte(stateMagicV1)) {
		t.Fatalf("state file starts %q", data[:min(len(data), 30)])
	}
	var offsets []int
	for off := len(stateMagic); off < len(data); off += 12 + int(binary.BigEndian.Uint32(data[off:])) {
		offsets = append(offsets, off)
	}
	return offsets
}

// logBuffer collects a logger's lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// frame encodes a payload as the state file does: its length, its CRC-32C
// and the CRC-32C of those 8 bytes, then the payload.
func frame(payload []byte) []byte {
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	out := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	out = binary.BigEndian.AppendUint32(out, crc32.Checksum(payload, castagnoli))
	out = binary.BigEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	return append(out, payload...)
}

// splitFrames cuts a state file into its header line and its frames, whole.
func splitFrames(t testing.TB, data []byte) (head []byte, frames [][]byte) {
	t.Helper()
	offsets := append(frameOffsets(t, data), len(data))
	for i := 0; i+1 < len(offsets); i++ {
		frames = append(frames, data[offsets[i]:offsets[i+1]])
	}
	return data[:offsets[0]], frames
}

// TestStateFileDamage damages a state file of a snapshot and writes: a torn
// final write (cut short, or never written) is dropped with a warning, and
// the writes before it are all there; any other damage, including a byte
// changed in the last complete record, a record missing from the middle of
// the log and two records swapped, stops New with the file and the offset,
// and leaves the file as it was, as evidence.
func TestStateFileDamage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	s := newDurableServer(t, path)
	writeOK(t, s, "PATCH", "/api/memberships/4/", map[string]int{"role": 4})
	writeOK(t, s, "POST", "/api/organizations/"+acmeID+"/groups/", map[string]string{"name": "One"})
	beforeLast := observe(t, s)
	writeOK(t, s, "POST", "/api/organizations/"+acmeID+"/groups/", map[string]string{"name": "Two"})
	all := observe(t, s)
	data := readFile(t, path)
	offsets := frameOffsets(t, data)
	if len(offsets) != 4 {
		t.Fatalf("%d frames, want the snapshot and 3 writes", len(offsets))
	}
	snapshot, second, middle, last := offsets[0], offsets[1], offsets[2], offsets[3]
	flip := func(at int) []byte {
		out := bytes.Clone(data)
		out[at] ^= 0x20
		return out
	}
	head, frames := splitFrames(t, data)
	join := func(frames ...[]byte) []byte { return bytes.Join(append([][]byte{head}, frames...), nil) }
	// The last write, extended by a crash but never written: zeros in place
	// of its payload's end.
	unwritten := bytes.Clone(data)
	clear(unwritten[len(unwritten)-10:])
	// The last write, renamed to a group that exists: well-formed, with
	// good checksums, but it no longer applies.
	lastPayload := frames[3][12:]
	if !bytes.Contains(lastPayload, []byte(`"name":"Two"`)) {
		t.Fatalf("the last record is not the write of group Two: %s", lastPayload)
	}
	clash := join(frames[0], frames[1], frames[2], frame(bytes.Replace(lastPayload, []byte(`"name":"Two"`), []byte(`"name":"One"`), 1)))
	cases := []struct {
		name string
		data []byte
		want []string // observations, when New succeeds
		warn string
		err  string
	}{
		{"intact", data, all, "", ""},
		{"torn/last-payload-cut", data[:len(data)-7], beforeLast, fmt.Sprintf("offset=%d", last), ""},
		{"torn/last-header-cut", data[:last+5], beforeLast, fmt.Sprintf("offset=%d", last), ""},
		{"torn/last-payload-unwritten", unwritten, beforeLast, fmt.Sprintf("offset=%d", last), ""},
		{"torn/zeros-after-last", append(bytes.Clone(data), make([]byte, 100)...), all, fmt.Sprintf("offset=%d", len(data)), ""},
		{"torn/partial-header-after-last", append(bytes.Clone(data), 0, 0, 0), all, fmt.Sprintf("offset=%d", len(data)), ""},
		{"error/last-payload-checksum", flip(len(data) - 3), nil, "", fmt.Sprintf("offset %d: corrupt final frame (payload checksum mismatch): the frame is complete, so this is damage", last)},
		{"error/middle-payload-checksum", flip(middle + 20), nil, "", fmt.Sprintf("offset %d: corrupt frame (payload checksum mismatch)", middle)},
		{"error/middle-header-checksum", flip(middle + 1), nil, "", fmt.Sprintf("offset %d: corrupt frame header (checksum mismatch)", middle)},
		{"error/middle-record-deleted", join(frames[0], frames[1], frames[3]), nil, "", fmt.Sprintf("offset %d: write number 3 where 2 was due: a record before it is missing, or records are out of order", middle)},
		{"error/first-record-deleted", join(frames[0], frames[2], frames[3]), nil, "", fmt.Sprintf("offset %d: write number 2 where 1 was due", second)},
		{"error/records-swapped", join(frames[0], frames[1], frames[3], frames[2]), nil, "", fmt.Sprintf("offset %d: write number 3 where 2 was due", middle)},
		{"error/record-repeated", join(frames[0], frames[1], frames[2], frames[2]), nil, "", fmt.Sprintf("offset %d: write number 2 where 3 was due", last)},
		{"error/record-no-longer-applies", clash, nil, "", fmt.Sprintf("offset %d: write number 3 (group.create): it no longer applies to the data before it: name: A group with this name already exists in this team.", last)},
		{"error/garbage-after-last", append(bytes.Clone(data), []byte("garbage that is no frame")...), nil, "", fmt.Sprintf("offset %d: corrupt frame header", len(data))},
		{"error/snapshot-checksum", flip(snapshot + 40), nil, "", fmt.Sprintf("offset %d: corrupt frame (payload checksum mismatch)", snapshot)},
		{"error/snapshot-truncated", data[:snapshot+200], nil, "", fmt.Sprintf("offset %d: the snapshot is missing or truncated", snapshot)},
		{"error/header-only", []byte(stateMagic), nil, "", fmt.Sprintf("offset %d: the snapshot is missing or truncated", snapshot)},
		{"error/empty", nil, nil, "", "the file is empty, not a state file"},
		{"error/not-a-state-file", []byte("organizations: []\n"), nil, "", "offset 0: not a pixiebrix-fake state file"},
		{"error/bad-magic-version", append([]byte("pixiebrix-fake state v9\n"), data[len(stateMagic):]...), nil, "", "offset 0: not a pixiebrix-fake state file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			damaged := filepath.Join(t.TempDir(), "state")
			if err := os.WriteFile(damaged, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var logs logBuffer
			srv, err := fake.New(fake.WithStateFile(damaged), fake.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			if tc.err != "" {
				want := "state file " + damaged + ": " + tc.err
				if err == nil {
					_ = srv.CloseStateFile()
					t.Fatalf("New succeeded, want an error %q", want)
				}
				if !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error %q, want it to start %q", err, want)
				}
				if strings.Contains(err.Error(), "map[") {
					t.Errorf("error %q is in Go's map syntax", err)
				}
				if got := readFile(t, damaged); !bytes.Equal(got, tc.data) {
					t.Errorf("a refused state file was changed")
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			t.Cleanup(func() { _ = srv.CloseStateFile() })
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			got := observe(t, &apiServer{URL: ts.URL, Server: srv, client: ts.Client()})
			sameObservations(t, got, tc.want)
			warned := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "torn final write")
			switch {
			case tc.warn == "" && warned:
				t.Errorf("warned of a torn write:\n%s", logs.String())
			case tc.warn != "" && (!warned || !strings.Contains(logs.String(), tc.warn) || !strings.Contains(logs.String(), "file="+damaged)):
				t.Errorf("log lacks the torn-write warning with %s and the file:\n%s", tc.warn, logs.String())
			}
			// The file was rewritten as one snapshot: a second start replays
			// nothing and warns of nothing.
			if offsets := frameOffsets(t, readFile(t, damaged)); len(offsets) != 1 {
				t.Errorf("after start the file has %d frames, want 1", len(offsets))
			}
		})
	}
}

// TestStateFileReplayError: a write that no longer applies names the
// record and what failed in words, not in Go's syntax.
func TestStateFileReplayError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state")
	s := newDurableServer(t, path)
	writeOK(t, s, "POST", "/api/groups/"+supportGroupID+"/memberships/", `[{"email": "max@acme.test"}]`)
	head, frames := splitFrames(t, readFile(t, path))
	payload := frames[1][12:]
	if !bytes.Contains(payload, []byte("max@acme.test")) {
		t.Fatalf("the record is not the members' write: %s", payload)
	}
	// The same write for a user who is in no team.
	edited := bytes.Replace(payload, []byte("max@acme.test"), []byte("nobody@elsewhere.test"), 1)
	if err := os.WriteFile(path, bytes.Join([][]byte{head, frames[0], frame(edited)}, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := fake.New(fake.WithStateFile(path))
	if err == nil {
		t.Fatal("New replayed a write that does not apply")
	}
	want := fmt.Sprintf("state file %s: offset %d: write number 1 (group.members.add): ", path, len(head)+len(frames[0]))
	if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, "it no longer applies to the data before it: items refused: item 0: email: ") ||
		strings.Contains(msg, "map[") {
		t.Errorf("error %q, want it to start %q and word the item's failure", msg, want)
	}
}

// TestStateFileNotRegular: a state-file path naming a FIFO, a device or a
// directory is refused at once, naming what it is, rather than read
// (which would block for a writer, or never end).
func TestStateFileNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	linkToZero := filepath.Join(dir, "zero-link")
	if err := os.Symlink("/dev/zero", linkToZero); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, "it is a named pipe (FIFO), not a regular file"},
		{"/dev/zero", "it is a character device, not a regular file"},
		{linkToZero, "it links to /dev/zero, a character device, not a regular file"},
		{dir, "it is a directory, not a regular file"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			t.Parallel()
			done := make(chan error, 1)
			go func() {
				srv, err := fake.New(fake.WithStateFile(tc.path))
				if err == nil {
					_ = srv.CloseStateFile()
				}
				done <- err
			}()
			select {
			case err := <-done:
				if want := "state file " + tc.path + ": " + tc.want; err == nil || !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error %v, want it to start %q", err, want)
				}
			case <-time.After(30 * time.Second): // a hang detector, not a measure of speed
				t.Fatalf("New on %s did not return", tc.path)
			}
		})
	}
}

// TestStateFileSymlink: a state file that is a symbolic link stays one;
// every write, and every snapshot, goes to the file it names (say, on a
// mounted volume), which a restart reads. A link to a file that does not
// exist yet creates it.
func TestStateFileSymlink(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		existing, relative bool
	}{{true, false}, {false, false}, {true, true}} {
		existing := tc.existing
		t.Run(fmt.Sprintf("target-exists=%v/relative=%v", tc.existing, tc.relative), func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			volume, linkDir := filepath.Join(root, "volume"), filepath.Join(root, "links")
			for _, dir := range []string{volume, linkDir} {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			target := filepath.Join(volume, "state")
			if existing {
				srv, err := fake.New(fake.WithStateFile(target))
				if err != nil {
					t.Fatal(err)
				}
				if err := srv.CloseStateFile(); err != nil {
					t.Fatal(err)
				}
			}
			link, linkTo := filepath.Join(linkDir, "state"), target
			if tc.relative {
				linkTo = filepath.Join("..", "volume", "state")
			}
			if err := os.Symlink(linkTo, link); err != nil {
				t.Fatal(err)
			}
			isLink := func() {
				t.Helper()
				if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
					t.Fatalf("the state file %s is no longer a link: %v %v", link, info, err)
				}
			}
			s := newDurableServer(t, link)
			isLink()
			writeOK(t, s, "POST", "/api/organizations/"+acmeID+"/groups/", map[string]string{"name": "Linked"})
			if err := s.Server.LoadState(s.Server.State()); err != nil { // a snapshot: temporary file and rename
				t.Fatal(err)
			}
			writeOK(t, s, "PATCH", "/api/memberships/4/", map[string]int{"role": 4})
			want := observe(t, s)
			if err := s.Server.CloseStateFile(); err != nil {
				t.Fatal(err)
			}
			isLink()
			if entries, err := os.ReadDir(linkDir); err != nil || len(entries) != 1 {
				t.Errorf("the link's directory holds %v (%v), want the link alone", entries, err)
			}
			if !bytes.Contains(readFile(t, target), []byte("Linked")) {
				t.Errorf("the link's target lacks the writes")
			}
			sameObservations(t, observe(t, newDurableServer(t, target)), want)
		})
	}
}

// TestStateFileCloseReportsEarlierFailure: when the state file failed
// while the server ran (here a compaction, whose directory is gone),
// CloseStateFile reports it, though it writes no last snapshot.
func TestStateFileCloseReportsEarlierFailure(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "volume")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state")
	s := newDurableServer(t, path)
	if err := os.RemoveAll(dir); err != nil { // the open file is still appended to
		t.Fatal(err)
	}
	members := "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/"
	// Five writes of 900 KB take the log past 4 MiB: the fifth compacts,
	// which fails. Every write is still acknowledged: each is appended.
	for i := range 5 {
		blob := strings.Repeat(string(rune('a'+i)), 900_000)
		writeOK(t, s, "POST", members, []map[string]any{{"email": "ada@acme.test", "data": map[string]string{"blob": blob}}})
	}
	r := s.do(t, call{method: "PATCH", path: "/api/memberships/4/", token: acmeAdmin, accept: v2, body: map[string]int{"role": 4}})
	if r.Status != http.StatusInternalServerError {
		t.Errorf("write after the failed compaction: %d %s, want 500", r.Status, r.Body)
	}
	err := s.Server.CloseStateFile()
	if want := "state file " + path + ": "; err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "writes were refused from then on") {
		t.Errorf("CloseStateFile: %v, want an error starting %q that says writes were refused", err, want)
	}
	if err := s.Server.CloseStateFile(); err != nil {
		t.Errorf("a second CloseStateFile: %v", err)
	}
}

// TestStateFileUnwritable: a state file in a directory that does not exist
// is an error at start, naming it.
func TestStateFileUnwritable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "state")
	srv, err := fake.New(fake.WithStateFile(path))
	if err == nil {
		_ = srv.CloseStateFile()
		t.Fatal("New succeeded on a state file in a missing directory")
	}
	if want := "state file " + path + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start %q", err, want)
	}
}

// TestWithoutControlPlane: /__fake/ paths answer as unknown paths do.
func TestWithoutControlPlane(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithoutControlPlane())
	if _, err := s.Server.AddTeam(fake.FixtureOrganization{Name: "Kept Co"}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/__fake/health", "/__fake/state", "/__fake/reset", "/__fake/faults", "/__fake/requests", "/__fake"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			t.Parallel()
			for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
				r := s.do(t, call{method: method, path: path})
				if r.Status != http.StatusNotFound || r.detail(t) != "Not found." {
					t.Errorf("%s %s: %d %.80s, want 404 Not found.", method, path, r.Status, r.Body)
				}
			}
		})
	}
	if got := teamNames(s.Server); got != "Acme Corp,Globex,Kept Co" {
		t.Errorf("teams after the requests: %s", got)
	}
}

// bigTeam is one team of size members, its admin's token "boss-token".
func bigTeam(size int) fake.Fixture {
	return fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID:       "0c000000-0000-4000-8000-000000000001",
		Name:     "Bench Co",
		Members:  []fake.FixtureMember{{Email: "boss@bench.test", Role: fake.RoleAdmin, Token: "boss-token"}},
		Generate: &fake.FixtureGenerate{Members: size - 1},
	}}}
}

// BenchmarkDurableWrite is the cost of one acknowledged API write (a role
// change) without and with a state file, which fsyncs every write: on the
// default data and on a team of 10,000 members (a logged write costs the
// same whatever the size of the data).
func BenchmarkDurableWrite(b *testing.B) {
	for _, mode := range []string{"off", "on", "team-10000-off", "team-10000-on"} {
		b.Run(mode, func(b *testing.B) {
			opts := []fake.Option{}
			token, path := acmeAdmin, "/api/memberships/4/"
			if strings.HasPrefix(mode, "team-10000") {
				opts = append(opts, fake.WithFixtures(bigTeam(10_000)))
				token, path = "boss-token", "/api/memberships/2/"
			}
			if strings.HasSuffix(mode, "on") {
				opts = append(opts, fake.WithStateFile(filepath.Join(b.TempDir(), "state")))
			}
			srv, err := fake.New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = srv.CloseStateFile() })
			bodies := []string{`{"role": 4}`, `{"role": 1}`}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPatch, path, strings.NewReader(bodies[i%2]))
				req.Header.Set("Authorization", "Token "+token)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}

// BenchmarkStateSnapshot is the cost of a whole-data write (LoadState; as
// Reset, PUT /__fake/state and the Go helpers) without and with a state
// file, which writes a snapshot for it, as it does when the log outgrows
// the snapshot. It is what every write would cost were each a snapshot.
func BenchmarkStateSnapshot(b *testing.B) {
	for _, data := range []string{"default", "team-10000"} {
		for _, mode := range []string{"off", "on"} {
			b.Run(data+"/"+mode, func(b *testing.B) {
				opts := []fake.Option{}
				if data == "team-10000" {
					opts = append(opts, fake.WithFixtures(bigTeam(10_000)))
				}
				if mode == "on" {
					opts = append(opts, fake.WithStateFile(filepath.Join(b.TempDir(), "state")))
				}
				srv, err := fake.New(opts...)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = srv.CloseStateFile() })
				state := srv.State()
				b.ReportAllocs()
				for b.Loop() {
					if err := srv.LoadState(state); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
