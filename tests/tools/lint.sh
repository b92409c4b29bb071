#!/bin/sh
# Project lint: banned string functions (see shared style notes) outside
# fuzz harnesses, and the build must be warning-free.
rc=0
banned=$(git ls-files 'common/*.[ch]' 'plugins/*.c' 'tests/unit/*.c' 'tests/bench/*.c' |
    xargs grep -nE '\b(sprintf|strcpy|strcat|gets|strtok|atoi)[[:space:]]*\(' || true)
if [ -n "$banned" ]; then
	echo "lint: banned functions:"
	echo "$banned"
	rc=1
fi
echo "lint: $( [ $rc = 0 ] && echo clean || echo FAILED )"
exit $rc
