#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/lab/capture-fixtures.sh [OUTDIR] - capture the miniupnpd fixtures
# (root descriptions and raw SOAP answer bodies) from a lab daemon into
# OUTDIR (default tests/fixtures).  Needs root.  See tests/fixtures/README.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../fixtures}
. "$here/lab.sh"
lab_down_on_exit

ver=$("$LAB_MINIUPNPD" --version 2>/dev/null | awk 'NR == 1 {print $2}')
pfx=miniupnpd-$ver
mkdir -p "$out/desc" "$out/soap" || exit 1
NAME=fixture

# save FILE ACTION ARGS [SERVICE CONTROL-URL]: the body only, exactly as sent.
save() {
	local file=$1 code
	shift
	code=$(lab_soap_to "$out/soap/$file" "$@")
	printf '%-60s HTTP %s, %s bytes\n' "soap/$file" "$code" "$(wc -c <"$out/soap/$file")"
}
save_desc() {
	lab_exec_lan curl -s --max-time 3 -o "$out/desc/$1" "$LAB_URL"
	printf '%-60s %s bytes\n' "desc/$1" "$(wc -c <"$out/desc/$1")"
}
expect_file() {
	# the .expect file the description parser test reads (see README.md)
	local f=$out/desc/$1.expect dev
	dev=$(tr -d '\r\n' <"$out/desc/$1.xml" | sed -n 's#^.*<device><deviceType>\([^<]*\)</deviceType>.*$#\1#p' | head -n 1)
	{
		echo "base=$LAB_URL"
		echo "device_type=$(tr -d '\r\n' <"$out/desc/$1.xml" | grep -o '<deviceType>[^<]*</deviceType>' | head -n 1 | sed 's/<[^>]*>//g')"
		echo "friendly_name=$LAB_FRIENDLY_NAME"
		echo "manufacturer=$LAB_MANUFACTURER"
		echo "model_name=$LAB_MODEL_NAME"
		echo "model_number=$LAB_MODEL_NUMBER"
		echo "serial=$LAB_SERIAL"
		echo "udn=$LAB_UDN"
		echo "presentation_url=$(tr -d '\r\n' <"$out/desc/$1.xml" | grep -o '<presentationURL>[^<]*</presentationURL>' | head -n 1 | sed 's/<[^>]*>//g')"
		tr -d '\r\n' <"$out/desc/$1.xml" | sed 's#<service>#\n#g' |
			sed -n 's#.*<serviceType>\([^<]*\)</serviceType>.*<controlURL>\([^<]*\)</controlURL>.*#\1 \2#p' |
			awk -v base="http://$LAB_ROUTER:$LAB_PORT" '$1 ~ /:service:(WANIPConnection|WANPPPConnection|WANCommonInterfaceConfig|WANIPv6FirewallControl):/ {print "service=" $1 " " base $2}'
	} >"$f"
	: "$dev"
	printf '%-60s\n' "desc/$1.expect"
}

# ---- IGD:2 (the default of miniupnpd 2.3.x)
lab_up igd2 "$NAME" || exit 1
save_desc "$pfx-igd2.xml"
echo "HTTP headers of the description:"
lab_exec_lan curl -s -D - -o /dev/null --max-time 3 "$LAB_URL" | sed 's/^/    /'
echo "HTTP headers of a SOAP answer:"
printf '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetStatusInfo xmlns:u="%s"/></s:Body></s:Envelope>' "$LAB_SVC" |
	lab_exec_lan curl -s -D - -o /dev/null --max-time 3 -H "SOAPAction: \"$LAB_SVC#GetStatusInfo\"" \
	-H 'Content-Type: text/xml' --data-binary @- "$LAB_CTL_URL" | sed 's/^/    /'
echo "SSDP answer to a unicast M-SEARCH:"
printf 'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n' >"$LAB_DIR/msearch"
lab_exec_lan timeout 2 python3 -c '
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(1.5)
s.sendto(open(sys.argv[1],"rb").read(),(sys.argv[2],1900))
print(s.recvfrom(4096)[0].decode("latin-1"))' "$LAB_DIR/msearch" "$LAB_ROUTER" 2>/dev/null | sed 's/^/    /' || true
expect_file "$pfx-igd2"
lab_add_mapping TCP 8080 "$LAB_CLIENT" 80 "web" || exit 1
lab_add_mapping TCP 4450 "$LAB_CLIENT" 445 "galleta silenciosa" 3600 || exit 1
lab_add_mapping TCP 2222 "$LAB_CLIENT" 22 'ssh "admin" | A&B <lab>' 86400 || exit 1
lab_add_mapping UDP 27015 "$LAB_CLIENT" 27015 "game" || exit 1
sleep 1 # leases then read 1 s less than asked: shows the countdown

save "$pfx-GetStatusInfo.xml" GetStatusInfo
save "$pfx-GetExternalIPAddress.xml" GetExternalIPAddress
save "$pfx-GetConnectionTypeInfo.xml" GetConnectionTypeInfo
save "$pfx-GetNATRSIPStatus.xml" GetNATRSIPStatus
for a in GetCommonLinkProperties GetTotalBytesSent GetTotalBytesReceived \
	GetTotalPacketsSent GetTotalPacketsReceived; do
	save "$pfx-$a.xml" "$a" "" "$LAB_SVC_IFC" "http://$LAB_ROUTER:$LAB_PORT$LAB_CTL_IFC"
done
save "$pfx-GetGenericPortMappingEntry-0.xml" GetGenericPortMappingEntry \
	"<NewPortMappingIndex>0</NewPortMappingIndex>"
save "$pfx-GetGenericPortMappingEntry-special.xml" GetGenericPortMappingEntry \
	"<NewPortMappingIndex>1</NewPortMappingIndex>"
save "$pfx-GetGenericPortMappingEntry-713.xml" GetGenericPortMappingEntry \
	"<NewPortMappingIndex>4</NewPortMappingIndex>"
save "$pfx-GetSpecificPortMappingEntry.xml" GetSpecificPortMappingEntry \
	"<NewRemoteHost></NewRemoteHost><NewExternalPort>4450</NewExternalPort><NewProtocol>TCP</NewProtocol>"
save "$pfx-GetSpecificPortMappingEntry-714.xml" GetSpecificPortMappingEntry \
	"<NewRemoteHost></NewRemoteHost><NewExternalPort>9</NewExternalPort><NewProtocol>TCP</NewProtocol>"
save "$pfx-GetListOfPortMappings.xml" GetListOfPortMappings \
	"<NewStartPort>0</NewStartPort><NewEndPort>65535</NewEndPort><NewProtocol>TCP</NewProtocol><NewManage>1</NewManage><NewNumberOfPorts>1000</NewNumberOfPorts>"
save "$pfx-GetListOfPortMappings-udp.xml" GetListOfPortMappings \
	"<NewStartPort>0</NewStartPort><NewEndPort>65535</NewEndPort><NewProtocol>UDP</NewProtocol><NewManage>1</NewManage><NewNumberOfPorts>1000</NewNumberOfPorts>"
# No mapping in the range: the standard says fault 730; 2.3.1 answers an
# empty list.
save "$pfx-GetListOfPortMappings-empty.xml" GetListOfPortMappings \
	"<NewStartPort>40000</NewStartPort><NewEndPort>40010</NewEndPort><NewProtocol>TCP</NewProtocol><NewManage>1</NewManage><NewNumberOfPorts>10</NewNumberOfPorts>"
if [ -n "$LAB_SVC_V6FW" ]; then
	save "$pfx-GetFirewallStatus.xml" GetFirewallStatus "" "$LAB_SVC_V6FW" \
		"http://$LAB_ROUTER:$LAB_PORT$LAB_CTL_V6FW"
fi
# A description of 64 bytes or more: the nftables build keeps 64 and sends
# them without a terminating NUL, i.e. followed by whatever heap bytes come
# next (invalid UTF-8 from a real device).
lab_add_mapping TCP 3389 "$LAB_CLIENT" 3389 "$(printf 'L%.0s' $(seq 1 80))" || exit 1
save "$pfx-GetSpecificPortMappingEntry-longdesc.xml" GetSpecificPortMappingEntry \
	"<NewRemoteHost></NewRemoteHost><NewExternalPort>3389</NewExternalPort><NewProtocol>TCP</NewProtocol>"
lab_down "$NAME"

# ---- IGD:1 (force_igd_desc_v1=yes)
lab_up igd1 "$NAME" || exit 1
save_desc "$pfx-igd1.xml"
expect_file "$pfx-igd1"
lab_add_mapping TCP 8080 "$LAB_CLIENT" 80 "web" || exit 1
# Even with force_igd_desc_v1=yes, 2.3.1 still answers GetListOfPortMappings
# (the v1 description just does not list it); an action it does not know
# gets 401 Invalid Action.
save "$pfx-GetListOfPortMappings-igd1.xml" GetListOfPortMappings \
	"<NewStartPort>0</NewStartPort><NewEndPort>65535</NewEndPort><NewProtocol>TCP</NewProtocol><NewManage>1</NewManage><NewNumberOfPorts>1000</NewNumberOfPorts>"
save "$pfx-GetPortMappingNumberOfEntries-401.xml" GetPortMappingNumberOfEntries
save "$pfx-GetGenericPortMappingEntry-igd1-0.xml" GetGenericPortMappingEntry \
	"<NewPortMappingIndex>0</NewPortMappingIndex>"
save "$pfx-GetStatusInfo-igd1.xml" GetStatusInfo
lab_down "$NAME"
