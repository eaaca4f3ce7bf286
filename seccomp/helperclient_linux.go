package seccomp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/internal/nsenter"
)

// HelperCommand is the subcommand of sysbox-lite that runs RunHelper.
const HelperCommand = "mount-helper"

// ExecHelper runs a Request in a new helper process that enters the
// caller's namespaces (never its pid namespace), root and cwd.
func ExecHelper(ctx context.Context, req Request) (Response, error) {
	return ExecHelperWith(ctx, req, nil, nil)
}

// firstEmulatedFD is where a helper's inherited emulated files start: fd 3
// is the host's /proc, opened by package nsenter's constructor (which
// takes the lowest free fd, so fd 3 is left closed for it).
const firstEmulatedFD = 4

// ExecHelperWith is ExecHelper for a mount that gets emulated files:
// files (detached copies, see EmulatedFile; paths[i] is the path of
// files[i]) are inherited by the helper and named in req.Emulated.
func ExecHelperWith(ctx context.Context, req Request, paths []string, files []*os.File) (Response, error) {
	if len(paths) != len(files) {
		return Response{}, errors.New("mount helper: paths and files differ in number")
	}
	req.Emulated = nil
	extra := []*os.File{nil} // fd 3: closed, for nsenter
	for i, f := range files {
		req.Emulated = append(req.Emulated, EmulatedFile{Path: paths[i], FD: firstEmulatedFD + i})
		extra = append(extra, f)
	}
	in, err := json.Marshal(req)
	if err != nil {
		return Response{}, fmt.Errorf("encode helper request: %w", err)
	}
	var env []string
	if req.Call.NewProcfs() {
		env = append(env, nsenter.ProcfsEnv(firstEmulatedFD+len(files)))
	}
	cmd, err := nsenter.Command(ctx, req.Call.Pid, []string{HelperCommand}, env...)
	if err != nil {
		return Response{}, err
	}
	cmd.ExtraFiles = extra
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
