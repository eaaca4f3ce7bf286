package fsemu

import (
	"crypto/sha256"
	"fmt"
)

// /sys/devices/virtual/dmi/id/product_uuid: a UUID of the container's own
// (derived from its ID: stable across reads and restarts, different for
// every container), instead of the host machine's. Only where the host has
// DMI (a bind needs the file in the container's sysfs).
var sysProductUUID = File{Path: "/sys/devices/virtual/dmi/id/product_uuid", Mode: 0o400, Read: readProductUUID}

func readProductUUID(c *Caller) ([]byte, error) {
	return []byte(ProductUUID(c.e.ID) + "\n"), nil
}

// ProductUUID is the product_uuid of container id: a version 4 (random
// looking) UUID taken from a digest of the ID.
func ProductUUID(id string) string {
	s := sha256.Sum256([]byte("sysbox-lite product_uuid\x00" + id))
	s[6] = s[6]&0x0f | 0x40 // version 4
	s[8] = s[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}
