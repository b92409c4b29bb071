#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/contrib/test_install.sh: make install / make uninstall into a
# DESTDIR, as a packager runs them (PREFIX=/usr), checked file by file;
# the example policy is never overwritten; the Nagios command file
# installed for /etc/nagios-plugins/config/ creates no service (nagios4 -v);
# the policy schema accepts the shipped policies.  No root needed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
npass=0 nfail=0
ok() { printf 'PASS %s\n' "$1"; npass=$((npass + 1)); }
bad() { printf 'FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    # /' | head -n 30; nfail=$((nfail + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected: $2
actual:   $3"; fi; }
tmp=$(mktemp -d /tmp/test_install.XXXXXX)
# nagios_base_objects
# shellcheck source=nagioslib.sh
. "$root/tests/contrib/nagioslib.sh"
trap 'rm -rf "$tmp"' EXIT
d=$tmp/dest

out=$(make -C "$root" -s install DESTDIR="$d" PREFIX=/usr 2>&1) || bad "make install DESTDIR PREFIX=/usr" "$out"
want="etc/check_igd/policy.yaml
etc/nagios-plugins/config/check_igd.cfg
usr/lib/check_igd/check_igd_zabbix
usr/lib/nagios/plugins/check_igd_exposed
usr/lib/nagios/plugins/check_igd_portmap
usr/lib/nagios/plugins/check_igd_present
usr/lib/nagios/plugins/check_igd_wan
usr/share/check_igd/policies/default.yaml
usr/share/check_igd/policies/home.yaml
usr/share/check_igd/policies/small-office.yaml
usr/share/check_igd/policies/strict-allowlist.yaml
usr/share/check_igd/schema/output.schema.json
usr/share/check_igd/schema/policy.schema.json
usr/share/doc/check-igd/examples/README.md
usr/share/doc/check-igd/examples/check_igd-services.cfg
usr/share/doc/check-igd/examples/example-services.conf
usr/share/doc/check-igd/examples/filebeat-check_igd-events.yml
usr/share/doc/check-igd/examples/fluent-bit-check_igd-events.yaml
usr/share/doc/check-igd/examples/logrotate-check_igd-events
usr/share/doc/check-igd/examples/mrpe.cfg
usr/share/doc/check-igd/examples/rsyslog-check_igd-events.conf
usr/share/doc/check-igd/examples/template_check_igd.yaml
usr/share/doc/check-igd/examples/userparameter_check_igd.conf
usr/share/icinga2/include/plugins-contrib.d/check_igd.conf
usr/share/man/man1/check_igd_exposed.1
usr/share/man/man1/check_igd_portmap.1
usr/share/man/man1/check_igd_present.1
usr/share/man/man1/check_igd_wan.1"
check "make install PREFIX=/usr: the files where Debian expects them" "$want" \
	"$(cd "$d" && find . -type f | sed 's|^\./||' | sort)"
check "plugins are executable (0755)" "755 755 755 755" \
	"$(stat -c %a "$d"/usr/lib/nagios/plugins/check_igd_* | tr '\n' ' ' | sed 's/ $//')"
v=$("$d/usr/lib/nagios/plugins/check_igd_wan" -V)
case $v in check_igd_wan*"$(cat "$root/VERSION")"*) ok "installed plugin runs: -V says $v" ;;
*) bad "installed plugin runs: -V names version $(cat "$root/VERSION")" "$v" ;; esac
cfg=$d/etc/nagios-plugins/config/check_igd.cfg
check "Nagios command file: \$USER1\$ replaced by the plugin directory" \
	"0 7" "$(grep -c 'USER1' "$cfg") $(grep -c 'command_line *\/usr/lib/nagios/plugins/check_igd_' "$cfg")"
check "Nagios command file defines commands only" "" \
	"$(grep -E '^\s*define\s+' "$cfg" | grep -vE '^\s*define\s+command\b')"
check "PLUGINDIR overrides the plugin directory" "/opt/np/check_igd_present" \
	"$(make -C "$root" -s install DESTDIR="$tmp/d2" PREFIX=/usr PLUGINDIR=/opt/np >/dev/null 2>&1;
	   cd "$tmp/d2" && find . -name check_igd_present -type f | sed 's|^\.||')"

# The example policy is the user's: a second install keeps an edited one.
echo '# mine' >>"$d/etc/check_igd/policy.yaml"
make -C "$root" -s install DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1
check "a second install keeps an edited /etc/check_igd/policy.yaml" "# mine" \
	"$(tail -n 1 "$d/etc/check_igd/policy.yaml")"

# Dropped into Debian's /etc/nagios-plugins/config/, the file creates no
# service, even beside a host in the example hostgroup's name.
if command -v nagios4 >/dev/null 2>&1; then
	n=$tmp/nagios; mkdir -p "$n"
	nagios_base_objects "$n/base.cfg"
	cat >"$n/objects.cfg" <<'EOF2'
define command {
    command_name    check-dummy
    command_line    /bin/true
}
define service {
    host_name               router
    service_description     not-igd
    check_command           check-dummy
    max_check_attempts      1
    check_interval          5
    retry_interval          1
    check_period            24x7
    notification_period     24x7
    contacts                nobody
}
define host {
    host_name               router
    hostgroups              igd-routers
    address                 192.0.2.1
    max_check_attempts      1
    check_period            24x7
    contacts                nobody
    notification_period     24x7
}
EOF2
	cat >"$n/nagios.cfg" <<EOF2
cfg_file=$n/base.cfg
cfg_file=$n/objects.cfg
cfg_dir=$d/etc/nagios-plugins/config
log_file=$n/nagios.log
status_file=$n/status.dat
lock_file=$n/nagios.lock
temp_file=$n/nagios.tmp
temp_path=$n
check_result_path=$n
object_cache_file=$n/objects.cache
precached_object_file=$n/objects.precache
nagios_user=root
nagios_group=root
illegal_macro_output_chars=\`~\$&|'"<>
EOF2
	cat >>"$n/objects.cfg" <<'EOF2'
define hostgroup {
    hostgroup_name  igd-routers
    alias           the example services' hostgroup, defined by the user
}
EOF2
	out=$(nagios4 -v "$n/nagios.cfg" 2>&1)
	if printf '%s\n' "$out" | grep -q 'Total Errors: *0' && printf '%s\n' "$out" | grep -q 'Checked 1 services' &&
		printf '%s\n' "$out" | grep -q 'Checked 9 commands' &&
		printf '%s\n' "$out" | grep -q 'Total Warnings: *0'; then
		ok "nagios4 -v: the installed command file adds 7 commands and no service (router in igd-routers)"
	else
		bad "nagios4 -v: the installed command file adds 7 commands and no service (router in igd-routers)" \
			"$(printf '%s\n' "$out" | grep -E 'Checked|Error|Warning')"
	fi
elif [ -n "${CI:-}" ]; then
	bad "nagios4 -v on the installed command file" "nagios4 not installed and CI is set"
else
	printf 'SKIP nagios4 -v on the installed command file (nagios4 not installed)\n'
fi

out=$(make -C "$root" -s uninstall DESTDIR="$d" PREFIX=/usr 2>&1)
check "make uninstall leaves only the user's policy" "etc/check_igd/policy.yaml" \
	"$(cd "$d" && find . -type f | sed 's|^\./||' | sort)"
printf '%s\n' "$out" | grep -q 'kept .*policy.yaml' && ok "make uninstall says it kept the policy" ||
	bad "make uninstall says it kept the policy" "$out"

# The policy schema accepts every shipped policy and the good fixtures,
# and refuses bad fixtures it can express.
# Debian's python3 (make deps installs python3-jsonschema and python3-yaml
# for it), not whichever python3 comes first on PATH.
out=$("${SCHEMA_PY:-/usr/bin/python3}" - "$root" <<'EOF2'
import sys, json, glob, yaml, jsonschema
root = sys.argv[1]
v = jsonschema.Draft202012Validator(json.load(open(root + "/schema/policy.schema.json")))
rc = 0
for f in sorted(glob.glob(root + "/policies/*.yaml") + glob.glob(root + "/tests/fixtures/policies/good/*.yaml")):
    e = list(v.iter_errors(yaml.safe_load(open(f))))
    if e:
        print("refused good policy", f, e[0].message); rc = 1
for n in ["unknown-key-top", "unknown-key-rule", "unknown-key-threshold", "unknown-state", "missing-version",
          "version-2", "bad-list-method", "bad-protocol", "bad-rule-name", "port-70000", "port-zero",
          "negative-count", "wrong-type-bool", "wrong-type-list", "missing-rule-state", "disable-unknown",
          "bad-mac", "bad-duration"]:
    if not list(v.iter_errors(yaml.safe_load(open(root + "/tests/fixtures/policies/bad/" + n + ".yaml")))):
        print("accepted bad policy", n); rc = 1
sys.exit(rc)
EOF2
) && ok "policy schema: shipped and good policies valid, 18 bad fixtures refused" ||
	bad "policy schema: shipped and good policies valid, bad ones refused" "$out"

echo "install: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
