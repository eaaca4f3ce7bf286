package runtime

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// Joining the namespaces of another sysbox-lite container
// (--network=container:X, --pid=container:X, --ipc=container:X, the
// namespaces of a pod's sandbox).
//
// A namespace belongs to the user namespace it was created in, and only
// that user namespace's root has power over it. So for every namespace a
// spec joins by path, create opens the file once, asks the kernel for its
// owning user namespace (ioctl NS_GET_USERNS) and compares that (device and
// inode) with:
//   - the host's user namespaces: refused (confine.Namespaces says why);
//   - the user namespace of each live sysbox-lite container, found through
//     the container's init process: create records its PID and start time
//     (the engine's --pid-file, else `engine state`) once the engine has
//     created it, so a reused PID is never taken for it;
//   - anything else: refused.
//
// When the owner is a sysbox-lite container's user namespace, the new
// container joins that user namespace too and shares that container's range
// (userns.FileAllocator.Share: no new allocation, and the range stays
// reserved until the last container of the group is gone). Its root is
// assembled with that range.
//
// The files that were checked are the ones the engine gets: each is
// bind-mounted ("pinned") under the container's state directory, and the
// spec points there, so a PID that dies and is reused between the check and
// the engine's setns cannot redirect the container into another namespace.
// Delete unmounts the pins with the rest of the state directory.
//
// A Kubernetes pod's network namespace (made on the host by the CRI for
// CNI) is the one namespace of the host's user namespace that may be
// joined: confine.OwnedByHostPod says when and why; podnet_linux.go checks
// it, podnet_engine_linux.go runs the engine inside it and
// podsysfs_linux.go gives such a container its sysfs.

// nsRef is one namespace a spec joins by path.
type nsRef struct {
	typ  specs.LinuxNamespaceType
	path string
}

// joinedNS is what create found out about one nsRef.
type joinedNS struct {
	confine.JoinedNamespace
	err  error
	file *os.File // the namespace file as checked (nil on error)
}

// peer is a live sysbox-lite container whose user namespace a new container
// joins.
type peer struct {
	key    string
	c      Container
	userns *os.File // its init's user namespace, checked
}

// candidate is a container of the store whose init runs in a given user
// namespace.
type candidate struct {
	key string
	c   Container
}

// joins is what create found out about the namespaces a spec joins.
type joins struct {
	found map[nsRef]*joinedNS
	// peers are the live sysbox-lite containers in the user namespace that
	// the joined namespaces belong to (first that of the first such
	// namespace), best first: sharing the range with any of them will do.
	peers []candidate
	// peer is the first of peers whose init checked out.
	peer *peer
}

// Close closes every file the joins hold.
func (j *joins) Close() {
	for _, jn := range j.found {
		if jn.file != nil {
			jn.file.Close()
		}
	}
	if j.peer != nil {
		j.peer.userns.Close()
	}
}

// classify answers confine.Namespaces for the namespaces resolveJoins saw.
func (j *joins) classify(nsType, path string) (confine.JoinedNamespace, error) {
	jn, ok := j.found[nsRef{specs.LinuxNamespaceType(nsType), path}]
	switch {
	case !ok:
		return confine.JoinedNamespace{}, errors.New("it was not examined")
	case jn.err != nil:
		return confine.JoinedNamespace{}, jn.err
	}
	return jn.JoinedNamespace, nil
}

// nsDir is where a container's pinned namespace files live.
func nsDir(stateDir string) string { return filepath.Join(stateDir, "ns") }

// userPath is the path the spec gets for the joined user namespace, or ""
// when the container joins none.
func (j *joins) userPath(stateDir string) string {
	if !j.joinsUser() {
		return ""
	}
	return filepath.Join(nsDir(stateDir), "user")
}

// joinsUser tells whether the container joins its peer's user namespace.
func (j *joins) joinsUser() bool {
	return j.peer != nil
}

// resolveJoins opens and identifies every namespace that spec joins by
// path. An unreadable namespace is no error here: confine.Namespaces
// refuses it with the reason. self is the new container's key.
func (rt *Runtime) resolveJoins(spec *specs.Spec, self string) (j *joins, err error) {
	j = &joins{found: map[nsRef]*joinedNS{}}
	if spec.Linux == nil {
		return j, nil
	}
	defer func() {
		if err != nil {
			j.Close()
		}
	}()
	var hostIDs []userns.NamespaceID
	var live map[userns.NamespaceID][]candidate
	var group userns.NamespaceID
	var hostNets []*joinedNS
	for _, ns := range spec.Linux.Namespaces {
		ref := nsRef{ns.Type, ns.Path}
		if ns.Path == "" || j.found[ref] != nil {
			continue
		}
		jn := &joinedNS{}
		j.found[ref] = jn
		f, err := userns.OpenNamespaceFile(ns.Type, ns.Path)
		if err != nil {
			jn.err = err
			continue
		}
		jn.file = f
		id, err := owningUserNamespace(ns.Type, f)
		if err != nil {
			jn.err = err
			continue
		}
		if hostIDs == nil {
			if hostIDs, err = userns.HostUserNamespaces(); err != nil {
				return nil, fmt.Errorf("identify the host's user namespace: %w", err)
			}
		}
		if slices.Contains(hostIDs, id) {
			jn.Owner = confine.OwnedByHost
			if ns.Type == specs.NetworkNamespace {
				hostNets = append(hostNets, jn) // a pod's? decided below
			}
			continue
		}
		if live == nil {
			live = rt.liveUserNamespaces(self)
		}
		cands := live[id]
		if len(cands) == 0 {
			jn.Owner = confine.OwnedByOther
			continue
		}
		jn.JoinedNamespace = confine.JoinedNamespace{Owner: confine.OwnedByContainer, Container: cands[0].c.ID, UserNS: id.String()}
		if j.peers == nil {
			group, j.peers = id, cands
		}
		if id != group {
			continue // confine.Namespaces refuses the mix
		}
		if j.peer == nil {
			if j.peer, err = checkPeer(cands, id); err != nil {
				jn.err = err
			}
		}
	}
	// A network namespace of the host's user namespace may be a pod's
	// (confine.OwnedByHostPod), once the group the container joins is known.
	for _, jn := range hostNets {
		var g *userns.NamespaceID
		if j.peers != nil {
			g = &group
		}
		ok, why, err := podNetwork(jn.file, g)
		switch {
		case err != nil:
			jn.err = fmt.Errorf("tell whether it is a pod's network namespace: %w", err)
		case ok:
			jn.Owner = confine.OwnedByHostPod
		default:
			jn.NotPod = why
		}
	}
	return j, nil
}

// owningUserNamespace identifies the user namespace that owns the namespace
// open as f; for a user namespace, the namespace itself.
func owningUserNamespace(t specs.LinuxNamespaceType, f *os.File) (userns.NamespaceID, error) {
	if t == specs.UserNamespace {
		return userns.NamespaceIDOf(f)
	}
	owner, err := userns.OwningUserNamespace(f)
	if err != nil {
		return userns.NamespaceID{}, err
	}
	defer owner.Close()
	return userns.NamespaceIDOf(owner)
}

// liveUserNamespaces maps the user namespace of every other live
// sysbox-lite container (one whose engine state exists and whose recorded
// init still runs) to those containers, best first for sharing: the one
// that allocated the range, then the oldest.
func (rt *Runtime) liveUserNamespaces(self string) map[userns.NamespaceID][]candidate {
	store := rt.Store()
	keys, err := store.Keys()
	if err != nil {
		rt.Log.WithError(err).Warn("list containers to identify a joined namespace")
		return nil
	}
	out := map[userns.NamespaceID][]candidate{}
	for _, key := range keys {
		if key == self {
			continue
		}
		c, ok, err := store.Load(key)
		if err != nil || !ok || c.InitPID <= 0 || !engineHas(c.EngineRoot, c.ID) {
			continue
		}
		id, err := userns.NamespaceIDAt(fmt.Sprintf("/proc/%d/ns/user", c.InitPID))
		if err != nil {
			continue // its init is gone
		}
		if start, err := userns.ProcessStartTime(c.InitPID); err != nil || start != c.InitStart {
			continue // the PID is someone else's now
		}
		out[id] = append(out[id], candidate{key: key, c: c})
	}
	for _, cands := range out {
		slices.SortFunc(cands, func(a, b candidate) int {
			if (a.c.SharesWith == "") != (b.c.SharesWith == "") {
				if a.c.SharesWith == "" {
					return -1
				}
				return 1
			}
			return cmp.Compare(a.c.Created.UnixNano(), b.c.Created.UnixNano())
		})
	}
	return out
}

// checkPeer opens the user namespace of the first candidate whose init
// checks out: still the recorded process after the open, in user namespace
// id, with uid_map and gid_map exactly the recorded range.
func checkPeer(cands []candidate, id userns.NamespaceID) (*peer, error) {
	var errs []error
	for _, cand := range cands {
		p, err := openPeer(cand, id)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func openPeer(cand candidate, id userns.NamespaceID) (*peer, error) {
	pid := cand.c.InitPID
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", pid))
	if err != nil {
		return nil, fmt.Errorf("container %s: open the user namespace of its init: %w", cand.c.ID, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	got, err := userns.NamespaceIDOf(f)
	if err != nil {
		return nil, err
	}
	// The start time is read after the open: if it is still the recorded
	// one, the namespace opened is that process's.
	start, err := userns.ProcessStartTime(pid)
	if err != nil || start != cand.c.InitStart || got != id {
		return nil, fmt.Errorf("container %s: its init process (pid %d) is gone", cand.c.ID, pid)
	}
	r, mapped, err := userns.ProcessRange(pid)
	if err != nil {
		return nil, fmt.Errorf("container %s: read the id maps of its init: %w", cand.c.ID, err)
	}
	if !mapped || r != cand.c.Range {
		return nil, fmt.Errorf("container %s: its user namespace does not map its recorded range %+v", cand.c.ID, cand.c.Range)
	}
	ok = true
	return &peer{key: cand.key, c: cand.c, userns: f}, nil
}

// pin bind-mounts every namespace file the container joins (as checked)
// under stateDir/ns and points the spec at those files. It runs after the
// modifier chain, which has refused whatever may not be joined and set the
// user namespace's path to userPath.
func (j *joins) pin(stateDir string, spec *specs.Spec) error {
	if len(j.found) == 0 {
		return nil
	}
	dir := nsDir(stateDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if j.joinsUser() {
		if err := bindNamespace(j.peer.userns, j.userPath(stateDir)); err != nil {
			return err
		}
	}
	kept := spec.Linux.Namespaces[:0]
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path == "" || ns.Type == specs.UserNamespace {
			kept = append(kept, ns)
			continue
		}
		jn := j.found[nsRef{ns.Type, ns.Path}]
		if jn == nil || jn.file == nil || (jn.Owner != confine.OwnedByContainer && jn.Owner != confine.OwnedByHostPod) {
			return fmt.Errorf("the %s namespace at %s was not checked", ns.Type, ns.Path)
		}
		if jn.Owner == confine.OwnedByHostPod {
			// The engine runs inside it instead of joining it: see
			// podnet_engine_linux.go.
			if err := bindNamespace(jn.file, podNetworkPath(stateDir)); err != nil {
				return err
			}
			continue
		}
		target := filepath.Join(dir, strings.ReplaceAll(string(ns.Type), "/", "_"))
		if err := bindNamespace(jn.file, target); err != nil {
			return err
		}
		ns.Path = target
		kept = append(kept, ns)
	}
	spec.Linux.Namespaces = kept
	return nil
}

// bindNamespace bind-mounts the namespace open as f onto a new file at target.
func bindNamespace(f *os.File, target string) error {
	t, err := os.OpenFile(target, os.O_CREATE|os.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o400)
	if err != nil {
		return fmt.Errorf("create %s: %w", target, err)
	}
	t.Close()
	src := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	if err := unix.Mount(src, target, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("pin namespace %s at %s: %w", f.Name(), target, err)
	}
	return nil
}

// shareRange gives key the range of the joined container's group: shared
// in the pool when that container's range is the pool's, taken as it is
// when it came from its spec. spec is the range the new container's own
// spec carries (fromSpec), which must then be the same.
func (rt *Runtime) shareRange(j *joins, key string, owner userns.Owner, spec userns.Range, fromSpec bool) (r userns.Range, allocated bool, err error) {
	p := j.peer
	if fromSpec && spec != p.c.Range {
		return r, false, fmt.Errorf("the spec's id mappings (uid %d, gid %d, %d ids) are not those of container %s, whose user namespace it joins (uid %d, gid %d, %d ids)",
			spec.UID, spec.GID, spec.Size, p.c.ID, p.c.Range.UID, p.c.Range.GID, p.c.Range.Size)
	}
	if fromSpec || !p.c.Allocated {
		return p.c.Range, false, nil
	}
	alloc, err := rt.Allocator()
	if err != nil {
		return r, false, err
	}
	// Any container of the group will do: the first that still holds its
	// entry (one may be going away right now).
	cands := append([]candidate{{key: p.key, c: p.c}}, j.peers...)
	var errs []error
	for _, cand := range cands {
		if !cand.c.Allocated || cand.c.Range != p.c.Range {
			continue
		}
		r, err = alloc.Share(key, cand.key, owner)
		if err == nil {
			if r != p.c.Range {
				_ = alloc.Release(key)
				return r, false, fmt.Errorf("container %s holds range %+v in the pool, not %+v", cand.c.ID, r, p.c.Range)
			}
			return r, true, nil
		}
		if !errors.Is(err, userns.ErrNotHeld) {
			return r, false, err
		}
		errs = append(errs, err)
	}
	return r, false, fmt.Errorf("container %s is going away: %w", p.c.ID, errors.Join(errs...))
}

// recordInit records the PID and start time of a container's init once
// the engine has created it, so that containers created later can tell its
// user namespace (see resolveJoins). The PID comes from the caller's
// --pid-file, else from the engine's state. Failing is not fatal: the
// container works, but nobody can join its namespaces.
func (rt *Runtime) recordInit(key, id string, args CommandArgs) {
	log := rt.Log.WithField("id", id)
	pid, err := rt.initPID(id, args.Value("pid-file"))
	if err != nil {
		log.WithError(err).Warn("cannot record the container's init: other containers cannot join its namespaces")
		return
	}
	start, err := userns.ProcessStartTime(pid)
	if err != nil {
		log.WithError(err).Warn("cannot record the container's init: other containers cannot join its namespaces")
		return
	}
	store := rt.Store()
	c, ok, err := store.Load(key)
	if err != nil || !ok {
		log.WithError(err).Warn("cannot record the container's init: no state")
		return
	}
	c.InitPID, c.InitStart = pid, start
	if err := store.Save(key, c); err != nil {
		log.WithError(err).Warn("cannot record the container's init")
	}
}

func (rt *Runtime) initPID(id, pidFile string) (int, error) {
	if pidFile != "" {
		data, err := os.ReadFile(pidFile)
		if err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
				return pid, nil
			}
		}
	}
	out, err := rt.Engine.Output(append(append([]string(nil), rt.Argv.Global...), "state", id)...)
	if err != nil {
		return 0, err
	}
	var st struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal(out, &st); err != nil {
		return 0, fmt.Errorf("parse the engine's state of %s: %w", id, err)
	}
	if st.Pid <= 0 {
		return 0, fmt.Errorf("the engine's state of %s has no init pid", id)
	}
	return st.Pid, nil
}
