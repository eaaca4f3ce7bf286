package shim

import (
	"context"
	"errors"
	"fmt"
	"os"

	taskv2 "github.com/containerd/containerd/api/runtime/task/v2"
	taskAPI "github.com/containerd/containerd/api/runtime/task/v3"
	"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/task"
	cshim "github.com/containerd/containerd/v2/pkg/shim"
	"github.com/containerd/containerd/v2/pkg/shutdown"
	"github.com/containerd/containerd/v2/plugins"
	"github.com/containerd/log"
	"github.com/containerd/plugin"
	"github.com/containerd/plugin/registry"
	"github.com/containerd/ttrpc"
)

// taskService is the runc shim's task service; Create gets the runtime
// options with sysbox-lite as the binary unless the caller named one.
type taskService struct {
	taskAPI.TTRPCTaskService
	binary string // "" when none was found: Create then fails clearly
	self   string
}

// Create fills in the runtime binary, then creates the task as the runc
// shim does (which records the binary in the bundle for exec, delete and
// the cleanup of a dead shim).
func (s *taskService) Create(ctx context.Context, r *taskAPI.CreateTaskRequest) (*taskAPI.CreateTaskResponse, error) {
	opts, err := withBinary(r.Options, s.binary)
	if err != nil {
		if errors.Is(err, errNoBinary) {
			return nil, fmt.Errorf("%s: %s was not found next to %s nor in PATH, and the runtime options name no BinaryName", RuntimeName, BinaryName, s.self)
		}
		return nil, fmt.Errorf("%s: %w", RuntimeName, err)
	}
	r.Options = opts
	return s.TTRPCTaskService.Create(ctx, r)
}

// RegisterTTRPC serves this wrapper (not the inner service) as the task
// API: v3 for containerd 2.x, v2 for containerd 1.6 and 1.7.
func (s *taskService) RegisterTTRPC(server *ttrpc.Server) error {
	taskAPI.RegisterTTRPCTaskService(server, s)
	taskv2.RegisterTTRPCTaskService(server, &taskV2{v3: s})
	return nil
}

// RegisterTaskPlugin registers the task service in the shim's plugin
// registry, in place of the runc shim's own (whose package is not
// imported). Call it once, before RunShim.
func RegisterTaskPlugin() {
	registry.Register(&plugin.Registration{
		Type: plugins.TTRPCPlugin,
		ID:   "task",
		Requires: []plugin.Type{
			plugins.EventPlugin,
			plugins.InternalPlugin,
		},
		InitFn: func(ic *plugin.InitContext) (any, error) {
			pp, err := ic.GetByID(plugins.EventPlugin, "publisher")
			if err != nil {
				return nil, err
			}
			ss, err := ic.GetByID(plugins.InternalPlugin, "shutdown")
			if err != nil {
				return nil, err
			}
			inner, err := task.NewTaskService(ic.Context, pp.(cshim.Publisher), ss.(shutdown.Service))
			if err != nil {
				return nil, err
			}
			self, _ := os.Executable()
			binary, err := FindBinary(self)
			if err != nil {
				log.G(ic.Context).WithError(err).Warn("sysbox-lite not found: tasks without a BinaryName option will fail")
			}
			return &taskService{TTRPCTaskService: inner, binary: binary, self: self}, nil
		},
	})
}
