package runtime

import (
	"os"
	"syscall"
)

// faultEnv names the fault-injection point at which sysbox-lite kills
// itself. TEST-ONLY: it exists so that the integration tests can stage a
// crash at each step of create (see integration/faults_test.go). It is not
// configuration; nothing in production sets it.
const faultEnv = "SYSBOX_LITE_FAULT"

// faultPoint kills this process with SIGKILL (no cleanup, no deferred
// calls: a crash) when $SYSBOX_LITE_FAULT equals name; otherwise it does
// nothing. Test-only, see faultEnv.
func faultPoint(name string) {
	if v := os.Getenv(faultEnv); v != "" && v == name {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is delivered asynchronously: never go on
	}
}
