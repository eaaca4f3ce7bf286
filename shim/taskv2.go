package shim

import (
	"context"
	"fmt"

	taskv2 "github.com/containerd/containerd/api/runtime/task/v2"
	taskAPI "github.com/containerd/containerd/api/runtime/task/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// taskV2 serves task API v2 (containerd.task.v2.Task), which containerd
// before 2.0 calls, with the v3 service. The two APIs have the same
// messages field for field (only the package differs), so every request
// and response is relayed through its wire form.
type taskV2 struct {
	v3 taskAPI.TTRPCTaskService
}

var _ taskv2.TTRPCTaskService = (*taskV2)(nil)

// convert copies a message into one of the other API version through the
// wire format.
func convert(from, to proto.Message) error {
	data, err := proto.Marshal(from)
	if err != nil {
		return fmt.Errorf("encode %T: %w", from, err)
	}
	if err := proto.Unmarshal(data, to); err != nil {
		return fmt.Errorf("decode %T: %w", to, err)
	}
	return nil
}

// relay converts the v2 request into req, calls the v3 method and converts
// its response into out.
func relay[R3, S3, O proto.Message](ctx context.Context, in proto.Message, req R3, call func(context.Context, R3) (S3, error), out O) (O, error) {
	var zero O
	if err := convert(in, req); err != nil {
		return zero, err
	}
	resp, err := call(ctx, req)
	if err != nil {
		return zero, err
	}
	if err := convert(resp, out); err != nil {
		return zero, err
	}
	return out, nil
}

func (t *taskV2) State(ctx context.Context, r *taskv2.StateRequest) (*taskv2.StateResponse, error) {
	return relay(ctx, r, &taskAPI.StateRequest{}, t.v3.State, &taskv2.StateResponse{})
}

func (t *taskV2) Create(ctx context.Context, r *taskv2.CreateTaskRequest) (*taskv2.CreateTaskResponse, error) {
	return relay(ctx, r, &taskAPI.CreateTaskRequest{}, t.v3.Create, &taskv2.CreateTaskResponse{})
}

func (t *taskV2) Start(ctx context.Context, r *taskv2.StartRequest) (*taskv2.StartResponse, error) {
	return relay(ctx, r, &taskAPI.StartRequest{}, t.v3.Start, &taskv2.StartResponse{})
}

func (t *taskV2) Delete(ctx context.Context, r *taskv2.DeleteRequest) (*taskv2.DeleteResponse, error) {
	return relay(ctx, r, &taskAPI.DeleteRequest{}, t.v3.Delete, &taskv2.DeleteResponse{})
}

func (t *taskV2) Pids(ctx context.Context, r *taskv2.PidsRequest) (*taskv2.PidsResponse, error) {
	return relay(ctx, r, &taskAPI.PidsRequest{}, t.v3.Pids, &taskv2.PidsResponse{})
}

func (t *taskV2) Pause(ctx context.Context, r *taskv2.PauseRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.PauseRequest{}, t.v3.Pause, &emptypb.Empty{})
}

func (t *taskV2) Resume(ctx context.Context, r *taskv2.ResumeRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.ResumeRequest{}, t.v3.Resume, &emptypb.Empty{})
}

func (t *taskV2) Checkpoint(ctx context.Context, r *taskv2.CheckpointTaskRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.CheckpointTaskRequest{}, t.v3.Checkpoint, &emptypb.Empty{})
}

func (t *taskV2) Kill(ctx context.Context, r *taskv2.KillRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.KillRequest{}, t.v3.Kill, &emptypb.Empty{})
}

func (t *taskV2) Exec(ctx context.Context, r *taskv2.ExecProcessRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.ExecProcessRequest{}, t.v3.Exec, &emptypb.Empty{})
}

func (t *taskV2) ResizePty(ctx context.Context, r *taskv2.ResizePtyRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.ResizePtyRequest{}, t.v3.ResizePty, &emptypb.Empty{})
}

func (t *taskV2) CloseIO(ctx context.Context, r *taskv2.CloseIORequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.CloseIORequest{}, t.v3.CloseIO, &emptypb.Empty{})
}

func (t *taskV2) Update(ctx context.Context, r *taskv2.UpdateTaskRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.UpdateTaskRequest{}, t.v3.Update, &emptypb.Empty{})
}

func (t *taskV2) Wait(ctx context.Context, r *taskv2.WaitRequest) (*taskv2.WaitResponse, error) {
	return relay(ctx, r, &taskAPI.WaitRequest{}, t.v3.Wait, &taskv2.WaitResponse{})
}

func (t *taskV2) Stats(ctx context.Context, r *taskv2.StatsRequest) (*taskv2.StatsResponse, error) {
	return relay(ctx, r, &taskAPI.StatsRequest{}, t.v3.Stats, &taskv2.StatsResponse{})
}

func (t *taskV2) Connect(ctx context.Context, r *taskv2.ConnectRequest) (*taskv2.ConnectResponse, error) {
	return relay(ctx, r, &taskAPI.ConnectRequest{}, t.v3.Connect, &taskv2.ConnectResponse{})
}

func (t *taskV2) Shutdown(ctx context.Context, r *taskv2.ShutdownRequest) (*emptypb.Empty, error) {
	return relay(ctx, r, &taskAPI.ShutdownRequest{}, t.v3.Shutdown, &emptypb.Empty{})
}
