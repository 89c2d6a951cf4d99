#!/bin/bash
# The vhost-user front-end and FUSE client against real daemons: vfs-fuse
# drives the Debian C virtiofsd and vfs-serve's socket mode from a shell;
# vfs-serve's socket mode refuses hostile requests and keeps serving;
# vfs-scenario runs the protocol scenarios on both, shows the C
# virtiofsd's findings as FINDINGS.md declares them, and a daemon that
# never answers, exits at once, or outlives a killed runner never hangs
# anything or stays behind.
# limit: 480 s (about 3.5 minutes of real daemons and scenario runs; more under ASan)
. "$(dirname "$0")/lib.sh"
plan 118

VF=$BIN/vfs-fuse
SC=$BIN/vfs-scenario
VD=/usr/lib/qemu/virtiofsd
[ -x "$VD" ] || skip_all "needs $VD (apt-get install qemu-system-common; make check installs it)"
cd "$TOP" || exit 1
mkdir -p "$T_TMP/src"
echo hello >"$T_TMP/src/hello"
vd() { "$VF" --source="$T_TMP/src" --daemon-log="$T_TMP/vd.log" --vhost-user="$VD --fd={fd} -o source={source}" "$@"; }
no_daemons() { ! pgrep -f "$T_TMP" >/dev/null; }

RS=$TOP/build/virtiofsd-rs/virtiofsd
[ -x "$RS" ] || skip_all "needs the Rust virtiofsd: make virtiofsd-rs (make check makes it)"
rs() { "$VF" --timeout=2 --source="$T_TMP/src" --daemon-log="$T_TMP/rs.log" --vhost-user="env -u RUST_BACKTRACE $RS --fd={fd} --shared-dir={source} $1" "${@:2}"; }

# vfs-fuse against the C virtiofsd, spawned with a listening fd.
vd lookup 1 hello \; read 2 \; unlink 1 nope >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
check "LOOKUP: a JSON line with the nodeid and attributes" \
	grep -q '^{"request":"lookup","value":"2","nodeid":2,"generation":0,"ino":[0-9]*,"size":6,"nlink":1,"mode":420,"type":"reg"}$' "$T_TMP/out"
check "READ through open, read, release gives the data" grep -q '^{"request":"read","value":"hello\\u000a","bytes":6}$' "$T_TMP/out"
check "UNLINK of a missing name: the C virtiofsd says EIO (a finding)" grep -q '^{"request":"unlink","error":"EIO"}$' "$T_TMP/out"
check_eq "a request that failed makes the exit status 1" 1 $rc
check "the daemon ended cleanly when the front-end hung up (nothing said)" [ ! -s "$T_TMP/err" ]
vd raw unique-zero \; getattr 1 >"$T_TMP/out" 2>"$T_TMP/err"
check "unique 0 kills the C virtiofsd: the raw request says gone" grep -q '"request":"unique-zero","value":"gone"' "$T_TMP/out"
check "... the next request gets EPIPE, not a hang" grep -q '"request":"getattr","error":"EPIPE"' "$T_TMP/out"
check "... and vfs-fuse says how the daemon ended" grep -q "vfs-fuse: the daemon: exit 1" "$T_TMP/err"
check "... its log holds the assertion" grep -q "Assertion \`out->unique' failed" "$T_TMP/vd.log"
vd --minimal getattr 1 >"$T_TMP/out"
check_eq "--minimal (no protocol features, no ENABLE) works too" 0 $?
"$VF" --source="$T_TMP/src" --daemon-log="$T_TMP/vd.log" \
	--vhost-user="$VD --socket-path={socket} -o source={source}" getattr 1 >"$T_TMP/out"
check_eq "{socket}: the daemon makes the socket, vfs-fuse connects" 0 $?
check "... and removes its socket directory" sh -c "! ls -d /tmp/vfs-fuse.* 2>/dev/null"
rm -f /run/virtiofsd/.tmp.vfs-fuse.*.pid # the C virtiofsd never removes its pidfile
"$VD" --socket-path="$T_TMP/vu.sock" -o source="$T_TMP/src" 2>>"$T_TMP/vd.log" &
T_PIDS+=($!)
retry 100 test -S "$T_TMP/vu.sock"
"$VF" --connect="$T_TMP/vu.sock" lookup 1 hello >"$T_TMP/out"
check_eq "--connect: a daemon already listening" 0 $?
check "... answers" grep -q '"nodeid":2' "$T_TMP/out"
rm -f "/run/virtiofsd/.$(echo "$T_TMP/vu.sock" | tr / .).pid"

# INIT profiles: what is offered is what the profile says, and the kernel's by default.
for p in linux-6.1 linux-6.12 minimal; do
	vd --init=$p init >"$T_TMP/out-$p" 2>/dev/null
done
offered() { sed -n 1p "$T_TMP/out-$1" | grep -o '"offered":[0-9]*' | cut -d: -f2; }
o61=$(offered linux-6.1) o612=$(offered linux-6.12) omin=$(offered minimal)
check "--init: each profile offers its own flags" sh -c \
	"[ -n '$o61' ] && [ '$o61' != '$o612' ] && [ '$o61' != '$omin' ] && [ '$o612' != '$omin' ]"
check "... 6.12 offers CREATE_SUPP_GROUP (bit 34), 6.1 does not" \
	test "$(( (${o612:-0} >> 34) & 1 ))$(( (${o61:-0} >> 34) & 1 ))" = 10
vd init >"$T_TMP/out-default" 2>/dev/null
case "$(uname -r)" in 6.1[2-9]*|6.[2-9][0-9]*|[7-9].*) want=linux-6.12 ;; *) want=linux-6.1 ;; esac
check_eq "... and the default is the running kernel's ($want)" "$(offered $want)" "$(offered default)"
"$VF" --init=linux-5.0 --connect=x getattr 1 2>"$T_TMP/err"
check "--init of an unknown profile: exit 2 naming the choices" sh -c \
	"[ $? = 2 ] && grep -q \"invalid value 'linux-5.0' for --init: want one of linux-6.1, linux-6.12, minimal\" '$T_TMP/err'"
for bad in "--request-queues=7:want 1 to 6" "--request-queues=x:want 1 to 6" \
	"--supp-group=0:want a group id" "--supp-group=-5:want a group id"; do
	"$VF" "${bad%%:*}" --connect=x getattr 1 2>"$T_TMP/err"
	check "${bad%%:*}: exit 2 saying what is wanted" sh -c "[ $? = 2 ] && grep -q '${bad#*:}' '$T_TMP/err'"
done
"$VF" --connect=x raw send LOOKUP 1 u8:999 2>"$T_TMP/err"
check "raw send with a field that does not fit: exit 2 before anything starts" sh -c \
	"[ $? = 2 ] && grep -q 'a FIELD is u8:' '$T_TMP/err'"

# More than one request queue, on a back-end that has them; a clear refusal where it has not.
sv() { "$VF" --source="$T_TMP/src" --daemon-log="$T_TMP/sv.log" --vhost-user="$BIN/vfs-serve --design=fixed --fd={fd} $1 {source}" "${@:2}"; }
sv --request-queues=3 --request-queues=3 raw send queue=0 GETATTR 1 z:16 \; raw send queue=2 GETATTR 1 z:16 \; \
	lookup 1 hello \; getattr 2 \; getattr 2 \; getattr 2 \; raw send queue=3 GETATTR 1 z:16 >"$T_TMP/out" 2>"$T_TMP/err"
check "3 request queues: requests on queue 0 and 2, and in turn on all, are answered" \
	test "$(grep -c '"value":"ok"\|"nodeid":2\|"ino":' "$T_TMP/out")" = 6
check "... a queue it does not have is ERANGE, saying why" sh -c \
	"grep -q '\"send\",\"error\":\"ERANGE\"' '$T_TMP/out' && grep -q 'no such request queue' '$T_TMP/err'"
# --thread-pool-size: request queue 1 has a thread of its own. A LOOKUP that
# blocks in the host (statx of a FUSE mount whose daemon is stopped) holds
# queue 1 only: queue 0 answers meanwhile; with one thread it does not.
mkdir -p "$T_TMP/mq/src/m" "$T_TMP/mq/inner"
"$TOP/$BUILD/bench/passthrough_ll" -f -o source="$T_TMP/mq/inner",timeout=0 "$T_TMP/mq/src/m" 2>/dev/null &
inner=$!
T_PIDS+=("$inner")
T_MOUNTS+=("$T_TMP/mq/src/m")
check "the inner FUSE mount (libfuse's passthrough_ll) is up" retry 200 mountpoint -q "$T_TMP/mq/src/m"
lines() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
for tp in 2 0; do
	kill -STOP "$inner"
	: >"$T_TMP/mq/out-$tp"
	"$VF" --timeout=2 --request-queues=2 --source="$T_TMP/mq/src" --daemon-log="$T_TMP/mq/log-$tp" \
		--vhost-user="$BIN/vfs-serve --design=fixed --fd={fd} --request-queues=2 --thread-pool-size=$tp {source}" \
		getattr 1 \; lookup 1 m \; getattr 1 >"$T_TMP/mq/out-$tp" 2>/dev/null &
	front=$!
	retry 400 lines "$T_TMP/mq/out-$tp" 3
	kill -CONT "$inner"
	wait "$front"
done
check "--thread-pool-size=2: LOOKUP blocked on queue 1, queue 0 still answers GETATTR" sh -c \
	"sed -n 2p '$T_TMP/mq/out-2' | grep -q ETIMEDOUT && sed -n 3p '$T_TMP/mq/out-2' | grep -q '\"ino\":'"
check "... and with one thread (0) the GETATTR waits behind it: the test can tell" \
	sh -c "sed -n 3p '$T_TMP/mq/out-0' | grep -q '\"request\":\"getattr\",\"error\":\"ETIMEDOUT\"'"
fusermount3 -u "$T_TMP/mq/src/m"
wait "$inner"
left=$(pgrep -f "$T_TMP/mq/src")
check "... every thread stopped cleanly: no daemon left, nothing in its log" \
	test -z "$left$(cat "$T_TMP/mq/log-2")"
rs "" --request-queues=2 getattr 1 >/dev/null 2>"$T_TMP/err"
check "the Rust virtiofsd has one request queue: 2 are refused at GET_QUEUE_NUM, as QEMU refuses" \
	grep -q "GET_QUEUE_NUM: the back-end has 2 queues, 3 are needed" "$T_TMP/err"
rs "" --no-event-idx lookup 1 hello \; getattr 2 >"$T_TMP/out" 2>/dev/null
check "--no-event-idx: the Rust virtiofsd serves without EVENT_IDX too" test "$(grep -c '"ino":' "$T_TMP/out")" = 2

# Refusals before anything starts.
"$VF" getattr 1 2>"$T_TMP/err"
check_eq "no target: exit 2" 2 $?
check "... saying so" grep -q "need exactly one of --vhost-user, --connect, --fuse-socket (got 0)" "$T_TMP/err"
"$VF" --connect=x --fuse-socket=y getattr 1 2>/dev/null
check_eq "two targets: exit 2" 2 $?
"$VF" --vhost-user=true getattr 1 2>"$T_TMP/err"
check "--vhost-user without {socket} or {fd} is refused" grep -q "needs {socket} or {fd}" "$T_TMP/err"
"$VF" --connect=x lookup 1 2>"$T_TMP/err"
check "a request with the wrong words is refused with its usage" grep -q "'lookup': usage: lookup PARENT NAME" "$T_TMP/err"
"$VF" --connect=x raw frob 2>"$T_TMP/err"
check "an unknown raw request is refused" grep -q "'raw frob': an unknown raw request" "$T_TMP/err"
"$VF" --connect=x --timeout=nan getattr 1 2>"$T_TMP/err"
check "--timeout=nan is refused" grep -q "invalid value 'nan' for --timeout" "$T_TMP/err"

# vfs-serve's socket mode: served, hostile requests refused, exit 0 at hang-up.
"$BIN/vfs-serve" --fuse-socket="$T_TMP/fs.sock" "$T_TMP/src" 2>"$T_TMP/serve.err" &
spid=$!
T_PIDS+=($spid)
retry 100 test -S "$T_TMP/fs.sock"
"$VF" --fuse-socket="$T_TMP/fs.sock" lookup 1 hello \; raw short-header \; raw len-long \
	\; lookup 1 .. \; lookup 1 "../src/hello" \; raw name-unterminated \; read 2 >"$T_TMP/out"
wait $spid
check_eq "socket mode ends with exit 0 when its client hangs up" 0 $?
check "LOOKUP over the socket" grep -q '"request":"lookup","value":"2"' "$T_TMP/out"
check "a short header is dropped (no reply possible), and serving goes on" \
	grep -q '"request":"short-header","value":"no-reply"' "$T_TMP/out"
check "a length that lies is EINVAL" grep -q '"request":"len-long","error":"EINVAL"' "$T_TMP/out"
check "\"..\" at the root is the root, nodeid 1" grep -q '"request":"lookup","value":"1","nodeid":1' "$T_TMP/out"
check "a name with '/' is EINVAL" grep -q '"request":"lookup","error":"EINVAL"' "$T_TMP/out"
check "... and the file is still served after all of them" grep -q '"request":"read","value":"hello' "$T_TMP/out"
check "each refusal is logged with its reason" grep -q "refused a request (a name with '/'): EINVAL" "$T_TMP/serve.err"
"$BIN/vfs-serve" --fuse-socket=x "$T_TMP/src" "$T_TMP/mnt" 2>"$T_TMP/err"
check_eq "socket mode with a MOUNTPOINT too: exit 2" 2 $?
"$BIN/vfs-serve" --fuse-socket=x --fuse-fd=3 "$T_TMP/src" 2>"$T_TMP/err"
check "--fuse-socket with --fuse-fd is refused" grep -q "one or the other" "$T_TMP/err"
"$BIN/vfs-serve" --fuse-fd=1 "$T_TMP/src" 2>"$T_TMP/err"
check "--fuse-fd=1 is refused" grep -q "invalid value '1' for --fuse-fd" "$T_TMP/err"

# vfs-serve as a vhost-user back-end, driven by the same front-end.
vs() { "$VF" --source="$T_TMP/src" --daemon-log="$T_TMP/vs.log" --vhost-user="$BIN/vfs-serve --fd={fd} {source}" "$@"; }
: >"$T_TMP/vs.log"
vs lookup 1 hello \; raw zero-length \; raw writable-first \; raw outside \; raw no-reply-room \
	\; raw unique-zero \; raw short-header \; raw getattr-on-hiprio \; create 1 new \; write 3 data \
	\; read 3 \; rename 1 new 1 renamed \; unlink 1 renamed \; read 2 >"$T_TMP/out" 2>"$T_TMP/err"
check "vfs-serve --vhost-user serves LOOKUP" grep -q '"request":"lookup","value":"2"' "$T_TMP/out"
check "... malformed chains are returned without a reply, never a crash" \
	test "$(grep -c '"value":"no-reply"' "$T_TMP/out")" = 6
check "... a request on the hiprio queue is EINVAL" grep -q '"request":"getattr-on-hiprio","error":"EINVAL"' "$T_TMP/out"
check "... create, write, read back, rename, unlink after them" \
	grep -q '"request":"read","value":"data"' "$T_TMP/out"
check "... and the first file is still served" grep -q '"request":"read","value":"hello' "$T_TMP/out"
check "... the daemon ended with exit 0 when the front-end hung up" [ ! -s "$T_TMP/err" ]
check "... each refusal logged with its reason" grep -q "refused a chain on queue 1: zero-length descriptor" "$T_TMP/vs.log"
vs --minimal getattr 1 >/dev/null
check_eq "--minimal handshake against vfs-serve" 0 $?
check "--print-capabilities prints the back-end's JSON: type fs, then the sandbox" \
	sh -c "'$BIN/vfs-serve' --print-capabilities | tr -s ' \n' ' ' | grep -q '^{ \"type\": \"fs\", \"vfskit-sandbox\": { .* } }'"
"$BIN/vfs-serve" --cache=sometimes --fd=3 "$T_TMP/src" 2>"$T_TMP/err"
check "--cache=sometimes is refused" grep -q "invalid value 'sometimes' for --cache" "$T_TMP/err"
"$BIN/vfs-serve" --fd=3 --fuse-fd=4 "$T_TMP/src" 2>"$T_TMP/err"
check "--fd with --fuse-fd is refused" grep -q "are one or the other" "$T_TMP/err"
"$BIN/vfs-serve" --tag=0123456789012345678901234567890123456789 --fd=3 "$T_TMP/src" 2>"$T_TMP/err"
check "a tag past 36 bytes is refused" grep -q "invalid value .* for --tag" "$T_TMP/err"
"$VF" --source="$T_TMP/src" --vhost-user="$BIN/vfs-serve --socket-path={socket} --shared-dir={source} --cache=never --thread-pool-size=4" read 2 \; lookup 1 hello >"$T_TMP/out" 2>&1
check "virtiofsd's options: --socket-path, --shared-dir, --cache, --thread-pool-size" \
	grep -q '"request":"lookup","value":"2"' "$T_TMP/out"

# --reconnect: a new front-end after one hangs up, the old guest's inodes forgotten.
"$BIN/vfs-serve" --vhost-user="$T_TMP/rc.sock" --reconnect "$T_TMP/src" 2>"$T_TMP/rc.err" &
rpid=$!
T_PIDS+=($rpid)
retry 100 test -S "$T_TMP/rc.sock"
"$VF" --connect="$T_TMP/rc.sock" lookup 1 hello >"$T_TMP/rc1"
"$VF" --connect="$T_TMP/rc.sock" getattr 2 \; lookup 1 hello \; read 3 >"$T_TMP/rc2"
check "--reconnect: a second front-end is served" grep -q '"request":"read","value":"hello' "$T_TMP/rc2"
check "... the first one's nodeid is forgotten (ESTALE), not served" grep -q '"request":"getattr","error":"ESTALE"' "$T_TMP/rc2"
check "... and never handed out again (a new nodeid for the same file)" grep -q '"request":"lookup","value":"3"' "$T_TMP/rc2"
kill -TERM $rpid
wait $rpid
check_eq "... SIGTERM while it waits for the next front-end: exit 0" 0 $?
"$BIN/vfs-serve" --reconnect --fuse-fd=3 "$T_TMP/src" 2>"$T_TMP/err"
check "--reconnect outside vhost-user mode is refused" grep -q "reconnect is for vhost-user mode" "$T_TMP/err"

# A hostile guest's file handles and INTERRUPT, on vfs-serve --vhost-user itself.
sv "" lookup 1 hello \; raw send FSYNCDIR 1 u64:0 u32:0 u32:0 \; raw send RELEASEDIR 1 u64:0 u32:0 u32:0 u64:0 \; \
	release 2 5 \; getattr 1 \; read 2 >"$T_TMP/out" 2>"$T_TMP/err"
check "a handle never given (FSYNCDIR 0, RELEASEDIR 0, RELEASE 5) is EBADF, and the daemon lives" sh -c \
	"[ \$(grep -c '\"error\":\"EBADF\"' '$T_TMP/out') = 3 ] && grep -q '\"request\":\"getattr\",\"value\"' '$T_TMP/out'"
check "... its own fds untouched: the file still reads" grep -q '"request":"read","value":"hello' "$T_TMP/out"
sv "" raw send queue=hiprio INTERRUPT 0 u64:999 \; getattr 1 \; raw send INTERRUPT 0 u64:1 \; getattr 1 >"$T_TMP/out" 2>&1
check "an INTERRUPT of nothing: the next replies keep their uniques" \
	test "$(grep -c '"request":"getattr","value"' "$T_TMP/out")" = 2

# The protocol scenarios on vfs-serve's designs and both virtiofsds.
proto="scenarios/protocol scenarios/security $(ls scenarios/*/proto-*.scn | tr '\n' ' ')"
"$SC" --jobs=2 --targets=ids-only,v3,fixed,virtiofsd,virtiofsd-rs,virtiofsd-rs:prefer,virtiofsd-rs:none,fixed-vhost \
	$proto >"$T_TMP/matrix" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/matrix" | grep -v "^#   "
check_eq "protocol matrix: every outcome as declared" 0 $rc
check "... with the virtiofsd columns beside the designs (virtiofsd is virtiofsd-c)" grep -Eq \
	"^SCENARIO +ids-only +v3 +fixed +virtiofsd-c +virtiofsd-rs +virtiofsd-rs:prefer +virtiofsd-rs:none +fixed-vhost" \
	"$T_TMP/matrix"
# supp-groups is n/a on vfs-serve: libfuse 3.14 does not take CREATE_SUPP_GROUP.
check "... every protocol scenario passes on vfs-serve --vhost-user (supp-groups n/a)" \
	sh -c "grep -E '^[a-z0-9-]+/[a-z0-9-]+ ' '$T_TMP/matrix' | grep -v '^n/a ' | sed -E 's/ +$//; s/ {2,}/;/g' |
		awk -F';' '{ ok = \$NF == \"PASS\" || (\$1 == \"protocol/supp-groups\" && \$NF == \"n/a\"); if (!ok) exit 1 }'"
check "... every protocol scenario passes on the fixed design (supp-groups n/a)" \
	sh -c "grep -E '^[a-z0-9-]+/[a-z0-9-]+ ' '$T_TMP/matrix' | grep -v '^n/a ' | grep -v '/chain-' | sed -E 's/ {2,}/;/g' |
		awk -F';' '{ ok = \$4 == \"PASS\" || (\$1 == \"protocol/supp-groups\" && \$4 == \"n/a\"); if (!ok) exit 1 }'"
check "... the Rust virtiofsd takes the supplementary group and passes supp-groups in all three modes" \
	grep -Eq '^protocol/supp-groups +n/a +n/a +n/a +n/a +PASS +PASS +PASS +n/a *$' "$T_TMP/matrix"
check "... and answers ENOSYS to STATX, TMPFILE and COPY_FILE_RANGE_64 (n/a there, PASS on fixed-vhost)" \
	[ "$(grep -Ec '^protocol/(statx|tmpfile|copy-range-64) +PASS +PASS +PASS +n/a +n/a +n/a +n/a +PASS *$' "$T_TMP/matrix")" = 3 ]
# The C virtiofsd's findings, row by row as FINDINGS.md's second table says.
awk '/^## / { on = /^## The virtiofsd table/ } on && /^\| [a-z-]+\/[a-z-]+ \|/ {
	split($0, c, "|"); gsub(/ /, "", c[2]); gsub(/^ +| +$/, "", c[3]); print c[2] ";" c[3] }' \
	scenarios/FINDINGS.md >"$T_TMP/findings"
check "FINDINGS.md has a virtiofsd table of at least 8 rows" test "$(wc -l <"$T_TMP/findings")" -ge 8
bad=0
while IFS=';' read -r name want; do
	got=$(grep -E "^$name " "$T_TMP/matrix" | sed -E 's/ +$//; s/ {2,}/;/g' | awk -F';' '{ print $5 }')
	[ "$got" = "$want" ] || { bad=1; echo "#   $name: want $want, got $got"; }
done <"$T_TMP/findings"
check_eq "every virtiofsd row of FINDINGS.md is what the matrix shows" 0 $bad
# The Rust virtiofsd's: three columns, options one at a time.
awk -F'|' '/^## / { on = /^## The virtiofsd-rs table/ } on && /^\| [a-z-]+\/[a-z-]+ \|/ {
	for (i = 2; i <= 5; i++) gsub(/^ +| +$/, "", $i); print $2 ";" $3 ";" $4 ";" $5 }' \
	scenarios/FINDINGS.md >"$T_TMP/findings-rs"
check "FINDINGS.md has a virtiofsd-rs table of at least 8 rows" test "$(wc -l <"$T_TMP/findings-rs")" -ge 8
bad=0
while IFS=';' read -r name want; do
	got=$(grep -E "^$name " "$T_TMP/matrix" | sed -E 's/ +$//; s/ {2,}/;/g' | cut -d';' -f6-8)
	[ "$got" = "$want" ] || { bad=1; echo "#   $name: want $want, got $got"; }
done <"$T_TMP/findings-rs"
check_eq "every virtiofsd-rs row of FINDINGS.md is what the matrix shows" 0 $bad

# Migration over vhost-user device state: the Rust virtiofsd in its modes, vfs-serve.
"$SC" --targets=virtiofsd-rs,virtiofsd-rs:verify-handles,virtiofsd-rs:confirm-paths,virtiofsd-rs:file-handles,fixed-vhost,virtiofsd-c \
	scenarios/migration >"$T_TMP/mig" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/mig" | grep -v "^#   "
check_eq "migration: every outcome as declared" 0 $rc
check "... nodeids and an open handle name the same files after the move, in every mode and on vfs-serve" \
	grep -Eq "^migration/nodeids-survive +PASS +PASS +PASS +PASS +PASS +n/a *$" "$T_TMP/mig"
check "... a replaced file: find-paths gives the old nodeid the new file (by design), verify-handles refuses the move, file-handles and vfs-serve keep the old file" \
	grep -Eq "^migration/replaced-during +by design +PASS +by design +PASS +PASS +n/a *$" "$T_TMP/mig"
check "... a renamed file: find-paths fails the move (by design), file-handles and vfs-serve find it" \
	grep -Eq "^migration/renamed-during +by design +by design +by design +PASS +PASS +n/a *$" "$T_TMP/mig"
check "... no DEVICE_STATE on the C virtiofsd: n/a, saying so" grep -q \
	"^n/a migration/nodeids-survive \[virtiofsd-c\]: the target does not offer it: line [0-9]*, daemon save: expected anything but EOPNOTSUPP, got EOPNOTSUPP$" \
	"$T_TMP/mig"
# A refused load: the destination is stopped and the source serves on.
printf 'title T\ncase other\nfixture tmpfs\nhost write f "old"\nfuse lookup 1 f => a\ndaemon pid => src\ndaemon save\nhost unlink f\nhost write f "new"\nexpect EIO daemon load\nexpect "$src" daemon pid\nexpect "old" fuse read $a\n' \
	>"$T_TMP/refused.scn"
"$SC" --targets=virtiofsd-rs:verify-handles "$T_TMP/refused.scn" >"$T_TMP/out" 2>&1
check_eq "a load the destination refuses (verify-handles, a replaced file): EIO, and the source serves the old file on" 0 $?
for bad in "daemon load" "daemon save\ndaemon save"; do
	printf "title T\ncase other\nfixture tmpfs\nfuse getattr 1\n$bad\n" >"$T_TMP/bad.scn"
	"$SC" --targets=virtiofsd-rs "$T_TMP/bad.scn" >"$T_TMP/out" 2>&1
	check "'$(echo "$bad" | sed 's/\\n/; /')' is a runner error saying why" \
		grep -Eq "runner error: daemon (load: nothing saved to load|save: saved already: load it first)" "$T_TMP/out"
done
printf 'title T\ncase other\nfixture tmpfs\nhost write f "x"\ndaemon save\n' >"$T_TMP/bad.scn"
"$SC" --targets=fixed "$T_TMP/bad.scn" >"$T_TMP/out" 2>&1
check "daemon save in a mount scenario is a runner error saying where it belongs" \
	grep -q "runner error: daemon save: only in a protocol scenario (fuse steps)" "$T_TMP/out"

# The Rust virtiofsd's findings by hand, as FINDINGS.md gives them.
mkdir -p "$T_TMP/src/d"
rs "" lookup 1 d \; lookup 2 .. >"$T_TMP/out" 2>/dev/null
check "finding 18: '..' of d is d itself" sh -c "grep -c '\"nodeid\":2,' '$T_TMP/out' | grep -qx 2"
rs "" lookup 1 d/../hello >"$T_TMP/out" 2>/dev/null
check "finding 15: a name with '/' is walked (d/../hello is hello)" grep -q '"request":"lookup","value":"2",.*"size":6' "$T_TMP/out"
mkdir -p "$T_TMP/share"
rm -rf "$T_TMP/escaped"
"$VF" --source="$T_TMP/share" --daemon-log="$T_TMP/rs.log" \
	--vhost-user="env -u RUST_BACKTRACE $RS --fd={fd} --shared-dir={source} --sandbox=none" mkdir 1 ../escaped >/dev/null 2>&1
check "finding 15: with --sandbox=none, MKDIR of ../escaped makes a directory outside the share" test -d "$T_TMP/escaped"
"$VF" --source="$T_TMP/share" --daemon-log="$T_TMP/rs.log" \
	--vhost-user="env -u RUST_BACKTRACE $RS --fd={fd} --shared-dir={source}" mkdir 1 ../escaped2 >/dev/null 2>&1
check "... behind the namespace sandbox it does not" test ! -e "$T_TMP/escaped2"
for req in short-input name-unterminated batch-forget-lie short-header outside no-reply-room; do
	: >"$T_TMP/rs.log"
	rs "" raw $req \; getattr 1 >"$T_TMP/out" 2>/dev/null
	check "finding 16: raw $req: the worker panics, the daemon hangs" sh -c \
		"grep -q '\"value\":\"hang\"' '$T_TMP/out' && grep -q '\"getattr\",\"error\":\"ETIMEDOUT\"' '$T_TMP/out' &&
		 grep -q \"thread 'vring_worker' panicked\" '$T_TMP/rs.log'"
done
check "... and was stopped with its runner (no daemon left)" no_daemons
"$VF" --source="$T_TMP/src" --daemon-log="$T_TMP/rs.log" --vhost-user="$BIN/vfs-inject exec \
	--fail name_to_handle_at=EOPNOTSUPP:nth=4 -- env -u RUST_BACKTRACE $RS --fd={fd} --shared-dir={source} \
	--inode-file-handles=prefer" lookup 1 hello \; lookup 1 hello >"$T_TMP/out" 2>/dev/null
check "finding 17: prefer, a handle failing on the second LOOKUP: a second nodeid for one file" sh -c \
	"sed -n 1p '$T_TMP/out' | grep -q '\"nodeid\":2,' && sed -n 2p '$T_TMP/out' | grep -q '\"nodeid\":3,'"
: >"$T_TMP/rs.log"
rs "" --init=linux-6.12 raw send ext=2 MKDIR 1 u32:0755 u32:022 s:x u32:4096 u32:32 \; getattr 1 >"$T_TMP/out" 2>/dev/null
check "finding 19: with 6.12's INIT, an extension past the request's end: the worker panics" sh -c \
	"grep -q '\"value\":\"hang\"' '$T_TMP/out' && grep -q '\"getattr\",\"error\":\"ETIMEDOUT\"' '$T_TMP/out' &&
	 grep -q \"thread 'vring_worker' panicked\" '$T_TMP/rs.log'"
rs "" --init=minimal raw send ext=2 MKDIR 1 u32:0755 u32:022 s:x19 u32:4096 u32:32 \; getattr 1 >"$T_TMP/out" 2>/dev/null
check "... with the old INIT (no CREATE_SUPP_GROUP) the same bytes make the directory" sh -c \
	"grep -q '\"send\",\"value\":\"ok\"' '$T_TMP/out' && test -d '$T_TMP/src/x19'"
rs "" --init=linux-6.12 --supp-group=4242 mkdir 1 sg \; create 1 sgf \; symlink 1 sgl x >"$T_TMP/out" 2>/dev/null
check "well-formed extensions (security context, supplementary group) are taken" \
	test "$(grep -c '"nodeid":' "$T_TMP/out")" = 3
rs "" destroy >"$T_TMP/out" 2>/dev/null
check "DESTROY, which it never answers, is success (Linux's driver takes it so)" grep -q '"request":"destroy","value":"ok"' "$T_TMP/out"

# The README's command: a foreign vhost-user daemon, PASS or FAIL only.
"$SC" --vhost-user "$VD --socket-path={socket} -o source={source}" scenarios >"$T_TMP/foreign" 2>&1
rc=$?
check_eq "--vhost-user on the C virtiofsd exits 1 (its bugs are FAILs there)" 1 $rc
check "... in a column of its own" grep -Eq "^SCENARIO +server" "$T_TMP/foreign"
check "... the bugs show as FAIL" grep -Eq "^protocol/unique-zero +FAIL" "$T_TMP/foreign"
check "... the rest PASS" grep -Eq "^protocol/malformed-requests +PASS" "$T_TMP/foreign"
check "... mount scenarios are not run on it" sh -c "! grep -q '^id-reuse/host-unlink ' '$T_TMP/foreign'"
check "... and no pidfile of its {socket} runs is left" sh -c "! ls /run/virtiofsd/.tmp.vfs-scenario.* 2>/dev/null"

# Daemons that misbehave: a verdict, never a hang, nothing left behind.
one=scenarios/protocol/wrong-queue.scn
start=$SECONDS
"$SC" --vhost-user "sh -c 'exec sleep 120' vfskit-hang-$$ {fd}" "$one" >"$T_TMP/out" 2>&1
check_eq "a daemon that never answers: exit 1" 1 $?
check "... FAIL naming the handshake step that timed out" \
	grep -q "vhost-user handshake: GET_FEATURES: no reply: Connection timed out" "$T_TMP/out"
check "... within the start limit, not the scenario's" [ $((SECONDS - start)) -lt 30 ]
check "... and the daemon is gone" sh -c "! pgrep -f 'vfskit-[h]ang-$$'"
"$SC" --vhost-user "sh -c 'exit 3' {fd}" "$one" >"$T_TMP/out" 2>&1
check "a daemon that exits at once: FAIL, the handshake says the back-end is gone" \
	grep -Eq "the daemon did not serve: vhost-user handshake: GET_FEATURES: (no reply|cannot send)" "$T_TMP/out"
# A runner killed mid-run takes its daemon with it.
printf 'title T\ncase other\nfixture tmpfs\nrepeat 10000\nfuse getattr 1\nexpect ENOSYS raw opcode 9999\nend\n' >"$T_TMP/long.scn"
"$SC" --vhost-user "$VD --fd={fd} -o source={source} -o log_level=err" "$T_TMP/long.scn" >/dev/null 2>&1 &
rpid=$!
T_RUNNERS+=("$rpid")
retry 200 pgrep -f -- "--fd=3 -o source=/tmp/vfs-scenario.$rpid" >/dev/null
check "the runner's daemon runs" quiet pgrep -f -- "--fd=3 -o source=/tmp/vfs-scenario.$rpid"
kill -9 $rpid
wait $rpid 2>/dev/null
check "after SIGKILL of the runner its daemon is gone" \
	retry 100 sh -c "! pgrep -f -- '--fd=[3] -o source=/tmp/vfs-scenario.$rpid'"
finish
