#!/bin/sh
# Rebuild the pylibbpf test objects (committed, so tests need no clang).
set -e
cd "$(dirname "$0")"
for c in *.c; do
	clang -O2 -g -target bpf -I/usr/include/$(gcc -print-multiarch) -c "$c" -o "${c%.c}.o"
done
