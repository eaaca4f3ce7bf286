package seccomp

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// InflightSlots is how many calls one container can have being answered
// at once; more wait for a slot (a slot is held from the receive of a
// notification to its response).
const InflightSlots = 4096

// inflightSize is the table's size in bytes: a slot is the notify fd's key
// and the notification's id, two words.
const inflightSize = InflightSlots * 16

// Inflight is the table of notifications a supervisor has received and not
// yet answered, in memory shared with the keeper (a memfd that outlives
// the supervisor). A notification that was received is never delivered
// again: the supervisor that takes over after a crash finds the calls its
// predecessor left waiting here, and answers them (see Supervisor.Adopt)
// instead of leaving their callers blocked forever.
type Inflight struct {
	words []uint64
	free  chan int
}

// NewInflightFile makes the shared memory of a table.
func NewInflightFile() (*os.File, error) {
	fd, err := unix.MemfdCreate("sysbox-lite-inflight", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd: %w", err)
	}
	if err := unix.Ftruncate(fd, inflightSize); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("size the in-flight table: %w", err)
	}
	return os.NewFile(uintptr(fd), "inflight"), nil
}

// MapInflight maps a table made by NewInflightFile. The entries it holds
// are the predecessor's: read them (Pending) before using slots.
func MapInflight(f *os.File) (*Inflight, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, fmt.Errorf("stat the in-flight table: %w", err)
	}
	if st.Size != inflightSize {
		return nil, fmt.Errorf("in-flight table: %d bytes, want %d", st.Size, inflightSize)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, inflightSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map the in-flight table: %w", err)
	}
	t := &Inflight{
		words: unsafe.Slice((*uint64)(unsafe.Pointer(&mem[0])), InflightSlots*2),
		free:  make(chan int, InflightSlots),
	}
	for i := 0; i < InflightSlots; i++ {
		t.free <- i
	}
	return t, nil
}

// Pending is one call a predecessor received and did not answer.
type Pending struct{ Key, ID uint64 }

// Pending lists the predecessor's calls and clears their slots.
func (t *Inflight) Pending() []Pending {
	var out []Pending
	for i := 0; i < InflightSlots; i++ {
		key := atomic.SwapUint64(&t.words[2*i], 0)
		id := atomic.SwapUint64(&t.words[2*i+1], 0)
		if key != 0 {
			out = append(out, Pending{Key: key, ID: id})
		}
	}
	return out
}

// Begin records notification id of key's fd as being answered; End(slot)
// clears it once answered. Begin waits while every slot is taken.
func (t *Inflight) Begin(key, id uint64) int {
	slot := <-t.free
	// the id first: a slot is in use once its key is set
	atomic.StoreUint64(&t.words[2*slot+1], id)
	atomic.StoreUint64(&t.words[2*slot], key)
	return slot
}

// End clears a slot of Begin.
func (t *Inflight) End(slot int) {
	atomic.StoreUint64(&t.words[2*slot], 0)
	t.free <- slot
}
