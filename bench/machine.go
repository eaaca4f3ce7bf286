package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine records where the numbers come from.
type Machine struct {
	Date       string
	Kernel     string
	OS         string
	CPUs       int
	CPUModel   string
	Memory     string
	Docker     string // server version, storage driver, cgroup version
	Containerd string
	Runc       string
	SysboxLite string
	Go         string
	Filesystem string // of /tmp, where everything runs
	LoadBefore string
	LoadAfter  string
}

// probeMachine collects the machine's description; a part that cannot be
// read says so instead of failing the run.
func probeMachine(ctx context.Context, e *Env) Machine {
	m := Machine{
		Date:       time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Kernel:     firstLine(cmdOut(ctx, "uname", "-srm")),
		OS:         osRelease(),
		CPUs:       runtime.NumCPU(),
		CPUModel:   cpuModel(),
		Memory:     memTotal(),
		Containerd: firstLine(cmdOut(ctx, "containerd", "--version")),
		Runc:       strings.Join(strings.Fields(firstLine(cmdOut(ctx, "runc", "--version"))), " "),
		Go:         runtime.Version(),
		Filesystem: strings.TrimSpace(cmdOut(ctx, "findmnt", "-n", "-o", "FSTYPE", "-T", e.Tmp)),
		LoadBefore: loadAvg(),
	}
	if out, err := e.Docker(ctx, "version", "-f", "{{.Server.Version}}"); err == nil {
		m.Docker = "dockerd " + strings.TrimSpace(string(out))
	}
	if out, err := e.Docker(ctx, "info", "-f", "{{.Driver}}, cgroup v{{.CgroupVersion}}"); err == nil {
		m.Docker += " (" + strings.TrimSpace(string(out)) + ")"
	}
	m.SysboxLite = firstLine(cmdOut(ctx, e.Bin, "--version"))
	if desc := strings.TrimSpace(cmdOut(ctx, "git", "-C", e.Repo, "describe", "--always", "--dirty")); desc != "" {
		m.SysboxLite += " (git " + desc + ")"
	}
	return m
}

// Lines renders the machine as "key: value" lines, in a fixed order.
func (m Machine) Lines() []string {
	kv := [][2]string{
		{"date", m.Date},
		{"kernel", m.Kernel},
		{"os", m.OS},
		{"cpus", fmt.Sprintf("%d × %s", m.CPUs, m.CPUModel)},
		{"memory", m.Memory},
		{"docker", m.Docker},
		{"containerd", m.Containerd},
		{"runc", m.Runc},
		{"sysbox-lite", m.SysboxLite},
		{"go", m.Go},
		{"filesystem", m.Filesystem + " (/tmp: images, bundles, state)"},
		{"load average", "before the run " + m.LoadBefore + ", after it " + m.LoadAfter + " (per measure: see Details)"},
	}
	lines := make([]string, 0, len(kv))
	for _, p := range kv {
		v := p[1]
		if strings.TrimSpace(v) == "" {
			v = "unknown"
		}
		lines = append(lines, p[0]+": "+v)
	}
	return lines
}

// OneLine is a short summary for the README.
func (m Machine) OneLine() string {
	return fmt.Sprintf("%s, %d CPUs, %s, %s, %s", m.Kernel, m.CPUs, m.Docker, m.Runc, m.Containerd)
}

// cmdOut is the standard output of a command, "" when it fails.
func cmdOut(ctx context.Context, name string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(l)
}

func osRelease() string {
	data, _ := os.ReadFile("/etc/os-release")
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	data, _ := os.ReadFile("/proc/meminfo")
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(v), &kb)
			return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return ""
}

func loadAvg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := bytes.Fields(data)
	if len(f) < 3 {
		return ""
	}
	return string(bytes.Join(f[:3], []byte(" ")))
}
