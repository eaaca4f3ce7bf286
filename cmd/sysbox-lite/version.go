package main

import (
	"fmt"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"
)

func printVersion(*cli.Context) {
	fmt.Printf("sysbox-lite version %s\nspec: %s\n", version, specs.Version)
	rt, err := loadRuntime()
	if err != nil {
		fmt.Fprintf(os.Stdout, "engine: unavailable (%v)\n", err)
		return
	}
	out, err := rt.Engine.Output("--version")
	if err != nil {
		fmt.Printf("engine: %s (version unavailable: %v)\n", rt.Engine.Path, err)
		return
	}
	// The engine's own lines come last and as they are ("runc version
	// ...", "commit: ...", "spec: ..."): tools that parse the runtime's
	// version (docker info, containerd) read the engine's.
	fmt.Printf("engine: %s\n", rt.Engine.Path)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fmt.Println(strings.TrimSpace(line))
	}
}
