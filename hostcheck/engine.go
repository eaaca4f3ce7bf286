package hostcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/runtime-spec/specs-go/features"

	"github.com/sysbox-lite/sysbox-lite/runtime"
)

// EngineFacts is what the engine probe saw.
type EngineFacts struct {
	// Name is the config's engine, Path where it was found.
	Name, Path string
	FindErr    error
	// Version is `ENGINE --version`'s output.
	Version    string
	VersionErr error
	// Features is `ENGINE features`'s output.
	Features    []byte
	FeaturesErr error
}

// engineTimeout bounds one engine command.
const engineTimeout = 10 * time.Second

// ProbeEngine finds the engine as create does (runtime.FindEngine) and runs
// its --version and features.
func ProbeEngine(name string) EngineFacts {
	f := EngineFacts{Name: name}
	e, err := runtime.FindEngine(name)
	if err != nil {
		f.FindErr = err
		return f
	}
	f.Path = e.Path
	var out []byte
	out, f.VersionErr = engineOutput(e, "--version")
	f.Version = strings.TrimSpace(string(out))
	if f.VersionErr == nil {
		f.Features, f.FeaturesErr = engineOutput(e, "features")
	}
	return f
}

func engineOutput(e runtime.Engine, arg string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), engineTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.Path, arg)
	cmd.Args[0] = e.Name()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return out, fmt.Errorf("%s %s did not finish within %s", e.Name(), arg, engineTimeout)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return out, fmt.Errorf("%s %s: %w: %s", e.Name(), arg, err, msg)
		}
		return out, fmt.Errorf("%s %s: %w", e.Name(), arg, err)
	}
	return out, nil
}

// Engine decides: the engine must be found and run; if it reports
// features, they must include user namespaces and SCMP_ACT_NOTIFY (the
// engine hands the container's seccomp listener fd to the supervisor).
func Engine(f EngineFacts, configPath string) Result {
	const name = "engine"
	if f.FindErr != nil {
		// FindEngine's own hint ("install runc or set engine ...") is in the fix.
		msg, _, _ := strings.Cut(f.FindErr.Error(), ": install runc")
		return missing(name, msg,
			fmt.Sprintf("apt-get install runc (or crun), or set engine in %s to the engine's path", configPath))
	}
	if f.VersionErr != nil {
		return missing(name, fmt.Sprintf("%s does not run: %v", f.Path, f.VersionErr),
			fmt.Sprintf("reinstall the engine, or set engine in %s to one that runs", configPath))
	}
	found := f.Path + ": " + versionLine(f.Version)
	if f.FeaturesErr != nil {
		return warn(name, found+"; no `features` command: "+firstLine(f.FeaturesErr.Error()),
			"cannot confirm seccomp notify support: use runc 1.1 or later, or crun")
	}
	var doc features.Features
	if err := json.Unmarshal(f.Features, &doc); err != nil {
		return warn(name, found+"; its features do not decode: "+err.Error(), "cannot confirm seccomp notify support: use runc 1.1 or later, or crun")
	}
	summary, lack := featureSummary(doc)
	found += "; features: " + summary
	if len(lack) > 0 {
		return missing(name, found+"; lacks "+strings.Join(lack, ", "),
			"use an engine with user namespaces and seccomp notify (runc 1.1 or later, or crun)")
	}
	return ok(name, found)
}

// featureSummary sums up a features document, with what sysbox-lite needs
// that it says is not there.
func featureSummary(f features.Features) (string, []string) {
	var parts, lack []string
	if f.OCIVersionMin != "" || f.OCIVersionMax != "" {
		parts = append(parts, fmt.Sprintf("OCI %s to %s", f.OCIVersionMin, f.OCIVersionMax))
	}
	if l := f.Linux; l != nil {
		if l.Namespaces != nil {
			if slices.Contains(l.Namespaces, "user") {
				parts = append(parts, "user namespaces")
			} else {
				lack = append(lack, "user namespaces")
			}
		}
		if s := l.Seccomp; s != nil {
			switch {
			case s.Enabled != nil && !*s.Enabled:
				lack = append(lack, "seccomp (built without it)")
			case s.Actions != nil && !slices.Contains(s.Actions, "SCMP_ACT_NOTIFY"):
				lack = append(lack, "SCMP_ACT_NOTIFY")
			case s.Actions != nil:
				parts = append(parts, "seccomp notify")
			}
		}
		if c := l.Cgroup; c != nil {
			var cg []string
			for _, v := range []struct {
				name string
				on   *bool
			}{{"v1", c.V1}, {"v2", c.V2}, {"systemd", c.Systemd}} {
				if v.on != nil && *v.on {
					cg = append(cg, v.name)
				}
			}
			if len(cg) > 0 {
				parts = append(parts, "cgroup "+strings.Join(cg, "+"))
			}
		}
		if m := l.MountExtensions; m != nil && m.IDMap != nil && m.IDMap.Enabled != nil && *m.IDMap.Enabled {
			parts = append(parts, "idmapped mounts")
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing sysbox-lite looks for")
	}
	return strings.Join(parts, ", "), lack
}

// versionLine is the first line of --version output, with the spec line
// of runc's and crun's output added ("runc version 1.1.5, spec 1.0.2-dev").
func versionLine(out string) string {
	lines := strings.Split(out, "\n")
	s := strings.TrimSpace(lines[0])
	for _, l := range lines[1:] {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "spec:"); ok {
			s += ", spec " + strings.TrimSpace(v)
		}
	}
	if s == "" {
		return "(no version output)"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
