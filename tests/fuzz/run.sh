#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run the libFuzzer targets: tests/fuzz/run.sh SECONDS [TARGET...]
#
# Builds every target (tests/fuzz/build.sh) into build-fuzz/bin/, seeds
# build-fuzz/corpus/<target>/ from the fixtures and tests/fuzz/seeds/, runs
# each target for SECONDS and prints one line per target:
#   fuzz <name>: N execs, no finding
# or the finding (sanitizer report, top frames, where the input was saved:
# build-fuzz/crashes/<target>-crash-<sha1>, -timeout-, -oom-, -leak-).
# Exits 1 on any finding or build failure.  FUZZ_ARGS adds libFuzzer flags
# (e.g. "-fork=2 -ignore_crashes=1" to go on after a finding).
#
# No target can hang the run: each gets SECONDS plus FUZZ_GRACE (default
# 120) seconds of wall time, then it and its children are killed and the
# run fails with "fuzz <name>: FAILED: still running ..." (a target once hung
# in LeakSanitizer's stop-the-world at exit).  Long runs report only real
# findings: ASan's quarantine is bounded (ASAN_OPTIONS quarantine_size_mb=64
# unless ASAN_OPTIONS is set) and the RSS limit is FUZZ_RSS_MB (default
# 2048; libFuzzer's own corpus and ASan's bookkeeping grow with millions of
# executions), while a single allocation over 512 MB is still a finding.
set -u
cd "$(dirname "$0")/../.." || exit 2

secs=${1:-60}
[ $# -gt 0 ] && shift
case $secs in
''|*[!0-9]*) echo "usage: $0 SECONDS [TARGET...]" >&2; exit 2 ;;
esac

grace=${FUZZ_GRACE:-120}
rss=${FUZZ_RSS_MB:-2048}
case $grace$rss in
''|*[!0-9]*) echo "$0: FUZZ_GRACE and FUZZ_RSS_MB are whole numbers" >&2; exit 2 ;;
esac
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
limit=$((secs + grace))

OUT=build-fuzz
targets=$(sh tests/fuzz/build.sh "$@")
build_rc=$?
mkdir -p "$OUT/crashes" "$OUT/log"

# Copy file $1 into corpus dir $2, with the byte(s) $3 (octal escapes for
# printf) in front when given.
seed() {
	[ -f "$1" ] || return 0
	if [ -n "${3:-}" ]; then
		{ printf "$3"; cat "$1"; } > "$2/$(basename "$1").$4"
	else
		cp "$1" "$2/"
	fi
}

soap_actions="GetExternalIPAddress GetStatusInfo GetGenericPortMappingEntry
GetListOfPortMappings GetCommonLinkProperties GetTotalBytesReceived
GetFirewallStatus - - GetConnectionTypeInfo GetNATRSIPStatus GetTotalBytesSent
GetSpecificPortMappingEntry GetPortMappingNumberOfEntries
GetTotalPacketsReceived GetTotalPacketsSent"

seed_corpus() {
	t=$1
	c=$OUT/corpus/$t
	mkdir -p "$c"
	for f in tests/fuzz/seeds/"${t#fuzz_}"/*; do seed "$f" "$c"; done
	case $t in
	fuzz_desc)
		for f in tests/fixtures/desc/*.xml; do seed "$f" "$c"; done ;;
	fuzz_soap)
		# the first byte picks the action (the order of actions[] in
		# fuzz_soap.c): the one the file is named after, else several
		for f in tests/fixtures/soap/*.xml; do
			i=0 found=
			for a in $soap_actions; do
				case ${f##*/} in *-"$a"[-.]*)
					seed "$f" "$c" "\\$(printf %03o $i)" a; found=1 ;;
				esac
				i=$((i + 1))
			done
			[ -n "$found" ] || for i in 0 1 2 3 4 5 6; do
				seed "$f" "$c" "\\00$i" "a$i"
			done
		done ;;
	fuzz_xml)
		for f in tests/fixtures/desc/*.xml tests/fixtures/soap/*.xml; do
			seed "$f" "$c" '\000' x
		done
		for f in tests/fuzz/seeds/soap/*; do seed "$f" "$c" '\000' x; done ;;
	fuzz_http)
		# ssdp answers are response heads too
		for f in tests/fuzz/seeds/ssdp/*; do seed "$f" "$c" '\000' h; done ;;
	fuzz_neigh)
		# first byte: 1 /proc/net/arp text, 2 registry CSV
		seed tests/fixtures/neigh/proc-net-arp.txt "$c" '\001' a
		for f in tests/fixtures/oui/*.csv; do seed "$f" "$c" '\002' o; done ;;
	fuzz_json)
		for f in tests/fixtures/json/*.in; do seed "$f" "$c"; done ;;
	fuzz_policy)
		for f in policies/*.yaml tests/fixtures/policies/good/*.yaml \
		    tests/fixtures/policies/bad/*.yaml; do seed "$f" "$c"; done ;;
	esac
	# past findings are good seeds
	for f in tests/fuzz/regress/"$t"-*; do seed "$f" "$c"; done
}

# The finding in log $1: the error line and the first trace's own frames.
report() {
	grep -m 2 -E 'invariant violated|^==[0-9]+== ?ERROR|runtime error:|ALARM: working on the last Unit|out-of-memory|deadly signal' "$1" | sed 's/^/      /'
	awk '/^ +#[0-9]+ /{ f=1; print; next } f { exit }' "$1" |
	    grep -v -E ' in (__sanitizer|__asan|__ubsan|__interceptor|fuzzer::|__pthread_kill|raise|abort|main|_start|__libc)|libc\.so|\+0x[0-9a-f]+\) \(BuildId' |
	    head -n 6 | sed -e 's/^ */      /' -e 's/ (BuildId: [0-9a-f]*)//'
	grep -m 1 '^SUMMARY:' "$1" | sed 's/^/      /'
}

findings=0
for t in $targets; do
	seed_corpus "$t"
	log=$OUT/log/$t.run.log
	touch "$OUT/log/$t.stamp"
	sleep 1		# so that -newer sees what this run writes
	# timeout signals the target's whole process group (LeakSanitizer's
	# tracer too), then KILLs it 10 s later (a stopped process ignores TERM)
	timeout -k 10 "$limit" \
	"$OUT/bin/$t" -max_total_time="$secs" -max_len=65536 -timeout=5 \
	    -rss_limit_mb="$rss" -malloc_limit_mb=512 -print_final_stats=1 \
	    -artifact_prefix="$OUT/crashes/$t-" ${FUZZ_ARGS:-} "$OUT/corpus/$t" \
	    >"$log" 2>&1
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		findings=$((findings + 1))
		echo "fuzz ${t#fuzz_}: FAILED: still running $limit s after its" \
		    "start (-max_total_time=$secs plus FUZZ_GRACE=$grace), killed" \
		    "(exit $rc); hung?"
		tail -n 3 "$log" | sed 's/^/      /'
		echo "    log: $log"
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] ||	# fork mode: the last status line
	    execs=$(sed -n 's/^#\([0-9][0-9]*\):.*/\1/p' "$log" | tail -n 1)
	# inputs saved during this run (fork mode goes on after a crash)
	new=$(find "$OUT/crashes" -name "$t-*" -newer "$OUT/log/$t.stamp" | sort)
	if [ $rc -eq 0 ] && [ -z "$new" ]; then
		echo "fuzz ${t#fuzz_}: ${execs:-?} execs, no finding"
		continue
	fi
	art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	# run each saved input once more for the report (fork mode logs no
	# trace); a timeout that does not come back was a stall of a busy
	# machine, not a finding
	seen= real=0 text=
	for a in ${art:-} $new; do
		case " $seen " in *" $a "*) continue ;; esac
		seen="$seen $a"
		timeout -k 10 "$grace" \
		"$OUT/bin/$t" -timeout=5 -rss_limit_mb="$rss" \
		    -malloc_limit_mb=512 "$a" >"$log.repro" 2>&1
		rrc=$?
		if [ $rrc -eq 124 ] || [ $rrc -eq 137 ]; then
			real=1
			text="$text
    input: $a: its re-run was still going after $grace s, killed"
			continue
		fi
		if [ $rrc -eq 0 ] && case $a in *-timeout-*) true ;; *) false ;; esac; then
			text="$text
    (a timeout that did not reproduce, machine busy? $a)"
			continue
		fi
		real=1
		text="$text
    input: $a ($(wc -c < "$a") bytes)
$(report "$log.repro")"
	done
	if [ -n "$seen" ] && [ $real -eq 0 ]; then
		echo "fuzz ${t#fuzz_}: ${execs:-?} execs, no finding (stopped early)$text"
		continue
	fi
	findings=$((findings + 1))
	echo "fuzz ${t#fuzz_}: FINDING after ${execs:-?} execs (exit $rc)$text"
	[ -n "$seen" ] || report "$log"
	echo "    log: $log"
done
if [ $build_rc -ne 0 ]; then
	echo "fuzz: some targets did not build (see above)"
fi
[ $findings -eq 0 ] && [ $build_rc -eq 0 ]
