#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every Check unit-test binary given; fail if any fails.
# Check's per-test timeouts only catch a hung test: on a loaded 2-core
# machine (or under a sanitizer) a test waits for the CPU, so they are
# stretched 4 times unless the caller chose a multiplier.
: "${CK_TIMEOUT_MULTIPLIER:=4}"
export CK_TIMEOUT_MULTIPLIER
rc=0
for t in "$@"; do
	"$t" || rc=1
done
exit $rc
