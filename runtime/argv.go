package runtime

import (
	"fmt"
	"strings"
)

// OwnGlobalFlags are sysbox-lite's global flags that the engine must not see.
var ownGlobalValueFlags = map[string]bool{"sysbox-config": true}

// Global flags of runc that take a value (everything else is a boolean).
var runcGlobalValueFlags = map[string]bool{
	"log": true, "log-format": true, "root": true, "criu": true, "rootless": true,
}

// Per-subcommand flags of runc that take a value, for the subcommands whose
// arguments sysbox-lite has to understand.
var runcCommandValueFlags = map[string]map[string]bool{
	"create": {"bundle": true, "b": true, "console-socket": true, "pid-file": true, "preserve-fds": true, "pidfd-socket": true},
	"run":    {"bundle": true, "b": true, "console-socket": true, "pid-file": true, "preserve-fds": true, "pidfd-socket": true},
	"delete": {},
	"exec": {"console-socket": true, "pidfd-socket": true, "cwd": true, "env": true, "e": true, "user": true, "u": true,
		"additional-gids": true, "g": true, "process": true, "p": true, "process-label": true, "apparmor": true,
		"cap": true, "c": true, "preserve-fds": true, "cgroup": true, "pid-file": true},
}

// Argv is a runc command line split into its parts.
type Argv struct {
	// Global holds the engine's global flags, in order, without sysbox-lite's own.
	Global []string
	// Own holds sysbox-lite's own global flags as name→value.
	Own map[string]string
	// Command is the subcommand ("" when there is none).
	Command string
	// Args is everything after the subcommand, untouched.
	Args []string
}

// ParseArgv splits args (os.Args[1:]).
func ParseArgv(args []string) (Argv, error) {
	a := Argv{Own: map[string]string{}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			if arg == "--" {
				i++
			}
			if i < len(args) {
				a.Command = args[i]
				a.Args = append([]string(nil), args[i+1:]...)
			}
			return a, nil
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		takesValue := runcGlobalValueFlags[name] || ownGlobalValueFlags[name]
		value := ""
		if takesValue && !hasValue {
			if i+1 >= len(args) {
				return a, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			value = args[i]
		} else if hasValue {
			value = arg[strings.Index(arg, "=")+1:]
		}
		if ownGlobalValueFlags[name] {
			a.Own[name] = value
			continue
		}
		a.Global = append(a.Global, arg)
		if takesValue && !hasValue {
			a.Global = append(a.Global, value)
		}
	}
	return a, nil
}

// GlobalValue returns the value of an engine global flag ("" if absent).
func (a Argv) GlobalValue(name string) string {
	v, _ := flagValue(a.Global, name, runcGlobalValueFlags)
	return v
}

// GlobalBool reports whether a boolean engine global flag is set.
func (a Argv) GlobalBool(name string) bool {
	_, ok := flagValue(a.Global, name, runcGlobalValueFlags)
	return ok
}

// EngineArgs is the argument list to hand the engine: its global flags,
// the subcommand and the subcommand's arguments, unchanged.
func (a Argv) EngineArgs() []string {
	out := append([]string(nil), a.Global...)
	if a.Command != "" {
		out = append(out, a.Command)
	}
	return append(out, a.Args...)
}

// CommandArgs parses the subcommand's own arguments into flags and
// positional arguments.
type CommandArgs struct {
	Flags      map[string]string // value flags and booleans ("true")
	Positional []string
}

// ParseCommandArgs splits a.Args for commands listed in the argv model.
func (a Argv) ParseCommandArgs() (CommandArgs, error) {
	valueFlags, ok := runcCommandValueFlags[a.Command]
	if !ok {
		return CommandArgs{}, fmt.Errorf("no argument model for %q", a.Command)
	}
	c := CommandArgs{Flags: map[string]string{}}
	for i := 0; i < len(a.Args); i++ {
		arg := a.Args[i]
		if arg == "--" {
			c.Positional = append(c.Positional, a.Args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			c.Positional = append(c.Positional, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if valueFlags[name] && !hasValue {
			if i+1 >= len(a.Args) {
				return c, fmt.Errorf("flag --%s of %s needs a value", name, a.Command)
			}
			i++
			value = a.Args[i]
		} else if !hasValue {
			value = "true"
		}
		c.Flags[name] = value
	}
	return c, nil
}

// Value returns the first set flag among names.
func (c CommandArgs) Value(names ...string) string {
	for _, n := range names {
		if v, ok := c.Flags[n]; ok {
			return v
		}
	}
	return ""
}

// Bool reports whether a boolean flag is set and not "false".
func (c CommandArgs) Bool(names ...string) bool {
	v := c.Value(names...)
	return v != "" && v != "false"
}

func flagValue(list []string, name string, valueFlags map[string]bool) (string, bool) {
	for i := 0; i < len(list); i++ {
		n, v, hasValue := strings.Cut(strings.TrimLeft(list[i], "-"), "=")
		isValue := valueFlags[n]
		if isValue && !hasValue && i+1 < len(list) {
			v = list[i+1]
			i++
		}
		if n == name {
			if !isValue && !hasValue {
				v = "true"
			}
			return v, true
		}
	}
	return "", false
}

// WithBundle returns the command line with the bundle replaced by dir (for
// create and run: the engine gets sysbox-lite's private bundle, and the
// caller's is never written to). A relative --console-socket is made
// absolute first, since the engine resolves it after changing into the
// bundle; --pid-file it makes absolute itself, before.
func (a Argv) WithBundle(dir, cwd string) Argv {
	valueFlags := runcCommandValueFlags[a.Command]
	out := []string{"--bundle", dir}
	for i := 0; i < len(a.Args); i++ {
		arg := a.Args[i]
		if arg == "--" || !strings.HasPrefix(arg, "-") || arg == "-" {
			out = append(out, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		takesValue := valueFlags[name] && !hasValue && i+1 < len(a.Args)
		if takesValue {
			i++
			value = a.Args[i]
		}
		switch {
		case name == "bundle" || name == "b":
			continue
		case name == "console-socket" && (hasValue || takesValue) && value != "" && !strings.HasPrefix(value, "/"):
			out = append(out, "--console-socket", cwd+"/"+value)
			continue
		}
		out = append(out, arg)
		if takesValue {
			out = append(out, value)
		}
	}
	b := a
	b.Args = out
	return b
}
