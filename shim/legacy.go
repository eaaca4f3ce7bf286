package shim

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bootapi "github.com/containerd/containerd/api/runtime/bootstrap/v1"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	cshim "github.com/containerd/containerd/v2/pkg/shim"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// containerd starts a shim with `-namespace NS -id ID -address ADDR
// [-debug] ... start`. containerd >= 2.3 writes bootstrap parameters to
// its stdin and reads a bootstrap result from its stdout; containerd 1.6,
// 1.7 and 2.0-2.2 write the runtime options (if any) to stdin and read the
// shim's socket address as text. containerd's shim package since 2.3
// answers only the former ("shim was started through the deprecated API");
// legacyStart answers the latter, and the server then serves task API v2
// as well (taskV2), so one binary works with containerd 1.6 to 2.4.

// startFlags are the command-line values `start` needs.
type startFlags struct {
	namespace, id, address, publishBinary string
	debug                                 bool
	action                                string
}

// maxStdin bounds what start reads from containerd (as the shim package
// does).
const maxStdin = 10 << 20

// parseStartFlags parses containerd's shim command line (every flag the
// shim package knows, so none is an error here).
func parseStartFlags(args []string) (startFlags, error) {
	var f startFlags
	fs := flag.NewFlagSet("shim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var ignoredBool bool
	var ignored string
	fs.BoolVar(&f.debug, "debug", false, "")
	fs.BoolVar(&ignoredBool, "v", false, "")
	fs.BoolVar(&ignoredBool, "version", false, "")
	fs.BoolVar(&ignoredBool, "info", false, "")
	fs.StringVar(&f.namespace, "namespace", "", "")
	fs.StringVar(&f.id, "id", "", "")
	fs.StringVar(&ignored, "socket", "", "")
	fs.StringVar(&ignored, "debug-socket", "", "")
	fs.StringVar(&ignored, "bundle", "", "")
	fs.StringVar(&f.address, "address", "", "")
	fs.StringVar(&f.publishBinary, "publish-binary", "", "")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	f.action = fs.Arg(0)
	return f, nil
}

// isBootstrap reports whether stdin holds containerd >= 2.3's bootstrap
// parameters for this shim (the check of the shim package: runtime
// options can decode as parameters too, so the identity must match).
func isBootstrap(stdin []byte, f startFlags) bool {
	if len(stdin) == 0 {
		return false
	}
	var p bootapi.BootstrapParams
	if err := proto.Unmarshal(stdin, &p); err != nil {
		return false
	}
	return p.InstanceID == f.id && p.Namespace == f.namespace
}

// legacyParams turns an old containerd's start (flags, TTRPC_ADDRESS, the
// runtime options on stdin) into bootstrap parameters.
func legacyParams(f startFlags, ttrpcAddress string, stdin []byte) (*bootapi.BootstrapParams, error) {
	if f.namespace == "" || f.id == "" || f.address == "" {
		return nil, errors.New("start needs -namespace, -id and -address")
	}
	p := &bootapi.BootstrapParams{
		InstanceID:             f.id,
		Namespace:              f.namespace,
		ContainerdGrpcAddress:  f.address,
		ContainerdTtrpcAddress: ttrpcAddress,
		ContainerdBinary:       f.publishBinary,
		LogLevel:               bootapi.LogLevel_LOG_LEVEL_INFO,
	}
	if f.debug {
		p.LogLevel = bootapi.LogLevel_LOG_LEVEL_DEBUG
	}
	if len(stdin) > 0 {
		opts := &anypb.Any{}
		if err := proto.Unmarshal(stdin, opts); err != nil {
			return nil, fmt.Errorf("decode the runtime options on stdin: %w", err)
		}
		if opts.GetTypeUrl() != "" {
			if err := p.AddExtension(opts); err != nil {
				return nil, fmt.Errorf("runtime options: %w", err)
			}
		}
	}
	return p, nil
}

// legacyStart starts the shim server as the shim package would, for an old
// containerd: it prints the socket address (text) and records it in the
// bundle's "address" file, where containerd 1.x looks for it after a
// restart.
func legacyStart(ctx context.Context, m cshim.Shim, f startFlags, stdin []byte, stdout io.Writer) error {
	params, err := legacyParams(f, os.Getenv("TTRPC_ADDRESS"), stdin)
	if err != nil {
		return err
	}
	ctx = namespaces.WithNamespace(ctx, f.namespace)
	res, err := m.Start(ctx, params)
	if err != nil {
		return err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := writeAddress(filepath.Join(cwd, "address"), res.GetAddress()); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, res.GetAddress())
	return err
}

// writeAddress writes the address file atomically.
func writeAddress(path, address string) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(address), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Run is the shim's main: an old containerd's `start` is answered by
// legacyStart; everything else (a new containerd's start, the server,
// delete, -info, -v) by containerd's shim package. A new containerd's
// bootstrap parameters, read here to tell the two apart, are handed on
// through a pipe as stdin.
func Run(ctx context.Context) {
	RegisterTaskPlugin()
	m := NewManager()
	f, err := parseStartFlags(os.Args[1:])
	if err == nil && f.action == "start" {
		stdin, err := io.ReadAll(io.LimitReader(os.Stdin, maxStdin))
		if err != nil {
			fail(fmt.Errorf("read stdin: %w", err))
		}
		if !isBootstrap(stdin, f) {
			if err := legacyStart(ctx, m, f, stdin, os.Stdout); err != nil {
				fail(err)
			}
			return
		}
		if err := replaceStdin(stdin); err != nil {
			fail(err)
		}
	}
	cshim.RunShim(ctx, m)
}

// replaceStdin makes os.Stdin a pipe that yields data, then EOF.
func replaceStdin(data []byte) error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("stdin pipe: %w", err)
	}
	go func() {
		w.Write(data) //nolint:errcheck // a reader that stops early does not care
		w.Close()
	}()
	os.Stdin = r
	return nil
}

// fail reports an error as the shim package does and exits.
func fail(err error) {
	fmt.Fprintf(os.Stderr, "%s: %s", RuntimeName, err)
	os.Exit(1)
}
