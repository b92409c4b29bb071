#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the libFuzzer targets into build-fuzz/bin/ (used by run.sh and
# regress.sh).  Usage: tests/fuzz/build.sh [TARGET...]  (default: all)
# Prints the names of the targets that built; exits 1 if any failed.
# CC may name another clang (default: clang).
set -u
cd "$(dirname "$0")/../.." || exit 2

CC=${FUZZ_CC:-clang}
OUT=build-fuzz
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -std=c11 -D_DEFAULT_SOURCE -DCHECK_IGD_VERSION=\"fuzz\" -Icommon"
LDFLAGS="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
LIBS="-lminiupnpc -lyaml -lm"

mkdir -p "$OUT/obj" "$OUT/bin" "$OUT/log" || exit 2

# Compile every common/*.c that is newer than its object; a file that does
# not compile is reported and left out of the library (targets that need it
# then fail to link).
lib_changed=0
for src in common/*.c; do
	obj="$OUT/obj/$(basename "$src" .c).o"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
	    [ -n "$(find common -name '*.h' -newer "$obj" 2>/dev/null)" ]; then
		if ! $CC $CFLAGS -c -o "$obj" "$src" 2>"$OUT/log/$(basename "$src" .c).cc.log"; then
			echo "fuzz build: $src does not compile (see $OUT/log/$(basename "$src" .c).cc.log)" >&2
			rm -f "$obj"
		fi
		lib_changed=1
	fi
done
if [ ! -f "$OUT/default_policy.c" ] || [ policies/default.yaml -nt "$OUT/default_policy.c" ]; then
	sh tests/tools/embed.sh policy_default_yaml < policies/default.yaml > "$OUT/default_policy.c" || exit 2
	$CC $CFLAGS -c -o "$OUT/obj/default_policy.o" "$OUT/default_policy.c" || exit 2
	lib_changed=1
fi
if [ $lib_changed = 1 ] || [ ! -f "$OUT/libfuzz_common.a" ]; then
	rm -f "$OUT/libfuzz_common.a"
	ar rcs "$OUT/libfuzz_common.a" "$OUT"/obj/*.o || exit 2
fi

if [ $# -eq 0 ]; then
	set -- $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
fi
fail=0
for t in "$@"; do
	src=tests/fuzz/$t.c
	if [ ! -f "$src" ]; then
		echo "fuzz build: no target $t" >&2
		fail=1
		continue
	fi
	if $CC $CFLAGS -Itests/fuzz $LDFLAGS -o "$OUT/bin/$t" "$src" \
	    "$OUT/libfuzz_common.a" $LIBS 2>"$OUT/log/$t.ld.log"; then
		echo "$t"
	else
		echo "fuzz build: $t does not build (see $OUT/log/$t.ld.log)" >&2
		sed -n '1,15p' "$OUT/log/$t.ld.log" >&2
		rm -f "$OUT/bin/$t"
		fail=1
	fi
done
exit $fail
