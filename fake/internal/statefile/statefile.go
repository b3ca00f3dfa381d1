// Package statefile is the on-disk format of the fake's state file, apart
// from what the records mean: the header, the checksummed frames, the two
// kinds of record, and writing a file so that a crash leaves the old one
// or the new one.
//
// A state file is a header line, then frames. The first frame is a
// Snapshot; every later frame is one Write. A frame is the length of its
// payload (uint32, big-endian), the CRC-32C of the payload, the CRC-32C of
// those first 8 bytes, then the payload (JSON).
package statefile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"time"
)

// Magic opens every state file; the version is the framing's. The records'
// operations may change without it: a reader keeps decoding older names.
const Magic = "pixiebrix-fake state v1\n"

const (
	headerSize = 12
	maxSize    = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Snapshot is the first frame of a state file: the data, with what later
// writes need to continue as they would have.
type Snapshot struct {
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

// ReadFrames splits a state file's bytes into payloads. A torn final frame
// (a write cut short by a crash, which was never acknowledged) ends the list
// and is reported as tornAt (-1 for none); any other damage is an error
// naming the offset.
func ReadFrames(data []byte) (payloads [][]byte, offsets []int64, tornAt int64, err error) {
	if !bytes.HasPrefix(data, []byte(Magic)) {
		if len(data) == 0 {
			return nil, nil, -1, errors.New("the file is empty, not a state file")
		}
		return nil, nil, -1, fmt.Errorf("offset 0: not a pixiebrix-fake state file (it does not start with %q)", Magic[:len(Magic)-1])
	}
	off := len(Magic)
	for off < len(data) {
		rest := data[off:]
		torn := func() ([][]byte, []int64, int64, error) { return payloads, offsets, int64(off), nil }
		if len(rest) < headerSize {
			return torn()
		}
		if crc32.Checksum(rest[0:8], castagnoli) != binary.BigEndian.Uint32(rest[8:12]) {
			if allZero(rest) { // a file extended by a crash, never written
				return torn()
			}
			return nil, nil, -1, fmt.Errorf("offset %d: corrupt frame header (checksum mismatch)", off)
		}
		size := int(binary.BigEndian.Uint32(rest[0:4]))
		if size > maxSize {
			return nil, nil, -1, fmt.Errorf("offset %d: frame of %d bytes is over the limit of %d", off, size, maxSize)
		}
		if len(rest) < headerSize+size {
			return torn()
		}
		payload := rest[headerSize : headerSize+size]
		if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(rest[4:8]) {
			if len(rest) == headerSize+size {
				return torn()
			}
			return nil, nil, -1, fmt.Errorf("offset %d: corrupt frame (payload checksum mismatch)", off)
		}
		payloads = append(payloads, payload)
		offsets = append(offsets, int64(off))
		off += headerSize + size
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

// StrictJSON decodes JSON with numbers kept as written and no unknown keys.
func StrictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// File is an open state file, appended to by one writer at a time (the
// store's lock).
type File struct {
	Path      string
	f         *os.File
	LogBytes  int64 // bytes of write frames after the snapshot
	SnapBytes int64
	// Err, once set, refuses every later write: the file may lack a write
	// the data holds, and only a restart (which reads the file) is sound.
	Err error
}

// Open reports whether the file is open for appending.
func (sf *File) Open() bool { return sf.f != nil }

// Append adds one frame and fsyncs it: once it returns nil the payload
// survives a crash.
func (sf *File) Append(payload []byte) error {
	data := Frame(payload)
	if _, err := sf.f.Write(data); err != nil {
		return err
	}
	if err := sf.f.Sync(); err != nil {
		return err
	}
	sf.LogBytes += int64(len(data))
	return nil
}

// Replace writes a file of one snapshot payload and renames it into place:
// a temporary file, fsynced, renamed over the state file, the directory
// fsynced. On success the file is open for appending.
func (sf *File) Replace(payload []byte) error {
	tmp := sf.Path + ".tmp"
	data := append([]byte(Magic), Frame(payload)...)
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
	if err := os.Rename(tmp, sf.Path); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(sf.Path)); err != nil {
		return err
	}
	if sf.f != nil {
		sf.f.Close() // the old file, now unlinked
		sf.f = nil
	}
	if sf.f, err = os.OpenFile(sf.Path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return err
	}
	sf.SnapBytes, sf.LogBytes = int64(len(data)), 0
	return nil
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
