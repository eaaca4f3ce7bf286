//go:build linux

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/internal/testregistry"
)

// criVariants are the containerd builds the CRI tests run against:
// Debian's 1.6 (runc shim with BinaryName) and the pinned 2.x of
// hack/containerd2.sh (with containerd-shim-sysbox-lite-v2).
func (s *suite) criVariants(t *testing.T) map[string]func(t *testing.T) criOptions {
	return map[string]func(t *testing.T) criOptions{
		"containerd-1.6": func(*testing.T) criOptions { return criOptions{} },
		"containerd-2.x": func(t *testing.T) criOptions {
			return criOptions{
				containerd: filepath.Join(s.containerd2Dir(t), "containerd"),
				shim:       filepath.Join(s.sblBin(t), "containerd-shim-sysbox-lite-v2"),
			}
		},
	}
}

// TestCRIPodSharesRange: a pod of handler sysbox-lite (sandbox + 2 app
// containers through crictl runp/create/start) runs in one range of the
// pool, read on the host from /proc/PID/uid_map: every member is in the
// sandbox's user namespace and in the pod's network namespace, an exec
// lands there too, /sys shows the pod's interfaces; a second pod gets a
// disjoint range; the range stays while any member lives and is released
// when the pod is removed (the health check then finds nothing left).
func TestCRIPodSharesRange(t *testing.T) {
	s := setup(t)
	for name, opts := range s.criVariants(t) {
		t.Run(name, func(t *testing.T) {
			d := s.startCRI(t, name, opts(t))
			d.must(t, "pull", testregistry.BusyboxImage)

			podA := d.podConfig(t, "pod-a", nil)
			pod := d.runPod(t, "sysbox-lite", podA)
			apps := []string{
				d.startContainer(t, pod, d.containerConfig(t, "app1", "sleep", "3600"), podA),
				d.startContainer(t, pod, d.containerConfig(t, "app2", "sleep", "3600"), podA),
			}

			spid := d.pid(t, "inspectp", pod)
			pids := []int{spid}
			uidMap, gidMap := hostIDMaps(t, spid)
			r := requirePoolRange(t, "the sandbox's uid_map", uidMap)
			requirePoolRange(t, "the sandbox's gid_map", gidMap)
			hostNet, err := os.Readlink("/proc/self/ns/net")
			require.NoError(t, err)
			assert.NotEqual(t, hostNet, nsLink(t, spid, "net"), "the pod has a network namespace of its own")
			for i, id := range apps {
				pid := d.pid(t, "inspect", id)
				pids = append(pids, pid)
				u, g := hostIDMaps(t, pid)
				assert.Equal(t, uidMap, u, "app%d's uid_map is the sandbox's", i+1)
				assert.Equal(t, gidMap, g, "app%d's gid_map is the sandbox's", i+1)
				for _, ns := range []string{"user", "net", "ipc", "uts"} {
					assert.Equal(t, nsLink(t, spid, ns), nsLink(t, pid, ns), "app%d is in the sandbox's %s namespace", i+1, ns)
				}
				assert.NotEqual(t, nsLink(t, spid, "pid"), nsLink(t, pid, "pid"), "app%d has a pid namespace of its own (kubelet's default)", i+1)
			}

			// An exec is in the pod's namespaces too, never the host's network.
			out := d.must(t, "exec", apps[0], "sh", "-c", "cat /proc/self/uid_map; echo ---; readlink /proc/self/ns/net; hostname; ls /sys/class/net; id -u")
			parts := strings.Split(out, "---")
			require.Len(t, parts, 2, "%s", out)
			requirePoolRange(t, "uid_map seen by an exec", parts[0])
			f := strings.Fields(parts[1])
			require.GreaterOrEqual(t, len(f), 4, "%s", out)
			assert.Equal(t, nsLink(t, spid, "net"), f[0], "the exec runs in the pod's network namespace")
			assert.Equal(t, "pod-a", f[1], "the pod's hostname")
			assert.Subset(t, f[2:len(f)-1], []string{"eth0", "lo"}, "/sys/class/net lists the pod's interfaces: %s", out)
			assert.Equal(t, "0", f[len(f)-1])

			// The pod's network works between its containers, and a
			// container's root binds port 80 (sysbox-lite set the pod's
			// net.ipv4.ip_unprivileged_port_start: it holds no capability
			// over the pod's network namespace).
			d.must(t, "exec", apps[0], "sh", "-c", "mkdir -p /tmp/www && echo hello-from-app1 > /tmp/www/index.html && httpd -p 80 -h /tmp/www")
			out = d.must(t, "exec", apps[1], "wget", "-q", "-O", "-", "http://127.0.0.1:80/index.html")
			assert.Equal(t, "hello-from-app1", out, "app2 reaches app1's port 80 over the pod's loopback")

			// /sys was mounted by sysbox-lite on the host side: locked and
			// read-only in the container.
			out = d.must(t, "exec", apps[1], "sh", "-c", "umount /sys && echo UNMOUNTED; mount -o remount,rw /sys && echo REMOUNTED; echo x > /sys/kernel/uevent_helper && echo WROTE; echo done")
			assert.Equal(t, "done", lastLine(out), "%s", out)
			for _, bad := range []string{"UNMOUNTED", "REMOUNTED", "WROTE"} {
				assert.NotContains(t, out, bad, "the container's root changed the pod's /sys")
			}
			mounts := d.must(t, "exec", apps[1], "cat", "/proc/self/mountinfo")
			assert.Regexp(t, `(?m) /sys ro,[^ ]* .*- sysfs sysfs `, mounts, "sysfs still mounted read-only at /sys")

			// A second pod: a range of its own.
			podB := d.podConfig(t, "pod-b", nil)
			other := d.runPod(t, "sysbox-lite", podB)
			opid := d.pid(t, "inspectp", other)
			ob, _ := hostIDMaps(t, opid)
			rb := requirePoolRange(t, "the second pod's uid_map", ob)
			assert.NotEqual(t, r.Outside, rb.Outside, "two pods never share a range")

			// One app container goes: the range stays for the others.
			d.must(t, "stop", apps[0])
			d.must(t, "rm", apps[0])
			assert.Equal(t, 1, countAllocated(t, s, r.Outside), "pod-a's range is still held")
			assert.Equal(t, "CONTAINER_RUNNING", d.must(t, "inspect", "-o", "go-template", "--template", "{{.status.state}}", apps[1]))
			assert.Equal(t, uidMap, func() string { u, _ := hostIDMaps(t, d.pid(t, "inspect", apps[1])); return u }(), "app2 is untouched")

			// The pod goes: its range is released, pod-b keeps its own.
			d.must(t, "stopp", pod)
			d.must(t, "rmp", pod)
			assert.Zero(t, countAllocated(t, s, r.Outside), "pod-a's range is released")
			assert.Equal(t, 1, countAllocated(t, s, rb.Outside), "pod-b's range is still held")
			waitGone(t, r.Outside, pids...)
			d.must(t, "rmp", "-f", other)
			assert.Zero(t, countAllocated(t, s, rb.Outside))
			waitGone(t, rb.Outside, opid)
		})
	}
}

// countAllocated counts the allocator's entries for the range at host uid
// base (1 for a range held by one or more containers, 0 when released).
func countAllocated(t *testing.T, s *suite, base uint64) int {
	t.Helper()
	n := 0
	for _, e := range s.allocEntries(t) {
		if uint64(e.Range.UID) == base {
			n = 1
		}
	}
	return n
}

// TestCRIHostNamespacesRefused: a pod that asks for the host's network,
// pid or ipc namespace (hostNetwork, hostPID, hostIPC) is refused under
// sysbox-lite with the reason in the CRI error; the same pods start under
// plain runc (the control).
func TestCRIHostNamespacesRefused(t *testing.T) {
	s := setup(t)
	d := s.startCRI(t, "hostns", criOptions{})
	const node = 2 // NamespaceMode NODE
	for _, tc := range []struct {
		ns, want string
	}{
		{"network", "sysbox-lite: --network=host is refused: a container may not share the host's network namespace"},
		{"pid", "sysbox-lite: --pid=host is refused: a container may not share the host's pid namespace"},
		{"ipc", "sysbox-lite: --ipc=host is refused: a container may not share the host's ipc namespace"},
	} {
		t.Run("host "+tc.ns, func(t *testing.T) {
			cfg := d.podConfig(t, "host-"+tc.ns, map[string]any{tc.ns: node})
			r := d.run(t, "runp", "--runtime", "sysbox-lite", cfg)
			require.NotZero(t, r.Code, "%s", r)
			assert.Contains(t, r.Stderr, tc.want, "%s", r)
			t.Logf("crictl runp (host %s): %s", tc.ns, lastLine(r.Stderr))
			s.requireNoContainerState(t, "after the refused pod")

			id := d.runPod(t, "runc", cfg) // the control: runc runs it
			d.must(t, "rmp", "-f", id)
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestPodNetworkHostNetnsRefused: the attack on the pod network rule. A
// container asked to join the host's network namespace by a path that
// does not say so (a bind mount of it, as `ip netns` or a hostile CRI
// config could make) is refused under sysbox-lite, whose pod-namespace
// rule accepts only namespaces that are not the host's; under plain runc
// (the control) the same request puts the container in the host's network.
func TestPodNetworkHostNetnsRefused(t *testing.T) {
	s := setup(t)
	ref := "docker.io/library/" + testImage
	r := s.ctr(t, "images", "import", s.imageTarball(t))
	require.Zero(t, r.Code, "%s", r)
	t.Cleanup(func() { s.ctr(t, "images", "rm", ref) })

	dir := s.mkTempDir(t, "hostnet-")
	bind := filepath.Join(dir, "looks-like-a-pod")
	require.NoError(t, os.WriteFile(bind, nil, 0o444))
	require.NoError(t, unix.Mount("/proc/self/ns/net", bind, "", unix.MS_BIND, ""))
	t.Cleanup(func() { unix.Unmount(bind, unix.MNT_DETACH) })
	hostNet, err := os.Readlink("/proc/self/ns/net")
	require.NoError(t, err)

	runNS := func(id, netns string, runtimeFlags ...string) result {
		t.Cleanup(func() {
			s.ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
			s.ctr(t, "tasks", "rm", "-f", id)
			s.ctr(t, "containers", "rm", id)
		})
		args := append([]string{"run", "--rm", "--net-host=false"}, runtimeFlags...)
		args = append(args, "--fifo-dir", filepath.Join(s.daemonDir, "fifo"), "--with-ns", "network:"+netns, ref, id, "readlink", "/proc/self/ns/net")
		return s.ctr(t, args...)
	}
	run := func(id string, runtimeFlags ...string) result { return runNS(id, bind, runtimeFlags...) }
	r = run("sbl-hostnet-attack", "--runc-binary", s.wrapper, "--runc-root", filepath.Join(s.daemonDir, "ctr-runc"))
	require.NotZero(t, r.Code, "sysbox-lite must refuse the host's network namespace behind a bind mount: %s", r)
	assert.Contains(t, r.Stderr, "sysbox-lite: --network=host is refused: a container may not share the host's network namespace", "%s", r)
	s.requireNoContainerState(t, "after the refused container")

	// /proc/1/ns/net by its own name: refused too (where PID 1 is more
	// privileged than the runtime, as on this test VM, the namespace cannot
	// even be identified, which is refused as well)
	r = runNS("sbl-hostnet-pid1", "/proc/1/ns/net", "--runc-binary", s.wrapper, "--runc-root", filepath.Join(s.daemonDir, "ctr-runc"))
	require.NotZero(t, r.Code, "sysbox-lite must refuse /proc/1/ns/net: %s", r)
	assert.Regexp(t, `sysbox-lite: --network=(host|container:NAME \(the network namespace at /proc/1/ns/net\)) is refused`, r.Stderr, "%s", r)
	s.requireNoContainerState(t, "after the refused container")

	r = run("sbl-hostnet-control", "--runc-root", filepath.Join(s.daemonDir, "ctr-runc-plain"))
	require.Zero(t, r.Code, "plain runc runs it: %s", r)
	assert.Equal(t, hostNet, strings.TrimSpace(r.Stdout), "under plain runc the container is in the host's network namespace")
	t.Logf("control: plain runc in %s (the host's)", fmt.Sprint(strings.TrimSpace(r.Stdout)))
}

// TestCRIHostUsersFalseRefused: containerd 2.x makes a pod's user namespace
// itself when the pod asks for one (Kubernetes hostUsers: false: CRI
// userns_options with mappings); under sysbox-lite such a pod is refused
// with a reason naming the pod setting, and nothing is left. The control:
// plain runc runs it in the requested mappings.
func TestCRIHostUsersFalseRefused(t *testing.T) {
	s := setup(t)
	d := s.startCRI(t, "hostusers", s.criVariants(t)["containerd-2.x"](t))
	const host = 263192576 // a slot of the pool far from the allocator's first ones
	idmap := []map[string]any{{"host_id": host, "container_id": 0, "length": rangeSize}}
	cfg := d.podConfig(t, "hostusers-false", map[string]any{"userns_options": map[string]any{"uids": idmap, "gids": idmap}}) // mode POD
	r := d.run(t, "runp", "--runtime", "sysbox-lite", cfg)
	require.NotZero(t, r.Code, "%s", r)
	assert.Contains(t, r.Stderr, "sysbox-lite: a pod with a user namespace of its own (Kubernetes hostUsers: false) is refused: sysbox-lite already runs every pod in a user namespace of its own with an exclusive ID range; leave hostUsers unset (true) for pods of the sysbox-lite RuntimeClass", "%s", r)
	s.requireNoContainerState(t, "after the refused pod")

	id := d.runPod(t, "runc", cfg) // the control
	uidMap, _ := hostIDMaps(t, d.pid(t, "inspectp", id))
	assert.Equal(t, []string{"0", fmt.Sprint(host), fmt.Sprint(rangeSize)}, strings.Fields(uidMap), "runc runs the pod in the mappings it asked for")
	d.must(t, "rmp", "-f", id)
}

// criticalSpecs is the part of critest the integration suite runs with
// handler sysbox-lite (the whole suite is `make critest`): pod and
// container lifecycle, exec and attach, security context fields, shared
// pid namespace, pod sysctls. Every one passes with runc too; the
// containerd 1.6 failure of "execSync with timeout" (runc too) is left out.
const criticalSpecs = `PodSandbox runtime should support basic operations|PodSandbox runtime should support sysctls|` +
	`Container runtime should support basic operations on container|Streaming runtime should support streaming interfaces runtime should support (exec|attach)|` +
	`Security Context bucket runtime should support (RunAsUser|RunAsGroup|SupplementalGroups|ReadonlyPaths|dropping)|` +
	`Security Context NamespaceOption runtime should support PodPID|Multiple Containers .* should support container exec`

// TestCRICritestSubset runs criticalSpecs of cri-tools' critest against
// containerd 1.6 with handler sysbox-lite: none may fail.
func TestCRICritestSubset(t *testing.T) {
	s := setup(t)
	d := s.startCRI(t, "critest", criOptions{})
	report := filepath.Join(d.dir, "critest.json")
	r := s.run(t, filepath.Join(s.criTools(t), "critest"), "--runtime-endpoint", "unix://"+d.sock, "--image-endpoint", "unix://"+d.sock,
		"--runtime-handler", "sysbox-lite", "--ginkgo.no-color", "--ginkgo.focus", criticalSpecs, "--ginkgo.skip", "execSync with timeout",
		"--ginkgo.json-report", report)
	var reports []struct {
		SpecReports []struct {
			LeafNodeType            string
			LeafNodeText            string
			ContainerHierarchyTexts []string
			State                   string
		}
	}
	data, err := os.ReadFile(report)
	require.NoError(t, err, "critest wrote no report: %s", r)
	require.NoError(t, json.Unmarshal(data, &reports))
	require.Len(t, reports, 1)
	counts := map[string]int{}
	for _, sr := range reports[0].SpecReports {
		if sr.LeafNodeType != "It" {
			continue
		}
		counts[sr.State]++
		if sr.State != "passed" && sr.State != "skipped" {
			t.Errorf("critest %s: %s %s", sr.State, strings.Join(sr.ContainerHierarchyTexts, " "), sr.LeafNodeText)
		}
	}
	t.Logf("critest subset with handler sysbox-lite: %v", counts)
	assert.GreaterOrEqual(t, counts["passed"], 25, "the focus selects the specs it should: %v", counts)
	assert.Zero(t, r.Code, "critest: %s", lastLine(r.Stdout))
}
