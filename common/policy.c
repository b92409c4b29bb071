/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * policy: load, validate and evaluate the YAML policy (see policy.h and the
 * schema comment at the top of policies/default.yaml).
 *
 * Loading runs in two passes.  The libyaml event stream is turned into a
 * small tree of scalars, sequences and mappings that keeps every node's
 * start mark; anchors, aliases, tags, non-scalar keys, duplicate keys, more
 * than one document and nesting beyond POLICY_DEPTH_MAX are refused while the
 * events arrive, so nothing is ever expanded.  The tree is then checked
 * against the schema and copied into struct policy.  Every error names the
 * source and a 1-based line and column.
 *
 * The built-in threat rules are a second YAML text compiled in below; they
 * are parsed first and the user's rules are merged on top of them.
 */
#include "msg.h"
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* Limits of the intermediate tree (the byte limit bounds it too). */
#define POLICY_NODES_MAX	65536	/* nodes in one document */
#define POLICY_KEYS_MAX		64	/* pairs in one mapping */
#define POLICY_QUOTE_MAX	40	/* characters of file text quoted in a message */

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

enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP };

/* One node of the intermediate tree; children are linked by index. */
struct ynode {
	enum ynode_type type;
	int plain;		/* scalar written without quotes */
	yaml_mark_t mark;	/* where the node (or its key) starts */
	char *str;		/* scalar value, NUL-terminated (no inner NUL) */
	size_t len;
	size_t n;		/* children (a mapping: keys and values) */
	size_t first, last, next;	/* child/sibling links, 0 = none */
};

struct ytree {
	struct ynode *v;	/* v[0] is unused so that 0 means "none" */
	size_t n, cap;
	size_t root;
};

/* Loader state: where messages go. */
struct pctx {
	const char *name;
	char *err;
	size_t errlen;
};

/* A rule while the policy is assembled; the regex is compiled at the end
 * so that the final regex_t never moves. */
struct rule_tmp {
	struct policy_rule r;		/* has_description stays 0 here */
	int has_pattern;
	char pattern[POLICY_STR_MAX];
	yaml_mark_t mark;	/* of the rule's name */
	int used;		/* merge bookkeeping */
};

struct rules_tmp {
	struct rule_tmp *v;
	size_t n;
};

/* ------------------------------------------------------------------ */
/* messages */

/* Write "NAME:LINE:COL: message" (line/col 1-based) into the error buffer.
 * A message cut by a short buffer is still NUL-terminated, which is all
 * an error needs. */
static void perr_at(const struct pctx *c, size_t line, size_t col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void perr_at(const struct pctx *c, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vat(c->err, c->errlen, c->name, line, col, fmt, ap);
	va_end(ap);
}

#define perr_mark(c, m, ...) \
	perr_at((c), (size_t)(m).line + 1, (size_t)(m).column + 1, __VA_ARGS__)
#define perr_node(c, nd, ...) perr_mark((c), (nd)->mark, __VA_ARGS__)
#define perr_file(c, ...) perr_at((c), 0, 0, __VA_ARGS__)

/* Copy text from the file into out for quoting in a message: printable
 * ASCII kept, everything else '?', cut at POLICY_QUOTE_MAX with "...". */
static const char *quote(const char *s, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && o + 4 < outlen; i++) {
		if (i == POLICY_QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	out[o] = '\0';
	return out;
}

#define Q(s, buf) quote((s), (buf), sizeof(buf))

/* ------------------------------------------------------------------ */
/* pass 1: events to tree */

static void tree_free(struct ytree *t)
{
	size_t i;

	if (t->v != NULL)
		for (i = 1; i < t->n; i++)
			free(t->v[i].str);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* Append a node as the last child of parent (0 = the root).  Returns its
 * index, or 0 when out of nodes or memory (message written). */
static size_t tree_add(struct pctx *c, struct ytree *t, size_t parent,
    enum ynode_type type, yaml_mark_t mark)
{
	struct ynode *nd;
	size_t i;

	if (t->n >= POLICY_NODES_MAX + 1) {
		perr_mark(c, mark, "too many nodes (more than %d)",
		    POLICY_NODES_MAX);
		return 0;
	}
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct ynode *nv = realloc(t->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			perr_mark(c, mark, "out of memory");
			return 0;
		}
		t->v = nv;
		t->cap = ncap;
		if (t->n == 0)
			t->n = 1;	/* reserve index 0 */
	}
	i = t->n++;
	nd = &t->v[i];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->mark = mark;
	if (parent != 0) {
		struct ynode *p = &t->v[parent];

		if (p->last != 0)
			t->v[p->last].next = i;
		else
			p->first = i;
		p->last = i;
		p->n++;
	} else {
		t->root = i;
	}
	return i;
}

/* Check that a new child fits in parent; for a mapping key, that it is a
 * scalar and not a duplicate. */
static int tree_check_child(struct pctx *c, const struct ytree *t,
    size_t parent, const yaml_event_t *ev)
{
	const struct ynode *p;
	char qb[64];

	if (parent == 0)
		return 0;
	p = &t->v[parent];
	if (p->type == YN_SEQ) {
		if (p->n >= POLICY_RULES_MAX) {
			perr_mark(c, ev->start_mark,
			    "too many items in a list (more than %d)",
			    POLICY_RULES_MAX);
			return -1;
		}
		return 0;
	}
	/* A mapping: an even child count means this is a key. */
	if (p->n % 2 != 0)
		return 0;
	if (ev->type != YAML_SCALAR_EVENT) {
		perr_mark(c, ev->start_mark, "keys must be plain strings");
		return -1;
	}
	if (p->n / 2 >= POLICY_KEYS_MAX) {
		perr_mark(c, ev->start_mark,
		    "too many keys in a mapping (more than %d)",
		    POLICY_KEYS_MAX);
		return -1;
	}
	{
		const char *k = (const char *)ev->data.scalar.value;
		size_t klen = ev->data.scalar.length, i;

		for (i = p->first; i != 0; i = t->v[i].next) {
			const struct ynode *kn = &t->v[i];

			if (kn->len == klen && memcmp(kn->str, k, klen) == 0) {
				perr_mark(c, ev->start_mark,
				    "duplicate key \"%s\" (first at line %zu)",
				    Q(kn->str, qb), (size_t)kn->mark.line + 1);
				return -1;
			}
			i = t->v[i].next;	/* skip the value */
			if (i == 0)
				break;
		}
	}
	return 0;
}

/* Turn libyaml's parser error into a message. */
static void yaml_error(struct pctx *c, const yaml_parser_t *y,
    const unsigned char *buf, size_t len)
{
	if (y->error == YAML_MEMORY_ERROR) {
		perr_file(c, "out of memory");
	} else if (y->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		size_t off = y->problem_offset, i, line = 1, col = 1;

		if (off > len)
			off = len;
		for (i = 0; i < off; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 1;
			} else if ((buf[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		if (y->problem_value != -1)
			perr_at(c, line, col, "%s #x%02X",
			    y->problem ? y->problem : "invalid input",
			    (unsigned)y->problem_value & 0xffu);
		else
			perr_at(c, line, col, "%s",
			    y->problem ? y->problem : "invalid input");
	} else if (y->context != NULL) {
		perr_mark(c, y->problem_mark, "%s (%s at line %zu column %zu)",
		    y->problem ? y->problem : "syntax error", y->context,
		    (size_t)y->context_mark.line + 1,
		    (size_t)y->context_mark.column + 1);
	} else {
		perr_mark(c, y->problem_mark, "%s",
		    y->problem ? y->problem : "syntax error");
	}
}

/* The anchor and tag of a node event, or NULL. */
static void event_props(const yaml_event_t *ev, const unsigned char **anchor,
    const unsigned char **tag)
{
	*anchor = *tag = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		*anchor = ev->data.scalar.anchor;
		*tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		*anchor = ev->data.sequence_start.anchor;
		*tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		*anchor = ev->data.mapping_start.anchor;
		*tag = ev->data.mapping_start.tag;
		break;
	default:
		break;
	}
}

/*
 * Parse buf into t.  Returns 0 with t->root set (0 when the stream holds no
 * document), or -1 with a message.
 */
static int tree_build(struct pctx *c, const char *buf, size_t len,
    struct ytree *t)
{
	yaml_parser_t y;
	yaml_event_t ev;
	size_t stack[POLICY_DEPTH_MAX + 1];
	size_t depth = 0, docs = 0;
	int done = 0, rc = -1;

	memset(t, 0, sizeof(*t));
	if (!yaml_parser_initialize(&y)) {
		perr_file(c, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
	while (!done) {
		const unsigned char *anchor, *tag;
		size_t parent = depth ? stack[depth - 1] : 0, idx;

		if (!yaml_parser_parse(&y, &ev)) {
			yaml_error(c, &y, (const unsigned char *)buf, len);
			goto out;
		}
		event_props(&ev, &anchor, &tag);
		if (anchor != NULL) {
			perr_mark(c, ev.start_mark,
			    "anchors and aliases are not allowed");
			goto bad;
		}
		if (tag != NULL) {
			perr_mark(c, ev.start_mark, "tags are not allowed");
			goto bad;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				perr_mark(c, ev.start_mark,
				    "more than one document");
				goto bad;
			}
			break;
		case YAML_ALIAS_EVENT:
			perr_mark(c, ev.start_mark,
			    "anchors and aliases are not allowed");
			goto bad;
		case YAML_SCALAR_EVENT:
			if (tree_check_child(c, t, parent, &ev) < 0)
				goto bad;
			if (memchr(ev.data.scalar.value, '\0',
			    ev.data.scalar.length) != NULL) {
				perr_mark(c, ev.start_mark,
				    "NUL character in a string");
				goto bad;
			}
			idx = tree_add(c, t, parent, YN_SCALAR, ev.start_mark);
			if (idx == 0)
				goto bad;
			t->v[idx].plain =
			    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			t->v[idx].len = ev.data.scalar.length;
			t->v[idx].str = malloc(ev.data.scalar.length + 1);
			if (t->v[idx].str == NULL) {
				perr_mark(c, ev.start_mark, "out of memory");
				goto bad;
			}
			memcpy(t->v[idx].str, ev.data.scalar.value,
			    ev.data.scalar.length);
			t->v[idx].str[ev.data.scalar.length] = '\0';
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= POLICY_DEPTH_MAX) {
				perr_mark(c, ev.start_mark,
				    "nesting deeper than %d levels",
				    POLICY_DEPTH_MAX);
				goto bad;
			}
			if (tree_check_child(c, t, parent, &ev) < 0)
				goto bad;
			idx = tree_add(c, t, parent,
			    ev.type == YAML_SEQUENCE_START_EVENT ? YN_SEQ :
			    YN_MAP, ev.start_mark);
			if (idx == 0)
				goto bad;
			stack[depth++] = idx;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
	goto out;
bad:
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&y);
	if (rc != 0)
		tree_free(t);
	return rc;
}

/* ------------------------------------------------------------------ */
/* typed access to tree nodes */

#define NODE(t, i) (&(t)->v[(i)])

static int is_null(const struct ynode *nd)
{
	if (nd->type != YN_SCALAR || !nd->plain)
		return 0;
	return nd->len == 0 || strcmp(nd->str, "~") == 0 ||
	    strcmp(nd->str, "null") == 0 || strcmp(nd->str, "Null") == 0 ||
	    strcmp(nd->str, "NULL") == 0;
}

static const char *type_name(const struct ynode *nd)
{
	if (nd->type == YN_SEQ)
		return "a list";
	if (nd->type == YN_MAP)
		return "a mapping";
	if (is_null(nd))
		return "nothing";
	return nd->plain ? "a scalar" : "a quoted string";
}

/* A non-null string that fits in outlen bytes (out may be NULL). */
static int get_str(struct pctx *c, const struct ynode *nd, const char *what,
    char *out, size_t outlen)
{
	if (nd->type != YN_SCALAR || is_null(nd)) {
		perr_node(c, nd, "%s: expected a string, got %s", what,
		    type_name(nd));
		return -1;
	}
	if (nd->len >= outlen) {
		perr_node(c, nd, "%s: longer than %zu bytes", what,
		    outlen - 1);
		return -1;
	}
	if (out != NULL)
		memcpy(out, nd->str, nd->len + 1);
	return 0;
}

/* A plain decimal integer in [min, max]. */
static int get_int(struct pctx *c, const struct ynode *nd, const char *what,
    long long min, long long max, long long *out)
{
	const char *s = nd->str;
	char *end;
	long long v;
	char qb[64];
	size_t i;

	if (nd->type != YN_SCALAR || !nd->plain || is_null(nd)) {
		perr_node(c, nd, "%s: expected an integer, got %s", what,
		    type_name(nd));
		return -1;
	}
	i = (s[0] == '-') ? 1 : 0;
	if (s[i] == '\0')
		goto notint;
	for (; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			goto notint;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0' || v < min || v > max) {
		perr_node(c, nd, "%s: %s is out of range %lld..%lld", what,
		    Q(s, qb), min, max);
		return -1;
	}
	*out = v;
	return 0;
notint:
	perr_node(c, nd, "%s: expected an integer, got \"%s\"", what, Q(s, qb));
	return -1;
}

static int get_bool(struct pctx *c, const struct ynode *nd, const char *what,
    int *out)
{
	char qb[64];

	if (nd->type == YN_SCALAR && nd->plain) {
		if (strcmp(nd->str, "true") == 0 ||
		    strcmp(nd->str, "True") == 0 ||
		    strcmp(nd->str, "TRUE") == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(nd->str, "false") == 0 ||
		    strcmp(nd->str, "False") == 0 ||
		    strcmp(nd->str, "FALSE") == 0) {
			*out = 0;
			return 0;
		}
		if (!is_null(nd)) {
			perr_node(c, nd, "%s: expected true or false, got "
			    "\"%s\"", what, Q(nd->str, qb));
			return -1;
		}
	}
	perr_node(c, nd, "%s: expected true or false, got %s", what,
	    type_name(nd));
	return -1;
}

/* ok|warning|critical|unknown, case-insensitive. */
static int get_state(struct pctx *c, const struct ynode *nd, const char *what,
    enum plugin_state *out)
{
	static const struct {
		const char *name;
		enum plugin_state st;
	} names[] = {
		{ "ok", PLUGIN_OK }, { "warning", PLUGIN_WARNING },
		{ "critical", PLUGIN_CRITICAL }, { "unknown", PLUGIN_UNKNOWN },
	};
	char qb[64];
	size_t i;

	if (get_str(c, nd, what, NULL, 32) < 0)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(nd->str, names[i].name) == 0) {
			*out = names[i].st;
			return 0;
		}
	}
	perr_node(c, nd, "%s: unknown state \"%s\" (expected ok, warning, "
	    "critical or unknown)", what, Q(nd->str, qb));
	return -1;
}

static int expect_map(struct pctx *c, const struct ynode *nd,
    const char *what)
{
	if (nd->type != YN_MAP) {
		perr_node(c, nd, "%s: expected a mapping, got %s", what,
		    type_name(nd));
		return -1;
	}
	return 0;
}

static void unknown_key(struct pctx *c, const struct ynode *k,
    const char *where)
{
	char qb[64];

	perr_node(c, k, "unknown key \"%s\" in %s", Q(k->str, qb), where);
}

/* { warning: RANGE, critical: RANGE }, each a range string or a number. */
static int get_thresholds(struct pctx *c, const struct ytree *t, size_t i,
    const char *what, struct plugin_thresholds *th)
{
	const struct ynode *nd = NODE(t, i);
	size_t k;
	char qb[64];

	if (expect_map(c, nd, what) < 0)
		return -1;
	memset(th, 0, sizeof(*th));
	for (k = nd->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		const struct ynode *val = NODE(t, key->next);
		struct plugin_range *r;
		int *has;

		if (strcmp(key->str, "warning") == 0) {
			r = &th->warn;
			has = &th->has_warn;
		} else if (strcmp(key->str, "critical") == 0) {
			r = &th->crit;
			has = &th->has_crit;
		} else {
			unknown_key(c, key, what);
			return -1;
		}
		if (get_str(c, val, key->str, NULL, sizeof(r->text)) < 0)
			return -1;
		if (plugin_range_parse(val->str, r) < 0) {
			perr_node(c, val, "%s.%s: bad range \"%s\"", what,
			    key->str, Q(val->str, qb));
			return -1;
		}
		*has = 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* prefixes */

int policy_prefix_parse(const char *s, struct policy_prefix *p)
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
static int addr_parse(const char *addr, int *family, unsigned char a[16])
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

static int prefix_contains_raw(const struct policy_prefix *p, int family,
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

int policy_prefix_contains(const struct policy_prefix *p, const char *addr)
{
	unsigned char a[16];
	int family;

	if (p == NULL || addr_parse(addr, &family, a) < 0)
		return 0;
	return prefix_contains_raw(p, family, a);
}

static int prefixes_contain(const struct policy_prefix *v, size_t n,
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

int policy_in_lan(const struct policy *p, const char *addr)
{
	if (p == NULL)
		return 0;
	return prefixes_contain(p->portmap.lan, p->portmap.n_lan, addr);
}

/* ------------------------------------------------------------------ */
/* lists: a scalar or a list of scalars, each parsed by one callback */

typedef int (*item_fn)(struct pctx *c, const struct ynode *nd,
    const char *what, void *out);

static int get_list(struct pctx *c, const struct ytree *t, size_t i,
    const char *what, item_fn fn, size_t size, void **out, size_t *n)
{
	const struct ynode *nd = NODE(t, i);
	unsigned char *v;
	size_t k, cnt;

	if (nd->type == YN_MAP) {
		perr_node(c, nd, "%s: expected a value or a list, got a "
		    "mapping", what);
		return -1;
	}
	cnt = nd->type == YN_SEQ ? nd->n : 1;
	if (cnt == 0) {
		perr_node(c, nd, "%s: empty list", what);
		return -1;
	}
	if (cnt > POLICY_LIST_MAX) {
		perr_node(c, nd, "%s: more than %d items", what,
		    POLICY_LIST_MAX);
		return -1;
	}
	v = calloc(cnt, size);
	if (v == NULL) {
		perr_node(c, nd, "out of memory");
		return -1;
	}
	if (nd->type == YN_SCALAR) {
		if (fn(c, nd, what, v) < 0)
			goto bad;
	} else {
		size_t j = 0;

		for (k = nd->first; k != 0; k = NODE(t, k)->next, j++) {
			const struct ynode *it = NODE(t, k);

			if (it->type != YN_SCALAR) {
				perr_node(c, it, "%s: expected a value, got %s",
				    what, type_name(it));
				goto bad;
			}
			if (fn(c, it, what, v + j * size) < 0)
				goto bad;
		}
	}
	*out = v;
	*n = cnt;
	return 0;
bad:
	free(v);
	return -1;
}

static int item_prefix(struct pctx *c, const struct ynode *nd,
    const char *what, void *out)
{
	char qb[64];

	if (get_str(c, nd, what, NULL, INET6_ADDRSTRLEN + 8) < 0)
		return -1;
	if (policy_prefix_parse(nd->str, out) < 0) {
		perr_node(c, nd, "%s: bad address or prefix \"%s\"", what,
		    Q(nd->str, qb));
		return -1;
	}
	return 0;
}

/* A port N, or "LO-HI", 1..65535. */
static int parse_port(const char *s, unsigned *out, const char **end)
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

static int item_ports(struct pctx *c, const struct ynode *nd,
    const char *what, void *out)
{
	struct policy_ports *pp = out;
	const char *e;
	char qb[64];

	if (get_str(c, nd, what, NULL, 32) < 0)
		return -1;
	if (parse_port(nd->str, &pp->lo, &e) < 0)
		goto bad;
	pp->hi = pp->lo;
	if (*e == '-' && parse_port(e + 1, &pp->hi, &e) < 0)
		goto bad;
	if (*e != '\0')
		goto bad;
	if (pp->lo < 1 || pp->lo > 65535 || pp->hi < 1 || pp->hi > 65535) {
		perr_node(c, nd, "%s: port %s is out of range 1..65535", what,
		    Q(nd->str, qb));
		return -1;
	}
	if (pp->lo > pp->hi) {
		perr_node(c, nd, "%s: impossible port range \"%s\"", what,
		    Q(nd->str, qb));
		return -1;
	}
	return 0;
bad:
	perr_node(c, nd, "%s: expected a port or a range LOW-HIGH, got \"%s\"",
	    what, Q(nd->str, qb));
	return -1;
}

static int item_proto(struct pctx *c, const struct ynode *nd,
    const char *what, void *out)
{
	unsigned *bits = out;
	char qb[64];

	if (get_str(c, nd, what, NULL, 8) < 0)
		return -1;
	if (strcasecmp(nd->str, "TCP") == 0) {
		*bits = POLICY_PROTO_TCP;
	} else if (strcasecmp(nd->str, "UDP") == 0) {
		*bits = POLICY_PROTO_UDP;
	} else {
		perr_node(c, nd, "%s: unknown protocol \"%s\" (expected TCP or "
		    "UDP)", what, Q(nd->str, qb));
		return -1;
	}
	return 0;
}

static int item_name(struct pctx *c, const struct ynode *nd,
    const char *what, void *out)
{
	char qb[64];
	size_t i;

	if (get_str(c, nd, what, out, POLICY_NAME_MAX) < 0)
		return -1;
	for (i = 0; i < nd->len; i++) {
		char ch = nd->str[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		    ch == '-'))
			break;
	}
	if (nd->len == 0 || i < nd->len) {
		perr_node(c, nd, "%s: bad name \"%s\" (use A-Z a-z 0-9 _ . -)",
		    what, Q(nd->str, qb));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* rules */

static void rule_clear(struct policy_rule *r)
{
	free(r->ext_ports);
	free(r->int_ports);
	free(r->clients);
	free(r->remotes);
	if (r->has_description)
		regfree(&r->description);
	memset(r, 0, sizeof(*r));
}

static void rules_tmp_free(struct rules_tmp *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_clear(&rs->v[i].r);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

static int parse_rule(struct pctx *c, const struct ytree *t, size_t i,
    struct rule_tmp *rt)
{
	const struct ynode *nd = NODE(t, i);
	struct policy_rule *r = &rt->r;
	int has_name = 0, has_state = 0, rs_given = 0, v;
	const struct ynode *rh_node = NULL, *lease_node = NULL;
	size_t k;
	char qb[64];

	memset(rt, 0, sizeof(*rt));
	r->remote_set = -1;
	r->permanent = -1;
	r->lease_above = -1;
	r->max_lease = -1;
	r->enabled = -1;
	if (expect_map(c, nd, "rule") < 0)
		return -1;
	for (k = nd->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		size_t vi = key->next;
		const struct ynode *val = NODE(t, vi);
		const char *kn = key->str;
		long long ll = 0;
		void *vp = NULL;

		if (strcmp(kn, "name") == 0) {
			if (item_name(c, val, "name", r->name) < 0)
				return -1;
			rt->mark = val->mark;
			has_name = 1;
		} else if (strcmp(kn, "state") == 0) {
			if (get_state(c, val, "state", &r->state) < 0)
				return -1;
			has_state = 1;
		} else if (strcmp(kn, "protocol") == 0) {
			unsigned *pv;
			size_t n = 0, j;

			if (get_list(c, t, vi, kn, item_proto, sizeof(*pv),
			    &vp, &n) < 0)
				return -1;
			pv = vp;
			for (j = 0; j < n; j++)
				r->protocols |= pv[j];
			free(pv);
		} else if (strcmp(kn, "external_port") == 0) {
			if (get_list(c, t, vi, kn, item_ports,
			    sizeof(*r->ext_ports), &vp, &r->n_ext_ports) < 0)
				return -1;
			r->ext_ports = vp;
		} else if (strcmp(kn, "internal_port") == 0) {
			if (get_list(c, t, vi, kn, item_ports,
			    sizeof(*r->int_ports), &vp, &r->n_int_ports) < 0)
				return -1;
			r->int_ports = vp;
		} else if (strcmp(kn, "internal_client") == 0) {
			if (get_list(c, t, vi, kn, item_prefix,
			    sizeof(*r->clients), &vp, &r->n_clients) < 0)
				return -1;
			r->clients = vp;
		} else if (strcmp(kn, "remote_host") == 0) {
			if (get_list(c, t, vi, kn, item_prefix,
			    sizeof(*r->remotes), &vp, &r->n_remotes) < 0)
				return -1;
			r->remotes = vp;
			rh_node = key;
		} else if (strcmp(kn, "client_outside_lan") == 0) {
			if (get_bool(c, val, kn, &r->client_outside_lan) < 0)
				return -1;
		} else if (strcmp(kn, "client_is_external") == 0) {
			if (get_bool(c, val, kn, &r->client_is_external) < 0)
				return -1;
		} else if (strcmp(kn, "remote_host_set") == 0) {
			if (get_bool(c, val, kn, &r->remote_set) < 0)
				return -1;
			rs_given = 1;
		} else if (strcmp(kn, "description") == 0) {
			regex_t re;
			int e;

			if (get_str(c, val, kn, rt->pattern,
			    sizeof(rt->pattern)) < 0)
				return -1;
			/* Compile once here for the error; the kept copy is
			 * compiled where it finally lives. */
			e = regcomp(&re, rt->pattern, REG_EXTENDED | REG_NOSUB);
			if (e != 0) {
				char eb[128];

				regerror(e, &re, eb, sizeof(eb));
				perr_node(c, val, "description: bad regex "
				    "\"%s\": %s", Q(rt->pattern, qb), eb);
				return -1;
			}
			regfree(&re);
			rt->has_pattern = 1;
		} else if (strcmp(kn, "permanent") == 0) {
			if (get_bool(c, val, kn, &r->permanent) < 0)
				return -1;
		} else if (strcmp(kn, "lease_above") == 0) {
			if (get_int(c, val, kn, 0, LLONG_MAX, &ll) < 0)
				return -1;
			r->lease_above = ll;
		} else if (strcmp(kn, "max_lease") == 0) {
			if (get_int(c, val, kn, 1, LLONG_MAX, &ll) < 0)
				return -1;
			r->max_lease = ll;
			lease_node = key;
		} else if (strcmp(kn, "enabled") == 0) {
			if (get_bool(c, val, kn, &v) < 0)
				return -1;
			r->enabled = v;
		} else {
			unknown_key(c, key, "rule");
			return -1;
		}
	}
	if (!has_name) {
		perr_node(c, nd, "rule has no name");
		return -1;
	}
	if (!has_state) {
		perr_node(c, nd, "rule \"%s\" has no state", r->name);
		return -1;
	}
	/* Combinations that can never match are mistakes. */
	if (rh_node != NULL && rs_given && r->remote_set == 0) {
		perr_node(c, rh_node, "rule \"%s\": remote_host with "
		    "remote_host_set: false can never match", r->name);
		return -1;
	}
	if (lease_node != NULL && r->permanent == 1) {
		perr_node(c, lease_node, "rule \"%s\": max_lease with "
		    "permanent: true can never match", r->name);
		return -1;
	}
	if (lease_node != NULL && r->lease_above >= 0 &&
	    r->max_lease <= r->lease_above) {
		perr_node(c, lease_node, "rule \"%s\": max_lease %lld is not "
		    "above lease_above %lld, can never match", r->name,
		    r->max_lease, r->lease_above);
		return -1;
	}
	return 0;
}

static int parse_rules(struct pctx *c, const struct ytree *t, size_t i,
    struct rules_tmp *rs)
{
	const struct ynode *nd = NODE(t, i);
	size_t k, j;

	if (nd->type != YN_SEQ) {
		perr_node(c, nd, "rules: expected a list, got %s",
		    type_name(nd));
		return -1;
	}
	rs->v = calloc(nd->n ? nd->n : 1, sizeof(*rs->v));
	if (rs->v == NULL) {
		perr_node(c, nd, "out of memory");
		return -1;
	}
	rs->n = 0;
	for (k = nd->first; k != 0; k = NODE(t, k)->next) {
		struct rule_tmp *rt = &rs->v[rs->n];

		if (parse_rule(c, t, k, rt) < 0) {
			rule_clear(&rt->r);
			return -1;
		}
		rs->n++;
		for (j = 0; j + 1 < rs->n; j++) {
			if (strcmp(rs->v[j].r.name, rt->r.name) == 0) {
				perr_mark(c, rt->mark, "duplicate rule name "
				    "\"%s\" (first at line %zu)", rt->r.name,
				    (size_t)rs->v[j].mark.line + 1);
				return -1;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* sections */

/* What counts as inside when portmap.lan is not given. */
static const char *const policy_default_lan[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10",
};
#define DEFAULT_LAN_N (sizeof(policy_default_lan) / sizeof(policy_default_lan[0]))

static void policy_defaults(struct policy *p)
{
	size_t i;

	p->present.expect_count = 1;
	p->present.count_state = PLUGIN_WARNING;
	p->present.missing_state = PLUGIN_CRITICAL;
	p->present.mismatch_state = PLUGIN_CRITICAL;
	memcpy(p->wan.status, "Connected", sizeof("Connected"));
	p->wan.status_state = PLUGIN_CRITICAL;
	p->wan.external_mismatch_state = PLUGIN_CRITICAL;
	p->wan.private_state = PLUGIN_WARNING;
	p->portmap.default_state = PLUGIN_OK;
	p->portmap.new_state = PLUGIN_WARNING;
	p->portmap.gone_state = PLUGIN_OK;
	p->portmap.list_method = POLICY_LIST_AUTO;
	/* lan was allocated by the caller with room for these */
	for (i = 0; i < DEFAULT_LAN_N; i++)
		(void)policy_prefix_parse(policy_default_lan[i],
		    &p->portmap.lan[i]);
	p->portmap.n_lan = DEFAULT_LAN_N;
}

static int parse_present(struct pctx *c, const struct ytree *t, size_t i,
    struct policy_present *pr)
{
	const struct ynode *nd = NODE(t, i);
	size_t k;

	if (is_null(nd))
		return 0;
	if (expect_map(c, nd, "present") < 0)
		return -1;
	for (k = nd->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		const struct ynode *val = NODE(t, key->next);
		const char *kn = key->str;
		long long ll = 0;
		int rc;

		if (strcmp(kn, "expect_count") == 0) {
			rc = get_int(c, val, kn, 0, 1000, &ll);
			pr->expect_count = (int)ll;
		} else if (strcmp(kn, "count_state") == 0) {
			rc = get_state(c, val, kn, &pr->count_state);
		} else if (strcmp(kn, "missing_state") == 0) {
			rc = get_state(c, val, kn, &pr->missing_state);
		} else if (strcmp(kn, "mismatch_state") == 0) {
			rc = get_state(c, val, kn, &pr->mismatch_state);
		} else if (strcmp(kn, "udn") == 0) {
			rc = get_str(c, val, kn, pr->udn, sizeof(pr->udn));
		} else if (strcmp(kn, "model") == 0) {
			rc = get_str(c, val, kn, pr->model, sizeof(pr->model));
		} else if (strcmp(kn, "location") == 0) {
			rc = get_str(c, val, kn, pr->location,
			    sizeof(pr->location));
		} else {
			unknown_key(c, key, "present");
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int parse_external(struct pctx *c, const struct ytree *t, size_t i,
    struct policy_wan *w)
{
	const struct ynode *nd = NODE(t, i);
	size_t k;

	if (expect_map(c, nd, "external_address") < 0)
		return -1;
	for (k = nd->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		const struct ynode *val = NODE(t, key->next);
		const char *kn = key->str;
		int rc;

		if (strcmp(kn, "expect") == 0) {
			unsigned char a[16];
			int fam;
			char qb[64];

			rc = get_str(c, val, kn, w->external_address,
			    sizeof(w->external_address));
			if (rc == 0 && addr_parse(val->str, &fam, a) < 0) {
				perr_node(c, val, "expect: bad address \"%s\"",
				    Q(val->str, qb));
				rc = -1;
			}
		} else if (strcmp(kn, "mismatch") == 0) {
			rc = get_state(c, val, kn, &w->external_mismatch_state);
		} else if (strcmp(kn, "private") == 0) {
			rc = get_state(c, val, kn, &w->private_state);
		} else {
			unknown_key(c, key, "external_address");
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int parse_status(struct pctx *c, const struct ynode *val,
    struct policy_wan *w)
{
	/* The ConnectionStatus values of WANIPConnection/WANPPPConnection. */
	static const char *const st[] = {
		"Unconfigured", "Connecting", "Connected", "PendingDisconnect",
		"Disconnecting", "Disconnected",
	};
	char qb[64];
	size_t j;

	if (get_str(c, val, "status", NULL, sizeof(w->status)) < 0)
		return -1;
	for (j = 0; j < sizeof(st) / sizeof(st[0]); j++) {
		if (strcasecmp(val->str, st[j]) == 0) {
			/* the canonical spelling, as devices report it */
			memcpy(w->status, st[j], strlen(st[j]) + 1);
			return 0;
		}
	}
	perr_node(c, val, "status: unknown connection status \"%s\"",
	    Q(val->str, qb));
	return -1;
}

static int parse_wan(struct pctx *c, const struct ytree *t, size_t i,
    struct policy_wan *w)
{
	const struct ynode *nd = NODE(t, i);
	size_t k;

	if (is_null(nd))
		return 0;
	if (expect_map(c, nd, "wan") < 0)
		return -1;
	for (k = nd->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		size_t vi = key->next;
		const char *kn = key->str;
		int rc;

		if (strcmp(kn, "status") == 0)
			rc = parse_status(c, NODE(t, vi), w);
		else if (strcmp(kn, "status_state") == 0)
			rc = get_state(c, NODE(t, vi), kn, &w->status_state);
		else if (strcmp(kn, "external_address") == 0)
			rc = parse_external(c, t, vi, w);
		else if (strcmp(kn, "uptime") == 0)
			rc = get_thresholds(c, t, vi, kn, &w->uptime);
		else if (strcmp(kn, "rx_rate") == 0)
			rc = get_thresholds(c, t, vi, kn, &w->rx_rate);
		else if (strcmp(kn, "tx_rate") == 0)
			rc = get_thresholds(c, t, vi, kn, &w->tx_rate);
		else if (strcmp(kn, "link_up") == 0)
			rc = get_thresholds(c, t, vi, kn, &w->link_up);
		else if (strcmp(kn, "link_down") == 0)
			rc = get_thresholds(c, t, vi, kn, &w->link_down);
		else {
			unknown_key(c, key, "wan");
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int parse_changes(struct pctx *c, const struct ytree *t, size_t i,
    struct policy_portmap *pm)
{
	const struct ynode *nd = NODE(t, i);
	size_t k;

	if (expect_map(c, nd, "changes") < 0)
		return -1;
	for (k = nd->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		const struct ynode *val = NODE(t, key->next);
		int rc;

		if (strcmp(key->str, "new") == 0)
			rc = get_state(c, val, "new", &pm->new_state);
		else if (strcmp(key->str, "gone") == 0)
			rc = get_state(c, val, "gone", &pm->gone_state);
		else {
			unknown_key(c, key, "changes");
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int parse_list_method(struct pctx *c, const struct ynode *val,
    enum policy_list_method *m)
{
	char qb[64];

	if (get_str(c, val, "list_method", NULL, 16) < 0)
		return -1;
	if (strcasecmp(val->str, "auto") == 0)
		*m = POLICY_LIST_AUTO;
	else if (strcasecmp(val->str, "list") == 0)
		*m = POLICY_LIST_LIST;
	else if (strcasecmp(val->str, "walk") == 0)
		*m = POLICY_LIST_WALK;
	else {
		perr_node(c, val, "list_method: expected auto, list or walk, "
		    "got \"%s\"", Q(val->str, qb));
		return -1;
	}
	return 0;
}

/* What the portmap section says about rules, merged after the walk. */
struct rules_spec {
	int builtin_rules;		/* default 1 */
	size_t disable;			/* the "disable" value node, 0 = none */
	struct rules_tmp user;
};

static int parse_portmap(struct pctx *c, const struct ytree *t, size_t i,
    struct policy_portmap *pm, struct rules_spec *spec)
{
	const struct ynode *nd = NODE(t, i);
	size_t k;

	if (is_null(nd))
		return 0;
	if (expect_map(c, nd, "portmap") < 0)
		return -1;
	for (k = nd->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		size_t vi = key->next;
		const struct ynode *val = NODE(t, vi);
		const char *kn = key->str;
		void *vp = NULL;
		size_t n = 0;
		int rc;

		if (strcmp(kn, "lan") == 0) {
			rc = get_list(c, t, vi, kn, item_prefix,
			    sizeof(*pm->lan), &vp, &n);
			if (rc == 0) {
				free(pm->lan);	/* the defaults */
				pm->lan = vp;
				pm->n_lan = n;
			}
		} else if (strcmp(kn, "default") == 0) {
			rc = get_state(c, val, kn, &pm->default_state);
		} else if (strcmp(kn, "max_entries") == 0) {
			rc = get_thresholds(c, t, vi, kn, &pm->max_entries);
		} else if (strcmp(kn, "list_method") == 0) {
			rc = parse_list_method(c, val, &pm->list_method);
		} else if (strcmp(kn, "changes") == 0) {
			rc = parse_changes(c, t, vi, pm);
		} else if (strcmp(kn, "builtin_rules") == 0) {
			rc = get_bool(c, val, kn, &spec->builtin_rules);
		} else if (strcmp(kn, "disable") == 0) {
			/* checked here for form, against the built-ins later */
			rc = get_list(c, t, vi, kn, item_name, POLICY_NAME_MAX,
			    &vp, &n);
			free(vp);
			spec->disable = vi;
		} else if (strcmp(kn, "rules") == 0) {
			rc = parse_rules(c, t, vi, &spec->user);
		} else {
			unknown_key(c, key, "portmap");
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* assembly */

/* Parse the compiled-in threat rules. */
static int load_builtins(struct pctx *user_ctx, struct rules_tmp *b)
{
	struct pctx c = { "(builtin rules)", user_ctx->err,
	    user_ctx->errlen };
	struct ytree t;
	size_t i;
	int rc;

	if (tree_build(&c, policy_builtin_yaml,
	    sizeof(policy_builtin_yaml) - 1, &t) < 0)
		return -1;
	rc = parse_rules(&c, &t, t.root, b);
	tree_free(&t);
	for (i = 0; i < b->n; i++)
		b->v[i].r.builtin = 1;
	return rc;
}

static int name_in(const struct ytree *t, size_t list, const char *name)
{
	const struct ynode *nd;
	size_t k;

	if (list == 0)
		return 0;
	nd = NODE(t, list);
	if (nd->type == YN_SCALAR)
		return strcmp(nd->str, name) == 0;
	for (k = nd->first; k != 0; k = NODE(t, k)->next)
		if (strcmp(NODE(t, k)->str, name) == 0)
			return 1;
	return 0;
}

/* Move a rule into its final place and compile its regex there. */
static int rule_place(struct pctx *c, struct rule_tmp *from,
    struct policy_rule *to)
{
	int e;

	*to = from->r;
	memset(&from->r, 0, sizeof(from->r));	/* ownership moved */
	if (from->has_pattern) {
		e = regcomp(&to->description, from->pattern,
		    REG_EXTENDED | REG_NOSUB);
		if (e != 0) {
			perr_mark(c, from->mark, "rule \"%s\": cannot compile "
			    "description", to->name);
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
static int merge_rules(struct pctx *c, const struct ytree *t,
    struct rules_spec *spec, struct policy_portmap *pm)
{
	struct rules_tmp b = { NULL, 0 };
	struct rules_tmp *u = &spec->user;
	size_t i, j, n = 0;
	int rc = -1;
	char qb[64];

	if (load_builtins(c, &b) < 0)
		goto out;
	/* Every disabled name must be a built-in one, not also redefined. */
	if (spec->disable != 0) {
		const struct ynode *dl = NODE(t, spec->disable);
		size_t k = dl->type == YN_SEQ ? dl->first : spec->disable;

		for (; k != 0; k = dl->type == YN_SEQ ? NODE(t, k)->next : 0) {
			const struct ynode *it = NODE(t, k);

			for (j = 0; j < b.n; j++)
				if (strcmp(b.v[j].r.name, it->str) == 0)
					break;
			if (j == b.n) {
				perr_node(c, it, "disable: no built-in rule "
				    "named \"%s\"", Q(it->str, qb));
				goto out;
			}
			for (j = 0; j < u->n; j++) {
				if (strcmp(u->v[j].r.name, it->str) == 0) {
					perr_node(c, it, "disable: rule \"%s\" "
					    "is redefined at line %zu; remove "
					    "one of the two", it->str,
					    (size_t)u->v[j].mark.line + 1);
					goto out;
				}
			}
		}
	}
	pm->rules = calloc(b.n + u->n + 1, sizeof(*pm->rules));
	if (pm->rules == NULL) {
		perr_file(c, "out of memory");
		goto out;
	}
	if (spec->builtin_rules) {
		for (i = 0; i < b.n; i++) {
			struct rule_tmp *src = &b.v[i];

			if (name_in(t, spec->disable, src->r.name))
				continue;
			for (j = 0; j < u->n; j++) {
				if (!u->v[j].used &&
				    strcmp(u->v[j].r.name, src->r.name) == 0) {
					src = &u->v[j];
					src->used = 1;
					break;
				}
			}
			if (rule_place(c, src, &pm->rules[n++]) < 0)
				goto out;
		}
	}
	for (j = 0; j < u->n; j++) {
		if (u->v[j].used)
			continue;
		if (rule_place(c, &u->v[j], &pm->rules[n++]) < 0)
			goto out;
	}
	rc = 0;
out:
	pm->n_rules = n;
	rules_tmp_free(&b);
	return rc;
}

static int load_tree(struct pctx *c, const struct ytree *t, struct policy *p)
{
	const struct ynode *root;
	struct rules_spec spec;
	size_t k, vk = 0;
	int rc = -1;
	char qb[64];

	memset(&spec, 0, sizeof(spec));
	spec.builtin_rules = 1;
	if (t->root == 0) {
		perr_file(c, "empty policy");
		return -1;
	}
	root = NODE(t, t->root);
	if (is_null(root)) {
		perr_node(c, root, "empty policy");
		return -1;
	}
	if (root->type != YN_MAP) {
		perr_node(c, root, "the policy must be a mapping, got %s",
		    type_name(root));
		return -1;
	}
	/* version first, so that a newer file fails on its version rather
	 * than on the first key this version does not know */
	for (k = root->first; k != 0; k = NODE(t, NODE(t, k)->next)->next)
		if (strcmp(NODE(t, k)->str, "version") == 0)
			vk = k;
	if (vk == 0) {
		perr_node(c, root, "missing \"version: 1\"");
		return -1;
	} else {
		const struct ynode *val = NODE(t, NODE(t, vk)->next);
		long long v;

		if (get_int(c, val, "version", LLONG_MIN, LLONG_MAX, &v) < 0)
			return -1;
		if (v != 1) {
			perr_node(c, val, "unsupported policy version %s "
			    "(this program reads version 1)", Q(val->str, qb));
			return -1;
		}
	}
	for (k = root->first; k != 0; k = NODE(t, NODE(t, k)->next)->next) {
		const struct ynode *key = NODE(t, k);
		size_t vi = key->next;
		const char *kn = key->str;

		if (k == vk)
			continue;
		if (strcmp(kn, "present") == 0) {
			if (parse_present(c, t, vi, &p->present) < 0)
				goto out;
		} else if (strcmp(kn, "wan") == 0) {
			if (parse_wan(c, t, vi, &p->wan) < 0)
				goto out;
		} else if (strcmp(kn, "portmap") == 0) {
			if (parse_portmap(c, t, vi, &p->portmap, &spec) < 0)
				goto out;
		} else {
			unknown_key(c, key, "the policy");
			goto out;
		}
	}
	rc = merge_rules(c, t, &spec, &p->portmap);
out:
	rules_tmp_free(&spec.user);
	return rc;
}

int policy_load_buffer(const char *name, const char *buf, size_t len,
    struct policy **out, char *err, size_t errlen)
{
	struct pctx c;
	struct ytree t;
	struct policy *p;
	int k;

	c.name = name ? name : "(policy)";
	c.err = err;
	c.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || (buf == NULL && len > 0)) {
		perr_file(&c, "invalid arguments");
		return -1;
	}
	*out = NULL;
	if (len > POLICY_FILE_MAX) {
		perr_file(&c, "larger than %d bytes", POLICY_FILE_MAX);
		return -1;
	}
	if (len == 0) {
		perr_file(&c, "empty policy");
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (p != NULL)
		p->portmap.lan = calloc(DEFAULT_LAN_N, sizeof(*p->portmap.lan));
	if (p == NULL || p->portmap.lan == NULL) {
		policy_free(p);
		perr_file(&c, "out of memory");
		return -1;
	}
	k = snprintf(p->source, sizeof(p->source), "%s", c.name);
	if (k < 0) {
		memcpy(p->source, "(policy)", sizeof("(policy)"));
	} else if ((size_t)k >= sizeof(p->source)) {
		/* keep the tail, the part that tells files apart */
		size_t nl = strlen(c.name);

		memcpy(p->source, "...", 3);
		memcpy(p->source + 3, c.name + nl - (sizeof(p->source) - 4),
		    sizeof(p->source) - 4);
		p->source[sizeof(p->source) - 1] = '\0';
	}
	policy_defaults(p);
	if (tree_build(&c, buf, len, &t) < 0) {
		policy_free(p);
		return -1;
	}
	if (load_tree(&c, &t, p) < 0) {
		tree_free(&t);
		policy_free(p);
		return -1;
	}
	tree_free(&t);
	*out = p;
	return 0;
}

int policy_load_file(const char *path, struct policy **out, char *err,
    size_t errlen)
{
	struct pctx c = { path ? path : "(null)", err, errlen };
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = -1;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out != NULL)
		*out = NULL;
	if (path == NULL || out == NULL) {
		perr_file(&c, "invalid arguments");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		perr_file(&c, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		perr_file(&c, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		perr_file(&c, "not a regular file");
		goto out;
	}
	if (st.st_size > POLICY_FILE_MAX) {
		perr_file(&c, "larger than %d bytes", POLICY_FILE_MAX);
		goto out;
	}
	/* One byte more than allowed, to notice a file that grew. */
	buf = malloc(POLICY_FILE_MAX + 1);
	if (buf == NULL) {
		perr_file(&c, "out of memory");
		goto out;
	}
	while (len < POLICY_FILE_MAX + 1) {
		ssize_t r = read(fd, buf + len, POLICY_FILE_MAX + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perr_file(&c, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > POLICY_FILE_MAX) {
		perr_file(&c, "larger than %d bytes", POLICY_FILE_MAX);
		goto out;
	}
	rc = policy_load_buffer(path, buf, len, out, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}

int policy_load_default(struct policy **out, char *err, size_t errlen)
{
	return policy_load_buffer("(default)", policy_default_yaml,
	    policy_default_yaml_len, out, err, errlen);
}

void policy_free(struct policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->portmap.n_rules; i++)
		rule_clear(&p->portmap.rules[i]);
	free(p->portmap.rules);
	free(p->portmap.lan);
	free(p);
}

/* ------------------------------------------------------------------ */
/* evaluation */

static int ports_contain(const struct policy_ports *v, size_t n,
    unsigned port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (port >= v[i].lo && port <= v[i].hi)
			return 1;
	return 0;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static int rule_matches(const struct policy *p, const struct policy_rule *r,
    const struct policy_mapping *m, const char *ext)
{
	const char *client = nz(m->internal_client);
	const char *remote = nz(m->remote_host);

	if (r->protocols != 0) {
		unsigned bit = 0;

		if (strcasecmp(nz(m->protocol), "TCP") == 0)
			bit = POLICY_PROTO_TCP;
		else if (strcasecmp(nz(m->protocol), "UDP") == 0)
			bit = POLICY_PROTO_UDP;
		if ((r->protocols & bit) == 0)
			return 0;
	}
	if (r->n_ext_ports != 0 &&
	    !ports_contain(r->ext_ports, r->n_ext_ports, m->external_port))
		return 0;
	if (r->n_int_ports != 0 &&
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
	return 1;
}

const struct policy_rule *policy_match(const struct policy *p,
    const struct policy_mapping *m, const char *external_address)
{
	size_t i;

	if (p == NULL || m == NULL)
		return NULL;
	for (i = 0; i < p->portmap.n_rules; i++)
		if (rule_matches(p, &p->portmap.rules[i], m, external_address))
			return &p->portmap.rules[i];
	return NULL;
}
