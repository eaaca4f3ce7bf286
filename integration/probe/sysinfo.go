package main

import (
	"encoding/hex"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysinfo probes, for the emulated sysinfo(2) (sysinfo_test.go):
//
//	probe sysinfo                one sysinfo(2) into a buffer filled with 0xaa;
//	                             prints OK, then one "name value" line per field
//	                             of struct sysinfo (uptime, load1, load5, load15
//	                             as the raw fixed-point numbers, totalram, freeram,
//	                             sharedram, bufferram, totalswap, freeswap, procs,
//	                             pad, totalhigh, freehigh, mem_unit) and "raw" with
//	                             the 112 bytes in hex
//	probe sysinfo-at ro|unmapped one sysinfo(2) into a read-only page, or an
//	                             unmapped one: the kernel says EFAULT

func sysinfoFields() ([]string, error) {
	var buf [unsafe.Sizeof(unix.Sysinfo_t{})]byte
	for i := range buf {
		buf[i] = 0xaa
	}
	if _, _, errno := unix.Syscall(unix.SYS_SYSINFO, uintptr(unsafe.Pointer(&buf[0])), 0, 0); errno != 0 {
		return nil, errno
	}
	si := (*unix.Sysinfo_t)(unsafe.Pointer(&buf[0]))
	return []string{
		fmt.Sprintf("uptime %d", si.Uptime),
		fmt.Sprintf("load1 %d", si.Loads[0]),
		fmt.Sprintf("load5 %d", si.Loads[1]),
		fmt.Sprintf("load15 %d", si.Loads[2]),
		fmt.Sprintf("totalram %d", si.Totalram),
		fmt.Sprintf("freeram %d", si.Freeram),
		fmt.Sprintf("sharedram %d", si.Sharedram),
		fmt.Sprintf("bufferram %d", si.Bufferram),
		fmt.Sprintf("totalswap %d", si.Totalswap),
		fmt.Sprintf("freeswap %d", si.Freeswap),
		fmt.Sprintf("procs %d", si.Procs),
		fmt.Sprintf("pad %d", si.Pad),
		fmt.Sprintf("totalhigh %d", si.Totalhigh),
		fmt.Sprintf("freehigh %d", si.Freehigh),
		fmt.Sprintf("mem_unit %d", si.Unit),
		"raw " + hex.EncodeToString(buf[:]),
	}, nil
}

func sysinfoAt(where string) error {
	size := unix.Getpagesize()
	prot := unix.PROT_READ
	if where != "ro" && where != "unmapped" {
		return fmt.Errorf("sysinfo-at: ro or unmapped, not %q", where)
	}
	mem, err := unix.Mmap(-1, 0, size, prot, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return fmt.Errorf("SETUP: mmap: %w", err)
	}
	addr := uintptr(unsafe.Pointer(&mem[0]))
	if where == "unmapped" {
		if err := unix.Munmap(mem); err != nil {
			return fmt.Errorf("SETUP: munmap: %w", err)
		}
	}
	if _, _, errno := unix.Syscall(unix.SYS_SYSINFO, addr, 0, 0); errno != 0 {
		return errno
	}
	return nil
}
