package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/internal/osthread"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// The engine runs inside a pod's network namespace.
//
// A container in a pod's network namespace (confine.OwnedByHostPod) cannot
// have the engine join that namespace by path: runc joins the user
// namespace first, and from inside a container's user namespace nobody may
// enter a namespace owned by the host's user namespace (setns needs
// CAP_SYS_ADMIN over the namespace's owner: EPERM). The sandbox's own
// create would work (runc enters path namespaces as the host's root before
// it makes a new user namespace), but no app container joining the
// sandbox's user namespace, and no `exec` into any of them, would.
//
// So sysbox-lite takes the network namespace out of the spec (after the
// checks, see joins.pin, which pins it as ns/pod-network in the container's
// state directory) and starts the engine itself inside it, for create/run
// and for every exec: the container's processes then inherit it, exactly
// as if the engine had joined it, and every other namespace is joined as
// before (the user namespace first). This fails closed: the pin's presence
// is what makes sysbox-lite enter the namespace, an exec into a container
// whose engine config has no network namespace but whose pin is gone is
// refused, and a failed setns fails the command: a container process never
// lands in the caller's (the host's) network namespace.

// podNetworkPin is the pinned pod network namespace under a container's
// ns/ directory.
const podNetworkPin = "pod-network"

func podNetworkPath(stateDir string) string { return filepath.Join(nsDir(stateDir), podNetworkPin) }

// openPodNetwork opens the pinned pod network namespace of the container
// whose state directory is stateDir; nil when it has none.
func openPodNetwork(stateDir string) (*os.File, error) {
	f, err := userns.OpenNamespaceFile(specs.NetworkNamespace, podNetworkPath(stateDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the container's pod network namespace: %w", err)
	}
	return f, nil
}

// startIn starts cmd, inside the network namespace open as netns when it
// is not nil: from a locked OS thread that joined it (a child inherits the
// namespaces of the thread that forks it). That thread is never given back
// to the Go scheduler.
func startIn(netns *os.File, cmd *exec.Cmd) error {
	if netns == nil {
		return cmd.Start()
	}
	return osthread.Run("", func() error {
		if err := unix.Setns(int(netns.Fd()), unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("join the pod's network namespace: %w", err)
		}
		return cmd.Start()
	})
}

// engineHasNetwork tells whether the engine's state of container id (runc's
// state.json under engineRoot) lists a network namespace.
func engineHasNetwork(engineRoot, id string) (bool, error) {
	data, err := os.ReadFile(filepath.Join(engineRoot, id, "state.json"))
	if err != nil {
		return false, err
	}
	var st struct {
		Config struct {
			Namespaces []struct {
				Type string `json:"type"`
			} `json:"namespaces"`
		} `json:"config"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return false, fmt.Errorf("parse the engine's state of %s: %w", id, err)
	}
	for _, ns := range st.Config.Namespaces {
		if ns.Type == "NEWNET" {
			return true, nil
		}
	}
	return false, nil
}

// Exec handles `exec`: pass-through to the engine, which is entered into
// the container's pod network namespace first when it has one (see above).
func (rt *Runtime) Exec() error {
	args, err := rt.Argv.ParseCommandArgs()
	if err != nil || len(args.Positional) == 0 {
		return rt.Engine.Exec(rt.Argv.EngineArgs()) // the engine says what is wrong
	}
	id := args.Positional[0]
	if ValidateID(id) != nil {
		return rt.Engine.Exec(rt.Argv.EngineArgs())
	}
	engineRoot := rt.EngineRoot()
	if err := rt.revive(Key(engineRoot, id)); err != nil {
		// the engine's own error follows if the listener is not served
		rt.Log.WithError(err).Warn("restart the container's supervisor")
	}
	netns, err := openPodNetwork(rt.Store().Path(Key(engineRoot, id)))
	if err != nil {
		return err
	}
	if netns == nil {
		if has, err := engineHasNetwork(engineRoot, id); err == nil && !has {
			return fmt.Errorf("exec into %s is refused: the container has no network namespace of its own and sysbox-lite has lost the pod network namespace it runs in", id)
		}
		return rt.Engine.Exec(rt.Argv.EngineArgs())
	}
	// The process image is replaced by the engine's: it keeps the network
	// namespace of this thread, which is never unlocked.
	goruntime.LockOSThread()
	if err := unix.Setns(int(netns.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("exec into %s: join its pod network namespace: %w", id, err)
	}
	netns.Close()
	return rt.Engine.Exec(rt.Argv.EngineArgs())
}
