# sysbox-lite — build, test, install, demo.
# Everything that needs root says so; `make test` and `make demo` install
# their own dependencies (apt packages, Go modules) on Debian 12.

SHELL        := /bin/bash
export PATH  := /usr/local/go/bin:$(PATH)
export GOFLAGS ?= -mod=mod
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
VERSION      ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -X main.version=$(VERSION)
BIN          := bin/sysbox-lite
INSTALLER    := bin/sysbox-lite-install
# containerd's shim for runtime io.containerd.sysbox-lite.v2: a nested Go
# module (shim/), so the main module does not pull containerd's dependencies.
SHIM         := bin/containerd-shim-sysbox-lite-v2
SHIM_SOURCES := $(shell find shim -name '*.go') shim/go.mod shim/go.sum
# containerd's CRI runtime: runc (runc shim + BinaryName) or sysbox-lite (our shim)
CONTAINERD_SHIM ?= runc
GO_SOURCES   := $(shell find . \( -name '*.go' -o -name '*.c' \) -not -path './.git/*') go.mod go.sum

.PHONY: all build deps test unit integration demo bench critest vmtest vmsmoke vmsmoke-hook install uninstall clean help

# Targets that need root run as written from a root shell (a fresh Debian
# has no sudo) and, for another user, again through sudo when there is one.
# $(call as_root,TARGET) is empty for root; otherwise it re-runs TARGET
# under sudo (or fails saying why) and the rest of the recipe is skipped.
define as_root
if [ "$$(id -u)" != 0 ]; then \
	if command -v sudo >/dev/null 2>&1; then exec sudo env "PATH=$$PATH" $(MAKE) $(1); fi; \
	echo "make $(1) needs root (a private dockerd, real runc): run it as root" >&2; exit 1; \
fi
endef

all: build

help:
	@echo "make build        build bin/sysbox-lite (and the installer, the containerd shim)"
	@echo "make test         install deps, run unit tests and (as root) integration tests"
	@echo "make unit         unit tests only (no root)"
	@echo "make integration  integration tests only (root; private dockerd/containerd)"
	@echo "make demo         (root) show sysbox-lite at work on a private dockerd"
	@echo "make bench        (root) sysbox-lite vs runc benchmarks: bench/results/, README section"
	@echo "make critest      (root) cri-tools critest: handler sysbox-lite vs runc, containerd 1.6 and 2.x"
	@echo "make vmtest       (root) qemu guests Debian 13 and 12: smoke + integration selection (docs/vmtest.md)"
	@echo "make vmsmoke      (root) the Debian 13 guest's short smoke only"
	@echo "make install      (root) install and register with docker and containerd"
	@echo "make uninstall    (root) undo make install"

build: $(BIN) $(INSTALLER) $(SHIM)

$(BIN): $(GO_SOURCES)
	CGO_ENABLED=1 go build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./cmd/sysbox-lite

$(SHIM): $(SHIM_SOURCES)
	cd shim && CGO_ENABLED=0 go build -trimpath -ldflags '-X github.com/containerd/containerd/v2/version.Version=$(VERSION)' -o ../$@ ./cmd/containerd-shim-sysbox-lite-v2

$(INSTALLER): $(GO_SOURCES)
	CGO_ENABLED=0 go build -trimpath -o $@ ./cmd/sysbox-lite-install

deps:
	hack/install-deps.sh

test: deps
	go vet ./...
	cd shim && go vet ./...
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) vmsmoke-hook

unit:
	go test -count=1 $$(go list ./... | grep -v /integration)
	cd shim && go test -count=1 ./...

integration: build
	@$(call as_root,integration); \
	go test -count=1 -v -timeout 30m ./integration/ 2>&1 | tee /tmp/sysbox-lite-integration.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)|Error|skip' ; \
	test $${PIPESTATUS[0]} -eq 0

demo:
	@$(call as_root,demo); $(MAKE) deps build && hack/demo.sh

# Benchmarks against real dockerd and runc: writes bench/results/ and the
# README's Performance section. Root only (no rootless shortcut).
bench:
	@$(call as_root,bench); $(MAKE) deps build && go run ./bench -bin $(BIN)

# cri-tools' CRI validation suite against a private containerd (1.6 and the
# pinned 2.x) with runtime handler sysbox-lite, then plain runc, side by
# side (docs/kubernetes.md). Root only; minutes, so not part of `make test`.
critest:
	@$(call as_root,critest); $(MAKE) deps build && hack/critest.sh

# The nested-VM test bed (hack/vm/, docs/vmtest.md): Debian 13 and 12 guests
# under qemu (systemd, cgroup v2, dockerd with the systemd cgroup driver), no
# network device. Guest images are cached under /var/cache/sysbox-lite-test/vm.
# What is tested is the committed HEAD (git archive), built by the scripts.
vmtest:
	@if [ "$$(id -u)" != 0 ]; then echo "make vmtest needs root (debootstrap, qemu): run sudo make vmtest" >&2; exit 1; fi
	hack/vm/run.sh full debian13 debian12

vmsmoke:
	@if [ "$$(id -u)" != 0 ]; then echo "make vmsmoke needs root (debootstrap, qemu): run sudo make vmsmoke" >&2; exit 1; fi
	hack/vm/run.sh smoke debian13

# make test's hook: VMSMOKE=1 runs the Debian 13 smoke (~7 min with a cached
# image, plus ~3 min for a cold image build), VMSMOKE=0 does not. The default
# (auto) runs it under CI=true (where a missing prerequisite fails it) or when
# the guest image is already cached, and otherwise says why it did not.
VMSMOKE ?= auto
vmsmoke-hook:
	@case "$(VMSMOKE)" in \
	1) $(MAKE) vmsmoke ;; \
	0) echo "vmsmoke: not run (VMSMOKE=0)" ;; \
	*) if [ "$${CI:-}" = true ]; then $(MAKE) vmsmoke; \
	   elif [ "$$(id -u)" != 0 ]; then echo "vmsmoke: not run (needs root)"; \
	   elif [ -n "$$(hack/vm/build-image.sh --cached debian13 2>/dev/null)" ]; then $(MAKE) vmsmoke; \
	   else echo "vmsmoke: not run: no cached Debian 13 guest image (make vmsmoke builds it, ~3 min; VMSMOKE=1 forces it)"; fi ;; \
	esac

install: build
	@$(call as_root,install)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/sysbox-lite
	install -D -m 0755 $(SHIM) $(DESTDIR)$(BINDIR)/containerd-shim-sysbox-lite-v2
	$(INSTALLER) install --bin-dir $(BINDIR) --containerd-shim $(CONTAINERD_SHIM)
	@# running containers: served by the new build from now on
	@if [ -z "$(DESTDIR)" ]; then $(BINDIR)/sysbox-lite reload; fi

uninstall: $(INSTALLER)
	@$(call as_root,uninstall)
	$(INSTALLER) uninstall --bin-dir $(BINDIR)
	rm -f $(DESTDIR)$(BINDIR)/sysbox-lite $(DESTDIR)$(BINDIR)/containerd-shim-sysbox-lite-v2

clean:
	rm -rf bin
