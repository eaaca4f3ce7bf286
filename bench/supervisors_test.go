package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsSupervisorOf(t *testing.T) {
	cmd := []byte("/usr/local/bin/sysbox-lite\x00supervise\x00/tmp/s/state/abc123.deadbeef\x00")
	assert.True(t, isSupervisorOf(cmd, "/tmp/s/state", "abc123"))
	assert.True(t, isSupervisorOf([]byte("/usr/local/bin/sysbox-lite\x00supervise-worker\x00/tmp/s/state/abc123.deadbeef\x00"), "/tmp/s/state", "abc123"), "the worker")
	assert.False(t, isSupervisorOf(cmd, "/tmp/s/state", "abc"), "a prefix of another container's ID")
	assert.False(t, isSupervisorOf(cmd, "/tmp/other", "abc123"))
	assert.False(t, isSupervisorOf([]byte("sysbox-lite\x00create\x00/tmp/s/state/abc123.x\x00"), "/tmp/s/state", "abc123"))
	assert.False(t, isSupervisorOf(nil, "/tmp/s/state", "abc123"))
}

func TestKBFieldAndFormatBytes(t *testing.T) {
	v, err := kbField("Name:\tx\nVmRSS:\t   11520 kB\nVmData: 1 kB\n", "VmRSS:")
	require.NoError(t, err)
	assert.Equal(t, 11520.0*1024, v)
	_, err = kbField("VmSize: 1 kB\n", "VmRSS:")
	assert.Error(t, err)
	assert.Equal(t, "11.2 MiB", FormatBytes(11520*1024))
	assert.Equal(t, "512 KiB", FormatBytes(512*1024))
}

func TestMountFSType(t *testing.T) {
	mi := "22 1 0:20 / / rw - overlay overlay rw\n" +
		"30 22 0:5 / /proc rw - proc proc rw\n" +
		"31 30 0:40 /meminfo /proc/meminfo rw - fuse.sysbox-lite fsemu rw\n" +
		"32 30 0:41 / /proc/meminfo-not rw - tmpfs tmpfs rw\n"
	assert.Equal(t, "fuse.sysbox-lite", mountFSType(mi, "/proc/meminfo"))
	assert.Equal(t, "proc", mountFSType(mi, "/proc"))
	assert.Equal(t, "", mountFSType(mi, "/proc/cpuinfo"))
}

func TestLoopCount(t *testing.T) {
	assert.Equal(t, 1000000/10, loopCount(1000))
	assert.Equal(t, 50, loopCount(50e6), "at least 50 calls")
	assert.Equal(t, 200000, loopCount(10), "at most 200 000 calls")
	assert.Equal(t, 1000, loopCount(0))
}
