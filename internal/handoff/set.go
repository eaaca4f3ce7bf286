package handoff

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// EnvName is the environment variable that names the inherited fds.
const EnvName = "_SBL_HANDOFF"

// version is the layout of EnvName's value. A newer build must read every
// older one: a keeper of the previous build may start a worker of this one
// (an upgrade while containers run).
const version = 1

// Set is what a keeper holds and hands to the next process.
type Set struct {
	// Listener is the bound unix socket the engine connects to.
	Listener *os.File
	// Inflight is the shared table of calls being answered (a memfd, see
	// seccomp.Inflight).
	Inflight *os.File
	// Notify are the seccomp notify fds by key (keys are never 0).
	Notify map[uint64]*os.File
	// Generation counts the processes that served the set before.
	Generation uint64
}

// Keys are the notify keys in order.
func (s Set) Keys() []uint64 {
	keys := make([]uint64, 0, len(s.Notify))
	for k := range s.Notify {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// Files lays the set out as inherited fds starting at fd first (3 plus the
// number of ExtraFiles before them) and returns them with the
// EnvName=value entry that names them.
func (s Set) Files(first int) ([]*os.File, string) {
	var files []*os.File
	next := func(f *os.File) int {
		files = append(files, f)
		return first + len(files) - 1
	}
	fields := []string{strconv.Itoa(version), "gen=" + strconv.FormatUint(s.Generation, 10)}
	if s.Listener != nil {
		fields = append(fields, "listener="+strconv.Itoa(next(s.Listener)))
	}
	if s.Inflight != nil {
		fields = append(fields, "inflight="+strconv.Itoa(next(s.Inflight)))
	}
	var notify []string
	for _, k := range s.Keys() {
		notify = append(notify, strconv.Itoa(next(s.Notify[k]))+":"+strconv.FormatUint(k, 10))
	}
	if len(notify) > 0 {
		fields = append(fields, "notify="+strings.Join(notify, ","))
	}
	return files, EnvName + "=" + strings.Join(fields, " ")
}

// Parsed is a decoded EnvName value: fd numbers, not yet files.
type Parsed struct {
	Generation uint64
	Listener   int // -1: none
	Inflight   int // -1: none
	Notify     map[uint64]int
}

// Parse decodes an EnvName value.
func Parse(value string) (Parsed, error) {
	p := Parsed{Listener: -1, Inflight: -1, Notify: map[uint64]int{}}
	fields := strings.Fields(value)
	if len(fields) == 0 {
		return p, errors.New("handoff: empty")
	}
	v, err := strconv.Atoi(fields[0])
	if err != nil || v < 1 || v > version {
		return p, fmt.Errorf("handoff: layout %q is not one this build reads (1 to %d)", fields[0], version)
	}
	fd := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 3 {
			return 0, fmt.Errorf("handoff: bad fd %q", s)
		}
		return n, nil
	}
	seen := map[int]bool{}
	use := func(n int) error {
		if seen[n] {
			return fmt.Errorf("handoff: fd %d named twice", n)
		}
		seen[n] = true
		return nil
	}
	for _, f := range fields[1:] {
		name, val, ok := strings.Cut(f, "=")
		if !ok {
			return p, fmt.Errorf("handoff: bad field %q", f)
		}
		switch name {
		case "gen":
			if p.Generation, err = strconv.ParseUint(val, 10, 64); err != nil {
				return p, fmt.Errorf("handoff: bad generation %q", val)
			}
		case "listener", "inflight":
			n, err := fd(val)
			if err != nil {
				return p, err
			}
			if err := use(n); err != nil {
				return p, err
			}
			if name == "listener" {
				p.Listener = n
			} else {
				p.Inflight = n
			}
		case "notify":
			for _, e := range strings.Split(val, ",") {
				fs, ks, ok := strings.Cut(e, ":")
				if !ok {
					return p, fmt.Errorf("handoff: bad notify entry %q", e)
				}
				n, err := fd(fs)
				if err != nil {
					return p, err
				}
				k, err := strconv.ParseUint(ks, 10, 64)
				if err != nil || k == 0 {
					return p, fmt.Errorf("handoff: bad notify key %q", ks)
				}
				if _, dup := p.Notify[k]; dup {
					return p, fmt.Errorf("handoff: key %d named twice", k)
				}
				if err := use(n); err != nil {
					return p, err
				}
				p.Notify[k] = n
			}
		default:
			// a field of a newer layout of the same version: ignored
		}
	}
	return p, nil
}

// Inherit takes over the fds that EnvName in this process's environment
// names (and unsets it, so that children do not see it). ok is false when
// there is none: a first start.
func Inherit() (s Set, ok bool, err error) {
	value, ok := os.LookupEnv(EnvName)
	if !ok {
		return Set{}, false, nil
	}
	os.Unsetenv(EnvName)
	p, err := Parse(value)
	if err != nil {
		return Set{}, true, err
	}
	s = Set{Generation: p.Generation, Notify: map[uint64]*os.File{}}
	if p.Listener >= 0 {
		s.Listener = os.NewFile(uintptr(p.Listener), "listener")
	}
	if p.Inflight >= 0 {
		s.Inflight = os.NewFile(uintptr(p.Inflight), "inflight")
	}
	for k, fd := range p.Notify {
		s.Notify[k] = os.NewFile(uintptr(fd), "notify-"+strconv.FormatUint(k, 10))
	}
	return s, true, nil
}

// Close closes every fd of the set.
func (s Set) Close() {
	for _, f := range []*os.File{s.Listener, s.Inflight} {
		if f != nil {
			f.Close()
		}
	}
	for _, f := range s.Notify {
		f.Close()
	}
}
