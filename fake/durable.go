package fake

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/statefile"
)

// The state file (WithStateFile) keeps the data across restarts and
// crashes; internal/statefile holds its framing. The first frame is a
// snapshot (the data as a fixture, with the position of the id source, the
// stepping clock and the next membership id, so that later writes continue
// as they would have); every later frame is one acknowledged mutation
// (mutation.go), logged with the clock readings it took and the id
// source's position before it, so that applying it again on the snapshot
// gives the same data byte for byte. Records are numbered (the snapshot
// holds the number of the last write in it), so that damage that leaves
// every frame whole, a record deleted or moved, is still found at start.
//
// A mutation is appended and fsynced while the store's lock is held and
// before its response is written: an answered write is on disk. Whole-data
// writes (LoadState, Reset) and a log that outgrows its snapshot write a
// new file instead; a crash leaves the old file or the new.

// minCompactBytes is the log size below which the log is never compacted,
// however small the snapshot: a rewrite costs the whole data.
const minCompactBytes = 4 << 20

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
	rec := statefile.Snapshot{Seq: s.durable.Seq, Seed: s.seed, IDs: ids, NextMembershipID: n.nextMembershipID, State: state}
	if s.step != nil {
		t := s.step.now
		rec.Step = &t
	}
	return json.Marshal(rec)
}

// writeSnapshotLocked replaces the state file with one holding only the
// snapshot of n's data. On success the file is open for appending.
func (s *store) writeSnapshotLocked(n *store) error {
	sf := s.durable
	if sf.Err != nil {
		return sf.Err
	}
	payload, err := s.snapshotLocked(n)
	if err == nil {
		err = sf.Replace(payload)
	}
	if err != nil {
		sf.Err = fmt.Errorf("state file %s: %w", sf.Path, err)
		return sf.Err
	}
	return nil
}

// --- logging mutations ---

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
	if s.durable.Err != nil {
		return writeStart{}, s.durable.Err
	}
	ids, err := s.pcg.MarshalBinary()
	if err != nil {
		return writeStart{}, err
	}
	s.readings = s.readings[:0]
	return writeStart{ids: ids}, nil
}

// commitLocked makes a mutation that succeeded durable: its record appended
// to the state file and fsynced. On an error the write must not be answered
// as done, and every later write is refused.
func (s *store) commitLocked(start writeStart, m mutation) error {
	if s.durable == nil || s.replaying {
		return nil
	}
	sf := s.durable
	if sf.Err != nil {
		return sf.Err
	}
	err := s.appendLocked(start, m)
	if err != nil {
		sf.Err = fmt.Errorf("state file %s: %w", sf.Path, err)
		return sf.Err
	}
	if sf.LogBytes >= max(sf.SnapBytes, minCompactBytes) {
		// Compaction only shortens the file: this write is durable whatever
		// comes of it, and a failure (kept in sf.Err) refuses later writes.
		_ = s.writeSnapshotLocked(s)
	}
	return nil
}

func (s *store) appendLocked(start writeStart, m mutation) error {
	args, err := json.Marshal(m)
	if err != nil {
		return err
	}
	rec := statefile.Write{Seq: s.durable.Seq + 1, Op: opOf(m), Args: args, IDs: start.ids, Now: s.readings, Actor: s.actor}
	if s.step != nil {
		t := s.step.now
		rec.Step = &t
	}
	payload, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.durable.Append(payload)
}

// --- opening and replaying ---

// resolveStateFile names the file a state-file path writes to (a link's
// target) and refuses one that is not a regular file, before anything
// reads it.
func resolveStateFile(path string) (*statefile.File, error) {
	target, err := statefile.Resolve(path)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return &statefile.File{Path: path, Target: target}, nil
}

// openStateFile loads the state file sf into a new store, replaying its
// writes, and notes in sf the sequence number of the last; a file that does
// not exist gives a nil store. A torn final write is dropped with a
// warning; any other damage (a corrupt or missing record, records out of
// order, a write that no longer applies) is an error naming the file and
// the offset, and the file is left as it is.
func openStateFile(sf *statefile.File, clock func() time.Time, step *stepClock, logger *slog.Logger, outboxSize int) (*store, error) {
	path := sf.Path
	fail := func(err error) (*store, error) {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	data, err := statefile.Read(sf.Target)
	if err != nil {
		return fail(err)
	}
	if data == nil {
		return nil, nil
	}
	frames, err := statefile.ReadFrames(data)
	if err != nil {
		return fail(err)
	}
	payloads, offsets := frames.Payloads, frames.Offsets
	if len(payloads) == 0 {
		return fail(fmt.Errorf("offset %d: the snapshot is missing or truncated", len(statefile.Magic)))
	}
	if frames.TornAt >= 0 {
		logger.Warn("state file: dropped a torn final write, which was never acknowledged (a crash while it was written)",
			"file", path, "offset", frames.TornAt, "bytes", int64(len(data))-frames.TornAt)
	}
	var snap statefile.Snapshot
	if err := statefile.StrictJSON(payloads[0], &snap); err != nil {
		return fail(fmt.Errorf("offset %d: bad snapshot: %w", offsets[0], err))
	}
	var f Fixture
	if err := statefile.StrictJSON(snap.State, &f); err != nil {
		return fail(fmt.Errorf("offset %d: bad snapshot data: %w", offsets[0], err))
	}
	ids, pcg := newTrackedIDSource(snap.Seed)
	st := newStore(ids, clock)
	st.outboxSize = outboxSize // before the replay, which sends as the writes did
	st.pcg, st.step, st.seed = pcg, step, snap.Seed
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
	seq := snap.Seq
	for i := 1; i < len(payloads); i++ {
		var rec statefile.Write
		if err := statefile.StrictJSON(payloads[i], &rec); err != nil {
			return fail(fmt.Errorf("offset %d: bad write record: %w", offsets[i], err))
		}
		if frames.Version >= 2 {
			if rec.Seq != seq+1 {
				return fail(fmt.Errorf("offset %d: write number %d where %d was due: a record before it is missing, or records are out of order (the file was damaged or edited)",
					offsets[i], rec.Seq, seq+1))
			}
			seq = rec.Seq
		}
		if err := st.replay(rec); err != nil {
			return fail(fmt.Errorf("offset %d: write %s: %w", offsets[i], describeRecord(frames.Version, i, rec), err))
		}
	}
	sf.Seq = seq
	return st, nil
}

// describeRecord names a write record for an error: its sequence number
// (its place in the log, in a version 1 file), operation and actor.
func describeRecord(version, index int, rec statefile.Write) string {
	num := uint64(index)
	if version >= 2 {
		num = rec.Seq
	}
	out := fmt.Sprintf("number %d (%s", num, rec.Op)
	if rec.Actor != "" {
		out += ", by user " + rec.Actor
	}
	return out + ")"
}

// replay applies one logged mutation again, as it was made: from the same
// id source position, reading the same clock readings, through the same
// code as the first time (store.do's).
func (s *store) replay(rec statefile.Write) error {
	m, err := decodeMutation(rec.Op, rec.Args)
	if err != nil {
		return err
	}
	if err := s.pcg.UnmarshalBinary(rec.IDs); err != nil {
		return fmt.Errorf("bad id source position: %w", err)
	}
	s.replaying, s.replayNow = true, rec.Now
	err = s.doAs(rec.Actor, m)
	left := len(s.replayNow)
	s.replaying, s.replayNow = false, nil
	if err == nil && left > 0 {
		err = fmt.Errorf("the write took %d clock readings fewer than it logged", left)
	}
	if err != nil {
		return fmt.Errorf("it no longer applies to the data before it: %w", err)
	}
	if rec.Step != nil && s.step != nil {
		s.step.now = *rec.Step
	}
	return nil
}

// closeStateLocked writes a last snapshot (so that the next start replays
// nothing) and closes the file; later writes are refused. It reports a
// failure of that snapshot, and as well a failure that came before it (a
// write or a compaction that failed, after which writes were refused and no
// last snapshot is written): either way the file is not what a clean stop
// leaves, and the caller's exit status should say so.
func (s *store) closeStateLocked() error {
	sf := s.durable
	if sf == nil || sf.Closed {
		return nil
	}
	earlier := sf.Err
	var err error
	if earlier == nil && sf.LogBytes > 0 {
		err = s.writeSnapshotLocked(s)
	}
	if cerr := sf.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("state file %s: %w", sf.Path, cerr)
	}
	if earlier != nil {
		err = fmt.Errorf("%w; writes were refused from then on, and the file holds the writes answered before it", earlier)
	}
	sf.Closed = true
	if sf.Err == nil {
		sf.Err = fmt.Errorf("state file %s: closed", sf.Path)
	}
	return err
}
