#!/bin/sh
# pybpf demo: load a real clang-compiled XDP program, inspect it, feed it packets and
# read its maps — the everyday bpftool loop, on the simulated kernel.
#
#   make demo                      (runs this with the venv's pybpftool on PATH)
#   sh examples/demo.sh            (same, if pybpftool is on PATH)
#
# Kernel state lives in $PYBPF_STATE if set, else in pybpf's default state directory,
# so every command below (a separate process) sees the same simulated kernel; the last
# step removes the demo's pins again.
#
# The script is plain bpftool syntax. With the real tool (root, a real bpffs):
#   BPFTOOL=bpftool DEMO_PIN=/sys/fs/bpf/pybpf-oracle/demo sh examples/demo.sh
set -eu

BPFTOOL=${BPFTOOL:-pybpftool}
PIN=${DEMO_PIN:-/sys/fs/bpf/demo}
HERE=$(cd "$(dirname "$0")" && pwd)
PKTS=${DEMO_PACKETS:-$(cd "$HERE/../tests/fixtures/packets" && pwd)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pybpf-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

real_bpftool=no
case $(basename "$BPFTOOL") in bpftool) real_bpftool=yes ;; esac

say() { printf '\n### %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "1. the program: examples/xdp_count.c (counts packets and frame lengths, drops runts)"
OBJ=$HERE/xdp_count.o
if command -v clang >/dev/null 2>&1; then
	inc=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
	if clang -O2 -g -target bpf -I"$inc" -c "$HERE/xdp_count.c" -o "$WORK/xdp_count.o" 2>"$WORK/cc.err"; then
		OBJ=$WORK/xdp_count.o
		echo "compiled with $(clang --version | head -n1)"
	else
		echo "clang could not build it (libbpf headers missing?); using the committed examples/xdp_count.o"
	fi
else
	echo "no clang: using the committed examples/xdp_count.o"
fi

say "2. load it and pin the program and its maps"
if [ "$real_bpftool" = yes ]; then
	mkdir -p "$PIN"	# the real bpffs needs the directory; the simulated one creates it
fi
if "$BPFTOOL" prog show pinned "$PIN/xdp_count" >/dev/null 2>&1; then
	echo "($PIN/xdp_count is already pinned by an earlier demo run: using it)"
else
	run "$BPFTOOL" prog load "$OBJ" "$PIN/xdp_count" pinmaps "$PIN/maps"
fi
run "$BPFTOOL" prog show pinned "$PIN/xdp_count"
run "$BPFTOOL" map show pinned "$PIN/maps/pkt_cnt"

say "3. what the verifier made of it (first lines of the translated program)"
"$BPFTOOL" prog dump xlated pinned "$PIN/xdp_count" >"$WORK/xlated.txt"
printf '$ %s prog dump xlated pinned %s | head -n 12\n' "$BPFTOOL" "$PIN/xdp_count"
head -n 12 "$WORK/xlated.txt"

say "4. run it on packets (BPF_PROG_TEST_RUN)"
for pkt in pkt64 tcp_syn_80 arp_req eth_only; do
	run "$BPFTOOL" prog run pinned "$PIN/xdp_count" data_in "$PKTS/$pkt.bin"
done
run "$BPFTOOL" prog run pinned "$PIN/xdp_count" data_in "$PKTS/icmp_echo.bin" data_out -
run "$BPFTOOL" -j prog run pinned "$PIN/xdp_count" data_in "$PKTS/pkt64.bin"
echo "a 10-byte frame is shorter than an Ethernet header; the kernel refuses to run it:"
run "$BPFTOOL" prog run pinned "$PIN/xdp_count" data_in "$PKTS/pkt10.bin" || echo "(exit $?)"

say "5. the maps it filled"
run "$BPFTOOL" map dump pinned "$PIN/maps/pkt_cnt"
run "$BPFTOOL" map lookup pinned "$PIN/maps/len_hash" key 64 0 0 0
run "$BPFTOOL" -j map dump pinned "$PIN/maps/len_hash"

say "6. clean up"
if [ "$real_bpftool" = yes ]; then
	run rm -rf "$PIN"
else
	# the simulated bpffs is not a host directory: nfpsim offers rm/mkdir/ls for it
	run nfpsim bpffs ls -l "$PIN"
	run nfpsim bpffs rm -r "$PIN"
	echo "the program and its maps had no other holder, so removing the pins freed them:"
	run "$BPFTOOL" prog show name xdp_count || echo "(exit $?: nothing left)"
fi
