/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/table.c: saved port-mapping tables.  Round trips of
 * hostile strings (byte for byte), the exact text of a small table, what a
 * hand-edited table may look like, every refusal of the loader with its
 * line and column, the refusals of the saver, and a full-size table saved
 * and loaded (timed, printed, not asserted).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "table.h"

static char tmpdir[256];
static char errbuf[1024];

static void setup(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int n = snprintf(tmpdir, sizeof(tmpdir), "%s/test_table.XXXXXX",
	    base);

	ck_assert(n > 0 && (size_t)n < sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char p[512];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			int n;

			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			n = snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
			if (n > 0 && (size_t)n < sizeof(p))
				unlink(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
}

/* tmpdir/name into buf. */
static const char *tpath(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", tmpdir, name);

	ck_assert(n > 0 && (size_t)n < len);
	return buf;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The whole file at path, NUL-terminated; *len set. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long sz;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	ck_assert(sz >= 0);
	rewind(f);
	buf = malloc((size_t)sz + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	buf[sz] = '\0';
	fclose(f);
	*len = (size_t)sz;
	return buf;
}

/* A mapping with fixed strings copied in and a description to copy. */
static struct igd_mapping mapping(const char *proto, unsigned ext,
    const char *client, unsigned in)
{
	struct igd_mapping m;

	memset(&m, 0, sizeof(m));
	ck_assert_uint_lt(strlen(proto), sizeof(m.protocol));
	memcpy(m.protocol, proto, strlen(proto) + 1);
	m.external_port = ext;
	ck_assert_uint_lt(strlen(client), sizeof(m.internal_client));
	memcpy(m.internal_client, client, strlen(client) + 1);
	m.internal_port = in;
	m.enabled = 1;
	m.service = 1;
	return m;
}

/* Append m to t with description desc (copied). */
static void add(struct igd_table *t, struct igd_mapping *m, const char *desc)
{
	char *d = strdup(desc);

	ck_assert_ptr_nonnull(d);
	m->description = d;
	ck_assert_int_eq(igd_table_add(t, m), 0);
	m->description = NULL;
	free(d);
}

/* Save t to tmpdir/name and load it back into *back; asserts both work. */
static void round_trip(const struct igd_table *t, const char *name,
    struct igd_table *back)
{
	char p[512];

	tpath(p, sizeof(p), name);
	ck_assert_msg(table_save(p, t, "http://x/", "uuid:x", errbuf,
	    sizeof(errbuf)) == 0, "save: %s", errbuf);
	ck_assert_msg(table_load(p, back, errbuf, sizeof(errbuf)) == 0,
	    "load: %s", errbuf);
}

static void assert_same_mapping(const struct igd_mapping *a,
    const struct igd_mapping *b)
{
	ck_assert_str_eq(a->protocol, b->protocol);
	ck_assert_uint_eq(a->external_port, b->external_port);
	ck_assert_uint_eq(a->internal_port, b->internal_port);
	ck_assert_str_eq(a->internal_client, b->internal_client);
	ck_assert_str_eq(a->remote_host, b->remote_host);
	ck_assert_int_eq(a->enabled, b->enabled);
	ck_assert_int_eq(a->lease, b->lease);
	ck_assert_uint_eq(a->service, b->service);
	ck_assert_ptr_nonnull(b->description);
	ck_assert_uint_eq(strlen(a->description), strlen(b->description));
	ck_assert(memcmp(a->description, b->description,
	    strlen(a->description)) == 0);
}

/* ------------------------------------------------------------------ */
/* round trips */

/* Descriptions a device may send; NULL text: built at run time. */
static const struct {
	const char *name;
	const char *text;
} nasty[] = {
	{ "empty", "" },
	{ "pipe", "web | rta=1ms;2;3 'x'=5" },
	{ "quotes", "\"double\" 'single' `back` \\\" \\\\ \\x41 \\u0041" },
	{ "fake status line",
	    "ok\nIGD PORTMAP CRITICAL - pwned | x=1\r\nmore\n" },
	{ "escape sequence", "\x1b[31mred\x1b[0m\x07\x08\x7f" },
	{ "invalid utf-8", "\xff\xfe\x80 abc \xc3 \xe2\x82 \xf0\x9f\x98" },
	{ "overlong and surrogate", "\xc0\xaf \xe0\x80\xaf \xed\xa0\x80 "
	    "\xf4\x90\x80\x80 \xf8\x88\x80\x80\x80" },
	{ "valid utf-8", "Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x98\x80 "
	    "\xe4\xb8\xad\xe6\x96\x87" },
	{ "stand-in range", "\xee\xbe\x80 \xee\xbf\xbf \xee\xbe\xbf" },
	{ "yaml breakers", "U+0085 \xc2\x85 U+2028 \xe2\x80\xa8 U+2029 "
	    "\xe2\x80\xa9 BOM \xef\xbb\xbf U+FFFE \xef\xbf\xbe U+FFFF "
	    "\xef\xbf\xbf C1 \xc2\x80\xc2\x9f NBSP \xc2\xa0" },
	{ "yaml syntax", "- item\n? key\n: value\n--- \n...\n# comment\n"
	    "&anchor *alias !!tag {a: b} [c] %YAML" },
	{ "whitespace", "  lead and trail  \t\t" },
	{ "words", "null" },
	{ "every byte", NULL },
	{ "5000 chars", NULL },
	{ "5000 mixed", NULL },
};

/* The text of nasty[i] into a new allocation. */
static char *nasty_text(int i)
{
	char *s;
	size_t k;

	if (nasty[i].text != NULL) {
		s = strdup(nasty[i].text);
		ck_assert_ptr_nonnull(s);
		return s;
	}
	s = malloc(5001);
	ck_assert_ptr_nonnull(s);
	if (strcmp(nasty[i].name, "every byte") == 0) {
		for (k = 0; k < 255; k++)
			s[k] = (char)(k + 1);
		s[255] = '\0';
	} else if (strcmp(nasty[i].name, "5000 chars") == 0) {
		memset(s, 'a', 5000);
		s[5000] = '\0';
	} else {
		/* every byte value 1..255, many times over, in an order that
		 * makes odd neighbours */
		for (k = 0; k < 5000; k++)
			s[k] = (char)(1 + (k * 37 + k / 255) % 255);
		s[5000] = '\0';
	}
	return s;
}

START_TEST(round_trip_nasty)
{
	struct igd_table t, back;
	struct igd_mapping m = mapping("TCP", 8080, "10.0.0.2", 80);
	char *text = nasty_text(_i), p[512], *file;
	size_t len, k, lines = 0;

	memset(&t, 0, sizeof(t));
	add(&t, &m, text);
	t.complete = 1;
	round_trip(&t, "t.yaml", &back);
	ck_assert_uint_eq(back.n, 1);
	ck_assert_msg(strlen(back.m[0].description) == strlen(text) &&
	    memcmp(back.m[0].description, text, strlen(text)) == 0,
	    "%s: description changed", nasty[_i].name);
	assert_same_mapping(&t.m[0], &back.m[0]);

	/* One line per key whatever the text: no raw newline, no control
	 * byte, so nothing can pose as a status line. */
	file = slurp(tpath(p, sizeof(p), "t.yaml"), &len);
	for (k = 0; k < len; k++) {
		unsigned char b = (unsigned char)file[k];

		if (b == '\n')
			lines++;
		else
			ck_assert_msg(b >= 0x20 && b != 0x7f,
			    "%s: raw byte %02x in the file", nasty[_i].name, b);
	}
	ck_assert_uint_eq(lines, 7 + 9);
	free(file);
	free(text);
	igd_table_free(&t);
	igd_table_free(&back);
}
END_TEST

/* A small deterministic generator (xorshift32). */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random bytes 1..255, biased towards the ones that need escaping. */
static void rnd_text(char *s, size_t n)
{
	static const char hot[] = "\"\\\n\r\t\x1b\x7f\x80\xbe\xbf\xc2\xc3"
	    "\xe2\xee\xef\xf0\xff :#-|";
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t r = rnd();

		s[i] = (r & 1) ? hot[(r >> 1) % (sizeof(hot) - 1)] :
		    (char)(1 + (r >> 8) % 255);
	}
	s[n] = '\0';
}

START_TEST(round_trip_random)
{
	struct igd_table t, back;
	char desc[400];
	size_t i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < 2000; i++) {
		struct igd_mapping m = mapping(i % 2 ? "UDP" : "TCP",
		    1 + (unsigned)(rnd() % 65535), "", 1 + (unsigned)(rnd() %
		    65535));

		rnd_text(m.internal_client, rnd() % sizeof(m.internal_client));
		rnd_text(m.remote_host, rnd() % sizeof(m.remote_host));
		m.lease = (int64_t)(rnd() % 3 == 0 ? 0 : rnd());
		m.enabled = (int)(rnd() & 1);
		m.service = 1 + (unsigned)(rnd() % IGD_SERVICES_MAX);
		rnd_text(desc, rnd() % (sizeof(desc) - 1));
		add(&t, &m, desc);
	}
	rnd_text(t.external_address, sizeof(t.external_address) - 1);
	t.complete = 0;
	round_trip(&t, "r.yaml", &back);
	ck_assert_uint_eq(back.n, t.n);
	ck_assert_int_eq(back.complete, 0);
	ck_assert_str_eq(back.external_address, t.external_address);
	for (i = 0; i < t.n; i++)
		assert_same_mapping(&t.m[i], &back.m[i]);
	igd_table_free(&t);
	igd_table_free(&back);
}
END_TEST

START_TEST(round_trip_fields)
{
	struct igd_table t, back;
	struct igd_mapping m = mapping("UDP", 65535, "fe80::1%eth0", 1);
	char p[512];

	memset(&t, 0, sizeof(t));
	memcpy(m.remote_host, "198.51.100.7", sizeof("198.51.100.7"));
	m.lease = INT64_MAX;
	m.enabled = 0;
	m.service = IGD_SERVICES_MAX;
	add(&t, &m, "max");
	m = mapping("TCP", 1, "192.168.1.2", 65535);
	m.lease = 1;
	add(&t, &m, "min");
	memcpy(t.external_address, "2001:db8::1", sizeof("2001:db8::1"));
	t.complete = 1;
	t.rc = IGD_ETIMEOUT;	/* not saved */
	round_trip(&t, "f.yaml", &back);
	ck_assert_uint_eq(back.n, 2);
	assert_same_mapping(&t.m[0], &back.m[0]);
	assert_same_mapping(&t.m[1], &back.m[1]);
	ck_assert_int_eq(back.complete, 1);
	ck_assert_int_eq(back.rc, 0);
	ck_assert_str_eq(back.external_address, "2001:db8::1");
	ck_assert_str_eq(back.method, "saved table");
	igd_table_free(&back);

	/* saving again replaces the file; nothing else is left behind */
	t.complete = 0;
	tpath(p, sizeof(p), "f.yaml");
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), 0);
	ck_assert_int_eq(table_load(p, &back, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(back.complete, 0);
	ck_assert_int_eq(count_entries(tmpdir), 1);
	igd_table_free(&t);
	igd_table_free(&back);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the exact text */

START_TEST(exact_content)
{
	static const char want[] =
	    "# check_igd saved port-mapping table\n"
	    "version: 1\n"
	    "location: \"http://10.0.0.1:5000/rootDesc.xml\"\n"
	    "udn: \"uuid:12345678-1234-1234-1234-123456789abc\"\n"
	    "external_address: \"11.22.33.44\"\n"
	    "complete: true\n"
	    "mappings:\n"
	    "  - protocol: TCP\n"
	    "    external_port: 8080\n"
	    "    internal_client: \"10.0.0.2\"\n"
	    "    internal_port: 80\n"
	    "    remote_host: \"\"\n"
	    "    description: \"web \\\"admin\\\" | C:\\\\x\"\n"
	    "    lease: 0\n"
	    "    enabled: true\n"
	    "    service: 1\n"
	    "  - protocol: UDP\n"
	    "    external_port: 3074\n"
	    "    internal_client: \"10.0.0.3\"\n"
	    "    internal_port: 3074\n"
	    "    remote_host: \"203.0.113.5\"\n"
	    "    description: \"Xbox\\n\\t\\x01\\x1B\\uEFFF\\u0085"
	    "Caf\xc3\xa9\\uEFEE\\uEFBE\\uEF80\"\n"
	    "    lease: 3600\n"
	    "    enabled: false\n"
	    "    service: 2\n";
	static const char want_empty[] =
	    "# check_igd saved port-mapping table\n"
	    "version: 1\n"
	    "external_address: \"\"\n"
	    "complete: false\n"
	    "mappings: []\n";
	struct igd_table t, back;
	struct igd_mapping m;
	char p[512], *file;
	size_t len;

	memset(&t, 0, sizeof(t));
	m = mapping("TCP", 8080, "10.0.0.2", 80);
	add(&t, &m, "web \"admin\" | C:\\x");
	m = mapping("UDP", 3074, "10.0.0.3", 3074);
	memcpy(m.remote_host, "203.0.113.5", sizeof("203.0.113.5"));
	m.lease = 3600;
	m.enabled = 0;
	m.service = 2;
	add(&t, &m, "Xbox\n\t\x01\x1b\xff\xc2\x85" "Caf\xc3\xa9\xee\xbe\x80");
	memcpy(t.external_address, "11.22.33.44", sizeof("11.22.33.44"));
	t.complete = 1;
	tpath(p, sizeof(p), "small.yaml");
	ck_assert_int_eq(table_save(p, &t, "http://10.0.0.1:5000/rootDesc.xml",
	    "uuid:12345678-1234-1234-1234-123456789abc", errbuf,
	    sizeof(errbuf)), 0);
	file = slurp(p, &len);
	ck_assert_str_eq(file, want);
	free(file);

	/* and it loads back to the same table */
	ck_assert_int_eq(table_load(p, &back, errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(back.udn, "uuid:12345678-1234-1234-1234-123456789abc");
	assert_same_mapping(&t.m[0], &back.m[0]);
	assert_same_mapping(&t.m[1], &back.m[1]);
	igd_table_free(&back);
	igd_table_free(&t);

	/* empty table, no identity */
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), 0);
	file = slurp(p, &len);
	ck_assert_str_eq(file, want_empty);
	free(file);
	ck_assert_int_eq(table_load(p, &back, errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(back.n, 0);
	ck_assert_str_eq(back.udn, "");
	ck_assert_int_eq(back.complete, 0);
	igd_table_free(&back);
}
END_TEST

/* A table saved from a device that reports internal port 0 for every
 * mapping (MiniUPnPd 2.3.6-2.3.7) loads back, the quirk named, and saves
 * the same again with the saver's comment. */
START_TEST(iport0_fixture)
{
	struct igd_table t, back;
	char p[512], *text;
	size_t len;

	ck_assert_msg(table_load(FIXTURES "/tables/miniupnpd-2.3.7-iport0.yaml",
	    &t, errbuf, sizeof(errbuf)) == 0, "load: %s", errbuf);
	ck_assert_uint_eq(t.n, 4);
	ck_assert_int_eq(t.complete, 1);
	ck_assert_uint_eq(t.m[1].external_port, 4450);
	ck_assert_str_eq(t.m[1].internal_client, "10.78.0.77");
	for (size_t i = 0; i < t.n; i++)
		ck_assert_uint_eq(t.m[i].internal_port, 0);
	ck_assert_uint_eq(t.quirks, QUIRK_BIT(QUIRK_IPORT_ZERO));
	round_trip(&t, "iport0.yaml", &back);
	ck_assert_uint_eq(back.n, t.n);
	for (size_t i = 0; i < t.n; i++)
		assert_same_mapping(&t.m[i], &back.m[i]);
	ck_assert_uint_eq(back.quirks, QUIRK_BIT(QUIRK_IPORT_ZERO));
	text = slurp(tpath(p, sizeof(p), "iport0.yaml"), &len);
	ck_assert_ptr_nonnull(strstr(text, "    internal_port: 0  # not told "
	    "by the device (quirk internal-port-0)\n"));
	free(text);
	igd_table_free(&t);
	igd_table_free(&back);
}
END_TEST

/* ------------------------------------------------------------------ */
/* hand-written tables */

static void load_ok(const char *yaml, struct igd_table *t)
{
	ck_assert_msg(table_load_buffer("t.yaml", yaml, strlen(yaml), t,
	    errbuf, sizeof(errbuf)) == 0, "load failed: %s", errbuf);
}

START_TEST(hand_written)
{
	struct igd_table t;

	/* plain strings, lower-case protocol, any key order, defaults */
	load_ok("# by hand\n"
	    "version: 1\n"
	    "mappings:\n"
	    "  - lease: 3600\n"
	    "    internal_port: 22\n"
	    "    internal_client: 192.168.1.5\n"
	    "    external_port: 2222\n"
	    "    protocol: tcp\n"
	    "  - {protocol: Udp, external_port: 53, internal_client: "
	    "10.0.0.1, internal_port: 53, lease: 0, description: dns, "
	    "enabled: False, service: 2, remote_host: 1.2.3.4}\n"
	    "complete: True\n"
	    "external_address: 100.64.1.1\n"
	    "location: http://192.168.1.1/x.xml\n", &t);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(t.complete, 1);
	ck_assert_str_eq(t.external_address, "100.64.1.1");
	ck_assert_str_eq(t.method, "saved table");
	ck_assert_uint_eq(t.quirks, 0);	/* no port 0: no quirk named */
	ck_assert_str_eq(t.m[0].protocol, "TCP");
	ck_assert_uint_eq(t.m[0].external_port, 2222);
	ck_assert_str_eq(t.m[0].internal_client, "192.168.1.5");
	ck_assert_uint_eq(t.m[0].internal_port, 22);
	ck_assert_int_eq(t.m[0].lease, 3600);
	ck_assert_str_eq(t.m[0].remote_host, "");
	ck_assert_str_eq(t.m[0].description, "");
	ck_assert_int_eq(t.m[0].enabled, 1);
	ck_assert_uint_eq(t.m[0].service, 1);
	ck_assert_str_eq(t.m[1].protocol, "UDP");
	ck_assert_str_eq(t.m[1].description, "dns");
	ck_assert_str_eq(t.m[1].remote_host, "1.2.3.4");
	ck_assert_int_eq(t.m[1].enabled, 0);
	ck_assert_uint_eq(t.m[1].service, 2);
	igd_table_free(&t);

	/* the documented escapes: \xNN is a character, \uEFNN a byte */
	load_ok("version: 1\ncomplete: false\nmappings:\n"
	    "  - {protocol: TCP, external_port: 1, internal_client: a, "
	    "internal_port: 1, lease: 0, description: "
	    "\"\\xFF|\\uEFFF|\\e|\\x41\"}\n", &t);
	ck_assert_str_eq(t.m[0].description, "\xc3\xbf|\xff|\x1b|A");
	igd_table_free(&t);

	/* a UDN too long for a device's is left unknown, never cut */
	{
		char yaml[600];

		snprintf(yaml, sizeof(yaml), "version: 1\nudn: uuid:%0300d\n"
		    "complete: true\nmappings: []\n", 7);
		load_ok(yaml, &t);
		ck_assert_str_eq(t.udn, "");
		igd_table_free(&t);
	}

	/* explicit document markers are fine */
	load_ok("---\nversion: 1\ncomplete: true\nmappings: []\n...\n", &t);
	ck_assert_uint_eq(t.n, 0);
	igd_table_free(&t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* refusals, each with its position */

#define HEAD "version: 1\ncomplete: true\nmappings:\n"
#define ITEM "  - protocol: TCP\n    external_port: 80\n" \
	"    internal_client: 10.0.0.2\n    internal_port: 80\n    lease: 0\n"

static const struct {
	const char *yaml;
	const char *want;	/* the whole message, or a prefix ending in '*' */
} bad[] = {
	{ "", "t.yaml: empty table" },
	{ "# nothing\n", "t.yaml: empty table" },
	{ "---\n", "t.yaml:2:1: empty table" },
	{ "- a\n", "t.yaml:1:1: the table must be a mapping, got a list" },
	{ "version: 2\ncomplete: true\nmappings: []\n",
	    "t.yaml:1:10: unsupported table version 2 (this program reads "
	    "version 1)" },
	{ "version: \"1\"\n",
	    "t.yaml:1:10: version: expected an integer, got a quoted string" },
	{ "complete: true\nversion: 1\nmappings: []\n",
	    "t.yaml:1:1: the first key must be \"version: 1\"" },
	{ "{}\n", "t.yaml:1:1: the table: missing \"version\"" },
	{ "version: 1\nmappings: []\n",
	    "t.yaml:1:1: the table: missing \"complete\"" },
	{ "version: 1\ncomplete: true\n",
	    "t.yaml:1:1: the table: missing \"mappings\"" },
	{ "version: 1\ncomplete: true\nmappings: []\ncolour: red\n",
	    "t.yaml:4:1: unknown key \"colour\" in the table (known: version, "
	    "location, udn, external_address, complete, mappings)" },
	{ "version: 1\ncomplete: true\ncomplete: false\n",
	    "t.yaml:3:1: duplicate key \"complete\" (first at line 2)" },
	{ "version: 1\ncomplete: \"true\"\n",
	    "t.yaml:2:11: complete: expected true or false, got a quoted "
	    "string" },
	{ "version: 1\ncomplete: yes\n",
	    "t.yaml:2:11: complete: expected true or false, got \"yes\"" },
	{ "version: 1\ncomplete:\nmappings: []\n",
	    "t.yaml:2:10: complete: expected true or false, got nothing" },
	{ "version: 1\ncomplete: true\nmappings: {}\n",
	    "t.yaml:3:11: mappings: expected a list, got a mapping" },
	{ "version: 1\ncomplete: true\nmappings:\n",
	    "t.yaml:3:10: mappings: expected a list, got nothing" },
	{ HEAD "  - 5\n", "t.yaml:4:5: mapping 1: expected a mapping, got a "
	    "scalar" },
	{ HEAD ITEM "  - [a]\n", "t.yaml:9:5: mapping 2: expected a mapping, "
	    "got a list" },
	{ "version: 1\nexternal_address: [1]\n",
	    "t.yaml:2:19: external_address: expected a string, got a list" },
	{ "version: 1\nexternal_address: "
	    "\"1234567890123456789012345678901234567890123456789012345678901234"
	    "\"\n", "t.yaml:2:19: external_address: longer than 63 bytes" },
	{ "version: 1\nlocation: {a: b}\n",
	    "t.yaml:2:11: location: expected a string, got a mapping" },
	{ HEAD "  - protocol: SCTP\n",
	    "t.yaml:4:15: protocol: expected TCP or UDP, got \"SCTP\"" },
	{ HEAD "  - external_port: 0\n",
	    "t.yaml:4:20: external_port: 0 is out of range 1..65535" },
	{ HEAD "  - external_port: 65536\n",
	    "t.yaml:4:20: external_port: 65536 is out of range 1..65535" },
	{ HEAD "  - external_port: -80\n",
	    "t.yaml:4:20: external_port: -80 is out of range 1..65535" },
	{ HEAD "  - internal_port: -1\n",
	    "t.yaml:4:20: internal_port: -1 is out of range 0..65535" },
	{ HEAD "  - internal_port: 65536\n",
	    "t.yaml:4:20: internal_port: 65536 is out of range 0..65535" },
	{ HEAD "  - internal_port: \"80\"\n",
	    "t.yaml:4:20: internal_port: expected an integer, got a quoted "
	    "string" },
	{ HEAD "  - internal_port: 0x50\n",
	    "t.yaml:4:20: internal_port: expected an integer, got \"0x50\"" },
	{ HEAD "  - lease: -1\n",
	    "t.yaml:4:12: lease: -1 is out of range 0..9223372036854775807" },
	{ HEAD "  - lease: 99999999999999999999\n",
	    "t.yaml:4:12: lease: 99999999999999999999 is out of range "
	    "0..9223372036854775807" },
	{ HEAD "  - lease: 1.5\n",
	    "t.yaml:4:12: lease: expected an integer, got \"1.5\"" },
	{ HEAD "  - service: 0\n",
	    "t.yaml:4:14: service: 0 is out of range 1..32" },
	{ HEAD "  - enabled: 1\n",
	    "t.yaml:4:14: enabled: expected true or false, got \"1\"" },
	{ HEAD "  - internal_client: "
	    "1234567890123456789012345678901234567890123456789012345678901234"
	    "\n", "t.yaml:4:22: internal_client: longer than 63 bytes" },
	{ HEAD "  - remote_host: [a]\n",
	    "t.yaml:4:18: remote_host: expected a string, got a list" },
	{ HEAD "  - description:\n    protocol: TCP\n",
	    "t.yaml:4:17: description: expected a string, got nothing" },
	{ HEAD "  - description: \"a\\0b\"\n",
	    "t.yaml:4:18: description: NUL character in a string" },
	{ HEAD "  - description: \"a\\x00\"\n",
	    "t.yaml:4:18: description: NUL character in a string" },
	{ HEAD ITEM "    colour: red\n",
	    "t.yaml:9:5: unknown key \"colour\" in mapping 1 (known: protocol, "
	    "external_port, internal_client, internal_port, lease, "
	    "remote_host, description, enabled, service)" },
	{ HEAD ITEM "    lease: 5\n",
	    "t.yaml:9:5: duplicate key \"lease\" (first at line 8)" },
	{ HEAD ITEM "  - protocol: TCP\n    external_port: 80\n"
	    "    internal_client: 10.0.0.2\n    internal_port: 80\n",
	    "t.yaml:9:5: mapping 2: missing \"lease\"" },
	{ HEAD "  - {lease: 0}\n",
	    "t.yaml:4:5: mapping 1: missing \"protocol\"" },
	{ HEAD "  - ? [a]\n    : b\n",
	    "t.yaml:4:7: mapping 1: keys must be strings, got a list" },
	{ HEAD "  - description: &d x\n",
	    "t.yaml:4:18: anchors and aliases are not allowed" },
	{ HEAD "  - &m {lease: 0}\n",
	    "t.yaml:4:5: anchors and aliases are not allowed" },
	{ HEAD ITEM "    description: *d\n",
	    "t.yaml:9:18: anchors and aliases are not allowed" },
	{ HEAD "  - description: !!str x\n",
	    "t.yaml:4:18: tags are not allowed" },
	{ "version: 1\ncomplete: true\nmappings: []\n---\nversion: 1\n",
	    "t.yaml:4:1: more than one document" },
	{ "version: 1\ncomplete: true\nmappings: [\n", "t.yaml:4:1: *" },
	{ "version: 1\ncomplete: true\nmappings: [}\n", "t.yaml:3:12: *" },
	{ "version: 1\nlocation: \"abc\n", "t.yaml:3:1: *" },
	{ "version: 1\ncomplete: true\nmappings: []\nx: \"\xff\"\n",
	    "t.yaml:4:5: invalid leading UTF-8 octet #xFF" },
	{ "version: 1\nlocation: \"\\uD800\"\n", "t.yaml:2:*" },
	{ "version: 1\nlocation: \"a\x01\"\n",
	    "t.yaml:2:13: control characters are not allowed #x01" },
};

START_TEST(bad_input)
{
	struct igd_table t;
	const char *want = bad[_i].want;
	size_t wl = strlen(want);
	int rc;

	memset(&t, 0xa5, sizeof(t));
	rc = table_load_buffer("t.yaml", bad[_i].yaml, strlen(bad[_i].yaml),
	    &t, errbuf, sizeof(errbuf));
	ck_assert_msg(rc == -1, "case %d loaded", _i);
	if (want[wl - 1] == '*')
		ck_assert_msg(strncmp(errbuf, want, wl - 1) == 0,
		    "case %d: got \"%s\", want \"%s\"", _i, errbuf, want);
	else
		ck_assert_str_eq(errbuf, want);
	/* refused: the table is left empty */
	ck_assert_ptr_null(t.m);
	ck_assert_uint_eq(t.n, 0);
	igd_table_free(&t);
}
END_TEST

START_TEST(bad_files)
{
	struct igd_table t;
	char p[512];
	int fd;

	/* no such file, a folder */
	tpath(p, sizeof(p), "missing.yaml");
	ck_assert_int_eq(table_load(p, &t, errbuf, sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "missing.yaml: No such file"));
	ck_assert_int_eq(table_load(tmpdir, &t, errbuf, sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, ": not a regular file"));

	/* over 64 MiB (sparse: nothing is read) */
	tpath(p, sizeof(p), "huge.yaml");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)TABLE_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(table_load(p, &t, errbuf, sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "huge.yaml: larger than 67108864 "
	    "bytes"));
	ck_assert_uint_eq(t.n, 0);

	/* exactly 64 MiB is read (and refused for its content) */
	fd = open(p, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)TABLE_FILE_MAX), 0);
	close(fd);
	ck_assert_int_eq(table_load(p, &t, errbuf, sizeof(errbuf)), -1);
	ck_assert_ptr_null(strstr(errbuf, "larger than"));

	/* the buffer form checks the length before anything else */
	{
		char *big = malloc((size_t)TABLE_FILE_MAX + 1);

		ck_assert_ptr_nonnull(big);
		memset(big, ' ', (size_t)TABLE_FILE_MAX + 1);
		ck_assert_int_eq(table_load_buffer("b.yaml", big,
		    (size_t)TABLE_FILE_MAX + 1, &t, errbuf, sizeof(errbuf)), -1);
		ck_assert_str_eq(errbuf, "b.yaml: larger than 67108864 bytes");
		free(big);
	}

	/* a short error buffer still gets a terminated message */
	{
		char small[12];

		ck_assert_int_eq(table_load_buffer("tiny.yaml", "- a\n", 4,
		    &t, small, sizeof(small)), -1);
		ck_assert_str_eq(small, "tiny.yaml:1");
	}
	ck_assert_int_eq(table_load_buffer("x", NULL, 0, &t, NULL, 0), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* what the saver refuses */

START_TEST(save_refuses)
{
	struct igd_table t;
	struct igd_mapping m;
	char p[512];
	size_t i;

	tpath(p, sizeof(p), "s.yaml");
	memset(&t, 0, sizeof(t));
	m = mapping("TCP", 0, "10.0.0.2", 80);
	add(&t, &m, "port zero");
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "s.yaml: mapping 1 (TCP 0): "
	    "external_port is not in 1..65535"));
	t.m[0].external_port = 80;
	t.m[0].internal_port = 70000;
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "internal_port is not in"));
	t.m[0].internal_port = 80;
	memcpy(t.m[0].protocol, "tcp", 4);
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "protocol is not TCP or UDP"));
	memcpy(t.m[0].protocol, "UDP", 4);
	t.m[0].lease = -1;
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "lease is negative"));
	t.m[0].lease = 0;
	t.m[0].service = 0;
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "service is not in"));
	t.m[0].service = 1;
	memset(t.m[0].remote_host, 'x', sizeof(t.m[0].remote_host));
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "remote_host is not terminated"));
	/* nothing was written, no temporary file left */
	ck_assert_int_eq(count_entries(tmpdir), 0);
	igd_table_free(&t);

	/* no folder */
	memset(&t, 0, sizeof(t));
	tpath(p, sizeof(p), "no/such/dir/s.yaml");
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "cannot create a temporary "
	    "file"));
	ck_assert_int_eq(table_save(NULL, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_int_eq(table_save("x", NULL, NULL, NULL, NULL, 0), -1);

	/* more mappings than a table holds (built by hand: igd_table_add
	 * stops at IGD_TABLE_MAX) */
	t.n = t.cap = IGD_TABLE_MAX + 1;
	t.m = calloc(t.n, sizeof(*t.m));
	ck_assert_ptr_nonnull(t.m);
	for (i = 0; i < t.n; i++)
		t.m[i] = mapping("TCP", 1, "10.0.0.1", 1);
	tpath(p, sizeof(p), "s.yaml");
	ck_assert_int_eq(table_save(p, &t, NULL, NULL, errbuf,
	    sizeof(errbuf)), -1);
	{
		char want[96];

		snprintf(want, sizeof(want), "%d mappings, more than the %d a "
		    "table holds", IGD_TABLE_MAX + 1, IGD_TABLE_MAX);
		ck_assert_ptr_nonnull(strstr(errbuf, want));
	}
	free(t.m);
	ck_assert_int_eq(count_entries(tmpdir), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* size */

static double ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

START_TEST(full_table)
{
	struct igd_table t, back;
	struct timespec t0;
	char p[512], desc[64], client[32];
	double save_ms, load_ms;
	struct stat st;
	size_t i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < IGD_TABLE_MAX; i++) {
		struct igd_mapping m;
		int k = snprintf(client, sizeof(client), "10.%u.%u.%u",
		    (unsigned)(i >> 16) & 255u, (unsigned)(i >> 8) & 255u,
		    (unsigned)i & 255u);

		ck_assert(k > 0 && (size_t)k < sizeof(client));
		m = mapping(i % 2 ? "UDP" : "TCP", 1 + (unsigned)(i % 65535),
		    client, 1 + (unsigned)((i * 7) % 65535));
		m.lease = (int64_t)(i % 5) * 600;
		k = snprintf(desc, sizeof(desc), "app %zu \"%c\"\n\xff", i,
		    (char)('a' + i % 26));
		ck_assert(k > 0 && (size_t)k < sizeof(desc));
		add(&t, &m, desc);
	}
	t.complete = 1;
	tpath(p, sizeof(p), "full.yaml");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(table_save(p, &t, "http://x/", "uuid:x", errbuf,
	    sizeof(errbuf)) == 0, "%s", errbuf);
	save_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(table_load(p, &back, errbuf, sizeof(errbuf)) == 0, "%s",
	    errbuf);
	load_ms = ms_since(&t0);
	ck_assert_int_eq(stat(p, &st), 0);
	printf("test_table: %d mappings, %lld bytes: save %.1f ms, load "
	    "%.1f ms\n", IGD_TABLE_MAX, (long long)st.st_size, save_ms,
	    load_ms);
	ck_assert_uint_eq(back.n, t.n);
	for (i = 0; i < t.n; i++)
		assert_same_mapping(&t.m[i], &back.m[i]);
	igd_table_free(&t);
	igd_table_free(&back);
}
END_TEST

/* A file with more mappings than IGD_TABLE_MAX is refused at the first
 * mapping too many, with its position. */
START_TEST(too_many_mappings)
{
	static const char item[] =
	    "  - protocol: TCP\n    external_port: 80\n"
	    "    internal_client: \"10.0.0.2\"\n    internal_port: 80\n"
	    "    remote_host: \"\"\n    description: \"x\"\n    lease: 0\n"
	    "    enabled: true\n    service: 1\n";
	static const char head[] = "version: 1\ncomplete: true\nmappings:\n";
	size_t n = IGD_TABLE_MAX + 100;
	size_t len = sizeof(head) - 1 + n * (sizeof(item) - 1), i;
	char *buf = malloc(len + 1), want[128], *o;
	struct igd_table t;
	struct timespec t0;
	int k;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, head, sizeof(head) - 1);
	o = buf + sizeof(head) - 1;
	for (i = 0; i < n; i++) {
		memcpy(o, item, sizeof(item) - 1);
		o += sizeof(item) - 1;
	}
	*o = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(table_load_buffer("t.yaml", buf, len, &t, errbuf,
	    sizeof(errbuf)), -1);
	printf("test_table: %zu-mapping file (%zu bytes) refused after "
	    "%.1f ms\n", n, len, ms_since(&t0));
	/* the first item too many starts at line 4 + 9 * IGD_TABLE_MAX,
	 * its mapping at column 5 */
	k = snprintf(want, sizeof(want), "t.yaml:%d:5: more than %d mappings",
	    4 + 9 * IGD_TABLE_MAX, IGD_TABLE_MAX);
	ck_assert(k > 0 && (size_t)k < sizeof(want));
	ck_assert_str_eq(errbuf, want);
	ck_assert_uint_eq(t.n, 0);
	free(buf);
}
END_TEST

static Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc;

	tc = tcase_create("round trip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);	/* generous for sanitizer builds */
	tcase_add_loop_test(tc, round_trip_nasty, 0,
	    (int)(sizeof(nasty) / sizeof(nasty[0])));
	tcase_add_test(tc, round_trip_random);
	tcase_add_test(tc, round_trip_fields);
	tcase_add_test(tc, exact_content);
	tcase_add_test(tc, hand_written);
	tcase_add_test(tc, iport0_fixture);
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, bad_input, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, bad_files);
	tcase_add_test(tc, save_refuses);
	suite_add_tcase(s, tc);

	tc = tcase_create("size");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, full_table);
	tcase_add_test(tc, too_many_mappings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(table_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
