package handoff

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Pair makes the connected SOCK_SEQPACKET pair a supervisor and its keeper
// talk over: each end closes on exec except where it is inherited.
func Pair() (*net.UnixConn, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	local := os.NewFile(uintptr(fds[0]), "control")
	defer local.Close()
	c, err := net.FileConn(local)
	if err != nil {
		unix.Close(fds[1])
		return nil, nil, fmt.Errorf("control socket: %w", err)
	}
	return c.(*net.UnixConn), os.NewFile(uintptr(fds[1]), "control-peer"), nil
}

// Conn wraps an inherited control socket.
func Conn(f *os.File) (*net.UnixConn, error) {
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, errors.New("control socket: not a unix socket")
	}
	return uc, nil
}

// Put hands the keeper a copy of notify fd under key.
func Put(c *net.UnixConn, key uint64, fd int) error {
	_, _, err := c.WriteMsgUnix([]byte("put "+strconv.FormatUint(key, 10)), unix.UnixRights(fd), nil)
	if err != nil {
		return fmt.Errorf("hand notify fd %d to the keeper: %w", key, err)
	}
	return nil
}

// Del tells the keeper that key's filter is gone (no process uses it).
func Del(c *net.UnixConn, key uint64) error {
	if _, err := c.Write([]byte("del " + strconv.FormatUint(key, 10))); err != nil {
		return fmt.Errorf("tell the keeper notify fd %d is done: %w", key, err)
	}
	return nil
}

// Msg is one message from a supervisor.
type Msg struct {
	Op  string // "put" or "del"
	Key uint64
	FD  *os.File // put's fd
}

// Read reads one message; io.EOF (or another error) when the peer is gone.
func Read(c *net.UnixConn) (Msg, error) {
	buf := make([]byte, 64)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return Msg{}, err
	}
	if n == 0 && oobn == 0 {
		return Msg{}, errEOF
	}
	var fds []int
	if oobn > 0 {
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err == nil {
			for _, m := range msgs {
				if got, err := unix.ParseUnixRights(&m); err == nil {
					fds = append(fds, got...)
				}
			}
		}
	}
	op, ks, _ := strings.Cut(string(buf[:n]), " ")
	key, err := strconv.ParseUint(ks, 10, 64)
	bad := err != nil || key == 0 || (op != "put" && op != "del") || (op == "put") != (len(fds) == 1)
	if bad {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return Msg{}, fmt.Errorf("%w: %q with %d fds", ErrBadMessage, buf[:n], len(fds))
	}
	m := Msg{Op: op, Key: key}
	if op == "put" {
		unix.CloseOnExec(fds[0])
		m.FD = os.NewFile(uintptr(fds[0]), "notify-"+ks)
	}
	return m, nil
}

// ErrBadMessage is a message Read cannot take (and dropped); any other
// error of Read means the peer is gone.
var ErrBadMessage = errors.New("handoff: bad message")

// errEOF: a zero-length seqpacket read is the peer's close.
var errEOF = errors.New("handoff: peer closed")
