package fake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"time"
)

// WatchFixtureFile re-reads the fixture file of WithFixtureFile whenever it
// changes and replaces the data with it (ReplaceFixture: seeded as at
// start, and what Reset goes back to from then on), until ctx is done. It
// polls the file's size and modification time every interval, and reloads
// only when the content differs from what was last read, so that touching
// the file or saving it unchanged keeps the data. An edit that does not
// parse or seed keeps the old data and is logged, once, with the error
// (which names the line); a later good edit is loaded. It returns nil when
// ctx is done, or at once an error when the server has no fixture file.
func (s *Server) WatchFixtureFile(ctx context.Context, interval time.Duration) error {
	if s.fixtureFile == "" {
		return errors.New("WatchFixtureFile: the server has no fixture file (WithFixtureFile)")
	}
	if interval <= 0 {
		return errors.New("WatchFixtureFile: the interval must be positive")
	}
	w := fixtureWatch{path: s.fixtureFile}
	// What New loaded is the starting point: an edit made since is loaded
	// at the first tick.
	w.sum = s.fixtureSum
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
			s.pollFixture(&w)
		}
	}
}

// fixtureWatch is what the watcher last saw of the file.
type fixtureWatch struct {
	path    string
	size    int64
	modTime time.Time
	sum     [sha256.Size]byte
	lastErr string // the error last logged, so that it is logged once
}

func (s *Server) pollFixture(w *fixtureWatch) {
	info, err := os.Stat(w.path)
	if err != nil {
		// An editor that saves by renaming leaves the file missing for a moment.
		s.logWatchError(w, err)
		return
	}
	if info.Size() == w.size && info.ModTime().Equal(w.modTime) {
		return
	}
	data, err := os.ReadFile(w.path)
	if err != nil {
		s.logWatchError(w, err)
		return
	}
	w.size, w.modTime = info.Size(), info.ModTime()
	sum := sha256.Sum256(data)
	if bytes.Equal(sum[:], w.sum[:]) {
		return
	}
	w.sum = sum
	f, err := parseFixtureFile(w.path, data)
	if err == nil {
		err = s.ReplaceFixture(*f)
	}
	if err != nil {
		s.logWatchError(w, err)
		return
	}
	w.lastErr = ""
	s.logger.Info("fixture reloaded", "file", w.path)
	s.warnIfNoTokens()
}

func (s *Server) logWatchError(w *fixtureWatch, err error) {
	if err.Error() == w.lastErr {
		return
	}
	w.lastErr = err.Error()
	s.logger.Error("fixture not reloaded; the data stays as it was", "file", w.path, "error", err)
}
