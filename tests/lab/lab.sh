#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/lab/lab.sh - a real IGD (miniupnpd 2.3.x, nftables build) in network
# namespaces, for the lab tests, the demo and by hand.  Needs root.
# Modes igd2-ipt and igd1-ipt run the iptables build of the same miniupnpd
# (Debian miniupnpd-iptables 2.3.1, which conflicts with the nftables
# package): fetched once with "apt-get download" and unpacked with "dpkg -x"
# into LAB_IPT_CACHE (default /var/cache/cigd-lab/miniupnpd-iptables), run
# over legacy iptables chains in the router namespace.  Unlike every
# nftables build before 2.3.4 it survives GetListOfPortMappings over 128
# mappings, and its per-call cost does not grow with the table.
# Modes igd2-vX.Y.Z and igd1-vX.Y.Z run miniupnpd X.Y.Z (nftables build),
# built on first use from LAB_TARBALLS/miniupnpd-X.Y.Z.tar.gz (default
# ../shared/miniupnpd beside the repository) into LAB_BUILD_CACHE (default
# /var/cache/cigd-lab/builds); 2.2.3, 2.3.3, 2.3.7 and 2.3.9 are the ones
# routers in the field run.
#
# As a command:
#   lab.sh up [igd2|igd1|igd2-ipt|igd1-ipt|igd2-vX.Y.Z|igd1-vX.Y.Z] [NAME]
#                                    bring a lab up (default igd2, NAME "lab")
#   lab.sh fetch-ipt                 fetch the iptables build (if missing)
#   lab.sh build [X.Y.Z...]          build those miniupnpd versions (default
#                                    LAB_VERSIONS) unless already cached
#   lab.sh down [NAME]               stop the daemon, delete namespaces and state
#   lab.sh status [NAME]             what is up, the URLs, the mapping count
#   lab.sh env [NAME]                the LAB_* variables, for eval
#   lab.sh add-mapping PROTO EXTPORT INTCLIENT INTPORT DESC [LEASE] [REMOTEHOST]
#   lab.sh add-many N [FIRSTPORT]    N TCP mappings, FIRSTPORT.. (default 20000)
#   lab.sh preload-leases N [FIRSTPORT]  same via the lease file and a restart
#   lab.sh stop-daemon | start-daemon
#   lab.sh exec-lan CMD...           run CMD in the LAN namespace
#   lab.sh soap ACTION [ARGS-XML] [SERVICE]   print the raw SOAP answer body
# Commands other than "up"/"down"/"status"/"env" act on the lab named by the
# environment variable LAB_NAME (default "lab").
#
# As a library (bash):
#   . tests/lab/lab.sh
#   lab_up igd2 mytest || exit 1     # sets LAB_* variables, see lab_env
#                                    # (igd2-ipt/igd1-ipt: iptables build;
#                                    # LAB_BACKEND says nft or ipt)
#   lab_down_on_exit                 # EXIT/INT/TERM trap tearing down every lab
#   lab_exec_lan "$PLUGINS_DIR/check_igd_present" -u "$LAB_URL"
#   lab_add_mapping TCP 8080 "$LAB_CLIENT" 80 "web"
#   lab_down
# Several labs can be up at once (each NAME has its own namespaces
# cigd-NAME-igd/-lan/-wan); lab_use NAME switches the LAB_* variables.
#
# Read-only rule: the plugins never change the device; only this harness adds
# mappings, by raw SOAP.  Nothing here sends traffic outside the namespaces:
# LAB_EXT_IP is only reported by the daemon in SOAP answers.

# ---------------------------------------------------------------- settings
LAB_STATE_BASE=${LAB_STATE_BASE:-/run/cigd-lab}
LAB_MINIUPNPD=${LAB_MINIUPNPD:-/usr/sbin/miniupnpd}
# The nftables build (modes igd2, igd1); LAB_MINIUPNPD is then per lab.
LAB_MINIUPNPD_NFT=$LAB_MINIUPNPD
# Where the iptables build is unpacked (modes igd2-ipt, igd1-ipt).
LAB_IPT_CACHE=${LAB_IPT_CACHE:-/var/cache/cigd-lab/miniupnpd-iptables}
# Upstream source tarballs miniupnpd-X.Y.Z.tar.gz (modes igd2-vX.Y.Z,
# igd1-vX.Y.Z): by default ../shared/miniupnpd beside the repository.
# Upstream publishes them at https://miniupnp.tuxfamily.org/files/ (also
# http://miniupnp.free.fr/files/); the tags miniupnpd_X_Y_Z of
# https://github.com/miniupnp/miniupnp give the same tree ("git archive
# --prefix=miniupnpd-X.Y.Z/ miniupnpd_X_Y_Z:miniupnpd").
_LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_TARBALLS=${LAB_TARBALLS:-$(cd "$_LAB_REPO/../shared/miniupnpd" 2>/dev/null && pwd || echo "$_LAB_REPO/../shared/miniupnpd")}
# Where those versions are built (one folder per version and backend, the
# binary and its build log; rebuilt when the tarball or the flags change).
LAB_BUILD_CACHE=${LAB_BUILD_CACHE:-/var/cache/cigd-lab/builds}
# nftables backend, IGD:2 (force_igd_desc_v1 gives IGD:1), a lease file,
# the identity keys in the config file, IPv6 (as distributions build it).
LAB_BUILD_FLAGS="--firewall=nftables --igd2 --leasefile --vendorcfg --ipv6"
# The releases routers in the field run, each for what it does wrong (see
# tests/lab/README.md): 2.2.3 and 2.3.3 crash on GetListOfPortMappings over
# 128 mappings (every nftables build before 2.3.4), 2.3.7 reports internal
# port 0, 2.3.9 lists in rule order.
LAB_VERSIONS=${LAB_VERSIONS:-2.2.3 2.3.3 2.3.7 2.3.9}
# A public-looking address (miniupnpd refuses every reserved range, the
# documentation and CGNAT ones included).  Only ever *reported*; the WAN side
# of the lab is a dead-end namespace, so nothing could reach it anyway.
LAB_EXT_IP_DEFAULT=${LAB_EXT_IP:-11.22.33.44}
LAB_HTTP_PORT=5000
LAB_FRIENDLY_NAME_DEFAULT="check_igd lab router"
LAB_MANUFACTURER_DEFAULT="check_igd lab"
LAB_MODEL_NAME_DEFAULT="LabGateway"
LAB_MODEL_NUMBER_DEFAULT="2.3.1-lab"
LAB_SERIAL_DEFAULT="CIGD-0001"
LAB_BITRATE_UP_DEFAULT=10000000
LAB_BITRATE_DOWN_DEFAULT=100000000
LAB_UP_LIST=${LAB_UP_LIST:-}

_lab_say() { printf 'lab: %s\n' "$*" >&2; }
_lab_die() { printf 'lab: error: %s\n' "$*" >&2; return 1; }
_lab_now_ms() { date +%s%3N; }

# Derive every name and address of lab NAME (no side effects).
_lab_names() {
	local name=$1 mode=${2:-igd2} h
	case $name in
	'' | *[!A-Za-z0-9_-]*) _lab_die "bad lab name '$name' (use [A-Za-z0-9_-])"; return 1 ;;
	esac
	[ ${#name} -le 24 ] || { _lab_die "lab name '$name' longer than 24"; return 1; }
	LAB_NAME=$name
	LAB_MODE=$mode
	LAB_VERSION=
	case $mode in
	*-ipt)
		LAB_BACKEND=ipt
		LAB_MINIUPNPD=$LAB_IPT_CACHE/usr/sbin/miniupnpd
		;;
	*-v*)
		LAB_BACKEND=nft
		LAB_VERSION=${mode#*-v}
		LAB_MINIUPNPD=$(lab_build_dir "$LAB_VERSION")/miniupnpd
		;;
	*)
		LAB_BACKEND=nft
		LAB_MINIUPNPD=$LAB_MINIUPNPD_NFT
		;;
	esac
	LAB_PREFIX=cigd-$name
	LAB_NS_IGD=$LAB_PREFIX-igd
	LAB_NS_LAN=$LAB_PREFIX-lan
	LAB_NS_WAN=$LAB_PREFIX-wan
	# One 10.X.0.0/24 per lab name (X in 16..239).  Namespaces are isolated
	# anyway; distinct subnets just keep logs and captures unambiguous.
	h=$(printf '%s' "$name" | cksum | cut -d' ' -f1)
	LAB_NET=10.$((h % 224 + 16)).0
	LAB_SUBNET=$LAB_NET.0/24
	LAB_ROUTER=$LAB_NET.1
	LAB_CLIENT=$LAB_NET.2
	LAB_IGD_LAN_IF=lan0
	LAB_LAN_IF=lanc
	LAB_IGD_WAN_IF=wan0
	LAB_WAN_IF=wanp
	LAB_WAN_ROUTER=192.0.2.2
	LAB_WAN_PEER=192.0.2.1
	LAB_EXT_IP=$LAB_EXT_IP_DEFAULT
	LAB_PORT=$LAB_HTTP_PORT
	LAB_URL=http://$LAB_ROUTER:$LAB_PORT/rootDesc.xml
	LAB_DIR=$LAB_STATE_BASE/$name
	LAB_CONF=$LAB_DIR/miniupnpd.conf
	LAB_LOG=$LAB_DIR/miniupnpd.log
	LAB_PIDFILE=$LAB_DIR/pid
	LAB_LEASES=$LAB_DIR/leases
	LAB_UUID=$(printf '%s' "$name" | md5sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
	LAB_UDN=uuid:$LAB_UUID
	LAB_FRIENDLY_NAME=${LAB_FRIENDLY_NAME:-$LAB_FRIENDLY_NAME_DEFAULT}
	LAB_MANUFACTURER=${LAB_MANUFACTURER:-$LAB_MANUFACTURER_DEFAULT}
	LAB_MODEL_NAME=${LAB_MODEL_NAME:-$LAB_MODEL_NAME_DEFAULT}
	LAB_MODEL_NUMBER=${LAB_MODEL_NUMBER:-${LAB_VERSION:+$LAB_VERSION-lab}}
	LAB_MODEL_NUMBER=${LAB_MODEL_NUMBER:-$LAB_MODEL_NUMBER_DEFAULT}
	LAB_SERIAL=${LAB_SERIAL:-$LAB_SERIAL_DEFAULT}
	LAB_BITRATE_UP=${LAB_BITRATE_UP:-$LAB_BITRATE_UP_DEFAULT}
	LAB_BITRATE_DOWN=${LAB_BITRATE_DOWN:-$LAB_BITRATE_DOWN_DEFAULT}
}

_LAB_VARS="LAB_NAME LAB_MODE LAB_BACKEND LAB_VERSION LAB_MINIUPNPD LAB_PREFIX LAB_NS_IGD LAB_NS_LAN LAB_NS_WAN LAB_NET
LAB_SUBNET LAB_ROUTER LAB_CLIENT LAB_IGD_LAN_IF LAB_LAN_IF LAB_IGD_WAN_IF
LAB_WAN_IF LAB_WAN_ROUTER LAB_WAN_PEER LAB_EXT_IP LAB_PORT LAB_URL LAB_DIR
LAB_CONF LAB_LOG LAB_PIDFILE LAB_LEASES LAB_UUID LAB_UDN LAB_FRIENDLY_NAME
LAB_MANUFACTURER LAB_MODEL_NAME LAB_MODEL_NUMBER LAB_SERIAL LAB_BITRATE_UP
LAB_BITRATE_DOWN LAB_CTL_URL LAB_CTL_PATH LAB_SVC LAB_SVC_IFC LAB_CTL_IFC
LAB_SVC_V6FW LAB_CTL_V6FW LAB_STARTUP_MS"

# Print the LAB_* variables of the current lab as shell assignments.
lab_env() {
	local v
	for v in $_LAB_VARS; do
		printf '%s=%q\n' "$v" "${!v-}"
	done
}

# Switch the LAB_* variables to the running lab NAME.
lab_use() {
	local name=${1:-${LAB_NAME:-lab}}
	[ -r "$LAB_STATE_BASE/$name/env" ] || { _lab_die "lab '$name' is not up"; return 1; }
	# shellcheck disable=SC1090
	. "$LAB_STATE_BASE/$name/env"
}

# ---------------------------------------------------------------- helpers
lab_exec_igd() { ip netns exec "$LAB_NS_IGD" "$@"; }
lab_exec_lan() { ip netns exec "$LAB_NS_LAN" "$@"; }
lab_exec_wan() { ip netns exec "$LAB_NS_WAN" "$@"; }

# XML-escape $1.  miniupnpd 2.3.1 stores the text between the tags verbatim
# (it decodes no entity) and sends it back verbatim, so an escaped
# description comes back as well-formed XML that decodes to the original;
# a raw '<' would make it store an empty description.  (The replacement
# strings are quoted: bash 5.2 reads an unquoted '&' there as the match.)
lab_xml_escape() {
	local s=$1 amp='&amp;' lt='&lt;' gt='&gt;' quot='&quot;' apos='&apos;'
	s=${s//&/"$amp"}
	s=${s//</"$lt"}
	s=${s//>/"$gt"}
	s=${s//\"/"$quot"}
	s=${s//\'/"$apos"}
	printf '%s' "$s"
}

# Description as sent: escaped, or verbatim when LAB_DESC_RAW=1 (the device
# then echoes raw '&', quotes etc., i.e. answers that are not well-formed).
_lab_desc() {
	if [ "${LAB_DESC_RAW:-0}" = 1 ]; then printf '%s' "$1"; else lab_xml_escape "$1"; fi
}

# ---------------------------------------------------------------- up/down
_lab_net_up() {
	local igd=$LAB_NS_IGD lan=$LAB_NS_LAN wan=$LAB_NS_WAN ns
	for ns in "$igd" "$lan" "$wan"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$igd" link add "$LAB_IGD_LAN_IF" type veth peer name "$LAB_LAN_IF" netns "$lan" || return 1
	ip -n "$igd" link add "$LAB_IGD_WAN_IF" type veth peer name "$LAB_WAN_IF" netns "$wan" || return 1
	ip -n "$igd" addr add "$LAB_ROUTER/24" dev "$LAB_IGD_LAN_IF" || return 1
	ip -n "$lan" addr add "$LAB_CLIENT/24" dev "$LAB_LAN_IF" || return 1
	ip -n "$igd" addr add "$LAB_WAN_ROUTER/24" dev "$LAB_IGD_WAN_IF" || return 1
	ip -n "$wan" addr add "$LAB_WAN_PEER/24" dev "$LAB_WAN_IF" || return 1
	ip -n "$igd" link set "$LAB_IGD_LAN_IF" up || return 1
	ip -n "$igd" link set "$LAB_IGD_WAN_IF" up || return 1
	ip -n "$lan" link set "$LAB_LAN_IF" up || return 1
	ip -n "$wan" link set "$LAB_WAN_IF" up || return 1
	ip -n "$lan" route add default via "$LAB_ROUTER" || return 1
	ip -n "$igd" route add default via "$LAB_WAN_PEER" || return 1
	if [ "$LAB_BACKEND" = ipt ]; then
		_lab_ipt_chains
		return
	fi
	# The skeleton miniupnpd 2.3.1 expects (its nft_init.sh is broken on
	# Debian 12).  Empty chains first so the jumps resolve.
	ip netns exec "$igd" nft -f - <<-'EOF' || return 1
	table inet filter {
		chain miniupnpd { }
		chain prerouting_miniupnpd { }
		chain postrouting_miniupnpd { }
		chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
		chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
		chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
	}
	EOF
}

# The legacy iptables chains the iptables build expects (as its
# iptables_init.sh makes them, without its helper scripts): MINIUPNPD in
# nat, mangle and filter, MINIUPNPD-POSTROUTING in nat, jumps from
# PREROUTING (-i wan), POSTROUTING (-o wan) and FORWARD (-i wan ! -o wan);
# an ip6tables filter MINIUPNPD for its IPv6 pinholes.  Per namespace, so
# they go with the namespace.
_lab_ipt_chains() {
	local w=$LAB_IGD_WAN_IF
	# shellcheck disable=SC2016 # expanded by the inner sh
	lab_exec_igd sh -e -c '
		ipt=iptables-legacy ip6t=ip6tables-legacy w=$1
		$ipt -t nat -N MINIUPNPD
		$ipt -t nat -N MINIUPNPD-POSTROUTING
		$ipt -t mangle -N MINIUPNPD
		$ipt -t filter -N MINIUPNPD
		$ipt -t nat -I PREROUTING -i "$w" -j MINIUPNPD
		$ipt -t mangle -I PREROUTING -i "$w" -j MINIUPNPD
		$ipt -t nat -I POSTROUTING -o "$w" -j MINIUPNPD-POSTROUTING
		$ipt -t filter -I FORWARD -i "$w" ! -o "$w" -j MINIUPNPD
		$ip6t -t filter -N MINIUPNPD
		$ip6t -t filter -I FORWARD -i "$w" ! -o "$w" -j MINIUPNPD
	' sh "$w"
}

# Debian package of each shared library the iptables build may need.
_lab_ipt_lib_pkg() {
	case $1 in
	libip4tc.so.2) echo libip4tc2 ;;
	libip6tc.so.2) echo libip6tc2 ;;
	libiptc.so.0) echo libiptc0 ;;
	libxtables.so.12) echo libxtables12 ;;
	libc.so.6) echo libc6 ;;
	*) return 1 ;;
	esac
}

# Libraries ldd cannot resolve for binary $1, one a line.
_lab_missing_libs() {
	ldd "$1" 2>/dev/null | awk '/=> not found/ {print $1}'
}

# lab_fetch_ipt: make sure the iptables build of miniupnpd is unpacked in
# LAB_IPT_CACHE and can run: iptables-legacy present (package iptables),
# its shared libraries resolved (installed by package name).  Only the
# Debian archive is asked, through apt-get.  Serialised by a lock file.
lab_fetch_ipt() {
	local bin=$LAB_IPT_CACHE/usr/sbin/miniupnpd tmp lib pkg pkgs="" rc=0
	[ "$(id -u)" = 0 ] || { _lab_die "needs root (apt-get)"; return 1; }
	mkdir -p "$(dirname "$LAB_IPT_CACHE")" || return 1
	exec 9>"$(dirname "$LAB_IPT_CACHE")/.fetch.lock" || return 1
	flock -w 300 9 || { _lab_die "lock $(dirname "$LAB_IPT_CACHE")/.fetch.lock busy"; exec 9>&-; return 1; }
	export DEBIAN_FRONTEND=noninteractive
	if ! command -v iptables-legacy >/dev/null 2>&1 ||
		! command -v ip6tables-legacy >/dev/null 2>&1; then
		_lab_say "installing iptables (iptables-legacy)"
		apt-get install -y -qq --no-install-recommends iptables >/dev/null ||
			{ apt-get update -qq && apt-get install -y -qq --no-install-recommends iptables >/dev/null; } ||
			{ _lab_die "cannot install iptables"; rc=1; }
	fi
	if [ $rc = 0 ] && [ ! -x "$bin" ]; then
		_lab_say "fetching miniupnpd-iptables into $LAB_IPT_CACHE"
		tmp=$(mktemp -d) || rc=1
		if [ $rc = 0 ]; then
			# _apt downloads into a folder it may write (else apt warns
			# and downloads as root).
			chown _apt "$tmp" 2>/dev/null
			if ! (cd "$tmp" && apt-get download -qq miniupnpd-iptables >/dev/null 2>&1 ||
				{ apt-get update -qq && apt-get download -qq miniupnpd-iptables >/dev/null; }); then
				_lab_die "apt-get download miniupnpd-iptables failed"
				rc=1
			elif ! dpkg -x "$tmp"/miniupnpd-iptables_*.deb "$tmp/x" ||
				[ ! -x "$tmp/x/usr/sbin/miniupnpd" ]; then
				_lab_die "dpkg -x of miniupnpd-iptables failed"
				rc=1
			else
				rm -rf -- "$LAB_IPT_CACHE.new"
				mv "$tmp/x" "$LAB_IPT_CACHE.new" &&
					rm -rf -- "$LAB_IPT_CACHE" &&
					mv "$LAB_IPT_CACHE.new" "$LAB_IPT_CACHE" || rc=1
			fi
			rm -rf -- "$tmp"
		fi
	fi
	if [ $rc = 0 ]; then
		for lib in $(_lab_missing_libs "$bin"); do
			pkg=$(_lab_ipt_lib_pkg "$lib") ||
				{ _lab_die "$bin needs $lib (no package known for it)"; rc=1; }
			pkgs="$pkgs $pkg"
		done
		if [ $rc = 0 ] && [ -n "$pkgs" ]; then
			_lab_say "installing$pkgs (libraries of the iptables build)"
			# shellcheck disable=SC2086
			apt-get install -y -qq --no-install-recommends $pkgs >/dev/null ||
				{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs >/dev/null; } ||
				{ _lab_die "cannot install$pkgs"; rc=1; }
		fi
		if [ $rc = 0 ] && [ -n "$(_lab_missing_libs "$bin")" ]; then
			_lab_die "$bin still misses: $(_lab_missing_libs "$bin" | tr '\n' ' ')"
			rc=1
		fi
	fi
	flock -u 9
	exec 9>&-
	return $rc
}

# ---------------------------------------------------------------- builds
# The miniupnpd releases routers run (modes igd2-vX.Y.Z, igd1-vX.Y.Z) are
# built from upstream tarballs in LAB_TARBALLS into LAB_BUILD_CACHE, once.

# lab_build_dir VERSION: the cache folder of that version's nftables build.
lab_build_dir() { printf '%s/miniupnpd-%s-nft' "$LAB_BUILD_CACHE" "$1"; }

# What a cached build was made from: the tarball's sha256 and the flags.
_lab_build_key() {
	local sum
	sum=$(sha256sum <"$1" | cut -d' ' -f1) || return 1
	printf '%s %s\n' "$sum" "$LAB_BUILD_FLAGS"
}

# lab_build VERSION: make sure LAB_BUILD_CACHE holds a miniupnpd VERSION
# built for nftables from LAB_TARBALLS/miniupnpd-VERSION.tar.gz (configure
# LAB_BUILD_FLAGS, make miniupnpd; about 10-30 s on 2 CPUs).  A build made
# from another tarball or other flags is redone.  Serialised by a lock file,
# so parallel tests build each version once.
# Returns 0 when the binary is there, 3 when the tarball is missing, 4 when
# build tools or libraries are missing (run: make deps), 1 when the build
# itself failed (its log's tail on stderr, the whole log kept beside the
# cache folder).
lab_build() {
	local v=$1 tb dir bin key tmp src log rc=0 t0 tool
	case $v in
	[0-9]*.[0-9]*.[0-9]*) ;;
	*) _lab_die "bad miniupnpd version '$v' (want X.Y.Z)"; return 1 ;;
	esac
	case $v in *[!0-9.]*) _lab_die "bad miniupnpd version '$v' (want X.Y.Z)"; return 1 ;; esac
	tb=$LAB_TARBALLS/miniupnpd-$v.tar.gz
	dir=$(lab_build_dir "$v")
	bin=$dir/miniupnpd
	if [ ! -r "$tb" ]; then
		_lab_die "no $tb (set LAB_TARBALLS to the folder holding miniupnpd-$v.tar.gz; upstream publishes them at https://miniupnp.tuxfamily.org/files/)"
		return 3
	fi
	key=$(_lab_build_key "$tb") || { _lab_die "cannot read $tb"; return 1; }
	[ -x "$bin" ] && [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ] && return 0
	[ "$(id -u)" = 0 ] || { _lab_die "needs root (writes $LAB_BUILD_CACHE)"; return 1; }
	for tool in cc make pkg-config tar sha256sum flock; do
		command -v "$tool" >/dev/null 2>&1 ||
			{ _lab_die "building miniupnpd $v needs $tool (run: make deps)"; return 4; }
	done
	if ! pkg-config --exists libnftnl libmnl 2>/dev/null; then
		_lab_die "building miniupnpd $v needs libnftnl-dev and libmnl-dev (run: make deps)"
		return 4
	fi
	mkdir -p "$LAB_BUILD_CACHE" || return 1
	exec 8>"$LAB_BUILD_CACHE/.build.lock" || return 1
	flock -w 600 8 || { _lab_die "lock $LAB_BUILD_CACHE/.build.lock busy"; exec 8>&-; return 1; }
	# another process may have built it while we waited
	if [ -x "$bin" ] && [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ]; then
		flock -u 8
		exec 8>&-
		return 0
	fi
	t0=$(_lab_now_ms)
	_lab_say "building miniupnpd $v (nftables) from $tb into $dir"
	tmp=$(mktemp -d "$LAB_BUILD_CACHE/.build-$v.XXXXXX") || rc=1
	src=$tmp/miniupnpd-$v
	log=$tmp/build.log
	if [ $rc = 0 ] && ! tar -xzf "$tb" -C "$tmp" >"$log" 2>&1; then
		_lab_die "cannot unpack $tb"
		rc=1
	fi
	if [ $rc = 0 ] && [ "$(cat "$src/VERSION" 2>/dev/null)" != "$v" ]; then
		_lab_die "$tb does not unpack to miniupnpd-$v/ holding VERSION $v"
		rc=1
	fi
	if [ $rc = 0 ]; then
		# shellcheck disable=SC2086 # the flags are words
		if ! (cd "$src" && ./configure $LAB_BUILD_FLAGS &&
			make -j"$(nproc 2>/dev/null || echo 2)" miniupnpd) >>"$log" 2>&1; then
			rc=1
		elif ! "$src/miniupnpd" --version 2>&1 | grep -q "^miniupnpd $v"; then
			echo "the binary does not say 'miniupnpd $v' to --version" >>"$log"
			rc=1
		fi
		if [ $rc != 0 ]; then
			cp "$log" "$dir.failed.log" 2>/dev/null
			_lab_die "building miniupnpd $v failed (configure $LAB_BUILD_FLAGS; make miniupnpd); log $dir.failed.log, its end:"
			tail -n 15 "$log" >&2
		fi
	fi
	if [ $rc = 0 ]; then
		mkdir "$tmp/out" && cp "$src/miniupnpd" "$tmp/out/miniupnpd" &&
			cp "$log" "$tmp/out/build.log" &&
			printf '%s\n' "$key" >"$tmp/out/key" &&
			rm -rf -- "$dir" "$dir.failed.log" && mv "$tmp/out" "$dir" || rc=1
		[ $rc = 0 ] && _lab_say "built miniupnpd $v in $(($(_lab_now_ms) - t0)) ms"
	fi
	[ -n "$tmp" ] && rm -rf -- "$tmp"
	flock -u 8
	exec 8>&-
	return $rc
}

_lab_write_conf() {
	{
		echo "# written by tests/lab/lab.sh for lab $LAB_NAME ($LAB_MODE)"
		echo "ext_ifname=$LAB_IGD_WAN_IF"
		echo "ext_ip=$LAB_EXT_IP"
		echo "listening_ip=$LAB_IGD_LAN_IF"
		echo "http_port=$LAB_PORT"
		echo "enable_upnp=yes"
		echo "enable_natpmp=no"
		echo "uuid=$LAB_UUID"
		echo "friendly_name=$LAB_FRIENDLY_NAME"
		echo "manufacturer_name=$LAB_MANUFACTURER"
		echo "model_name=$LAB_MODEL_NAME"
		echo "model_number=$LAB_MODEL_NUMBER"
		echo "serial=$LAB_SERIAL"
		echo "bitrate_up=$LAB_BITRATE_UP"
		echo "bitrate_down=$LAB_BITRATE_DOWN"
		echo "system_uptime=no"
		echo "secure_mode=no"
		echo "lease_file=$LAB_LEASES"
		echo "clean_ruleset_interval=0"
		# every port, low ones too, for the lab LAN (tests map to 445)
		echo "allow 0-65535 $LAB_SUBNET 0-65535"
		echo "deny 0-65535 0.0.0.0/0 0-65535"
		case $LAB_MODE in
		igd1*) echo "force_igd_desc_v1=yes" ;;
		esac
	} >"$LAB_CONF"
}

# Find the control URLs in the root description.
_lab_parse_desc() {
	local desc
	desc=$(lab_exec_lan curl -s --max-time 3 "$LAB_URL") || return 1
	desc=$(printf '%s' "$desc" | tr -d '\r\n')
	# serviceType ... controlURL pairs, one per line
	local pairs
	pairs=$(printf '%s' "$desc" | sed 's#<service>#\n#g' |
		sed -n 's#.*<serviceType>\([^<]*\)</serviceType>.*<controlURL>\([^<]*\)</controlURL>.*#\1 \2#p')
	LAB_SVC=$(printf '%s\n' "$pairs" | awk '$1 ~ /WANIPConnection/ {print $1; exit}')
	LAB_CTL_PATH=$(printf '%s\n' "$pairs" | awk '$1 ~ /WANIPConnection/ {print $2; exit}')
	LAB_SVC_IFC=$(printf '%s\n' "$pairs" | awk '$1 ~ /WANCommonInterfaceConfig/ {print $1; exit}')
	LAB_CTL_IFC=$(printf '%s\n' "$pairs" | awk '$1 ~ /WANCommonInterfaceConfig/ {print $2; exit}')
	LAB_SVC_V6FW=$(printf '%s\n' "$pairs" | awk '$1 ~ /WANIPv6FirewallControl/ {print $1; exit}')
	LAB_CTL_V6FW=$(printf '%s\n' "$pairs" | awk '$1 ~ /WANIPv6FirewallControl/ {print $2; exit}')
	[ -n "$LAB_SVC" ] && [ -n "$LAB_CTL_PATH" ] || return 1
	LAB_CTL_URL=http://$LAB_ROUTER:$LAB_PORT$LAB_CTL_PATH
}

# Start miniupnpd (foreground, -d, new session) in the igd namespace and wait
# until its root description answers from the LAN.
lab_start_daemon() {
	local pid t0 i code
	[ -n "${LAB_NS_IGD:-}" ] || { _lab_die "no lab selected"; return 1; }
	if lab_daemon_alive; then return 0; fi
	t0=$(_lab_now_ms)
	# setsid does not fork here: a background job of a non-interactive
	# shell is not a process-group leader, so $! is miniupnpd itself.
	# Its syslog lines: there is no /dev/log here, so each one would be
	# written to /dev/console as well (LOG_CONS), the machine's serial
	# console: milliseconds a line, blocking while other labs flood it,
	# a cost per SOAP call no router has.  In a private mount namespace
	# /dev/console is /dev/null for the daemon alone; LAB_LOG (stderr,
	# -d) still gets every line.
	ip netns exec "$LAB_NS_IGD" unshare -m --propagation private sh -c \
		'mount --bind /dev/null /dev/console 2>/dev/null; exec setsid "$0" "$@"' \
		"$LAB_MINIUPNPD" -d -f "$LAB_CONF" \
		-P "$LAB_DIR/miniupnpd.pid" </dev/null >>"$LAB_LOG" 2>&1 &
	pid=$!
	echo "$pid" >"$LAB_PIDFILE"
	# miniupnpd reloads its lease file before it serves HTTP: with hundreds
	# of leases that takes tens of seconds (LAB_START_TIMEOUT, default 300: a
	# loaded 2-core machine took over 120 s for 250 leases).
	local deadline=$((t0 + ${LAB_START_TIMEOUT:-300} * 1000))
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			_lab_die "miniupnpd exited at start; log $LAB_LOG:"
			tail -n 20 "$LAB_LOG" >&2
			return 1
		fi
		code=$(lab_exec_lan curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$LAB_URL" 2>/dev/null)
		[ "$code" = 200 ] && break
		[ "$(_lab_now_ms)" -lt "$deadline" ] || break
		sleep 0.05
	done
	if [ "$code" != 200 ]; then
		_lab_die "miniupnpd did not answer $LAB_URL within ${LAB_START_TIMEOUT:-300} s; log $LAB_LOG:"
		tail -n 20 "$LAB_LOG" >&2
		return 1
	fi
	# If setsid had to fork after all, trust the daemon's own pid file.
	if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != "$LAB_MINIUPNPD" ] &&
		[ -s "$LAB_DIR/miniupnpd.pid" ]; then
		pid=$(cat "$LAB_DIR/miniupnpd.pid")
		echo "$pid" >"$LAB_PIDFILE"
	fi
	LAB_STARTUP_MS=$(($(_lab_now_ms) - t0))
	return 0
}

lab_daemon_pid() { [ -s "$LAB_PIDFILE" ] && cat "$LAB_PIDFILE"; }

lab_daemon_alive() {
	local pid
	pid=$(lab_daemon_pid) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$LAB_MINIUPNPD" ]
}

# Stop the daemon started for this lab (by its pid only): TERM, then KILL
# after LAB_STOP_TIMEOUT seconds (default 60).
lab_stop_daemon() {
	local pid i
	pid=$(lab_daemon_pid) || return 0
	if lab_daemon_alive; then
		kill -TERM "$pid" 2>/dev/null
		# On TERM it removes its rules one by one: seconds with hundreds.
		for ((i = 0; i < ${LAB_STOP_TIMEOUT:-60} * 10; i++)); do
			lab_daemon_alive || break
			sleep 0.1
		done
		if lab_daemon_alive; then
			kill -KILL "$pid" 2>/dev/null
			sleep 0.1
		fi
	fi
	rm -f "$LAB_PIDFILE"
	return 0
}

# lab_up [igd2|igd1|igd2-ipt|igd1-ipt] [NAME]: bring up a lab, leave its
# LAB_* variables set.  The -ipt modes fetch the iptables build first when
# it is not in LAB_IPT_CACHE yet (lab_fetch_ipt).
lab_up() {
	local mode=${1:-igd2} name=${2:-${LAB_NAME:-lab}} t0 t tools
	case $mode in
	igd1 | igd2) tools="ip nft curl setsid" ;;
	igd1-ipt | igd2-ipt) tools="ip curl setsid flock" ;;
	igd1-v[0-9]*.[0-9]*.[0-9]* | igd2-v[0-9]*.[0-9]*.[0-9]*) tools="ip nft curl setsid flock" ;;
	*) _lab_die "mode must be igd2, igd1, igd2-ipt, igd1-ipt, igd2-vX.Y.Z or igd1-vX.Y.Z, not '$mode'"; return 1 ;;
	esac
	[ "$(id -u)" = 0 ] || { _lab_die "needs root (network namespaces)"; return 1; }
	for t in $tools; do
		command -v "$t" >/dev/null 2>&1 || { _lab_die "missing $t"; return 1; }
	done
	_lab_names "$name" "$mode" || return 1
	if [ "$LAB_BACKEND" = ipt ]; then
		lab_fetch_ipt || return 1
		# /proc/PID/exe, which lab_daemon_alive compares, is the real path.
		LAB_MINIUPNPD=$(readlink -f "$LAB_MINIUPNPD")
	elif [ -n "$LAB_VERSION" ]; then
		lab_build "$LAB_VERSION" || return
		LAB_MINIUPNPD=$(readlink -f "$LAB_MINIUPNPD")
	fi
	command -v "$LAB_MINIUPNPD" >/dev/null 2>&1 || { _lab_die "missing $LAB_MINIUPNPD"; return 1; }
	if [ -e "/run/netns/$LAB_NS_IGD" ] || [ -e "/run/netns/$LAB_NS_LAN" ] ||
		[ -e "/run/netns/$LAB_NS_WAN" ] || [ -e "$LAB_DIR" ]; then
		_lab_die "lab '$name' already exists (run: tests/lab/lab.sh down $name)"
		return 1
	fi
	t0=$(_lab_now_ms)
	mkdir -p -m 0700 "$LAB_STATE_BASE" && mkdir -m 0700 "$LAB_DIR" || return 1
	: >"$LAB_LEASES"
	LAB_UP_LIST="$LAB_UP_LIST $name"
	if ! _lab_net_up; then
		_lab_die "network set-up failed"
		lab_down "$name"
		return 1
	fi
	_lab_write_conf
	lab_env >"$LAB_DIR/env"
	if ! lab_start_daemon; then
		lab_down "$name"
		return 1
	fi
	if ! _lab_parse_desc; then
		_lab_die "cannot find WANIPConnection in $LAB_URL"
		lab_down "$name"
		return 1
	fi
	LAB_STARTUP_MS=$(($(_lab_now_ms) - t0))
	lab_env >"$LAB_DIR/env"
	return 0
}

# lab_down [NAME]: idempotent; stops only the daemon this lab started.
lab_down() {
	local name=${1:-${LAB_NAME:-lab}} ns
	_lab_names "$name" >/dev/null || return 1
	[ -r "$LAB_DIR/env" ] && . "$LAB_DIR/env"
	lab_stop_daemon
	for ns in "$LAB_NS_IGD" "$LAB_NS_LAN" "$LAB_NS_WAN" "$LAB_PREFIX-h1" \
		"$LAB_PREFIX-h2"; do
		[ -e "/run/netns/$ns" ] && ip netns delete "$ns"
	done
	case $LAB_DIR in
	"$LAB_STATE_BASE"/?*) rm -rf -- "$LAB_DIR" ;;
	esac
	[ -d "/etc/netns/$LAB_NS_LAN" ] && rm -rf -- "/etc/netns/$LAB_NS_LAN"
	LAB_UP_LIST=$(printf '%s\n' $LAB_UP_LIST | grep -vx -- "$name" | tr '\n' ' ')
	return 0
}

# lab_add_hosts: two more LAN hosts with known MAC addresses, each in its own
# namespace ($LAB_PREFIX-h1, -h2), joined to the LAN namespace by a bridge
# (br0, which takes over $LAB_CLIENT), so that mappings can point at hosts
# whose MAC the monitor (in the LAN namespace) sees in its neighbour table.
# The harness pings each once from the LAN namespace to fill that table; the
# plugins send nothing.  Sets LAB_HOST1/LAB_HOST1_MAC (a Raspberry Pi
# prefix), LAB_HOST2/LAB_HOST2_MAC (a Synology prefix) and LAB_HOST_NOMAC
# (an address nobody has: its MAC stays unknown).
lab_add_hosts() {
	local lan=$LAB_NS_LAN i ns mac addr
	LAB_HOST1=$LAB_NET.23 LAB_HOST1_MAC=b8:27:eb:12:34:56
	LAB_HOST2=$LAB_NET.24 LAB_HOST2_MAC=00:11:32:aa:bb:cc
	LAB_HOST_NOMAC=$LAB_NET.25
	ip -n "$lan" link add br0 type bridge || return 1
	ip -n "$lan" addr del "$LAB_CLIENT/24" dev "$LAB_LAN_IF" || return 1
	ip -n "$lan" link set "$LAB_LAN_IF" master br0 || return 1
	ip -n "$lan" addr add "$LAB_CLIENT/24" dev br0 || return 1
	ip -n "$lan" link set br0 up || return 1
	ip -n "$lan" route replace default via "$LAB_ROUTER" dev br0 || return 1
	for i in 1 2; do
		ns=$LAB_PREFIX-h$i
		if [ $i = 1 ]; then mac=$LAB_HOST1_MAC addr=$LAB_HOST1
		else mac=$LAB_HOST2_MAC addr=$LAB_HOST2; fi
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		ip -n "$lan" link add "h${i}p" type veth peer name eth0 netns "$ns" || return 1
		ip -n "$ns" link set eth0 address "$mac" || return 1
		ip -n "$ns" addr add "$addr/24" dev eth0 || return 1
		ip -n "$ns" link set eth0 up || return 1
		ip -n "$ns" route add default via "$LAB_ROUTER" || return 1
		ip -n "$lan" link set "h${i}p" master br0 || return 1
		ip -n "$lan" link set "h${i}p" up || return 1
	done
	# the neighbour table the monitor will read (traffic inside the lab)
	for addr in "$LAB_HOST1" "$LAB_HOST2"; do
		for i in 1 2 3 4 5; do
			ip netns exec "$lan" ping -c 1 -W 1 "$addr" >/dev/null 2>&1 && break
		done
	done
	return 0
}

# lab_lan_names NAME1 NAME2: names for LAB_HOST1 and LAB_HOST2 as the LAN
# namespace resolves them (ip netns exec mounts /etc/netns/NS/hosts and
# resolv.conf over /etc): a hosts file, and a resolver on the namespace's
# own loopback where nothing listens, so no query leaves the lab and an
# unknown address fails at once.  lab_down removes them.
lab_lan_names() {
	local d=/etc/netns/$LAB_NS_LAN
	mkdir -p "$d" || return 1
	printf '127.0.0.1 localhost\n%s %s\n%s %s\n' "$LAB_HOST1" "$1" \
		"$LAB_HOST2" "$2" >"$d/hosts" || return 1
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$d/resolv.conf"
}

# Tear every lab this shell brought up down on exit, failure or signal.
lab_down_all() {
	local n
	for n in $LAB_UP_LIST; do lab_down "$n"; done
}
lab_down_on_exit() {
	trap 'lab_down_all' EXIT
	trap 'lab_down_all; trap - INT; kill -INT $$' INT
	trap 'lab_down_all; exit 143' TERM
}

# ---------------------------------------------------------------- SOAP
# lab_soap_to OUTFILE ACTION [ARGS-XML] [SERVICE-TYPE] [CONTROL-URL]
# POST one SOAP action; body into OUTFILE; prints the HTTP status code.
lab_soap_to() {
	local out=$1 action=$2 args=${3:-} svc=${4:-$LAB_SVC} ctl=${5:-$LAB_CTL_URL}
	local body
	body="<?xml version=\"1.0\"?>
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:$action xmlns:u=\"$svc\">$args</u:$action></s:Body></s:Envelope>"
	printf '%s' "$body" | lab_exec_lan curl -s --max-time "${LAB_SOAP_TIMEOUT:-10}" -o "$out" -w '%{http_code}' \
		-H 'Content-Type: text/xml; charset="utf-8"' \
		-H "SOAPAction: \"$svc#$action\"" --data-binary @- "$ctl"
}

# lab_soap ACTION [ARGS-XML] [SERVICE-TYPE] [CONTROL-URL]: body to stdout,
# status 0 on HTTP 200.
lab_soap() {
	local tmp code
	tmp=$(mktemp) || return 1
	code=$(lab_soap_to "$tmp" "$@")
	cat "$tmp"
	rm -f "$tmp"
	[ "$code" = 200 ]
}

_lab_add_args() {
	# PROTO EXTPORT INTCLIENT INTPORT DESC LEASE REMOTEHOST
	printf '<NewRemoteHost>%s</NewRemoteHost><NewExternalPort>%s</NewExternalPort><NewProtocol>%s</NewProtocol><NewInternalPort>%s</NewInternalPort><NewInternalClient>%s</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>%s</NewPortMappingDescription><NewLeaseDuration>%s</NewLeaseDuration>' \
		"$(lab_xml_escape "$7")" "$2" "$1" "$4" "$(lab_xml_escape "$3")" \
		"$(_lab_desc "$5")" "$6"
}

# lab_add_mapping PROTO EXTPORT INTCLIENT INTPORT DESC [LEASE] [REMOTEHOST]
# AddPortMapping by raw SOAP; DESC may hold any text.  LEASE defaults to 0
# (miniupnpd then reports its maximum, 604800).  Non-zero on a SOAP fault,
# which is printed.
lab_add_mapping() {
	[ $# -ge 5 ] || { _lab_die "usage: lab_add_mapping PROTO EXTPORT INTCLIENT INTPORT DESC [LEASE] [REMOTEHOST]"; return 2; }
	local args out
	args=$(_lab_add_args "$1" "$2" "$3" "$4" "$5" "${6:-0}" "${7:-}")
	if ! out=$(lab_soap AddPortMapping "$args"); then
		_lab_die "AddPortMapping $1 $2 -> $3:$4 failed: $(printf '%s' "$out" | tr -d '\r\n' | sed -n 's#.*<errorCode>\([^<]*\)</errorCode>.*<errorDescription>\([^<]*\)<.*#\1 \2#p')"
		return 1
	fi
}

# lab_delete_mapping PROTO EXTPORT [REMOTEHOST]
lab_delete_mapping() {
	lab_soap DeletePortMapping "<NewRemoteHost>$(lab_xml_escape "${3:-}")</NewRemoteHost><NewExternalPort>$2</NewExternalPort><NewProtocol>$1</NewProtocol>" >/dev/null
}

# lab_add_many N [FIRSTPORT] [PROTO] [INTCLIENT]: N mappings on consecutive
# external ports (default TCP from 20000 to LAB_CLIENT, internal port =
# external port, description "bulk-PORT"), all in one curl process that
# reuses nothing but its own start-up.  Non-zero if any add failed.
lab_add_many() {
	local n=${1:?count} first=${2:-20000} proto=${3:-TCP} client=${4:-$LAB_CLIENT}
	local dir i port cfg codes bad
	dir=$(mktemp -d) || return 1
	cfg=$dir/curl.cfg
	: >"$cfg"
	for ((i = 0; i < n; i++)); do
		port=$((first + i))
		printf '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:AddPortMapping xmlns:u="%s">%s</u:AddPortMapping></s:Body></s:Envelope>' \
			"$LAB_SVC" "$(_lab_add_args "$proto" "$port" "$client" "$port" "bulk-$port" 0 "")" >"$dir/$i.xml"
		[ "$i" -gt 0 ] && echo 'next' >>"$cfg"
		printf 'url = "%s"\nheader = "Content-Type: text/xml; charset=\\"utf-8\\""\nheader = "SOAPAction: \\"%s#AddPortMapping\\""\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nmax-time = 30\n' \
		"$LAB_CTL_URL" "$LAB_SVC" "$dir/$i.xml" >>"$cfg"
	done
	codes=$(lab_exec_lan curl -s -K "$cfg")
	rm -rf -- "$dir"
	bad=$(printf '%s\n' "$codes" | grep -cvx 200)
	if [ "$bad" -ne 0 ] || [ "$(printf '%s\n' "$codes" | grep -c .)" -ne "$n" ]; then
		_lab_die "lab_add_many: $bad of $n adds failed"
		return 1
	fi
}

# lab_preload_leases N [FIRSTPORT] [PROTO] [INTCLIENT] [LEASE]: the faster
# bulk path: stop the daemon, append N leases (same shape as lab_add_many)
# to its lease file and start it again; it re-creates them at start-up.
lab_preload_leases() {
	local n=${1:?count} first=${2:-20000} proto=${3:-TCP} client=${4:-$LAB_CLIENT}
	local lease=${5:-86400} exp i port
	lab_stop_daemon
	exp=$(($(date +%s) + lease))
	for ((i = 0; i < n; i++)); do
		port=$((first + i))
		printf '%s:%s:%s:%s:%s:bulk-%s\n' "$proto" "$port" "$client" "$port" "$exp" "$port"
	done >>"$LAB_LEASES"
	lab_start_daemon
}

# lab_load_table PROTO PORT...: make the daemon's table exactly these PROTO
# mappings (to LAB_CLIENT, internal port = external port, description
# "bulk-PORT", lease LAB_LOAD_LEASE or 86400 s), created in this order:
# the daemon is killed, its chains flushed, its lease file rewritten and
# the daemon started again (it re-creates the leases in file order; reading
# them back, miniupnpd answers newest first).  Faster than SOAP adds and a
# TERM (which removes every rule one by one); start-up waits up to
# LAB_START_TIMEOUT (default here 600 s: 300 leases take a minute or two
# on the nftables build, whose every add re-reads the whole rule set).
lab_load_table() {
	local proto=${1:?protocol} exp p
	shift
	LAB_STOP_TIMEOUT=0 lab_stop_daemon
	lab_flush_rules || return 1
	exp=$(($(date +%s) + ${LAB_LOAD_LEASE:-86400}))
	for p in "$@"; do
		printf '%s:%s:%s:%s:%s:bulk-%s\n' "$proto" "$p" "$LAB_CLIENT" "$p" "$exp" "$p"
	done >"$LAB_LEASES"
	LAB_START_TIMEOUT=${LAB_START_TIMEOUT:-600} lab_start_daemon
}

# Where the daemon keeps its rules.  2.3.x use the chains of the skeleton
# _lab_net_up makes (table inet filter); 2.2.x make their own tables at
# start-up: "ip miniupnpd" (nat chains prerouting, postrouting), "inet
# miniupnpd" (chain forward), "ip6 miniupnpd".
_lab_nft_layout() {
	if lab_exec_igd nft list chain ip miniupnpd prerouting >/dev/null 2>&1; then
		_LAB_NAT_CHAIN="ip miniupnpd prerouting"
		_LAB_FWD_CHAIN="inet miniupnpd forward"
		_LAB_DNAT="dnat to"
		_LAB_FLUSH="flush chain ip miniupnpd prerouting
flush chain ip miniupnpd postrouting
flush chain inet miniupnpd forward"
	else
		_LAB_NAT_CHAIN="inet filter prerouting_miniupnpd"
		_LAB_FWD_CHAIN="inet filter miniupnpd"
		_LAB_DNAT="dnat ip to"
		_LAB_FLUSH="flush chain inet filter miniupnpd
flush chain inet filter prerouting_miniupnpd
flush chain inet filter postrouting_miniupnpd"
	fi
}

# lab_fill_rules PROTO PORT...: add PROTO mappings to LAB_CLIENT (internal
# port = external port) on these ports, in this order, in seconds however
# many: the rules are written with nft straight into the daemon's chains,
# in the form its nftables backend reads back (the same match on the IP
# protocol byte and the port, the same dnat), so it reports them like its
# own, with an empty description and a lease of 0 (permanent: it never
# recorded one).  One AddPortMapping and DeletePortMapping by SOAP then make
# a daemon that caches its rule set (2.3.x) read it again.  nftables modes
# only.  Through SOAP the same fill is quadratic (every add re-reads the
# rule set): 300 mappings took 1 to 4 minutes.  The daemon answers newest
# (last added) first.
lab_fill_rules() {
	local proto=${1:?protocol} l4 p
	shift
	[ "${LAB_BACKEND:-nft}" = nft ] || { _lab_die "lab_fill_rules: nftables modes only"; return 1; }
	case $proto in
	TCP) l4=tcp ;;
	UDP) l4=udp ;;
	*) _lab_die "lab_fill_rules: protocol TCP or UDP, not '$proto'"; return 1 ;;
	esac
	_lab_nft_layout
	for p in "$@"; do
		printf 'add rule %s iif "%s" ip protocol %s %s dport %s %s %s:%s\n' \
			"$_LAB_NAT_CHAIN" "$LAB_IGD_WAN_IF" "$l4" "$l4" "$p" "$_LAB_DNAT" "$LAB_CLIENT" "$p"
		printf 'add rule %s iif "%s" ip daddr %s %s dport %s accept\n' \
			"$_LAB_FWD_CHAIN" "$LAB_IGD_WAN_IF" "$LAB_CLIENT" "$l4" "$p"
	done | lab_exec_igd nft -f - || { _lab_die "lab_fill_rules: nft refused the rules"; return 1; }
	# (with hundreds of rules on a loaded machine an action can take
	# seconds: the daemon walks its whole rule set)
	LAB_SOAP_TIMEOUT=120 lab_add_mapping "$proto" 1 "$LAB_CLIENT" 1 "lab cache refresh" 60 || return 1
	LAB_SOAP_TIMEOUT=120 lab_delete_mapping "$proto" 1 ||
		{ _lab_die "lab_fill_rules: DeletePortMapping $proto 1 failed"; return 1; }
}

# Number of port-forward rules miniupnpd keeps (from its nft chain, or its
# iptables nat chain).
lab_mapping_count() {
	if [ "${LAB_BACKEND:-nft}" = ipt ]; then
		lab_exec_igd iptables-legacy -t nat -S MINIUPNPD 2>/dev/null | grep -c -- '-j DNAT'
		return 0
	fi
	_lab_nft_layout
	# shellcheck disable=SC2086 # family, table and chain are three words
	lab_exec_igd nft list chain $_LAB_NAT_CHAIN 2>/dev/null | grep -c 'dnat'
}

# lab_flush_rules: empty the daemon's chains (nft, or legacy iptables for
# the -ipt modes) while it is stopped.  A daemon that crashed leaves its
# rules behind; started again, it re-creates them from its lease file on top
# of the stale ones, which on the nftables build (every add re-reads the
# whole rule set) takes minutes with hundreds of mappings.
lab_flush_rules() {
	if lab_daemon_alive; then
		_lab_die "lab_flush_rules: the daemon is running"
		return 1
	fi
	if [ "${LAB_BACKEND:-nft}" = ipt ]; then
		lab_exec_igd sh -c 'iptables-legacy -t nat -F MINIUPNPD &&
			iptables-legacy -t nat -F MINIUPNPD-POSTROUTING &&
			iptables-legacy -t mangle -F MINIUPNPD &&
			iptables-legacy -t filter -F MINIUPNPD &&
			ip6tables-legacy -t filter -F MINIUPNPD'
		return
	fi
	_lab_nft_layout
	printf '%s\n' "$_LAB_FLUSH" | lab_exec_igd nft -f -
}

lab_status() {
	local name=${1:-${LAB_NAME:-lab}}
	lab_use "$name" || return 1
	echo "lab $LAB_NAME ($LAB_MODE, $LAB_BACKEND build $LAB_MINIUPNPD): namespaces $LAB_NS_IGD $LAB_NS_LAN $LAB_NS_WAN"
	echo "  router $LAB_ROUTER  client $LAB_CLIENT ($LAB_LAN_IF)  subnet $LAB_SUBNET"
	echo "  root description $LAB_URL"
	echo "  WANIPConnection  $LAB_SVC at $LAB_CTL_URL"
	echo "  ext_ip $LAB_EXT_IP  udn $LAB_UDN  state $LAB_DIR"
	if lab_daemon_alive; then
		echo "  miniupnpd pid $(lab_daemon_pid), $(lab_mapping_count) port mappings"
	else
		echo "  miniupnpd NOT running (log $LAB_LOG)"
	fi
}

# ---------------------------------------------------------------- CLI
_lab_main() {
	local cmd=${1:-}
	shift || true
	case $cmd in
	up)
		lab_up "${1:-igd2}" "${2:-${LAB_NAME:-lab}}" || return 1
		lab_status "$LAB_NAME"
		echo "  up in ${LAB_STARTUP_MS} ms"
		;;
	down) lab_down "${1:-${LAB_NAME:-lab}}" ;;
	fetch-ipt) lab_fetch_ipt && echo "iptables build: $LAB_IPT_CACHE/usr/sbin/miniupnpd" ;;
	build)
		# shellcheck disable=SC2086 # a list of versions
		[ $# -gt 0 ] || set -- $LAB_VERSIONS
		local v
		for v in "$@"; do
			lab_build "$v" || return
			echo "miniupnpd $v (nftables): $(lab_build_dir "$v")/miniupnpd"
		done
		;;
	status) lab_status "${1:-${LAB_NAME:-lab}}" ;;
	env) lab_use "${1:-${LAB_NAME:-lab}}" && lab_env ;;
	add-mapping) lab_use && lab_add_mapping "$@" ;;
	add-many) lab_use && lab_add_many "$@" ;;
	preload-leases) lab_use && lab_preload_leases "$@" ;;
	delete-mapping) lab_use && lab_delete_mapping "$@" ;;
	stop-daemon) lab_use && lab_stop_daemon ;;
	start-daemon) lab_use && lab_start_daemon ;;
	exec-lan) lab_use && lab_exec_lan "$@" ;;
	soap) lab_use && lab_soap "$@" ;;
	*)
		sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
		return 2
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	_lab_main "$@"
	exit $?
fi
