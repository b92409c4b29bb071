#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# State files another local user cannot touch (issue 8, item 3), against a
# real miniupnpd: check_igd_wan and check_igd_portmap run as an unprivileged
# uid (the victim), while another uid (the attacker) plants, in the
# default folder /var/tmp/check_igd-UID and in a shared $NP_STATE_DIRECTORY,
# a garbage file, a symbolic link, a FIFO, a folder of its own; root plants
# a group-writable file.  Each gives WARNING (the policy's state.unusable)
# naming the reason, never "OK ... all expected"; the FIFO never blocks (the
# run ends well before -t, not by the backstop); a missing state file on
# the first run is no finding.  A state file corrupted while a mapping is
# added stays WARNING for the policy's hold, not one run (issue 8).  The uids are unused numbers (no account
# needed): nothing of a real user's is touched.
. "$(dirname "$0")/testlib.sh"
t_need_plugin check_igd_wan
t_need_plugin check_igd_portmap
command -v setpriv >/dev/null 2>&1 || t_skip "SKIP statefile: setpriv missing (util-linux)"

V=$((41000 + $$ % 1000))	# the victim: the plugin runs as this uid
A=$((V + 1))			# the attacker
DEF=/var/tmp/check_igd-$V
SHARED=$T_TMP/shared		# a sticky folder everybody can write in
OLD_WRAP=${LAB_WRAP:-}
cleanup_dirs() { rm -rf -- "$DEF"; }
trap 'cleanup_dirs; lab_down_all; rm -rf -- "$T_TMP"' EXIT
cleanup_dirs
# both users must reach the plugins and the shared folder
chmod 0711 "$T_TMP"
mkdir -m 1777 "$SHARED"
as() {	# as UID COMMAND...
	setpriv --reuid="$1" --regid="$1" --clear-groups "${@:2}"
}
# run_as_victim NP_DIR PLUGIN ARGS...: t_run as the victim ("" NP_DIR:
# NP_STATE_DIRECTORY unset)
# starts LINE: the first line starts with LINE (fixed text)
starts() { case $(_t_first_line) in "$1"*) return 0 ;; esac; return 1; }
# refused DESC LINE: the last run was WARNING, its first line starts with
# LINE, and it ended by itself, well before -t 10 (never by the backstop:
# a FIFO once blocked the open until then)
refused() {
	t_expect_rc 1 "$1: WARNING"
	t_expect_shape "$P"
	t_ok "$1: first line names it" starts "$2"
	# -t 10's promise: answered by the deadline plus its 1 s margin (plus
	# what the wrapper adds, if measured); the refusal is said, not a
	# timeout, so nothing blocked (a FIFO or lock would end at the backstop)
	t_ok "$1: ended by itself by -t 10 plus 1 s (${T_MS} ms), not by the backstop" \
	    eval '[ "$T_MS" -lt $((11000 + ${T_WRAP_MS:-0})) ] && ! _t_has backstop'
}
run_as_victim() {
	local np=$1
	shift
	# shellcheck disable=SC2034
	LAB_WRAP="env -u NP_STATE_DIRECTORY ${np:+NP_STATE_DIRECTORY=$np} setpriv --reuid=$V --regid=$V --clear-groups $OLD_WRAP"
	t_run "$@"
	LAB_WRAP=$OLD_WRAP
}
# json_as_victim: t_expect_json for the last run_as_victim "" (its uid,
# the default folder)
json_as_victim() {
	LAB_WRAP="env -u NP_STATE_DIRECTORY setpriv --reuid=$V --regid=$V --clear-groups $OLD_WRAP"
	t_expect_json
	LAB_WRAP=$OLD_WRAP
}

t_lab_up igd2 stf || t_abort "lab igd2 did not come up"
lab_add_mapping TCP 18080 "$LAB_CLIENT" 8080 statefile-test >/dev/null ||
	t_abort "cannot add a mapping in the lab"

# plugin ARGS for each: wan reads counters (rates), portmap the table
# shellcheck disable=SC2034  # used through declare -n
args_wan=(check_igd_wan -u "$LAB_URL" -t 10)
# shellcheck disable=SC2034
args_portmap=(check_igd_portmap -u "$LAB_URL" --no-hosts -t 10)

for plugin in wan portmap; do
	declare -n args=args_$plugin
	P=${plugin^^}

	# --- the default folder: created private on the first run, no finding
	cleanup_dirs
	run_as_victim "" "${args[@]}"
	t_expect_shape "$P"
	t_ok "$plugin first run as uid $V: no state-file finding" eval '! _t_has "[WARNING] state" && ! _t_has "cannot save"'
	t_ok "$plugin: $DEF created, mode 0700, owned by $V" \
	    test "$(stat -c '%a %u %F' "$DEF" 2>/dev/null)" = "700 $V directory"
	f=$(find "$DEF" -maxdepth 1 -name "check_igd_$plugin-*.state" | head -n 1)
	t_ok "$plugin: the state file is in $DEF" test -n "$f"
	name=${f##*/}
	rc_good=$T_RC
	run_as_victim "" "${args[@]}"
	t_expect_rc "$rc_good" "$plugin second run: the same verdict"
	t_ok "$plugin second run: no state-file finding" eval '! _t_has "[WARNING] state" && ! _t_has "cannot save"'

	# --- files in the default folder (only root can put them there)
	for kind in garbage symlink fifo groupw other; do
		rm -f -- "$DEF/$name"
		case $kind in
		garbage) printf 'garbage\n' >"$DEF/$name"; chown "$V:$V" "$DEF/$name"; chmod 0600 "$DEF/$name"
			why="not a check_igd state file" ;;
		symlink) ln -s /etc/passwd "$DEF/$name"; why="a symbolic link, not followed" ;;
		fifo) mkfifo -m 0600 "$DEF/$name"; chown "$V:$V" "$DEF/$name"; why="not a regular file" ;;
		groupw) printf 'check_igd-state 1\nend\n' >"$DEF/$name"; chown "$V:$V" "$DEF/$name"; chmod 0660 "$DEF/$name"
			why="writable by group or others (mode 0660)" ;;
		other) printf 'check_igd-state 1\nend\n' >"$DEF/$name"; chown "$A:$A" "$DEF/$name"; chmod 0644 "$DEF/$name"
			why="owned by uid $A, not by this user (uid $V)" ;;
		esac
		run_as_victim "" "${args[@]}"
		refused "$plugin, default folder, $kind" "IGD $P WARNING - state file $DEF/$name: $why"
		t_ok "$plugin, default folder, $kind: a [WARNING] subcheck" _t_has "[WARNING] state file $DEF/$name: $why"
	done

	# --- the default folder itself, taken first by the attacker
	for kind in theirs symlink fifo open; do
		cleanup_dirs
		case $kind in
		theirs) as "$A" mkdir -m 0777 "$DEF"; why="owned by uid $A, not by this user (uid $V)" ;;
		symlink) as "$A" mkdir -m 0777 "$SHARED/evil-$plugin"; as "$A" ln -s "$SHARED/evil-$plugin" "$DEF"
			why="a symbolic link, not followed" ;;
		fifo) as "$A" mkfifo -m 0666 "$DEF"; why="not a folder" ;;
		open) mkdir -m 0777 "$DEF"; chmod 0777 "$DEF"; chown "$V:$V" "$DEF"
			why="open to group or others (mode 0777, expected 0700)" ;;
		esac
		run_as_victim "" "${args[@]}"
		refused "$plugin, default folder $kind" "IGD $P WARNING - state folder $DEF: $why"
		t_ok "$plugin, default folder $kind: nothing written there" \
		    test -z "$(find "$SHARED/evil-$plugin" "$DEF" -mindepth 1 -name 'check_igd_*' 2>/dev/null)"
	done
	cleanup_dirs

	# --- NP_STATE_DIRECTORY: a shared sticky folder the attacker writes in
	np=$SHARED/np-$plugin
	mkdir -m 1777 "$np"
	run_as_victim "$np" "${args[@]}"
	t_ok "$plugin, NP_STATE_DIRECTORY: first run, no state-file finding" eval '! _t_has "[WARNING] state" && ! _t_has "cannot save"'
	f=$(find "$np" -maxdepth 1 -name "check_igd_$plugin-*.state" | head -n 1)
	t_ok "$plugin, NP_STATE_DIRECTORY: the state file is there, not in $DEF" \
	    eval 'test -n "$f" && test ! -e "$DEF"'
	name=${f##*/}
	[ -n "$name" ] || name=missing.state
	for kind in garbage symlink fifo groupw; do
		rm -f -- "$np/$name"
		case $kind in
		garbage) as "$A" sh -c 'head -c 200 /dev/urandom >"$1"' sh "$np/$name"
			why="owned by uid $A, not by this user (uid $V)" ;;
		symlink) as "$A" ln -s /etc/passwd "$np/$name"; why="a symbolic link, not followed" ;;
		fifo) as "$A" mkfifo -m 0666 "$np/$name"; why="not a regular file" ;;
		groupw) printf 'check_igd-state 1\nend\n' >"$np/$name"; chown "$V:$V" "$np/$name"; chmod 0664 "$np/$name"
			why="writable by group or others (mode 0664)" ;;
		esac
		run_as_victim "$np" "${args[@]}"
		refused "$plugin, NP_STATE_DIRECTORY, $kind" "IGD $P WARNING - state file $np/$name: $why"
	done
	# a folder anyone can write in without the sticky bit is refused
	chmod 0777 "$np"
	run_as_victim "$np" "${args[@]}"
	refused "$plugin, NP_STATE_DIRECTORY 0777" "IGD $P WARNING - NP_STATE_DIRECTORY $np: writable by others without the sticky bit"
	# --state-file in a folder that does not exist: never exit 0
	run_as_victim "" "${args[@]}" --state-file /nonexistent/x
	t_expect_rc 1 "$plugin --state-file /nonexistent/x: WARNING, not 0"
	t_ok "$plugin --state-file /nonexistent/x: says it cannot save" _t_has "[WARNING] cannot save the state file"
	unset -n args
done

# --- issue 8: a state file made unusable while a mapping is added.  Before,
# that run said WARNING, saved a fresh baseline with the mapping in it, and
# the next run was OK: with max_check_attempts 3 the soft WARNING never
# became HARD.  Now the restart is held like a change: every run within the
# policy's portmap.changes.hold (check_igd_wan holds its rates' restart as
# long) stays WARNING, then OK; or --accept ends it.
HOLD=60
POL=$T_TMP/hold.yaml
printf 'version: 1\nportmap:\n  changes: { new: warning, hold: %s }\n' "$HOLD" >"$POL"
chmod 0644 "$POL"
corrupt() {	# corrupt FILE: what the victim's uid (or root) could do
	printf 'garbage\n' >"$1"
	chown "$V:$V" "$1"
	chmod 0600 "$1"
}
for plugin in portmap wan; do
	declare -n args=args_$plugin
	P=${plugin^^}
	cleanup_dirs
	run_as_victim "" "${args[@]}" -P "$POL"
	run_as_victim "" "${args[@]}" -P "$POL"
	t_expect_rc 0 "$plugin, hold $HOLD s: OK before the attack"
	f=$(find "$DEF" -maxdepth 1 -name "check_igd_$plugin-*.state" | head -n 1)
	[ -n "$f" ] || t_abort "$plugin: no state file in $DEF"
	corrupt "$f"
	[ "$plugin" = portmap ] && { lab_add_mapping TCP 18081 "$LAB_CLIENT" 8081 added-meanwhile >/dev/null ||
		t_abort "cannot add a mapping in the lab"; }
	t0=$(date +%s)
	run_as_victim "" "${args[@]}" -P "$POL"
	refused "$plugin, corrupt state file" "IGD $P WARNING - state file $f: not a check_igd state file"
	t_ok "$plugin, corrupt: says it is held for the hold" _t_has "(held for 1m 0s, or until --accept)"
	for n in 2 3; do
		run_as_victim "" "${args[@]}" -P "$POL"
		late=$(($(date +%s) - t0))
		t_ok "$plugin, run $n after the corrupt one (${late} s < $HOLD s): still WARNING (got $T_RC)" \
		    test "$T_RC" = 1 -a "$late" -lt "$HOLD"
		case $plugin in
		portmap) t_ok "$plugin, run $n: the first line names the restart" \
			    _t_first_has "IGD $P WARNING - change detection started again" ;;
		wan) t_ok "$plugin, run $n: the first line names the restart" \
			    _t_first_has "IGD $P WARNING - traffic rates started again" ;;
		esac
		t_ok "$plugin, run $n: and why" _t_first_has "s ago: state file $f: not a check_igd state file"
	done
	json_as_victim
	left=$((t0 + HOLD + 1 - $(date +%s)))
	[ "$left" -le 0 ] || sleep "$left"
	run_as_victim "" "${args[@]}" -P "$POL"
	t_expect_rc 0 "$plugin, after the hold: OK"
	t_ok "$plugin, after the hold: no restart said" eval '! _t_has "started again"'
	# --accept ends a held restart at once
	corrupt "$f"
	run_as_victim "" "${args[@]}" -P "$POL"
	t_expect_rc 1 "$plugin, corrupt again: WARNING"
	run_as_victim "" "${args[@]}" -P "$POL"
	t_expect_rc 1 "$plugin, the next run: WARNING (held)"
	run_as_victim "" "${args[@]}" -P "$POL" --accept
	t_expect_rc 0 "$plugin --accept: OK"
	run_as_victim "" "${args[@]}" -P "$POL"
	t_expect_rc 0 "$plugin, after --accept: OK"
	unset -n args
done
# a missing state file cannot be told from a first run: in the private
# folder only the victim's uid (or root) can delete it (documented)
rm -f -- "$f"
run_as_victim "" "${args_wan[@]}" -P "$POL"
t_expect_rc 0 "wan, state file deleted: a first run (only its owner can do that)"
t_done
