// Command containerd-shim-sysbox-lite-v2 is the containerd shim of runtime
// io.containerd.sysbox-lite.v2: the runc shim with sysbox-lite as its runtime
// binary. containerd (1.6 to 2.4) starts it; it is not run by hand.
//
// sysbox-lite is the file next to this binary, else the first in PATH; a
// BinaryName in the runtime options wins. sysbox-lite reads its host
// configuration from /etc/sysbox-lite/config.toml, or from the file that
// SYSBOX_LITE_CONFIG names in containerd's environment (the shim and
// sysbox-lite inherit it).
package main

import (
	"context"

	sblshim "github.com/sysbox-lite/sysbox-lite/shim"
)

func main() {
	sblshim.Run(context.Background())
}
