package runtime

import (
	"net"
	"time"
)

// releaseConsoleSocket connects to the caller's --console-socket and hangs
// up, when create fails before the engine ran: the caller (containerd's
// shim, runc's recvtty) waits there for the terminal's fd, and the engine,
// which would send it or close the socket on its own failure, never ran.
// The hang-up tells it that none is coming. Best effort.
func releaseConsoleSocket(path string) {
	if path == "" {
		return
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
	}
}
