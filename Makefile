# vfskit: one Makefile for everything. Quiet by default; V=1 shows commands.
#   make              build every CLI into build/bin/
#   make check        install missing packages, build, run all tests
#   make conformance  the main job (see README.md); SHARD=K/N for part K of N
#   make deb          the Debian package, build/deb/vfskit_VERSION_amd64.deb
#   make bench        benchmarks, as ratios against baselines run alongside
#   make SAN=1 ...    the same under ASan+UBSan, in build-san/
#   make install      binaries, man pages, scenarios and fixtures (PREFIX,
#                     DESTDIR, BINDIR, MANDIR, DATADIR); make uninstall

.DELETE_ON_ERROR:
.SUFFIXES:

CC      ?= cc
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR  ?= $(DATADIR)/man
SAN     ?=
V       ?=
Q       := $(if $(V),,@)
BUILD   := $(if $(SAN),build-san,build)

DEB_PACKAGES := gcc make libc6-dev pkg-config libfuse3-dev fuse3 check e2fsprogs util-linux mount \
	libseccomp-dev libjson-c-dev attr perl-base qemu-system-common qemu-system-x86 man-db \
	clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev systemtap-sdt-dev \
	fuse-overlayfs mergerfs bindfs unionfs-fuse
# Installed without what they recommend (Chromium's desktop, debhelper's
# extras): the page's test needs a headless browser, make deb and its
# test Debian's packaging tools.
DEB_PACKAGES_LEAN := chromium debhelper dpkg-dev lintian

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wshadow -pthread
# The one place the version comes from; every tool's --version prints it.
VERSION  := $(shell cat VERSION)
CPPFLAGS += -Ilib -DFUSE_USE_VERSION=312 -DVFSKIT_VERSION='"$(VERSION)"'
CPPFLAGS += $(shell pkg-config --cflags fuse3 2>/dev/null)
LDLIBS_FUSE  := $(shell pkg-config --libs fuse3 2>/dev/null)
LDLIBS_CHECK := $(shell pkg-config --libs check 2>/dev/null)
# json-c reads and writes results documents (lib/results): a parser for
# files from other machines is not one to write by hand.
CPPFLAGS += $(shell pkg-config --cflags json-c 2>/dev/null)
LDLIBS_JSON  := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRCS := $(shell find lib -name "*.c" | sort)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libvfskit.a

SERVE_SRCS := $(wildcard cmd/vfs-serve/*.c)
SERVE_OBJS := $(SERVE_SRCS:%.c=$(BUILD)/obj/%.o)
INJ_SRCS   := $(wildcard cmd/vfs-inject/*.c)
INJ_OBJS   := $(INJ_SRCS:%.c=$(BUILD)/obj/%.o)
LDLIBS_SECCOMP := $(shell pkg-config --libs libseccomp 2>/dev/null)
# vfs-trace: the .bpf.c is built by clang for the BPF target, the rest by
# $(CC); only vfs-trace.c needs the skeleton, so lib/trace (the event, its
# pairing and formatting, tracefs) builds without clang.
CLANG      ?= clang
BPFTOOL    ?= bpftool
LDLIBS_BPF := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
WATCH_SRCS := $(wildcard cmd/vfs-watch/*.c)
WATCH_OBJS := $(WATCH_SRCS:%.c=$(BUILD)/obj/%.o)
FUSECLI_SRCS := $(wildcard cmd/vfs-fuse/*.c)
FUSECLI_OBJS := $(FUSECLI_SRCS:%.c=$(BUILD)/obj/%.o)
FUZZ_SRCS  := $(wildcard cmd/vfs-fuzz/*.c)
FUZZ_OBJS  := $(FUZZ_SRCS:%.c=$(BUILD)/obj/%.o)
SCEN_SRCS  := $(wildcard cmd/vfs-scenario/*.c)
SCEN_OBJS  := $(SCEN_SRCS:%.c=$(BUILD)/obj/%.o)

UNIT_SRCS  := $(shell find tests/unit -name "*.c" | sort)
UNIT_OBJS  := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)
HELPERS    := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(wildcard tests/helpers/*.c))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(filter-out %.bpf.c tests/bench/trace_floor.c,$(wildcard tests/bench/*.c))) \
	$(BUILD)/bench/trace_floor

BINS := $(BUILD)/bin/vfs-serve $(BUILD)/bin/vfs-scenario $(BUILD)/bin/vfs-inject \
	$(BUILD)/bin/vfs-trace $(BUILD)/bin/vfs-fuse $(BUILD)/bin/vfs-watch $(BUILD)/bin/vfs-fuzz

all: $(BINS)

# vfs-scenario looks for installed scenarios under DATADIR last (paths.c).
$(BUILD)/obj/lib/target/target_locate.o: CPPFLAGS += -DVFSKIT_DATADIR='"$(DATADIR)"'

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/vfs-serve: $(SERVE_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_FUSE) $(LDLIBS_SECCOMP)

$(BUILD)/bin/vfs-fuse: $(FUSECLI_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/bin/vfs-fuzz: $(FUZZ_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/bin/vfs-watch: $(WATCH_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lm

$(BUILD)/bin/vfs-inject: $(INJ_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_SECCOMP)

# vmlinux.h from the running kernel's BTF: CO-RE relocates the rest.
$(BUILD)/vmlinux.h:
	@mkdir -p $(dir $@)
	@test -r /sys/kernel/btf/vmlinux || { echo "vfs-trace: no /sys/kernel/btf/vmlinux: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y), so vmlinux.h cannot be made"; exit 1; }
	@$(if $(Q),echo "  BTF     $@")
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c >$@

$(BUILD)/obj/cmd/vfs-trace/vfs-trace.bpf.o: cmd/vfs-trace/vfs-trace.bpf.c lib/trace/trace_event.h $(BUILD)/vmlinux.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BPF     $<")
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD) -Ilib \
		-I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

$(BUILD)/vfs-trace.skel.h: $(BUILD)/obj/cmd/vfs-trace/vfs-trace.bpf.o
	@$(if $(Q),echo "  SKEL    $@")
	$(Q)$(BPFTOOL) gen skeleton $< name vfs_trace_bpf >$@

$(BUILD)/obj/cmd/vfs-trace/vfs-trace.o: cmd/vfs-trace/vfs-trace.c $(BUILD)/vfs-trace.skel.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) -I$(BUILD) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/bin/vfs-trace: $(BUILD)/obj/cmd/vfs-trace/vfs-trace.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_BPF)

# The runner checks inject lines with vfs-inject's spec parser (lib/obs).
$(BUILD)/bin/vfs-scenario: $(SCEN_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_FUSE) $(LDLIBS_SECCOMP) $(LDLIBS_JSON)

# The scenario parser is tested on its own, without the runner's main().
# Unit suites link lib/ only: what they test lives there.
$(BUILD)/tests/unit: $(UNIT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_CHECK) $(LDLIBS_FUSE) $(LDLIBS_SECCOMP) $(LDLIBS_JSON)

$(BUILD)/tests/%: tests/helpers/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS_FUSE)

# The floor vfs-trace is measured against: empty programs on its hooks.
$(BUILD)/bench/trace_floor.bpf.o: tests/bench/trace_floor.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BPF     $<")
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD) \
		-I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

$(BUILD)/bench/trace_floor: tests/bench/trace_floor.c $(LIB) $(BUILD)/bench/trace_floor.bpf.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) \
		$(LDLIBS_BPF)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS_FUSE) $(LDLIBS_SECCOMP)

# libfuse's own examples: a baseline for benchmarks and foreign targets
# for scenarios; built from the copies libfuse3-dev ships, with the
# HAVE_* features libfuse's own build finds on Debian 12 (the examples
# fall back to EOPNOTSUPP without them, which would be our doing).
EXAMPLES_DIR := /usr/share/doc/libfuse3-dev/examples
EXAMPLES     := $(addprefix $(BUILD)/bench/,passthrough_ll passthrough passthrough_fh)
EXAMPLE_HAVE := -DHAVE_COPY_FILE_RANGE -DHAVE_FALLOCATE -DHAVE_FDATASYNC -DHAVE_FSTATAT \
	-DHAVE_POSIX_FALLOCATE -DHAVE_SETXATTR -DHAVE_UTIMENSAT
$(EXAMPLES): $(BUILD)/bench/%: $(EXAMPLES_DIR)/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -O2 -w $(EXAMPLE_HAVE) -I$(EXAMPLES_DIR) -o $@ $< $(shell pkg-config --cflags --libs fuse3)

# Installs what a fresh Debian 12 lacks (as root), or says exactly what to run.
deps:
	@missing=""; lean=""; for p in $(DEB_PACKAGES) $(DEB_PACKAGES_LEAN); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' && continue; \
	  case " $(DEB_PACKAGES_LEAN) " in *" $$p "*) lean="$$lean $$p";; *) missing="$$missing $$p";; esac; \
	done; \
	if [ -n "$$missing$$lean" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing$$lean"; \
	    apt-get update -qq || exit 1; \
	    [ -z "$$missing" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	    [ -z "$$lean" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$lean >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages; as root run: apt-get install -y$$missing$$lean"; exit 1; \
	  fi; \
	fi

# The guests QEMU boots for the real-guest tests, one per kernel: Debian
# 12's cloud kernel (6.1) and Debian 13's (6.12), with Debian 12's
# busybox-static (fetched with apt-get download through a project-local
# apt configuration, never installed) and a static handle_probe and
# agent, in build/guest/KERNEL/ whatever SAN is; remade when an input
# changes. fixtures/guest/ says how.
GUEST         := build/guest
GUEST_KERNELS := 6.1 6.12
GUEST_FILES   := fixtures/guest/mkimage.sh fixtures/guest/fetch.sh fixtures/guest/init.sh \
	fixtures/debian/apt-download.sh
$(GUEST)/handle_probe: tests/helpers/handle_probe.c lib/util/handle_text.c lib/util/errno_name.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@ (static)")
	$(Q)$(CC) -static -O2 -Ilib -o $@ $^
# The agent runs the runner's own step code (lib/guest) inside the guest.
AGENT_SRCS := $(wildcard cmd/vfs-guest-agent/*.c) $(wildcard lib/guest/*.c) lib/util/array.c \
	lib/util/strbuf.c lib/util/handle_text.c lib/util/file_type.c lib/util/proc_fd.c \
	lib/util/errno_name.c lib/util/mono_clock.c
$(GUEST)/vfs-guest-agent: $(AGENT_SRCS) $(wildcard cmd/vfs-guest-agent/*.h) $(wildcard lib/guest/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@ (static)")
	$(Q)$(CC) -static -O2 -std=gnu11 -Wall -Wextra -pthread -Ilib -o $@ $(AGENT_SRCS)
$(GUEST)/%/initrd.gz: $(GUEST_FILES) $(GUEST)/handle_probe $(GUEST)/vfs-guest-agent
	@$(if $(Q),echo "  GUEST   $@")
	$(Q)mkdir -p $(GUEST)/$* && debs=$$(fixtures/guest/fetch.sh $* $(GUEST)/debs-$*) && \
	  fixtures/guest/mkimage.sh $(GUEST)/$* $$debs fixtures/guest/init.sh $(GUEST)/handle_probe \
	    $(GUEST)/vfs-guest-agent >/dev/null
guest: $(foreach k,$(GUEST_KERNELS),$(GUEST)/$(k)/initrd.gz)

# The Rust virtiofsd of Debian 13 with its own loader and libraries,
# unpacked under build/virtiofsd-rs/ (never installed); remade when the
# pin changes. fixtures/virtiofsd-rs/ says how.
VIRTIOFSD_RS := build/virtiofsd-rs/virtiofsd
$(VIRTIOFSD_RS): fixtures/virtiofsd-rs/pin fixtures/virtiofsd-rs/fetch.sh fixtures/debian/apt-download.sh
	@$(if $(Q),echo "  FETCH   $@")
	$(Q)fixtures/virtiofsd-rs/fetch.sh $(dir $@) >/dev/null
virtiofsd-rs: $(VIRTIOFSD_RS)

build-tests: $(BINS) $(BUILD)/tests/unit $(HELPERS) $(EXAMPLES) guest virtiofsd-rs

# Sub-makes re-read pkg-config after deps installed it.
check: deps
	$(Q)$(MAKE) --no-print-directory build-tests
	$(Q)$(MAKE) --no-print-directory run-check

run-check:
	@echo "== unit tests"
	$(Q)CK_FORK=yes $(BUILD)/tests/unit
	@echo "== integration tests"
	$(Q)BUILD=$(BUILD) $(if $(SAN),T_LIMIT=600) tests/integration/run.sh

# The main job: the scenario matrix against vfs-serve's designs,
# libfuse's examples and the C and the Rust virtiofsd, on fixtures the runner makes itself.
TARGETS := ids-only,v3,fixed,passthrough_ll,passthrough,passthrough_fh,virtiofsd-c,virtiofsd-rs,virtiofsd-rs:prefer,virtiofsd-rs:none,fixed-vhost
# vfs-serve in its other sandbox modes (fixed: none by default; fixed-vhost:
# namespace): every scenario, the hostile guest's among them.
SANDBOX_TARGETS := fixed:chroot,fixed:namespace,fixed-vhost:chroot,fixed-vhost:none
# The virtiofsds keep xattrs off unless told: the security family with them on.
XATTR_TARGETS := virtiofsd-c:xattr,virtiofsd-rs:xattr
# The Rust virtiofsd's migration modes (vhost-user device state; the
# designs and the C virtiofsd do not offer it: n/a there).
MIGRATION_TARGETS := virtiofsd-rs:verify-handles,virtiofsd-rs:confirm-paths,virtiofsd-rs:file-handles
# The FUSE passthrough daemons Debian packages, in the inode modes people
# run (README.md's target table says which options and why); fuse-overlayfs
# also over a /dev/fuse fd for the protocol scenarios.
FUSE_DAEMON_LIST := fuse-overlayfs fuse-overlayfs:devfuse mergerfs mergerfs:path-hash \
	mergerfs:devino-hash mergerfs:passthrough mergerfs:no-use-ino bindfs unionfs-fuse \
	unionfs-fuse:no-use-ino
empty :=
comma := ,
FUSE_DAEMONS := $(subst $(empty) $(empty),$(comma),$(strip $(FUSE_DAEMON_LIST)))
# With QEMU and the guest images, the vhost-user columns also run the
# mount scenarios in real Linux guests (--guest=vm), one column per guest
# kernel; columns run side by side, one per core.
CONFORMANCE_JOBS ?= $(shell nproc)
# SHARD=K/N runs part K of N of each run (for N CI jobs); each run's
# results go to build/conformance/, merged into results.json and the page
# results.html when the whole matrix ran here.
SHARD ?=
CONFORMANCE_OUT := $(BUILD)/conformance
CONFORMANCE_TAG := $(if $(SHARD),-shard$(subst /,-of-,$(SHARD)))
CONFORMANCE_RUN := $(BUILD)/bin/vfs-scenario --jobs=$(CONFORMANCE_JOBS) $(if $(SHARD),--shard=$(SHARD)) \
	--results=$(CONFORMANCE_OUT)/run
conformance: deps
	$(Q)$(MAKE) --no-print-directory $(BINS) $(EXAMPLES) virtiofsd-rs
	$(Q)if command -v qemu-system-x86_64 >/dev/null && $(MAKE) --no-print-directory guest; then \
	  vm="--guest=vm --guest-kernel=$(subst $(empty) $(empty),$(comma),$(GUEST_KERNELS))"; \
	else \
	  echo "conformance: no VM columns: needs qemu-system-x86 (apt-get install qemu-system-x86) and make guest"; \
	  vm=; \
	fi; \
	mkdir -p $(CONFORMANCE_OUT) && rm -f $(foreach i,1 2 3 4 5,$(CONFORMANCE_OUT)/run$(i)$(CONFORMANCE_TAG).json) && \
	$(CONFORMANCE_RUN)1$(CONFORMANCE_TAG).json $$vm --targets=$(TARGETS) scenarios && \
	$(CONFORMANCE_RUN)2$(CONFORMANCE_TAG).json --targets=$(SANDBOX_TARGETS) scenarios && \
	$(CONFORMANCE_RUN)3$(CONFORMANCE_TAG).json --targets=$(XATTR_TARGETS) scenarios/security && \
	$(CONFORMANCE_RUN)4$(CONFORMANCE_TAG).json --targets=$(MIGRATION_TARGETS) scenarios/migration && \
	$(CONFORMANCE_RUN)5$(CONFORMANCE_TAG).json --targets=$(FUSE_DAEMONS) scenarios && \
	$(if $(SHARD),echo "conformance: shard $(SHARD): $(CONFORMANCE_OUT)/run?$(CONFORMANCE_TAG).json; merge every shard's with vfs-scenario merge",\
	$(BUILD)/bin/vfs-scenario merge --html=$(CONFORMANCE_OUT)/results.html $(CONFORMANCE_OUT)/run?.json \
	  >$(CONFORMANCE_OUT)/results.json && echo "conformance: $(CONFORMANCE_OUT)/results.json, results.html")

# The runs make conformance makes, one a line: targets, then scenarios
# (tests/integration/t83-ci.sh shards exactly these).
conformance-matrix:
	@echo "--targets=$(TARGETS) --guest=vm --guest-kernel=$(subst $(empty) $(empty),$(comma),$(GUEST_KERNELS)) scenarios"
	@echo "--targets=$(SANDBOX_TARGETS) scenarios"
	@echo "--targets=$(XATTR_TARGETS) scenarios/security"
	@echo "--targets=$(MIGRATION_TARGETS) scenarios/migration"
	@echo "--targets=$(FUSE_DAEMONS) scenarios"

# vfs-fuzz against every target for FUZZ_SECONDS each, with a table:
# target, steps, requests, rate, daemon runs, start time, distinct findings.
# vfs-serve's designs that should be clean must find nothing (exit 0); the
# other daemons' findings are written to build/fuzz-findings (exit 1 is
# what finding something looks like, and is not a failure here); the
# virtiofsds once more faithful (as a kernel: past finding 16's hangs),
# where inode numbers are reused.
FUZZ_SECONDS ?= 60
FUZZ_CLEAN   := fixed,fixed:namespace,fixed-vhost,fixed-vhost:chroot
FUZZ_OTHERS  := virtiofsd-c,virtiofsd-rs,virtiofsd-rs:prefer,passthrough_ll,passthrough,passthrough_fh,fuse-overlayfs
fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(BINS) $(EXAMPLES) virtiofsd-rs
	$(Q)$(BUILD)/bin/vfs-fuzz --targets=$(FUZZ_CLEAN) --seconds=$(FUZZ_SECONDS) --jobs=2 \
	  --out=$(BUILD)/fuzz-findings
	$(Q)$(BUILD)/bin/vfs-fuzz --targets=$(FUZZ_CLEAN) --fixture=ext4-small \
	  --serve-option=--inode-file-handles=prefer --seconds=$(FUZZ_SECONDS) --jobs=2 \
	  --out=$(BUILD)/fuzz-findings
	$(Q)$(BUILD)/bin/vfs-fuzz --targets=$(FUZZ_OTHERS) --seconds=$(FUZZ_SECONDS) --jobs=2 \
	  --out=$(BUILD)/fuzz-findings; test $$? -le 1
	$(Q)$(BUILD)/bin/vfs-fuzz --targets=virtiofsd-c,virtiofsd-rs,virtiofsd-rs:prefer --faithful \
	  --fixture=ext4-small --seconds=$(FUZZ_SECONDS) --jobs=2 --out=$(BUILD)/fuzz-findings; \
	  test $$? -le 1

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BINS) $(BENCH_BINS) $(HELPERS) $(EXAMPLES) virtiofsd-rs guest
	$(Q)BUILD=$(BUILD) tests/bench/run.sh

# Installs into DESTDIR, under PREFIX only; the file list is the one
# uninstall removes.
MAN1    := $(foreach t,vfs-serve vfs-scenario vfs-inject vfs-trace vfs-fuse vfs-watch vfs-fuzz,cmd/$(t)/$(t).1)
MAN5    := cmd/vfs-scenario/vfs-scenario.5
SHARE   := $(shell find scenarios fixtures ci -type f | sort)

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	$(Q)for f in $(SHARE); do \
	  m=644; case $$f in *.sh) m=755;; esac; \
	  install -D -m $$m $$f $(DESTDIR)$(DATADIR)/vfskit/$$f || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -rf $(DESTDIR)$(DATADIR)/vfskit

# The Debian package, with Debian's tooling (debian/), built from a copy of
# the tree in build/deb/ so that dpkg-buildpackage's output stays there:
# build/deb/vfskit_VERSION_amd64.deb, then lintian on it.
DEB := build/deb/vfskit_$(VERSION)_amd64.deb
deb: deps
	$(Q)v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(VERSION)" ] || \
	  { echo "deb: debian/changelog is at $$v, VERSION at $(VERSION): add a changelog entry (dch -v $(VERSION))"; exit 1; }
	$(Q)rm -rf build/deb && mkdir -p build/deb/vfskit-$(VERSION)
	$(Q)tar -c --exclude='./build*' --exclude=./.git . | tar -x -C build/deb/vfskit-$(VERSION)
	$(Q)cd build/deb/vfskit-$(VERSION) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
	  { tail -30 ../build.log; echo "deb: dpkg-buildpackage failed; the whole log: build/deb/build.log"; exit 1; }
	$(Q)mkdir -p build/deb/tmp && TMPDIR=$(CURDIR)/build/deb/tmp \
	  lintian -I --fail-on error,warning $(DEB) >build/deb/lintian.out 2>&1; rc=$$?; \
	  grep -v "^running with root privileges" build/deb/lintian.out; exit $$rc
	@echo "deb: $(DEB)"

clean:
	rm -rf build build-san

.PHONY: all deps check build-tests run-check conformance conformance-matrix deb fuzz bench clean install uninstall guest virtiofsd-rs

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
