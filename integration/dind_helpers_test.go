//go:build linux

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// dindImage is the Debian 12 image with docker.io, systemd and
// busybox-static (hack/debian-image.sh), and in it busybox-image, which
// writes a busybox rootfs tarball for an inner dockerd.
const dindImage = systemdImage

// dindInnerImage is the busybox image, with the probe, that the inner
// dockerd runs.
const dindInnerImage = "sbl-inner:busybox"

// dindDockerd starts an inner dockerd the way a CI job would: no network
// setup of its own (the NETWORK RULE), overlay2 required.
const dindDockerd = "exec dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false " +
	"--storage-driver=overlay2 >/var/log/dockerd.log 2>&1"

// dindTimings are what starting an inner engine took.
type dindTimings struct {
	dockerd time.Duration // inner dockerd: start until `docker version` answers
	load    time.Duration // busybox rootfs built and imported
}

// dindOuter runs the Debian image detached under opts (which choose the
// runtime), with the probe bound in read-only.
func (s *suite) dindOuter(t *testing.T, name string, opts ...string) {
	t.Helper()
	s.requireDebianImage(t)
	probe := filepath.Join(s.tmp, "probe", "probe") + ":/usr/local/bin/probe:ro"
	args := append(append([]string{"run", "-d", "--name", name, "-v", probe}, opts...), dindImage, "sleep", "infinity")
	s.mustDocker(t, args...)
	require.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"), "container %s", name)
}

// dindStartEngine starts the inner dockerd in a running outer container,
// waits for it, and loads dindInnerImage into it.
func (s *suite) dindStartEngine(t *testing.T, name string) dindTimings {
	t.Helper()
	tm := dindTimings{dockerd: s.dindStartDockerd(t, name)}
	start := time.Now()
	s.mustDocker(t, "exec", name, "sh", "-c",
		"busybox-image /tmp/bb.tar >/dev/null && mkdir /tmp/bb && tar -xf /tmp/bb.tar -C /tmp/bb && "+
			"cp /usr/local/bin/probe /tmp/bb/usr/local/bin/ && "+
			"tar -C /tmp/bb -c . | docker import --change 'CMD [\"/bin/sh\"]' - "+dindInnerImage+" >/dev/null")
	tm.load = time.Since(start)
	return tm
}

// dindStartDockerd starts the inner dockerd and returns how long it took
// to answer.
func (s *suite) dindStartDockerd(t *testing.T, name string) time.Duration {
	t.Helper()
	start := time.Now()
	s.mustDocker(t, "exec", "-d", name, "sh", "-c", dindDockerd)
	for {
		r := s.docker(t, "exec", name, "docker", "version", "--format", "{{.Server.Version}}")
		if r.Code == 0 {
			break
		}
		if time.Since(start) > 60*time.Second {
			log := s.docker(t, "exec", name, "tail", "-n", "30", "/var/log/dockerd.log")
			require.FailNow(t, "the inner dockerd did not answer within 60 s", "%s\ndockerd.log:\n%s", r, log.Stdout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

// dindInnerProbe runs the probe in the inner container inner of outer and
// returns its status line and data lines.
func (s *suite) dindInnerProbe(t *testing.T, outer, inner string, args ...string) (status string, data []string) {
	t.Helper()
	r := s.docker(t, append([]string{"exec", outer, "docker", "exec", inner, "probe"}, args...)...)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	require.Regexp(t, probeOutput, lines[0], "inner probe %v did not run: %s", args, r)
	require.Equal(t, lines[0] == "OK", r.Code == 0, "inner probe exit code vs. output: %s", r)
	return lines[0], lines[1:]
}

// dindHostPID finds the host PID of the process that is pid in the pid
// namespace of the outer container whose init is outerInit: a descendant of
// outerInit whose NSpid has pid at the outer level.
func dindHostPID(t *testing.T, outerInit, pid int) int {
	t.Helper()
	level := len(nsPIDs(t, outerInit)) - 1 // the outer namespace's level in NSpid
	procs, err := os.ReadDir("/proc")
	require.NoError(t, err)
	for _, p := range procs {
		hp, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		ids := nsPIDsOrNil(hp)
		if len(ids) <= level || ids[level] != pid || !descendsFrom(hp, outerInit) {
			continue
		}
		return hp
	}
	require.FailNow(t, fmt.Sprintf("no host process is pid %d in the namespace of %d", pid, outerInit))
	return 0
}

func nsPIDs(t *testing.T, pid int) []int {
	t.Helper()
	ids := nsPIDsOrNil(pid)
	require.NotEmpty(t, ids, "NSpid of %d", pid)
	return ids
}

// nsPIDsOrNil is the NSpid line of /proc/PID/status (host first).
func nsPIDsOrNil(pid int) []int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "NSpid:"); ok {
			var ids []int
			for _, f := range strings.Fields(v) {
				n, err := strconv.Atoi(f)
				if err != nil {
					return nil
				}
				ids = append(ids, n)
			}
			return ids
		}
	}
	return nil
}

func descendsFrom(pid, ancestor int) bool {
	for i := 0; i < 64 && pid > 1; i++ {
		if pid == ancestor {
			return true
		}
		ppid, _, ok := procStat(pid)
		if !ok {
			return false
		}
		pid = ppid
	}
	return pid == ancestor
}
