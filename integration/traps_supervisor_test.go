//go:build linux

package integration

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trapsProcessStart reads a process's start time (clock ticks since boot).
func trapsProcessStart(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	if f[0] == "Z" {
		return 0, fmt.Errorf("process %d is a zombie", pid)
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// TestTrapsHelperInvisible: the helper that performs an allowed mount runs
// in the container's mount namespace but never in its pid namespace. From
// the host, while the container mounts and unmounts a tmpfs 200 times, the
// helpers caught are in the host's pid namespace; from inside, /proc never
// lists one.
func TestTrapsHelperInvisible(t *testing.T) {
	s := setup(t)
	name, _ := s.trapsStart(t, "")
	initPid := s.initPID(t, name)
	containerPid, containerMnt := trapsNsLink(t, initPid, "pid"), trapsNsLink(t, initPid, "mnt")
	hostPid := trapsNsLink(t, os.Getpid(), "pid")

	var (
		mu     sync.Mutex
		caught = map[int][2]string{} // pid → ns/pid, ns/mnt
		stop   = make(chan struct{})
		done   = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			entries, _ := os.ReadDir("/proc")
			for _, e := range entries {
				pid, err := strconv.Atoi(e.Name())
				if err != nil {
					continue
				}
				cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				argv := strings.Split(string(cmdline), "\x00")
				if err != nil || len(argv) < 2 || argv[1] != "mount-helper" {
					continue // not a helper (the scripts that look for one name it too)
				}
				pidNs, err1 := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
				mntNs, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid))
				if err1 != nil || err2 != nil || mntNs != containerMnt {
					continue // gone, not yet inside, or another container's
				}
				mu.Lock()
				caught[pid] = [2]string{pidNs, mntNs}
				mu.Unlock()
			}
		}
	}()
	r := s.docker(t, "exec", name, "sh", "-c", `mkdir -p /mnt/ml
probe mount-loop 200 /mnt/ml > /tmp/ml.out 2>&1 &
p=$!
scans=0; hits=0
pat=mount-; pat=${pat}helper # not spelled out: this script's own cmdline would match
while kill -0 $p 2>/dev/null; do
	for f in /proc/[0-9]*/cmdline; do
		case "$(tr '\0' ' ' < $f 2>/dev/null)" in *"$pat"*) hits=$((hits+1)); echo "seen: $(tr '\0' ' ' < $f)" >&2;; esac
	done
	scans=$((scans+1))
done
wait $p; echo "rc=$?"; cat /tmp/ml.out; echo "scans=$scans hits=$hits"`)
	close(stop)
	<-done
	require.Zero(t, r.Code, "%s", r)
	out := strings.TrimSpace(r.Stdout)

	lines := strings.Split(out, "\n")
	require.Len(t, lines, 4, "%q", out)
	assert.Equal(t, "rc=0", lines[0], "%q", out)
	assert.Equal(t, "OK\n200 mounts", lines[1]+"\n"+lines[2], "the 200 mounts worked: %q", out)
	var scans, hits int
	_, err := fmt.Sscanf(lines[3], "scans=%d hits=%d", &scans, &hits)
	require.NoError(t, err, "%q", lines[3])
	assert.Zero(t, hits, "no process with mount-helper in its cmdline in the container's /proc (%d scans): %s", scans, r.Stderr)
	assert.Positive(t, scans, "the container scanned its /proc while mounting")

	mu.Lock()
	defer mu.Unlock()
	if len(caught) == 0 {
		t.Log("no helper caught from the host during the 200 mounts (they are short-lived); the in-container scan is the evidence")
		return
	}
	for pid, ns := range caught {
		assert.NotEqual(t, containerPid, ns[0], "helper %d is not in the container's pid namespace", pid)
		assert.Equal(t, hostPid, ns[0], "helper %d stays in the host's pid namespace", pid)
	}
	t.Logf("caught %d helpers from the host: in the container's mount namespace %s, in the host's pid namespace %s (the container's is %s)",
		len(caught), containerMnt, hostPid, containerPid)
}
