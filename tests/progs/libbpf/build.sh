#!/bin/sh
# Rebuild the pylibbpf test objects (committed, so tests need no clang).
# *_be.c are built for the big-endian BPF target.
set -e
cd "$(dirname "$0")"
for c in *.c; do
	case "$c" in
	*_be.c) target=bpfeb ;;
	*) target=bpf ;;
	esac
	clang -O2 -g -target $target -I/usr/include/$(gcc -print-multiarch) -c "$c" -o "${c%.c}.o"
done
