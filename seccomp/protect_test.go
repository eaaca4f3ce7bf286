package seccomp

import (
	"testing"

	"github.com/moby/sys/mountinfo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func mi(id, parent, major, minor int, root, mp, fstype, opts string) *mountinfo.Info {
	return &mountinfo.Info{ID: id, Parent: parent, Major: major, Minor: minor, Root: root, Mountpoint: mp, FSType: fstype, Options: opts}
}

// A container's initial table, as runc leaves it.
func initialTable() []*mountinfo.Info {
	return []*mountinfo.Info{
		mi(100, 1, 0, 40, "/", "/", "overlay", "rw"),
		mi(101, 100, 0, 50, "/", "/proc", "proc", "rw,nosuid,nodev,noexec"),
		mi(102, 101, 0, 6, "/null", "/proc/kcore", "devtmpfs", "rw"),
		mi(103, 101, 0, 51, "/", "/proc/acpi", "tmpfs", "ro"),
		mi(104, 101, 0, 50, "/sys", "/proc/sys", "proc", "ro,nosuid,nodev,noexec"),
		mi(105, 100, 0, 52, "/", "/dev", "tmpfs", "rw,nosuid"),
		mi(106, 105, 0, 6, "/null", "/dev/null", "devtmpfs", "rw"),
		mi(107, 100, 254, 0, "/vol", "/data", "ext4", "ro"),
	}
}

func newTestProtection() *Protection {
	return NewProtection(initialTable(), []string{"/proc/kcore", "/proc/acpi", "/proc/sys"})
}

func TestProtectionInitialMounts(t *testing.T) {
	r := newTestProtection().Rules()
	table := initialTable()
	for _, m := range table[1:] {
		assert.Error(t, r.CanDetach(m, table), "initial mount %s", m.Mountpoint)
	}
	assert.NoError(t, r.CanDetach(table[0], table), "the root is not protected (nested runtimes detach their old root)")
}

func TestProtectionCopiesInOtherNamespaces(t *testing.T) {
	r := newTestProtection().Rules()
	// After `unshare -m`: same identities, new mount IDs.
	copyOfRoot := mi(899, 1, 0, 40, "/", "/", "overlay", "rw")
	copyOfProc := mi(898, 899, 0, 50, "/", "/proc", "proc", "rw")
	copyOfData := mi(900, 899, 254, 0, "/vol", "/data", "ext4", "ro")
	copyOfMask := mi(901, 898, 0, 6, "/null", "/proc/kcore", "devtmpfs", "rw")
	table := []*mountinfo.Info{copyOfRoot, copyOfProc, copyOfData, copyOfMask}
	assert.ErrorContains(t, r.CanDetach(copyOfData, table), "when the container started")
	assert.ErrorContains(t, r.CanDetach(copyOfMask, table), "masked or read-only")
}

func TestProtectionOwnedCopies(t *testing.T) {
	p := newTestProtection()
	// The container bound /dev into a chroot (rbind: /dev and /dev/null copies).
	// ... and /proc (rbind: /proc and its masks copied).
	p.Update([]int{300, 301, 302, 303}, nil)
	r := p.Rules()
	dev := mi(300, 100, 0, 52, "/", "/chroot/dev", "tmpfs", "rw,nosuid")
	null := mi(301, 300, 0, 6, "/null", "/chroot/dev/null", "devtmpfs", "rw")
	proc := mi(302, 100, 0, 50, "/", "/chroot/proc", "proc", "rw,nosuid,nodev,noexec")
	kcore := mi(303, 302, 0, 6, "/null", "/chroot/proc/kcore", "devtmpfs", "rw")
	table := append(initialTable(), dev, null, proc, kcore)
	assert.NoError(t, r.CanDetach(dev, table), "its own copy of /dev")
	assert.NoError(t, r.CanDetach(null, table), "its own copy of /dev/null: it hides nothing there")
	assert.Error(t, r.CanDetach(kcore, table), "a copy of a mask over a procfs cannot be removed on its own")
	assert.Error(t, r.CanReconfigure(dev, Restrictions{}), "nor can a copy lose nosuid")
	p.Forget([]int{300})
	assert.Error(t, p.Rules().CanDetach(dev, table), "a forgotten ID is not owned")
}

func TestProtectionNewMounts(t *testing.T) {
	r := newTestProtection().Rules()
	mine := mi(400, 100, 0, 77, "/", "/mnt", "tmpfs", "rw")
	assert.NoError(t, r.CanDetach(mine, initialTable()))
	assert.NoError(t, r.CanReconfigure(mine, Restrictions{}))
	sub := mi(401, 100, 254, 0, "/vol/sub", "/x", "ext4", "ro")
	assert.NoError(t, r.CanDetach(sub, initialTable()), "a bind of a subdirectory is a different identity")
}

func TestProtectionMasksOfNewProc(t *testing.T) {
	p := newTestProtection()
	newAcpi := Identity{Major: 0, Minor: 88, Root: "/", FSType: "tmpfs"}
	p.Update([]int{500}, []Identity{newAcpi})
	r := p.Rules()
	newProc := mi(500, 100, 0, 87, "/", "/mnt/proc", "proc", "rw")
	acpi := mi(502, 500, 0, 88, "/", "/mnt/proc/acpi", "tmpfs", "ro")
	table := append(initialTable(), newProc, acpi)
	assert.NoError(t, r.CanDetach(newProc, table), "the new proc is the container's")
	assert.Error(t, r.CanDetach(acpi, table), "its masks are not")
}

func TestCanReconfigure(t *testing.T) {
	r := newTestProtection().Rules()
	data := initialTable()[7]
	assert.ErrorContains(t, r.CanReconfigure(data, Restrictions{}), "may not lose ro")
	assert.NoError(t, r.CanReconfigure(data, Restrictions{ReadOnly: true, NoExec: true}), "adding restrictions is fine")
	procSys := initialTable()[4]
	err := r.CanReconfigure(procSys, Restrictions{ReadOnly: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nosuid,nodev,noexec")
}

func TestHidesBelow(t *testing.T) {
	r := newTestProtection().Rules()
	table := initialTable()
	proc := table[1]
	assert.True(t, r.HidesBelow(proc, "/proc", table), "/proc has masks below it")
	assert.False(t, r.HidesBelow(proc, "/proc/driver", table), "nothing is masked under /proc/driver")
	// Identities are all the supervisor knows of a mount: /dev/null is the
	// same file as the /proc/kcore mask, so a bind of /dev is made
	// recursive too. That is conservative and harmless.
	assert.True(t, r.HidesBelow(table[5], "/dev", table))
	assert.False(t, r.HidesBelow(table[7], "/data", table), "nothing is mounted below the volume")
	assert.True(t, r.HidesBelow(table[0], "/", table), "the root has mounts the container may not remove below it: a plain bind of / is recursive, as the kernel wants")
}

func TestKindOf(t *testing.T) {
	for flags, want := range map[uint64]mountKind{
		unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY: kindReconfigure,
		unix.MS_REMOUNT:                kindRemount,
		unix.MS_BIND | unix.MS_REC:     kindBind,
		unix.MS_PRIVATE | unix.MS_REC:  kindPropagation,
		unix.MS_SHARED | unix.MS_MOVE:  kindPropagation, // the kernel checks propagation first
		unix.MS_MOVE:                   kindMove,
		unix.MS_NOSUID | unix.MS_NODEV: kindNew,
		0:                              kindNew,
	} {
		assert.Equal(t, want, kindOf(flags), "%#x", flags)
	}
}

func TestMountAttrsAndSuperblockFlags(t *testing.T) {
	assert.Equal(t, uint64(unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOATIME),
		mountAttrs(unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NOATIME))
	assert.Equal(t, []string{"ro", "sync"}, superblockFlags(unix.MS_RDONLY|unix.MS_SYNCHRONOUS|unix.MS_NOSUID))
	assert.Equal(t, Restrictions{ReadOnly: true, NoDev: true}, wantRestrictions(unix.MS_RDONLY|unix.MS_NODEV))
}

func TestSplitOptions(t *testing.T) {
	assert.Equal(t, []string{"lowerdir=/a:/b", "upperdir=/u", "xino=off"}, splitOptions("lowerdir=/a:/b,upperdir=/u,,xino=off"))
	assert.Empty(t, splitOptions(""))
}

// mount(2) strips the old magic number before reading any flag; with it,
// MS_MOVE looked like a propagation change (bits 18-19 are MS_PRIVATE and
// MS_SLAVE), which is answered CONTINUE.
func TestMagicNumberIsNotPropagation(t *testing.T) {
	assert.Equal(t, kindMove, kindOf(0xC0ED0000|unix.MS_MOVE))
	assert.Equal(t, kindNew, kindOf(0xC0ED0000))
	assert.Equal(t, kindBind, kindOf(0xC0ED0000|unix.MS_BIND|unix.MS_REC))
	assert.Equal(t, uint64(unix.MS_MOVE), normalizeFlags(0xC0ED0000|unix.MS_MOVE))
}

func TestRestoreDropsOwned(t *testing.T) {
	a := Identity{Major: 0, Minor: 5, Root: "/", FSType: "tmpfs"}
	m := Identity{Major: 1, Minor: 3, Root: "/null", FSType: "devtmpfs"}
	p := Restore(Snapshot{Protected: []Identity{a}, Masks: []Identity{m}, Owned: []int{77}})
	s := p.Snapshot()
	assert.ElementsMatch(t, []Identity{a, m}, s.Protected, "masks are protected too")
	assert.Equal(t, []Identity{m}, s.Masks)
	assert.Empty(t, s.Owned, "a saved owned list is never trusted")
}
