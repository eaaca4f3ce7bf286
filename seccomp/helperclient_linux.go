package seccomp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/internal/nsenter"
)

// HelperCommand is the subcommand of sysbox-lite that runs RunHelper.
const HelperCommand = "mount-helper"

// ExecHelper runs a Request in a new helper process that enters the
// caller's namespaces (never its pid namespace), root and cwd.
func ExecHelper(ctx context.Context, req Request) (Response, error) {
	in, err := json.Marshal(req)
	if err != nil {
		return Response{}, fmt.Errorf("encode helper request: %w", err)
	}
	cmd, err := nsenter.Command(ctx, req.Call.Pid, []string{HelperCommand})
	if err != nil {
		return Response{}, err
	}
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, &errOut
	if err := cmd.Run(); err != nil {
		return Response{}, fmt.Errorf("mount helper: %w: %s", err, strings.TrimSpace(errOut.String()))
	}
	var res Response
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return Response{}, fmt.Errorf("decode helper response: %w (stderr: %s)", err, strings.TrimSpace(errOut.String()))
	}
	return res, nil
}
