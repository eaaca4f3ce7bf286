package userns

// Overlaps reports whether r and o share a host UID or a host GID.
func (r Range) Overlaps(o Range) bool {
	return spansOverlap(r.UID, r.Size, o.UID, o.Size) || spansOverlap(r.GID, r.Size, o.GID, o.Size)
}

// spansOverlap reports whether [a, a+n) and [b, b+m) intersect, computed
// without uint32 overflow.
func spansOverlap(a, n, b, m uint32) bool {
	if n == 0 || m == 0 {
		return false
	}
	return uint64(a) < uint64(b)+uint64(m) && uint64(b) < uint64(a)+uint64(n)
}
