#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Install what check_igd needs to build, test and demo on Debian 12 (root).
# Blocks services from starting during installation (policy-rc.d), so the
# packaged miniupnpd, nagios4 and icinga2 never start system-wide.
set -e
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root (apt-get)" >&2
	exit 1
fi
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
# libnftnl-dev libmnl-dev libssl-dev uuid-runtime: to build the miniupnpd
# releases of the lab (tests/lab/lab.sh build, modes igd2-vX.Y.Z);
# rsyslog logrotate: to check the event log's collector files
# (tests/contrib/test_events_collectors.sh; the daemon never starts here)
pkgs="build-essential pkg-config libminiupnpc-dev libyaml-dev check
    libnftnl-dev libmnl-dev libssl-dev uuid-runtime
    miniupnpd-nftables miniupnpc nftables iproute2 curl python3 time
    clang libclang-rt-14-dev valgrind nagios4-core ssmtp icinga2-bin
    zabbix-agent iptables libip4tc2 libip6tc2 ieee-data
    debhelper dpkg-dev fakeroot lintian python3-jsonschema python3-yaml
    openssl man-db rsyslog logrotate"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# a locale whose decimal mark is a comma, so the tests can prove that
# perfdata numbers use '.' whatever LC_NUMERIC says
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
echo "install-deps: all dependencies present"
