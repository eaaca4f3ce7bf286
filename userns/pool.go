package userns

import (
	"errors"
	"fmt"
	"math"
)

// Pool is the host ID space that container ranges are cut from.
type Pool struct {
	UIDStart, GIDStart uint32
	Slots              uint32
	SlotSize           uint32
}

// Range is one container's mapping: container ID 0..Size-1 -> host
// UID..UID+Size-1 (and GID likewise).
type Range struct {
	UID  uint32 `json:"uid"`
	GID  uint32 `json:"gid"`
	Size uint32 `json:"size"`
}

// Range returns the IDs of the given slot. The slot must be below p.Slots
// and the pool valid (see Validate); otherwise the result is meaningless.
func (p Pool) Range(slot uint32) Range {
	return Range{
		UID:  p.UIDStart + slot*p.SlotSize,
		GID:  p.GIDStart + slot*p.SlotSize,
		Size: p.SlotSize,
	}
}

// Validate reports whether every slot of the pool is a usable range: slots
// and slot size are non-zero, host ID 0 is never mapped, and the pool ends
// below 4294967295 ((uid_t)-1, which the kernel refuses to map).
func (p Pool) Validate() error {
	if p.SlotSize == 0 {
		return errors.New("invalid id pool: slot size is 0")
	}
	if p.Slots == 0 {
		return errors.New("invalid id pool: it has no slots")
	}
	if p.UIDStart == 0 {
		return errors.New("invalid id pool: it would map host uid 0 (root) into a container")
	}
	if p.GIDStart == 0 {
		return errors.New("invalid id pool: it would map host gid 0 (root) into a container")
	}
	total := uint64(p.Slots) * uint64(p.SlotSize)
	if end := uint64(p.UIDStart) + total; end > math.MaxUint32 {
		return fmt.Errorf("invalid id pool: %d slots of %d uids from %d end past uid %d", p.Slots, p.SlotSize, p.UIDStart, uint32(math.MaxUint32-1))
	}
	if end := uint64(p.GIDStart) + total; end > math.MaxUint32 {
		return fmt.Errorf("invalid id pool: %d slots of %d gids from %d end past gid %d", p.Slots, p.SlotSize, p.GIDStart, uint32(math.MaxUint32-1))
	}
	return nil
}
