#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Turn standard input into a C byte array named $1 (NUL-terminated) and its length.
name=$1
printf '/* Generated from policies/default.yaml; do not edit. */\n#include <stddef.h>\n'
printf 'const char %s[] = {\n' "$name"
od -An -v -tx1 | sed -e 's/  */ /g' -e 's/^ //' -e '/^$/d' -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '0x00 };\nconst size_t %s_len = sizeof(%s) - 1;\n' "$name" "$name"
