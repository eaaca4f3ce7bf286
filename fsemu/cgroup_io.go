package fsemu

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Dev is a block device number.
type Dev struct{ Major, Minor uint32 }

// IOStat is the block I/O a cgroup did on one device.
type IOStat struct {
	Reads, Writes, Discards             uint64 // operations
	ReadBytes, WriteBytes, DiscardBytes uint64
}

// IO reads the block I/O statistics of the cgroups; errNoCgroup when the
// cgroup gives none (no blkio/io controller, or no statistics file).
func (cg *Cgroups) IO() (map[Dev]IOStat, error) {
	dir, _, v2, ok := cg.controller("blkio", "io.stat")
	if !ok {
		return nil, errNoCgroup
	}
	if v2 {
		data, err := readFile(filepath.Join(dir, "io.stat"))
		if err != nil {
			return nil, err
		}
		return parseIOStatV2(data), nil
	}
	out := map[Dev]IOStat{}
	found := false
	// The throttle files count all I/O of the cgroup, with or without
	// limits; the recursive ones include its children.
	for _, f := range []struct {
		names []string
		bytes bool
	}{
		{[]string{"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes"}, true},
		{[]string{"blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced"}, false},
	} {
		for _, name := range f.names {
			data, err := readFile(filepath.Join(dir, name))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			found = true
			parseBlkioV1(data, f.bytes, out)
			break
		}
	}
	if !found {
		return nil, errNoCgroup
	}
	return out, nil
}

// parseBlkioV1 adds the lines "MAJ:MIN Read|Write|Discard N" of a v1 blkio
// file to out.
func parseBlkioV1(data []byte, bytes bool, out map[Dev]IOStat) {
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		dev, ok := parseDev(f[0])
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			continue
		}
		s := out[dev]
		switch {
		case f[1] == "Read" && bytes:
			s.ReadBytes = v
		case f[1] == "Read":
			s.Reads = v
		case f[1] == "Write" && bytes:
			s.WriteBytes = v
		case f[1] == "Write":
			s.Writes = v
		case f[1] == "Discard" && bytes:
			s.DiscardBytes = v
		case f[1] == "Discard":
			s.Discards = v
		default:
			continue
		}
		out[dev] = s
	}
}

// parseIOStatV2 parses io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N".
func parseIOStatV2(data []byte) map[Dev]IOStat {
	out := map[Dev]IOStat{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		dev, ok := parseDev(f[0])
		if !ok {
			continue
		}
		var s IOStat
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue
			}
			switch k {
			case "rbytes":
				s.ReadBytes = n
			case "wbytes":
				s.WriteBytes = n
			case "rios":
				s.Reads = n
			case "wios":
				s.Writes = n
			case "dbytes":
				s.DiscardBytes = n
			case "dios":
				s.Discards = n
			}
		}
		out[dev] = s
	}
	return out
}

func parseDev(s string) (Dev, bool) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return Dev{}, false
	}
	maj, err1 := strconv.ParseUint(a, 10, 32)
	min, err2 := strconv.ParseUint(b, 10, 32)
	if err1 != nil || err2 != nil {
		return Dev{}, false
	}
	return Dev{uint32(maj), uint32(min)}, true
}
