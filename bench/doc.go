// Command bench measures what sysbox-lite costs compared with plain runc, on
// this machine, in one run: both runtimes side by side, interleaved, through
// a real private dockerd (hack/private-daemon.sh) and the real runc binary.
//
// Usage (as root; normally through `sudo make bench`):
//
//	go run ./bench [-bin bin/sysbox-lite] [-out bench/results] [-readme README.md] [-runs 30]
//
// It writes bench/results/results.md (summary table, machine, method,
// details), one SVG plot per measure plus ratios.svg, rewrites the README
// section between <!-- bench:begin --> and <!-- bench:end -->, and prints the
// summary table. Absolute times on shared machines are noise: every measure
// reports sysbox-lite relative to runc (median ÷ median).
//
// Layout: one file per measure (measure_*.go, listed in measures.go), the
// pure parts (stats, interleaving, table, SVG, README rewrite) in files of
// their own with unit tests, and the machinery that needs root (the private
// daemon, images, bundles, teardown) in env_linux.go and images.go.
package main
