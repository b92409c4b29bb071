/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * policy: load, validate and evaluate the YAML policy (see policy.h and the
 * schema comment at the top of policies/default.yaml).
 *
 * Loading runs in two passes.  The ydoc layer reads the document into a
 * tree of nodes with their positions, refusing anchors, aliases, tags,
 * non-scalar keys, duplicate keys, more than one document and nesting
 * beyond POLICY_DEPTH_MAX as the events arrive, so nothing is ever
 * expanded.  The tree is then applied to the sections below, each
 * described once as data (key, kind, destination, check), and copied into
 * struct policy.  Every error names the source and a 1-based line and
 * column.  Adding a key is one line in its section's table (plus its check,
 * and its default in policy_defaults).
 *
 * The built-in threat rules are a second YAML text compiled in below; they
 * are parsed first and the user's rules are merged on top of them.
 */
#include "file.h"
#include "mapchg.h"
#include "msg.h"
#include "neigh.h"
#include "policy.h"
#include "ydoc.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/*
 * The built-in threat rules, parsed before the user's rules.  Order matters
 * (first match wins): the critical rules come before the warnings.
 * "galleta silenciosa" is the mapping description left by the EternalSilence
 * UPnProxy campaign (Akamai, 2018).
 */
static const char policy_builtin_yaml[] =
	"- name: upnproxy-external-address\n"
	"  state: critical\n"
	"  client_is_external: true\n"
	"- name: upnproxy-outside-lan\n"
	"  state: critical\n"
	"  client_outside_lan: true\n"
	"- name: campaign-description\n"
	"  state: critical\n"
	"  description: \"[Gg][Aa][Ll][Ll][Ee][Tt][Aa][[:space:]_-]*"
	"[Ss][Ii][Ll][Ee][Nn][Cc][Ii][Oo][Ss][Aa]\"\n"
	"- name: risky-internal-port\n"
	"  state: critical\n"
	"  internal_port: [23, 139, 445, 3389]\n"
	"- name: permanent-lease\n"
	"  state: warning\n"
	"  permanent: true\n"
	"- name: remote-host-pinned\n"
	"  state: warning\n"
	"  remote_host_set: true\n";

/* ------------------------------------------------------------------ */
/* prefixes */

int
policy_prefix_parse(const char *s, struct policy_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t alen, i, maxbits, nbytes;
	unsigned bits;

	if (s == NULL || p == NULL)
		return -1;
	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		maxbits = 128;
	} else {
		return -1;
	}
	if (slash == NULL) {
		p->bits = (unsigned)maxbits;
		return 0;
	}
	/* 1 to 3 digits, nothing else. */
	bits = 0;
	for (i = 1; slash[i] != '\0'; i++) {
		if (i > 3 || slash[i] < '0' || slash[i] > '9')
			return -1;
		bits = bits * 10 + (unsigned)(slash[i] - '0');
	}
	if (i == 1 || bits > maxbits)
		return -1;
	p->bits = bits;
	/* Host bits are cleared: 192.168.1.7/24 means 192.168.1.0/24. */
	nbytes = maxbits / 8;
	for (i = 0; i < nbytes; i++) {
		unsigned keep = bits > i * 8 ? bits - (unsigned)i * 8 : 0;

		if (keep < 8)
			p->addr[i] &= (unsigned char)(0xffu << (8 - keep));
	}
	return 0;
}

/* Parse a plain address (an IPv6 zone "%if" is ignored). */
static int
addr_parse(const char *addr, int *family, unsigned char a[16])
{
	char buf[INET6_ADDRSTRLEN + 1];
	size_t len;

	if (addr == NULL)
		return -1;
	len = strcspn(addr, "%");
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, addr, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

static int
prefix_contains_raw(const struct policy_prefix *p, int family,
    const unsigned char a[16])
{
	static const unsigned char v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	unsigned full, rest;

	if (family != p->family) {
		/* ::ffff:a.b.c.d against an IPv4 prefix */
		if (p->family == AF_INET && family == AF_INET6 &&
		    memcmp(a, v4mapped, 12) == 0)
			a += 12;
		else
			return 0;
	}
	full = p->bits / 8;
	rest = p->bits % 8;
	if (memcmp(a, p->addr, full) != 0)
		return 0;
	if (rest != 0) {
		unsigned char mask = (unsigned char)(0xffu << (8 - rest));

		if ((a[full] & mask) != p->addr[full])
			return 0;
	}
	return 1;
}

int
policy_prefix_contains(const struct policy_prefix *p, const char *addr)
{
	unsigned char a[16];
	int family;

	if (p == NULL || addr_parse(addr, &family, a) < 0)
		return 0;
	return prefix_contains_raw(p, family, a);
}

static int
prefixes_contain(const struct policy_prefix *v, size_t n,
    const char *addr)
{
	unsigned char a[16];
	int family;
	size_t i;

	if (addr_parse(addr, &family, a) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (prefix_contains_raw(&v[i], family, a))
			return 1;
	return 0;
}

int
policy_in_lan(const struct policy *p, const char *addr)
{
	if (p == NULL)
		return 0;
	return prefixes_contain(p->portmap.lan, p->portmap.n_lan, addr);
}

/* Limits of the document (the byte limit bounds it too). */
#define POLICY_NODES_MAX	65536	/* nodes in one document */
#define POLICY_KEYS_MAX		64	/* pairs in one mapping */

static const struct ydoc_limits policy_limits = {
	POLICY_NODES_MAX, POLICY_KEYS_MAX, POLICY_RULES_MAX, POLICY_DEPTH_MAX,
	YDOC_STRICT_KEYS | YDOC_NO_NUL
};

/* A rule while the policy is assembled; the regex is compiled at the end
 * so that the final regex_t never moves. */
struct rule_tmp {
	struct policy_rule r;		/* has_description stays 0 here */
	char pattern[POLICY_STR_MAX];
	int has_pattern;
	size_t line, col;	/* of the rule's name */
	int used;		/* merge bookkeeping */
};

struct rules_tmp {
	struct rule_tmp *v;
	size_t n;
};

/* What the portmap section says about rules, merged after the walk. */
struct rules_spec {
	int builtin_rules;		/* default 1 */
	size_t disable;			/* the "disable" value node, 0 = none */
	struct rules_tmp user;
};

/* Everything a policy file sets: the base the section tables address. */
struct pload {
	struct policy p;
	struct rules_spec spec;
};

#define Q(nd, buf) YDOC_Q((nd), (buf))

/* ------------------------------------------------------------------ */
/* values */

/* { warning: RANGE, critical: RANGE }, each a range string or a number. */
static int
get_thresholds(struct ydoc *d, size_t node, const char *what, void *out)
{
	struct plugin_thresholds *th = out;
	const struct ydoc_node *nd = ydoc_node(d, node);
	size_t k;
	char qb[64];

	if (ydoc_expect_map(d, node, what) < 0)
		return -1;
	memset(th, 0, sizeof(*th));
	for (k = nd->first; k != 0;
	    k = ydoc_node(d, ydoc_node(d, k)->next)->next) {
		const struct ydoc_node *key = ydoc_node(d, k);
		const struct ydoc_node *val = ydoc_node(d, key->next);
		struct plugin_range *r;
		int *has;

		if (strcmp(key->str, "warning") == 0) {
			r = &th->warn;
			has = &th->has_warn;
		} else if (strcmp(key->str, "critical") == 0) {
			r = &th->crit;
			has = &th->has_crit;
		} else {
			ydoc_err(d, k, "unknown key \"%s\" in %s",
			    Q(key, qb), what);
			return -1;
		}
		if (ydoc_get_str(d, key->next, key->str, NULL,
		    sizeof(r->text)) < 0)
			return -1;
		if (plugin_range_parse(val->str, r) < 0) {
			ydoc_err(d, key->next, "%s.%s: bad range \"%s\"", what,
			    key->str, Q(val, qb));
			return -1;
		}
		*has = 1;
	}
	return 0;
}

static int
item_prefix(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	char qb[64];

	if (ydoc_get_str(d, node, what, NULL, INET6_ADDRSTRLEN + 8) < 0)
		return -1;
	if (policy_prefix_parse(nd->str, out) < 0) {
		ydoc_err(d, node, "%s: bad address or prefix \"%s\"", what,
		    Q(nd, qb));
		return -1;
	}
	return 0;
}

/* A port N, or "LO-HI", 1..65535. */
static int
parse_port(const char *s, unsigned *out, const char **end)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 6)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	*out = v;
	*end = s + i;
	return 0;
}

static int
item_ports(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	struct policy_ports *pp = out;
	const char *e;
	char qb[64];

	if (ydoc_get_str(d, node, what, NULL, 32) < 0)
		return -1;
	if (parse_port(nd->str, &pp->lo, &e) < 0)
		goto bad;
	pp->hi = pp->lo;
	if (*e == '-' && parse_port(e + 1, &pp->hi, &e) < 0)
		goto bad;
	if (*e != '\0')
		goto bad;
	if (pp->lo < 1 || pp->lo > 65535 || pp->hi < 1 || pp->hi > 65535) {
		ydoc_err(d, node, "%s: port %s is out of range 1..65535", what,
		    Q(nd, qb));
		return -1;
	}
	if (pp->lo > pp->hi) {
		ydoc_err(d, node, "%s: impossible port range \"%s\"", what,
		    Q(nd, qb));
		return -1;
	}
	return 0;
bad:
	ydoc_err(d, node, "%s: expected a port or a range LOW-HIGH, got \"%s\"",
	    what, Q(nd, qb));
	return -1;
}

static int
item_proto(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	unsigned *bits = out;
	char qb[64];

	if (ydoc_get_str(d, node, what, NULL, 8) < 0)
		return -1;
	if (strcasecmp(nd->str, "TCP") == 0) {
		*bits = POLICY_PROTO_TCP;
	} else if (strcasecmp(nd->str, "UDP") == 0) {
		*bits = POLICY_PROTO_UDP;
	} else {
		ydoc_err(d, node, "%s: unknown protocol \"%s\" (expected TCP or "
		    "UDP)", what, Q(nd, qb));
		return -1;
	}
	return 0;
}

static int
item_name(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	char qb[64];
	size_t i;

	if (ydoc_get_str(d, node, what, out, POLICY_NAME_MAX) < 0)
		return -1;
	for (i = 0; i < nd->len; i++) {
		char ch = nd->str[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		    ch == '-'))
			break;
	}
	if (nd->len == 0 || i < nd->len) {
		ydoc_err(d, node, "%s: bad name \"%s\" (use A-Z a-z 0-9 _ . -)",
		    what, Q(nd, qb));
		return -1;
	}
	return 0;
}

/* protocol: TCP, UDP or a list of them, into POLICY_PROTO_* bits. */
static int
get_protocols(struct ydoc *d, size_t node, const char *what, void *out)
{
	unsigned *bits = out, *pv;
	void *vp = NULL;
	size_t n = 0, j;

	if (ydoc_get_list(d, node, what, item_proto, sizeof(*pv),
	    POLICY_LIST_MAX, &vp, &n) < 0)
		return -1;
	pv = vp;
	for (j = 0; j < n; j++)
		*bits |= pv[j];
	free(pv);
	return 0;
}

/* description: a POSIX extended regex (char[POLICY_STR_MAX]). */
static int
get_pattern(struct ydoc *d, size_t node, const char *what, void *out)
{
	char *pattern = out, qb[64], eb[128];
	regex_t re;
	int e;

	if (ydoc_get_str(d, node, what, pattern, POLICY_STR_MAX) < 0)
		return -1;
	/* Compiled once here for the error; the kept copy is compiled where
	 * it finally lives. */
	e = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (e != 0) {
		regerror(e, &re, eb, sizeof(eb));
		ydoc_err(d, node, "description: bad regex \"%s\": %s",
		    ydoc_quote(pattern, strlen(pattern), qb, sizeof(qb)), eb);
		return -1;
	}
	regfree(&re);
	return 0;
}

/* status: a ConnectionStatus value, kept in its canonical spelling. */
static int
get_status(struct ydoc *d, size_t node, const char *what, void *out)
{
	/* The ConnectionStatus values of WANIPConnection/WANPPPConnection. */
	static const char *const st[] = {
		"Unconfigured", "Connecting", "Connected", "PendingDisconnect",
		"Disconnecting", "Disconnected",
	};
	const struct ydoc_node *nd = ydoc_node(d, node);
	char *status = out, qb[64];
	size_t j;

	if (ydoc_get_str(d, node, what, NULL,
	    sizeof(((struct policy_wan *)NULL)->status)) < 0)
		return -1;
	for (j = 0; j < sizeof(st) / sizeof(st[0]); j++) {
		if (strcasecmp(nd->str, st[j]) == 0) {
			/* the canonical spelling, as devices report it */
			memcpy(status, st[j], strlen(st[j]) + 1);
			return 0;
		}
	}
	ydoc_err(d, node, "status: unknown connection status \"%s\"",
	    Q(nd, qb));
	return -1;
}

static int
get_list_method(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	enum igd_list_method *m = out;
	char qb[64];

	if (ydoc_get_str(d, node, what, NULL, 16) < 0)
		return -1;
	if (strcasecmp(nd->str, "auto") == 0)
		*m = IGD_LIST_AUTO;
	else if (strcasecmp(nd->str, "list") == 0)
		*m = IGD_LIST_LIST;
	else if (strcasecmp(nd->str, "walk") == 0)
		*m = IGD_LIST_WALK;
	else {
		ydoc_err(d, node, "list_method: expected auto, list or walk, "
		    "got \"%s\"", Q(nd, qb));
		return -1;
	}
	return 0;
}

/* disable: built-in rule names, checked here for form and against the
 * built-ins when the rules are merged (the node is kept). */
static int
get_disable(struct ydoc *d, size_t node, const char *what, void *out)
{
	void *vp = NULL;
	size_t n = 0;
	int rc;

	rc = ydoc_get_list(d, node, what, item_name, POLICY_NAME_MAX,
	    POLICY_LIST_MAX, &vp, &n);
	free(vp);
	*(size_t *)out = node;
	return rc;
}

/* internal_mac: a MAC address, a prefix of 3 to 5 octets, or "unknown". */
static int
item_mac(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	struct policy_mac *pm = out;
	char qb[64];
	int n;

	if (ydoc_get_str(d, node, what, NULL, 32) < 0)
		return -1;
	memset(pm, 0, sizeof(*pm));
	if (strcasecmp(nd->str, "unknown") == 0)
		return 0;
	n = neigh_mac_parse(nd->str, pm->mac);
	if (n < 3) {
		ydoc_err(d, node, "%s: expected a MAC address (b8:27:eb:12:34:56), "
		    "a prefix of 3 to 5 octets (b8:27:eb) or unknown, got \"%s\"",
		    what, Q(nd, qb));
		return -1;
	}
	pm->octets = (unsigned)n;
	return 0;
}

/* older_than, newer_than: seconds, or a number with one unit s m h d w
 * ("90m", "30d"); at least 1 s, at most about 290 years. */
static int
get_duration(struct ydoc *d, size_t node, const char *what, void *out)
{
	static const struct { char unit; long long secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 },
	};
	const struct ydoc_node *nd = ydoc_node(d, node);
	long long v = 0, mul = 1;
	size_t i, j;
	char qb[64];

	if (nd->type != YDOC_SCALAR || ydoc_is_null(nd)) {
		ydoc_err(d, node, "%s: expected a duration (3600, 90m, 12h, 30d, "
		    "2w), got %s", what, ydoc_type_name(nd));
		return -1;
	}
	if (ydoc_get_str(d, node, what, NULL, 32) < 0)
		return -1;
	for (i = 0; nd->str[i] >= '0' && nd->str[i] <= '9' && i < 12; i++)
		v = v * 10 + (nd->str[i] - '0');
	if (i > 0 && nd->str[i] != '\0' && nd->str[i + 1] == '\0') {
		for (j = 0; j < sizeof(units) / sizeof(units[0]); j++)
			if (nd->str[i] == units[j].unit)
				break;
		if (j < sizeof(units) / sizeof(units[0])) {
			mul = units[j].secs;
			i++;
		}
	}
	if (i == 0 || nd->str[i] != '\0') {
		ydoc_err(d, node, "%s: expected a duration (3600, 90m, 12h, 30d, "
		    "2w), got \"%s\"", what, Q(nd, qb));
		return -1;
	}
	if (v < 1 || v > (long long)9e12 / mul) {
		ydoc_err(d, node, "%s: duration %s is out of range (1 s to "
		    "9000000000000 s)", what, Q(nd, qb));
		return -1;
	}
	*(long long *)out = v * mul;
	return 0;
}

static int
check_address(struct ydoc *d, size_t node, void *base)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	unsigned char a[16];
	int fam;
	char qb[64];

	(void)base;
	if (addr_parse(nd->str, &fam, a) < 0) {
		ydoc_err(d, node, "expect: bad address \"%s\"", Q(nd, qb));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* rules */

static void
rule_clear(struct policy_rule *r)
{
	free(r->ext_ports);
	free(r->int_ports);
	free(r->clients);
	free(r->remotes);
	free(r->macs);
	if (r->has_description)
		regfree(&r->description);
	memset(r, 0, sizeof(*r));
}

static void
rules_tmp_free(struct rules_tmp *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_clear(&rs->v[i].r);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

#define RF(m) offsetof(struct rule_tmp, m)
#define LIST(key, fn, type, m) { key, YDOC_K_LIST, RF(r.m), sizeof(type), 0, \
	POLICY_LIST_MAX, fn, RF(r.n_##m), NULL, 0, NULL, 0 }

/* A rule, one line a key (the order gives the RK_ indexes below). */
static const struct ydoc_field rule_fields[] = {
	{ "name", YDOC_K_FN, RF(r.name), 0, 0, 0, item_name, 0, NULL, 0, NULL, 0 },
	{ "state", YDOC_K_STATE, RF(r.state), 0, 0, 0, NULL, 0, NULL, 0, NULL, 0 },
	{ "protocol", YDOC_K_FN, RF(r.protocols), 0, 0, 0, get_protocols, 0,
	    NULL, 0, NULL, 0 },
	LIST("external_port", item_ports, struct policy_ports, ext_ports),
	LIST("internal_port", item_ports, struct policy_ports, int_ports),
	LIST("internal_client", item_prefix, struct policy_prefix, clients),
	LIST("remote_host", item_prefix, struct policy_prefix, remotes),
	{ "client_outside_lan", YDOC_K_BOOL, RF(r.client_outside_lan), 0, 0, 0,
	    NULL, 0, NULL, 0, NULL, 0 },
	{ "client_is_external", YDOC_K_BOOL, RF(r.client_is_external), 0, 0, 0,
	    NULL, 0, NULL, 0, NULL, 0 },
	{ "remote_host_set", YDOC_K_BOOL, RF(r.remote_set), 0, 0, 0, NULL, 0,
	    NULL, 0, NULL, 0 },
	{ "description", YDOC_K_FN, RF(pattern), 0, 0, 0, get_pattern, 0, NULL,
	    0, NULL, 0 },
	{ "permanent", YDOC_K_BOOL, RF(r.permanent), 0, 0, 0, NULL, 0, NULL, 0,
	    NULL, 0 },
	{ "lease_above", YDOC_K_INT, RF(r.lease_above), sizeof(long long), 0,
	    LLONG_MAX, NULL, 0, NULL, 0, NULL, 0 },
	{ "max_lease", YDOC_K_INT, RF(r.max_lease), sizeof(long long), 1,
	    LLONG_MAX, NULL, 0, NULL, 0, NULL, 0 },
	{ "enabled", YDOC_K_BOOL, RF(r.enabled), 0, 0, 0, NULL, 0, NULL, 0,
	    NULL, 0 },
	LIST("internal_mac", item_mac, struct policy_mac, macs),
	{ "older_than", YDOC_K_FN, RF(r.older_than), 0, 0, 0, get_duration, 0,
	    NULL, 0, NULL, 0 },
	{ "newer_than", YDOC_K_FN, RF(r.newer_than), 0, 0, 0, get_duration, 0,
	    NULL, 0, NULL, 0 },
};
enum { RK_NAME, RK_STATE, RK_REMOTE = 6, RK_REMOTE_SET = 9, RK_DESC,
	RK_MAX_LEASE = 13, RK_NEWER = 17,
	RK_N = sizeof(rule_fields) / sizeof(rule_fields[0]) };

static int
parse_rule(struct ydoc *d, size_t node, struct rule_tmp *rt)
{
	struct policy_rule *r = &rt->r;
	size_t at[RK_N];

	memset(rt, 0, sizeof(*rt));
	r->remote_set = -1;
	r->permanent = -1;
	r->lease_above = -1;
	r->max_lease = -1;
	r->enabled = -1;
	r->older_than = -1;
	r->newer_than = -1;
	if (ydoc_fields(d, node, "rule", rule_fields, RK_N, rt, at) < 0)
		return -1;
	if (at[RK_NAME] == 0) {
		ydoc_err(d, node, "rule has no name");
		return -1;
	}
	rt->line = ydoc_node(d, ydoc_node(d, at[RK_NAME])->next)->line;
	rt->col = ydoc_node(d, ydoc_node(d, at[RK_NAME])->next)->col;
	rt->has_pattern = at[RK_DESC] != 0;
	if (at[RK_STATE] == 0) {
		ydoc_err(d, node, "rule \"%s\" has no state", r->name);
		return -1;
	}
	/* Combinations that can never match are mistakes. */
	if (at[RK_REMOTE] != 0 && at[RK_REMOTE_SET] != 0 &&
	    r->remote_set == 0) {
		ydoc_err(d, at[RK_REMOTE], "rule \"%s\": remote_host with "
		    "remote_host_set: false can never match", r->name);
		return -1;
	}
	if (at[RK_MAX_LEASE] != 0 && r->permanent == 1) {
		ydoc_err(d, at[RK_MAX_LEASE], "rule \"%s\": max_lease with "
		    "permanent: true can never match", r->name);
		return -1;
	}
	if (at[RK_MAX_LEASE] != 0 && r->lease_above >= 0 &&
	    r->max_lease <= r->lease_above) {
		ydoc_err(d, at[RK_MAX_LEASE], "rule \"%s\": max_lease %lld is "
		    "not above lease_above %lld, can never match", r->name,
		    r->max_lease, r->lease_above);
		return -1;
	}
	if (r->newer_than >= 0 && r->older_than >= 0 &&
	    r->newer_than <= r->older_than) {
		ydoc_err(d, at[RK_NEWER], "rule \"%s\": newer_than %llds is "
		    "not above older_than %llds, can never match", r->name,
		    r->newer_than, r->older_than);
		return -1;
	}
	return 0;
}

static int
parse_rules(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	struct rules_tmp *rs = out;
	size_t k, j;

	if (nd->type != YDOC_SEQ) {
		ydoc_err(d, node, "%s: expected a list, got %s", what,
		    ydoc_type_name(nd));
		return -1;
	}
	rs->v = calloc(nd->n ? nd->n : 1, sizeof(*rs->v));
	if (rs->v == NULL) {
		ydoc_err(d, node, "out of memory");
		return -1;
	}
	rs->n = 0;
	for (k = nd->first; k != 0; k = ydoc_node(d, k)->next) {
		struct rule_tmp *rt = &rs->v[rs->n];

		if (parse_rule(d, k, rt) < 0) {
			rule_clear(&rt->r);
			return -1;
		}
		rs->n++;
		for (j = 0; j + 1 < rs->n; j++) {
			if (strcmp(rs->v[j].r.name, rt->r.name) == 0) {
				ydoc_err_at(d, rt->line, rt->col, "duplicate "
				    "rule name \"%s\" (first at line %zu)",
				    rt->r.name, rs->v[j].line);
				return -1;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* sections: one line a key */

#define PF(m) offsetof(struct pload, m)
#define STATE(key, m) { key, YDOC_K_STATE, PF(m), 0, 0, 0, NULL, 0, NULL, 0, \
	NULL, 0 }
#define STR(key, m) { key, YDOC_K_STR, PF(m), \
	sizeof(((struct pload *)NULL)->m), 0, 0, NULL, 0, NULL, 0, NULL, 0 }
#define FN(key, m, fn) { key, YDOC_K_FN, PF(m), 0, 0, 0, fn, 0, NULL, 0, \
	NULL, 0 }
#define MAP(key, sub, flags) { key, YDOC_K_MAP, 0, 0, 0, 0, NULL, 0, sub, \
	sizeof(sub) / sizeof(sub[0]), NULL, flags }

static const struct ydoc_field present_fields[] = {
	{ "expect_count", YDOC_K_INT, PF(p.present.expect_count), sizeof(int),
	    0, 1000, NULL, 0, NULL, 0, NULL, 0 },
	STATE("count_state", p.present.count_state),
	STATE("missing_state", p.present.missing_state),
	STATE("mismatch_state", p.present.mismatch_state),
	STR("udn", p.present.udn),
	STR("model", p.present.model),
	STR("location", p.present.location),
};

static const struct ydoc_field external_fields[] = {
	{ "expect", YDOC_K_STR, PF(p.wan.external_address),
	    sizeof(((struct pload *)NULL)->p.wan.external_address), 0, 0, NULL,
	    0, NULL, 0, check_address, 0 },
	STATE("mismatch", p.wan.external_mismatch_state),
	STATE("private", p.wan.private_state),
};

static const struct ydoc_field wan_fields[] = {
	FN("status", p.wan.status, get_status),
	STATE("status_state", p.wan.status_state),
	STATE("unused_state", p.wan.unused_state),
	MAP("external_address", external_fields, 0),
	FN("uptime", p.wan.uptime, get_thresholds),
	FN("rx_rate", p.wan.rx_rate, get_thresholds),
	FN("tx_rate", p.wan.tx_rate, get_thresholds),
	FN("link_up", p.wan.link_up, get_thresholds),
	FN("link_down", p.wan.link_down, get_thresholds),
};

static const struct ydoc_field changes_fields[] = {
	STATE("new", p.portmap.new_state),
	STATE("changed", p.portmap.changed_state),
	STATE("gone", p.portmap.gone_state),
	{ "hold", YDOC_K_INT, PF(p.portmap.hold), sizeof(long long), 0,
	    POLICY_HOLD_MAX, NULL, 0, NULL, 0, NULL, 0 },
};

static const struct ydoc_field portmap_fields[] = {
	{ "lan", YDOC_K_LIST, PF(p.portmap.lan), sizeof(struct policy_prefix),
	    0, POLICY_LIST_MAX, item_prefix, PF(p.portmap.n_lan), NULL, 0,
	    NULL, 0 },
	STATE("default", p.portmap.default_state),
	STATE("unjudged", p.portmap.unjudged_state),
	FN("max_entries", p.portmap.max_entries, get_thresholds),
	FN("list_method", p.portmap.list_method, get_list_method),
	MAP("changes", changes_fields, 0),
	{ "builtin_rules", YDOC_K_BOOL, PF(spec.builtin_rules), 0, 0, 0, NULL,
	    0, NULL, 0, NULL, 0 },
	FN("disable", spec.disable, get_disable),
	FN("rules", spec.user, parse_rules),
};

static const struct ydoc_field state_fields[] = {
	STATE("unusable", p.state_unusable),
};

/* The whole policy; version is read first, by load_tree. */
static const struct ydoc_field policy_fields[] = {
	{ "version", YDOC_K_SKIP, 0, 0, 0, 0, NULL, 0, NULL, 0, NULL, 0 },
	MAP("state", state_fields, YDOC_F_NULL_OK),
	MAP("present", present_fields, YDOC_F_NULL_OK),
	MAP("wan", wan_fields, YDOC_F_NULL_OK),
	MAP("portmap", portmap_fields, YDOC_F_NULL_OK),
};

/* What counts as inside when portmap.lan is not given. */
static const char *const policy_default_lan[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10",
};
#define DEFAULT_LAN_N (sizeof(policy_default_lan) / sizeof(policy_default_lan[0]))

static void
policy_defaults(struct policy *p)
{
	size_t i;

	p->present.expect_count = 1;
	p->present.count_state = PLUGIN_WARNING;
	p->present.missing_state = PLUGIN_CRITICAL;
	p->present.mismatch_state = PLUGIN_CRITICAL;
	memcpy(p->wan.status, "Connected", sizeof("Connected"));
	p->wan.status_state = PLUGIN_CRITICAL;
	p->wan.unused_state = PLUGIN_OK;
	p->wan.external_mismatch_state = PLUGIN_CRITICAL;
	p->wan.private_state = PLUGIN_WARNING;
	p->portmap.default_state = PLUGIN_OK;
	p->portmap.unjudged_state = PLUGIN_WARNING;
	p->state_unusable = PLUGIN_WARNING;
	p->portmap.new_state = PLUGIN_WARNING;
	p->portmap.changed_state = POLICY_STATE_UNSET;	/* as new_state */
	p->portmap.gone_state = PLUGIN_OK;
	p->portmap.hold = MAPCHG_HOLD_DEFAULT;
	p->portmap.list_method = IGD_LIST_AUTO;
	/* lan was allocated by the caller with room for these */
	for (i = 0; i < DEFAULT_LAN_N; i++)
		(void)policy_prefix_parse(policy_default_lan[i],
		    &p->portmap.lan[i]);
	p->portmap.n_lan = DEFAULT_LAN_N;
}

/* ------------------------------------------------------------------ */
/* assembly */

/* Parse the compiled-in threat rules (messages into err). */
static int
load_builtins(struct rules_tmp *b, char *err, size_t errlen)
{
	struct ydoc *d;
	size_t root;
	size_t i;
	int rc;

	if (ydoc_open(&d, "(builtin rules)", policy_builtin_yaml,
	    sizeof(policy_builtin_yaml) - 1, &policy_limits, err, errlen) < 0)
		return -1;
	rc = ydoc_read(d, &root) == 1 ? parse_rules(d, root, "rules", b) : -1;
	ydoc_free(d);
	for (i = 0; i < b->n; i++)
		b->v[i].r.builtin = 1;
	return rc;
}

static int
name_in(const struct ydoc *d, size_t list, const char *name)
{
	const struct ydoc_node *nd;
	size_t k;

	if (list == 0)
		return 0;
	nd = ydoc_node(d, list);
	if (nd->type == YDOC_SCALAR)
		return strcmp(nd->str, name) == 0;
	for (k = nd->first; k != 0; k = ydoc_node(d, k)->next)
		if (strcmp(ydoc_node(d, k)->str, name) == 0)
			return 1;
	return 0;
}

/* Move a rule into its final place and compile its regex there. */
static int
rule_place(struct ydoc *d, struct rule_tmp *from, struct policy_rule *to)
{
	int e;

	*to = from->r;
	memset(&from->r, 0, sizeof(from->r));	/* ownership moved */
	if (from->has_pattern) {
		e = regcomp(&to->description, from->pattern,
		    REG_EXTENDED | REG_NOSUB);
		if (e != 0) {
			ydoc_err_at(d, from->line, from->col, "rule \"%s\": "
			    "cannot compile description", to->name);
			return -1;
		}
		to->has_description = 1;
	}
	return 0;
}

/*
 * Built-ins first (minus disabled ones, each replaced in place by a user
 * rule of the same name), then the remaining user rules in order.
 */
static int
merge_rules(struct ydoc *d, char *err, size_t errlen, struct rules_spec *spec,
    struct policy_portmap *pm)
{
	struct rules_tmp b = { NULL, 0 };
	struct rules_tmp *u = &spec->user;
	size_t i, j, n = 0;
	int rc = -1;
	char qb[64];

	if (load_builtins(&b, err, errlen) < 0)
		goto out;
	/* Every disabled name must be a built-in one, not also redefined. */
	if (spec->disable != 0) {
		const struct ydoc_node *dl = ydoc_node(d, spec->disable);
		size_t k = dl->type == YDOC_SEQ ? dl->first : spec->disable;

		for (; k != 0;
		    k = dl->type == YDOC_SEQ ? ydoc_node(d, k)->next : 0) {
			const struct ydoc_node *it = ydoc_node(d, k);

			for (j = 0; j < b.n; j++)
				if (strcmp(b.v[j].r.name, it->str) == 0)
					break;
			if (j == b.n) {
				ydoc_err(d, k, "disable: no built-in rule "
				    "named \"%s\"", Q(it, qb));
				goto out;
			}
			for (j = 0; j < u->n; j++) {
				if (strcmp(u->v[j].r.name, it->str) == 0) {
					ydoc_err(d, k, "disable: rule \"%s\" "
					    "is redefined at line %zu; remove "
					    "one of the two", it->str,
					    u->v[j].line);
					goto out;
				}
			}
		}
	}
	pm->rules = calloc(b.n + u->n + 1, sizeof(*pm->rules));
	if (pm->rules == NULL) {
		ydoc_err_file(d, "out of memory");
		goto out;
	}
	if (spec->builtin_rules) {
		for (i = 0; i < b.n; i++) {
			struct rule_tmp *src = &b.v[i];

			if (name_in(d, spec->disable, src->r.name))
				continue;
			for (j = 0; j < u->n; j++) {
				if (!u->v[j].used &&
				    strcmp(u->v[j].r.name, src->r.name) == 0) {
					src = &u->v[j];
					src->used = 1;
					break;
				}
			}
			if (rule_place(d, src, &pm->rules[n++]) < 0)
				goto out;
		}
	}
	for (j = 0; j < u->n; j++) {
		if (u->v[j].used)
			continue;
		if (rule_place(d, &u->v[j], &pm->rules[n++]) < 0)
			goto out;
	}
	rc = 0;
out:
	pm->n_rules = n;
	rules_tmp_free(&b);
	return rc;
}

/* The document's root into pl; 0 or -1 with a message. */
static int
load_root(struct ydoc *d, size_t root, struct pload *pl)
{
	const struct ydoc_node *nd = ydoc_node(d, root);
	size_t k, vk = 0;
	long long v;
	char qb[64];

	if (ydoc_is_null(nd)) {
		ydoc_err(d, root, "empty policy");
		return -1;
	}
	if (nd->type != YDOC_MAP) {
		ydoc_err(d, root, "the policy must be a mapping, got %s",
		    ydoc_type_name(nd));
		return -1;
	}
	/* version first, so that a newer file fails on its version rather
	 * than on the first key this version does not know */
	for (k = nd->first; k != 0;
	    k = ydoc_node(d, ydoc_node(d, k)->next)->next)
		if (strcmp(ydoc_node(d, k)->str, "version") == 0)
			vk = ydoc_node(d, k)->next;
	if (vk == 0) {
		ydoc_err(d, root, "missing \"version: 1\"");
		return -1;
	}
	if (ydoc_get_int(d, vk, "version", LLONG_MIN, LLONG_MAX, &v) < 0)
		return -1;
	if (v != 1) {
		ydoc_err(d, vk, "unsupported policy version %s (this program "
		    "reads version 1)", Q(ydoc_node(d, vk), qb));
		return -1;
	}
	return ydoc_fields(d, root, "the policy", policy_fields,
	    sizeof(policy_fields) / sizeof(policy_fields[0]), pl, NULL);
}

/* Free what p holds (not p itself). */
static void
policy_clear(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->portmap.n_rules; i++)
		rule_clear(&p->portmap.rules[i]);
	free(p->portmap.rules);
	free(p->portmap.lan);
}

/* The policy's source name, its tail kept when too long. */
static void
set_source(struct policy *p, const char *name)
{
	int k;

	k = snprintf(p->source, sizeof(p->source), "%s", name);
	if (k < 0) {
		memcpy(p->source, "(policy)", sizeof("(policy)"));
	} else if ((size_t)k >= sizeof(p->source)) {
		/* keep the tail, the part that tells files apart */
		size_t nl = strlen(name);

		memcpy(p->source, "...", 3);
		memcpy(p->source + 3, name + nl - (sizeof(p->source) - 4),
		    sizeof(p->source) - 4);
		p->source[sizeof(p->source) - 1] = '\0';
	}
}

int
policy_load_buffer(const char *name, const char *buf, size_t len,
    struct policy **out, char *err, size_t errlen)
{
	struct pload pl;
	struct ydoc *d = NULL;
	size_t root;
	int rc = -1, k;

	name = name ? name : "(policy)";
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || (buf == NULL && len > 0)) {
		msg_at(err, errlen, name, 0, 0, "invalid arguments");
		return -1;
	}
	*out = NULL;
	if (len > POLICY_FILE_MAX) {
		msg_at(err, errlen, name, 0, 0, "larger than %d bytes",
		    POLICY_FILE_MAX);
		return -1;
	}
	if (len == 0) {
		msg_at(err, errlen, name, 0, 0, "empty policy");
		return -1;
	}
	memset(&pl, 0, sizeof(pl));
	pl.spec.builtin_rules = 1;
	pl.p.portmap.lan = calloc(DEFAULT_LAN_N, sizeof(*pl.p.portmap.lan));
	if (pl.p.portmap.lan == NULL) {
		msg_at(err, errlen, name, 0, 0, "out of memory");
		return -1;
	}
	set_source(&pl.p, name);
	policy_defaults(&pl.p);
	k = ydoc_open(&d, name, buf, len, &policy_limits, err, errlen);
	if (k == 0)
		ydoc_err_file(d, "empty policy");
	if (k <= 0 || ydoc_read(d, &root) != 1 || ydoc_close(d) < 0 ||
	    load_root(d, root, &pl) < 0 ||
	    merge_rules(d, err, errlen, &pl.spec, &pl.p.portmap) < 0)
		goto out;
	if (pl.p.portmap.changed_state == POLICY_STATE_UNSET)
		pl.p.portmap.changed_state = pl.p.portmap.new_state;
	*out = malloc(sizeof(**out));
	if (*out == NULL) {
		ydoc_err_file(d, "out of memory");
		goto out;
	}
	**out = pl.p;
	memset(&pl.p, 0, sizeof(pl.p));		/* ownership moved */
	rc = 0;
out:
	rules_tmp_free(&pl.spec.user);
	policy_clear(&pl.p);
	ydoc_free(d);
	return rc;
}

int
policy_load_file(const char *path, struct policy **out, char *err,
    size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL) {
		msg_at(err, errlen, path ? path : "(null)", 0, 0,
		    "invalid arguments");
		return -1;
	}
	*out = NULL;
	if (file_load(path, POLICY_FILE_MAX, &buf, &len, err, errlen) < 0)
		return -1;
	rc = policy_load_buffer(path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}

int
policy_load_default(struct policy **out, char *err, size_t errlen)
{
	return policy_load_buffer("(default)", policy_default_yaml,
	    policy_default_yaml_len, out, err, errlen);
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	policy_clear(p);
	free(p);
}

/* ------------------------------------------------------------------ */
/* evaluation */

static int
ports_contain(const struct policy_ports *v, size_t n,
    unsigned port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (port >= v[i].lo && port <= v[i].hi)
			return 1;
	return 0;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* 1 when a MAC item of r matches what f knows of the client (an unknown
 * MAC address matches only the item "unknown"). */
static int
macs_match(const struct policy_rule *r, const struct policy_facts *f)
{
	int known = f != NULL && f->have_mac;

	for (size_t i = 0; i < r->n_macs; i++) {
		const struct policy_mac *pm = &r->macs[i];

		if (pm->octets == 0 ? !known :
		    known && memcmp(pm->mac, f->mac, pm->octets) == 0)
			return 1;
	}
	return 0;
}

unsigned
policy_rule_needs(const struct policy_rule *r, const struct igd_mapping *m,
    const struct policy_facts *f)
{
	unsigned need = 0;

	if (r->n_int_ports != 0 && m->internal_port == 0)
		need |= POLICY_NEED_PORT;
	/* a rule that lists "unknown" judges an unknown MAC address */
	if (r->n_macs != 0 && (f == NULL || !f->have_mac) &&
	    !macs_match(r, f))
		need |= POLICY_NEED_MAC;
	if ((r->older_than >= 0 || r->newer_than >= 0) &&
	    (f == NULL || !f->have_age))
		need |= POLICY_NEED_AGE;
	return need;
}

/* 1 when r matches m.  A rule that needs a fact m and f lack
 * (policy_rule_needs) does not match; when unsure is not NULL and the rule
 * matches on everything else, *unsure gets the facts it needs. */
static int
rule_matches(const struct policy *p, const struct policy_rule *r,
    const struct igd_mapping *m, const struct policy_facts *f,
    unsigned *unsure)
{
	unsigned need = policy_rule_needs(r, m, f);
	const char *client = m->internal_client;
	const char *remote = m->remote_host;
	const char *ext = f != NULL ? f->external_address : NULL;

	if (need != 0 && unsure == NULL)
		return 0;
	if (r->protocols != 0) {
		unsigned bit = 0;

		if (strcasecmp(m->protocol, "TCP") == 0)
			bit = POLICY_PROTO_TCP;
		else if (strcasecmp(m->protocol, "UDP") == 0)
			bit = POLICY_PROTO_UDP;
		if ((r->protocols & bit) == 0)
			return 0;
	}
	if (r->n_ext_ports != 0 &&
	    !ports_contain(r->ext_ports, r->n_ext_ports, m->external_port))
		return 0;
	if (r->n_int_ports != 0 && !(need & POLICY_NEED_PORT) &&
	    !ports_contain(r->int_ports, r->n_int_ports, m->internal_port))
		return 0;
	if (r->n_clients != 0 &&
	    !prefixes_contain(r->clients, r->n_clients, client))
		return 0;
	/* An unparsable client counts as outside: fail closed. */
	if (r->client_outside_lan && policy_in_lan(p, client))
		return 0;
	if (r->client_is_external &&
	    (ext == NULL || ext[0] == '\0' || strcmp(client, ext) != 0))
		return 0;
	if (r->n_remotes != 0 &&
	    !prefixes_contain(r->remotes, r->n_remotes, remote))
		return 0;
	if (r->remote_set >= 0 && (remote[0] != '\0') != r->remote_set)
		return 0;
	if (r->has_description &&
	    regexec(&r->description, nz(m->description), 0, NULL, 0) != 0)
		return 0;
	if (r->permanent >= 0 && (m->lease == 0) != r->permanent)
		return 0;
	if (r->lease_above >= 0 && !(m->lease == 0 || m->lease > r->lease_above))
		return 0;
	if (r->max_lease >= 0 && !(m->lease > 0 && m->lease <= r->max_lease))
		return 0;
	if (r->enabled >= 0 && (m->enabled != 0) != r->enabled)
		return 0;
	if (r->n_macs != 0 && !(need & POLICY_NEED_MAC) && !macs_match(r, f))
		return 0;
	if (!(need & POLICY_NEED_AGE) && ((r->older_than >= 0 &&
	    f->age < r->older_than) || (r->newer_than >= 0 &&
	    f->age >= r->newer_than)))
		return 0;
	if (need != 0) {
		*unsure = need;
		return 0;
	}
	return 1;
}

const struct policy_rule *
policy_match(const struct policy *p,
    const struct igd_mapping *m, const struct policy_facts *f)
{
	size_t i;

	if (p == NULL || m == NULL)
		return NULL;
	for (i = 0; i < p->portmap.n_rules; i++)
		if (rule_matches(p, &p->portmap.rules[i], m, f,
		    NULL))
			return &p->portmap.rules[i];
	return NULL;
}

const struct policy_rule *
policy_match_unjudged(const struct policy *p,
    const struct igd_mapping *m, const struct policy_facts *f,
    const struct policy_rule **unjudged)
{
	size_t i;

	*unjudged = NULL;
	if (p == NULL || m == NULL)
		return NULL;
	for (i = 0; i < p->portmap.n_rules; i++) {
		unsigned unsure = 0;

		if (rule_matches(p, &p->portmap.rules[i], m, f,
		    &unsure))
			return &p->portmap.rules[i];
		/* the worst of them, the first on a tie */
		if (unsure && (*unjudged == NULL ||
		    p->portmap.rules[i].state > (*unjudged)->state))
			*unjudged = &p->portmap.rules[i];
	}
	return NULL;
}
