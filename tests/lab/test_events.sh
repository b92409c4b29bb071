#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd_portmap --events FILE against a real miniupnpd, with LAN hosts
# of known MAC addresses (lab_add_hosts):
#  - mappings added, changed (same external port, another client, port and
#    description) and removed across runs give one line each, once, by the
#    run that first sees the change (not by the runs that hold its alarm);
#    every line parses (Debian's /usr/bin/python3, tests/tools/
#    check_events.py) and carries every field, with MAC and vendor; a
#    gone mapping's line the rule and state it had when last seen;
#  - eight runs at once, each with its own state file, append to one log:
#    every line whole, every run's lines there;
#  - the log moved away between runs (rotation): the next run writes a new
#    file, never the old one;
#  - a symlink, a FIFO (with and without a reader), a file of another user,
#    a group-writable file, a missing directory, this user's lock held by
#    another process: a WARNING (or the --events-error state) naming why,
#    well before the deadline (the lock is waited for 2 s at most), and
#    nothing written through them; the lines those runs could not write
#    are kept in the state file and written by the next run that can,
#    late (their own time, "late": true, "logged_at");
#  - a reader of the log (uid nobody, in the log's group, as a collector)
#    holding an exclusive flock on it through the run that first sees a
#    change: the line is written all the same (the log was once locked
#    itself, and such a reader kept the line out of it for good).
# lab-timeout: 300
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_portmap
CHECK_EVENTS=$T_REPO/tests/tools/check_events.py
PY=/usr/bin/python3
[ -x "$PY" ] || t_abort "$PY missing (Debian's python3; make deps)"

t_lab_up igd2 events || t_abort "lab igd2 did not come up"
lab_add_hosts || t_abort "lab_add_hosts failed"
t_measure_wrap check_igd_portmap -V

mkdir -m 0700 "$T_TMP/log" || t_abort "mkdir"
ev=$T_TMP/log/events.jsonl
st=$T_TMP/events.state

# The summary lines of the log (check_events.py), or a failure naming the
# bad line.
t_events() {	# t_events FILE: sets EV_OUT and EV_RC
	EV_OUT=$("$PY" "$CHECK_EVENTS" "$1" 2>&1)
	EV_RC=$?
	printf '%s\n' "$EV_OUT" | sed 's/^/#   events: /'
}
t_lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }
_t_ev_has() { printf '%s\n' "$EV_OUT" | grep -qxF -- "$1"; }
t_events_has() { t_ok "event log has '$1'" _t_ev_has "$1"; }

# --- first run: the baseline, nothing to log, the file created 0640
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev"
t_expect_rc 0 "empty table, first run: exit code"
t_expect_output_has "event log $ev: no change to log (no previous table to compare with)"
t_ok "the log exists and is empty" test -f "$ev" -a ! -s "$ev"
t_ok "the log is created 0640 (or stricter by umask)" eval '[ $(( 0$(stat -c %a "$ev") & 0137 )) = 0 ]'

# --- two new mappings, to hosts whose MAC the monitor sees
lab_add_mapping TCP 4450 "$LAB_HOST1" 445 "galleta silenciosa" 3600 || t_abort "add"
lab_add_mapping UDP 5000 "$LAB_HOST2" 5000 "game" 7200 || t_abort "add"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev"
t_expect_rc 2 "new mapping to port 445: exit code"
t_expect_output_has "event log $ev: 2 changes logged"
t_events "$ev"
t_ok "every line parses and carries its fields" test "$EV_RC" = 0
t_ok "two lines" test "$(t_lines "$ev")" = 2
# ("galleta" is a campaign's description: the first rule that matches)
t_events_has "new TCP 4450 $LAB_HOST1:445 mac=$LAB_HOST1_MAC rule=campaign-description state=critical"
t_events_has "new UDP 5000 $LAB_HOST2:5000 mac=$LAB_HOST2_MAC rule=None state=ok"
t_ok "the vendor from ieee-data" grep -qF '"vendor":"Raspberry Pi Foundation"' "$ev"
t_ok "the device's UDN and URL" eval 'grep -qF "\"device_url\":\"$LAB_URL\"" "$ev" && grep -q "\"device_udn\":\"uuid:" "$ev"'
t_ok "the description and lease of the device" eval 'grep -qF "\"description\":\"galleta silenciosa\",\"enabled\":true,\"lease\":" "$ev"'

# --- the same table: the alarms are held, nothing is logged again
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev"
t_expect_rc 2 "same table (held): exit code"
t_expect_output_has "ago (held)"
t_expect_output_has "event log $ev: 0 changes logged"
t_ok "still two lines (a held change is not logged again)" test "$(t_lines "$ev")" = 2

# --- changed (same external port: another client, port, description),
# gone, and new to an address with no MAC
lab_delete_mapping TCP 4450 || t_abort "delete"
lab_add_mapping TCP 4450 "$LAB_HOST2" 4451 "hijacked forward" 3600 || t_abort "add"
lab_delete_mapping UDP 5000 || t_abort "delete"
lab_add_mapping TCP 8080 "$LAB_HOST_NOMAC" 80 'x"y\z|'$'\t''w' 3600 || t_abort "add"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev"
t_expect_output_has "event log $ev: 3 changes logged"
t_events "$ev"
t_ok "every line parses and carries its fields" test "$EV_RC" = 0
t_ok "five lines" test "$(t_lines "$ev")" = 5
t_events_has "changed TCP 4450 $LAB_HOST2:4451 mac=$LAB_HOST2_MAC rule=None state=ok was $LAB_HOST1:445"
t_events_has "gone UDP 5000 $LAB_HOST2:5000 mac=None rule=None state=ok"
t_events_has "new TCP 8080 $LAB_HOST_NOMAC:80 mac=None rule=None state=ok"
t_ok "the old description of the changed mapping" grep -qF '"old_description":"galleta silenciosa"' "$ev"
t_ok "an unknown MAC said as unknown" grep -qF '"mac":null,"vendor":null,"name":null,"host":"MAC unknown"' "$ev"
t_ok "quotes, backslash, '|' (as \\u007c, for the engines) and tab escaped" grep -qF '"description":"x\"y\\z\u007c\u0009w"' "$ev"

# --- eight runs at once, each with its own copy of one state file, all
# appending to one log: 20 new mappings each, every line whole
cp "$st" "$T_TMP/base.state" || t_abort "cp"
lab_add_many 20 30000 TCP "$LAB_HOST1" || t_abort "lab_add_many"
before=$(t_lines "$ev")
pids=()
for i in 1 2 3 4 5 6 7 8; do
	cp "$T_TMP/base.state" "$T_TMP/par$i.state"
	lab_exec_lan "$PLUGINS_DIR/check_igd_portmap" -u "$LAB_URL" -t 30 \
		--state-file "$T_TMP/par$i.state" --events "$ev" \
		>"$T_TMP/par$i.out" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in 1 2 3 4 5 6 7 8; do
	sed 's/^/#   run '"$i"': /' "$T_TMP/par$i.out" | grep -F 'event log'
done
t_ok "every overlapping run logged its 20 changes" test "$(grep -lF 'event log '"$ev"': 20 changes logged' "$T_TMP"/par*.out | wc -l)" = 8
t_events "$ev"
t_ok "every line parses after eight overlapping runs" test "$EV_RC" = 0
t_ok "160 more lines" test "$(($(t_lines "$ev") - before))" = 160
t_ok "each of the 20 mappings logged by each of the 8 runs" eval \
	'[ "$(printf "%s\n" "$EV_OUT" | grep "^new TCP 30" | sort | uniq -c | awk "{print \$1}" | sort -u)" = 8 ]'

# --- rotation: the log moved away; the next run writes a new file
mv "$ev" "$ev.1" || t_abort "mv"
sum1=$(sha256sum <"$ev.1")
lab_delete_mapping TCP 8080 || t_abort "delete"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_output_has "event log $ev: 21 changes logged"
t_events "$ev"
t_ok "the new file has the 21 lines and parses" eval '[ "$EV_RC" = 0 ] && [ "$(t_lines "$ev")" = 21 ]'
t_events_has "gone TCP 8080 $LAB_HOST_NOMAC:80 mac=None rule=None state=ok"
t_ok "the rotated file is untouched" test "$(sha256sum <"$ev.1")" = "$sum1"

# From here --hold 0: a table that did not change is OK, so what the log
# does is the only finding.
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_rc 0 "no change, log fine: OK"

# --- a symlink planted at the log's name: refused, never followed
rm -f "$ev"
ln -s "$T_TMP/log/target" "$ev"
lab_add_mapping TCP 9100 "$LAB_HOST1" 9100 "printer" 3600 || t_abort "add"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_rc 1 "symlink at the log's name: WARNING"
t_expect_first_has "(+1 warning; "
t_expect_output_has "[WARNING] cannot write the event log: event log $ev: is a symbolic link (refused); 1 change not logged yet (kept for the next run)"
t_ok "the symlink's target was not created" test ! -e "$T_TMP/log/target"
# the next run that can write the log writes the kept line, late
rm -f "$ev"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_rc 0 "the log writable again, nothing new: OK"
t_expect_output_has "event log $ev: 1 change logged (1 late, from earlier runs)"
t_events "$ev"
t_ok "the late line parses and carries its fields" test "$EV_RC" = 0
t_ok "one line" test "$(t_lines "$ev")" = 1
t_ok "the kept line: new TCP 9100, late" eval 'printf "%s\n" "$EV_OUT" | grep -q "^new TCP 9100 $LAB_HOST1:9100 .* late\$"'
t_ok "it says when it was seen and when it was logged" grep -qE '^\{"time":"[0-9T:-]+Z",.*"late":true,"logged_at":"[0-9T:-]+Z"\}$' "$ev"
# the state chosen for it
rm -f "$ev"
ln -s "$T_TMP/log/target" "$ev"
lab_delete_mapping TCP 9100 || t_abort "delete"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0 --events-error critical
t_expect_rc 2 "symlink with --events-error critical: CRITICAL"
t_expect_first_has "CRITICAL - cannot write the event log: "
rm -f "$ev"

# --- a FIFO nobody reads: refused at once, never blocking
mkfifo -m 0600 "$ev"
# (-t 20: a long deadline, so that returning well before it shows that
# nothing waited; a loaded machine may need seconds to read the table)
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0 -t 20
t_expect_rc 1 "FIFO at the log's name: WARNING"
t_expect_output_has "is a FIFO or device nobody reads (refused)"
t_expect_before_window 20
# a FIFO with a reader: still refused, nothing sent to the reader
timeout 20 cat "$ev" >"$T_TMP/fifo.read" &
reader=$!
sleep 0.2
lab_add_mapping TCP 9101 "$LAB_HOST1" 9101 "printer" 3600 || t_abort "add"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0 -t 20
t_expect_rc 1 "FIFO with a reader: WARNING"
t_expect_output_has "not a regular file (refused)"
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
t_ok "nothing written to the FIFO's reader" test ! -s "$T_TMP/fifo.read"
rm -f "$ev"

# --- a file of another user; a file its group may write
: >"$ev"
chown nobody "$ev"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_rc 1 "a log owned by another user: WARNING"
t_expect_output_has "owned by uid $(id -u nobody), not by this user (refused)"
t_ok "the other user's file was not written" test ! -s "$ev"
chown root "$ev"
chmod 0660 "$ev"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_rc 1 "a group-writable log: WARNING"
t_expect_output_has "writable by its group (refused)"
chmod 0640 "$ev"

# --- a missing directory
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$T_TMP/no/such/events.jsonl" --hold 0
t_expect_rc 1 "log in a missing directory: WARNING"
t_expect_output_has "No such file or directory"

# --- the lines the refused logs above could not write (gone TCP 9100,
# new TCP 9101) were kept: the next run that can write the log writes
# them, late, in the order they were seen
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_output_has "event log $ev: 2 changes logged (2 late, from earlier runs)"
t_events "$ev"
t_ok "the late lines parse" test "$EV_RC" = 0
t_ok "gone TCP 9100 then new TCP 9101, both late" eval \
	'[ "$(printf "%s\n" "$EV_OUT" | grep " late$" | cut -d" " -f1-3 | tr "\n" ,)" = "gone TCP 9100,new TCP 9101," ]'

# --- a reader of the log (uid nobody, in the log's group, as a collector
# would be) holds an exclusive flock on it through the run that first
# sees a change: the line is written all the same, the run OK but for
# the change
chmod 0711 "$T_TMP"
chgrp nogroup "$T_TMP/log" "$ev"
chmod 0750 "$T_TMP/log"
chmod 0640 "$ev"
# (the holder opens the log itself, as nobody, and is the process killed:
# no child keeps the lock after it)
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	sh -c 'exec 9<"$1" && flock -x 9 && exec sleep 60' sh "$ev" &
locker=$!
# (flock -n fails once the reader holds it)
_t_locked() {
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		flock -n -x "$1" true || return 0
		sleep 0.2
	done
	return 1
}
t_ok "the reader (nobody) holds the flock on the log" _t_locked "$ev"
lab_add_mapping TCP 9102 "$LAB_HOST1" 9102 "printer" 3600 || t_abort "add"
before=$(t_lines "$ev")
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0 -t 20
t_expect_rc 1 "a reader's flock on the log: WARNING for the new mapping only"
t_expect_output_has "event log $ev: 1 change logged"
t_ok "no finding about the log" eval '! _t_has "cannot write the event log"'
t_ok "the line is in the log" test "$(($(t_lines "$ev") - before))" = 1
t_ok "new TCP 9102, on time" eval 'tail -n 1 "$ev" | grep -q "\"external_port\":9102,.*\"late\":false}\$"'
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
chmod 0700 "$T_TMP" "$T_TMP/log"

# --- this user's lock (a file in the state file's private directory)
# held for long by another process of this user: the run waits at most
# 2 s for it (half of what is left, at most 2 s), so it returns well
# before its 20 s deadline; a WARNING, the change kept for the next run
lock=$T_TMP/check_igd_portmap-events.lock
t_ok "the lock file is this user's, 0600" eval '[ "$(stat -c %a:%u "$lock")" = "600:$(id -u)" ]'
sh -c 'exec 9<"$1" && flock -x 9 && exec sleep 60' sh "$lock" &
locker=$!
t_ok "another process holds this user's lock" _t_locked "$lock"
lab_delete_mapping TCP 9102 || t_abort "delete"
cp "$st" "$T_TMP/lock.state"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0 -t 20
# (not t_expect_before_window: its second run would find the change
# already seen; a run over the bound is repeated from the same state)
limit=$((T_WRAP_MS + 10000))
if [ "$T_MS" -ge "$limit" ]; then
	t_log "# over the bound ($T_MS ms, limit $limit ms): once more from the same state file"
	cp "$T_TMP/lock.state" "$st"
	t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0 -t 20
fi
t_expect_rc 1 "this user's lock held by another process: WARNING"
t_expect_output_has "lock not taken by the deadline; 1 change not logged yet (kept for the next run)"
t_ok "returned well before the 20 s deadline: under half of it plus ${T_WRAP_MS} ms for a quick run (took $T_MS ms, limit $limit ms)" \
	test "$T_MS" -lt "$limit"
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_rc 0 "the lock free again: OK"
t_expect_output_has "event log $ev: 1 change logged (1 late, from earlier runs)"
t_ok "gone TCP 9102, late" eval 'tail -n 1 "$ev" | grep -q "^{\"time\".*\"event\":\"gone\".*\"external_port\":9102,.*\"late\":true,\"logged_at\""'
t_events "$ev"
t_ok "every line of the log parses" test "$EV_RC" = 0

# --- a gone mapping's line says how it was judged when last seen: a
# remote desktop forward (risky-internal-port, critical) removed
lab_add_mapping TCP 3389 "$LAB_HOST1" 3389 "rdp" 3600 || t_abort "add"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_rc 2 "a forward to port 3389: CRITICAL"
lab_delete_mapping TCP 3389 || t_abort "delete"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --hold 0
t_expect_output_has "event log $ev: 1 change logged"
t_events "$ev"
t_events_has "new TCP 3389 $LAB_HOST1:3389 mac=$LAB_HOST1_MAC rule=risky-internal-port state=critical"
t_events_has "gone TCP 3389 $LAB_HOST1:3389 mac=None rule=risky-internal-port state=critical"

# --- a saved table (--table): its lines name the UDN the file names
# (--save writes the device's), and the file as the device's URL
t_run check_igd_portmap -u "$LAB_URL" --no-state --save "$T_TMP/saved1.yaml"
udn=$(sed -n 's/^udn: "\(.*\)"$/\1/p' "$T_TMP/saved1.yaml")
t_ok "the saved table names the device's UDN ($udn)" eval 'case $udn in uuid:*) true;; *) false;; esac'
lab_add_mapping TCP 9103 "$LAB_HOST1" 9103 "printer" 3600 || t_abort "add"
t_run check_igd_portmap -u "$LAB_URL" --no-state --save "$T_TMP/saved2.yaml"
tev=$T_TMP/log/table.jsonl
t_run check_igd_portmap --table "$T_TMP/saved1.yaml" --state-file "$T_TMP/table.state" --events "$tev" --hold 0
t_run check_igd_portmap --table "$T_TMP/saved2.yaml" --state-file "$T_TMP/table.state" --events "$tev" --hold 0
t_expect_output_has "event log $tev: 1 change logged"
t_events "$tev"
t_ok "the saved table's line parses" test "$EV_RC" = 0
t_ok "its device_udn is the saved UDN, its device_url the file" \
	grep -qF "\"device_udn\":\"$udn\",\"device_url\":\"$T_TMP/saved2.yaml\"" "$tev"
lab_delete_mapping TCP 9103 || t_abort "delete"

# --- options
t_run check_igd_portmap -u "$LAB_URL" --no-state --events "$ev"
t_expect_rc 3 "--events with --no-state: exit code"
t_expect_output_has "do not combine it with --no-state"
t_run check_igd_portmap -u "$LAB_URL" --state-file "$st" --events "$ev" --events-error ok
t_expect_rc 3 "--events-error ok: exit code"
t_done
