// Package statefile is the on-disk format of the fake's state file, apart
// from what the records mean: the header, the checksummed frames, the two
// kinds of record, and writing a file so that a crash leaves the old one
// or the new one.
//
// A state file is a header line, then frames. The first frame is a
// Snapshot; every later frame is one Write. A frame is the length of its
// payload (uint32, big-endian), the CRC-32C of the payload, the CRC-32C of
// those first 8 bytes, then the payload (JSON).
//
// Version 2 numbers the records: every Write carries the next sequence
// number, and the Snapshot the number of the last write it holds, so that
// a record deleted from the middle of the log, or two records swapped, is
// told from a log as it was written. Version 1 files (no numbers) are still
// read; a server writes version 2 from its first snapshot on.
package statefile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Magic opens every state file written now; the version is the framing's
// and the records' numbering. The records' operations may change without
// it: a reader keeps decoding older names.
const Magic = "pixiebrix-fake state v2\n"

// MagicV1 opens the files written before records carried sequence numbers.
const MagicV1 = "pixiebrix-fake state v1\n"

const (
	headerSize = 12
	maxSize    = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Snapshot is the first frame of a state file: the data, with what later
// writes need to continue as they would have.
type Snapshot struct {
	// Seq is the sequence number of the last write the snapshot holds: the
	// first Write after it is Seq+1. Zero in version 1 files.
	Seq              uint64          `json:"seq,omitempty"`
	Seed             int64           `json:"seed"`
	IDs              []byte          `json:"ids"`            // the id source's generator, marshaled
	Step             *time.Time      `json:"step,omitempty"` // the stepping clock's time; none with WithClock
	NextMembershipID int             `json:"next_membership_id"`
	State            json.RawMessage `json:"state"` // the data, as State returns it
}

// Write is a frame after the snapshot: one acknowledged write, as the
// operation and arguments of the mutation that made it, with the id
// source's position before it and the clock readings it took, so that
// applying it again gives the same data byte for byte.
type Write struct {
	// Seq numbers the writes, one more than the record before (or the
	// snapshot's Seq). Zero in version 1 files.
	Seq  uint64          `json:"seq,omitempty"`
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
	IDs  []byte          `json:"ids"`            // the id source's generator before the write
	Now  []time.Time     `json:"now,omitempty"`  // the clock readings the write took, in order
	Step *time.Time      `json:"step,omitempty"` // the stepping clock's time after the write
	// Actor is the id of the user whose request made the write; empty for
	// writes made from Go or the control plane. The audit trail names it.
	Actor string `json:"actor,omitempty"`
}

// Frame encodes one payload with its header.
func Frame(payload []byte) []byte {
	out := make([]byte, headerSize, headerSize+len(payload))
	binary.BigEndian.PutUint32(out[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(out[4:8], crc32.Checksum(payload, castagnoli))
	binary.BigEndian.PutUint32(out[8:12], crc32.Checksum(out[0:8], castagnoli))
	return append(out, payload...)
}

// Frames is what ReadFrames finds in a state file.
type Frames struct {
	Version  int      // 1 or 2: whether the records carry sequence numbers
	Payloads [][]byte // the snapshot's first, then the writes'
	Offsets  []int64  // where each payload's frame starts
	// TornAt is where a final write cut short by a crash starts (-1 for
	// none): it was never acknowledged, and is dropped.
	TornAt int64
}

// ReadFrames splits a state file's bytes into payloads. A torn final frame
// (a write cut short by a crash: its header or payload shorter than it
// says, or never written, zeros) ends the list and is reported as TornAt;
// any other damage is an error naming the offset. That includes a final
// frame that is all there but whose payload fails its checksum: a crash
// cuts a write short, it does not change the bytes of one.
func ReadFrames(data []byte) (Frames, error) {
	out := Frames{TornAt: -1}
	switch {
	case bytes.HasPrefix(data, []byte(Magic)):
		out.Version = 2
	case bytes.HasPrefix(data, []byte(MagicV1)):
		out.Version = 1
	case len(data) == 0:
		return out, errors.New("the file is empty, not a state file")
	default:
		return out, fmt.Errorf("offset 0: not a pixiebrix-fake state file (it does not start with %q or %q)",
			Magic[:len(Magic)-1], MagicV1[:len(MagicV1)-1])
	}
	off := len(Magic) // both versions' header lines have the same length
	for off < len(data) {
		rest := data[off:]
		torn := func() (Frames, error) { out.TornAt = int64(off); return out, nil }
		if len(rest) < headerSize {
			return torn()
		}
		if crc32.Checksum(rest[0:8], castagnoli) != binary.BigEndian.Uint32(rest[8:12]) {
			if allZero(rest) { // a file extended by a crash, never written
				return torn()
			}
			return out, fmt.Errorf("offset %d: corrupt frame header (checksum mismatch)", off)
		}
		size := int(binary.BigEndian.Uint32(rest[0:4]))
		if size > maxSize {
			return out, fmt.Errorf("offset %d: frame of %d bytes is over the limit of %d", off, size, maxSize)
		}
		if len(rest) < headerSize+size {
			return torn()
		}
		payload := rest[headerSize : headerSize+size]
		if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(rest[4:8]) {
			last := len(rest) == headerSize+size
			// A payload is JSON, which never ends in a zero byte: one that
			// does was extended by a crash but never written.
			if last && len(out.Payloads) > 0 && payload[len(payload)-1] == 0 {
				return torn()
			}
			if last {
				return out, fmt.Errorf("offset %d: corrupt final frame (payload checksum mismatch): the frame is complete, so this is damage, not a write cut short by a crash", off)
			}
			return out, fmt.Errorf("offset %d: corrupt frame (payload checksum mismatch)", off)
		}
		out.Payloads = append(out.Payloads, payload)
		out.Offsets = append(out.Offsets, int64(off))
		off += headerSize + size
	}
	return out, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// StrictJSON decodes JSON with numbers kept as written and no unknown keys.
func StrictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Resolve finds the file a state-file path names: a symbolic link is
// followed (to a target that need not exist yet), so that the link stays a
// link and every write goes to its target. A path that names something
// other than a regular file (a directory, a FIFO, a device such as
// /dev/zero) is refused: reading it would fail, block for a writer that
// never comes, or never end.
func Resolve(path string) (string, error) {
	target := path
	for hops := 0; ; hops++ {
		info, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			return target, nil // created at the first snapshot
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			if !info.Mode().IsRegular() {
				return "", notRegular(path, target, info.Mode())
			}
			return target, nil
		}
		if hops == 40 { // as Linux's limit on links followed in one lookup
			return "", fmt.Errorf("%s: too many levels of symbolic links", path)
		}
		link, err := os.Readlink(target)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(target), link)
		}
		target = link
	}
}

// notRegular refuses path, whose file (target, through links) is of mode.
func notRegular(path, target string, mode fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case mode&fs.ModeCharDevice != 0:
		kind = "a character device"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	}
	if target != path {
		return fmt.Errorf("it links to %s, %s, not a regular file: a state file must be one", target, kind)
	}
	return fmt.Errorf("it is %s, not a regular file: a state file must be one", kind)
}

// Read reads the state file at target (as Resolve returned it); a file that
// does not exist gives nil data and no error. It checks again, on the open
// file, that it is a regular file.
func Read(target string) ([]byte, error) {
	f, err := os.Open(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(target, target, info.Mode())
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, err
	}
	if buf.Len() == 0 {
		return []byte{}, nil
	}
	return buf.Bytes(), nil
}

// File is an open state file, appended to by one writer at a time (the
// store's lock).
type File struct {
	Path   string // as given, for messages
	Target string // the file written: Path, or the file its link names
	f      *os.File
	// Seq is the sequence number of the last write in the file (or the one
	// its snapshot holds); the next Write record is Seq+1.
	Seq       uint64
	LogBytes  int64 // bytes of write frames after the snapshot
	SnapBytes int64
	// Err, once set, refuses every later write: the file may lack a write
	// the data holds, and only a restart (which reads the file) is sound.
	Err error
	// Closed is set once the store is done with the file (CloseStateFile).
	Closed bool
}

// Open reports whether the file is open for appending.
func (sf *File) Open() bool { return sf.f != nil }

// Append adds one frame, the write numbered Seq+1, and fsyncs it: once it
// returns nil the payload survives a crash.
func (sf *File) Append(payload []byte) error {
	data := Frame(payload)
	if _, err := sf.f.Write(data); err != nil {
		return err
	}
	if err := sf.f.Sync(); err != nil {
		return err
	}
	sf.LogBytes += int64(len(data))
	sf.Seq++
	return nil
}

// Replace writes a file of one snapshot payload and renames it into place:
// a temporary file beside the target (the same file system, so the rename
// is atomic), fsynced, renamed over the target, the directory fsynced. A
// link to the target stays. On success the file is open for appending; on
// failure the temporary file is removed and the old file is as it was.
func (sf *File) Replace(payload []byte) error {
	if sf.Target == "" {
		sf.Target = sf.Path
	}
	tmp := sf.Target + ".tmp"
	data := append([]byte(Magic), Frame(payload)...)
	if err := writeSynced(tmp, data); err != nil {
		_ = os.Remove(tmp) // frees the space of a file cut short by a full disk
		return err
	}
	if err := os.Rename(tmp, sf.Target); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := syncDir(filepath.Dir(sf.Target)); err != nil {
		return err
	}
	if sf.f != nil {
		sf.f.Close() // the old file, now unlinked
		sf.f = nil
	}
	var err error
	if sf.f, err = os.OpenFile(sf.Target, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return err
	}
	sf.SnapBytes, sf.LogBytes = int64(len(data)), 0
	return nil
}

func writeSynced(path string, data []byte) error {
	// Readable by its owner only: it holds every user's API token.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
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
	return f.Close()
}

// Close closes the file; later appends fail.
func (sf *File) Close() error {
	if sf.f == nil {
		return nil
	}
	err := sf.f.Close()
	sf.f = nil
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
