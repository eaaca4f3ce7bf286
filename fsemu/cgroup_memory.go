package fsemu

import (
	"errors"
	"os"
)

// Memory is what a memory cgroup says, in bytes.
type Memory struct {
	Limit uint64 // Unlimited when none (also when set above the host's memory)
	Usage uint64 // including the page cache

	Cache, Anon, Shmem, Mapped, Dirty, Writeback       uint64
	ActiveAnon, InactiveAnon, ActiveFile, InactiveFile uint64
	Unevictable, SlabReclaimable, SlabUnreclaimable    uint64

	// SwapAccounted says whether the cgroup accounts swap; SwapLimit is
	// the swap alone it may use (Unlimited when none), SwapUsage what it uses.
	SwapAccounted        bool
	SwapLimit, SwapUsage uint64
}

// Memory reads the memory controller of the cgroups; errNoCgroup when
// there is none.
func (cg *Cgroups) Memory() (Memory, error) {
	dir, top, v2, ok := cg.controller("memory", "memory.current")
	if !ok {
		return Memory{}, errNoCgroup
	}
	if v2 {
		return memoryV2(dir, top)
	}
	return memoryV1(dir)
}

// limitCeiling: v1 reports "no limit" as a huge page-aligned number.
const limitCeiling = 1 << 62

func memoryV1(dir string) (Memory, error) {
	var m Memory
	stat, err := readKV(dir, "memory.stat")
	if err != nil {
		return m, err
	}
	if m.Usage, err = readUint(dir, "memory.usage_in_bytes"); err != nil {
		return m, err
	}
	m.Limit = Unlimited
	if v, ok := stat["hierarchical_memory_limit"]; ok {
		m.Limit = v
	} else if v, err := readUint(dir, "memory.limit_in_bytes"); err == nil {
		m.Limit = v
	}
	if m.Limit >= limitCeiling {
		m.Limit = Unlimited
	}
	m.Cache = stat["total_cache"]
	m.Anon = stat["total_rss"]
	m.Shmem = stat["total_shmem"]
	m.Mapped = stat["total_mapped_file"]
	m.Dirty = stat["total_dirty"]
	m.Writeback = stat["total_writeback"]
	m.ActiveAnon = stat["total_active_anon"]
	m.InactiveAnon = stat["total_inactive_anon"]
	m.ActiveFile = stat["total_active_file"]
	m.InactiveFile = stat["total_inactive_file"]
	m.Unevictable = stat["total_unevictable"]

	memsw, err := readUint(dir, "memory.memsw.usage_in_bytes")
	if errors.Is(err, os.ErrNotExist) {
		return m, nil // no swap accounting
	}
	if err != nil {
		return m, err
	}
	m.SwapAccounted = true
	m.SwapUsage = sub(memsw, m.Usage)
	swLimit := uint64(Unlimited)
	if v, ok := stat["hierarchical_memsw_limit"]; ok {
		swLimit = v
	} else if v, err := readUint(dir, "memory.memsw.limit_in_bytes"); err == nil {
		swLimit = v
	}
	m.SwapLimit = Unlimited
	if swLimit < limitCeiling && m.Limit != Unlimited {
		m.SwapLimit = sub(swLimit, m.Limit)
	}
	return m, nil
}

func memoryV2(dir, top string) (Memory, error) {
	var m Memory
	var err error
	if m.Usage, err = readUint(dir, "memory.current"); err != nil {
		return m, err
	}
	stat, err := readKV(dir, "memory.stat")
	if err != nil {
		return m, err
	}
	m.Limit = minOver(dir, top, "memory.max")
	m.Cache = stat["file"]
	m.Anon = stat["anon"]
	m.Shmem = stat["shmem"]
	m.Mapped = stat["file_mapped"]
	m.Dirty = stat["file_dirty"]
	m.Writeback = stat["file_writeback"]
	m.ActiveAnon = stat["active_anon"]
	m.InactiveAnon = stat["inactive_anon"]
	m.ActiveFile = stat["active_file"]
	m.InactiveFile = stat["inactive_file"]
	m.Unevictable = stat["unevictable"]
	m.SlabReclaimable = stat["slab_reclaimable"]
	m.SlabUnreclaimable = stat["slab_unreclaimable"]
	swap, err := readUint(dir, "memory.swap.current")
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	m.SwapAccounted = true
	m.SwapUsage = swap
	m.SwapLimit = minOver(dir, top, "memory.swap.max")
	return m, nil
}

// minOver is the smallest value of a limit file in dir and its ancestors
// (a v2 limit applies to the whole sub-tree).
func minOver(dir, top, name string) uint64 {
	limit := uint64(Unlimited)
	for _, d := range ancestors(dir, top) {
		if v, err := readUint(d, name); err == nil && v < limit {
			limit = v
		}
	}
	return limit
}
