package shim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/containerd/containerd/api/types"
	"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/manager"
	"github.com/containerd/containerd/v2/pkg/protobuf/proto"
	cshim "github.com/containerd/containerd/v2/pkg/shim"
	"google.golang.org/protobuf/types/known/anypb"
)

// Manager is the runc shim's manager under our name; Info (how containerd
// learns the runtime's features) reports sysbox-lite's features unless the
// options name another binary. Start and Stop are the runc shim's: Start
// re-executes this binary as the shim server, Stop (`shim delete`, after a
// shim died) uses the binary Create recorded in the bundle.
type Manager struct {
	cshim.Shim
	find func() (string, error)
}

// NewManager returns the shim manager of io.containerd.sysbox-lite.v2.
func NewManager() *Manager {
	return &Manager{
		Shim: manager.NewShimManager(RuntimeName),
		find: func() (string, error) {
			self, _ := os.Executable()
			return FindBinary(self)
		},
	}
}

// Info answers for sysbox-lite: the runtime options read from optionsR get
// the binary filled in before the runc shim's Info runs it (`features`).
func (m *Manager) Info(ctx context.Context, optionsR io.Reader) (*types.RuntimeInfo, error) {
	data, err := io.ReadAll(optionsR)
	if err != nil {
		return nil, fmt.Errorf("read runtime options: %w", err)
	}
	var in *anypb.Any
	if len(data) > 0 {
		in = &anypb.Any{}
		if err := proto.Unmarshal(data, in); err != nil {
			return nil, fmt.Errorf("decode runtime options: %w", err)
		}
	}
	binary, findErr := m.find()
	out, err := withBinary(in, binary)
	if errors.Is(err, errNoBinary) {
		return nil, fmt.Errorf("%s: %w", RuntimeName, findErr)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", RuntimeName, err)
	}
	data, err = proto.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode runtime options: %w", err)
	}
	return m.Shim.Info(ctx, bytes.NewReader(data))
}
