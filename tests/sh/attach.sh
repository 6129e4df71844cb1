#!/bin/sh
# A deployment script written for bpftool/ip, run with the command names changed: XDP on a
# veth in a namespace, a cgroup ingress filter, a feature check, the trace log - separate
# processes, one simulated kernel.
#
# Environment: PYBPFTOOL, PYIP, NFPSIM (commands, may contain spaces), PYBPF_STATE (a fresh
# directory), PROGS (tests/progs), PACKETS (tests/fixtures/packets).
# Exits non-zero with a "FAIL: ..." line at the first wrong output or exit status.
set -u
[ -n "${SESSION_TRACE:-}" ] && set -x
P=/sys/fs/bpf/attach
CG=/sys/fs/cgroup/unified/web
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit $rc, expected $1 (stderr: $(cat "$T/err"))"; }
same() { if [ -z "$1" ]; then [ ! -s "$2" ]; else printf '%s\n' "$1" | cmp -s - "$2"; fi; }
expect_out() { same "$1" "$T/out" || fail "stdout: got [$(cat "$T/out")], expected [$1]"; }
expect_err() { same "$1" "$T/err" || fail "stderr: got [$(cat "$T/err")], expected [$1]"; }

cd "$PROGS" || fail "no $PROGS"

# --- a namespace with a veth pair; every later command runs in it (ip netns exec)
$PYIP netns add lab || fail "netns add"
PYBPF_NETNS=lab; export PYBPF_NETNS
$PYIP -n lab link add v0 type veth peer name v1 || fail "link add"
$PYIP -n lab link set dev v0 up && $PYIP -n lab link set dev v1 up || fail "link up"

# --- XDP in driver mode on v0, generic on v1
run $PYBPFTOOL prog load xdp_pass.o $P/xdp_pass
expect_rc 0
id=$($PYBPFTOOL -j prog show pinned $P/xdp_pass | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$id" ] || fail "no program id"
run $PYBPFTOOL net attach xdp pinned $P/xdp_pass dev v0
expect_rc 0; expect_out ""; expect_err ""
run $PYBPFTOOL net attach xdpgeneric pinned $P/xdp_pass dev v1
expect_rc 0
run $PYBPFTOOL net show
expect_rc 0
expect_out "xdp:
v1(2) generic id $id
v0(3) driver id $id

tc:

flow_dissector:
"
# attaching again without overwrite: the kernel says no, bpftool passes its message on
run $PYBPFTOOL net attach xdp pinned $P/xdp_pass dev v0
expect_rc 240
expect_err "libbpf: Kernel error message: XDP program already attached
Error: interface xdp attach failed: Device or resource busy"
run $PYBPFTOOL net attach xdpdrv pinned $P/xdp_pass dev v1 overwrite
expect_rc 239
run $PYBPFTOOL net show dev nosuch
expect_rc 255; expect_err "Error: invalid devname nosuch"
# ip sees the same attachment
$PYIP -n lab link show dev v0 | grep -q "prog/xdp id $id name xdp_pass tag 614b434cd8324ecc jited" \
    || fail "ip link show does not list the program"
run $PYBPFTOOL net detach xdp dev v0
expect_rc 0
run $PYBPFTOOL net detach xdpgeneric dev v1
expect_rc 0
run $PYBPFTOOL -j net show
expect_out '[{"xdp":[],"tc":[],"flow_dissector":[]}]'

# --- a veth cannot offload anything
run $PYBPFTOOL feature probe dev v0
expect_rc 0
grep -q "^eBPF program_type xdp is NOT available$" "$T/out" || fail "feature probe dev: $(cat "$T/out")"
run $PYBPFTOOL feature probe dev nosuch
expect_rc 255; expect_err "Error: unrecognized netdevice 'nosuch': No such device"

# --- a cgroup ingress filter, inherited by a child
$NFPSIM cgroup mkdir $CG || fail "cgroup mkdir"
$NFPSIM cgroup mkdir $CG/app || fail "cgroup mkdir child"
run $PYBPFTOOL prog load cg_skb.o $P/cg_allow
expect_rc 0
run $PYBPFTOOL cgroup attach $CG ingress pinned $P/cg_allow multi
expect_rc 0
cid=$($PYBPFTOOL -j prog show pinned $P/cg_allow | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
run $PYBPFTOOL cgroup show $CG
expect_out "ID       AttachType      AttachFlags     Name           
$(printf '%-8s' "$cid") cgroup_inet_ingress multi           cg_allow                       "
run $PYBPFTOOL cgroup show $CG/app
expect_rc 0; expect_out ""
run $PYBPFTOOL cgroup show $CG/app effective
expect_out "ID       AttachType      Name           
$(printf '%-8s' "$cid") cgroup_inet_ingress cg_allow                       "
run $PYBPFTOOL cgroup attach $CG ingress pinned $P/cg_allow multi
expect_rc 255; expect_err "Error: failed to attach program"
run $PYBPFTOOL cgroup detach $CG ingress pinned $P/cg_allow
expect_rc 0
run $PYBPFTOOL -j cgroup tree $CG
expect_out "[]"

# --- the trace log of a program that prints
run $PYBPFTOOL prog load xdp_trace.o $P/xdp_trace
expect_rc 0
run $PYBPFTOOL prog run pinned $P/xdp_trace data_in "$PACKETS/pkt64.bin" repeat 3
expect_rc 0
run $PYBPFTOOL prog tracelog
expect_rc 0
[ "$(grep -c ': bpf_trace_printk: len 64 proto 0x800$' "$T/out")" -eq 3 ] || fail "tracelog: $(cat "$T/out")"
run $PYBPFTOOL prog tracelog
expect_out ""

echo "attach ok"
