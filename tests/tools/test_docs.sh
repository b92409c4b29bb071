#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/tools/test_docs.sh: the documentation matches the programs.
#   - every option --help lists is in the plugin's man page (OPTIONS), and
#     every option of the man page is in --help;
#   - --help names the exit states, every perfdata label of the man page,
#     an example, and the copyright; -V is "NAME vX.Y.Z (check_igd)";
#   - every option is covered by the plugin's Icinga 2 CheckCommand
#     (contrib/icinga2/check_igd.conf), except -h and -V.
# No device needed.  Env: PLUGINS_DIR (default <repo>/plugins).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
pdir=${PLUGINS_DIR:-$root/plugins}
npass=0 nfail=0
ok() { printf 'PASS %s\n' "$1"; npass=$((npass + 1)); }
bad() { printf 'FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    # /'; nfail=$((nfail + 1)); }

# Options of --help: every -x / --long on an option line of the Options part.
help_opts() {
	"$pdir/$1" --help 2>&1 | sed -n '/^Options:/,/^$/p' | grep -E '^ +-' |
		sed -E 's/ {2,}[A-Za-z(].*$//' | grep -oE '(^|[ ,/])--?[A-Za-z][A-Za-z-]*' |
		sed -E 's/^[ ,\/]//' | sort -u
}
# Options of the man page: every \-x / \-\-long on a .TP heading of OPTIONS.
man_opts() {
	awk '/^\.SH /{ins = ($2 == "OPTIONS")} ins && prev == ".TP" {print} {prev = $0}' \
		"$root/man/$1.1" | sed 's/\\-/-/g' | grep -oE '(^|[ "])--?[A-Za-z][A-Za-z-]*' |
		sed -E 's/^[ "]//' | sort -u
}
# Perfdata labels of the man page: the .B/.BR lines under PERFORMANCE DATA.
man_labels() {
	awk '/^\.SH /{ins = ($2 == "PERFORMANCE")} ins && prev == ".TP" {print} {prev = $0}' \
		"$root/man/$1.1" | sed -E 's/^\.BR? //; s/"[^"]*"//g' | tr ' ' '\n' | sed 's/\\//g' |
		grep -E '^[a-z][A-Za-z_]*$' | sort -u
}
# Argument keys of an Icinga 2 CheckCommand.
icinga_keys() {
	awk -v c="$1" '$0 ~ "^object CheckCommand \"" c "\"" {in_c = 1} in_c && /^}/ {in_c = 0}
		in_c && /^\t\t"-/ {gsub(/[\t" ]|=|\{/, ""); print}' "$root/contrib/icinga2/check_igd.conf" | sort -u
}

for p in check_igd_present check_igd_wan check_igd_portmap; do
	if [ ! -x "$pdir/$p" ]; then bad "$p: built" "missing $pdir/$p (run make)"; continue; fi
	h=$(help_opts "$p") m=$(man_opts "$p")
	[ "$(printf '%s\n' "$h" | wc -l)" -ge 10 ] || bad "$p: --help options parsed" "$h"
	missing=$(comm -23 <(printf '%s\n' "$h") <(printf '%s\n' "$m"))
	extra=$(comm -13 <(printf '%s\n' "$h") <(printf '%s\n' "$m"))
	[ -z "$missing" ] && ok "$p: every --help option ($(printf '%s\n' "$h" | wc -l)) is in the man page" ||
		bad "$p: options in --help but not in man/$p.1" "$missing"
	[ -z "$extra" ] && ok "$p: every man page option is in --help" ||
		bad "$p: options in man/$p.1 but not in --help" "$extra"

	help=$("$pdir/$p" --help 2>&1)
	for s in OK WARNING CRITICAL UNKNOWN; do
		printf '%s\n' "$help" | grep -qE "^ *[0-3] +$s\b" || { bad "$p: --help names exit state $s"; continue 2; }
	done
	ok "$p: --help names the exit states 0-3"
	miss=""
	for l in $(man_labels "$p"); do
		printf '%s\n' "$help" | sed -n '/^Performance data/,/^$/p' | grep -qw -- "$l" || miss="$miss $l"
	done
	[ -n "$(man_labels "$p")" ] && [ -z "$miss" ] &&
		ok "$p: --help lists the man page's perfdata labels ($(man_labels "$p" | tr '\n' ' '))" ||
		bad "$p: perfdata labels of the man page missing from --help" "${miss:-none parsed}"
	printf '%s\n' "$help" | grep -qE "^Example" && printf '%s\n' "$help" | grep -qE "^ +$p " &&
		ok "$p: --help has an example" || bad "$p: --help has an example"
	printf '%s\n' "$help" | grep -qE '^Copyright \(C\) 20[0-9]{2} ' &&
		printf '%s\n' "$help" | grep -q 'GPL-3.0-or-later' &&
		ok "$p: --help has the copyright and licence" || bad "$p: --help has the copyright and licence"
	v=$("$pdir/$p" -V 2>&1); rc=$?
	[ "$v" = "$p v$(cat "$root/VERSION") (check_igd)" ] && [ $rc = 3 ] &&
		ok "$p: -V is '$v', exit 3" || bad "$p: -V in the field's form" "got '$v' rc=$rc"

	# The Icinga 2 CheckCommand covers every option (short or long form).
	cmd=igd_${p#check_igd_}
	keys=$(icinga_keys "$cmd")
	miss=""
	while read -r line; do
		forms=$(printf '%s\n' "$line" | grep -oE -- '--?[A-Za-z][A-Za-z-]*')
		case " $(echo $forms) " in *" -h "* | *" -V "*) continue ;; esac
		hit=0
		for f in $forms; do printf '%s\n' "$keys" | grep -qxF -- "$f" && hit=1; done
		[ $hit = 1 ] || miss="$miss $(echo $forms)"
	done < <("$pdir/$p" --help 2>&1 | sed -n '/^Options:/,/^$/p' | grep -E '^ +-' |
		sed -E 's/ {2,}[A-Za-z(].*$//' | tr '/' ' ')
	[ -n "$keys" ] && [ -z "$miss" ] && ok "$p: Icinga 2 CheckCommand $cmd covers every option" ||
		bad "$p: options missing from CheckCommand $cmd" "$miss"
done
echo "docs: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
