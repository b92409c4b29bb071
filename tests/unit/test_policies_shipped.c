/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the policies shipped in policies/: every *.yaml there
 * loads with the strict loader, and each example judges a few typical
 * mappings the way its comments say.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif
#define POLICIES FIXTURES "/../../policies"

static char errbuf[1024];

static struct policy *load(const char *name)
{
	char path[1024];
	struct policy *p = NULL;
	int k = snprintf(path, sizeof(path), "%s/%s", POLICIES, name);

	ck_assert(k > 0 && (size_t)k < sizeof(path));
	ck_assert_msg(policy_load_file(path, &p, errbuf, sizeof(errbuf)) == 0,
	    "%s", errbuf);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* A mapping: proto ext -> client:in, lease seconds, description. */
static struct igd_mapping mapping(const char *proto, unsigned ext,
    const char *client, unsigned in, long long lease)
{
	struct igd_mapping m;

	memset(&m, 0, sizeof(m));
	snprintf(m.protocol, sizeof(m.protocol), "%s", proto);
	m.external_port = ext;
	snprintf(m.internal_client, sizeof(m.internal_client), "%s", client);
	m.internal_port = in;
	m.description = "test";
	m.lease = lease;
	m.enabled = 1;
	m.service = 1;
	return m;
}

#define EXT "203.0.113.7"	/* the WAN address in every test */

/* The state p gives m, and the deciding rule's name ("-" for the default)
 * in *rule. */
static enum plugin_state judge(const struct policy *p,
    const struct igd_mapping *m, const char **rule)
{
	const struct policy_facts f = { .external_address = EXT };
	const struct policy_rule *r = policy_match(p, m, &f);

	*rule = r ? r->name : "-";
	return r ? r->state : p->portmap.default_state;
}

static void expect(const struct policy *p, struct igd_mapping m,
    enum plugin_state want, const char *want_rule)
{
	const char *rule;
	enum plugin_state got = judge(p, &m, &rule);

	ck_assert_msg(got == want && strcmp(rule, want_rule) == 0,
	    "%s: %s %u -> %s:%u lease %lld: got %s (%s), want %s (%s)",
	    p->source, m.protocol, m.external_port, m.internal_client,
	    m.internal_port, (long long)m.lease, plugin_state_name(got), rule,
	    plugin_state_name(want), want_rule);
}

START_TEST(every_policy_loads)
{
	DIR *d = opendir(POLICIES);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		struct policy *p;

		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		p = load(e->d_name);
		policy_free(p);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 4);	/* default and the three examples */
}
END_TEST

/* What every shipped policy keeps from the built-in threat rules; lan is
 * an address inside that policy's LAN. */
static const struct {
	const char *name;
	const char *lan;
} shipped[] = {
	{ "default.yaml", "192.168.1.10" },
	{ "home.yaml", "192.168.1.10" },
	{ "small-office.yaml", "192.168.10.2" },
	{ "strict-allowlist.yaml", "192.168.1.3" },
};

START_TEST(threats_everywhere)
{
	const char *lan = shipped[_i].lan;
	struct policy *p = load(shipped[_i].name);
	struct igd_mapping m;

	/* SMB and RDP, even to a machine some rule allows */
	expect(p, mapping("TCP", 445, lan, 445, 3600), PLUGIN_CRITICAL,
	    "risky-internal-port");
	expect(p, mapping("TCP", 443, lan, 3389, 3600), PLUGIN_CRITICAL,
	    "risky-internal-port");
	/* UPnProxy: towards an outside host, towards the router itself */
	expect(p, mapping("TCP", 8443, "8.8.8.8", 443, 600), PLUGIN_CRITICAL,
	    "upnproxy-outside-lan");
	expect(p, mapping("UDP", 53, EXT, 53, 600), PLUGIN_CRITICAL,
	    "upnproxy-external-address");
	m = mapping("TCP", 40000, lan, 40000, 600);
	m.description = "Galleta Silenciosa";
	expect(p, m, PLUGIN_CRITICAL, "campaign-description");
	policy_free(p);
}
END_TEST

START_TEST(home)
{
	struct policy *p = load("home.yaml");
	struct igd_mapping m;

	ck_assert_int_eq(p->portmap.default_state, PLUGIN_OK);
	ck_assert_int_eq(p->portmap.new_state, PLUGIN_WARNING);
	/* the NAS, permanent as NAS mappings are */
	expect(p, mapping("TCP", 443, "192.168.1.10", 5001, 0), PLUGIN_OK,
	    "nas-https");
	expect(p, mapping("TCP", 443, "192.168.1.10", 443, 3600), PLUGIN_OK,
	    "nas-https");
	/* port 443 for another machine is not the NAS rule; permanent warns */
	expect(p, mapping("TCP", 443, "192.168.1.77", 443, 0), PLUGIN_WARNING,
	    "permanent-other");
	/* the consoles, permanent or not */
	expect(p, mapping("UDP", 3074, "192.168.1.20", 3074, 0), PLUGIN_OK,
	    "xbox");
	expect(p, mapping("UDP", 3478, "192.168.1.21", 3478, 3600), PLUGIN_OK,
	    "playstation");
	expect(p, mapping("UDP", 50123, "192.168.1.22", 50123, 0), PLUGIN_OK,
	    "nintendo-switch");
	/* a console port on TCP is not the console rule */
	expect(p, mapping("TCP", 3074, "192.168.1.20", 3074, 0),
	    PLUGIN_WARNING, "permanent-other");
	/* anything else from the LAN, with a lease: ok by default */
	expect(p, mapping("TCP", 6881, "192.168.1.50", 6881, 3600), PLUGIN_OK,
	    "-");
	/* a pinned remote host still warns */
	m = mapping("UDP", 3074, "192.168.1.20", 3074, 600);
	snprintf(m.remote_host, sizeof(m.remote_host), "%s", "198.51.100.1");
	expect(p, m, PLUGIN_WARNING, "remote-host-pinned");
	/* outside the home LAN prefix (another private range) */
	expect(p, mapping("TCP", 8080, "10.0.0.5", 8080, 600), PLUGIN_CRITICAL,
	    "upnproxy-outside-lan");
	policy_free(p);
}
END_TEST

START_TEST(small_office)
{
	struct policy *p = load("small-office.yaml");

	ck_assert_int_eq(p->portmap.default_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->portmap.new_state, PLUGIN_WARNING);
	ck_assert_int_eq(p->portmap.gone_state, PLUGIN_WARNING);
	ck_assert(p->portmap.max_entries.has_warn);
	ck_assert(p->portmap.max_entries.has_crit);
	ck_assert_int_eq(plugin_thresholds_eval(&p->portmap.max_entries, 10),
	    PLUGIN_OK);
	ck_assert_int_eq(plugin_thresholds_eval(&p->portmap.max_entries, 21),
	    PLUGIN_WARNING);
	ck_assert_int_eq(plugin_thresholds_eval(&p->portmap.max_entries, 51),
	    PLUGIN_CRITICAL);
	ck_assert_int_eq(p->present.count_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->wan.private_state, PLUGIN_CRITICAL);
	/* phones */
	expect(p, mapping("UDP", 5060, "192.168.10.70", 5060, 3600), PLUGIN_OK,
	    "voip-sip");
	expect(p, mapping("UDP", 12000, "192.168.10.70", 12000, 3600),
	    PLUGIN_OK, "voip-rtp");
	/* SIP from a computer, not a phone */
	expect(p, mapping("UDP", 5060, "192.168.10.20", 5060, 3600),
	    PLUGIN_WARNING, "-");
	/* VPN gateway */
	expect(p, mapping("UDP", 4500, "192.168.10.2", 4500, 3600), PLUGIN_OK,
	    "vpn-gateway");
	expect(p, mapping("UDP", 51820, "192.168.10.2", 51820, 3600),
	    PLUGIN_OK, "vpn-gateway");
	/* remote administration */
	expect(p, mapping("TCP", 2222, "192.168.10.2", 22, 3600),
	    PLUGIN_CRITICAL, "remote-admin");
	expect(p, mapping("TCP", 5901, "192.168.10.30", 5901, 3600),
	    PLUGIN_CRITICAL, "remote-admin");
	/* anything else: warning; a permanent one: the built-in warning */
	expect(p, mapping("TCP", 8080, "192.168.10.30", 8080, 3600),
	    PLUGIN_WARNING, "-");
	expect(p, mapping("TCP", 8080, "192.168.10.30", 8080, 0),
	    PLUGIN_WARNING, "permanent-lease");
	policy_free(p);
}
END_TEST

START_TEST(strict_allowlist)
{
	struct policy *p = load("strict-allowlist.yaml");

	ck_assert_int_eq(p->portmap.default_state, PLUGIN_CRITICAL);
	ck_assert_int_eq(p->portmap.new_state, PLUGIN_CRITICAL);
	/* the list, permanent mappings included */
	expect(p, mapping("UDP", 51820, "192.168.1.2", 51820, 0), PLUGIN_OK,
	    "allow-wireguard");
	expect(p, mapping("TCP", 443, "192.168.1.3", 443, 0), PLUGIN_OK,
	    "allow-web");
	expect(p, mapping("UDP", 443, "192.168.1.3", 443, 3600), PLUGIN_OK,
	    "allow-web");
	/* not on the list: critical, whatever is close to it */
	expect(p, mapping("TCP", 8080, "192.168.1.50", 8080, 3600),
	    PLUGIN_CRITICAL, "-");
	expect(p, mapping("TCP", 51820, "192.168.1.2", 51820, 3600),
	    PLUGIN_CRITICAL, "-");
	expect(p, mapping("UDP", 51820, "192.168.1.9", 51820, 3600),
	    PLUGIN_CRITICAL, "-");
	expect(p, mapping("TCP", 8443, "192.168.1.3", 443, 3600),
	    PLUGIN_CRITICAL, "-");
	/* permanent-lease is off: an unlisted permanent mapping is simply
	 * not allowed */
	expect(p, mapping("UDP", 3074, "192.168.1.20", 3074, 0),
	    PLUGIN_CRITICAL, "-");
	policy_free(p);
}
END_TEST

static Suite *shipped_suite(void)
{
	Suite *s = suite_create("policies shipped");
	TCase *tc = tcase_create("policies");

	tcase_add_test(tc, every_policy_loads);
	tcase_add_loop_test(tc, threats_everywhere, 0,
	    (int)(sizeof(shipped) / sizeof(shipped[0])));
	tcase_add_test(tc, home);
	tcase_add_test(tc, small_office);
	tcase_add_test(tc, strict_allowlist);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shipped_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
