#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""hostile_igd.py: a UPnP Internet Gateway Device that misbehaves on purpose.

Serves HTTP (root description, SCPDs, SOAP control) and, with --ssdp, answers
unicast SSDP M-SEARCH, on one loopback address only (with --ssdp-multicast,
inside a lab network namespace, also multicast M-SEARCH on the interface of
--addr: a rogue IGD on the lab LAN).  Python 3 standard
library only.  Every loop is bounded: a connection thread ends after
--conn-seconds (120), the whole server after --max-seconds (300).

Modes (comma-separated, combine freely: --mode nasty-text,ssdp-dup):

  good              a plausible IGD:2 (the default)
  igd1              the same device as IGD:1 / WANIPConnection:1;
                    GetListOfPortMappings answers 401 Invalid Action

 transport modes (apply to every HTTP answer; suffix ":desc" limits one to
 GET answers - root description, SCPDs - and ":soap" to SOAP answers, e.g.
 --mode slow:soap):
  silent            accept, read the request, never answer
  slow              the whole answer at one byte per second, forever
  slow-body         headers at once, then the body at one byte per second
  huge              a 64 MiB body (padding comments before the content),
                    streamed quickly, generated on the fly
  huge-headers      64 MiB of header lines that never end
  random            1 MiB of random bytes instead of an HTTP answer
  random-body       a correct 200 head, then 1 MiB of random bytes
  midclose          Content-Length of the whole body, half sent, then FIN
  midclose-rst      the same, then RST
  badlength         Content-Length 4096 larger than the body; the
                    connection is then held open
  badlength-short   Content-Length half the body; the whole body is sent
  chunked           correct chunked encoding (a good answer)
  chunked-absurd    a correct chunk, then chunk size FFFFFFFFFFFFFFFF; held
  chunked-nonhex    a correct chunk, then chunk size "zz"; held open
  chunked-overflow  chunk size 10000000000000010 (wraps to 16 in 64 bits)
  chunked-negative  chunk size -10

 SOAP / data modes:
  soap500           every SOAP action: HTTP 500, UPnPError 501 Action Failed
  endless-table     GetGenericPortMappingEntry never answers 713 (every
                    index is a valid entry); GetListOfPortMappings and
                    GetPortMappingNumberOfEntries answer 401
  fault606          GetGenericPortMappingEntry answers 606 Action not
                    authorized at index 2 of 5; GetListOfPortMappings 606
  list-escaped      GetListOfPortMappings: entity-escaped listing whose values
                    are themselves entity-laden (&amp;amp; &#...;) and long
  list-cdata        the listing inside <![CDATA[ ]]> (as miniupnpd does)
  list-truncated    the inner listing document cut in the middle of an entry
  list-malformed    the inner listing document with broken XML and values
  nasty-text        descriptions, friendlyName and modelName with | ' = a
                    newline + "IGD PORTMAP OK - all fine | x=1", ANSI escapes,
                    raw invalid UTF-8, &#1;-style references, 5000 characters
  outside-lan       one extra mapping to 8.8.4.4 (the UPnProxy pattern)
  many              300 ordinary mappings (150 TCP, 150 UDP: more than one
                    128-entry page of each)
  unsorted          GetListOfPortMappings pages in table order, not sorted by
                    port (as miniupnpd 2.3.4 and later answer); the table is
                    shuffled (the same way every run)
  rule-order        list pages in table order (as built), not sorted
  reversed          the table in descending port order, pages in that order
  ascending-first   the table (in rule order): 128 TCP mappings on ports
                    40000..40127, then TCP 3389 -> 192.168.1.66:3389 and
                    TCP 53 -> 8.8.8.8:53 (a first page that ascends by
                    accident; implies rule-order)
  short-pages       GetListOfPortMappings answers at most 50 entries
                    whatever NewNumberOfPorts asks
  list-crash        GetListOfPortMappings over a range holding more than
                    128 mappings of the asked protocol kills the device,
                    whatever NewNumberOfPorts says (every nftables build
                    of miniupnpd before 2.3.4): that connection and every
                    later one are closed unanswered
  empty-list        GetListOfPortMappings answers an empty list for every
                    range while the index walk has the entries (OPNsense)
  big-desc          16384 TCP and UDP mappings with 7.5 KB descriptions (128 pages
                    of 128 under a 1 MiB page cap: a memory budget test)
  large             2500 TCP mappings (ports 10000..12499) and one to
                    8.8.4.4 in the middle of the rule order
  iport0            every read action reports internal port 0 (MiniUPnPd
                    2.3.6-2.3.7, upstream issue 768); the table gains TCP
                    4450 -> 192.168.1.77:445 'smb'
  idx0-402          an empty table whose GetGenericPortMappingEntry(0)
                    answers 402 Invalid Args (DD-WRT v24)
  ddwrt             the description names DD-WRT (manufacturer, model) and
                    the SERVER header says DD-WRT/v24
  version=X.Y.Z     the SERVER headers say MiniUPnPd/X.Y.Z

 firmware modes (descriptions and answers of real routers, emulated):
  blank-identity    friendlyName, manufacturer, modelName, modelNumber and
                    UDN present but empty
  two-wan           a second WANDevice (as MikroTik RouterOS describes two
                    WANs) with its own WANCommonInterfaceConfig (physical
                    link Down, its own counters: 25000/50000 bytes/s sent/
                    received) and WANIPConnection (Connected, 93.184.216.35)
  wan2-backwards    with two-wan: the second WAN's 64-bit counters go down
                    by 1000000 bytes/s (no wrap, no reboot explains it)
  wan2-common-refuses  with two-wan: the second WAN's
                    WANCommonInterfaceConfig refuses every action (401)
  wan2-common-slow  with two-wan: the second WAN's WANCommonInterfaceConfig
                    answers nothing until the connection's time is up
  ppp-unconfigured  the connection device also declares WANPPPConnection:1
                    (DD-WRT, NETGEAR): status Unconfigured, no external
                    address, an empty table
  ppp-refuses       the same WANPPPConnection:1 refuses every action (500,
                    UPnP error 401 Invalid Action)
  ppp-refuses-table the same WANPPPConnection:1 is Connected (as the IP one)
                    but refuses every port-mapping action (401)
  tr064             a TR-064 description (urn:dslforum-org: device and
                    service types, as ISP gateways and FRITZ!Box tr64desc.xml)
                    whose actions answer without authentication
  tr064-auth        the same, every SOAP action answered HTTP 401 with a
                    Digest challenge (a TR-064 device demanding a login)
  empty             an empty table (a rogue device that has nothing to hide)
  extip-fails       GetExternalIPAddress answers 501 Action Failed (the rest
                    as good)
  uptime-days       NewUptime as some firmware sends it: "0 Days, 01:00:00"
  uptime-na         NewUptime "n/a" (a firmware that cannot tell)

 SSDP modes (with --ssdp):
  ssdp-elsewhere    the answer's LOCATION names --elsewhere-addr (127.0.0.99)
                    while it is sent from ADDR
  ssdp-dup          the same answer 20 times
  ssdp-other-types  answers for MediaServer, MediaRenderer, ... first, then
                    the IGD one
  ssdp-flood        3000 answers (other types, IGDs with distinct UUIDs),
                    the real IGD answer among them
  ssdp-flood-igds   1500 distinct IGDs answer (LOCATION .../rootDesc.xml?n=K),
                    then the real one: more than a census keeps (1024)
  ssdp-silent       SSDP socket bound, never answers
  ssdp-many         40 distinct IGDs answer (LOCATION .../rootDesc.xml?n=K,
                    each description with its own UDN): a census past 16

Requests that could change the device or subscribe (any method but GET, HEAD
and POST; any SOAP action whose name does not start with Get/Query) are
written to --log, one line each: METHOD<TAB>PATH<TAB>SOAPACTION.  Every
request (and SSDP search) goes to --access-log in the same form.
"""

import argparse
import os
import random as _random
import re
import signal
import socket
import struct
import sys
import threading
import time

TRANSPORT_MODES = {
    "silent", "slow", "slow-body", "huge", "huge-headers", "random",
    "random-body", "midclose", "midclose-rst", "badlength", "badlength-short",
    "chunked", "chunked-absurd", "chunked-nonhex", "chunked-overflow",
    "chunked-negative",
}
DATA_MODES = {
    "good", "igd1", "soap500", "endless-table", "fault606", "list-escaped",
    "list-cdata", "list-truncated", "list-malformed", "nasty-text",
    "outside-lan", "many", "unsorted", "blank-identity", "two-wan",
    "wan2-backwards", "wan2-common-refuses", "wan2-common-slow",
    "ppp-unconfigured", "ppp-refuses", "ppp-refuses-table", "tr064", "tr064-auth", "rule-order",
    "reversed", "ascending-first", "short-pages", "empty-list", "big-desc",
    "large", "iport0", "idx0-402", "ddwrt", "uptime-days", "uptime-na",
    "empty", "extip-fails", "list-crash", "grows",
}
SSDP_MODES = {
    "ssdp-elsewhere", "ssdp-dup", "ssdp-other-types", "ssdp-flood",
    "ssdp-silent", "ssdp-many", "ssdp-flood-igds",
}
SCOPES = {"all", "desc", "soap"}

MIB = 1024 * 1024
START = time.monotonic()

NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_ENC = "http://schemas.xmlsoap.org/soap/encoding/"
NS_LIST = "urn:schemas-upnp-org:gw:WANIPConnection"

SERVER_HDR = "Linux/6.1 UPnP/1.1 HostileIGD/1.0"
EXTERNAL_IP = "93.184.216.34"	# only ever reported, never contacted
EXTERNAL_IP2 = "93.184.216.35"	# the second WAN's (two-wan)
SSDP_MANY = 40


def xesc(s):
    """XML-escape a str and return bytes (UTF-8)."""
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&apos;")).encode("utf-8")


def xesc_bytes(b):
    """XML-escape raw bytes (keeps invalid UTF-8 as it is)."""
    return (b.replace(b"&", b"&amp;").replace(b"<", b"&lt;")
            .replace(b">", b"&gt;").replace(b'"', b"&quot;"))


class Log:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        if path:
            open(path, "a").close()

    def write(self, *fields):
        if not self.path:
            return
        line = "\t".join(f.replace("\t", " ").replace("\n", "\\n")
                         .replace("\r", "\\r") for f in fields) + "\n"
        with self.lock:
            with open(self.path, "a", encoding="utf-8",
                      errors="backslashreplace") as f:
                f.write(line)


# --------------------------------------------------------------------------
# The device: mappings and documents

def mapping(ext, proto, iport, client, desc, lease=3600, remote="",
            enabled="1"):
    """A mapping; every value is a ready-to-embed XML text fragment (bytes)."""
    def frag(v):
        if isinstance(v, bytes):
            return v
        return xesc(str(v))
    return {
        "remote": frag(remote), "ext": frag(ext), "proto": frag(proto),
        "iport": frag(iport), "client": frag(client), "enabled": frag(enabled),
        "desc": frag(desc), "lease": frag(lease),
        "_ext": int(ext) if str(ext).isdigit() else -1,
        "_proto": proto if isinstance(proto, str) else proto.decode(
            "latin-1"),
    }


NASTY_NEWLINE = "evil\nIGD PORTMAP OK - all fine | x=1"
NASTY_DESCS = [
    xesc("pipe|quote'equals=x"),
    xesc(NASTY_NEWLINE),
    xesc("\r\nIGD PORTMAP OK - all fine | x=1\r\n"),
    xesc("ansi \x1b[31mRED\x1b[0m \x1b]0;title\x07 bell"),
    b"raw-invalid-utf8 \xff\xfe \xc0\xaf \xed\xa0\x80 \xe2\x82 end",
    b"numeric-refs &#1; &#27;[31m &#x7f; &#x9b;31m &#0; &#xD800; &#xFFFE;",
    b"named-refs &lt;script&gt; &amp;&amp; &quot;x&quot; &apos;y&apos;",
    xesc("long " + ("A" * 4990)),
    xesc("'quoted label'=1;2;3 'x'=y"),
    xesc("unicode \u202e\u200b\ufeff RTL override, zero-width, BOM"),
]
NASTY_NAME = (b"Evil|Router'=\n"
              b"IGD PRESENT OK - all fine | x=1\n\x1b[31m\xff\xfe &#1;&#27;[0m")


class Device:
    def __init__(self, opts):
        self.opts = opts
        self.modes = opts.data_modes
        self.grown = False
        self.igd = 1 if "igd1" in self.modes else 2
        last = [int(x) for x in opts.addr.split(".")]
        self.uuid = "uuid:6e1f0b2a-4b7d-4c1e-9a3f-%012x" % (
            (last[1] << 16) | (last[2] << 8) | last[3])
        self.mappings = self.build_table()
        self.crashed = False		# list-crash: the device died

    # -- the table ---------------------------------------------------------
    def build_table(self):
        m = [
            mapping(443, "TCP", 443, "192.168.1.10", "NAS https", 86400),
            mapping(27015, "UDP", 27015, "192.168.1.20", "Steam game", 3600),
            mapping(8080, "TCP", 80, "192.168.1.30", "webcam", 7200),
        ]
        if "many" in self.modes:
            m = [mapping(20000 + i, "TCP" if i % 2 else "UDP", 20000 + i,
                         "192.168.1.%d" % (2 + i % 250), "app %d" % i,
                         3600 + i) for i in range(300)]
        if "ascending-first" in self.modes:
            m = [mapping(40000 + i, "TCP", 40000 + i,
                         "192.168.1.%d" % (2 + i % 200), "game %d" % i, 3600)
                 for i in range(128)]
            m += [mapping(3389, "TCP", 3389, "192.168.1.66", "rdp", 3600),
                  mapping(53, "TCP", 53, "8.8.8.8", "dns", 3600)]
        if "large" in self.modes:
            m = [mapping(10000 + i, "TCP", 10000 + i,
                         "192.168.1.%d" % (2 + i % 200), "bulk %d" % i, 3600)
                 for i in range(2500)]
            m.insert(1234, mapping(8443, "TCP", 443, "8.8.4.4", "proxy", 3600))
        if "big-desc" in self.modes:
            d = xesc("x" * 7680)	# one object shared by every entry
            # both protocols: their first pages come back at once
            m = [mapping(20000 + i, "UDP" if i % 2 else "TCP", 20000 + i,
                         "192.168.1.%d" % (2 + i % 200),
                         d, 3600) for i in range(16384)]
        if "idx0-402" in self.modes or "empty" in self.modes:
            m = []
        if "iport0" in self.modes:
            m.append(mapping(4450, "TCP", 445, "192.168.1.77", "smb", 3600))
        if "unsorted" in self.modes:
            _random.Random(7).shuffle(m)
        if "reversed" in self.modes:
            m.sort(key=lambda e: -e["_ext"])
        if "fault606" in self.modes:
            m += [mapping(9000, "TCP", 9000, "192.168.1.40", "printer", 600),
                  mapping(9001, "UDP", 9001, "192.168.1.41", "voip", 600)]
        if "nasty-text" in self.modes:
            for i, d in enumerate(NASTY_DESCS):
                m.append(mapping(30000 + i, "TCP", 30000 + i,
                                 "192.168.1.%d" % (50 + i), d, 3600))
        if "outside-lan" in self.modes:
            m.append(mapping(8443, "TCP", 443, "8.8.4.4", "proxy", 3600))
        if "list-escaped" in self.modes:
            m.append(mapping(31000, "TCP", 31000, "192.168.1.60",
                             b"amp&amp;amp; lt&amp;lt; ref&amp;#65; "
                             + b"B" * 200, 3600))
        return m

    def endless_entry(self, i):
        return mapping(10000 + i % 55000, "TCP", 10000 + i % 55000,
                       "192.168.1.%d" % (2 + i % 250), "endless %d" % i, 3600)

    # -- documents ---------------------------------------------------------
    def tr064(self):
        return "tr064" in self.modes or "tr064-auth" in self.modes

    def svc_types(self):
        v = self.igd
        if self.tr064():
            return {
                "ip": "urn:dslforum-org:service:WANIPConnection:1",
                "ppp": "urn:dslforum-org:service:WANPPPConnection:1",
                "cmn": "urn:dslforum-org:service:WANCommonInterfaceConfig:1",
                "l3f": "urn:dslforum-org:service:Layer3Forwarding:1",
                "dev": "urn:dslforum-org:device:",
            }
        return {
            "ip": "urn:schemas-upnp-org:service:WANIPConnection:%d" % v,
            "ppp": "urn:schemas-upnp-org:service:WANPPPConnection:1",
            "cmn": "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1",
            "l3f": "urn:schemas-upnp-org:service:Layer3Forwarding:1",
            "dev": "urn:schemas-upnp-org:device:",
        }

    def wan_device(self, n):
        """One WANDevice (n = 1, 2) with its common interface and one
        connection device; the first may also hold a PPP service."""
        v = self.igd
        t = self.svc_types()
        sfx = b"" if n == 1 else str(n).encode()
        ppp = []
        if n == 1 and self.modes & {"ppp-unconfigured", "ppp-refuses",
                                    "ppp-refuses-table"}:
            ppp = [b"<service>",
                   b"<serviceType>", t["ppp"].encode(), b"</serviceType>",
                   b"<serviceId>urn:upnp-org:serviceId:WANPPPConn1</serviceId>",
                   b"<SCPDURL>/WANPPPCn.xml</SCPDURL>",
                   b"<controlURL>/ctl/PPPConn</controlURL>",
                   b"<eventSubURL>/evt/PPPConn</eventSubURL>",
                   b"</service>"]
        return b"".join([
            b"<device>",
            b"<deviceType>", t["dev"].encode(), b"WANDevice:",
            str(v).encode(), b"</deviceType>",
            b"<friendlyName>WANDevice</friendlyName>",
            b"<manufacturer>Hostile Labs</manufacturer>",
            b"<modelName>WAN</modelName>",
            b"<UDN>", self.uuid.encode()[:-1], str(n).encode(), b"</UDN>",
            b"<serviceList><service>",
            b"<serviceType>", t["cmn"].encode(), b"</serviceType>",
            b"<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId>",
            b"<SCPDURL>/WANCfg.xml</SCPDURL>",
            b"<controlURL>/ctl/CmnIfCfg", sfx, b"</controlURL>",
            b"<eventSubURL>/evt/CmnIfCfg</eventSubURL>",
            b"</service></serviceList>",
            b"<deviceList><device>",
            b"<deviceType>", t["dev"].encode(), b"WANConnectionDevice:",
            str(v).encode(), b"</deviceType>",
            b"<friendlyName>WANConnectionDevice</friendlyName>",
            b"<manufacturer>Hostile Labs</manufacturer>",
            b"<modelName>WANConn</modelName>",
            b"<UDN>", self.uuid.encode()[:-2], str(n).encode(), b"2</UDN>",
            b"<serviceList><service>",
            b"<serviceType>", t["ip"].encode(), b"</serviceType>",
            b"<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>",
            b"<SCPDURL>/WANIPCn.xml</SCPDURL>",
            b"<controlURL>/ctl/IPConn", sfx, b"</controlURL>",
            b"<eventSubURL>/evt/IPConn</eventSubURL>",
            b"</service>"] + ppp + [b"</serviceList>",
            b"</device></deviceList>",
            b"</device>"])

    def root_description(self, n=None):
        v = self.igd
        t = self.svc_types()
        uuid = self.uuid.encode()
        manufacturer, number = b"Hostile Labs", b"2.0"
        if n is not None:
            # ssdp-many: one of many IGDs, each with its own UDN
            uuid = b"uuid:7a11e5ee-0000-4000-8000-%012d" % n
        if "nasty-text" in self.modes:
            fname = NASTY_NAME
            model = b"Model|'=\n\x1b[31mX\xff &#1;" + b"M" * 300
        elif "blank-identity" in self.modes:
            fname = model = manufacturer = number = uuid = b""
        elif "ddwrt" in self.modes:
            fname = b"DD-WRT Router"
            model = b"DD-WRT v24"
            manufacturer = b"DD-WRT"
        else:
            fname = b"Hostile Test Router"
            model = b"HTR-2000"
        wans = [self.wan_device(1)]
        if "two-wan" in self.modes:
            wans.append(self.wan_device(2))
        return b"".join([
            b'<?xml version="1.0"?>\r\n',
            b'<root xmlns="urn:schemas-upnp-org:device-1-0" configId="1337">',
            b"<specVersion><major>1</major><minor>1</minor></specVersion>",
            b"<device>",
            b"<deviceType>", t["dev"].encode(), b"InternetGatewayDevice:",
            str(1 if self.tr064() else v).encode(), b"</deviceType>",
            b"<friendlyName>", fname, b"</friendlyName>",
            b"<manufacturer>", manufacturer, b"</manufacturer>",
            b"<manufacturerURL>http://example.invalid/</manufacturerURL>",
            b"<modelDescription>Test IGD</modelDescription>",
            b"<modelName>", model, b"</modelName>",
            b"<modelNumber>", number, b"</modelNumber>",
            b"<serialNumber>HTR0001</serialNumber>",
            b"<UDN>", uuid, b"</UDN>",
            b"<serviceList><service>",
            b"<serviceType>", t["l3f"].encode(), b"</serviceType>",
            b"<serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId>",
            b"<SCPDURL>/L3F.xml</SCPDURL><controlURL>/ctl/L3F</controlURL>",
            b"<eventSubURL>/evt/L3F</eventSubURL>",
            b"</service></serviceList>",
            b"<deviceList>"] + wans + [b"</deviceList>",
            b"<presentationURL>http://", self.opts.addr.encode(),
            b"/</presentationURL>",
            b"</device></root>\r\n",
        ])

    def other_description(self, kind):
        return ("<?xml version=\"1.0\"?>\r\n"
                "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">"
                "<specVersion><major>1</major><minor>0</minor></specVersion>"
                "<device><deviceType>urn:schemas-upnp-org:device:%s</deviceType>"
                "<friendlyName>Not an IGD (%s)</friendlyName>"
                "<manufacturer>Other</manufacturer><modelName>X</modelName>"
                "<UDN>uuid:00000000-1111-2222-3333-%012d</UDN>"
                "</device></root>\r\n" % (kind, kind, len(kind))).encode()

    def scpd(self, actions):
        parts = [b'<?xml version="1.0"?>\r\n<scpd xmlns="urn:schemas-upnp-org:'
                 b'service-1-0"><specVersion><major>1</major><minor>0</minor>'
                 b"</specVersion><actionList>"]
        for a in actions:
            parts.append(b"<action><name>%s</name></action>" % a.encode())
        parts.append(b"</actionList><serviceStateTable/></scpd>\r\n")
        return b"".join(parts)

    # -- SOAP --------------------------------------------------------------
    @staticmethod
    def envelope(action, svc, args):
        body = [b'<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="', NS_SOAP.encode(),
                b'" s:encodingStyle="', NS_ENC.encode(), b'"><s:Body><u:',
                action.encode(), b'Response xmlns:u="', svc.encode(), b'">']
        for name, val in args:
            if not isinstance(val, bytes):
                val = xesc(str(val))
            body += [b"<", name.encode(), b">", val, b"</", name.encode(), b">"]
        body += [b"</u:", action.encode(), b"Response></s:Body></s:Envelope>\r\n"]
        return b"".join(body)

    @staticmethod
    def fault(code, desc):
        return ('<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="%s" '
                's:encodingStyle="%s"><s:Body><s:Fault><faultcode>s:Client'
                '</faultcode><faultstring>UPnPError</faultstring><detail>'
                '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0">'
                '<errorCode>%d</errorCode><errorDescription>%s'
                '</errorDescription></UPnPError></detail></s:Fault></s:Body>'
                '</s:Envelope>\r\n' % (NS_SOAP, NS_ENC, code, desc)).encode()

    def counters(self, wan2=False):
        t = time.monotonic() - START
        if wan2 and "wan2-backwards" in self.modes:
            # a counter that goes down between runs without a reboot:
            # 64-bit values, so no wrap can explain it
            return {
                "NewTotalBytesSent": 8000000000 - int(t * 1000000),
                "NewTotalBytesReceived": 8000000000 - int(t * 1000000),
                "NewTotalPacketsSent": 8000000000 - int(t * 1000),
                "NewTotalPacketsReceived": 8000000000 - int(t * 1000),
            }
        if wan2:
            # the second WAN's own figures, told apart from the first's
            return {
                "NewTotalBytesSent": 1000000 + int(t * 25000),
                "NewTotalBytesReceived": 2000000 + int(t * 50000),
                "NewTotalPacketsSent": 3000 + int(t * 20),
                "NewTotalPacketsReceived": 4000 + int(t * 40),
            }
        return {
            "NewTotalBytesSent": 6000000000 + int(t * 125000),
            "NewTotalBytesReceived": 9000000000 + int(t * 1250000),
            "NewTotalPacketsSent": 5000000000 + int(t * 100),
            "NewTotalPacketsReceived": 7000000000 + int(t * 900),
        }

    def iport(self, e):
        return b"0" if "iport0" in self.modes else e["iport"]

    def entry_args(self, e, generic=True):
        a = []
        if generic:
            a += [("NewRemoteHost", e["remote"]), ("NewExternalPort", e["ext"]),
                  ("NewProtocol", e["proto"])]
        a += [("NewInternalPort", self.iport(e)),
              ("NewInternalClient", e["client"]),
              ("NewEnabled", e["enabled"]),
              ("NewPortMappingDescription", e["desc"]),
              ("NewLeaseDuration", e["lease"])]
        return a

    def listing(self, args):
        """GetListOfPortMappings: (status, body)."""
        try:
            start = int(args.get("NewStartPort", "0"))
            end = int(args.get("NewEndPort", "65535"))
            number = int(args.get("NewNumberOfPorts", "0"))
        except ValueError:
            return 402, self.fault(402, "Invalid Args")
        proto = args.get("NewProtocol", "TCP").upper()
        if start > end:
            return 733, self.fault(733, "InconsistentParameters")
        sel = [e for e in self.mappings
               if e["_proto"].upper() == proto and start <= e["_ext"] <= end]
        if "list-crash" in self.modes and len(sel) > 128:
            sys.stderr.write("hostile_igd: list-crash: %d %s mappings in "
                             "ports %d-%d: the device dies\n"
                             % (len(sel), proto, start, end))
            self.crashed = True
            return 200, b""
        if not self.modes & {"unsorted", "rule-order", "reversed",
                             "ascending-first", "large"}:
            sel.sort(key=lambda e: e["_ext"])
        if number > 0:
            sel = sel[:number]
        if "short-pages" in self.modes:
            sel = sel[:50]
        if "empty-list" in self.modes:
            sel = []
        if not sel and "empty-list" not in self.modes:
            return 730, self.fault(730, "PortMappingNotFound")
        inner = [b'<?xml version="1.0"?>\n<p:PortMappingList xmlns:p="',
                 NS_LIST.encode(),
                 b'" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 b'xsi:schemaLocation="urn:schemas-upnp-org:gw:WANIPConnection '
                 b'http://www.upnp.org/schemas/gw/WANIPConnection-v2.xsd">\n']
        for i, e in enumerate(sel):
            if "_ent" in e and i > 0:
                inner.append(e["_ent"])	# built once (big tables)
                continue
            ent = (b"<p:PortMappingEntry>"
                   b"<p:NewRemoteHost>" + e["remote"] + b"</p:NewRemoteHost>"
                   b"<p:NewExternalPort>" + e["ext"] + b"</p:NewExternalPort>"
                   b"<p:NewProtocol>" + e["proto"] + b"</p:NewProtocol>"
                   b"<p:NewInternalPort>" + self.iport(e) +
                   b"</p:NewInternalPort>"
                   b"<p:NewInternalClient>" + e["client"] +
                   b"</p:NewInternalClient>"
                   b"<p:NewEnabled>" + e["enabled"] + b"</p:NewEnabled>"
                   b"<p:NewDescription>" + e["desc"] + b"</p:NewDescription>"
                   b"<p:NewLeaseTime>" + e["lease"] + b"</p:NewLeaseTime>"
                   b"</p:PortMappingEntry>\n")
            if "list-malformed" in self.modes and i == 0:
                ent = (b"<p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost>"
                       b"<p:NewExternalPort>99999</p:NewExternalPort>"
                       b"<p:NewProtocol>TCP</p:NewProtocol>"
                       b"<p:NewInternalPort>-1</p:NewInternalPort>"
                       b"<p:NewInternalClient>192.168.1.10</p:NewInternalPort>"
                       b"<p:NewEnabled>yes</p:NewEnabled>"
                       b"<p:NewDescription><p:NewDescription>nested"
                       b"<p:NewLeaseTime>abc</p:NewLeaseTime>"
                       b"<p:PortMappingEntry>\n") + ent
            elif len(self.mappings) > 1000:
                e["_ent"] = ent
            inner.append(ent)
        inner.append(b"</p:PortMappingList>\n")
        doc = b"".join(inner)
        if "list-truncated" in self.modes:
            cut = doc.find(b"<p:NewInternalClient>")
            doc = doc[:cut + 30] if cut > 0 else doc[:len(doc) // 2]
        if "list-malformed" in self.modes:
            doc = doc.replace(b"</p:PortMappingList>",
                              b"</p:PortMappingLst><p:PortMappingEntry>")
        if "list-cdata" in self.modes:
            val = b"<![CDATA[" + doc + b"]]>"
        else:
            val = xesc_bytes(doc)
        return 200, self.envelope("GetListOfPortMappings", self.svc_types()["ip"],
                                  [("NewPortListing", val)])

    def soap(self, action, svc, args, log, path="/ctl/IPConn"):
        """Answer one action: (http_status, body)."""
        if "tr064-auth" in self.modes:
            return 401, (b"<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD>"
                         b"<BODY>401 Unauthorized</BODY></HTML>\r\n")
        if not (action.startswith("Get") or action.startswith("Query")):
            return 500, self.fault(606, "Action not authorized")
        if "soap500" in self.modes:
            return 500, self.fault(501, "Action Failed")
        if "extip-fails" in self.modes and action == "GetExternalIPAddress":
            return 500, self.fault(501, "Action Failed")
        ppp = path.startswith("/ctl/PPPConn")
        wan2 = path.endswith("2")
        if ppp and "ppp-refuses" in self.modes:
            return 500, self.fault(401, "Invalid Action")
        if ppp and "ppp-refuses-table" in self.modes and "PortMapping" in action:
            # a connection in use that will not show its table
            return 500, self.fault(401, "Invalid Action")
        if ppp and "ppp-unconfigured" in self.modes:
            okp = lambda a: (200, self.envelope(action, svc, a))
            if action == "GetStatusInfo":
                return okp([("NewConnectionStatus", "Unconfigured"),
                            ("NewLastConnectionError",
                             "ERROR_NOT_ENABLED_FOR_INTERNET"),
                            ("NewUptime", 0)])
            if action == "GetExternalIPAddress":
                return okp([("NewExternalIPAddress", "")])
            if action == "GetConnectionTypeInfo":
                return okp([("NewConnectionType", "Unconfigured"),
                            ("NewPossibleConnectionTypes", "IP_Routed")])
            if action == "GetNATRSIPStatus":
                return okp([("NewRSIPAvailable", 0), ("NewNATEnabled", 0)])
            if action in ("GetGenericPortMappingEntry",):
                return 500, self.fault(713, "SpecifiedArrayIndexInvalid")
            if action == "GetSpecificPortMappingEntry":
                return 500, self.fault(714, "NoSuchEntryInArray")
            return 500, self.fault(401, "Invalid Action")
        if (wan2 and "wan2-common-slow" in self.modes
                and path.startswith("/ctl/CmnIfCfg")):
            # never answers within any sane deadline (this connection's
            # thread only)
            time.sleep(min(60, self.opts.conn_seconds))
            return 500, self.fault(501, "Action Failed")
        if (wan2 and "wan2-common-refuses" in self.modes
                and path.startswith("/ctl/CmnIfCfg")):
            return 500, self.fault(401, "Invalid Action")
        if wan2 and action == "GetExternalIPAddress":
            return 200, self.envelope(action, svc, [("NewExternalIPAddress",
                                                     EXTERNAL_IP2)])
        if wan2 and action == "GetCommonLinkProperties":
            return 200, self.envelope(action, svc, [
                ("NewWANAccessType", "Ethernet"),
                ("NewLayer1UpstreamMaxBitRate", 0),
                ("NewLayer1DownstreamMaxBitRate", 0),
                ("NewPhysicalLinkStatus", "Down")])
        ip = self.svc_types()["ip"]
        cmn = self.svc_types()["cmn"]
        ok = lambda a: (200, self.envelope(action, svc, a))
        if action == "GetStatusInfo":
            uptime = int(86400 + time.monotonic() - START)
            if "uptime-days" in self.modes:
                uptime = "0 Days, 01:00:00"
            elif "uptime-na" in self.modes:
                uptime = "n/a"
            return ok([("NewConnectionStatus", "Connected"),
                       ("NewLastConnectionError", "ERROR_NONE"),
                       ("NewUptime", uptime)])
        if action == "GetExternalIPAddress":
            return ok([("NewExternalIPAddress", EXTERNAL_IP)])
        if action == "GetConnectionTypeInfo":
            return ok([("NewConnectionType", "IP_Routed"),
                       ("NewPossibleConnectionTypes", "IP_Routed")])
        if action == "GetNATRSIPStatus":
            return ok([("NewRSIPAvailable", 0), ("NewNATEnabled", 1)])
        if action == "GetCommonLinkProperties":
            return ok([("NewWANAccessType", "Ethernet"),
                       ("NewLayer1UpstreamMaxBitRate", 100000000),
                       ("NewLayer1DownstreamMaxBitRate", 1000000000),
                       ("NewPhysicalLinkStatus", "Up")])
        c = self.counters(wan2)
        for name in ("BytesSent", "BytesReceived", "PacketsSent",
                     "PacketsReceived"):
            if action == "GetTotal" + name:
                return ok([("NewTotal" + name, c["NewTotal" + name])])
        if action == "GetEnabledForInternet":
            return ok([("NewEnabledForInternet", 1)])
        if action == "GetPortMappingNumberOfEntries":
            if "endless-table" in self.modes:
                return 500, self.fault(401, "Invalid Action")
            return ok([("NewPortMappingNumberOfEntries", len(self.mappings))])
        if action == "GetGenericPortMappingEntry":
            raw = args.get("NewPortMappingIndex", "").strip()
            if not raw.isdigit():
                return 500, self.fault(402, "Invalid Args")
            i = int(raw)
            if "endless-table" in self.modes:
                return ok(self.entry_args(self.endless_entry(i)))
            if "fault606" in self.modes and i == 2:
                return 500, self.fault(606, "Action not authorized")
            if "idx0-402" in self.modes and i == 0 and not self.mappings:
                return 500, self.fault(402, "Invalid Args")
            if "grows" in self.modes and i == 0 and not self.grown:
                # a burst of 130 new TCP mappings (a torrent client, a
                # game) while a long read is under way: appended, as
                # miniupnpd does, on ports no range was cut for
                self.grown = True
                self.mappings += [mapping(30000 + j, "TCP", 30000 + j,
                                          "192.168.1.%d" % (2 + j % 200),
                                          "burst %d" % j, 3600)
                                  for j in range(130)]
            if i >= len(self.mappings):
                return 500, self.fault(713, "SpecifiedArrayIndexInvalid")
            return ok(self.entry_args(self.mappings[i]))
        if action == "GetSpecificPortMappingEntry":
            for e in self.mappings:
                if (str(e["_ext"]) == args.get("NewExternalPort", "").strip()
                        and e["_proto"].upper() ==
                        args.get("NewProtocol", "").strip().upper()):
                    return ok(self.entry_args(e, generic=False))
            return 500, self.fault(714, "NoSuchEntryInArray")
        if action == "GetListOfPortMappings":
            if self.igd == 1 or "endless-table" in self.modes:
                return 500, self.fault(401, "Invalid Action")
            if "fault606" in self.modes:
                return 500, self.fault(606, "Action not authorized")
            st, body = self.listing(args)
            return (200 if st == 200 else 500), body
        return 500, self.fault(401, "Invalid Action")


# --------------------------------------------------------------------------
# HTTP

class Conn:
    """One accepted connection, with its own deadline."""

    def __init__(self, sock, peer, srv):
        self.sock = sock
        self.peer = peer
        self.srv = srv
        self.deadline = time.monotonic() + srv.opts.conn_seconds

    def left(self):
        return self.deadline - time.monotonic()

    def send(self, data):
        """Send all of data; False when the peer is gone or time is up."""
        view = memoryview(data)
        while view:
            left = self.left()
            if left <= 0 or self.srv.stopping:
                return False
            self.sock.settimeout(min(left, 5.0))
            try:
                n = self.sock.send(view[:256 * 1024])
            except socket.timeout:
                continue
            except OSError:
                return False
            view = view[n:]
        return True

    def hold(self):
        """Keep the connection open, reading and discarding, until the peer
        closes it or the connection deadline passes."""
        while self.left() > 0 and not self.srv.stopping:
            self.sock.settimeout(min(self.left(), 1.0))
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not d:
                return

    def trickle(self, gen):
        """Send the bytes from gen at one byte per second."""
        for chunk in gen:
            for i in range(len(chunk)):
                if not self.send(chunk[i:i + 1]):
                    return
                end = time.monotonic() + 1.0
                while time.monotonic() < end:
                    if self.left() <= 0 or self.srv.stopping:
                        return
                    time.sleep(min(0.2, max(0.0, end - time.monotonic())))

    def read_request(self):
        """Return (method, path, headers, body) or None."""
        buf = b""
        while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
            if len(buf) > 65536 or self.left() <= 0:
                return None
            self.sock.settimeout(min(self.left(), 15.0))
            try:
                d = self.sock.recv(65536)
            except OSError:
                return None
            if not d:
                return None
            buf += d
        sep = b"\r\n\r\n" if b"\r\n\r\n" in buf else b"\n\n"
        head, body = buf.split(sep, 1)
        lines = head.decode("latin-1").splitlines()
        if not lines:
            return None
        parts = lines[0].split()
        if len(parts) < 2:
            return None
        method, path = parts[0], parts[1]
        headers = {}
        for ln in lines[1:]:
            if ":" in ln:
                k, v = ln.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        try:
            want = min(int(headers.get("content-length", "0")), MIB)
        except ValueError:
            want = 0
        while len(body) < want and self.left() > 0:
            self.sock.settimeout(min(self.left(), 15.0))
            try:
                d = self.sock.recv(65536)
            except OSError:
                break
            if not d:
                break
            body += d
        return method, path, headers, body


def http_head(status, reason, ctype, length=None, extra=()):
    h = ["HTTP/1.1 %d %s" % (status, reason)]
    if ctype:
        h.append("Content-Type: %s" % ctype)
    if length is not None:
        h.append("Content-Length: %d" % length)
    h += ["Server: " + SERVER_HDR, "Connection: close", "EXT:"]
    h += list(extra)
    return ("\r\n".join(h) + "\r\n\r\n").encode()


REASONS = {200: "OK", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           412: "Precondition Failed", 500: "Internal Server Error"}


def chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"


def huge_body(kind, dev):
    """(length, generator) of a 64 MiB document: padding comments, then a
    normal document, so a parser has to read all of it to find the content."""
    total = 64 * MIB
    if kind == "desc":
        tail = dev.root_description().split(b"?>", 1)[1]
    else:
        tail = dev.fault(501, "Action Failed").split(b"?>", 1)[1]
    head = b'<?xml version="1.0"?>\r\n'
    line = b"<!-- " + b"P" * 1010 + b" -->\n"		# 1024 bytes
    pad_len = total - len(head) - len(tail)

    def gen():
        yield head
        left = pad_len
        block = line * 256				# 256 KiB
        while left > 0:
            n = min(left, len(block))
            yield block[:n]
            left -= n
        yield tail
    return total, gen()


class HTTPServer:
    def __init__(self, opts, dev, log, access):
        self.opts = opts
        self.dev = dev
        self.log = log
        self.access = access
        self.stopping = False
        self.active = 0
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((opts.addr, opts.http_port))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]

    def serve(self):
        self.sock.settimeout(0.5)
        while not self.stopping:
            try:
                s, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                if self.active >= 256:
                    s.close()
                    continue
                self.active += 1
            threading.Thread(target=self.handle, args=(s, peer),
                             daemon=True).start()

    def handle(self, s, peer):
        c = Conn(s, peer, self)
        try:
            self.handle_conn(c)
        except Exception as e:		# a hostile server never dies of a client
            sys.stderr.write("hostile_igd: connection error: %r\n" % (e,))
        finally:
            try:
                s.close()
            except OSError:
                pass
            with self.lock:
                self.active -= 1

    def transport(self, scope):
        for m, sc in self.opts.transport_modes:
            if sc == "all" or sc == scope:
                return m
        return None

    def handle_conn(self, c):
        if self.dev.crashed:
            return			# list-crash: nothing answers any more
        req = c.read_request()
        if req is None:
            return
        method, path, headers, body = req
        soapaction = headers.get("soapaction", "").strip().strip('"')
        self.access.write(method, path, soapaction)
        action = soapaction.rsplit("#", 1)[-1] if "#" in soapaction else ""
        if method == "POST" and not action:
            m = re.search(rb"Body>\s*<(?:[\w.-]+:)?([\w]+)", body)
            action = m.group(1).decode() if m else ""
        write = (method not in ("GET", "HEAD", "POST")
                 or (method == "POST" and not (action.startswith("Get") or
                                               action.startswith("Query"))))
        if write:
            self.log.write(method, path, soapaction or action)

        p = path.split("?", 1)[0]
        if method in ("GET", "HEAD"):
            scope = "desc"
            docs = {
                "/rootDesc.xml": self.dev.root_description,
                "/WANPPPCn.xml": lambda: self.dev.scpd([
                    "GetStatusInfo", "GetExternalIPAddress",
                    "GetConnectionTypeInfo", "GetNATRSIPStatus",
                    "GetGenericPortMappingEntry",
                    "GetSpecificPortMappingEntry"]),
                "/WANIPCn.xml": lambda: self.dev.scpd([
                    "GetStatusInfo", "GetExternalIPAddress",
                    "GetConnectionTypeInfo", "GetNATRSIPStatus",
                    "GetGenericPortMappingEntry", "GetSpecificPortMappingEntry",
                    "GetListOfPortMappings", "AddPortMapping",
                    "DeletePortMapping"]),
                "/WANCfg.xml": lambda: self.dev.scpd([
                    "GetCommonLinkProperties", "GetTotalBytesSent",
                    "GetTotalBytesReceived", "GetTotalPacketsSent",
                    "GetTotalPacketsReceived"]),
                "/L3F.xml": lambda: self.dev.scpd(["GetDefaultConnectionService"]),
            }
            for kind in OTHER_TYPES:
                docs["/other/%s.xml" % kind.split(":")[0]] = (
                    lambda k=kind: self.dev.other_description(k))
            q = path.split("?", 1)[1] if "?" in path else ""
            if (p == "/rootDesc.xml" and "ssdp-many" in self.opts.ssdp_modes
                    and q.startswith("n=") and q[2:].isdigit()):
                docs[p] = lambda: self.dev.root_description(int(q[2:]))
            if p not in docs:
                return self.reply(c, "none", 404, "text/plain", b"not found\n")
            return self.reply(c, scope, 200, 'text/xml; charset="utf-8"',
                              docs[p](), head_only=(method == "HEAD"))
        if method == "POST" and p.startswith("/ctl/"):
            svc = soapaction.rsplit("#", 1)[0] if "#" in soapaction else ""
            args = {}
            for m in re.finditer(rb"<(New\w+)>([^<]*)</\1>", body):
                args[m.group(1).decode()] = m.group(2).decode("latin-1")
            status, out = self.dev.soap(action, svc, args, self.log, p)
            if self.dev.crashed:
                return		# died on this request: no answer
            return self.reply(c, "soap", status, 'text/xml; charset="utf-8"',
                              out, kind="soap")
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            return self.reply(c, "none", 412, None, b"")
        return self.reply(c, "none", 405, "text/plain", b"no\n")

    def reply(self, c, scope, status, ctype, body, head_only=False,
              kind="desc"):
        reason = REASONS.get(status, "Error")
        mode = self.transport(scope) if scope != "none" else None
        if mode is None:
            extra = (('WWW-Authenticate: Digest realm="HTTPS Access", '
                      'nonce="C0FFEE0123456789", algorithm=MD5, qop="auth"',)
                     if status == 401 else ())
            c.send(http_head(status, reason, ctype, len(body), extra) +
                   (b"" if head_only else body))
            return
        if mode == "silent":
            return c.hold()
        if mode == "slow":
            def gen():
                yield http_head(status, reason, ctype)
                yield body
                while True:
                    yield b" " * 64
            return c.trickle(gen())
        if mode == "slow-body":
            if not c.send(http_head(status, reason, ctype)):
                return
            def gen2():
                yield body
                while True:
                    yield b" " * 64
            return c.trickle(gen2())
        if mode == "huge":
            total, gen = huge_body(kind, self.dev)
            if not c.send(http_head(status, reason, ctype, total)):
                return
            for part in gen:
                if not c.send(part):
                    return
            return
        if mode == "huge-headers":
            if not c.send(b"HTTP/1.1 200 OK\r\n"):
                return
            line = b"X-Pad: " + b"h" * 1015 + b"\r\n"	# 1024 bytes
            block = line * 256
            for _ in range(256):			# 64 MiB
                if not c.send(block):
                    return
            return
        if mode == "random":
            c.send(os.urandom(MIB))
            return
        if mode == "random-body":
            c.send(http_head(status, reason, ctype, MIB) + os.urandom(MIB))
            return
        if mode in ("midclose", "midclose-rst"):
            c.send(http_head(status, reason, ctype, len(body)) +
                   body[:len(body) // 2])
            if mode == "midclose-rst":
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                  struct.pack("ii", 1, 0))
            return
        if mode == "badlength":
            if c.send(http_head(status, reason, ctype, len(body) + 4096) +
                      body):
                c.hold()
            return
        if mode == "badlength-short":
            c.send(http_head(status, reason, ctype, len(body) // 2) + body)
            return
        te = ["Transfer-Encoding: chunked"]
        h = http_head(status, reason, ctype, None, te)
        first, rest = body[:200], body[200:]
        if mode == "chunked":
            out = [h] + [chunk(body[i:i + 100])
                         for i in range(0, len(body), 100)] + [b"0\r\n\r\n"]
            c.send(b"".join(out))
            return
        if mode == "chunked-absurd":
            if c.send(h + chunk(first) + b"FFFFFFFFFFFFFFFF\r\n" + rest):
                c.hold()
            return
        if mode == "chunked-nonhex":
            if c.send(h + chunk(first) + b"zz\r\n" + rest):
                c.hold()
            return
        if mode == "chunked-overflow":
            c.send(h + chunk(first) + b"10000000000000010\r\n" + rest[:16] +
                   b"\r\n0\r\n\r\n")
            return
        if mode == "chunked-negative":
            if c.send(h + chunk(first) + b"-10\r\n" + rest):
                c.hold()
            return
        raise AssertionError(mode)


# --------------------------------------------------------------------------
# SSDP

OTHER_TYPES = ["MediaServer:1", "MediaRenderer:1", "Basic:1", "Printer:1",
               "WFADevice:1", "ZonePlayer:1", "DimmableLight:1"]


class SSDPServer:
    def __init__(self, opts, dev, http_port, access):
        self.opts = opts
        self.dev = dev
        self.http_port = http_port
        self.access = access
        self.stopping = False
        # No SO_REUSEADDR: two devices on one address must fail loudly, not
        # share the datagrams.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.reply = self.sock
        if opts.ssdp_multicast:
            # answer multicast M-SEARCH on the interface of --addr (a
            # rogue on a lab LAN); answers are sent from --addr itself
            self.sock.bind(("", opts.ssdp_port))
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                                 socket.inet_aton("239.255.255.250") +
                                 socket.inet_aton(opts.addr))
            self.reply = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.reply.bind((opts.addr, 0))
        else:
            self.sock.bind((opts.addr, opts.ssdp_port))

    def answer(self, st, usn, location):
        return ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n"
                "DATE: %s\r\nST: %s\r\nUSN: %s\r\nEXT:\r\nSERVER: %s\r\n"
                "LOCATION: %s\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; "
                "ns=01\r\nBOOTID.UPNP.ORG: 1\r\nCONFIGID.UPNP.ORG: 1337\r\n"
                "\r\n" % (time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                        time.gmtime()),
                          st, usn, SERVER_HDR, location)).encode()

    def serve(self):
        self.sock.settimeout(0.5)
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(8192)
            except socket.timeout:
                continue
            except OSError:
                return
            text = data.decode("latin-1")
            lines = text.splitlines()
            if not lines or not lines[0].upper().startswith("M-SEARCH"):
                continue
            st = ""
            for ln in lines[1:]:
                if ln.lower().startswith("st:"):
                    st = ln[3:].strip()
            self.access.write("M-SEARCH", "%s:%d" % peer, st)
            if "ssdp-silent" in self.opts.ssdp_modes:
                continue
            try:
                for pkt in self.answers_for(st):
                    self.reply.sendto(pkt, peer)
            except OSError:
                pass

    def answers_for(self, st):
        modes = self.opts.ssdp_modes
        v = self.dev.igd
        uuid = self.dev.uuid
        igd_types = ["urn:schemas-upnp-org:device:InternetGatewayDevice:%d" % i
                     for i in range(1, v + 1)]
        ok_types = igd_types + [
            "upnp:rootdevice",
            "urn:schemas-upnp-org:device:WANDevice:%d" % v,
            "urn:schemas-upnp-org:device:WANConnectionDevice:%d" % v,
            "urn:schemas-upnp-org:service:WANIPConnection:%d" % v,
            "urn:schemas-upnp-org:service:WANIPConnection:1",
            "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1",
            uuid]
        if st == "ssdp:all":
            sts = ["upnp:rootdevice", igd_types[-1]]
        elif st in ok_types:
            sts = [st]
        else:
            sts = []
        host = (self.opts.elsewhere_addr if "ssdp-elsewhere" in modes
                else self.opts.addr)
        loc = "http://%s:%d/rootDesc.xml" % (host, self.http_port)
        igd = [self.answer(s, uuid if s == uuid else "%s::%s" % (uuid, s), loc)
               for s in sts]
        out = []
        if "ssdp-other-types" in modes:
            for i, kind in enumerate(OTHER_TYPES):
                t = "urn:schemas-upnp-org:device:" + kind
                out.append(self.answer(
                    t, "uuid:00000000-1111-2222-3333-%012d::%s" % (i, t),
                    "http://%s:%d/other/%s.xml" % (self.opts.addr,
                                                    self.http_port,
                                                    kind.split(":")[0])))
        if "ssdp-flood" in modes:
            rnd = _random.Random(1900)
            for i in range(3000):
                if i == 1500:
                    out += igd
                if i % 3 == 0:
                    t = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
                    u = "uuid:f100d000-0000-4000-8000-%012d" % i
                    l = "http://%s:%d/rootDesc.xml?n=%d" % (
                        self.opts.addr, self.http_port, i)
                else:
                    t = "urn:schemas-upnp-org:device:" + rnd.choice(OTHER_TYPES)
                    u = "uuid:f100d000-0000-4000-9000-%012d" % i
                    l = "http://%s:%d/other/%s.xml" % (
                        self.opts.addr, self.http_port,
                        t.rsplit(":", 2)[1])
                out.append(self.answer(t, "%s::%s" % (u, t), l))
            return out
        if "ssdp-many" in modes and sts:
            t = "urn:schemas-upnp-org:device:InternetGatewayDevice:%d" % v
            for k in range(SSDP_MANY):
                u = "uuid:7a11e5ee-0000-4000-8000-%012d" % k
                out.append(self.answer(t, "%s::%s" % (u, t),
                                       "http://%s:%d/rootDesc.xml?n=%d" % (
                                           self.opts.addr, self.http_port,
                                           k)))
            return out
        if "ssdp-flood-igds" in modes and sts:
            t = igd_types[-1]
            for k in range(1, 1501):
                u = "uuid:f100d000-0000-4000-a000-%012d" % k
                out.append(self.answer(t, "%s::%s" % (u, t),
                                       "%s?n=%d" % (loc, k)))
            return out + igd
        if "ssdp-dup" in modes:
            return out + igd * 20
        return out + igd


# --------------------------------------------------------------------------

def parse_modes(text):
    data, transport, ssdp = set(), [], set()
    for tok in filter(None, (t.strip() for t in text.split(","))):
        if tok.startswith("version="):
            v = tok[len("version="):]
            if not re.fullmatch(r"\d{1,2}\.\d{1,2}(\.\d{1,2})?", v):
                raise ValueError("bad version %r (X.Y.Z)" % v)
            global SERVER_HDR
            SERVER_HDR = "Linux/6.1 UPnP/1.1 MiniUPnPd/" + v
            continue
        name, _, scope = tok.partition(":")
        scope = scope or "all"
        if name in TRANSPORT_MODES:
            if scope not in SCOPES:
                raise ValueError("bad scope %r in %r (all, desc, soap)"
                                 % (scope, tok))
            transport.append((name, scope))
        elif scope != "all":
            raise ValueError("only transport modes take a scope: %r" % tok)
        elif name in DATA_MODES:
            data.add(name)
        elif name in SSDP_MODES:
            ssdp.add(name)
        else:
            raise ValueError("unknown mode %r; known: %s" % (name, ", ".join(
                sorted(TRANSPORT_MODES | DATA_MODES | SSDP_MODES))))
    return data, transport, ssdp


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="A misbehaving UPnP IGD on a loopback address.",
        epilog="Modes:\n" + __doc__.split("Modes", 1)[1].split("\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", default="good")
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--http-port", type=int, default=0)
    ap.add_argument("--ssdp", action="store_true")
    ap.add_argument("--ssdp-port", type=int, default=1900)
    ap.add_argument("--ssdp-multicast", action="store_true",
                    help="also answer multicast M-SEARCH on the interface "
                    "of --addr (only inside a test network namespace)")
    ap.add_argument("--elsewhere-addr", default="127.0.0.99")
    ap.add_argument("--ready-file")
    ap.add_argument("--log", help="non-read requests, one per line")
    ap.add_argument("--access-log", help="every request, one per line")
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--conn-seconds", type=float, default=120)
    opts = ap.parse_args(argv)

    if not opts.addr.startswith("127.") and not os.environ.get(
            "HOSTILE_ALLOW_NON_LOOPBACK"):
        ap.error("--addr must be a loopback address (127.0.0.0/8); set "
                 "HOSTILE_ALLOW_NON_LOOPBACK=1 inside a test network namespace")
    if opts.ssdp_multicast and (opts.addr.startswith("127.") or
                                not os.environ.get(
                                    "HOSTILE_ALLOW_NON_LOOPBACK")):
        ap.error("--ssdp-multicast needs a non-loopback --addr inside a "
                 "test network namespace (HOSTILE_ALLOW_NON_LOOPBACK=1)")
    if opts.ssdp_multicast:
        opts.ssdp = True
    try:
        socket.inet_aton(opts.addr)
        opts.data_modes, opts.transport_modes, opts.ssdp_modes = \
            parse_modes(opts.mode)
    except (OSError, ValueError) as e:
        ap.error(str(e))
    opts.conn_seconds = max(1.0, min(opts.conn_seconds, 120.0))
    if "ddwrt" in opts.data_modes:
        global SERVER_HDR
        SERVER_HDR = "Linux/2.4.37 UPnP/1.0 DD-WRT/v24"

    log = Log(opts.log)
    access = Log(opts.access_log)
    dev = Device(opts)
    http = HTTPServer(opts, dev, log, access)
    servers = [http]
    if opts.ssdp:
        servers.append(SSDPServer(opts, dev, http.port, access))
    url = "http://%s:%d/rootDesc.xml" % (opts.addr, http.port)

    for s in servers:
        threading.Thread(target=s.serve, daemon=True).start()
    if opts.ready_file:
        tmp = opts.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(url + "\n")
        os.replace(tmp, opts.ready_file)
    print(url, flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait(opts.max_seconds)
    for s in servers:
        s.stopping = True
    os._exit(0)


if __name__ == "__main__":
    main()
