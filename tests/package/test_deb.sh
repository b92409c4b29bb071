#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/package/test_deb.sh: the Debian package, as a user gets it.  Builds
# it from a copy of the tree with `dpkg-buildpackage -us -uc -b` (the unit
# tests are left to the suite: DEB_BUILD_OPTIONS=nocheck), runs lintian
# (no error or warning allowed), installs it with `apt-get install ./*.deb`,
# runs the installed plugins against the lab IGD (miniupnpd in network
# namespaces), checks man pages, conffiles and the Icinga 2 commands where
# the ITL reads them, then purges it and checks nothing is left.
# Needs root (SKIP without, FAIL under CI).  Refuses to run when check-igd is
# already installed (it would replace it).
. "$(dirname "$0")/../lab/testlib.sh"
[ "$(id -u)" = 0 ] || { [ -n "${CI:-}" ] && t_abort "needs root (CI)"; t_skip "SKIP: needs root"; }
for c in dpkg-buildpackage lintian fakeroot; do
	command -v $c >/dev/null 2>&1 || t_abort "$c missing (apt-get install dpkg-dev debhelper lintian fakeroot)"
done
if dpkg-query -W -f='${Status}' check-igd 2>/dev/null | grep -q 'installed'; then
	t_abort "check-igd is already installed on this machine; not replacing it"
fi
installed=0
# the lab's trap (testlib) runs first; purge as well on exit
trap 'lab_down_all; [ $installed = 1 ] && apt-get purge -y check-igd >/dev/null 2>&1; rm -rf -- "$T_TMP"' EXIT

b=$T_TMP/build
mkdir -p "$b/check-igd"
(cd "$T_REPO" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$b/check-igd"
t0=$(date +%s)
(cd "$b/check-igd" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) >"$T_TMP/build.log" 2>&1
rc=$?
t_log "# dpkg-buildpackage: $(( $(date +%s) - t0 )) s"
[ $rc = 0 ] || { tail -n 30 "$T_TMP/build.log"; t_abort "dpkg-buildpackage -us -uc -b failed"; }
deb=$(ls "$b"/check-igd_*_*.deb)
t_ok "one .deb built ($(basename "$deb"))" test -f "$deb"
t0=$(date +%s)
lint=$(lintian --pedantic "$b"/check-igd_*.changes 2>&1 | grep -v '^running with root')
t_log "# lintian: $(( $(date +%s) - t0 )) s"
printf '%s\n' "$lint" | sed 's/^/# lintian: /'
t_ok "lintian --pedantic: no error or warning" eval '! printf "%s\n" "$lint" | grep -qE "^[EW]: "'
t_ok "lintian: no pedantic tag either" eval '! printf "%s\n" "$lint" | grep -qE "^P: "'

out=$(cd "$b" && apt-get install -y --no-install-recommends "./$(basename "$deb")" 2>&1)
rc=$?
[ $rc = 0 ] || { printf '%s\n' "$out" | tail -n 20; t_abort "apt-get install ./$(basename "$deb") failed"; }
installed=1
t_ok "apt-get install ./*.deb: check-igd installed" \
	eval 'dpkg-query -W -f="\${Status}" check-igd | grep -q "install ok installed"'
files=$(dpkg -L check-igd)
pd=/usr/lib/nagios/plugins
for p in check_igd_present check_igd_wan check_igd_portmap; do
	t_ok "$pd/$p installed, executable" test -x "$pd/$p"
	t_ok "man page of $p found by man -w" eval "man -w $p 2>/dev/null | grep -q /usr/share/man/man1/$p.1"
done
conff=$(dpkg-query -W -f='${Conffiles}\n' check-igd)
t_ok "conffile /etc/check_igd/policy.yaml" eval 'printf "%s\n" "$conff" | grep -q " /etc/check_igd/policy.yaml "'
t_ok "conffile /etc/nagios-plugins/config/check_igd.cfg" \
	eval 'printf "%s\n" "$conff" | grep -q " /etc/nagios-plugins/config/check_igd.cfg "'
v=$("$pd/check_igd_portmap" -V)
t_ok "installed check_igd_portmap -V names $(cat "$T_REPO/VERSION") ($v)" \
	eval 'printf "%s\n" "$v" | grep -qF "$(cat "$T_REPO/VERSION")"'

# The installed plugins against the lab IGD, from the LAN namespace.
t_lab_up igd2 deb || t_abort "lab igd2 did not come up"
lab_add_mapping TCP 8080 "$LAB_CLIENT" 80 "deb-test web" 3600 || t_abort "could not add a mapping"
PLUGINS_DIR=$pd
t_run check_igd_present -H "$LAB_ROUTER" -t 5
t_expect_rc 0 "installed check_igd_present -H (unicast SSDP in the LAN namespace)"
t_expect_first_line '^IGD PRESENT OK - '
t_expect_perf time
t_run check_igd_wan -u "$LAB_URL" --no-state -t 5
t_expect_rc 0 "installed check_igd_wan -u"
t_expect_output_has "$LAB_EXT_IP"
t_run check_igd_portmap -u "$LAB_URL" --no-state -P /etc/check_igd/policy.yaml -t 5
t_expect_rc 0 "installed check_igd_portmap -u with the installed example policy"
t_expect_output_has "deb-test web"
t_ok "check_igd_portmap counts the lab's mapping" eval '_t_perfdata | tr " " "\n" | grep -q "^mappings=1;"'

# Icinga 2 reads the CheckCommands where the package put them.
if command -v icinga2 >/dev/null 2>&1; then
	i=$T_TMP/icinga2; mkdir -p "$i"/{data,log,cache,spool,run}
	cat >"$i/main.conf" <<'EOF2'
include <itl>
include <plugins>
include <plugins-contrib>
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "/usr/lib/nagios/plugins"
object Host "router" { check_command = "dummy"; address = "192.0.2.1"; enable_active_checks = false }
object Service "portmap" { host_name = "router"; check_command = "igd_portmap"; enable_active_checks = false }
EOF2
	out=$(icinga2 daemon -C -c "$i/main.conf" -DConfiguration.RunAsUser=root -DConfiguration.RunAsGroup=root \
		-DConfiguration.DataDir="$i/data" -DConfiguration.LogDir="$i/log" -DConfiguration.CacheDir="$i/cache" \
		-DConfiguration.SpoolDir="$i/spool" -DConfiguration.InitRunDir="$i/run" -DNodeName=deb-test 2>&1)
	t_ok "icinga2 -C: include <plugins-contrib> defines igd_portmap from the package" \
		eval 'printf "%s\n" "$out" | grep -q "Instantiated 1 Service\."'
elif [ -n "${CI:-}" ]; then
	t_ok "icinga2 installed (CI)" false
fi

# Purge: every file of the package is gone, the conffiles too.
echo "# edited" >>/etc/check_igd/policy.yaml
out=$(apt-get purge -y check-igd 2>&1) || { printf '%s\n' "$out" | tail; t_abort "apt-get purge failed"; }
installed=0
t_ok "apt-get purge: check-igd is gone" eval '! dpkg-query -W -f="\${Status}" check-igd 2>/dev/null | grep -q installed'
left=$(printf '%s\n' "$files" | while read -r f; do [ -f "$f" ] && echo "$f"; done)
t_ok "no file of the package left (${left:-none})" test -z "$left"
t_ok "purge removed the edited conffile /etc/check_igd/policy.yaml" test ! -e /etc/check_igd/policy.yaml
t_done
