package runtime

import (
	"fmt"
	"os"
)

// Delete runs the engine's delete, then undoes what create did once the
// engine no longer has the container (also after a create that crashed
// half-way: `delete --force` of an unknown id still cleans up).
func (rt *Runtime) Delete() (int, error) {
	args, err := rt.Argv.ParseCommandArgs()
	if err != nil {
		return 1, err
	}
	if len(args.Positional) != 1 {
		return 1, fmt.Errorf("delete needs exactly one container id, got %d arguments", len(args.Positional))
	}
	id := args.Positional[0]
	if err := ValidateID(id); err != nil {
		return 1, err
	}
	code, err := rt.Engine.Run(rt.Argv.EngineArgs(), 0)
	if err != nil {
		return code, err
	}
	engineRoot := rt.EngineRoot()
	if engineHas(engineRoot, id) {
		return code, nil // still there (running without --force): nothing to undo yet
	}
	store := rt.Store()
	key := Key(engineRoot, id)
	if _, err := os.Lstat(store.Path(key)); err != nil {
		return code, nil // not ours, or already cleaned up
	}
	lock, err := store.Lock(key)
	if err != nil {
		return code, err
	}
	defer lock.Unlock()
	if err := rt.cleanup(key); err != nil {
		return 1, fmt.Errorf("clean up container %s: %w", id, err)
	}
	return code, nil
}
