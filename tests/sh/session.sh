#!/bin/sh
# A realistic shell session with pybpftool: separate processes, one simulated kernel.
#
# Environment: PYBPFTOOL and PYBPFFS (commands, may contain spaces), PYBPF_STATE (a fresh
# directory), PROGS (tests/progs) and PACKETS (tests/fixtures/packets).
# Prints "SKIP: ..." for parts the simulated kernel cannot do yet; exits non-zero with a
# "FAIL: ..." line at the first wrong output or exit status.
set -u
[ -n "${SESSION_TRACE:-}" ] && set -x
P=/sys/fs/bpf/session
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# run CMD...: output in $T/out and $T/err, status in $rc
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
# expect_rc N: the last command exited with N
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit $rc, expected $1 (stderr: $(cat "$T/err"))"; }
# expect_out TEXT / expect_err TEXT: exact output (trailing newline added)
same() { if [ -z "$1" ]; then [ ! -s "$2" ]; else printf '%s\n' "$1" | cmp -s - "$2"; fi; }
expect_out() { same "$1" "$T/out" || fail "stdout: got [$(cat "$T/out")], expected [$1]"; }
expect_err() { same "$1" "$T/err" || fail "stderr: got [$(cat "$T/err")], expected [$1]"; }

cd "$PROGS" || fail "no $PROGS"

# --- load and pin, the maps pinned too
run $PYBPFTOOL prog load xdp_count.o $P/xdp_count pinmaps $P/maps
expect_rc 0; expect_out ""
run $PYBPFTOOL prog show pinned $P/xdp_count
expect_rc 0
grep -Eq '^[0-9]+: xdp  name xdp_count  tag d93332723d4a5f70  gpl$' "$T/out" || fail "show header: $(cat "$T/out")"
grep -Eq '^	loaded_at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}  uid [0-9]+$' "$T/out" \
    || fail "loaded_at line: $(cat "$T/out")"
grep -Eq '^	xlated [0-9]+B  jited [0-9]+B  memlock [0-9]+B  map_ids [0-9]+,[0-9]+$' "$T/out" || fail "sizes line"
id=$($PYBPFTOOL -j prog show pinned $P/xdp_count | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$id" ] || fail "no id in -j output"
run $PYBPFTOOL p s i "$id"            # prefixes, as bpftool takes them
expect_rc 0
grep -q "^$id: xdp  name xdp_count" "$T/out" || fail "prefix show"

# --- map entries, with BTF (array made by the loader) and without (map create)
run $PYBPFTOOL map update pinned $P/maps/pkt_cnt key 3 0 0 0 value 0x2a 0 0 0 0 0 0 0
expect_rc 0
run $PYBPFTOOL map lookup pinned $P/maps/pkt_cnt key 3 0 0 0
expect_rc 0; expect_out '{
    "key": 3,
    "value": 42
}'
run $PYBPFTOOL map delete pinned $P/maps/pkt_cnt key 0 0 0 0
expect_rc 234; expect_err "Error: delete failed: Invalid argument"
run $PYBPFTOOL map create $P/x type hash key 4 value 8 entries 16 name x
expect_rc 0
run $PYBPFTOOL map update pinned $P/x key hex 02 00 00 00 value hex 2a 00 00 00 00 00 00 00 noexist
expect_rc 0
run $PYBPFTOOL map update pinned $P/x key 2 0 0 0 value 1 0 0 0 0 0 0 0 noexist
expect_rc 239; expect_err "Error: update failed: File exists"
run $PYBPFTOOL map dump pinned $P/x
expect_rc 0; expect_out 'key: 02 00 00 00  value: 2a 00 00 00 00 00 00 00
Found 1 element'
run $PYBPFTOOL map getnext pinned $P/x
expect_rc 0; expect_out 'key: None
next key:
02 00 00 00'
run $PYBPFTOOL map lookup pinned $P/x key 9 0 0 0
expect_rc 254; expect_out 'key:
09 00 00 00

Not found'
run $PYBPFTOOL -j map lookup pinned $P/x key 9 0 0 0
expect_rc 254; expect_out 'null'

# --- a batch file, comments and continuation included
cat >"$T/batch" <<BATCH
# counters
map update pinned $P/x key 5 0 0 0 \\
    value 5 0 0 0 0 0 0 0
map lookup pinned "$P/x" key 5 0 0 0
BATCH
run $PYBPFTOOL batch file "$T/batch"
expect_rc 0; expect_out 'key: 05 00 00 00  value: 05 00 00 00 00 00 00 00
processed 2 commands'

# --- BTF
run $PYBPFTOOL btf show
expect_rc 0
grep -Eq "^[0-9]+: name <anon>  size [0-9]+B  prog_ids $id  map_ids [0-9]+,[0-9]+$" "$T/out" \
    || fail "btf show: $(cat "$T/out")"
run $PYBPFTOOL btf dump map pinned $P/maps/pkt_cnt
expect_rc 0
grep -q "TYPEDEF '__u32'" "$T/out" || fail "btf dump map"

# --- test run (BPF_PROG_TEST_RUN), when the simulated kernel has it
run $PYBPFTOOL prog run pinned $P/xdp_count data_in "$PACKETS/pkt64.bin" data_out -
if [ "$rc" -ne 0 ] && grep -q "Unknown error 524" "$T/err"; then
    echo "SKIP: prog run: BPF_PROG_TEST_RUN is not in the simulated kernel yet"
else
    expect_rc 0
    head -1 "$T/out" | grep -q '^0000000	ffff ffff ffff 0200 0000 0001 0800 4500 | ........ ......E.$' \
        || fail "hexdump: $(cat "$T/out")"
    tail -1 "$T/out" | grep -Eq '^Return value: 2, duration: [0-9]+ns$' || fail "retval line"
    run $PYBPFTOOL prog run pinned $P/xdp_count data_in "$PACKETS/pkt10.bin"  # shorter than ETH_HLEN
    expect_rc 234; expect_err "Error: failed to run program: Invalid argument"
    run $PYBPFTOOL -j prog run pinned $P/xdp_count data_in "$PACKETS/pkt64.bin" repeat 3
    expect_rc 0
    grep -Eq '^\{"retval":2,"duration":[0-9]+\}$' "$T/out" || fail "-j run: $(cat "$T/out")"
    run $PYBPFTOOL -j map lookup pinned $P/maps/pkt_cnt key 0 0 0 0
    grep -q '"formatted":{"key":0,"value":4}' "$T/out" || fail "counter after 1 + 3 runs: $(cat "$T/out")"
fi

# --- unpin: the program goes away with its last pin (no process holds it any more),
#     its maps stay as long as their own pins do
run $PYBPFFS rm $P/xdp_count
expect_rc 0
run $PYBPFTOOL prog show id "$id"
expect_rc 255; expect_err "Error: get by id ($id): No such file or directory"
run $PYBPFTOOL -j prog show
expect_out '[]'
run $PYBPFTOOL map show pinned $P/maps/pkt_cnt
expect_rc 0
run $PYBPFFS rm -r $P
expect_rc 0
run $PYBPFTOOL -j map show
expect_rc 0; expect_out '[]'
run $PYBPFFS ls /sys/fs/bpf
expect_rc 0; expect_out ""
echo "session ok"
