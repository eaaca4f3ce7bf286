package seccomp

import (
	"fmt"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// reattach covers each dead emulated mount of the request with the live
// copy it brings (Request.Reattach[i] with Request.Emulated[i]), where that
// mount is still on top of its mountpoint. It returns the identities of the
// new mounts: they hide what the dead ones hid, and are protected as masks.
func (h helper) reattach(mounts []*mountinfo.Info) (Response, error) {
	if len(h.req.Reattach) != len(h.req.Emulated) {
		return Response{}, fmt.Errorf("reattach: %d mounts for %d files", len(h.req.Reattach), len(h.req.Emulated))
	}
	byID := map[int]*mountinfo.Info{}
	covered := map[int]bool{}
	for _, m := range mounts {
		byID[m.ID] = m
	}
	for _, m := range mounts {
		if p, ok := byID[m.Parent]; ok && p.Mountpoint == m.Mountpoint {
			covered[p.ID] = true
		}
	}
	made := map[string]bool{}
	for i, r := range h.req.Reattach {
		m, ok := byID[r.ID]
		if !ok || covered[r.ID] || m.Mountpoint != r.Target {
			continue // gone, or already covered: by a live copy, or by the container
		}
		fd, err := h.open(r.Target, false)
		if err != nil {
			return Response{}, fmt.Errorf("reattach %s: %w", r.Target, err)
		}
		err = unix.MoveMount(h.req.Emulated[i].FD, "", fd, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
		unix.Close(fd)
		if err != nil {
			return Response{}, fmt.Errorf("reattach %s: %w", r.Target, err)
		}
		made[r.Target] = true
	}
	after, err := h.mounts()
	if err != nil {
		return Response{}, err
	}
	var res Response
	for _, m := range after {
		if _, old := byID[m.ID]; made[m.Mountpoint] && !old {
			res.Masks = append(res.Masks, IdentityOf(m))
		}
	}
	return res, nil
}
