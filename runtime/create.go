package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/fsemu"
	"github.com/sysbox-lite/sysbox-lite/rootfs"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// Create handles `create` and `run`: prepare the bundle, then hand the
// caller's command line to the engine. It returns the exit code to use.
func (rt *Runtime) Create() (code int, err error) {
	start := time.Now()
	args, err := rt.Argv.ParseCommandArgs()
	if err != nil {
		return 1, err
	}
	engineRan := false
	defer func() {
		if err != nil && !engineRan {
			releaseConsoleSocket(args.Value("console-socket"))
		}
	}()
	if len(args.Positional) != 1 {
		return 1, fmt.Errorf("%s needs exactly one container id, got %d arguments", rt.Argv.Command, len(args.Positional))
	}
	id := args.Positional[0]
	if err := ValidateID(id); err != nil {
		return 1, err
	}
	bundle := args.Value("bundle", "b")
	if bundle == "" {
		bundle = "."
	}
	if bundle, err = filepath.Abs(bundle); err != nil {
		return 1, fmt.Errorf("bundle path: %w", err)
	}
	extraFDs := 0
	if v := args.Value("preserve-fds"); v != "" {
		if extraFDs, err = strconv.Atoi(v); err != nil || extraFDs < 0 {
			return 1, fmt.Errorf("invalid --preserve-fds %q", v)
		}
	}
	if n, err := strconv.Atoi(os.Getenv("LISTEN_FDS")); err == nil && n > extraFDs {
		extraFDs = n
	}
	engineRoot := rt.EngineRoot()
	if engineHas(engineRoot, id) {
		return 1, fmt.Errorf("container with id %s already exists", id)
	}
	store := rt.Store()
	if err := store.Init(); err != nil {
		return 1, err
	}
	if cleaned, err := rt.GC(); err != nil {
		rt.Log.WithError(err).Warn("gc of stale containers")
	} else if len(cleaned) > 0 {
		rt.Log.WithField("containers", cleaned).Info("cleaned up after stale containers")
	}
	key := Key(engineRoot, id)
	lock, err := store.Lock(key)
	if err != nil {
		return 1, err
	}
	defer lock.Unlock()
	err = rt.prepare(key, id, bundle, engineRoot)
	if err != nil {
		if cerr := rt.cleanup(key); cerr != nil {
			rt.Log.WithError(cerr).Warn("clean up after a failed create")
		}
		return 1, err
	}
	rt.Log.WithField("elapsed", time.Since(start)).Debug("bundle prepared, running the engine")
	netns, err := openPodNetwork(store.Path(key))
	if err != nil {
		if cerr := rt.cleanup(key); cerr != nil {
			rt.Log.WithError(cerr).Warn("clean up after a failed create")
		}
		return 1, err
	}
	if netns != nil {
		defer netns.Close()
	}
	cwd, err := os.Getwd()
	if err != nil {
		if cerr := rt.cleanup(key); cerr != nil {
			rt.Log.WithError(cerr).Warn("clean up after a failed create")
		}
		return 1, fmt.Errorf("working directory: %w", err)
	}
	// The engine gets the private bundle (the state directory: config.json
	// and rootfs/, the assembled root): the caller's is never written to.
	engineRan = true
	code, err = rt.Engine.RunIn(netns, rt.Argv.WithBundle(store.Path(key), cwd).EngineArgs(), extraFDs)
	detached := rt.Argv.Command == "create" || args.Bool("detach", "d")
	if err == nil && code == 0 && detached {
		faultPoint("engine-created")
		rt.recordInit(key, id, args)
		return 0, nil
	}
	if detached && (err != nil || code != 0) {
		rt.reportHooksStderr(store.Path(key))
	}
	// The engine failed, or `run` has finished (and deleted the container):
	// leave nothing behind.
	if engineHas(engineRoot, id) {
		return code, err // the engine kept the container; delete cleans up
	}
	if cerr := rt.cleanup(key); cerr != nil {
		rt.Log.WithError(cerr).Warn("clean up after the engine")
	}
	return code, err
}

// prepare writes the engine's private bundle (the spec rewritten, the root
// assembled) in the container's state directory.
func (rt *Runtime) prepare(key, id, bundle, engineRoot string) error {
	spec, _, err := LoadSpec(bundle)
	if err != nil {
		return err
	}
	absoluteBindSources(spec, bundle)
	sink := audit.ForContainer(audit.File{Path: rt.Config.Policy.AuditLog, OnError: func(err error) {
		rt.Log.WithError(err).Warn("audit log") // best effort: see package audit
	}}, id, nil)
	if err := checkRoot(spec, bundle, sink); err != nil {
		return err
	}
	c := Container{ID: id, EngineRoot: engineRoot, Bundle: bundle, Created: time.Now().UTC()}
	store := rt.Store()
	joins, err := rt.resolveJoins(spec, key)
	if err != nil {
		return err
	}
	defer joins.Close()
	r, fromSpec, err := userns.RangeFromSpec(spec)
	if err != nil {
		return err
	}
	owner := userns.Owner{EngineRoot: engineRoot, ID: id}
	switch {
	case joins.peer != nil:
		// It joins the namespaces of another sysbox-lite container: its
		// user namespace and range too.
		if r, c.Allocated, err = rt.shareRange(joins, key, owner, r, fromSpec); err != nil {
			return fmt.Errorf("share the id range of container %s: %w", joins.peer.c.ID, err)
		}
		c.SharesWith = joins.peer.key
	case fromSpec:
		if err := rt.refuseOverlap(r); err != nil {
			return err
		}
	case !fromSpec:
		alloc, err := rt.Allocator()
		if err != nil {
			return err
		}
		if r, err = alloc.Allocate(key, owner); err != nil {
			return fmt.Errorf("allocate id range: %w", err)
		}
		c.Allocated = true
	}
	c.Range = r
	if err := store.Save(key, c); err != nil {
		return err
	}
	faultPoint("allocated")
	host := confine.RealHost()
	host.JoinedNamespace = joins.classify
	emu, err := emulation(store.Path(key))
	if err != nil {
		return err
	}
	chain := DefaultChain(r, rt.Config, sink, host, store.ListenerPath(key), emu, userns.JoinNamespace(joins.userPath(store.Path(key))))
	if err := chain.Modify(spec); err != nil {
		var refusal *confine.Refusal
		if errors.As(err, &refusal) {
			return refusal // complete as it is: the caller shows it to the user
		}
		return err
	}
	if err := joins.pin(store.Path(key), spec); err != nil {
		return err
	}
	shares, err := confine.NewSharedDirs(rt.Config, sink, host).Decide(spec)
	if err != nil {
		var refusal *confine.Refusal
		if errors.As(err, &refusal) {
			return refusal
		}
		return err
	}
	plan, err := rootfs.NewPlan(spec.Mounts)
	if err != nil {
		return err
	}
	if err := applyShares(plan, shares, spec, r); err != nil {
		return err
	}
	dataDirs, skipped := rootfs.DataDirPaths(rt.Config.DataDirs.Paths, spec.Mounts)
	if len(skipped) > 0 {
		rt.Log.WithField("paths", skipped).Debug("data directories skipped: the spec mounts something there")
	}
	asm := rootfs.Assembler{Dir: store.Path(key), Range: r, Log: rt.Log, DataDirs: dataDirs}
	c.Assembly, err = asm.Assemble(spec, bundle, plan)
	if err != nil {
		return fmt.Errorf("assemble rootfs: %w", err)
	}
	if err := store.Save(key, c); err != nil {
		return err
	}
	faultPoint("assembled")
	if err := rootfs.NewModifier(c.Assembly.Root, plan, c.Assembly.Devices).Modify(spec); err != nil {
		return err
	}
	if err := mountPodSysfs(spec, c.Assembly.Root, joins.podNetwork()); err != nil {
		return err
	}
	if err := applyPodSysctls(spec, joins.podNetwork(), r, joins.peer == nil); err != nil {
		return err
	}
	if c.Supervisor, err = rt.startSupervisor(store.Path(key), rt.supervisorConfig(id, store.ListenerPath(key), spec, emu, r)); err != nil {
		return err
	}
	if err := store.Save(key, c); err != nil {
		return err
	}
	faultPoint("supervised")
	rt.captureHooksStderr(spec, store.Path(key))
	if err := FlushSpec(store.Path(key), spec); err != nil {
		return err
	}
	faultPoint("flushed")
	rt.Log.WithFields(map[string]any{"id": id, "uid": r.UID, "gid": r.GID, "size": r.Size, "sharesWith": c.SharesWith}).Debug("container prepared")
	return nil
}

// fuseDirName is where, in a container's state directory, its supervisor
// mounts the emulated /proc and /sys files.
const fuseDirName = "fuse"

// emulation is the fsemu modifier of the container whose state is dir.
func emulation(dir string) (fsemu.Modifier, error) {
	self, err := os.Executable()
	if err != nil {
		return fsemu.Modifier{}, fmt.Errorf("find own binary: %w", err)
	}
	return fsemu.Modifier{
		FuseDir: filepath.Join(dir, fuseDirName),
		Rootfs:  filepath.Join(dir, rootfs.RootDir),
		Self:    self,
		Files:   fsemu.AvailableFiles(fsemu.RealHost),
	}, nil
}

// checkRoot refuses a root.path that would hand the container a host system
// directory (see confine.CheckRoot), after resolving it as the engine will.
func checkRoot(spec *specs.Spec, bundle string, sink audit.Sink) error {
	root := spec.Root.Path
	if !filepath.IsAbs(root) {
		root = filepath.Join(bundle, root)
	}
	resolved, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fmt.Errorf("resolve root.path: %w", err)
	}
	return confine.CheckRoot(resolved, sink)
}

// refuseOverlap keeps pool ranges exclusive against mappings a spec brings
// itself (dockerd's userns-remap): those may not reach into a range the pool
// has given a live container.
func (rt *Runtime) refuseOverlap(r userns.Range) error {
	var entries []userns.Entry
	if alloc, err := rt.Allocator(); err == nil { // else no pool configured: nothing allocated to overlap
		if entries, err = alloc.List(); err != nil {
			return fmt.Errorf("read id ranges: %w", err)
		}
	}
	for _, e := range entries {
		if e.Range.Overlaps(r) {
			return fmt.Errorf("the spec's id mappings (uid %d, gid %d, %d ids) overlap the range of container %s: ranges are exclusive", r.UID, r.GID, r.Size, e.Owner.ID)
		}
	}
	if id, ok := rt.liveOverlap(r); ok {
		return fmt.Errorf("the spec's id mappings (uid %d, gid %d, %d ids) overlap the range of container %s: ranges are exclusive", r.UID, r.GID, r.Size, id)
	}
	return nil
}
