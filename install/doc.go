// Package install registers sysbox-lite with the host: it gives the
// sysbox-lite user a pool of subordinate IDs in /etc/subuid and /etc/subgid,
// adds the runtime to dockerd's daemon.json (and makes a running dockerd
// reload it), adds a CRI runtime entry to containerd's config.toml, and
// writes a commented default /etc/sysbox-lite/config.toml. Uninstall undoes
// the docker and containerd parts; the ID pool and the config stay unless
// purged, since containers may still own files in that ID range.
//
// Every step is idempotent and leaves what it does not own alone: daemon.json
// is edited key by key (other keys, other runtimes and their order are kept),
// and containerd's file is kept byte for byte, with the runtime in a block
// between marker comments that uninstall removes again. A file that does not
// parse is an error and is never rewritten. Files are replaced atomically
// with their mode and owner kept.
package install
