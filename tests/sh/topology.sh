#!/bin/sh
# A veth topology built as a user would, with the real tools' syntax: an XDP ICMP echo
# responder (XDP_TX) on dut0, a tc ingress counter on peer0, a capture replayed from peer0.
#
#   peer0 02:00:00:00:00:01  <--veth-->  dut0 02:00:00:00:00:02
#   tc clsact ingress: tc_count          XDP native: xdp_icmp_echo
#   XDP native: xdp_pass (a veth delivers XDP_TX frames only to a peer in NAPI mode)
#
# Environment: IP, TC, BPFTOOL, NFPSIM (commands, may contain spaces; default pyip, pytc,
# pybpftool, nfpsim), PYBPF_STATE (a fresh directory), PROGS (tests/progs), NETPROGS
# (tests/fixtures/net/progs), PCAP (tests/fixtures/pcap). tshark checks the reply capture
# when it is installed. Exits non-zero with a "FAIL: ..." line at the first wrong result.
set -u
[ -n "${TOPO_TRACE:-}" ] && set -x
IP=${IP:-pyip}; TC=${TC:-pytc}; BPFTOOL=${BPFTOOL:-pybpftool}; NFPSIM=${NFPSIM:-nfpsim}
P=/sys/fs/bpf/topo
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; [ "$rc" -eq 0 ] || fail "$* -> exit $rc: $(cat "$T/err")"; }

cd "$PROGS" || fail "no $PROGS"

# --- the devices
run $IP link add dut0 address 02:00:00:00:00:02 type veth peer name peer0 address 02:00:00:00:00:01
run $IP link set dev dut0 up
run $IP link set dev peer0 up

# --- the responder on dut0, from a pinned program (its map pinned too)
run $BPFTOOL prog load xdp_icmp_echo.o $P/echo pinmaps $P/echo_maps
run $IP link set dev dut0 xdpdrv pinned $P/echo
# --- the counter on peer0's tc ingress, and xdp_pass for NAPI
run $BPFTOOL prog load "$NETPROGS/tc_count.o" $P/tc_in pinmaps $P/tc_in_maps
run $TC qdisc add dev peer0 clsact
run $TC filter add dev peer0 ingress bpf object-pinned $P/tc_in da
run $IP link set dev peer0 xdpdrv obj xdp_pass.o sec xdp

run $IP link show dev dut0
grep -q '^3: dut0@peer0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 xdp qdisc noqueue state UP' "$T/out" \
    || fail "dut0: $(cat "$T/out")"
grep -q 'prog/xdp id [0-9]* name xdp_icmp_echo tag 84b2324bdd50fa0a jited $' "$T/out" || fail "dut0 prog line"
run $BPFTOOL net show
grep -q '^peer0(2) clsact/ingress tc_in:\[\*fsobj\] id [0-9]*$' "$T/out" || fail "net show: $(cat "$T/out")"

# --- traffic: 1000 ICMP echo requests sent by peer0's stack; what comes back is captured
run $NFPSIM -j replay --tx peer0 "$PCAP/icmp_burst.pcap" --capture-in "$T/back.pcap" --out "$T/sent.pcap"
cp "$T/out" "$T/replay.json"
grep -q '"frames": 1000, "refused": 0, "out_frames": 1000, "in_frames": 1000' "$T/replay.json" \
    || fail "replay: $(cat "$T/replay.json")"
grep -q '{"device": "dut0", "hook": "xdp_drv", "verdict": "tx", "count": 1000}' "$T/replay.json" || fail "no XDP_TX"
grep -q '{"device": "peer0", "hook": "tc_ingress", "verdict": "ok", "count": 1000}' "$T/replay.json" \
    || fail "tc ingress count"

# --- the maps: the responder's counter and the tc counter (frames, bytes, echo replies)
run $BPFTOOL -j map lookup pinned $P/echo_maps/replies key 0 0 0 0
grep -q '"value":\["0xe8","0x03","0x00","0x00","0x00","0x00","0x00","0x00"\]' "$T/out" || fail "replies: $(cat "$T/out")"
run $BPFTOOL -j map dump pinned $P/tc_in_maps/tc_counts
grep -q '"formatted":{"key":0,"value":1000}' "$T/out" || fail "tc frames: $(cat "$T/out")"
grep -q '"formatted":{"key":1,"value":64000}' "$T/out" || fail "tc bytes"
grep -q '"formatted":{"key":6,"value":1000}' "$T/out" || fail "tc echo replies"

# --- device statistics: skbs without, XDP frames with their Ethernet header
run $IP -s -j link show dev dut0
grep -q '"stats64":{"rx":{"bytes":50000,"packets":1000,' "$T/out" || fail "dut0 rx: $(cat "$T/out")"
grep -q '"tx":{"bytes":64000,"packets":1000,' "$T/out" || fail "dut0 tx: $(cat "$T/out")"

# --- the captures: what peer0 sent is the input; what came back are the replies
cmp -s "$T/sent.pcap" "$T/back.pcap" && fail "replies identical to requests"
if command -v tshark >/dev/null 2>&1; then
    n=$(tshark -r "$T/back.pcap" -Y 'icmp.type == 0 && ip.src == 10.0.0.2 && eth.src == 02:00:00:00:00:02' \
        2>/dev/null | wc -l)
    [ "$n" -eq 1000 ] || fail "tshark sees $n echo replies"
    bad=$(tshark -r "$T/back.pcap" -o icmp.validate_checksum:TRUE -Y 'icmp.checksum.status == "Bad"' \
        2>/dev/null | wc -l)
    [ "$bad" -eq 0 ] || fail "tshark: $bad bad ICMP checksums"
else
    echo "SKIP: tshark not installed, reply capture checked by size only"
fi
[ "$(wc -c <"$T/back.pcap")" -eq "$(wc -c <"$T/sent.pcap")" ] || fail "capture sizes differ"

# --- detaching: the responder goes, requests now reach dut0's stack unanswered
run $IP link set dev dut0 xdpdrv off
run $NFPSIM -j replay --tx peer0 "$PCAP/icmp_burst.pcap"
grep -q '"in_frames": 0' "$T/out" || true
grep -q '{"device": "dut0", "hook": "stack", "verdict": "ipv4", "count": 1000}' "$T/out" || fail "stack: $(cat "$T/out")"
run $IP link del dut0
run $IP link show
grep -q peer0 "$T/out" && fail "peer0 survived the deletion of dut0"
echo "topology ok"
