package confine

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
)

// sensitivePath is a host path no container may bind-mount: the path, what
// is under it, or a directory that contains it.
type sensitivePath struct {
	path string
	what string // completes "it is ..."
}

const (
	whatEngineSocket = "the container engine's socket"
	whatEngineState  = "the container engine's state"
	whatOwnState     = "sysbox-lite's own state"
	whatOwnConfig    = "sysbox-lite's configuration"
	whatAuditLog     = "sysbox-lite's audit log"
	whatSystem       = "a host system directory"
	whatLogs         = "the host's logs"
)

// engineSensitive are the container engines' sockets and state, under both
// spellings of /run (the host resolves /var/run to /run, tests may not).
var engineSensitive = []sensitivePath{
	{"/run/docker.sock", whatEngineSocket},
	{"/var/run/docker.sock", whatEngineSocket},
	{"/run/containerd/containerd.sock", whatEngineSocket},
	{"/run/crio/crio.sock", whatEngineSocket},
	{"/run/podman/podman.sock", whatEngineSocket},
	{"/run/docker", whatEngineState},
	{"/var/run/docker", whatEngineState},
	{"/run/containerd", whatEngineState},
	{"/var/run/containerd", whatEngineState},
	{"/run/crio", whatEngineState},
	{"/run/podman", whatEngineState},
	{"/run/runc", whatEngineState},
	{"/var/lib/docker", whatEngineState},
	{"/var/lib/containerd", whatEngineState},
	{"/var/lib/containers", whatEngineState},
	{"/etc/sysbox-lite", whatOwnConfig},
}

// systemSensitive are host directories whose contents the host's root
// trusts. Bind mounts are idmapped, so the container's root would own (and
// could rewrite) their root-owned files: /usr/bin, /etc/shadow, a crontab.
var systemSensitive = []sensitivePath{
	{"/bin", whatSystem},
	{"/boot", whatSystem},
	{"/dev", whatSystem},
	{"/etc", whatSystem},
	{"/lib", whatSystem},
	{"/lib32", whatSystem},
	{"/lib64", whatSystem},
	{"/libx32", whatSystem},
	{"/proc", whatSystem},
	{"/root", whatSystem},
	{"/sbin", whatSystem},
	{"/sys", whatSystem},
	{"/usr", whatSystem}, // also /usr/lib/modules
	{"/run/systemd", whatSystem},
	{"/run/dbus", whatSystem},
	{"/var/spool", whatSystem},
	{"/var/log", whatLogs},
}

// HostPaths refuses bind mounts whose source, after resolving symlinks on the
// host, is a sensitive path, is under one, or contains one (binding /var
// would bring /var/lib/docker along), unless the policy allows it:
// allowed_mounts for every container, [[policy.image_mounts]] for containers
// of one image. A container's io.sysbox-lite.allowed-mounts annotation can
// narrow that down.
//
// What the engines bind into every container stays allowed even under their
// state directories (the path is recognised by its shape, after resolving):
//   - docker: <data-root>/containers/<64 hex>/{hosts,hostname,resolv.conf}
//     and anything under <data-root>/containers/<64 hex>/mounts/ (shm,
//     secrets, configs); volumes <data-root>/volumes/<name>/_data and what is
//     under it (the point of a volume); docker-init, read-only at
//     /sbin/docker-init (--init);
//   - containerd's CRI plugin: <root or state>/io.containerd.grpc.v1.cri/
//     sandboxes/<id>/{hosts,hostname,resolv.conf,shm} and
//     .../containers/<id>/volumes/...
//
// Kubelet's pod volumes (/var/lib/kubelet/pods/...) are not sensitive.
// These shapes are only recognised under a directory that is not sensitive
// itself or is one of the engines' state roots, so /etc/x/containers/<hex>/hosts
// is not an exception.
type HostPaths struct {
	sensitive []sensitivePath
	policy    config.Policy
	sink      audit.Sink
	resolve   func(string) (string, error)
}

// NewHostPaths returns the modifier for a host configuration (its state
// directory, ID pool and audit log are sensitive too, and its policy may
// allow paths). resolve resolves symlinks on the host (ResolvePath).
func NewHostPaths(cfg config.Config, sink audit.Sink, resolve func(string) (string, error)) HostPaths {
	s := append([]sensitivePath{}, engineSensitive...)
	for _, p := range []string{cfg.StateDir, cfg.IDPool.File, cfg.IDPool.File + ".lock", cfg.IDPool.SubUIDFile, cfg.IDPool.SubGIDFile} {
		if path.IsAbs(p) {
			s = append(s, sensitivePath{path.Clean(p), whatOwnState})
		}
	}
	if path.IsAbs(cfg.Policy.AuditLog) {
		s = append(s, sensitivePath{path.Clean(cfg.Policy.AuditLog), whatAuditLog})
	}
	s = append(s, systemSensitive...)
	return HostPaths{sensitive: s, policy: cfg.Policy, sink: sink, resolve: resolve}
}

// Name implements runtime.SpecModifier.
func (HostPaths) Name() string { return "host paths" }

// within reports whether p is dir or under it.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

func isBind(m specs.Mount) bool {
	if m.Type == "bind" || m.Type == "rbind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}

func hasOption(m specs.Mount, opt string) bool {
	for _, o := range m.Options {
		if o == opt {
			return true
		}
	}
	return false
}

var (
	hex64       = `[0-9a-f]{64}`
	dockerShape = regexp.MustCompile(`^(.*)/containers/` + hex64 + `/(hosts|hostname|resolv\.conf|mounts/.+)$`)
	volumeShape = regexp.MustCompile(`^(.*)/volumes/[a-zA-Z0-9][a-zA-Z0-9_.-]*/_data(/.*)?$`)
	criShape    = regexp.MustCompile(`^(.*)/io\.containerd\.grpc\.v1\.cri/(sandboxes/[0-9a-zA-Z_.-]+/(hosts|hostname|resolv\.conf|shm)|containers/[0-9a-zA-Z_.-]+/volumes/.+)$`)
)

// engineRoots are where the engines keep the per-container files above.
var engineRoots = []string{"/var/lib/docker", "/var/lib/containerd", "/run/containerd", "/var/run/containerd"}

// resolved is the state of one Modify: sensitive paths, engine roots and
// allowed paths, each under its own name and, where it differs, the name it
// resolves to on the host.
type resolved struct {
	sensitive []sensitivePath
	roots     []string
}

func (h HostPaths) resolveAll() resolved {
	var r resolved
	for _, s := range h.sensitive {
		r.sensitive = append(r.sensitive, s)
		if p, err := h.resolve(s.path); err == nil && p != s.path {
			r.sensitive = append(r.sensitive, sensitivePath{p, s.what})
		}
	}
	for _, root := range engineRoots {
		r.roots = append(r.roots, h.both(root)...)
	}
	return r
}

// both is p and, if different, what it resolves to.
func (h HostPaths) both(p string) []string {
	out := []string{p}
	if r, err := h.resolve(p); err == nil && r != p {
		out = append(out, r)
	}
	return out
}

// engineFile reports whether src (resolved) is one of the files the engines
// bind into their containers.
func (r resolved) engineFile(src string) bool {
	for _, re := range []*regexp.Regexp{dockerShape, volumeShape, criShape} {
		m := re.FindStringSubmatch(src)
		if m == nil {
			continue
		}
		prefix := m[1]
		if prefix == "" {
			prefix = "/"
		}
		for _, root := range r.roots {
			if prefix == root {
				return true
			}
		}
		if _, bad := r.find(prefix); !bad {
			return true
		}
	}
	return false
}

// find returns the sensitive path src is, is under, or contains, in that
// order of preference (under: the deepest), so the error names the closest.
func (r resolved) find(src string) (sensitivePath, bool) {
	best, rank := sensitivePath{}, 3
	for _, s := range r.sensitive {
		switch {
		case src == s.path:
			return s, true
		case within(src, s.path) && (rank > 1 || len(s.path) > len(best.path)):
			best, rank = s, 1
		case within(s.path, src) && rank > 2:
			best, rank = s, 2
		}
	}
	return best, rank < 3
}

// isDockerInit recognises docker's --init bind: its init binary, read-only
// at /sbin/docker-init.
func isDockerInit(m specs.Mount, src string) bool {
	if path.Clean(m.Destination) != "/sbin/docker-init" || !hasOption(m, "ro") {
		return false
	}
	for _, p := range []string{m.Source, src} {
		switch path.Base(p) {
		case "docker-init", "tini", "tini-static":
			return true
		}
	}
	return false
}

// allowedPaths is what the policy allows this container to bind despite
// being sensitive.
func (h HostPaths) allowedPaths(spec *specs.Spec) ([]string, error) {
	var host []string
	host = append(host, h.policy.AllowedMounts...)
	images := imageNames(spec)
	for _, im := range h.policy.ImageMounts {
		if imageMatches(im.Image, images) {
			host = append(host, im.Paths...)
		}
	}
	asked, ok, err := pathList(spec, AnnotationAllowedMounts)
	if err != nil {
		return nil, refuse(h.sink, audit.RuleHostPaths, "annotation "+AnnotationAllowedMounts, "%s", err)
	}
	if !ok {
		return host, nil
	}
	for _, p := range asked {
		covered := false
		for _, a := range host {
			if within(p, a) {
				covered = true
				break
			}
		}
		if !covered {
			return nil, refuse(h.sink, audit.RuleHostPaths, "bind mounts of "+p+" (annotation "+AnnotationAllowedMounts+")",
				"bind mounts of %s are refused: the annotation %s asks for them, but the host policy does not allow them (%s)",
				p, AnnotationAllowedMounts, policyHint("allowed_mounts"))
		}
	}
	return asked, nil
}

// Modify implements runtime.SpecModifier.
func (h HostPaths) Modify(spec *specs.Spec) error {
	allowed, err := h.allowedPaths(spec)
	if err != nil {
		return err
	}
	var allowedResolved []string
	for _, a := range allowed {
		allowedResolved = append(allowedResolved, h.both(a)...)
	}
	r := h.resolveAll()
	for _, m := range spec.Mounts {
		if !isBind(m) || !path.IsAbs(m.Source) {
			continue // non-absolute bind sources are refused by the mount plan
		}
		asked := "bind mount of " + m.Source
		src, err := h.resolve(m.Source)
		if err != nil {
			return refuse(h.sink, audit.RuleHostPaths, asked, "bind mount of %s is refused: cannot resolve it on the host: %v", m.Source, err)
		}
		name := m.Source
		if src != m.Source {
			name = fmt.Sprintf("%s (which is %s)", m.Source, src)
			asked += " (" + src + ")"
		}
		if isDockerInit(m, src) || r.engineFile(src) {
			continue
		}
		ok := false
		for _, a := range allowedResolved {
			if within(src, a) {
				ok = true
				break
			}
		}
		if ok {
			continue
		}
		s, bad := r.find(src)
		if !bad {
			continue
		}
		var why string
		switch {
		case src == s.path:
			why = "it is " + s.what
		case within(src, s.path):
			why = fmt.Sprintf("it is inside %s, %s", s.path, s.what)
		default:
			why = fmt.Sprintf("it contains %s, %s", s.path, s.what)
		}
		return refuse(h.sink, audit.RuleHostPaths, asked, "bind mount of %s is refused: %s (%s)", name, why, policyHint("allowed_mounts"))
	}
	return nil
}
