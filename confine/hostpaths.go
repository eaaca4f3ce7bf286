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
	whatDataRoot     = "docker's data root, where this container's own files are"
	whatExecRoot     = "docker's exec root, named by this container's network hook"
	whatPolicy       = "a path listed in [policy] sensitive_mounts"

	// whyRootSocket and hintRootSocket word the socket refusals.
	whyRootSocket  = "a unix socket owned by host root"
	hintRootSocket = "an engine or system service socket; "
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
// The sensitive paths are the lists above, sysbox-lite's own files, the
// paths of [policy] sensitive_mounts, and the engine's roots as this spec
// shows them, so that an engine at non-standard paths (dockerd --data-root,
// --exec-root) is covered without configuration:
//   - docker's data root: the prefix of docker's own binds
//     <data-root>/containers/<64 hex>/{hosts,hostname,resolv.conf} at
//     /etc/hosts, /etc/hostname, /etc/resolv.conf;
//   - docker's exec root: the -exec-root= argument of its libnetwork-setkey
//     hook.
//
// Sockets are recognised by what they are, not by name: a bind source that
// is a unix socket owned by host root (the engines', systemd's, any root
// service's; bind mounts are idmapped, so the container's root would own it
// and could connect), or a directory with such a socket directly in it
// (-v /run, -v <daemon dir>), is refused. Only the directory's own entries
// are looked at (one readdir), not the tree below it: a root socket deeper
// down (-v /srv with /srv/app/api.sock) is not seen; name such paths in
// sensitive_mounts. A socket owned by anyone else (a user's X11 or
// ssh-agent socket, mysqld's) stays allowed: binding it gives the container
// what its owner could do anyway, not host root's powers (refusing every
// socket outside the container's ID range would refuse those too, for no
// gain against the engines, whose sockets are root's).
//
// Mounts are seen through (hostpaths_mounts.go): a source that is, through
// a mount, a sensitive path (a volume a driver mounted from /etc), or a
// recursive bind with such a mount below it, is refused too.
//
// What the engines bind into every container stays allowed even under their
// state directories (the path is recognised by its shape, after resolving):
//   - docker: <data-root>/containers/<64 hex>/{hosts,hostname,resolv.conf}
//     and anything under <data-root>/containers/<64 hex>/mounts/ (shm,
//     secrets, configs); volumes <data-root>/volumes/<name>/_data and what is
//     under it (the point of a volume); docker-init, read-only at
//     /sbin/docker-init (--init), by the name it resolves to;
//   - containerd's CRI plugin: <root or state>/io.containerd.grpc.v1.cri/
//     sandboxes/<id>/{hosts,hostname,resolv.conf,shm} and
//     .../containers/<id>/volumes/...
//
// Kubelet's pod volumes (/var/lib/kubelet/pods/...) are not sensitive.
// These shapes are only recognised under a directory that is not sensitive
// itself or is one of the engines' state roots (the usual ones, and the
// data root read from the spec unless it is a built-in sensitive path), so
// /etc/x/containers/<hex>/hosts is not an exception. Under an engine root
// the socket checks are skipped too (what is there was made by the engine or
// by containers), except for a volume whose _data directory is a mount: a
// volume driver can mount any host directory there (o=bind,device=/run).
type HostPaths struct {
	builtin     []sensitivePath // the lists above and sysbox-lite's own files
	configured  []sensitivePath // [policy] sensitive_mounts
	policy      config.Policy
	sink        audit.Sink
	resolve     func(string) (string, error)
	inspect     func(string) (PathInfo, error)
	rootSockets func(string) ([]string, error)
	mounts      func() ([]Mount, error)
}

// NewHostPaths returns the modifier for a host configuration (its state
// directory, ID pool and audit log are sensitive too, its policy may allow
// paths or name more sensitive ones). resolve resolves symlinks on the host
// (ResolvePath). What a source is (a socket, its owner, the mounts it is
// on) is asked of the running system (HostInspect, HostRootSockets,
// HostMounts) unless WithHost says otherwise.
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
	var configured []sensitivePath
	for _, p := range cfg.Policy.SensitiveMounts {
		if path.IsAbs(p) {
			configured = append(configured, sensitivePath{path.Clean(p), whatPolicy})
		}
	}
	return HostPaths{builtin: s, configured: configured, policy: cfg.Policy, sink: sink, resolve: resolve,
		inspect: hostInspect, rootSockets: hostRootSockets, mounts: hostMounts}
}

// WithHost takes what host says about paths (Resolve, Inspect, RootSockets,
// Mounts) where it says anything; the nil ones stay as they are.
func (h HostPaths) WithHost(host Host) HostPaths {
	if host.Resolve != nil {
		h.resolve = host.Resolve
	}
	if host.Inspect != nil {
		h.inspect = host.Inspect
	}
	if host.RootSockets != nil {
		h.rootSockets = host.RootSockets
	}
	if host.Mounts != nil {
		h.mounts = host.Mounts
	}
	return h
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

// isRecursive reports whether a bind copies the mounts below its source.
func isRecursive(m specs.Mount) bool {
	return m.Type == "rbind" || hasOption(m, "rbind")
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
	volumeShape = regexp.MustCompile(`^((.*)/volumes/[a-zA-Z0-9][a-zA-Z0-9_.-]*/_data)(/.*)?$`)
	criShape    = regexp.MustCompile(`^(.*)/io\.containerd\.grpc\.v1\.cri/(sandboxes/[0-9a-zA-Z_.-]+/(hosts|hostname|resolv\.conf|shm)|containers/[0-9a-zA-Z_.-]+/volumes/.+)$`)

	// dataRootShape is docker's own binds, which name its data root.
	dataRootShape = regexp.MustCompile(`^(.*)/containers/` + hex64 + `/(hosts|hostname|resolv\.conf)$`)
	// dataRootDestinations are where docker mounts them.
	dataRootDestinations = map[string]bool{"/etc/hosts": true, "/etc/hostname": true, "/etc/resolv.conf": true}
)

// engineRoots are where the engines keep the per-container files above.
var engineRoots = []string{"/var/lib/docker", "/var/lib/containerd", "/run/containerd", "/var/run/containerd"}

// resolved is the state of one Modify: sensitive paths and engine roots,
// each under its own name and, where it differs, the name it resolves to on
// the host.
type resolved struct {
	sensitive []sensitivePath // built-in, then the engine's roots from the spec, then configured
	builtin   []sensitivePath // built-in only
	roots     []string
}

func (h HostPaths) resolveAll(spec *specs.Spec) resolved {
	var r resolved
	for _, s := range h.builtin {
		r.builtin = append(r.builtin, h.bothSensitive(s)...)
	}
	r.sensitive = append(r.sensitive, r.builtin...)
	for _, root := range engineRoots {
		r.roots = append(r.roots, h.both(root)...)
	}
	builtinOnly := resolved{sensitive: r.builtin}
	for _, root := range h.dataRoots(spec) {
		r.sensitive = append(r.sensitive, sensitivePath{root, whatDataRoot})
		// the engine's own files are allowed under it, unless the spec
		// names a system path as its data root (/etc/containers/<hex>/hosts)
		if _, bad := builtinOnly.find(root); !bad {
			r.roots = append(r.roots, root)
		}
	}
	for _, root := range execRoots(spec) {
		r.sensitive = append(r.sensitive, h.bothSensitive(sensitivePath{root, whatExecRoot})...)
	}
	for _, s := range h.configured {
		r.sensitive = append(r.sensitive, h.bothSensitive(s)...)
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

func (h HostPaths) bothSensitive(s sensitivePath) []sensitivePath {
	var out []sensitivePath
	for _, p := range h.both(s.path) {
		out = append(out, sensitivePath{p, s.what})
	}
	return out
}

// dataRoots are docker's data roots (resolved) as docker's own binds of
// this spec show them. "/" is never one.
func (h HostPaths) dataRoots(spec *specs.Spec) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range spec.Mounts {
		if !isBind(m) || !path.IsAbs(m.Source) || !dataRootDestinations[path.Clean(m.Destination)] {
			continue
		}
		src, err := h.resolve(m.Source)
		if err != nil {
			continue // Modify refuses it
		}
		if sm := dataRootShape.FindStringSubmatch(src); sm != nil && sm[1] != "" && !seen[sm[1]] {
			seen[sm[1]] = true
			out = append(out, sm[1])
		}
	}
	return out
}

// execRoots are the -exec-root arguments of docker's libnetwork-setkey
// hooks (any hook list): docker's exec root.
func execRoots(spec *specs.Spec) []string {
	if spec.Hooks == nil {
		return nil
	}
	var out []string
	hk := spec.Hooks
	for _, list := range [][]specs.Hook{hk.Prestart, hk.CreateRuntime, hk.CreateContainer, hk.StartContainer, hk.Poststart, hk.Poststop} {
		for _, hook := range list {
			if len(hook.Args) == 0 || path.Base(hook.Args[0]) != "libnetwork-setkey" {
				continue
			}
			for i, a := range hook.Args {
				var v string
				switch {
				case strings.HasPrefix(a, "-exec-root="), strings.HasPrefix(a, "--exec-root="):
					v = a[strings.Index(a, "=")+1:]
				case (a == "-exec-root" || a == "--exec-root") && i+1 < len(hook.Args):
					v = hook.Args[i+1]
				default:
					continue
				}
				if path.IsAbs(v) && path.Clean(v) != "/" {
					out = append(out, path.Clean(v))
				}
			}
		}
	}
	return out
}

// engineFile is what src (resolved) is among the files the engines bind
// into their containers.
type engineFile struct {
	match bool
	// trusted: under one of the engine roots (not merely a path of that
	// shape somewhere else).
	trusted bool
	// volume is the <prefix>/volumes/<name>/_data directory of a volume.
	volume string
}

func (r resolved) engineFile(src string) engineFile {
	for _, re := range []*regexp.Regexp{dockerShape, volumeShape, criShape} {
		m := re.FindStringSubmatch(src)
		if m == nil {
			continue
		}
		prefix, volume := m[1], ""
		if re == volumeShape {
			prefix, volume = m[2], m[1]
		}
		if prefix == "" {
			prefix = "/"
		}
		for _, root := range r.roots {
			if prefix == root {
				return engineFile{match: true, trusted: true, volume: volume}
			}
		}
		if _, bad := r.find(prefix); !bad {
			return engineFile{match: true, volume: volume}
		}
	}
	return engineFile{}
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
// at /sbin/docker-init. The name that counts is the resolved one: a
// symlink named tini that points at a socket or /etc/shadow is not an init.
// It is spared the name checks only (a host init lives under /usr).
func isDockerInit(m specs.Mount, src string) bool {
	if path.Clean(m.Destination) != "/sbin/docker-init" || !hasOption(m, "ro") {
		return false
	}
	switch path.Base(src) {
	case "docker-init", "tini", "tini-static", "dumb-init", "catatonit":
		return true
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
//
// For each bind, in this order (the first that applies is the reason given):
// allowed paths pass; the source is a sensitive path; it is
// a unix socket owned by host root; it is under or contains a sensitive
// path; through a mount it is, or (recursive bind) contains, a sensitive
// path (hostpaths_mounts.go); it is a directory with a unix socket owned by
// host root in it. Engine files (above) and docker's init skip the name
// checks, and engine files under an engine root the socket checks too.
func (h HostPaths) Modify(spec *specs.Spec) error {
	allowed, err := h.allowedPaths(spec)
	if err != nil {
		return err
	}
	var allowedResolved []string
	for _, a := range allowed {
		allowedResolved = append(allowedResolved, h.both(a)...)
	}
	r := h.resolveAll(spec)
	var table mountTable
	loaded := false
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
		refused := func(why, hint string) error {
			return refuse(h.sink, audit.RuleHostPaths, asked, "bind mount of %s is refused: %s (%s%s)", name, why, hint, policyHint("allowed_mounts"))
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

		eng := r.engineFile(src)
		if isDockerInit(m, src) {
			eng = engineFile{match: true}
		}
		s, named := sensitivePath{}, false
		if !eng.match {
			s, named = r.find(src)
		}
		if named && src == s.path {
			return refused("it is "+s.what, "")
		}

		checkSockets, err := h.needsSocketCheck(eng)
		if err != nil {
			return refuse(h.sink, audit.RuleHostPaths, asked, "bind mount of %s is refused: cannot inspect %s on the host: %v", name, eng.volume, err)
		}
		var info PathInfo
		if checkSockets {
			if info, err = h.inspect(src); err != nil {
				return refuse(h.sink, audit.RuleHostPaths, asked, "bind mount of %s is refused: cannot inspect it on the host: %v", name, err)
			}
			if info.Socket && info.UID == 0 {
				return refused("it is "+whyRootSocket, hintRootSocket)
			}
		}

		if named {
			if within(src, s.path) {
				return refused(fmt.Sprintf("it is inside %s, %s", s.path, s.what), "")
			}
			return refused(fmt.Sprintf("it contains %s, %s", s.path, s.what), "")
		}

		if !loaded {
			t, err := h.mounts()
			if err != nil {
				return refuse(h.sink, audit.RuleHostPaths, asked, "bind mount of %s is refused: cannot read the host's mount table: %v", name, err)
			}
			table, loaded = t, true
		}
		if why := r.throughMounts(table, src, isRecursive(m), allowedResolved); why != "" {
			return refused(why, "")
		}

		if checkSockets && info.Dir {
			socks, err := h.rootSockets(src)
			if err != nil {
				return refuse(h.sink, audit.RuleHostPaths, asked, "bind mount of %s is refused: cannot list it on the host: %v", name, err)
			}
			if len(socks) > 0 {
				return refused(fmt.Sprintf("it contains %s, %s", socks[0], whyRootSocket), hintRootSocket)
			}
		}
	}
	return nil
}

// needsSocketCheck: every source but the engine's own files under its
// roots, and of those a volume whose _data is a mount (which a volume
// driver can make a bind of any host directory) is checked too.
func (h HostPaths) needsSocketCheck(eng engineFile) (bool, error) {
	if !eng.trusted {
		return true, nil
	}
	if eng.volume == "" {
		return false, nil
	}
	info, err := h.inspect(eng.volume)
	if err != nil {
		return true, err
	}
	return info.MountRoot, nil
}
