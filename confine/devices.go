package confine

import (
	"fmt"
	"os"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

// namedNode is a device path and the numbers the kernel gives it.
type namedNode struct {
	path string
	node Node
}

// pseudoDevices are always allowed: they reach nothing of the host's, and
// the engine creates most of them in every container anyway.
var pseudoDevices = []namedNode{
	{"/dev/null", Node{"c", 1, 3}},
	{"/dev/zero", Node{"c", 1, 5}},
	{"/dev/full", Node{"c", 1, 7}},
	{"/dev/random", Node{"c", 1, 8}},
	{"/dev/urandom", Node{"c", 1, 9}},
	{"/dev/tty", Node{"c", 5, 0}},
	{"/dev/console", Node{"c", 5, 1}},
	{"/dev/ptmx", Node{"c", 5, 2}},
}

// defaultDevices are allowed unless a container's annotation narrows them
// away, and a --privileged container gets them even where its spec lacks
// them: FUSE and TUN/TAP work inside a user namespace (the kernel checks the
// capabilities against the namespaces the container owns) and are what
// nested containers, rootless builders and VPN clients need.
var defaultDevices = []namedNode{
	{"/dev/fuse", Node{"c", 10, 229}},
	{"/dev/net/tun", Node{"c", 10, 200}},
}

// knownNodes maps the paths of pseudoDevices and defaultDevices to their
// numbers, so a spec cannot pass /dev/sda's numbers under the name /dev/null.
var knownNodes = func() map[string]Node {
	m := map[string]Node{}
	for _, d := range append(append([]namedNode{}, pseudoDevices...), defaultDevices...) {
		m[d.path] = d.node
	}
	return m
}()

// Unix98 pty slaves (/dev/pts/N) have majors 136 to 143.
const ptsFirstMajor, ptsLastMajor = 136, 143

// Devices keeps host device nodes out of containers unless the host policy
// allows them.
//
// A spec is privileged when its device cgroup has an allow-all rule (what
// docker and ctr --privileged produce, together with every host device in
// linux.devices). Then devices that are not allowed are dropped (and
// audited), /dev/fuse and /dev/net/tun are added when the host has them, and
// the device cgroup becomes: deny all, mknod of anything (a user namespace
// cannot mknod devices anyway; docker allows it too), the exposed devices and
// the pty/console rules.
//
// Otherwise a device that is not allowed is refused, and device cgroup rules
// that would allow access to anything but the exposed devices are dropped.
type Devices struct {
	policy     []string
	sink       audit.Sink
	hostDevice func(string) (Node, bool)
}

// NewDevices returns the modifier for the policy's allowed_devices (besides
// the defaults). hostDevice reports the host's node at a path (HostDevice).
func NewDevices(allowed []string, sink audit.Sink, hostDevice func(string) (Node, bool)) Devices {
	return Devices{policy: allowed, sink: sink, hostDevice: hostDevice}
}

// Name implements runtime.SpecModifier.
func (Devices) Name() string { return "devices" }

// deviceAllowance is what one container may have besides the pseudo-devices.
type deviceAllowance struct {
	host      map[string]bool // allowed by the host (defaults + policy)
	container map[string]bool // allowed for this container (after its annotation)
}

func (d Devices) allowance(spec *specs.Spec) (deviceAllowance, error) {
	a := deviceAllowance{host: map[string]bool{}}
	for _, n := range defaultDevices {
		a.host[n.path] = true
	}
	for _, p := range d.policy {
		a.host[p] = true
	}
	a.container = a.host
	asked, ok, err := pathList(spec, AnnotationAllowedDevices)
	if err != nil {
		return a, refuse(d.sink, audit.RuleDevices, "annotation "+AnnotationAllowedDevices, "%s", err)
	}
	if !ok {
		return a, nil
	}
	a.container = map[string]bool{}
	for _, p := range asked {
		if _, pseudo := pseudoNode(p); pseudo {
			continue
		}
		if !a.host[p] {
			return a, refuse(d.sink, audit.RuleDevices, "device "+p+" (annotation "+AnnotationAllowedDevices+")",
				"device %s is refused: the annotation %s asks for it, but the host policy does not allow it (%s)",
				p, AnnotationAllowedDevices, policyHint("allowed_devices"))
		}
		a.container[p] = true
	}
	return a, nil
}

// pseudoNode returns the numbers a pseudo-device path must have. A /dev/pts
// entry other than ptmx has Minor -1: any slave of the pty majors.
func pseudoNode(p string) (Node, bool) {
	for _, n := range pseudoDevices {
		if n.path == p {
			return n.node, true
		}
	}
	if p == "/dev/pts/ptmx" {
		return Node{"c", 5, 2}, true
	}
	if strings.HasPrefix(p, "/dev/pts/") {
		return Node{"c", ptsFirstMajor, -1}, true
	}
	return Node{}, false
}

func deviceNode(dev specs.LinuxDevice) Node {
	t := dev.Type
	if t == "u" { // unbuffered character device
		t = "c"
	}
	return Node{Type: t, Major: dev.Major, Minor: dev.Minor}
}

func (n Node) String() string { return fmt.Sprintf("%s %d:%d", n.Type, n.Major, n.Minor) }

func askedDevice(dev specs.LinuxDevice) string {
	return fmt.Sprintf("device %s (%s %d:%d)", dev.Path, dev.Type, dev.Major, dev.Minor)
}

// check says why dev may not be in the container ("" when it may).
func (d Devices) check(dev specs.LinuxDevice, a deviceAllowance) string {
	p, got := dev.Path, deviceNode(dev)
	if !strings.HasPrefix(p, "/dev/") || path.Clean(p) != p {
		return "it is not a clean path under /dev"
	}
	if want, ok := pseudoNode(p); ok {
		if want.Minor == -1 { // a pty slave
			if got.Type == "c" && got.Major >= ptsFirstMajor && got.Major <= ptsLastMajor {
				return ""
			}
			return fmt.Sprintf("its numbers (%s) are not those of a pty (c %d-%d:*)", got, ptsFirstMajor, ptsLastMajor)
		}
		if got != want {
			return fmt.Sprintf("its numbers (%s) are not those of %s (%s)", got, p, want)
		}
		return ""
	}
	if !a.host[p] {
		return "host devices are not allowed in containers (" + policyHint("allowed_devices") + ")"
	}
	if !a.container[p] {
		return "the container's " + AnnotationAllowedDevices + " annotation does not list it"
	}
	if want, ok := knownNodes[p]; ok {
		if got != want {
			return fmt.Sprintf("its numbers (%s) are not those of %s (%s)", got, p, want)
		}
		return ""
	}
	// A device the policy added: it must be the host's node at that path
	// (inside a user namespace the engine bind-mounts the host path).
	host, ok := d.hostDevice(p)
	if !ok {
		return "the host has no such device"
	}
	if got != host {
		return fmt.Sprintf("its numbers (%s) are not those of the host's %s (%s)", got, p, host)
	}
	return ""
}

// Modify implements runtime.SpecModifier.
func (d Devices) Modify(spec *specs.Spec) error {
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	a, err := d.allowance(spec)
	if err != nil {
		return err
	}
	priv := spec.Linux.Resources != nil && hasAllowAll(spec.Linux.Resources.Devices)
	var kept []specs.LinuxDevice
	var dropped droppedDevices
	for _, dev := range spec.Linux.Devices {
		if why := d.check(dev, a); why != "" {
			if priv {
				dropped.add(why, askedDevice(dev))
				continue
			}
			return refuse(d.sink, audit.RuleDevices, askedDevice(dev), "device %s is refused: %s", dev.Path, why)
		}
		kept = append(kept, dev)
	}
	dropped.record(d.sink)
	if priv {
		for _, n := range defaultDevices {
			if !a.container[n.path] || hasDevicePath(kept, n.path) {
				continue
			}
			if host, ok := d.hostDevice(n.path); !ok || host != n.node {
				continue // the engine would fail to bind a node the host lacks
			}
			mode := os.FileMode(0o666)
			var zero uint32
			kept = append(kept, specs.LinuxDevice{Path: n.path, Type: n.node.Type, Major: n.node.Major, Minor: n.node.Minor, FileMode: &mode, UID: &zero, GID: &zero})
		}
		spec.Linux.Devices = kept
		spec.Linux.Resources.Devices = privilegedRules(kept)
		return nil
	}
	if spec.Linux.Resources == nil {
		spec.Linux.Resources = &specs.LinuxResources{}
	}
	spec.Linux.Resources.Devices = d.filterRules(spec.Linux.Resources.Devices, kept)
	return nil
}

func hasDevicePath(devs []specs.LinuxDevice, p string) bool {
	for _, d := range devs {
		if d.Path == p {
			return true
		}
	}
	return false
}

func isAll(p *int64) bool { return p == nil || *p == -1 }

func int64p(v int64) *int64 { return &v }

// grantsAccess reports whether an access string includes read or write
// (an empty one means all of rwm).
func grantsAccess(access string) bool {
	return access == "" || strings.ContainsAny(access, "rw")
}

// hasAllowAll reports whether rules allow every device: docker's and ctr's
// mark of --privileged.
func hasAllowAll(rules []specs.LinuxDeviceCgroup) bool {
	for _, r := range rules {
		if r.Allow && (r.Type == "" || r.Type == "a") && isAll(r.Major) && isAll(r.Minor) && grantsAccess(r.Access) {
			return true
		}
	}
	return false
}

func isDenyAll(r specs.LinuxDeviceCgroup) bool {
	return !r.Allow && (r.Type == "" || r.Type == "a") && isAll(r.Major) && isAll(r.Minor) && (r.Access == "" || r.Access == "rwm")
}

func denyAll() specs.LinuxDeviceCgroup { return specs.LinuxDeviceCgroup{Allow: false, Access: "rwm"} }

func allowNode(n Node, access string) specs.LinuxDeviceCgroup {
	r := specs.LinuxDeviceCgroup{Allow: true, Type: n.Type, Major: int64p(n.Major), Access: access}
	if n.Minor != -1 {
		r.Minor = int64p(n.Minor)
	}
	return r
}

// ptyRules are the device cgroup rules every container needs for terminals.
var ptyRules = []Node{{"c", 5, 2}, {"c", ptsFirstMajor, -1}, {"c", 5, 0}, {"c", 5, 1}}

// privilegedRules is the device cgroup of a --privileged container: deny
// all, mknod of anything, then read/write of exactly what is exposed.
func privilegedRules(exposed []specs.LinuxDevice) []specs.LinuxDeviceCgroup {
	rules := []specs.LinuxDeviceCgroup{
		denyAll(),
		{Allow: true, Type: "c", Access: "m"},
		{Allow: true, Type: "b", Access: "m"},
	}
	seen := map[Node]bool{}
	add := func(n Node) {
		if seen[n] || (n.Type != "c" && n.Type != "b") {
			return // fifos are not governed by the device cgroup
		}
		seen[n] = true
		rules = append(rules, allowNode(n, "rwm"))
	}
	for _, dev := range exposed {
		add(deviceNode(dev))
	}
	for _, n := range ptyRules {
		add(n)
	}
	return rules
}

func ruleString(r specs.LinuxDeviceCgroup) string {
	num := func(p *int64) string {
		if isAll(p) {
			return "*"
		}
		return fmt.Sprint(*p)
	}
	t := r.Type
	if t == "" {
		t = "a"
	}
	verb := "deny"
	if r.Allow {
		verb = "allow"
	}
	return fmt.Sprintf("device cgroup rule %s %s %s:%s %s", verb, t, num(r.Major), num(r.Minor), r.Access)
}

// filterRules keeps a non-privileged spec's device cgroup within the exposed
// devices: it starts with deny-all, and rules that would allow reading or
// writing anything else are dropped. Deny rules and mknod-only rules stay.
func (d Devices) filterRules(rules []specs.LinuxDeviceCgroup, kept []specs.LinuxDevice) []specs.LinuxDeviceCgroup {
	exposed := map[Node]bool{}
	for _, n := range pseudoDevices {
		exposed[n.node] = true
	}
	for _, dev := range kept {
		exposed[deviceNode(dev)] = true
	}
	out := make([]specs.LinuxDeviceCgroup, 0, len(rules)+1)
	if len(rules) == 0 || !isDenyAll(rules[0]) {
		out = append(out, denyAll())
	}
	for _, r := range rules {
		if r.Allow && grantsAccess(r.Access) && !ruleWithin(r, exposed) {
			drop(d.sink, audit.RuleDevices, ruleString(r), "it allows devices that are not in the container")
			continue
		}
		out = append(out, r)
	}
	return out
}

func ruleWithin(r specs.LinuxDeviceCgroup, exposed map[Node]bool) bool {
	if r.Type != "c" && r.Type != "b" || isAll(r.Major) {
		return false
	}
	if isAll(r.Minor) {
		return r.Type == "c" && *r.Major >= ptsFirstMajor && *r.Major <= ptsLastMajor
	}
	return exposed[Node{r.Type, *r.Major, *r.Minor}]
}

// droppedDevices groups the devices dropped from a privileged spec by
// reason: one audit line per reason and container, not one per device
// (--privileged asks for every host device; each start would flood the log).
type droppedDevices struct {
	reasons []string
	asked   map[string][]string
}

func (g *droppedDevices) add(why, asked string) {
	if g.asked == nil {
		g.asked = map[string][]string{}
	}
	if _, seen := g.asked[why]; !seen {
		g.reasons = append(g.reasons, why)
	}
	g.asked[why] = append(g.asked[why], asked)
}

func (g *droppedDevices) record(sink audit.Sink) {
	for _, why := range g.reasons {
		asked := g.asked[why]
		if len(asked) == 1 {
			drop(sink, audit.RuleDevices, asked[0], why)
			continue
		}
		drop(sink, audit.RuleDevices, fmt.Sprintf("%d devices: %s", len(asked), strings.Join(asked, ", ")), why)
	}
}
