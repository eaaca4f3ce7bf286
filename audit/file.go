package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// DefaultPath is where the audit log goes unless [policy] audit_log says
// otherwise.
const DefaultPath = "/var/log/sysbox-lite/audit.log"

// File appends events to a log file, one JSON object per line.
//
// Every Record opens the file with O_APPEND|O_CREATE (mode 0600, never
// following a symlink at the file itself), writes the line with a single
// write(2) and closes it: appends of a few hundred bytes are atomic, so lines
// of concurrent sysbox-lite processes never interleave. The parent directory
// is created 0700 when missing.
type File struct {
	Path string
	// OnError, when set, is told about an event that could not be written.
	OnError func(error)
}

// Record implements Sink.
func (f File) Record(e Event) {
	if err := f.write(e); err != nil && f.OnError != nil {
		f.OnError(err)
	}
}

func (f File) write(e Event) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode audit event: %w", err)
	}
	line = append(line, '\n')
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return fmt.Errorf("create audit log directory: %w", err)
	}
	fd, err := syscall.Open(f.Path, syscall.O_WRONLY|syscall.O_APPEND|syscall.O_CREAT|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("open audit log %s: %w", f.Path, err)
	}
	// One write(2), not os.File.Write, which would split a short write into
	// several appends that another writer could interleave with.
	n, werr := syscall.Write(fd, line)
	cerr := syscall.Close(fd)
	switch {
	case werr != nil:
		return fmt.Errorf("write audit log %s: %w", f.Path, werr)
	case n != len(line):
		return fmt.Errorf("write audit log %s: short write (%d of %d bytes)", f.Path, n, len(line))
	case cerr != nil:
		return fmt.Errorf("close audit log %s: %w", f.Path, cerr)
	}
	return nil
}
