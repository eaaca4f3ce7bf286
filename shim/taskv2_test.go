package shim

import (
	"testing"

	taskv2 "github.com/containerd/containerd/api/runtime/task/v2"
	taskAPI "github.com/containerd/containerd/api/runtime/task/v3"
	"github.com/containerd/containerd/api/types"
	"github.com/containerd/containerd/api/types/runc/options"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Task API v2 and v3 messages are the same field for field: a v2 request
// relayed to v3 and a v3 response relayed back keep every field.
func TestConvertKeepsEveryField(t *testing.T) {
	create := &taskv2.CreateTaskRequest{
		ID: "c", Bundle: "/b", Terminal: true, Stdin: "/i", Stdout: "/o", Stderr: "/e",
		Checkpoint: "/cp", ParentCheckpoint: "/pcp",
		Rootfs:  []*types.Mount{{Type: "overlay", Source: "overlay", Options: []string{"lowerdir=/l"}, Target: "/t"}},
		Options: marshal(t, &options.Options{BinaryName: "/sbl", Root: "/r"}),
	}
	var v3 taskAPI.CreateTaskRequest
	require.NoError(t, convert(create, &v3))
	back := &taskv2.CreateTaskRequest{}
	require.NoError(t, convert(&v3, back))
	assert.True(t, proto.Equal(create, back), "round trip of %v", create)
	assert.Equal(t, "/b", v3.GetBundle())
	assert.Equal(t, "/sbl", decode(t, v3.GetOptions()).GetBinaryName())

	state := &taskAPI.StateResponse{ID: "c", Bundle: "/b", Pid: 42, Status: 2, ExitStatus: 7, ExecID: "e", ExitedAt: timestamppb.Now()}
	var v2 taskv2.StateResponse
	require.NoError(t, convert(state, &v2))
	assert.Equal(t, uint32(42), v2.GetPid())
	assert.Equal(t, uint32(7), v2.GetExitStatus())
	assert.True(t, proto.Equal(state.GetExitedAt(), v2.GetExitedAt()))
}
