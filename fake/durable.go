package fake

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// The state file (WithStateFile) keeps the data across restarts and
// crashes. It is one file: a header line, then frames. The first frame is a
// snapshot (the data as a fixture, with the position of the id source, the
// stepping clock and the next membership id, so that later writes continue
// as they would have); every later frame is one acknowledged API write,
// logged as the call the store made (its arguments, the clock readings it
// took and the id source's position before it), so that replaying it on
// the snapshot gives the same data byte for byte.
//
// A write is appended and fsynced while the store's lock is held and before
// its response is written: an answered write is on disk. Whole-data writes
// (LoadState, Reset, the Go helpers) and a log that outgrows its snapshot
// write a new file instead: a temporary file, fsynced, renamed over the old
// one, and the directory fsynced; a crash leaves the old file or the new.
//
// Frame: length of the payload (uint32, big-endian), CRC-32C of the payload,
// CRC-32C of those first 8 bytes; then the payload, JSON.

// stateMagic opens every state file; the version is its format's.
const stateMagic = "pixiebrix-fake state v1\n"

const (
	frameHeaderSize = 12
	maxFrameSize    = 1 << 30
	// minCompactBytes is the log size below which the log is never
	// compacted, however small the snapshot: a rewrite costs the whole data.
	minCompactBytes = 4 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapshotRecord is the first frame of a state file.
type snapshotRecord struct {
	Seed             int64           `json:"seed"`
	IDs              []byte          `json:"ids"`            // the id source's generator, marshaled
	Step             *time.Time      `json:"step,omitempty"` // the stepping clock's time; none with WithClock
	NextMembershipID int             `json:"next_membership_id"`
	State            json.RawMessage `json:"state"` // the data, as State returns it
}

// writeRecord is a frame after the snapshot: one API write.
type writeRecord struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
	IDs  []byte          `json:"ids"`            // the id source's generator before the write
	Now  []time.Time     `json:"now,omitempty"`  // the clock readings the write took, in order
	Step *time.Time      `json:"step,omitempty"` // the stepping clock's time after the write
}

// stateFile is an open state file, appended to under the store's lock.
type stateFile struct {
	path      string
	f         *os.File
	logBytes  int64 // bytes of write frames after the snapshot
	snapBytes int64
	// err, once set, refuses every later write: the file may lack a write
	// the data holds, and only a restart (which reads the file) is sound.
	err error
}

// frame encodes one payload with its header.
func frame(payload []byte) []byte {
	out := make([]byte, frameHeaderSize, frameHeaderSize+len(payload))
	binary.BigEndian.PutUint32(out[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(out[4:8], crc32.Checksum(payload, castagnoli))
	binary.BigEndian.PutUint32(out[8:12], crc32.Checksum(out[0:8], castagnoli))
	return append(out, payload...)
}

// readFrames splits a state file's bytes into payloads. A torn final frame
// (a write cut short by a crash, which was never acknowledged) ends the list
// and is reported as tornAt (-1 for none); any other damage is an error
// naming the offset.
func readFrames(data []byte) (payloads [][]byte, offsets []int64, tornAt int64, err error) {
	if !bytes.HasPrefix(data, []byte(stateMagic)) {
		if len(data) == 0 {
			return nil, nil, -1, errors.New("the file is empty, not a state file")
		}
		return nil, nil, -1, fmt.Errorf("offset 0: not a pixiebrix-fake state file (it does not start with %q)", stateMagic[:len(stateMagic)-1])
	}
	off := len(stateMagic)
	for off < len(data) {
		rest := data[off:]
		torn := func() ([][]byte, []int64, int64, error) { return payloads, offsets, int64(off), nil }
		if len(rest) < frameHeaderSize {
			return torn()
		}
		if crc32.Checksum(rest[0:8], castagnoli) != binary.BigEndian.Uint32(rest[8:12]) {
			if allZero(rest) { // a file extended by a crash, never written
				return torn()
			}
			return nil, nil, -1, fmt.Errorf("offset %d: corrupt frame header (checksum mismatch)", off)
		}
		size := int(binary.BigEndian.Uint32(rest[0:4]))
		if size > maxFrameSize {
			return nil, nil, -1, fmt.Errorf("offset %d: frame of %d bytes is over the limit of %d", off, size, maxFrameSize)
		}
		if len(rest) < frameHeaderSize+size {
			return torn()
		}
		payload := rest[frameHeaderSize : frameHeaderSize+size]
		if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(rest[4:8]) {
			if len(rest) == frameHeaderSize+size {
				return torn()
			}
			return nil, nil, -1, fmt.Errorf("offset %d: corrupt frame (payload checksum mismatch)", off)
		}
		payloads = append(payloads, payload)
		offsets = append(offsets, int64(off))
		off += frameHeaderSize + size
	}
	return payloads, offsets, -1, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// newTrackedIDSource is newIDSource, keeping the generator so that its
// position can be saved and restored.
func newTrackedIDSource(seed int64) (*idSource, *rand.PCG) {
	pcg := rand.NewPCG(uint64(seed), streamIDs)
	return &idSource{rng: rand.New(pcg)}, pcg
}

// snapshotLocked encodes the data and next membership id of n, with the id
// source and clock of s (n may be s).
func (s *store) snapshotLocked(n *store) ([]byte, error) {
	state, err := json.Marshal(n.fixtureLocked())
	if err != nil {
		return nil, err
	}
	ids, err := s.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	rec := snapshotRecord{Seed: s.seed, IDs: ids, NextMembershipID: n.nextMembershipID, State: state}
	if s.step != nil {
		t := s.step.now
		rec.Step = &t
	}
	return json.Marshal(rec)
}

// writeSnapshotLocked replaces the state file with one holding only the
// snapshot of n's data: a temporary file, fsynced, renamed over the state
// file, the directory fsynced. On success the file is open for appending.
func (s *store) writeSnapshotLocked(n *store) error {
	sf := s.durable
	if sf.err != nil {
		return sf.err
	}
	payload, err := s.snapshotLocked(n)
	if err == nil {
		err = sf.replace(payload)
	}
	if err != nil {
		sf.err = fmt.Errorf("state file %s: %w", sf.path, err)
		return sf.err
	}
	return nil
}

// replace writes a file of one snapshot payload and renames it into place.
func (sf *stateFile) replace(payload []byte) error {
	tmp := sf.path + ".tmp"
	data := append([]byte(stateMagic), frame(payload)...)
	// Readable by its owner only: it holds every user's API token.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, sf.path); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(sf.path)); err != nil {
		return err
	}
	if sf.f != nil {
		sf.f.Close() // the old file, now unlinked
		sf.f = nil
	}
	if sf.f, err = os.OpenFile(sf.path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return err
	}
	sf.snapBytes, sf.logBytes = int64(len(data)), 0
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// --- logging writes ---

// writeStart is what a write records before it changes anything.
type writeStart struct {
	ids []byte
}

// beginWriteLocked starts a write: it refuses it when the state file failed
// or is closed, and notes the id source's position and clears the clock
// readings for the write's record. Without a state file it does nothing.
func (s *store) beginWriteLocked() (writeStart, error) {
	if s.durable == nil || s.replaying {
		return writeStart{}, nil
	}
	if s.durable.err != nil {
		return writeStart{}, s.durable.err
	}
	ids, err := s.pcg.MarshalBinary()
	if err != nil {
		return writeStart{}, err
	}
	s.readings = s.readings[:0]
	return writeStart{ids: ids}, nil
}

// commitLocked makes a write that succeeded durable: its record appended to
// the state file and fsynced. On an error the write must not be answered
// as done, and every later write is refused.
func (s *store) commitLocked(start writeStart, op string, args any) error {
	if s.durable == nil || s.replaying {
		return nil
	}
	sf := s.durable
	if sf.err != nil {
		return sf.err
	}
	err := s.appendLocked(start, op, args)
	if err != nil {
		sf.err = fmt.Errorf("state file %s: %w", sf.path, err)
		return sf.err
	}
	if sf.logBytes >= max(sf.snapBytes, minCompactBytes) {
		// Compaction only shortens the file: this write is durable whatever
		// comes of it, and a failure (kept in sf.err) refuses later writes.
		_ = s.writeSnapshotLocked(s)
	}
	return nil
}

func (s *store) appendLocked(start writeStart, op string, args any) error {
	rawArgs, err := json.Marshal(args)
	if err != nil {
		return err
	}
	rec := writeRecord{Op: op, Args: rawArgs, IDs: start.ids, Now: s.readings}
	if s.step != nil {
		t := s.step.now
		rec.Step = &t
	}
	payload, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	data := frame(payload)
	if _, err := s.durable.f.Write(data); err != nil {
		return err
	}
	if err := s.durable.f.Sync(); err != nil {
		return err
	}
	s.durable.logBytes += int64(len(data))
	return nil
}

// --- opening and replaying ---

// openStateFile loads the state file at path into a new store, replaying
// its writes; a file that does not exist gives a nil store. A torn final
// write is dropped with a warning; any other damage is an error naming the
// file and the offset.
func openStateFile(path string, clock func() time.Time, step *stepClock, logger *slog.Logger) (*store, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	fail := func(err error) (*store, error) {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	payloads, offsets, tornAt, err := readFrames(data)
	if err != nil {
		return fail(err)
	}
	if len(payloads) == 0 {
		return fail(fmt.Errorf("offset %d: the snapshot is missing or truncated", len(stateMagic)))
	}
	if tornAt >= 0 {
		logger.Warn("state file: dropped a torn final write, which was never acknowledged (a crash while it was written)",
			"file", path, "offset", tornAt, "bytes", int64(len(data))-tornAt)
	}
	var snap snapshotRecord
	if err := strictJSON(payloads[0], &snap); err != nil {
		return fail(fmt.Errorf("offset %d: bad snapshot: %w", offsets[0], err))
	}
	var f Fixture
	if err := strictJSON(snap.State, &f); err != nil {
		return fail(fmt.Errorf("offset %d: bad snapshot data: %w", offsets[0], err))
	}
	ids, pcg := newTrackedIDSource(snap.Seed)
	st := newStore(ids, clock)
	st.pcg, st.step = pcg, step
	if err := seedStore(st, &f, snap.Seed); err != nil {
		return fail(fmt.Errorf("offset %d: bad snapshot data: %w", offsets[0], err))
	}
	if err := pcg.UnmarshalBinary(snap.IDs); err != nil {
		return fail(fmt.Errorf("offset %d: bad snapshot: ids: %w", offsets[0], err))
	}
	st.nextMembershipID = max(st.nextMembershipID, snap.NextMembershipID)
	if snap.Step != nil && step != nil {
		step.now = *snap.Step
	}
	for i := 1; i < len(payloads); i++ {
		if err := st.replay(payloads[i]); err != nil {
			return fail(fmt.Errorf("offset %d: %w", offsets[i], err))
		}
	}
	return st, nil
}

// strictJSON decodes JSON with numbers kept as written and no unknown keys.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// replay applies one logged write again, as it was made: from the same id
// source position, reading the same clock readings.
func (s *store) replay(payload []byte) error {
	var rec writeRecord
	if err := strictJSON(payload, &rec); err != nil {
		return fmt.Errorf("bad write record: %w", err)
	}
	if err := s.pcg.UnmarshalBinary(rec.IDs); err != nil {
		return fmt.Errorf("write record %s: ids: %w", rec.Op, err)
	}
	s.replaying, s.replayNow = true, rec.Now
	err := s.apply(rec.Op, rec.Args)
	s.replaying, s.replayNow = false, nil
	if err != nil {
		return fmt.Errorf("replaying %s: %w", rec.Op, err)
	}
	if rec.Step != nil && s.step != nil {
		s.step.now = *rec.Step
	}
	return nil
}

// The operations of the log, one per write method of the store, with their
// arguments.
const (
	opMembershipRole         = "membership.role"
	opMembershipDelete       = "membership.delete"
	opGroupCreate            = "group.create"
	opGroupUpdate            = "group.update"
	opGroupDelete            = "group.delete"
	opGroupMembersAdd        = "group.members.add"
	opGroupMembersReplace    = "group.members.replace"
	opGroupMembershipDelete  = "group.membership.delete"
	opCampaignCreate         = "campaign.create"
	opCampaignUpdate         = "campaign.update"
	opCampaignDelete         = "campaign.delete"
	opCampaignMembersUpsert  = "campaign.members.upsert"
	opCampaignMembersReplace = "campaign.members.replace"
)

type membershipArgs struct {
	ID   int   `json:"id"`
	Role *Role `json:"role,omitempty"`
}

type objectArgs struct {
	Org  string  `json:"org,omitempty"`
	ID   string  `json:"id,omitempty"`
	Name *string `json:"name,omitempty"`
}

type memberItemArgs struct {
	UserID string `json:"user_id,omitempty"`
	Email  string `json:"email,omitempty"`
}

type groupMembersArgs struct {
	Group           string           `json:"group"`
	Items           []memberItemArgs `json:"items"`
	RequireCampaign bool             `json:"require_campaign,omitempty"`
}

type campaignItemArgs struct {
	Email string         `json:"email"`
	Data  map[string]any `json:"data"`
}

type campaignMembersArgs struct {
	Org      string             `json:"org"`
	Campaign string             `json:"campaign"`
	Items    []campaignItemArgs `json:"items"`
}

func groupItemArgs(items []memberItem) []memberItemArgs {
	out := make([]memberItemArgs, len(items))
	for i, item := range items {
		out[i] = memberItemArgs{UserID: item.userID, Email: item.email}
	}
	return out
}

func campaignItemsArgs(items []campaignMemberItem) []campaignItemArgs {
	out := make([]campaignItemArgs, len(items))
	for i, item := range items {
		out[i] = campaignItemArgs{Email: item.email, Data: item.data}
	}
	return out
}

// apply calls the store's write method a record names.
func (s *store) apply(op string, raw json.RawMessage) error {
	decode := func(v any) error { return strictJSON(raw, v) }
	var err error
	switch op {
	case opMembershipRole, opMembershipDelete:
		var a membershipArgs
		if err = decode(&a); err != nil {
			return err
		}
		if op == opMembershipRole {
			_, err = s.UpdateMembershipRole(a.ID, a.Role)
		} else {
			err = s.DeleteMembership(a.ID)
		}
	case opGroupCreate, opGroupUpdate, opGroupDelete, opGroupMembershipDelete,
		opCampaignCreate, opCampaignUpdate, opCampaignDelete:
		var a objectArgs
		if err = decode(&a); err != nil {
			return err
		}
		name := ""
		if a.Name != nil {
			name = *a.Name
		}
		switch op {
		case opGroupCreate:
			_, err = s.CreateGroup(a.Org, name)
		case opGroupUpdate:
			_, err = s.UpdateGroup(a.ID, groupUpdate{name: a.Name})
		case opGroupDelete:
			err = s.DeleteGroup(a.ID)
		case opGroupMembershipDelete:
			err = s.DeleteGroupMembership(a.Org, a.ID) // Org holds the group
		case opCampaignCreate:
			_, err = s.CreateCampaign(a.Org, name)
		case opCampaignUpdate:
			_, err = s.UpdateCampaign(a.Org, a.ID, campaignUpdate{name: a.Name})
		case opCampaignDelete:
			err = s.DeleteCampaign(a.Org, a.ID)
		}
	case opGroupMembersAdd, opGroupMembersReplace:
		var a groupMembersArgs
		if err = decode(&a); err != nil {
			return err
		}
		items := make([]memberItem, len(a.Items))
		for i, item := range a.Items {
			items[i] = memberItem{userID: item.UserID, email: item.Email}
		}
		var itemErrs []fieldErrors
		if op == opGroupMembersAdd {
			_, itemErrs, err = s.AddGroupMembers(a.Group, items)
		} else {
			_, itemErrs, err = s.ReplaceGroupMembers(a.Group, items, a.RequireCampaign)
		}
		if err == nil && itemErrs != nil {
			err = fmt.Errorf("items refused: %v", itemErrs)
		}
	case opCampaignMembersUpsert, opCampaignMembersReplace:
		var a campaignMembersArgs
		if err = decode(&a); err != nil {
			return err
		}
		items := make([]campaignMemberItem, len(a.Items))
		for i, item := range a.Items {
			items[i] = campaignMemberItem{email: item.Email, data: item.Data}
		}
		var itemErrs []fieldErrors
		if op == opCampaignMembersUpsert {
			_, itemErrs, err = s.UpsertCampaignMembers(a.Org, a.Campaign, items)
		} else {
			_, itemErrs, err = s.ReplaceCampaignMembers(a.Org, a.Campaign, items)
		}
		if err == nil && itemErrs != nil {
			err = fmt.Errorf("items refused: %v", itemErrs)
		}
	default:
		return fmt.Errorf("unknown write %q", op)
	}
	if err == nil && len(s.replayNow) > 0 {
		err = fmt.Errorf("the write took %d clock readings fewer than it logged", len(s.replayNow))
	}
	return err
}

// closeStateLocked writes a last snapshot (so that the next start replays
// nothing) and closes the file; later writes are refused.
func (s *store) closeStateLocked() error {
	sf := s.durable
	if sf == nil || sf.f == nil {
		return nil
	}
	var err error
	if sf.err == nil && sf.logBytes > 0 {
		err = s.writeSnapshotLocked(s)
	}
	if cerr := sf.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("state file %s: %w", sf.path, cerr)
	}
	sf.f = nil
	if sf.err == nil {
		sf.err = fmt.Errorf("state file %s: closed", sf.path)
	}
	return err
}
