#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every Check unit-test binary given; fail if any fails.
rc=0
for t in "$@"; do
	"$t" || rc=1
done
exit $rc
