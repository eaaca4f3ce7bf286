package userns

import "fmt"

// Idmap is the mapping of an idmapped mount: each line maps IDs as stored
// on disk (Disk) to host IDs (Host), the IDs of the processes that use the
// mount. An ID in no line is unmapped: its files show as the overflow ID
// and the mount refuses to store it.
type Idmap struct {
	UID []IDLine `json:"uid"`
	GID []IDLine `json:"gid"`
}

// IDLine maps Size IDs from Disk on to Size host IDs from Host.
type IDLine struct {
	Disk uint32 `json:"disk"`
	Host uint32 `json:"host"`
	Size uint32 `json:"size"`
}

// RangeIdmap is a container range's mapping: disk ID n is host ID
// r.UID+n (r.GID+n), so the container sees the disk's owners as they are
// (uid 0 on disk is its root).
func RangeIdmap(r Range) Idmap {
	return Idmap{
		UID: []IDLine{{Disk: 0, Host: r.UID, Size: r.Size}},
		GID: []IDLine{{Disk: 0, Host: r.GID, Size: r.Size}},
	}
}

// SingleIdmap maps the one disk identity diskUID:diskGID to the host IDs
// of container user cUID:cGID of range r, and nothing else: that container
// user acts on the mount as diskUID:diskGID, every other one as an
// unmapped user. Each of diskGroups (the identity's other groups) is
// mapped to the container GID of the same number where that is in the
// range and free, so that the identity's files of those groups are not
// unmapped inodes (which the kernel refuses to write).
func SingleIdmap(r Range, cUID, cGID, diskUID, diskGID uint32, diskGroups []uint32) (Idmap, error) {
	if cUID >= r.Size || cGID >= r.Size {
		return Idmap{}, fmt.Errorf("container user %d:%d is outside the range's %d IDs", cUID, cGID, r.Size)
	}
	m := Idmap{
		UID: []IDLine{{Disk: diskUID, Host: r.UID + cUID, Size: 1}},
		GID: []IDLine{{Disk: diskGID, Host: r.GID + cGID, Size: 1}},
	}
	used := map[uint32]bool{cGID: true}
	disk := map[uint32]bool{diskGID: true}
	for _, g := range diskGroups {
		if g >= r.Size || used[g] || disk[g] {
			continue
		}
		used[g], disk[g] = true, true
		m.GID = append(m.GID, IDLine{Disk: g, Host: r.GID + g, Size: 1})
	}
	return m, nil
}

// Key names the mapping, for caching namespaces per mapping.
func (m Idmap) Key() string { return fmt.Sprint(m.UID, m.GID) }
