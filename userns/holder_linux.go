package userns

import (
	"io"
	"os"
)

// holderEnv marks a process started by OpenNamespace to hold a user
// namespace: it must do nothing but wait for its stdin to close.
const holderEnv = "_SYSBOX_LITE_USERNS_HOLDER"

// Every binary that links this package (sysbox-lite, its tests) can serve as
// the holder, so OpenNamespace needs no separate helper binary and no
// ptrace. Nothing else runs in the holder: it exits before main.
func init() {
	if os.Getenv(holderEnv) != "1" {
		return
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}
