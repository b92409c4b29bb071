/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/policy.c: prefixes, every match field, rule order,
 * built-in rules, defaults, the compiled-in policy, and the good and bad
 * fixture corpora under tests/fixtures/policies/ (plus hostile inputs
 * generated at run time: binary, 10 MB, 10000 levels of nesting).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif
#define POLDIR FIXTURES "/policies"

static char errbuf[1024];

/* Load a policy from a string; fails the test when it does not load. */
static struct policy *load(const char *yaml)
{
	struct policy *p = NULL;
	int rc = policy_load_buffer("t.yaml", yaml, strlen(yaml), &p, errbuf,
	    sizeof(errbuf));

	ck_assert_msg(rc == 0, "load failed: %s", errbuf);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Load a policy that must fail; returns the message. */
static const char *load_fail(const char *yaml)
{
	struct policy *p = (struct policy *)1;
	int rc = policy_load_buffer("t.yaml", yaml, strlen(yaml), &p, errbuf,
	    sizeof(errbuf));

	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(p);
	return errbuf;
}

/* A string field of a mapping (an array: protocol, internal_client,
 * remote_host). */
#define SET(field, value) snprintf((field), sizeof(field), "%s", (value))

/* What else is known: the WAN address only. */
#define EXT(a) (&(const struct policy_facts){ .external_address = (a) })

/* A mapping with harmless defaults: TCP 8080 -> 192.168.1.10:8080, 1 h. */
static struct igd_mapping mapping(void)
{
	struct igd_mapping m;

	memset(&m, 0, sizeof(m));
	SET(m.protocol, "TCP");
	m.external_port = 8080;
	SET(m.internal_client, "192.168.1.10");
	m.internal_port = 8080;
	m.description = "test";
	m.lease = 3600;
	m.enabled = 1;
	m.service = 1;
	return m;
}

/* The name of the matching rule, or "-" when none matches. */
static const char *match(const struct policy *p, const struct igd_mapping *m,
    const char *ext)
{
	const struct policy_rule *r = policy_match(p, m, EXT(ext));

	return r ? r->name : "-";
}

/* A one-rule policy (no built-ins) whose rule "r" has the given body. */
static struct policy *one_rule(const char *body)
{
	char yaml[2048];
	int k = snprintf(yaml, sizeof(yaml),
	    "version: 1\nportmap:\n  builtin_rules: false\n  rules:\n"
	    "    - name: r\n      state: critical\n%s", body);

	ck_assert(k > 0 && (size_t)k < sizeof(yaml));
	return load(yaml);
}

/* CPU time of this process: the "< 1 s" guards below catch a parser that
 * blows up on hostile input, and must not trip because a loaded machine
 * kept the test waiting for a CPU (wall time would). */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */

START_TEST(prefix_parse)
{
	struct policy_prefix p;

	ck_assert_int_eq(policy_prefix_parse("192.168.1.10", &p), 0);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_uint_eq(p.bits, 32);
	ck_assert_int_eq(policy_prefix_parse("10.0.0.0/8", &p), 0);
	ck_assert_uint_eq(p.bits, 8);
	ck_assert_int_eq(policy_prefix_parse("0.0.0.0/0", &p), 0);
	ck_assert_uint_eq(p.bits, 0);
	ck_assert_int_eq(policy_prefix_parse("1.2.3.4/32", &p), 0);
	ck_assert_int_eq(policy_prefix_parse("1.2.3.4/33", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("::1", &p), 0);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_uint_eq(p.bits, 128);
	ck_assert_int_eq(policy_prefix_parse("fc00::/7", &p), 0);
	ck_assert_uint_eq(p.bits, 7);
	ck_assert_int_eq(policy_prefix_parse("::/128", &p), 0);
	ck_assert_int_eq(policy_prefix_parse("::/129", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("10.0.0.0/", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("/8", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("10.0.0.0/8x", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("10.0.0.0/+8", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("10.0.0.0/0008", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("10.0.0.0/8/8", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("10.0.0", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("256.0.0.0", &p), -1);
	ck_assert_int_eq(policy_prefix_parse(" 10.0.0.1", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("example.com", &p), -1);
	ck_assert_int_eq(policy_prefix_parse("", &p), -1);
	ck_assert_int_eq(policy_prefix_parse(NULL, &p), -1);
	/* host bits are cleared */
	ck_assert_int_eq(policy_prefix_parse("192.168.1.77/24", &p), 0);
	ck_assert_uint_eq(p.addr[3], 0);
	ck_assert_uint_eq(p.addr[2], 1);
	ck_assert_int_eq(policy_prefix_parse("172.31.255.255/12", &p), 0);
	ck_assert_uint_eq(p.addr[1], 16);
}
END_TEST

static int in(const char *prefix, const char *addr)
{
	struct policy_prefix p;

	ck_assert_int_eq(policy_prefix_parse(prefix, &p), 0);
	return policy_prefix_contains(&p, addr);
}

START_TEST(prefix_contains_v4)
{
	ck_assert(in("192.168.0.0/16", "192.168.0.0"));
	ck_assert(in("192.168.0.0/16", "192.168.255.255"));
	ck_assert(!in("192.168.0.0/16", "192.169.0.0"));
	ck_assert(!in("192.168.0.0/16", "192.167.255.255"));
	ck_assert(in("172.16.0.0/12", "172.16.0.0"));
	ck_assert(in("172.16.0.0/12", "172.31.255.255"));
	ck_assert(!in("172.16.0.0/12", "172.32.0.0"));
	ck_assert(!in("172.16.0.0/12", "172.15.255.255"));
	ck_assert(in("10.1.2.3", "10.1.2.3"));
	ck_assert(!in("10.1.2.3", "10.1.2.4"));
	ck_assert(in("10.1.2.3/31", "10.1.2.2"));
	ck_assert(!in("10.1.2.3/31", "10.1.2.4"));
	ck_assert(in("0.0.0.0/0", "8.8.8.8"));
	ck_assert(!in("0.0.0.0/0", "::1"));
	/* IPv4-mapped IPv6 against an IPv4 prefix */
	ck_assert(in("192.168.0.0/16", "::ffff:192.168.1.1"));
	ck_assert(!in("192.168.0.0/16", "::ffff:8.8.8.8"));
	/* unparsable never matches */
	ck_assert(!in("0.0.0.0/0", ""));
	ck_assert(!in("0.0.0.0/0", "host.lan"));
	ck_assert(!in("0.0.0.0/0", "192.168.1.1/24"));
	ck_assert(!in("0.0.0.0/0", " 192.168.1.1"));
	ck_assert_int_eq(policy_prefix_contains(NULL, "1.2.3.4"), 0);
	{
		struct policy_prefix p;

		ck_assert_int_eq(policy_prefix_parse("0.0.0.0/0", &p), 0);
		ck_assert_int_eq(policy_prefix_contains(&p, NULL), 0);
	}
}
END_TEST

START_TEST(prefix_contains_v6)
{
	ck_assert(in("fc00::/7", "fc00::"));
	ck_assert(in("fc00::/7", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	ck_assert(!in("fc00::/7", "fe00::"));
	ck_assert(!in("fc00::/7", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	ck_assert(in("fe80::/10", "febf:ffff::1"));
	ck_assert(!in("fe80::/10", "fec0::1"));
	ck_assert(in("fe80::/10", "fe80::1%eth0"));
	ck_assert(in("2001:db8::/32", "2001:db8:ffff::1"));
	ck_assert(!in("2001:db8::/32", "2001:db9::"));
	ck_assert(in("2001:db8::1/128", "2001:db8::1"));
	ck_assert(!in("2001:db8::1/128", "2001:db8::2"));
	ck_assert(in("::/0", "2001:db8::2"));
	ck_assert(!in("::/0", "10.0.0.1"));
	ck_assert(!in("fc00::/7", "10.0.0.1"));
}
END_TEST

START_TEST(in_lan_default)
{
	struct policy *p = load("version: 1\n");

	ck_assert(policy_in_lan(p, "10.255.255.255"));
	ck_assert(policy_in_lan(p, "172.20.0.1"));
	ck_assert(policy_in_lan(p, "192.168.1.10"));
	ck_assert(policy_in_lan(p, "fd12::1"));
	ck_assert(policy_in_lan(p, "fe80::1"));
	ck_assert(!policy_in_lan(p, "8.8.8.8"));
	ck_assert(!policy_in_lan(p, "100.64.0.1"));
	ck_assert(!policy_in_lan(p, "169.254.1.1"));
	ck_assert(!policy_in_lan(p, "2001:db8::1"));
	ck_assert(!policy_in_lan(p, ""));
	ck_assert(!policy_in_lan(NULL, "10.0.0.1"));
	policy_free(p);
	p = load("version: 1\nportmap:\n  lan: 192.0.2.0/24\n");
	ck_assert_uint_eq(p->portmap.n_lan, 1);
	ck_assert(policy_in_lan(p, "192.0.2.200"));
	ck_assert(!policy_in_lan(p, "192.168.1.10"));
	policy_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* match fields, each positive and negative */

START_TEST(match_protocol)
{
	struct policy *p = one_rule("      protocol: udp\n");
	struct igd_mapping m = mapping();

	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.protocol, "UDP");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.protocol, "udp");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.protocol, "");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
	p = one_rule("      protocol: [TCP, UDP]\n");
	SET(m.protocol, "TCP");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.protocol, "UDP");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.protocol, "SCT");	/* not TCP or UDP (the field holds 3) */
	ck_assert_str_eq(match(p, &m, NULL), "-");
	ck_assert_uint_eq(p->portmap.rules[0].protocols,
	    POLICY_PROTO_TCP | POLICY_PROTO_UDP);
	policy_free(p);
}
END_TEST

START_TEST(match_external_port)
{
	struct policy *p = one_rule("      external_port: [443, 27000-27100, "
	    "\"65535\"]\n");
	struct igd_mapping m = mapping();

	ck_assert_uint_eq(p->portmap.rules[0].n_ext_ports, 3);
	m.external_port = 443;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.external_port = 442;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.external_port = 444;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.external_port = 26999;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.external_port = 27000;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.external_port = 27100;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.external_port = 27101;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.external_port = 65535;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.external_port = 65534;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
	p = one_rule("      external_port: 1-1\n");
	m.external_port = 1;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.external_port = 2;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
}
END_TEST

START_TEST(match_internal_port)
{
	struct policy *p = one_rule("      internal_port: [139, 445]\n");
	struct igd_mapping m = mapping();

	m.internal_port = 445;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.internal_port = 139;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.internal_port = 140;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	/* the external port does not matter */
	m.internal_port = 8080;
	m.external_port = 445;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
}
END_TEST

START_TEST(match_internal_client)
{
	struct policy *p = one_rule("      internal_client: [192.168.1.10, "
	    "10.0.0.0/8, \"fd00::/8\"]\n");
	struct igd_mapping m = mapping();

	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.internal_client, "192.168.1.11");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.internal_client, "10.200.0.1");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.internal_client, "11.0.0.0");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.internal_client, "fdab::1");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.internal_client, "fe80::1");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.internal_client, "");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
}
END_TEST

START_TEST(match_client_outside_lan)
{
	struct policy *p = one_rule("      client_outside_lan: true\n");
	struct igd_mapping m = mapping();

	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.internal_client, "8.8.8.8");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.internal_client, "192.169.0.1");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.internal_client, "192.168.255.255");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.internal_client, "2001:db8::1");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	/* fail closed: an unparsable client counts as outside */
	SET(m.internal_client, "nas.lan");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
	/* false means "not tested" */
	p = one_rule("      client_outside_lan: false\n");
	SET(m.internal_client, "8.8.8.8");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.internal_client, "192.168.1.10");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
}
END_TEST

START_TEST(match_client_is_external)
{
	struct policy *p = one_rule("      client_is_external: true\n");
	struct igd_mapping m = mapping();

	SET(m.internal_client, "203.0.113.7");
	ck_assert_str_eq(match(p, &m, "203.0.113.7"), "r");
	ck_assert_str_eq(match(p, &m, "203.0.113.8"), "-");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	ck_assert_str_eq(match(p, &m, ""), "-");
	SET(m.internal_client, "");
	ck_assert_str_eq(match(p, &m, ""), "-");
	/* textual comparison */
	SET(m.internal_client, "192.168.1.2");
	ck_assert_str_eq(match(p, &m, "192.168.1.2"), "r");
	ck_assert_str_eq(match(p, &m, "192.168.1.20"), "-");
	policy_free(p);
}
END_TEST

START_TEST(match_remote_host)
{
	struct policy *p = one_rule("      remote_host: [198.51.100.0/24, "
	    "\"2001:db8::/32\"]\n");
	struct igd_mapping m = mapping();

	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.remote_host, "198.51.100.255");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	SET(m.remote_host, "198.51.101.0");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.remote_host, "2001:db8::5");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
}
END_TEST

START_TEST(match_remote_host_set)
{
	struct policy *p = one_rule("      remote_host_set: true\n");
	struct igd_mapping m = mapping();

	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.remote_host, "198.51.100.1");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
	p = one_rule("      remote_host_set: false\n");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.remote_host, "");
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
}
END_TEST

START_TEST(match_description)
{
	struct policy *p = one_rule("      description: \"^Steam( |$)\"\n");
	struct igd_mapping m = mapping();

	ck_assert_int_eq(p->portmap.rules[0].has_description, 1);
	m.description = "Steam 27036";
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.description = "Steam";
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.description = "steam 27036";	/* case-sensitive */
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.description = "My Steam";
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.description = "Steamy";
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.description = NULL;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
	/* unanchored: searched anywhere; an ERE feature */
	p = one_rule("      description: \"(foo|bar)+baz\"\n");
	m.description = "xx barfoobaz yy";
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.description = "foo baz";
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
}
END_TEST

START_TEST(match_permanent)
{
	struct policy *p = one_rule("      permanent: true\n");
	struct igd_mapping m = mapping();

	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.lease = 0;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
	p = one_rule("      permanent: false\n");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.lease = 1;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
}
END_TEST

START_TEST(match_lease_above)
{
	struct policy *p = one_rule("      lease_above: 86400\n");
	struct igd_mapping m = mapping();

	m.lease = 86400;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.lease = 86401;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.lease = 0;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.lease = 1;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
}
END_TEST

START_TEST(match_max_lease)
{
	struct policy *p = one_rule("      max_lease: 86400\n");
	struct igd_mapping m = mapping();

	m.lease = 86400;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.lease = 1;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.lease = 86401;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.lease = 0;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
	/* both: lease_above < lease <= max_lease */
	p = one_rule("      lease_above: 60\n      max_lease: 120\n");
	m.lease = 60;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.lease = 61;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.lease = 120;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	m.lease = 121;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.lease = 0;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
}
END_TEST

START_TEST(match_enabled)
{
	struct policy *p = one_rule("      enabled: false\n");
	struct igd_mapping m = mapping();

	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.enabled = 0;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
	p = one_rule("      enabled: true\n");
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.enabled = 7;	/* any non-zero is enabled */
	ck_assert_str_eq(match(p, &m, NULL), "r");
	policy_free(p);
}
END_TEST

START_TEST(match_all_fields_and)
{
	/* every field given: one mapping matches, each change breaks it */
	struct policy *p = one_rule(
	    "      protocol: TCP\n"
	    "      external_port: 443\n"
	    "      internal_port: 8443\n"
	    "      internal_client: 192.168.1.0/24\n"
	    "      remote_host: 198.51.100.0/24\n"
	    "      description: ^nas\n"
	    "      lease_above: 10\n"
	    "      max_lease: 100\n"
	    "      permanent: false\n"
	    "      enabled: true\n");
	struct igd_mapping m = mapping(), x;

	m.external_port = 443;
	m.internal_port = 8443;
	SET(m.remote_host, "198.51.100.9");
	m.description = "nas web";
	m.lease = 50;
	ck_assert_str_eq(match(p, &m, NULL), "r");
	x = m; SET(x.protocol, "UDP");
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; x.external_port = 444;
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; x.internal_port = 443;
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; SET(x.internal_client, "192.168.2.1");
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; SET(x.remote_host, "");
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; x.description = "web";
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; x.lease = 5;
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; x.lease = 101;
	ck_assert_str_eq(match(p, &x, NULL), "-");
	x = m; x.enabled = 0;
	ck_assert_str_eq(match(p, &x, NULL), "-");
	policy_free(p);
}
END_TEST

/* internal_mac: a full address compares every octet, a prefix its
 * octets; an unknown MAC address matches only "unknown", and a rule without
 * it that matches on everything else cannot judge the mapping. */
START_TEST(match_internal_mac)
{
	struct policy *p = one_rule("      internal_mac: [\"B8-27-EB-12-34-56\", "
	    "00:11:32, dc:a6:32:01, \"001b21abcdef\"]\n");
	struct igd_mapping m = mapping();
	struct policy_facts f = { .have_mac = 1 };
	const struct policy_rule *u;

	ck_assert_uint_eq(p->portmap.rules[0].n_macs, 4);
	memcpy(f.mac, "\xb8\x27\xeb\x12\x34\x56", 6);
	ck_assert_ptr_eq(policy_match(p, &m, &f), &p->portmap.rules[0]);
	f.mac[5] = 0x57;		/* a full address is every octet */
	ck_assert_ptr_null(policy_match(p, &m, &f));
	memcpy(f.mac, "\x00\x11\x32\xaa\xbb\xcc", 6);	/* an OUI prefix */
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.mac[2] = 0x33;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	memcpy(f.mac, "\xdc\xa6\x32\x01\x00\x09", 6);	/* four octets */
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.mac[3] = 0x02;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	memcpy(f.mac, "\x00\x1b\x21\xab\xcd\xef", 6);	/* no separators */
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	ck_assert_ptr_eq(policy_match_unjudged(p, &m, &f, &u),
	    &p->portmap.rules[0]);
	ck_assert_ptr_null(u);
	/* unknown: no match, and the rule cannot judge */
	f.have_mac = 0;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	ck_assert_ptr_null(policy_match(p, &m, NULL));
	ck_assert_ptr_null(policy_match_unjudged(p, &m, &f, &u));
	ck_assert_ptr_eq(u, &p->portmap.rules[0]);
	ck_assert_uint_eq(policy_rule_needs(u, &m, &f), POLICY_NEED_MAC);
	ck_assert_ptr_null(policy_match_unjudged(p, &m, NULL, &u));
	ck_assert_ptr_eq(u, &p->portmap.rules[0]);
	policy_free(p);

	/* "unknown" judges an unknown address, and only that */
	p = one_rule("      internal_mac: [Unknown, b8:27:eb]\n");
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	ck_assert_ptr_nonnull(policy_match(p, &m, NULL));
	ck_assert_ptr_nonnull(policy_match_unjudged(p, &m, &f, &u));
	ck_assert_ptr_null(u);
	ck_assert_uint_eq(policy_rule_needs(&p->portmap.rules[0], &m, &f), 0);
	f.have_mac = 1;
	memcpy(f.mac, "\xb8\x27\xeb\x00\x00\x01", 6);
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	memcpy(f.mac, "\x00\x11\x32\xaa\xbb\xcc", 6);	/* known, another */
	ck_assert_ptr_null(policy_match(p, &m, &f));
	ck_assert_ptr_null(policy_match_unjudged(p, &m, &f, &u));
	ck_assert_ptr_null(u);
	policy_free(p);

	/* a rule that fails on a known fact is judged: it does not match */
	p = one_rule("      internal_mac: b8:27:eb\n      external_port: 443\n");
	f.have_mac = 0;
	ck_assert_ptr_null(policy_match_unjudged(p, &m, &f, &u));
	ck_assert_ptr_null(u);
	m.external_port = 443;
	ck_assert_ptr_null(policy_match_unjudged(p, &m, &f, &u));
	ck_assert_ptr_eq(u, &p->portmap.rules[0]);
	policy_free(p);
}
END_TEST

/* older_than: age >= N; newer_than: age < N (so the two with one N split
 * every age); an unknown age matches neither, and the rule cannot judge. */
START_TEST(match_age)
{
	struct policy *p = one_rule("      older_than: 30d\n");
	struct igd_mapping m = mapping();
	struct policy_facts f = { .have_age = 1, .age = 2592000 };
	const struct policy_rule *u;

	ck_assert_int_eq(p->portmap.rules[0].older_than, 2592000);
	ck_assert_int_eq(p->portmap.rules[0].newer_than, -1);
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.age = 2591999;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	f.age = (int64_t)1 << 40;
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.have_age = 0;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	ck_assert_ptr_null(policy_match(p, &m, NULL));
	ck_assert_ptr_null(policy_match_unjudged(p, &m, &f, &u));
	ck_assert_ptr_eq(u, &p->portmap.rules[0]);
	ck_assert_uint_eq(policy_rule_needs(u, &m, &f), POLICY_NEED_AGE);
	policy_free(p);

	p = one_rule("      newer_than: 12h\n");
	ck_assert_int_eq(p->portmap.rules[0].newer_than, 43200);
	f.have_age = 1;
	f.age = 43199;
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.age = 0;
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.age = 43200;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	f.have_age = 0;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	policy_free(p);

	/* a window, and the units */
	p = one_rule("      older_than: 3600\n      newer_than: 2h\n");
	f.have_age = 1;
	f.age = 3599;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	f.age = 3600;
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.age = 7199;
	ck_assert_ptr_nonnull(policy_match(p, &m, &f));
	f.age = 7200;
	ck_assert_ptr_null(policy_match(p, &m, &f));
	policy_free(p);
	p = one_rule("      older_than: 45s\n      newer_than: \"2w\"\n");
	ck_assert_int_eq(p->portmap.rules[0].older_than, 45);
	ck_assert_int_eq(p->portmap.rules[0].newer_than, 1209600);
	policy_free(p);
	p = one_rule("      older_than: 90m\n      newer_than: 1d\n");
	ck_assert_int_eq(p->portmap.rules[0].older_than, 5400);
	ck_assert_int_eq(p->portmap.rules[0].newer_than, 86400);
	policy_free(p);

	/* every missing fact is named */
	p = one_rule("      older_than: 1\n      internal_mac: b8:27:eb\n"
	    "      internal_port: 445\n");
	m.internal_port = 0;
	memset(&f, 0, sizeof(f));
	ck_assert_ptr_null(policy_match_unjudged(p, &m, &f, &u));
	ck_assert_ptr_eq(u, &p->portmap.rules[0]);
	ck_assert_uint_eq(policy_rule_needs(u, &m, &f), POLICY_NEED_PORT |
	    POLICY_NEED_MAC | POLICY_NEED_AGE);
	policy_free(p);
}
END_TEST

START_TEST(match_first_wins)
{
	struct policy *p = load(
	    "version: 1\nportmap:\n  builtin_rules: false\n  rules:\n"
	    "    - { name: a, state: ok, external_port: 443 }\n"
	    "    - { name: b, state: critical, protocol: TCP }\n"
	    "    - { name: c, state: warning }\n");
	struct igd_mapping m = mapping();

	ck_assert_uint_eq(p->portmap.n_rules, 3);
	m.external_port = 443;
	ck_assert_str_eq(match(p, &m, NULL), "a");
	ck_assert_int_eq(policy_match(p, &m, NULL)->state, PLUGIN_OK);
	m.external_port = 444;
	ck_assert_str_eq(match(p, &m, NULL), "b");
	SET(m.protocol, "UDP");
	ck_assert_str_eq(match(p, &m, NULL), "c");
	ck_assert_int_eq(policy_match(p, &m, NULL)->state, PLUGIN_WARNING);
	ck_assert_ptr_null(policy_match(NULL, &m, NULL));
	ck_assert_ptr_null(policy_match(p, NULL, NULL));
	policy_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* built-in rules */

static const char *const builtin_names[] = {
	"upnproxy-external-address", "upnproxy-outside-lan",
	"campaign-description", "risky-internal-port", "permanent-lease",
	"remote-host-pinned",
};
#define N_BUILTIN (sizeof(builtin_names) / sizeof(builtin_names[0]))

START_TEST(builtins_present)
{
	struct policy *p = load("version: 1\n");
	size_t i;

	ck_assert_uint_eq(p->portmap.n_rules, N_BUILTIN);
	for (i = 0; i < N_BUILTIN; i++) {
		ck_assert_str_eq(p->portmap.rules[i].name, builtin_names[i]);
		ck_assert_int_eq(p->portmap.rules[i].builtin, 1);
	}
	ck_assert_int_eq(p->portmap.rules[4].state, PLUGIN_WARNING);
	ck_assert_int_eq(p->portmap.rules[3].state, PLUGIN_CRITICAL);
	policy_free(p);
}
END_TEST

START_TEST(builtin_override)
{
	struct policy *p = load(
	    "version: 1\nportmap:\n  rules:\n"
	    "    - { name: mine, state: ok, internal_client: 192.168.1.10 }\n"
	    "    - { name: risky-internal-port, state: warning, "
	    "internal_port: 3389 }\n");
	struct igd_mapping m = mapping();
	const struct policy_rule *r;

	ck_assert_uint_eq(p->portmap.n_rules, N_BUILTIN + 1);
	/* replaced in place, not appended */
	ck_assert_str_eq(p->portmap.rules[3].name, "risky-internal-port");
	ck_assert_int_eq(p->portmap.rules[3].builtin, 0);
	ck_assert_str_eq(p->portmap.rules[N_BUILTIN].name, "mine");
	m.internal_port = 3389;
	r = policy_match(p, &m, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "risky-internal-port");
	ck_assert_int_eq(r->state, PLUGIN_WARNING);
	/* 445 is no longer in the replaced rule: "mine" decides */
	m.internal_port = 445;
	ck_assert_str_eq(match(p, &m, NULL), "mine");
	policy_free(p);
}
END_TEST

START_TEST(builtin_disable)
{
	struct policy *p = load("version: 1\nportmap:\n  disable: "
	    "[permanent-lease, risky-internal-port]\n");
	struct igd_mapping m = mapping();
	size_t i;

	ck_assert_uint_eq(p->portmap.n_rules, N_BUILTIN - 2);
	for (i = 0; i < p->portmap.n_rules; i++) {
		ck_assert_str_ne(p->portmap.rules[i].name, "permanent-lease");
		ck_assert_str_ne(p->portmap.rules[i].name,
		    "risky-internal-port");
	}
	m.lease = 0;
	m.internal_port = 445;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	SET(m.remote_host, "198.51.100.1");
	ck_assert_str_eq(match(p, &m, NULL), "remote-host-pinned");
	policy_free(p);
	/* a single name is accepted too */
	p = load("version: 1\nportmap:\n  disable: remote-host-pinned\n");
	ck_assert_uint_eq(p->portmap.n_rules, N_BUILTIN - 1);
	policy_free(p);
}
END_TEST

START_TEST(builtin_off)
{
	struct policy *p = load("version: 1\nportmap:\n  builtin_rules: false\n"
	    "  rules:\n    - { name: permanent-lease, state: critical, "
	    "internal_port: 22 }\n");
	struct igd_mapping m = mapping();

	ck_assert_uint_eq(p->portmap.n_rules, 1);
	ck_assert_int_eq(p->portmap.rules[0].builtin, 0);
	SET(m.internal_client, "8.8.8.8");
	m.internal_port = 445;
	m.lease = 0;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.internal_port = 22;
	ck_assert_str_eq(match(p, &m, NULL), "permanent-lease");
	policy_free(p);
	p = load("version: 1\nportmap:\n  builtin_rules: false\n");
	ck_assert_uint_eq(p->portmap.n_rules, 0);
	ck_assert_str_eq(match(p, &m, NULL), "-");
	policy_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* defaults and the compiled-in policy */

static void assert_defaults(const struct policy *p)
{
	ck_assert_int_eq(p->present.expect_count, 1);
	ck_assert_int_eq(p->present.count_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->present.missing_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->present.mismatch_state, PLUGIN_CRITICAL);
	ck_assert_str_eq(p->present.udn, "");
	ck_assert_str_eq(p->present.model, "");
	ck_assert_str_eq(p->present.location, "");
	ck_assert_str_eq(p->wan.status, "Connected");
	ck_assert_int_eq(p->wan.status_state, PLUGIN_CRITICAL);
	ck_assert_str_eq(p->wan.external_address, "");
	ck_assert_int_eq(p->wan.external_mismatch_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->wan.private_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->wan.uptime.has_warn + p->wan.uptime.has_crit, 0);
	ck_assert_int_eq(p->wan.rx_rate.has_warn + p->wan.rx_rate.has_crit, 0);
	ck_assert_int_eq(p->wan.tx_rate.has_warn + p->wan.tx_rate.has_crit, 0);
	ck_assert_int_eq(p->wan.link_up.has_warn + p->wan.link_up.has_crit, 0);
	ck_assert_int_eq(p->wan.link_down.has_warn +
	    p->wan.link_down.has_crit, 0);
	ck_assert_uint_eq(p->portmap.n_lan, 5);
	ck_assert_int_eq(p->portmap.default_state, PLUGIN_OK);
	ck_assert_int_eq(p->portmap.max_entries.has_warn +
	    p->portmap.max_entries.has_crit, 0);
	ck_assert_int_eq(p->portmap.new_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->portmap.changed_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->portmap.gone_state, PLUGIN_OK);
	ck_assert_int_eq(p->portmap.hold, 7200);
	ck_assert_int_eq(p->state_unusable, PLUGIN_WARNING);
	ck_assert_int_eq(p->portmap.list_method, IGD_LIST_AUTO);
	ck_assert_uint_eq(p->portmap.n_rules, N_BUILTIN);
}

START_TEST(defaults_absent_sections)
{
	struct policy *p = load("version: 1\n");

	assert_defaults(p);
	ck_assert_str_eq(p->source, "t.yaml");
	policy_free(p);
	p = load("version: 1\npresent:\nwan: ~\nportmap: null\n");
	assert_defaults(p);
	policy_free(p);
	p = load("{version: 1, present: {}, wan: {}, portmap: {}}");
	assert_defaults(p);
	policy_free(p);
}
END_TEST

/* state.unusable: the state of a state file that cannot be read,
 * trusted or saved. */
START_TEST(state_unusable_key)
{
	struct policy *p = load("version: 1\nstate: { unusable: critical }\n");

	ck_assert_int_eq(p->state_unusable, PLUGIN_CRITICAL);
	policy_free(p);
	p = load("version: 1\nstate:\n  unusable: ok\n");
	ck_assert_int_eq(p->state_unusable, PLUGIN_OK);
	policy_free(p);
	p = load("version: 1\nstate:\n");
	ck_assert_int_eq(p->state_unusable, PLUGIN_WARNING);
	policy_free(p);
	ck_assert_str_eq(load_fail("version: 1\nstate: { unusable: loud }\n"),
	    "t.yaml:2:20: unusable: unknown state \"loud\" (expected ok, "
	    "warning, critical or unknown)");
	ck_assert_str_eq(load_fail("version: 1\nstate: { missing: ok }\n"),
	    "t.yaml:2:10: unknown key \"missing\" in state");
}
END_TEST

/* portmap.changes: new, changed (as new unless set), gone, hold. */
START_TEST(changes_keys)
{
	struct policy *p = load("version: 1\nportmap:\n  changes: { new: "
	    "critical, gone: warning, hold: 3600 }\n");

	ck_assert_int_eq(p->portmap.new_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->portmap.changed_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->portmap.gone_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->portmap.hold, 3600);
	policy_free(p);
	p = load("version: 1\nportmap:\n  changes: { new: ok, changed: "
	    "critical, hold: 0 }\n");
	ck_assert_int_eq(p->portmap.new_state, PLUGIN_OK);
	ck_assert_int_eq(p->portmap.changed_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->portmap.hold, 0);
	policy_free(p);
	p = load("version: 1\nportmap:\n  changes: { hold: 31536000 }\n");
	ck_assert_int_eq(p->portmap.hold, 31536000);
	policy_free(p);
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  changes: { hold: "
	    "31536001 }\n"), "t.yaml:3:20: hold: 31536001 is out of range "
	    "0..31536000");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  changes: { hold: "
	    "-1 }\n"), "t.yaml:3:20: hold: -1 is out of range 0..31536000");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  changes: { hold: "
	    "\"1h\" }\n"), "t.yaml:3:20: hold: expected an integer, got a "
	    "quoted string");
}
END_TEST

START_TEST(default_policy_loads)
{
	struct policy *p = NULL;

	ck_assert_int_eq(policy_load_default(&p, errbuf, sizeof(errbuf)), 0);
	ck_assert_str_eq(p->source, "(default)");
	/* default.yaml states exactly the built-in defaults */
	assert_defaults(p);
	ck_assert(policy_default_yaml_len > 0);
	ck_assert_uint_eq(strlen(policy_default_yaml), policy_default_yaml_len);
	policy_free(p);
	policy_free(NULL);
}
END_TEST

START_TEST(default_policy_judges)
{
	struct policy *p = NULL;
	struct igd_mapping m;
	const struct policy_rule *r;

	ck_assert_int_eq(policy_load_default(&p, errbuf, sizeof(errbuf)), 0);

	/* an ordinary LAN mapping: no rule, default ok */
	m = mapping();
	ck_assert_ptr_null(policy_match(p, &m, EXT("203.0.113.7")));
	ck_assert_int_eq(p->portmap.default_state, PLUGIN_OK);

	/* SMB exposed */
	m = mapping();
	m.internal_port = 445;
	r = policy_match(p, &m, EXT("203.0.113.7"));
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "risky-internal-port");
	ck_assert_int_eq(r->state, PLUGIN_CRITICAL);
	ck_assert_int_eq(r->builtin, 1);
	m.internal_port = 3389;
	ck_assert_str_eq(match(p, &m, NULL), "risky-internal-port");
	m.internal_port = 23;
	ck_assert_str_eq(match(p, &m, NULL), "risky-internal-port");
	m.internal_port = 22;
	ck_assert_str_eq(match(p, &m, NULL), "-");

	/* UPnProxy: the mapping points outside the LAN */
	m = mapping();
	SET(m.internal_client, "8.8.8.8");
	m.internal_port = 53;
	r = policy_match(p, &m, EXT("203.0.113.7"));
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "upnproxy-outside-lan");
	ck_assert_int_eq(r->state, PLUGIN_CRITICAL);

	/* ... or at the router's own external address */
	m = mapping();
	SET(m.internal_client, "203.0.113.7");
	ck_assert_str_eq(match(p, &m, "203.0.113.7"),
	    "upnproxy-external-address");
	/* double NAT: the external address is private, still caught */
	SET(m.internal_client, "192.168.100.2");
	ck_assert_str_eq(match(p, &m, "192.168.100.2"),
	    "upnproxy-external-address");

	/* EternalSilence */
	m = mapping();
	m.description = "galleta silenciosa";
	ck_assert_str_eq(match(p, &m, NULL), "campaign-description");
	m.description = "Galleta Silenciosa";
	ck_assert_str_eq(match(p, &m, NULL), "campaign-description");
	m.description = "GALLETA  SILENCIOSA";
	ck_assert_str_eq(match(p, &m, NULL), "campaign-description");
	m.description = "galleta";
	ck_assert_str_eq(match(p, &m, NULL), "-");

	/* a permanent lease */
	m = mapping();
	m.lease = 0;
	r = policy_match(p, &m, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "permanent-lease");
	ck_assert_int_eq(r->state, PLUGIN_WARNING);

	/* a remote host pin */
	m = mapping();
	SET(m.remote_host, "198.51.100.1");
	r = policy_match(p, &m, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "remote-host-pinned");
	ck_assert_int_eq(r->state, PLUGIN_WARNING);

	/* critical before warning: permanent + 445 is critical */
	m = mapping();
	m.lease = 0;
	m.internal_port = 445;
	ck_assert_str_eq(match(p, &m, NULL), "risky-internal-port");
	policy_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the good corpus */

START_TEST(good_corpus)
{
	static const char *const files[] = {
		"minimal.yaml", "design-sketch.yaml", "full.yaml",
		"null-sections.yaml", "no-builtins.yaml", "hosts-and-ages.yaml",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		struct policy *p = NULL;
		int k = snprintf(path, sizeof(path), "%s/good/%s", POLDIR,
		    files[i]);

		ck_assert(k > 0 && (size_t)k < sizeof(path));
		ck_assert_msg(policy_load_file(path, &p, errbuf,
		    sizeof(errbuf)) == 0, "%s: %s", files[i], errbuf);
		ck_assert_str_eq(p->source, path);
		policy_free(p);
	}
}
END_TEST

START_TEST(good_full_values)
{
	struct policy *p = NULL;
	const struct policy_rule *r;
	struct igd_mapping m;

	ck_assert_msg(policy_load_file(POLDIR "/good/full.yaml", &p, errbuf,
	    sizeof(errbuf)) == 0, "%s", errbuf);
	ck_assert_int_eq(p->present.expect_count, 2);
	ck_assert_int_eq(p->present.count_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->present.missing_state, PLUGIN_UNKNOWN);
	ck_assert_int_eq(p->present.mismatch_state, PLUGIN_WARNING);
	ck_assert_str_eq(p->present.udn,
	    "uuid:00000000-0000-0000-0000-000000000001");
	ck_assert_str_eq(p->present.model, "MiniUPnPd");
	ck_assert_str_eq(p->present.location,
	    "http://192.168.1.1:5000/rootDesc.xml");
	ck_assert_str_eq(p->wan.status, "Connected");	/* canonical */
	ck_assert_int_eq(p->wan.status_state, PLUGIN_WARNING);
	ck_assert_str_eq(p->wan.external_address, "203.0.113.7");
	ck_assert_int_eq(p->wan.external_mismatch_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->wan.private_state, PLUGIN_OK);
	ck_assert_int_eq(p->wan.uptime.has_warn, 1);
	ck_assert_int_eq(p->wan.uptime.has_crit, 1);
	ck_assert_int_eq(plugin_thresholds_eval(&p->wan.uptime, 30),
	    PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_thresholds_eval(&p->wan.uptime, 100),
	    PLUGIN_WARNING);
	ck_assert_int_eq(plugin_thresholds_eval(&p->wan.uptime, 300),
	    PLUGIN_OK);
	ck_assert_int_eq(plugin_thresholds_eval(&p->wan.rx_rate, 1500000),
	    PLUGIN_WARNING);
	ck_assert_int_eq(p->wan.tx_rate.has_warn, 0);
	ck_assert_int_eq(p->wan.tx_rate.has_crit, 1);
	ck_assert_int_eq(p->wan.link_up.has_warn, 1);
	ck_assert_int_eq(p->wan.link_down.has_warn + p->wan.link_down.has_crit,
	    0);
	ck_assert_uint_eq(p->portmap.n_lan, 3);
	ck_assert(policy_in_lan(p, "fd00::1"));
	ck_assert(!policy_in_lan(p, "172.16.0.1"));
	ck_assert_int_eq(p->portmap.default_state, PLUGIN_WARNING);
	ck_assert_int_eq(plugin_thresholds_eval(&p->portmap.max_entries, 51),
	    PLUGIN_CRITICAL);
	ck_assert_int_eq(p->portmap.list_method, IGD_LIST_WALK);
	ck_assert_int_eq(p->portmap.new_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->portmap.gone_state, PLUGIN_WARNING);
	/* 6 built-ins - permanent-lease, + 5 new user rules */
	ck_assert_uint_eq(p->portmap.n_rules, N_BUILTIN - 1 + 5);
	ck_assert_str_eq(p->portmap.rules[3].name, "risky-internal-port");
	ck_assert_int_eq(p->portmap.rules[3].builtin, 0);
	ck_assert_str_eq(p->portmap.rules[5].name, "nas-https");
	ck_assert_str_eq(p->portmap.rules[8].name, "self-ref");
	ck_assert_str_eq(p->portmap.rules[9].name, "old-pi");
	ck_assert_uint_eq(p->portmap.rules[9].n_macs, 3);
	ck_assert_uint_eq(p->portmap.rules[9].macs[0].octets, 3);
	ck_assert_uint_eq(p->portmap.rules[9].macs[1].octets, 6);
	ck_assert_uint_eq(p->portmap.rules[9].macs[1].mac[5], 0x03);
	ck_assert_uint_eq(p->portmap.rules[9].macs[2].octets, 0);
	ck_assert_int_eq(p->portmap.rules[9].older_than, 30 * 86400);
	ck_assert_int_eq(p->portmap.rules[9].newer_than, 520 * 604800LL);

	m = mapping();
	m.external_port = 443;
	m.internal_port = 8444;
	ck_assert_str_eq(match(p, &m, NULL), "nas-https");
	m.internal_port = 8445;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m = mapping();
	SET(m.protocol, "UDP");
	m.external_port = 3478;
	m.description = "Steam";
	m.lease = 61;
	ck_assert_str_eq(match(p, &m, NULL), "games");
	m.lease = 60;
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m = mapping();
	m.lease = 0;	/* permanent-lease is disabled */
	ck_assert_str_eq(match(p, &m, NULL), "-");
	m.internal_port = 445;
	r = policy_match(p, &m, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->state, PLUGIN_WARNING);	/* overridden */
	policy_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the bad corpus: each file and the exact message after "PATH:" */

static const struct bad_case {
	const char *file;
	const char *msg;
} bad_cases[] = {
	{ "syntax.yaml", "4:10: did not find expected ',' or ']' "
	    "(while parsing a flow sequence at line 3 column 8)" },
	{ "syntax-indent.yaml",
	    "4:16: mapping values are not allowed in this context" },
	{ "wrong-type-string.yaml",
	    "3:17: expect_count: expected an integer, got a quoted string" },
	{ "wrong-type-list.yaml",
	    "3:17: expect_count: expected an integer, got a list" },
	{ "wrong-type-bool.yaml",
	    "3:18: builtin_rules: expected true or false, got a quoted "
	    "string" },
	{ "unknown-key-top.yaml", "2:1: unknown key \"portmaps\" in the "
	    "policy" },
	{ "unknown-key-rule.yaml",
	    "6:7: unknown key \"external_prot\" in rule" },
	{ "unknown-key-threshold.yaml",
	    "3:30: unknown key \"critcal\" in uptime" },
	{ "duplicate-key.yaml",
	    "5:3: duplicate key \"expect_count\" (first at line 3)" },
	{ "bad-regex.yaml", "4:46: description: bad regex \"^(Steam\": "
	    "Unmatched ( or \\(" },
	{ "bad-prefix.yaml", "6:39: internal_client: bad address or prefix "
	    "\"192.168.1.0/33\"" },
	{ "bad-prefix-v6.yaml",
	    "3:21: lan: bad address or prefix \"fc00::/129\"" },
	{ "bad-address.yaml",
	    "3:8: lan: bad address or prefix \"192.168.1.300/24\"" },
	{ "bad-external.yaml", "3:31: expect: bad address \"203.0.113.300\"" },
	{ "impossible-range.yaml",
	    "3:22: uptime.warning: bad range \"10:5\"" },
	{ "port-zero.yaml",
	    "6:22: external_port: port 0 is out of range 1..65535" },
	{ "port-70000.yaml",
	    "6:27: internal_port: port 70000 is out of range 1..65535" },
	{ "port-range-reversed.yaml",
	    "6:22: external_port: impossible port range \"20-10\"" },
	{ "port-junk.yaml", "6:22: external_port: expected a port or a range "
	    "LOW-HIGH, got \"80-\"" },
	{ "empty-list.yaml", "6:22: external_port: empty list" },
	{ "bad-mac.yaml", "6:32: internal_mac: expected a MAC address "
	    "(b8:27:eb:12:34:56), a prefix of 3 to 5 octets (b8:27:eb) or "
	    "unknown, got \"b8:27\"" },
	{ "bad-duration.yaml", "6:19: older_than: expected a duration (3600, "
	    "90m, 12h, 30d, 2w), got \"30 days\"" },
	{ "age-impossible.yaml", "7:7: rule \"x\": newer_than 86400s is not "
	    "above older_than 172800s, can never match" },
	{ "unknown-state.yaml", "3:12: default: unknown state \"fine\" "
	    "(expected ok, warning, critical or unknown)" },
	{ "missing-rule-name.yaml", "6:7: rule has no name" },
	{ "missing-rule-state.yaml", "4:7: rule \"nas\" has no state" },
	{ "duplicate-rule-name.yaml",
	    "8:13: duplicate rule name \"nas\" (first at line 4)" },
	{ "bad-rule-name.yaml",
	    "4:13: name: bad name \"nas https\" (use A-Z a-z 0-9 _ . -)" },
	{ "bad-protocol.yaml", "6:23: protocol: unknown protocol \"SCTP\" "
	    "(expected TCP or UDP)" },
	{ "bad-status.yaml", "3:11: status: unknown connection status "
	    "\"Up\"" },
	{ "bad-list-method.yaml", "3:16: list_method: expected auto, list or "
	    "walk, got \"soap\"" },
	{ "negative-count.yaml",
	    "3:17: expect_count: -1 is out of range 0..1000" },
	{ "lease-impossible.yaml", "7:7: rule \"x\": max_lease with "
	    "permanent: true can never match" },
	{ "lease-impossible-2.yaml", "7:7: rule \"x\": max_lease 3600 is not "
	    "above lease_above 3600, can never match" },
	{ "remote-impossible.yaml", "6:7: rule \"x\": remote_host with "
	    "remote_host_set: false can never match" },
	{ "disable-unknown.yaml",
	    "3:30: disable: no built-in rule named \"no-such-rule\"" },
	{ "disable-and-redefine.yaml", "3:12: disable: rule "
	    "\"risky-internal-port\" is redefined at line 5; remove one of "
	    "the two" },
	{ "empty.yaml", "empty policy" },
	{ "comment-only.yaml", "empty policy" },
	{ "version-2.yaml", "1:10: unsupported policy version 2 (this "
	    "program reads version 1)" },
	{ "missing-version.yaml", "1:1: missing \"version: 1\"" },
	{ "not-a-mapping.yaml",
	    "1:1: the policy must be a mapping, got a list" },
	{ "tag.yaml", "3:17: tags are not allowed" },
	{ "anchor.yaml", "2:6: anchors and aliases are not allowed" },
	{ "alias.yaml", "6:20: anchors and aliases are not allowed" },
	{ "alias-bomb.yaml", "3:4: anchors and aliases are not allowed" },
	{ "two-documents.yaml", "2:1: more than one document" },
	{ "nul-escape.yaml", "6:20: NUL character in a string" },
	{ "complex-key.yaml", "2:3: keys must be plain strings" },
};

START_TEST(bad_corpus)
{
	const struct bad_case *bc = &bad_cases[_i];
	char path[512], want[1024];
	struct policy *p = (struct policy *)1;
	double t0 = now();
	int k;

	k = snprintf(path, sizeof(path), "%s/bad/%s", POLDIR, bc->file);
	ck_assert(k > 0 && (size_t)k < sizeof(path));
	k = snprintf(want, sizeof(want), "%s:%s%s", path,
	    bc->msg[0] >= '0' && bc->msg[0] <= '9' ? "" : " ", bc->msg);
	ck_assert(k > 0 && (size_t)k < sizeof(want));
	ck_assert_msg(access(path, R_OK) == 0, "missing fixture %s", path);
	ck_assert_int_eq(policy_load_file(path, &p, errbuf, sizeof(errbuf)),
	    -1);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(errbuf, want);
	ck_assert_msg(now() - t0 < 1.0, "%s took %.2f s", bc->file, now() - t0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* generated hostile input */

/* Write len bytes to a fresh temporary file; returns its path (static). */
static const char *tmpfile_with(const char *data, size_t len)
{
	static char path[64];
	FILE *f;
	int fd;

	memcpy(path, "/tmp/test_policy.XXXXXX", sizeof("/tmp/test_policy.XXXXXX"));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Load a generated file; expect failure with the message after "PATH:". */
static void expect_file_error(const char *data, size_t len, const char *msg)
{
	const char *path = tmpfile_with(data, len);
	struct policy *p = (struct policy *)1;
	char want[512];
	double t0 = now();
	int rc = policy_load_file(path, &p, errbuf, sizeof(errbuf));
	double dt = now() - t0;

	unlink(path);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(p);
	ck_assert(snprintf(want, sizeof(want), "%s:%s", path, msg) <
	    (int)sizeof(want));
	ck_assert_str_eq(errbuf, want);
	ck_assert_msg(dt < 1.0, "took %.2f s", dt);
}

START_TEST(hostile_binary)
{
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
	static const char nul[] = "version: 1\n\x00\x01\x02";
	static const char utf8[] = "version: 1\nwan:\n  status: \"Conn\xff"
	    "ected\"\n";

	expect_file_error(elf, sizeof(elf) - 1,
	    "1:1: control characters are not allowed #x7F");
	expect_file_error(nul, sizeof(nul) - 1,
	    "2:1: control characters are not allowed #x00");
	expect_file_error(utf8, sizeof(utf8) - 1,
	    "3:16: invalid leading UTF-8 octet #xFF");
}
END_TEST

START_TEST(hostile_size)
{
	size_t big = 10u * 1024 * 1024;
	char *buf = malloc(big);
	struct policy *p = NULL;
	size_t i;

	ck_assert_ptr_nonnull(buf);
	/* a valid file padded with comment lines */
	memcpy(buf, "version: 1\n", 11);
	for (i = 11; i < big; i++)
		buf[i] = (i % 80 == 79) ? '\n' : '#';
	buf[big - 1] = '\n';
	expect_file_error(buf, big, " larger than 1048576 bytes");
	/* the limit itself is accepted, one byte more is not */
	ck_assert_int_eq(policy_load_buffer("b", buf, POLICY_FILE_MAX, &p,
	    errbuf, sizeof(errbuf)), 0);
	policy_free(p);
	ck_assert_int_eq(policy_load_buffer("b", buf, POLICY_FILE_MAX + 1, &p,
	    errbuf, sizeof(errbuf)), -1);
	ck_assert_str_eq(errbuf, "b: larger than 1048576 bytes");
	free(buf);
}
END_TEST

START_TEST(hostile_nesting)
{
	size_t n = 10000, i, o = 0;
	char *buf = malloc(20 + 4 * n);

	ck_assert_ptr_nonnull(buf);
	o = 0;
	memcpy(buf, "version: 1\nx: ", 14);
	o = 14;
	for (i = 0; i < n; i++)
		buf[o++] = '[';
	for (i = 0; i < n; i++)
		buf[o++] = ']';
	buf[o++] = '\n';
	/* the first '[' (column 4) is level 2, the 16th (column 19) is 17 */
	expect_file_error(buf, o, "2:19: nesting deeper than 16 levels");
	/* the same with block mappings, within the limit: accepted as
	 * far as nesting goes, then refused as an unknown key */
	o = 0;
	memcpy(buf, "version: 1\n", 11);
	o = 11;
	for (i = 0; i < 15; i++) {
		memset(buf + o, ' ', i * 2);
		o += i * 2;
		memcpy(buf + o, "a:\n", 3);
		o += 3;
	}
	memset(buf + o, ' ', 30);
	o += 30;
	memcpy(buf + o, "a: 1\n", 5);
	o += 5;
	expect_file_error(buf, o, "2:1: unknown key \"a\" in the policy");
	/* one level more is refused at the 17th mapping */
	o -= 5;
	memcpy(buf + o, "a:\n", 3);
	o += 3;
	memset(buf + o, ' ', 32);
	o += 32;
	memcpy(buf + o, "a: 1\n", 5);
	o += 5;
	expect_file_error(buf, o, "18:33: nesting deeper than 16 levels");
	free(buf);
}
END_TEST

START_TEST(hostile_alias_bomb_generated)
{
	/* 20 levels of 10 aliases each would be 10^20 nodes if expanded */
	char buf[8192];
	size_t o = 0, lvl, j;
	int k;

	k = snprintf(buf, sizeof(buf), "version: 1\nl0: &l0 [lol]\n");
	ck_assert(k > 0);
	o = (size_t)k;
	for (lvl = 1; lvl < 20; lvl++) {
		k = snprintf(buf + o, sizeof(buf) - o, "l%zu: &l%zu [", lvl,
		    lvl);
		ck_assert(k > 0 && (size_t)k < sizeof(buf) - o);
		o += (size_t)k;
		for (j = 0; j < 10; j++) {
			k = snprintf(buf + o, sizeof(buf) - o, "%s*l%zu",
			    j ? "," : "", lvl - 1);
			ck_assert(k > 0 && (size_t)k < sizeof(buf) - o);
			o += (size_t)k;
		}
		ck_assert(o + 2 < sizeof(buf));
		buf[o++] = ']';
		buf[o++] = '\n';
	}
	expect_file_error(buf, o, "2:5: anchors and aliases are not allowed");
}
END_TEST

START_TEST(hostile_many_items)
{
	char buf[16384];
	size_t o, i;

	/* 257 LAN prefixes: over POLICY_LIST_MAX */
	memcpy(buf, "version: 1\nportmap:\n  lan: [", 28);
	o = 28;
	for (i = 0; i <= POLICY_LIST_MAX; i++) {
		memcpy(buf + o, "10.0.0.0/8,", 11);
		o += 11;
	}
	buf[o - 1] = ']';
	buf[o++] = '\n';
	expect_file_error(buf, o, "3:8: lan: more than 256 items");
}
END_TEST

/* 1025 rules: over POLICY_RULES_MAX, refused as the items arrive (the
 * document layer's bound, before any rule is judged). */
START_TEST(hostile_many_rules)
{
	static char buf[64 * 1100];
	size_t o, i;
	int k;

	o = (size_t)snprintf(buf, sizeof(buf),
	    "version: 1\nportmap:\n  rules:\n");
	for (i = 0; i <= POLICY_RULES_MAX; i++) {
		k = snprintf(buf + o, sizeof(buf) - o,
		    "    - { name: r%zu, state: ok }\n", i);
		ck_assert(k > 0 && (size_t)k < sizeof(buf) - o);
		o += (size_t)k;
	}
	expect_file_error(buf, o,
	    "1028:7: too many items in a list (more than 1024)");
}
END_TEST

START_TEST(load_file_errors)
{
	struct policy *p = (struct policy *)1;

	ck_assert_int_eq(policy_load_file("/nonexistent/p.yaml", &p, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(errbuf, "/nonexistent/p.yaml: No such file or "
	    "directory");
	ck_assert_int_eq(policy_load_file("/tmp", &p, errbuf,
	    sizeof(errbuf)), -1);
	ck_assert_str_eq(errbuf, "/tmp: not a regular file");
	/* a tiny error buffer is cut, never overrun */
	{
		char small[8];

		memset(small, 'x', sizeof(small));
		ck_assert_int_eq(policy_load_buffer("long-name.yaml", "", 0,
		    &p, small, sizeof(small)), -1);
		ck_assert_str_eq(small, "long-na");
	}
	/* NULL err is allowed */
	ck_assert_int_eq(policy_load_buffer("n", "x: 1", 4, &p, NULL, 0), -1);
}
END_TEST

START_TEST(buffer_errors_inline)
{
	/* quoted text from the file is made printable and cut */
	ck_assert_str_eq(load_fail("version: 1\n\"k\\tey\": 1\n"),
	    "t.yaml:2:1: unknown key \"k?ey\" in the policy");
	ck_assert_str_eq(load_fail("version: 1\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: 1\n"),
	    "t.yaml:2:1: unknown key "
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" in the policy");
	ck_assert_str_eq(load_fail("version: \"1\"\n"),
	    "t.yaml:1:10: version: expected an integer, got a quoted string");
	ck_assert_str_eq(load_fail("version: 0x1\n"),
	    "t.yaml:1:10: version: expected an integer, got \"0x1\"");
	ck_assert_str_eq(load_fail("version: 1\npresent:\n  udn:\n"),
	    "t.yaml:3:7: udn: expected a string, got nothing");
	ck_assert_str_eq(load_fail("version: 1\nwan:\n  uptime: 5\n"),
	    "t.yaml:3:11: uptime: expected a mapping, got a scalar");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules: {}\n"),
	    "t.yaml:3:10: rules: expected a list, got a mapping");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules: [5]\n"),
	    "t.yaml:3:11: rule: expected a mapping, got a scalar");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, permanent: yes}\n"),
	    "t.yaml:4:39: permanent: expected true or false, got \"yes\"");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, internal_port: [[1]]}\n"),
	    "t.yaml:4:44: internal_port: expected a value, got a list");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, internal_mac: [b8:27:eb, b8:27]}\n"),
	    "t.yaml:4:53: internal_mac: expected a MAC address "
	    "(b8:27:eb:12:34:56), a prefix of 3 to 5 octets (b8:27:eb) or "
	    "unknown, got \"b8:27\"");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, internal_mac: \"b8:27:eb:12:34:56:78\"}"
	    "\n"),
	    "t.yaml:4:42: internal_mac: expected a MAC address "
	    "(b8:27:eb:12:34:56), a prefix of 3 to 5 octets (b8:27:eb) or "
	    "unknown, got \"b8:27:eb:12:34:56:78\"");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, internal_mac: []}\n"),
	    "t.yaml:4:42: internal_mac: empty list");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, older_than: 0}\n"),
	    "t.yaml:4:40: older_than: duration 0 is out of range (1 s to "
	    "9000000000000 s)");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, newer_than: 999999999999w}\n"),
	    "t.yaml:4:40: newer_than: duration 999999999999w is out of range "
	    "(1 s to 9000000000000 s)");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, older_than: -5}\n"),
	    "t.yaml:4:40: older_than: expected a duration (3600, 90m, 12h, 30d, "
	    "2w), got \"-5\"");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, older_than: 3 d}\n"),
	    "t.yaml:4:40: older_than: expected a duration (3600, 90m, 12h, 30d, "
	    "2w), got \"3 d\"");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, older_than: [1d]}\n"),
	    "t.yaml:4:40: older_than: expected a duration (3600, 90m, 12h, "
	    "30d, 2w), got a list");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, newer_than: }\n"),
	    "t.yaml:4:40: newer_than: expected a duration (3600, 90m, 12h, "
	    "30d, 2w), got nothing");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, older_than: 1d, newer_than: 24h}\n"),
	    "t.yaml:4:44: rule \"a\": newer_than 86400s is not above "
	    "older_than 86400s, can never match");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, max_lease: 0}\n"),
	    "t.yaml:4:39: max_lease: 0 is out of range "
	    "1..9223372036854775807");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: a, state: ok, lease_above: 99999999999999999999}\n"),
	    "t.yaml:4:41: lease_above: 99999999999999999999 is out of range "
	    "0..9223372036854775807");
	ck_assert_str_eq(load_fail("version: 1\nportmap:\n  rules:\n"
	    "    - {name: "
	    "a234567890123456789012345678901234567890123456789012345678901234"
	    ", state: ok}\n"),
	    "t.yaml:4:14: name: longer than 63 bytes");
	ck_assert_str_eq(load_fail("version: 1\nwan:\n  uptime: "
	    "{ critical: \"@\" }\n"),
	    "t.yaml:3:23: uptime.critical: bad range \"@\"");
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("prefix");
	tcase_add_test(tc, prefix_parse);
	tcase_add_test(tc, prefix_contains_v4);
	tcase_add_test(tc, prefix_contains_v6);
	tcase_add_test(tc, in_lan_default);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_test(tc, match_protocol);
	tcase_add_test(tc, match_external_port);
	tcase_add_test(tc, match_internal_port);
	tcase_add_test(tc, match_internal_client);
	tcase_add_test(tc, match_client_outside_lan);
	tcase_add_test(tc, match_client_is_external);
	tcase_add_test(tc, match_remote_host);
	tcase_add_test(tc, match_remote_host_set);
	tcase_add_test(tc, match_description);
	tcase_add_test(tc, match_permanent);
	tcase_add_test(tc, match_lease_above);
	tcase_add_test(tc, match_max_lease);
	tcase_add_test(tc, match_enabled);
	tcase_add_test(tc, match_all_fields_and);
	tcase_add_test(tc, match_internal_mac);
	tcase_add_test(tc, match_age);
	tcase_add_test(tc, match_first_wins);
	suite_add_tcase(s, tc);

	tc = tcase_create("builtin");
	tcase_add_test(tc, builtins_present);
	tcase_add_test(tc, builtin_override);
	tcase_add_test(tc, builtin_disable);
	tcase_add_test(tc, builtin_off);
	tcase_add_test(tc, defaults_absent_sections);
	tcase_add_test(tc, default_policy_loads);
	tcase_add_test(tc, default_policy_judges);
	suite_add_tcase(s, tc);

	tc = tcase_create("corpus");
	tcase_add_test(tc, good_corpus);
	tcase_add_test(tc, good_full_values);
	tcase_add_loop_test(tc, bad_corpus, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, buffer_errors_inline);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 20);	/* generous for sanitizer builds */
	tcase_add_test(tc, hostile_binary);
	tcase_add_test(tc, hostile_size);
	tcase_add_test(tc, hostile_nesting);
	tcase_add_test(tc, hostile_alias_bomb_generated);
	tcase_add_test(tc, hostile_many_items);
	tcase_add_test(tc, hostile_many_rules);
	tcase_add_test(tc, load_file_errors);
	tcase_add_test(tc, state_unusable_key);
	tcase_add_test(tc, changes_keys);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
