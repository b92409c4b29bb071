/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of the igd module's pure parts: root descriptions (fixture
 * files with .expect files), SOAP answers, URL handling, the XML tokenizer.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "igd.h"
#include "ssdp.h"
#include "xml.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The fixture directories are pinned: every file listed in 'want' must be
 * present and checked, and no file may be there that the list lacks. */
static void
mark_fixture(const char *const *want, int *seen, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(want[i], name) == 0) {
			seen[i]++;
			return;
		}
	}
	ck_abort_msg("fixture %s is not in the test's list: add it", name);
}

static void
check_all_seen(const char *const *want, const int *seen, size_t n,
    size_t count)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(seen[i] == 1, "fixture %s missing", want[i]);
	ck_assert_uint_eq(count, n);
}

/* Check one description fixture against its .expect file. */
static void
check_desc(const char *name)
{
	char path[1024], base[HTTP_URL_MAX] = "", err[256] = "";
	char *xml, *exp, *line, *save = NULL;
	size_t len, elen, svc = 0;
	struct igd_device dev;
	int rc;

	snprintf(path, sizeof(path), "%s/desc/%s.expect", FIXTURES, name);
	exp = slurp(path, &elen);
	for (line = exp; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, "base=", 5) == 0) {
			size_t n = strcspn(line + 5, "\r\n");
			memcpy(base, line + 5, n);
			base[n] = '\0';
		}
	snprintf(path, sizeof(path), "%s/desc/%s.xml", FIXTURES, name);
	xml = slurp(path, &len);
	rc = igd_desc_parse(xml, len, base, &dev, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: parse failed: %s", name, err);

	for (line = strtok_r(exp, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *cr;
		const char *got = NULL;

		if ((cr = strchr(line, '\r')) != NULL)
			*cr = '\0';
		if (eq == NULL)
			continue;
		*eq = '\0';
		if (strcmp(line, "base") == 0)
			continue;
		if (strcmp(line, "service") == 0) {
			char want[512];

			ck_assert_msg(svc < dev.n_services, "%s: service %zu "
			    "missing (%zu parsed)", name, svc, dev.n_services);
			/* an optional " @W.C" pins the service's place in the
			 * device tree: WANDevice, WANConnectionDevice in it */
			if (strstr(eq + 1, " @") != NULL)
				snprintf(want, sizeof(want), "%s %s @%u.%u",
				    dev.services[svc].type,
				    dev.services[svc].control_url,
				    dev.services[svc].wan_device,
				    dev.services[svc].conn_device);
			else
				snprintf(want, sizeof(want), "%s %s",
				    dev.services[svc].type,
				    dev.services[svc].control_url);
			ck_assert_msg(strcmp(want, eq + 1) == 0,
			    "%s: service %zu: got '%s' want '%s'", name, svc,
			    want, eq + 1);
			svc++;
			continue;
		}
		if (!strcmp(line, "device_type")) got = dev.device_type;
		else if (!strcmp(line, "friendly_name")) got = dev.friendly_name;
		else if (!strcmp(line, "manufacturer")) got = dev.manufacturer;
		else if (!strcmp(line, "model_name")) got = dev.model_name;
		else if (!strcmp(line, "model_number")) got = dev.model_number;
		else if (!strcmp(line, "serial")) got = dev.serial;
		else if (!strcmp(line, "udn")) got = dev.udn;
		else if (!strcmp(line, "presentation_url")) got = dev.presentation_url;
		ck_assert_msg(got != NULL, "%s: unknown key %s", name, line);
		ck_assert_msg(strcmp(got, eq + 1) == 0, "%s: %s: got '%s' want '%s'",
		    name, line, got, eq + 1);
	}
	ck_assert_msg(svc == dev.n_services, "%s: %zu services parsed, %zu expected",
	    name, dev.n_services, svc);
	free(xml);
	free(exp);
}

START_TEST(desc_fixtures)
{
	char dir[1024];
	DIR *d;
	struct dirent *e;
	static const char *const want[] = {
		"actiontec-gt784wn", "avm-fritzbox-7430", "cisco-cga4131com",
		"ddwrt-v24-generic-x86", "dlink-dir890l", "linksys-wag200g",
		"miniupnpd-2.3.1-igd1", "miniupnpd-2.3.1-igd2",
		"netgear-r7500v2", "sagemcom-livebox3", "synthetic-entities",
		"synthetic-namespaces", "synthetic-relative-urls",
		"avm-fritzbox-7530-tr64", "google-onhub", "huawei-hg531-v1",
		"mikrotik-routeros-7.10", "pfsense-2.5.0", "technicolor-tg789ovn",
	};
	int seen[sizeof(want) / sizeof(*want)] = { 0 };
	size_t count = 0;

	snprintf(dir, sizeof(dir), "%s/desc", FIXTURES);
	d = opendir(dir);
	ck_assert(d != NULL);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char name[256];

		if (n < 8 || strcmp(e->d_name + n - 7, ".expect") != 0)
			continue;
		ck_assert(n - 7 < sizeof(name));
		memcpy(name, e->d_name, n - 7);
		name[n - 7] = '\0';
		mark_fixture(want, seen, sizeof(want) / sizeof(*want), name);
		check_desc(name);
		count++;
	}
	closedir(d);
	check_all_seen(want, seen, sizeof(want) / sizeof(*want), count);
}
END_TEST

START_TEST(desc_rejects_garbage)
{
	struct igd_device dev;
	char err[128];
	static const char *bad[] = {
		"", "not xml", "<root><device>", "<html><body>x</body></html>",
		"<root></wrong>", "<root attr='>'>", "\x01\x02\x03",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(igd_desc_parse(bad[i], strlen(bad[i]),
		    "http://10.0.0.1/", &dev, err, sizeof(err)) != 0,
		    "accepted bad[%zu]", i);
}
END_TEST

/* "<root>" + depth-1 nested "<a>" elements, all closed: a document whose
 * deepest element sits at exactly 'depth'.  Caller frees. */
static char *
nested_doc(int depth, size_t *len)
{
	size_t n = 16 + (size_t)depth * 7, pos = 0;
	char *buf = malloc(n);

	ck_assert(buf != NULL);
	memcpy(buf, "<root>", 6);
	pos = 6;
	for (int i = 1; i < depth; i++, pos += 3)
		memcpy(buf + pos, "<a>", 3);
	for (int i = 1; i < depth; i++, pos += 4)
		memcpy(buf + pos, "</a>", 4);
	memcpy(buf + pos, "</root>", 7);
	pos += 7;
	*len = pos;
	return buf;
}

START_TEST(desc_deep_nesting_bounded)
{
	/* the documented cap (xml.h) is 64 levels: a well-formed document
	 * exactly at the cap parses, one level more is refused, and so is a
	 * well-formed document far deeper */
	static const int cases[][2] = {
		{ XML_DEPTH_MAX, 0 }, { XML_DEPTH_MAX + 1, 1 }, { 200, 1 },
	};
	struct igd_device dev;
	char err[128];

	ck_assert_int_eq(XML_DEPTH_MAX, 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t len;
		char *buf = nested_doc(cases[i][0], &len);
		int rc;

		err[0] = '\0';
		rc = igd_desc_parse(buf, len, "http://10.0.0.1/", &dev, err,
		    sizeof(err));
		if (cases[i][1])
			ck_assert_msg(rc != 0, "depth %d accepted", cases[i][0]);
		else
			ck_assert_msg(rc == 0, "depth %d refused: %s",
			    cases[i][0], err);
		free(buf);
	}
}
END_TEST

START_TEST(soap_response)
{
	static const char ok[] =
	    "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"x\"><s:Body>"
	    "<u:GetStatusInfoResponse xmlns:u=\"y\">"
	    "<NewConnectionStatus>Connected</NewConnectionStatus>"
	    "<NewLastConnectionError>ERROR_NONE</NewLastConnectionError>"
	    "<NewUptime>12345</NewUptime>"
	    "</u:GetStatusInfoResponse></s:Body></s:Envelope>";
	struct igd_reply r;

	ck_assert_int_eq(igd_soap_parse(ok, strlen(ok), "GetStatusInfo", &r), 0);
	ck_assert_str_eq(igd_reply_get(&r, "NewConnectionStatus"), "Connected");
	ck_assert_str_eq(igd_reply_get(&r, "NewUptime"), "12345");
	ck_assert_ptr_null(igd_reply_get(&r, "Nope"));
	igd_reply_free(&r);
	/* a response for another action is not an answer */
	ck_assert_int_lt(igd_soap_parse(ok, strlen(ok), "GetExternalIPAddress",
	    &r), 0);
	igd_reply_free(&r);
}
END_TEST

START_TEST(soap_fault)
{
	static const char f[] =
	    "<s:Envelope xmlns:s=\"x\"><s:Body><s:Fault>"
	    "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>"
	    "<detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\">"
	    "<errorCode>713</errorCode>"
	    "<errorDescription>SpecifiedArrayIndexInvalid</errorDescription>"
	    "</UPnPError></detail></s:Fault></s:Body></s:Envelope>";
	struct igd_reply r;

	ck_assert_int_eq(igd_soap_parse(f, strlen(f),
	    "GetGenericPortMappingEntry", &r), 713);
	ck_assert_str_eq(r.error_desc, "SpecifiedArrayIndexInvalid");
	igd_reply_free(&r);
	ck_assert_str_ne(igd_strerror(713, NULL, 0), "");
	ck_assert_str_eq(igd_strerror(IGD_ETIMEOUT, NULL, 0), "timed out");
	/* a code without a name fills the caller's buffer (reentrant: two
	 * answers do not share one static buffer) */
	{
		char b1[IGD_STRERROR_MAX], b2[IGD_STRERROR_MAX];
		const char *s1 = igd_strerror(12345, b1, sizeof(b1));
		const char *s2 = igd_strerror(12346, b2, sizeof(b2));

		ck_assert_str_ne(s1, "");
		ck_assert_str_ne(s2, "");
		if (s1 == b1)
			ck_assert_str_eq(s1, "UPnP error 12345");
		if (s2 == b2)
			ck_assert_str_eq(s2, "UPnP error 12346");
		ck_assert_ptr_ne(s1, b2);
	}
}
END_TEST

START_TEST(soap_entities_and_cdata)
{
	static const char e[] =
	    "<s:Envelope><s:Body><u:GetXResponse>"
	    "<A>a &lt;b&gt; &amp; &#x41;&#66;</A>"
	    "<B><![CDATA[<p:x>1</p:x>]]></B>"
	    "<C>raw <inner>xml</inner> kept</C>"
	    "</u:GetXResponse></s:Body></s:Envelope>";
	struct igd_reply r;

	ck_assert_int_eq(igd_soap_parse(e, strlen(e), "GetX", &r), 0);
	ck_assert_str_eq(igd_reply_get(&r, "A"), "a <b> & AB");
	ck_assert_str_eq(igd_reply_get(&r, "B"), "<p:x>1</p:x>");
	ck_assert_str_eq(igd_reply_get(&r, "C"), "raw <inner>xml</inner> kept");
	igd_reply_free(&r);
}
END_TEST

START_TEST(soap_fixtures)
{
	/* every answer captured from miniupnpd in the lab:
	 * miniupnpd-2.3.1-<Action>[-variant].xml; a variant that is a number
	 * is the UPnP fault the answer carries, the rest are answers */
	static const char *const files[] = {
		"miniupnpd-2.3.1-GetCommonLinkProperties.xml",
		"miniupnpd-2.3.1-GetConnectionTypeInfo.xml",
		"miniupnpd-2.3.1-GetExternalIPAddress.xml",
		"miniupnpd-2.3.1-GetFirewallStatus.xml",
		"miniupnpd-2.3.1-GetGenericPortMappingEntry-0.xml",
		"miniupnpd-2.3.1-GetGenericPortMappingEntry-713.xml",
		"miniupnpd-2.3.1-GetGenericPortMappingEntry-igd1-0.xml",
		"miniupnpd-2.3.1-GetGenericPortMappingEntry-special.xml",
		"miniupnpd-2.3.1-GetListOfPortMappings-empty.xml",
		"miniupnpd-2.3.1-GetListOfPortMappings-igd1.xml",
		"miniupnpd-2.3.1-GetListOfPortMappings-udp.xml",
		"miniupnpd-2.3.1-GetListOfPortMappings.xml",
		"miniupnpd-2.3.1-GetNATRSIPStatus.xml",
		"miniupnpd-2.3.1-GetPortMappingNumberOfEntries-401.xml",
		"miniupnpd-2.3.1-GetSpecificPortMappingEntry-714.xml",
		"miniupnpd-2.3.1-GetSpecificPortMappingEntry-longdesc.xml",
		"miniupnpd-2.3.1-GetSpecificPortMappingEntry.xml",
		"miniupnpd-2.3.1-GetStatusInfo-igd1.xml",
		"miniupnpd-2.3.1-GetStatusInfo.xml",
		"miniupnpd-2.3.1-GetTotalBytesReceived.xml",
		"miniupnpd-2.3.1-GetTotalBytesSent.xml",
		"miniupnpd-2.3.1-GetTotalPacketsReceived.xml",
		"miniupnpd-2.3.1-GetTotalPacketsSent.xml",
	};
	int seen[sizeof(files) / sizeof(*files)] = { 0 };
	char dir[1024];
	DIR *d;
	struct dirent *e;
	size_t count = 0;

	snprintf(dir, sizeof(dir), "%s/soap", FIXTURES);
	d = opendir(dir);
	ck_assert(d != NULL);
	while ((e = readdir(d)) != NULL) {
		static const char pfx[] = "miniupnpd-2.3.1-";
		char action[64], path[1400], *buf;
		const char *p, *dash;
		size_t len, alen;
		int want = 0, rc;
		struct igd_reply r;

		if (e->d_name[0] == '.')
			continue;
		mark_fixture(files, seen, sizeof(files) / sizeof(*files),
		    e->d_name);
		ck_assert_msg(strncmp(e->d_name, pfx, sizeof(pfx) - 1) == 0,
		    "%s: not named %s<Action>...", e->d_name, pfx);
		p = e->d_name + sizeof(pfx) - 1;
		alen = strcspn(p, "-.");
		ck_assert(alen < sizeof(action));
		memcpy(action, p, alen);
		action[alen] = '\0';
		dash = p[alen] == '-' ? p + alen + 1 : NULL;
		if (dash != NULL && dash[0] >= '0' && dash[0] <= '9' &&
		    strspn(dash, "0123456789") == 3)
			want = (dash[0] - '0') * 100 + (dash[1] - '0') * 10 +
			    (dash[2] - '0');
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		buf = slurp(path, &len);
		rc = igd_soap_parse(buf, len, action, &r);
		ck_assert_msg(rc == want, "%s: igd_soap_parse gave %d, want %d",
		    e->d_name, rc, want);
		if (want == 0)
			ck_assert_msg(r.n > 0, "%s: no arguments", e->d_name);
		igd_reply_free(&r);
		free(buf);
		count++;
	}
	closedir(d);
	check_all_seen(files, seen, sizeof(files) / sizeof(*files), count);
}
END_TEST

START_TEST(url_parse_and_resolve)
{
	struct http_url u;
	char out[HTTP_URL_MAX];

	ck_assert_int_eq(http_url_parse("http://10.0.0.1:5000/rootDesc.xml", &u), 0);
	ck_assert_str_eq(u.host, "10.0.0.1");
	ck_assert_str_eq(u.port, "5000");
	ck_assert_str_eq(u.path, "/rootDesc.xml");
	ck_assert_int_eq(http_url_parse("http://[fe80::1]:80", &u), 0);
	ck_assert_str_eq(u.host, "fe80::1");
	ck_assert_str_eq(u.path, "/");
	ck_assert_int_ne(http_url_parse("https://10.0.0.1/", &u), 0);
	ck_assert_int_ne(http_url_parse("http://10.0.0.1:0/", &u), 0);
	ck_assert_int_ne(http_url_parse("http://10.0.0.1:65536/", &u), 0);
	ck_assert_int_ne(http_url_parse("http://user@10.0.0.1/", &u), 0);
	ck_assert_int_ne(http_url_parse("http:///x", &u), 0);
	ck_assert_int_ne(http_url_parse("http://10.0.0.1/a b", &u), 0);

	ck_assert_int_eq(http_url_resolve("http://1.2.3.4:5/a/b.xml", "/ctl",
	    out, sizeof(out)), 0);
	ck_assert_str_eq(out, "http://1.2.3.4:5/ctl");
	ck_assert_int_eq(http_url_resolve("http://1.2.3.4:5/a/b.xml", "ctl",
	    out, sizeof(out)), 0);
	ck_assert_str_eq(out, "http://1.2.3.4:5/a/ctl");
	ck_assert_int_eq(http_url_resolve("http://1.2.3.4:5/a/b.xml",
	    "http://9.9.9.9:1/x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "http://9.9.9.9:1/x");
}
END_TEST

START_TEST(http_head_and_chunks)
{
	struct http_head h;
	static const char head[] = "HTTP/1.1 200 OK\r\nServer: MiniUPnPd/2.3.1\r\n"
	    "Content-Length: 12\r\n\r\nbody";
	char ch[] = "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n";
	char absurd[] = "FFFFFFFFFFFFFFFF\r\nx";
	char nonhex[] = "zz\r\nx";
	size_t olen = 0;

	ck_assert_int_eq(http_parse_head(head, sizeof(head) - 1, &h), 1);
	ck_assert_int_eq(h.status, 200);
	ck_assert_int_eq(h.content_length, 12);
	ck_assert_str_eq(h.server, "MiniUPnPd/2.3.1");
	ck_assert_int_eq(http_parse_head(head, 10, &h), 0);
	ck_assert_int_lt(http_parse_head("SSH-2.0\r\n\r\n", 11, &h), 0);
	ck_assert_int_eq(http_dechunk(ch, strlen(ch), &olen), 1);
	ck_assert_int_eq(olen, 11);
	ck_assert(memcmp(ch, "hello world", 11) == 0);
	ck_assert_int_lt(http_dechunk(absurd, strlen(absurd), &olen), 0);
	ck_assert_int_lt(http_dechunk(nonhex, strlen(nonhex), &olen), 0);
}
END_TEST

START_TEST(xml_decode)
{
	char out[32];
	size_t n = 0;

	ck_assert_int_eq(xml_decode_append(out, sizeof(out), &n,
	    "&lt;&#233;&#xe9;&bogus;&", 24, 0), 0);
	ck_assert_str_eq(out, "<\xc3\xa9\xc3\xa9&bogus;&");
	n = 0;
	ck_assert_int_eq(xml_decode_append(out, sizeof(out), &n, "&#0;&#xD800;", 12, 0), 0);
	ck_assert_str_eq(out, "??");
	n = 0;
	ck_assert_int_eq(xml_decode_append(out, 4, &n, "abcdef", 6, 0), 1);
	ck_assert_str_eq(out, "abc");	/* cut, not dropped */
	n = 0;
	/* a cut never splits a character: "ab" + e-acute needs 4 bytes */
	ck_assert_int_eq(xml_decode_append(out, 4, &n, "ab\xc3\xa9", 4, 0), 1);
	ck_assert_str_eq(out, "ab");
	n = 0;
	ck_assert_int_eq(xml_decode_append(out, 4, &n, "abcdef", 6, 1), 1);
	ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(query_only)
{
	struct igd_service svc;
	struct igd_reply r;
	struct deadline dl;
	char err[128];

	memset(&svc, 0, sizeof(svc));
	snprintf(svc.type, sizeof(svc.type), "urn:schemas-upnp-org:service:WANIPConnection:1");
	snprintf(svc.control_url, sizeof(svc.control_url), "http://127.0.0.1:9/ctl");
	deadline_init(&dl, 100);
	ck_assert_int_eq(igd_soap_call(&svc, "AddPortMapping", NULL, 1000, &dl,
	    &r, err, sizeof(err)), IGD_EADDRESS);
	ck_assert_int_eq(igd_soap_call(&svc, "DeletePortMapping", NULL, 1000, &dl,
	    &r, err, sizeof(err)), IGD_EADDRESS);
}
END_TEST

START_TEST(address_classes)
{
	static const struct { const char *a; enum igd_addr_class c; } cases[] = {
		{ "11.22.33.44", IGD_ADDR_PUBLIC },
		{ " 8.8.8.8 ", IGD_ADDR_PUBLIC },
		{ "10.0.0.1", IGD_ADDR_PRIVATE },
		{ "172.16.0.1", IGD_ADDR_PRIVATE },
		{ "172.31.255.255", IGD_ADDR_PRIVATE },
		{ "172.32.0.1", IGD_ADDR_PUBLIC },
		{ "172.15.255.255", IGD_ADDR_PUBLIC },
		{ "192.168.1.1", IGD_ADDR_PRIVATE },
		{ "100.64.0.1", IGD_ADDR_SHARED },
		{ "100.127.255.255", IGD_ADDR_SHARED },
		{ "100.128.0.0", IGD_ADDR_PUBLIC },
		{ "100.63.255.255", IGD_ADDR_PUBLIC },
		{ "169.254.1.1", IGD_ADDR_RESERVED },
		{ "127.0.0.1", IGD_ADDR_RESERVED },
		{ "192.0.2.7", IGD_ADDR_RESERVED },
		{ "0.0.0.0", IGD_ADDR_UNSET },
		{ "", IGD_ADDR_UNSET },
		{ "2001:db8::1", IGD_ADDR_RESERVED },
		{ "fd00::1", IGD_ADDR_PRIVATE },
		{ "2a00:1450::1", IGD_ADDR_PUBLIC },
		{ "::", IGD_ADDR_UNSET },
		{ "300.1.1.1", IGD_ADDR_INVALID },
		{ "router", IGD_ADDR_INVALID },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		ck_assert_msg(igd_addr_classify(cases[i].a) == cases[i].c,
		    "%s: got %d want %d", cases[i].a,
		    igd_addr_classify(cases[i].a), cases[i].c);
}
END_TEST

START_TEST(listing_parse)
{
	static const char ok[] =
	    "<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\">"
	    "<p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost>"
	    "<p:NewExternalPort>8080</p:NewExternalPort><p:NewProtocol>tcp</p:NewProtocol>"
	    "<p:NewInternalPort>80</p:NewInternalPort><p:NewInternalClient>10.0.0.2</p:NewInternalClient>"
	    "<p:NewEnabled>1</p:NewEnabled><p:NewDescription>a &amp; b | c</p:NewDescription>"
	    "<p:NewLeaseTime>0</p:NewLeaseTime></p:PortMappingEntry>"
	    "<p:PortMappingEntry><p:NewExternalPort>53</p:NewExternalPort>"
	    "<p:NewProtocol>UDP</p:NewProtocol><p:NewInternalPort>53</p:NewInternalPort>"
	    "<p:NewInternalClient>10.0.0.3</p:NewInternalClient><p:NewEnabled>0</p:NewEnabled>"
	    "<p:NewDescription><![CDATA[dns <x>]]></p:NewDescription>"
	    "<p:NewLeaseTime>3600</p:NewLeaseTime></p:PortMappingEntry></p:PortMappingList>";
	struct igd_table t;
	size_t added;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(igd_listing_parse(ok, strlen(ok), 1, &t, &added), 0);
	ck_assert_uint_eq(added, 2);
	ck_assert_str_eq(t.m[0].protocol, "TCP");
	ck_assert_uint_eq(t.m[0].external_port, 8080);
	ck_assert_str_eq(t.m[0].description, "a & b | c");
	ck_assert_int_eq(t.m[0].lease, 0);
	ck_assert_str_eq(t.m[1].description, "dns <x>");
	ck_assert_int_eq(t.m[1].enabled, 0);
	ck_assert_int_eq(t.m[1].lease, 3600);
	/* a truncated listing keeps what came before the fault */
	ck_assert_int_eq(igd_listing_parse(ok, strlen(ok) - 60, 2, &t, &added),
	    IGD_EPROTOCOL);
	ck_assert_uint_eq(added, 1);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_uint_eq(t.m[2].service, 2);
	/* empty list, not a list, bad port, bad protocol */
	ck_assert_int_eq(igd_listing_parse("<PortMappingList/>", 18, 1, &t,
	    &added), 0);
	ck_assert_uint_eq(added, 0);
	ck_assert_int_lt(igd_listing_parse("<html/>", 7, 1, &t, &added), 0);
	ck_assert_int_lt(igd_listing_parse("<PortMappingList><PortMappingEntry>"
	    "<NewExternalPort>70000</NewExternalPort></PortMappingEntry>"
	    "</PortMappingList>", 107, 1, &t, &added), 0);
	ck_assert_int_lt(igd_listing_parse("<PortMappingList><PortMappingEntry>"
	    "<NewProtocol>SCTP</NewProtocol></PortMappingEntry>"
	    "</PortMappingList>", 95, 1, &t, &added), 0);
	/* an entry without its client or internal port is malformed */
	ck_assert_int_lt(igd_listing_parse("<PortMappingList><PortMappingEntry>"
	    "<NewProtocol>TCP</NewProtocol><NewExternalPort>80</NewExternalPort>"
	    "</PortMappingEntry></PortMappingList>", 120, 1, &t, &added), 0);
	igd_table_free(&t);
	{
		/* a 20 000-byte description keeps its beginning, cut to the
		 * cap, so description rules still see it */
		static const char head[] = "<PortMappingList><PortMappingEntry>"
		    "<NewProtocol>TCP</NewProtocol><NewExternalPort>80"
		    "</NewExternalPort><NewInternalPort>80</NewInternalPort>"
		    "<NewInternalClient>10.0.0.2</NewInternalClient>"
		    "<NewDescription>galleta silenciosa ";
		static const char tail[] = "</NewDescription></PortMappingEntry>"
		    "</PortMappingList>";
		size_t len = sizeof(head) - 1 + 20000 + sizeof(tail) - 1;
		char *doc = malloc(len + 1);

		ck_assert_ptr_nonnull(doc);
		memcpy(doc, head, sizeof(head) - 1);
		memset(doc + sizeof(head) - 1, 'x', 20000);
		memcpy(doc + sizeof(head) - 1 + 20000, tail, sizeof(tail));
		memset(&t, 0, sizeof(t));
		ck_assert_int_eq(igd_listing_parse(doc, len, 1, &t, &added), 0);
		ck_assert_uint_eq(added, 1);
		ck_assert(strncmp(t.m[0].description, "galleta silenciosa ",
		    19) == 0);
		ck_assert_uint_gt(strlen(t.m[0].description), 8000);
		ck_assert_uint_lt(strlen(t.m[0].description), 16384);
		igd_table_free(&t);
		free(doc);
	}
}
END_TEST

START_TEST(listing_fixtures)
{
	/* miniupnpd's own GetListOfPortMappings answers, through the SOAP
	 * parser and then the listing parser */
	char path[1024], *buf;
	size_t len, added = 0;
	struct igd_reply r;
	struct igd_table t;
	const char *listing;

	snprintf(path, sizeof(path), "%s/soap/miniupnpd-2.3.1-GetListOfPortMappings.xml",
	    FIXTURES);
	buf = slurp(path, &len);	/* a missing fixture fails, never skips */
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(igd_soap_parse(buf, len, "GetListOfPortMappings", &r), 0);
	listing = igd_reply_get(&r, "NewPortListing");
	ck_assert_ptr_nonnull(listing);
	ck_assert_int_eq(igd_listing_parse(listing, strlen(listing), 1, &t,
	    &added), 0);
	ck_assert_uint_gt(added, 0);
	igd_reply_free(&r);
	igd_table_free(&t);
	free(buf);
}
END_TEST

START_TEST(ssdp_answers)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n"
	    "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
	    "USN: uuid:ab86a1e1-ef70::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
	    "EXT:\r\nSERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.1\r\n"
	    "location:  http://10.0.0.1:5000/rootDesc.xml \r\n\r\n";
	static const char media[] = "HTTP/1.1 200 OK\r\n"
	    "ST: urn:schemas-upnp-org:device:MediaServer:1\r\n"
	    "LOCATION: http://10.0.0.1:8200/desc.xml\r\n\r\n";
	struct ssdp_answer a;
	struct ssdp_search s;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(ssdp_parse(ok, sizeof(ok) - 1, &a), 0);
	ck_assert_str_eq(a.location, "http://10.0.0.1:5000/rootDesc.xml");
	ck_assert_str_eq(a.server, "Debian/12 UPnP/1.1 MiniUPnPd/2.3.1");
	ck_assert_int_eq(ssdp_is_igd(&a), 1);
	snprintf(a.sender, sizeof(a.sender), "10.0.0.1");
	ck_assert_int_eq(ssdp_location_is_sender(&a), 1);
	snprintf(a.sender, sizeof(a.sender), "10.0.0.66");
	ck_assert_int_eq(ssdp_location_is_sender(&a), 0);

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ssdp_is_wanted(&s, &a), 1);
	s.want_udn = "uuid:ab86a1e1-ef70";
	ck_assert_int_eq(ssdp_is_wanted(&s, &a), 1);
	s.want_udn = "uuid:ab86a1e1-ef";		/* a prefix is not the UDN */
	ck_assert_int_eq(ssdp_is_wanted(&s, &a), 0);
	s.want_udn = NULL;
	s.want_location = "http://10.0.0.1:5000/rootDesc.xml";
	ck_assert_int_eq(ssdp_is_wanted(&s, &a), 1);
	s.want_location = "http://10.0.0.2:5000/rootDesc.xml";
	ck_assert_int_eq(ssdp_is_wanted(&s, &a), 0);

	ck_assert_int_eq(ssdp_parse(media, sizeof(media) - 1, &a), 0);
	ck_assert_int_eq(ssdp_is_igd(&a), 0);
	ck_assert_int_lt(ssdp_parse("NOTIFY * HTTP/1.1\r\n\r\n", 21, &a), 0);
	ck_assert_int_lt(ssdp_parse("HTTP/1.1 200 OK\r\nST: x\r\n\r\n", 28, &a), 0);
	ck_assert_int_lt(ssdp_parse("", 0, &a), 0);
}
END_TEST

/* A device must not smuggle header lines through its service type, nor send
 * the monitor's requests to another host through URLBase or controlURL. */
START_TEST(desc_refuses_smuggling)
{
	static const char *const bad[] = {
		/* a service type carrying a second action and a header line */
		"<root><device><deviceType>urn:schemas-upnp-org:device:"
		"InternetGatewayDevice:2</deviceType><serviceList><service>"
		"<serviceType>urn:schemas-upnp-org:service:WANIPConnection:2"
		"#DeletePortMappingRange&#13;&#10;X-A: b</serviceType>"
		"<controlURL>/ctl</controlURL></service></serviceList>"
		"</device></root>",
		/* URLBase on another host */
		"<root><URLBase>http://10.9.9.9:5000/</URLBase><device>"
		"<serviceList><service><serviceType>urn:schemas-upnp-org:service:"
		"WANIPConnection:1</serviceType><controlURL>/ctl</controlURL>"
		"</service></serviceList></device></root>",
		/* an absolute control URL on another host */
		"<root><device><serviceList><service><serviceType>"
		"urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
		"<controlURL>http://10.9.9.9:5000/ctl</controlURL></service>"
		"</serviceList></device></root>",
	};
	struct igd_device dev;
	struct igd_service svc;
	struct igd_reply r;
	struct deadline dl;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ck_assert_int_eq(igd_desc_parse(bad[i], strlen(bad[i]),
		    "http://10.0.0.1:5000/rootDesc.xml", &dev, err,
		    sizeof(err)), 0);
		ck_assert_msg(dev.n_services == 0, "bad[%zu]: %zu services kept",
		    i, dev.n_services);
		/* the first is not even a service type; the others are
		 * WAN services dropped for their host */
		if (i > 0) {
			ck_assert_uint_eq(dev.services_dropped, 1);
			/* and named, with the reason */
			ck_assert_msg(strstr(dev.dropped[0], "WANIPConnection:1 "
			    "at http://10.9.9.9:5000/") != NULL &&
			    strstr(dev.dropped[0], "another host") != NULL,
			    "bad[%zu]: dropped as '%s'", i, dev.dropped[0]);
		}
	}
	/* and the HTTP layer refuses a header value with a line break */
	memset(&svc, 0, sizeof(svc));
	snprintf(svc.type, sizeof(svc.type), "urn:x:service:y:1\r\nX: 1");
	snprintf(svc.control_url, sizeof(svc.control_url), "http://127.0.0.1:9/");
	deadline_init(&dl, 100);
	ck_assert_int_eq(igd_soap_call(&svc, "GetStatusInfo", NULL, 1000, &dl,
	    &r, err, sizeof(err)), IGD_EADDRESS);
}
END_TEST

/* Parse a fixture with the base its .expect file names. */
static void
parse_fixture(const char *name, struct igd_device *dev)
{
	char path[1024], base[HTTP_URL_MAX] = "", err[256] = "", *exp, *b;
	char *xml;
	size_t len, elen;

	snprintf(path, sizeof(path), "%s/desc/%s.expect", FIXTURES, name);
	exp = slurp(path, &elen);
	b = strstr(exp, "base=");
	ck_assert(b != NULL);
	b += 5;
	len = strcspn(b, "\r\n");
	memcpy(base, b, len);
	snprintf(path, sizeof(path), "%s/desc/%s.xml", FIXTURES, name);
	xml = slurp(path, &len);
	ck_assert_msg(igd_desc_parse(xml, len, base, dev, err, sizeof(err)) == 0,
	    "%s: %s", name, err);
	free(xml);
	free(exp);
}

/* Labels follow the device tree; the kind of device is told honestly. */
START_TEST(desc_tree_and_kind)
{
	static const struct {
		const char *name, *kind, *labels;
		unsigned wans;
	} cases[] = {
		/* two WANDevices: the second one's connection is IP2.1 */
		{ "mikrotik-routeros-7.10", "IGD:1", "WAN1.0 IP1.1 WAN2.0 IP2.1",
		    2 },
		/* TR-064 namespace, PPP only */
		{ "huawei-hg531-v1", "TR-064 IGD", "WAN1.0 PPP1.1", 1 },
		/* TR-064, PPP and IP in one connection device */
		{ "avm-fritzbox-7530-tr64", "TR-064 IGD",
		    "WAN1.0 PPP1.1 IP1.1", 1 },
		{ "technicolor-tg789ovn", "IGD:1", "WAN1.0 PPP1.1", 1 },
		{ "google-onhub", "IGD:2", "WAN1.0 IP1.1", 1 },
		{ "ddwrt-v24-generic-x86", "IGD:1", "WAN1.0 IP1.1 PPP1.1", 1 },
		{ "synthetic-relative-urls", "IGD:1",
		    "WAN1.0 IP1.1 PPP1.2 IP1.2 WAN1.2", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct igd_device *dev = malloc(sizeof(*dev));
		char kind[32], labels[256] = "", l[32];

		ck_assert(dev != NULL);
		parse_fixture(cases[i].name, dev);
		igd_device_kind(dev, kind, sizeof(kind));
		ck_assert_msg(strcmp(kind, cases[i].kind) == 0, "%s: kind %s",
		    cases[i].name, kind);
		for (size_t k = 0; k < dev->n_services; k++) {
			igd_service_label(&dev->services[k], l, sizeof(l));
			if (k > 0)
				strncat(labels, " ", sizeof(labels) -
				    strlen(labels) - 1);
			strncat(labels, l, sizeof(labels) - strlen(labels) - 1);
		}
		ck_assert_msg(strcmp(labels, cases[i].labels) == 0,
		    "%s: labels '%s'", cases[i].name, labels);
		ck_assert_uint_eq(dev->wan_devices, cases[i].wans);
		ck_assert_uint_eq(dev->services_dropped, 0);
		free(dev);
	}
}
END_TEST

/* More WAN services than the cap: each one over it is counted and the first
 * few named, never silently lost. */
START_TEST(desc_services_over_cap)
{
	char *xml = malloc(200000), err[128];
	struct igd_device *dev = malloc(sizeof(*dev));
	size_t pos = 0;

	ck_assert(xml != NULL && dev != NULL);
	pos += (size_t)snprintf(xml + pos, 200000 - pos, "<root><device>"
	    "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1"
	    "</deviceType><deviceList><device><deviceType>urn:schemas-upnp-org:"
	    "device:WANDevice:1</deviceType><deviceList>");
	for (int k = 0; k < IGD_SERVICES_MAX + 5; k++)
		pos += (size_t)snprintf(xml + pos, 200000 - pos, "<device>"
		    "<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1"
		    "</deviceType><serviceList><service><serviceType>"
		    "urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType>"
		    "<controlURL>/ppp%d</controlURL></service></serviceList>"
		    "</device>", k);
	pos += (size_t)snprintf(xml + pos, 200000 - pos, "</deviceList></device>"
	    "</deviceList></device></root>");
	ck_assert_int_eq(igd_desc_parse(xml, pos, "http://10.0.0.1/d.xml", dev,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(dev->n_services, IGD_SERVICES_MAX);
	ck_assert_uint_eq(dev->services_dropped, 5);
	ck_assert_msg(strstr(dev->dropped[0], "/ppp32") != NULL &&
	    strstr(dev->dropped[0], "over the cap") != NULL, "dropped '%s'",
	    dev->dropped[0]);
	ck_assert_uint_eq(dev->services[IGD_SERVICES_MAX - 1].conn_device,
	    IGD_SERVICES_MAX);
	free(xml);
	free(dev);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("igd");
	TCase *tc = tcase_create("parsers");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, desc_fixtures);
	tcase_add_test(tc, desc_rejects_garbage);
	tcase_add_test(tc, desc_tree_and_kind);
	tcase_add_test(tc, desc_services_over_cap);
	tcase_add_test(tc, desc_refuses_smuggling);
	tcase_add_test(tc, desc_deep_nesting_bounded);
	tcase_add_test(tc, soap_response);
	tcase_add_test(tc, soap_fault);
	tcase_add_test(tc, soap_entities_and_cdata);
	tcase_add_test(tc, soap_fixtures);
	tcase_add_test(tc, url_parse_and_resolve);
	tcase_add_test(tc, http_head_and_chunks);
	tcase_add_test(tc, xml_decode);
	tcase_add_test(tc, query_only);
	tcase_add_test(tc, address_classes);
	tcase_add_test(tc, ssdp_answers);
	tcase_add_test(tc, listing_parse);
	tcase_add_test(tc, listing_fixtures);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
