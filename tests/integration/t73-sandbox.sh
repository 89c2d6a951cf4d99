#!/bin/bash
# vfs-serve --sandbox and --seccomp: in each mode the server serves; a
# confined server cannot open a host file outside its share by any route
# (control "probe escape"), while an unconfined one can (so the probe can
# see an escape); it runs in its own namespaces with the capabilities and
# filter --print-capabilities names; a system call outside the allow-list
# kills it or is logged, as configured; the waiting parent passes signals
# on, cleans up the control socket and a FUSE mount, and leaves nothing
# running; and scenarios/security passes in every mode.
. "$(dirname "$0")/lib.sh"
plan 81

VS=$BIN/vfs-serve
VF=$BIN/vfs-fuse
cd "$TOP" || exit 1
mkdir -p "$T_TMP/src/d"
echo hello >"$T_TMP/src/d/f"
ln -s f "$T_TMP/src/d/link"
echo "outside-canary-$$" >"$T_TMP/outside"
no_server() { ! pgrep -f "$T_TMP/src" >/dev/null; }
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# start_vhost MODE [options]: a vhost-user server waiting for a front-end; sets PID, CHILD.
start_vhost() {
	local mode=$1
	shift
	rm -f "$T_TMP/vu.sock" "$T_TMP/ctl"
	"$VS" --sandbox="$mode" --vhost-user="$T_TMP/vu.sock" --control="$T_TMP/ctl" "$@" \
		"$T_TMP/src" 2>"$T_TMP/serve.err" &
	PID=$!
	T_PIDS+=("$PID")
	retry 200 test -S "$T_TMP/ctl" || echo "# no control socket: $(cat "$T_TMP/serve.err")"
	# The confined child is forked after the control socket is made (slowly under ASan).
	[ "$mode" = none ] || retry 200 sh -c "pgrep -P $PID >/dev/null"
	CHILD=$(pgrep -P "$PID" | head -1)
}

for mode in namespace chroot none; do
	start_vhost $mode
	for route in absolute proc-self-root proc-fd-root; do
		if [ $mode = none ]; then
			check "$mode: probe escape $route reaches the host file (the probe works)" \
				sh -c "'$HELPERS/vfs-ctl' '$T_TMP/ctl' 'probe escape $route $T_TMP/outside' | grep -qx 'read outside-canary-$$'"
		else
			check "$mode: probe escape $route is refused" \
				sh -c "'$HELPERS/vfs-ctl' '$T_TMP/ctl' 'probe escape $route $T_TMP/outside' | grep -q '^ok refused'"
		fi
	done
	if [ $mode = none ]; then
		for bad in "probe escape upward $T_TMP/outside:unknown route 'upward'" \
			"probe escape absolute outside:'outside' is not an absolute path" \
			"probe escape absolute:usage: probe escape ROUTE PATH"; do
			check "${bad%%:*}: refused, saying why" sh -c \
				"'$HELPERS/vfs-ctl' '$T_TMP/ctl' '${bad%%:*}' | grep -q \"^err .*${bad#*:}\""
		done
	fi
	if [ $mode != none ]; then
		check "$mode: probe escape proc-init-root (another process's root) is refused" \
			sh -c "'$HELPERS/vfs-ctl' '$T_TMP/ctl' 'probe escape proc-init-root $T_TMP/outside' | grep -q '^ok refused'"
		check "$mode: the server is the waiting parent's child" [ -n "$CHILD" ]
		check_eq "$mode: it keeps only the capabilities it serves with (CapEff)" \
			00000000880000df "$(status_field "${CHILD:-0}" CapEff)"
		check_eq "... the bounding set is as small" 00000000880000df "$(status_field "${CHILD:-0}" CapBnd)"
		check_eq "... and a seccomp filter (kill, the vhost-user default) is on" 2 \
			"$(status_field "${CHILD:-0}" Seccomp)"
	fi
	if [ $mode = namespace ]; then
		for ns in mnt pid net; do
			check "namespace: the server has a $ns namespace of its own" \
				[ "$(readlink /proc/"${CHILD:-0}"/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ]
		done
	fi
	"$VF" --connect="$T_TMP/vu.sock" lookup 1 d \; lookup 2 f \; read 3 \; readlink 4 \
		>"$T_TMP/out" 2>"$T_TMP/err"
	"$VF" --connect="$T_TMP/vu.sock" lookup 2 link \; readlink 4 >/dev/null 2>&1
	check "$mode: a front-end is served (LOOKUP, READ)" grep -q '"value":"hello\\u000a"' "$T_TMP/out"
	wait "$PID"
	check_eq "$mode: the server exits 0 when the front-end hangs up" 0 $?
	check "... the control socket is gone" test ! -e "$T_TMP/ctl"
	check "... and no process is left" no_server
done

# --print-capabilities says what each mode keeps.
check "--print-capabilities: namespace and kill by default" sh -c \
	"'$VS' --print-capabilities | grep -q '\"mode\": \"namespace\"' && '$VS' --print-capabilities | grep -q '\"seccomp\": \"kill\"'"
check "... without sys_admin" sh -c "! '$VS' --print-capabilities | grep -q sys_admin"
check "... sys_admin only for fanotify-fs" sh -c "'$VS' --notify-backend=fanotify-fs --print-capabilities | grep -q sys_admin"
check "... no dac_read_search with neither handles nor fanotify" sh -c \
	"! '$VS' --notify-backend=inotify --print-capabilities | grep -q dac_read_search"
check "... and everything without a sandbox" sh -c "'$VS' --sandbox=none --print-capabilities | grep -q '\"all\"'"

# A system call outside the allow-list: killed, logged, or let through.
start_vhost namespace --seccomp=kill
"$HELPERS/vfs-ctl" "$T_TMP/ctl" "probe syscall" >"$T_TMP/out" 2>&1
wait "$PID"
check_eq "--seccomp=kill: the forbidden call kills the server; the parent exits 128+SIGSYS" 159 $?
check "... saying so" grep -q "the sandboxed server was killed by signal 31" "$T_TMP/serve.err"
check "... no reply came" sh -c "! grep -q '^ok' '$T_TMP/out'"
check "... the parent removed the control socket" test ! -e "$T_TMP/ctl"
check "... and nothing is left" no_server
start_vhost namespace --seccomp=log
check_eq "--seccomp=log: the forbidden call is made" ok \
	"$("$HELPERS/vfs-ctl" "$T_TMP/ctl" "probe syscall" | cut -d' ' -f1)"
check "... and logged to the kernel log (audit type=1326, syscall 103) with the server's pid" \
	retry 40 sh -c "dmesg | grep 'type=1326' | grep 'pid=${CHILD:-0} ' | grep -q 'syscall=103 '"
kill "$PID"
wait "$PID"
check_eq "... SIGTERM to the parent stops the server: exit 0" 0 $?
start_vhost none --seccomp=none
check "--seccomp=none: nothing filtered" sh -c \
	"'$HELPERS/vfs-ctl' '$T_TMP/ctl' 'probe syscall' | grep -q '^ok syslog returned' && [ \"\$(awk '\$1 == \"Seccomp:\" {print \$2}' /proc/$PID/status)\" = 0 ]"
kill "$PID"
wait "$PID"

# --rlimit-nofile, and the default that raises the soft limit to the hard one.
start_vhost namespace --rlimit-nofile=1000
check_eq "--rlimit-nofile=1000 is the server's soft limit" 1000 \
	"$(awk '/^Max open files/ { print $4 }' /proc/"${CHILD:-0}"/limits)"
kill "$PID"
wait "$PID"
start_vhost chroot
check_eq "without it the soft limit is the hard one" \
	"$(awk '/^Max open files/ { print $5 }' /proc/"${CHILD:-0}"/limits)" \
	"$(awk '/^Max open files/ { print $4 }' /proc/"${CHILD:-0}"/limits)"
kill "$PID"
wait "$PID"

# A FUSE mount, confined: the server works through /proc/self/fd names; the parent unmounts.
for mode in namespace chroot; do
	serve "$T_TMP/src" "$T_TMP/mnt-$mode" --sandbox=$mode --seccomp=kill
	check "$mode mount: reading through it works" grep -qx hello "$T_TMP/mnt-$mode/d/f"
	setfattr -n user.k -v v "$T_TMP/mnt-$mode/d/f" 2>>"$T_TMP/err"
	check_eq "$mode mount: an xattr set and read (a path-only call, through the fd's name)" v \
		"$(getfattr --only-values -n user.k "$T_TMP/mnt-$mode/d/f" 2>>"$T_TMP/err")"
	check "$mode mount: readlink of a symlink" [ "$(readlink "$T_TMP/mnt-$mode/d/link")" = f ]
	echo new >"$T_TMP/mnt-$mode/d/g"
	check "$mode mount: a file created through it is in the share" grep -qx new "$T_TMP/src/d/g"
	rm -f "$T_TMP/src/d/g"
	check "$mode mount: probe escape absolute is refused" sh -c \
		"'$HELPERS/vfs-ctl' '$T_TMP/mnt-$mode.ctl' 'probe escape absolute $T_TMP/outside' | grep -q '^ok refused'"
	kill "$SERVE_PID"
	wait "$SERVE_PID"
	check_eq "$mode mount: SIGTERM: exit 0" 0 $?
	check "... the parent took the mount down" sh -c "! mountpoint -q '$T_TMP/mnt-$mode'"
	check "... and the control socket" test ! -e "$T_TMP/mnt-$mode.ctl"
done
check "no server left" no_server

# --background: the confined server says when it serves; the first process goes.
rm -f "$T_TMP/vu.sock" "$T_TMP/ctl"
"$VS" --background --vhost-user="$T_TMP/vu.sock" --control="$T_TMP/ctl" "$T_TMP/src" 2>"$T_TMP/serve.err"
check_eq "--background with the default sandbox: exit 0 once serving" 0 $?
check "... the control socket answers" sh -c "'$HELPERS/vfs-ctl' '$T_TMP/ctl' counters | grep -q '^ok counters'"
"$VF" --connect="$T_TMP/vu.sock" getattr 1 >/dev/null 2>&1
check "... and it exits when the front-end hangs up" retry 100 no_server

# Bad values are named.
for bad in "--sandbox=jail:want namespace, chroot or none" "--seccomp=trap:want kill, log or none" \
	"--rlimit-nofile=10:want 64 to 1073741824" "--rlimit-nofile=x:want 64 to 1073741824"; do
	"$VS" "${bad%%:*}" --vhost-user=x "$T_TMP/src" 2>"$T_TMP/err"
	check "${bad%%:*}: exit 2 saying what is wanted" sh -c "[ $? = 2 ] && grep -q '${bad#*:}' '$T_TMP/err'"
done
"$VS" --rlimit-nofile=1073741824 --vhost-user="$T_TMP/vu2.sock" "$T_TMP/src" 2>"$T_TMP/err"
check "--rlimit-nofile over the hard limit: exit 1 saying so" sh -c \
	"[ $? = 1 ] && grep -q 'is over the hard limit' '$T_TMP/err'"
check "nothing left at the end" no_server

# What a hostile guest tries, against vfs-serve in every sandbox mode (under SAN too, with make check SAN=1).
"$BIN/vfs-scenario" --targets=fixed,fixed:chroot,fixed:namespace,fixed-vhost,fixed-vhost:chroot,fixed-vhost:none \
	scenarios/security >"$T_TMP/matrix" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/matrix" | tail -20
check_eq "scenarios/security on fixed and fixed-vhost in every sandbox mode: as declared" 0 $rc
check "... every one passes, nothing skipped" grep -Eq "^vfs-scenario: [0-9]+ passed, 0 failed, 0 skipped$" "$T_TMP/matrix"
finish
