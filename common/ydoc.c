/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ydoc: the YAML document layer (see ydoc.h).
 *
 * Events come from libyaml one at a time; step() turns one event into at
 * most one node.  ydoc_read() calls it until the node it started is
 * closed, ydoc_enter() once.  A list or mapping made by ydoc_read links
 * its children (and, with YDOC_STRICT_KEYS, checks its keys as they
 * arrive); one made by ydoc_enter does not, so that its children can be
 * released one by one.
 */
#include "msg.h"
#include "ydoc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* An open list or mapping. */
struct ydoc_open {
	size_t node;
	int linked;		/* its children are linked to it */
};

struct ydoc {
	const char *name;
	char *err;
	size_t errlen;
	const unsigned char *buf;	/* for reader error positions */
	size_t len;
	yaml_parser_t y;
	struct ydoc_limits lim;
	struct ydoc_node *v;		/* v[0] is unused: 0 means none */
	size_t n, cap;
	struct ydoc_open *stack;
	size_t depth;
};

/* ------------------------------------------------------------------ */
/* messages */

void
ydoc_err_at(const struct ydoc *d, size_t line, size_t col, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vat(d->err, d->errlen, d->name, line, col, fmt, ap);
	va_end(ap);
}

void
ydoc_err(const struct ydoc *d, size_t node, const char *fmt, ...)
{
	va_list ap;
	size_t line = 0, col = 0;

	if (node != 0 && node < d->n) {
		line = d->v[node].line;
		col = d->v[node].col;
	}
	va_start(ap, fmt);
	msg_vat(d->err, d->errlen, d->name, line, col, fmt, ap);
	va_end(ap);
}

#define err_mark(d, m, ...) \
	ydoc_err_at((d), (size_t)(m).line + 1, (size_t)(m).column + 1, \
	    __VA_ARGS__)

const char *
ydoc_quote(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 4 < outlen; i++) {
		if (i == YDOC_QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	out[o] = '\0';
	return out;
}

/* Turn libyaml's parser error into a message. */
static void
yaml_fail(const struct ydoc *d)
{
	const yaml_parser_t *y = &d->y;

	if (y->error == YAML_MEMORY_ERROR) {
		ydoc_err_file(d, "out of memory");
	} else if (y->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		size_t off = y->problem_offset, i, line = 1, col = 1;

		if (off > d->len)
			off = d->len;
		for (i = 0; i < off; i++) {
			if (d->buf[i] == '\n') {
				line++;
				col = 1;
			} else if ((d->buf[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		if (y->problem_value != -1)
			ydoc_err_at(d, line, col, "%s #x%02X",
			    y->problem ? y->problem : "invalid input",
			    (unsigned)y->problem_value & 0xffu);
		else
			ydoc_err_at(d, line, col, "%s",
			    y->problem ? y->problem : "invalid input");
	} else if (y->context != NULL) {
		err_mark(d, y->problem_mark, "%s (%s at line %zu column %zu)",
		    y->problem ? y->problem : "syntax error", y->context,
		    (size_t)y->context_mark.line + 1,
		    (size_t)y->context_mark.column + 1);
	} else {
		err_mark(d, y->problem_mark, "%s",
		    y->problem ? y->problem : "syntax error");
	}
}

/* ------------------------------------------------------------------ */
/* events to nodes */

/* The next event, refusing aliases, anchors and tags (0 or -1). */
static int
next_event(struct ydoc *d, yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (!yaml_parser_parse(&d->y, ev)) {
		yaml_fail(d);
		return -1;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		err_mark(d, ev->start_mark,
		    "anchors and aliases are not allowed");
		goto bad;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (anchor != NULL) {
		err_mark(d, ev->start_mark,
		    "anchors and aliases are not allowed");
		goto bad;
	}
	if (tag != NULL) {
		err_mark(d, ev->start_mark, "tags are not allowed");
		goto bad;
	}
	return 0;
bad:
	yaml_event_delete(ev);
	return -1;
}

/* Equal to the NUL-terminated s, length included. */
static int
node_is(const struct ydoc_node *nd, const char *s)
{
	size_t n = strlen(s);

	return nd->len == n && memcmp(nd->str, s, n) == 0;
}

/* The open container children attach to, 0 when none or not linked. */
static size_t
link_parent(const struct ydoc *d)
{
	if (d->depth == 0 || !d->stack[d->depth - 1].linked)
		return 0;
	return d->stack[d->depth - 1].node;
}

/* Check that a new child fits in the linked parent; for a mapping key
 * under YDOC_STRICT_KEYS, that it is a scalar and not a duplicate. */
static int
check_child(struct ydoc *d, size_t parent, const yaml_event_t *ev)
{
	const struct ydoc_node *p;
	const char *k;
	size_t klen, i;
	char qb[64];

	if (parent == 0)
		return 0;
	p = &d->v[parent];
	if (p->type == YDOC_SEQ) {
		if (d->lim.items != 0 && p->n >= d->lim.items) {
			err_mark(d, ev->start_mark,
			    "too many items in a list (more than %zu)",
			    d->lim.items);
			return -1;
		}
		return 0;
	}
	/* A mapping: an even child count means this is a key. */
	if (p->n % 2 != 0 || !(d->lim.flags & YDOC_STRICT_KEYS))
		return 0;
	if (ev->type != YAML_SCALAR_EVENT) {
		err_mark(d, ev->start_mark, "keys must be plain strings");
		return -1;
	}
	if (d->lim.keys != 0 && p->n / 2 >= d->lim.keys) {
		err_mark(d, ev->start_mark,
		    "too many keys in a mapping (more than %zu)", d->lim.keys);
		return -1;
	}
	k = (const char *)ev->data.scalar.value;
	klen = ev->data.scalar.length;
	for (i = p->first; i != 0; i = d->v[i].next) {
		const struct ydoc_node *kn = &d->v[i];

		if (kn->len == klen && memcmp(kn->str, k, klen) == 0) {
			err_mark(d, ev->start_mark,
			    "duplicate key \"%s\" (first at line %zu)",
			    YDOC_Q(kn, qb), kn->line);
			return -1;
		}
		i = d->v[i].next;	/* skip the value */
		if (i == 0)
			break;
	}
	return 0;
}

/* Append a node (linked to parent when not 0).  Its index, or 0 when out
 * of nodes or memory (message written). */
static size_t
add_node(struct ydoc *d, size_t parent, enum ydoc_type type,
    const yaml_event_t *ev)
{
	struct ydoc_node *nd;
	size_t i;

	if (d->lim.nodes != 0 && d->n >= d->lim.nodes + 1) {
		err_mark(d, ev->start_mark, "too many nodes (more than %zu)",
		    d->lim.nodes);
		return 0;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap * 2;
		struct ydoc_node *nv = realloc(d->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			err_mark(d, ev->start_mark, "out of memory");
			return 0;
		}
		d->v = nv;
		d->cap = ncap;
	}
	i = d->n++;
	nd = &d->v[i];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->line = (size_t)ev->start_mark.line + 1;
	nd->col = (size_t)ev->start_mark.column + 1;
	if (parent != 0) {
		struct ydoc_node *p = &d->v[parent];

		if (p->last != 0)
			d->v[p->last].next = i;
		else
			p->first = i;
		p->last = i;
		p->n++;
	}
	return i;
}

/*
 * Take one event.  Returns 1 with a node made (a list or mapping is left
 * open, linking its children when linked), 0 at the end of the innermost
 * open container or of the document, -1 with a message.
 */
static int
step(struct ydoc *d, int linked, size_t *node)
{
	yaml_event_t ev;
	size_t parent, idx;
	int rc = -1;

	for (;;) {
		if (next_event(d, &ev) < 0)
			return -1;
		parent = link_parent(d);
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			if (check_child(d, parent, &ev) < 0)
				goto out;
			if ((d->lim.flags & YDOC_NO_NUL) &&
			    memchr(ev.data.scalar.value, '\0',
			    ev.data.scalar.length) != NULL) {
				err_mark(d, ev.start_mark,
				    "NUL character in a string");
				goto out;
			}
			idx = add_node(d, parent, YDOC_SCALAR, &ev);
			if (idx == 0)
				goto out;
			d->v[idx].plain =
			    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			d->v[idx].len = ev.data.scalar.length;
			d->v[idx].str = malloc(ev.data.scalar.length + 1);
			if (d->v[idx].str == NULL) {
				err_mark(d, ev.start_mark, "out of memory");
				goto out;
			}
			memcpy(d->v[idx].str, ev.data.scalar.value,
			    ev.data.scalar.length);
			d->v[idx].str[ev.data.scalar.length] = '\0';
			*node = idx;
			rc = 1;
			goto out;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (d->depth >= d->lim.depth) {
				err_mark(d, ev.start_mark,
				    "nesting deeper than %zu levels",
				    d->lim.depth);
				goto out;
			}
			if (check_child(d, parent, &ev) < 0)
				goto out;
			idx = add_node(d, parent,
			    ev.type == YAML_SEQUENCE_START_EVENT ? YDOC_SEQ :
			    YDOC_MAP, &ev);
			if (idx == 0)
				goto out;
			d->stack[d->depth].node = idx;
			d->stack[d->depth].linked = linked;
			d->depth++;
			*node = idx;
			rc = 1;
			goto out;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (d->depth > 0)
				d->depth--;
			rc = 0;
			goto out;
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			rc = 0;
			goto out;
		default:
			yaml_event_delete(&ev);
			break;
		}
	}
out:
	yaml_event_delete(&ev);
	return rc;
}

int
ydoc_read(struct ydoc *d, size_t *node)
{
	size_t start = d->depth, child;
	int rc;

	rc = step(d, 1, node);
	if (rc <= 0)
		return rc;
	while (d->depth > start)
		if (step(d, 1, &child) < 0)
			return -1;
	return 1;
}

int
ydoc_enter(struct ydoc *d, size_t *node)
{
	return step(d, 0, node);
}

int
ydoc_close(struct ydoc *d)
{
	yaml_event_t ev;
	int rc = 0;

	if (next_event(d, &ev) < 0)	/* the document's end */
		return -1;
	yaml_event_delete(&ev);
	if (next_event(d, &ev) < 0)
		return -1;
	if (ev.type != YAML_STREAM_END_EVENT) {
		err_mark(d, ev.start_mark, "more than one document");
		rc = -1;
	}
	yaml_event_delete(&ev);
	return rc;
}

size_t
ydoc_mark(const struct ydoc *d)
{
	return d->n;
}

void
ydoc_release(struct ydoc *d, size_t mark)
{
	size_t i;

	if (mark < 1 || mark > d->n)
		return;
	for (i = mark; i < d->n; i++)
		free(d->v[i].str);
	d->n = mark;
}

const struct ydoc_node *
ydoc_node(const struct ydoc *d, size_t i)
{
	return &d->v[i];
}

int
ydoc_open(struct ydoc **out, const char *name, const char *buf, size_t len,
    const struct ydoc_limits *lim, char *err, size_t errlen)
{
	struct ydoc *d;
	yaml_event_t ev;
	int rc = -1;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		msg_set(err, errlen, "%s: out of memory", name);
		return -1;
	}
	d->name = name;
	d->err = err;
	d->errlen = errlen;
	d->buf = (const unsigned char *)buf;
	d->len = len;
	d->lim = *lim;
	if (d->lim.depth == 0)
		d->lim.depth = 1;
	d->cap = 64;
	d->n = 1;		/* index 0 means none */
	d->v = calloc(d->cap, sizeof(*d->v));
	d->stack = calloc(d->lim.depth, sizeof(*d->stack));
	if (d->v == NULL || d->stack == NULL || !yaml_parser_initialize(&d->y)) {
		free(d->v);
		free(d->stack);
		free(d);
		msg_set(err, errlen, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&d->y, d->buf, len);
	if (next_event(d, &ev) < 0)	/* STREAM_START */
		goto bad;
	yaml_event_delete(&ev);
	if (next_event(d, &ev) < 0)
		goto bad;
	rc = ev.type == YAML_STREAM_END_EVENT ? 0 : 1;
	yaml_event_delete(&ev);
	*out = d;
	return rc;
bad:
	ydoc_free(d);
	return -1;
}

void
ydoc_free(struct ydoc *d)
{
	if (d == NULL)
		return;
	ydoc_release(d, 1);
	yaml_parser_delete(&d->y);
	free(d->v);
	free(d->stack);
	free(d);
}

/* ------------------------------------------------------------------ */
/* typed access */

int
ydoc_is_null(const struct ydoc_node *nd)
{
	if (nd->type != YDOC_SCALAR || !nd->plain)
		return 0;
	return nd->len == 0 || node_is(nd, "~") || node_is(nd, "null") ||
	    node_is(nd, "Null") || node_is(nd, "NULL");
}

const char *
ydoc_type_name(const struct ydoc_node *nd)
{
	if (nd->type == YDOC_SEQ)
		return "a list";
	if (nd->type == YDOC_MAP)
		return "a mapping";
	if (ydoc_is_null(nd))
		return "nothing";
	return nd->plain ? "a scalar" : "a quoted string";
}

int
ydoc_get_str(struct ydoc *d, size_t node, const char *what, char *out,
    size_t outlen)
{
	const struct ydoc_node *nd = &d->v[node];

	if (nd->type != YDOC_SCALAR || ydoc_is_null(nd)) {
		ydoc_err(d, node, "%s: expected a string, got %s", what,
		    ydoc_type_name(nd));
		return -1;
	}
	if (nd->len >= outlen) {
		ydoc_err(d, node, "%s: longer than %zu bytes", what,
		    outlen - 1);
		return -1;
	}
	if (out != NULL)
		memcpy(out, nd->str, nd->len + 1);
	return 0;
}

int
ydoc_get_int(struct ydoc *d, size_t node, const char *what, long long min,
    long long max, long long *out)
{
	const struct ydoc_node *nd = &d->v[node];
	const char *s = nd->str;
	long long v = 0;
	size_t i;
	int neg;
	char qb[64];

	if (nd->type != YDOC_SCALAR || !nd->plain || ydoc_is_null(nd)) {
		ydoc_err(d, node, "%s: expected an integer, got %s", what,
		    ydoc_type_name(nd));
		return -1;
	}
	neg = s[0] == '-';
	i = neg ? 1 : 0;
	if (i == nd->len)
		goto notint;
	for (; i < nd->len; i++) {
		int dg;

		if (s[i] < '0' || s[i] > '9')
			goto notint;
		dg = s[i] - '0';
		/* accumulate towards the sign so that LLONG_MIN fits */
		if (!neg && v > (LLONG_MAX - dg) / 10)
			goto range;
		if (neg && v < (LLONG_MIN + dg) / 10)
			goto range;
		v = v * 10 + (neg ? -dg : dg);
	}
	if (v < min || v > max)
		goto range;
	*out = v;
	return 0;
range:
	ydoc_err(d, node, "%s: %s is out of range %lld..%lld", what,
	    YDOC_Q(nd, qb), min, max);
	return -1;
notint:
	ydoc_err(d, node, "%s: expected an integer, got \"%s\"", what,
	    YDOC_Q(nd, qb));
	return -1;
}

int
ydoc_get_bool(struct ydoc *d, size_t node, const char *what, int *out)
{
	const struct ydoc_node *nd = &d->v[node];
	char qb[64];

	if (nd->type == YDOC_SCALAR && nd->plain) {
		if (node_is(nd, "true") || node_is(nd, "True") ||
		    node_is(nd, "TRUE")) {
			*out = 1;
			return 0;
		}
		if (node_is(nd, "false") || node_is(nd, "False") ||
		    node_is(nd, "FALSE")) {
			*out = 0;
			return 0;
		}
		if (!ydoc_is_null(nd)) {
			ydoc_err(d, node, "%s: expected true or false, got "
			    "\"%s\"", what, YDOC_Q(nd, qb));
			return -1;
		}
	}
	ydoc_err(d, node, "%s: expected true or false, got %s", what,
	    ydoc_type_name(nd));
	return -1;
}

int
ydoc_get_state(struct ydoc *d, size_t node, const char *what,
    enum plugin_state *out)
{
	static const struct {
		const char *name;
		enum plugin_state st;
	} names[] = {
		{ "ok", PLUGIN_OK }, { "warning", PLUGIN_WARNING },
		{ "critical", PLUGIN_CRITICAL }, { "unknown", PLUGIN_UNKNOWN },
	};
	const struct ydoc_node *nd = &d->v[node];
	char qb[64];
	size_t i;

	if (ydoc_get_str(d, node, what, NULL, 32) < 0)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(nd->str) == nd->len &&
		    strcasecmp(nd->str, names[i].name) == 0) {
			*out = names[i].st;
			return 0;
		}
	}
	ydoc_err(d, node, "%s: unknown state \"%s\" (expected ok, warning, "
	    "critical or unknown)", what, YDOC_Q(nd, qb));
	return -1;
}

int
ydoc_expect_map(struct ydoc *d, size_t node, const char *what)
{
	if (d->v[node].type != YDOC_MAP) {
		ydoc_err(d, node, "%s: expected a mapping, got %s", what,
		    ydoc_type_name(&d->v[node]));
		return -1;
	}
	return 0;
}

int
ydoc_get_list(struct ydoc *d, size_t node, const char *what,
    ydoc_item_fn fn, size_t size, size_t max, void **out, size_t *n)
{
	const struct ydoc_node *nd = &d->v[node];
	unsigned char *v;
	size_t k, cnt, j = 0;

	if (nd->type == YDOC_MAP) {
		ydoc_err(d, node, "%s: expected a value or a list, got a "
		    "mapping", what);
		return -1;
	}
	cnt = nd->type == YDOC_SEQ ? nd->n : 1;
	if (cnt == 0) {
		ydoc_err(d, node, "%s: empty list", what);
		return -1;
	}
	if (cnt > max) {
		ydoc_err(d, node, "%s: more than %zu items", what, max);
		return -1;
	}
	v = calloc(cnt, size);
	if (v == NULL) {
		ydoc_err(d, node, "out of memory");
		return -1;
	}
	if (nd->type == YDOC_SCALAR) {
		if (fn(d, node, what, v) < 0)
			goto bad;
	} else {
		for (k = nd->first; k != 0; k = d->v[k].next, j++) {
			if (d->v[k].type != YDOC_SCALAR) {
				ydoc_err(d, k, "%s: expected a value, got %s",
				    what, ydoc_type_name(&d->v[k]));
				goto bad;
			}
			if (fn(d, k, what, v + j * size) < 0)
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

/* ------------------------------------------------------------------ */
/* sections */

int
ydoc_field_get(struct ydoc *d, const struct ydoc_field *f, size_t node,
    void *base)
{
	unsigned char *dst = (unsigned char *)base + f->off;
	long long ll = 0;
	void *vp = NULL, *old;
	size_t n = 0;
	int rc = 0, b;

	switch (f->kind) {
	case YDOC_K_SKIP:
		return 0;
	case YDOC_K_STR:
		rc = ydoc_get_str(d, node, f->key, (char *)dst, f->size);
		break;
	case YDOC_K_INT:
		rc = ydoc_get_int(d, node, f->key, f->min, f->max, &ll);
		if (rc == 0 && f->size == sizeof(int)) {
			int iv = (int)ll;

			memcpy(dst, &iv, sizeof(iv));
		} else if (rc == 0) {
			memcpy(dst, &ll, sizeof(ll));
		}
		break;
	case YDOC_K_BOOL:
		rc = ydoc_get_bool(d, node, f->key, &b);
		if (rc == 0)
			memcpy(dst, &b, sizeof(b));
		break;
	case YDOC_K_STATE:
		rc = ydoc_get_state(d, node, f->key,
		    (enum plugin_state *)(void *)dst);
		break;
	case YDOC_K_LIST:
		rc = ydoc_get_list(d, node, f->key, f->fn, f->size,
		    (size_t)f->max, &vp, &n);
		if (rc == 0) {
			memcpy(&old, dst, sizeof(old));
			free(old);
			memcpy(dst, &vp, sizeof(vp));
			memcpy((unsigned char *)base + f->off2, &n, sizeof(n));
		}
		break;
	case YDOC_K_FN:
		rc = f->fn(d, node, f->key, dst);
		break;
	case YDOC_K_MAP:
		if ((f->flags & YDOC_F_NULL_OK) && ydoc_is_null(&d->v[node]))
			return 0;
		rc = ydoc_fields(d, node, f->key, f->sub, f->nsub, base, NULL);
		break;
	}
	if (rc == 0 && f->check != NULL)
		rc = f->check(d, node, base);
	return rc < 0 ? -1 : 0;
}

int
ydoc_fields(struct ydoc *d, size_t node, const char *where,
    const struct ydoc_field *f, size_t nf, void *base, size_t *at)
{
	size_t k, i;
	char qb[64];

	if (ydoc_expect_map(d, node, where) < 0)
		return -1;
	if (at != NULL)
		memset(at, 0, nf * sizeof(*at));
	for (k = d->v[node].first; k != 0; k = d->v[d->v[k].next].next) {
		const struct ydoc_node *key = &d->v[k];

		for (i = 0; i < nf; i++)
			if (node_is(key, f[i].key))
				break;
		if (i == nf) {
			ydoc_err(d, k, "unknown key \"%s\" in %s",
			    YDOC_Q(key, qb), where);
			return -1;
		}
		if (ydoc_field_get(d, &f[i], key->next, base) < 0)
			return -1;
		if (at != NULL)
			at[i] = k;
	}
	return 0;
}
