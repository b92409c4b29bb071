/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ydoc: the YAML document layer under the policy and saved-table loaders.
 *
 * A ydoc reads one libyaml event stream (from a caller's buffer) into a
 * small tree of scalars, lists and mappings in which every node keeps its
 * 1-based line and column.  Anchors, aliases and tags are refused as the
 * events arrive, so nothing is ever expanded; nodes, keys, list items and
 * nesting are bounded.  A loader either reads a whole node at once
 * (ydoc_read: the policy reads its document so) or enters a list or a
 * mapping and takes its children one at a time (ydoc_enter: the table
 * streams its mappings so, releasing each item's nodes with ydoc_release).
 *
 * On top of the tree: typed getters (string, integer, boolean, state,
 * list) and sections described as data (struct ydoc_field: key, kind,
 * destination, check), with every message "NAME:LINE:COLUMN: message"
 * written into the caller's error buffer.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_YDOC_H
#define CHECK_IGD_YDOC_H

#include <stddef.h>
#include "plugin.h"

#define YDOC_QUOTE_MAX	40	/* characters of file text quoted in a message */

enum ydoc_type { YDOC_SCALAR, YDOC_SEQ, YDOC_MAP };

/* One node; children are linked by index, 0 meaning none. */
struct ydoc_node {
	enum ydoc_type type;
	int plain;		/* scalar written without quotes */
	size_t line, col;	/* where the node starts, 1-based */
	char *str;		/* scalar value, NUL-terminated */
	size_t len;		/* its length (inner NULs possible, see flags) */
	size_t n;		/* children (a mapping: keys and values) */
	size_t first, last, next;	/* child and sibling links */
};

/* Bounds and checks of one document; 0 in a bound means none. */
struct ydoc_limits {
	size_t nodes;		/* nodes kept at once */
	size_t keys;		/* pairs in one mapping */
	size_t items;		/* items in one list */
	size_t depth;		/* open lists and mappings */
	unsigned flags;		/* YDOC_* below */
};

/* ydoc_read refuses a non-scalar or duplicate key in a mapping it builds. */
#define YDOC_STRICT_KEYS	1u
/* A scalar holding a NUL character is refused as it arrives. */
#define YDOC_NO_NUL		2u

struct ydoc;

/*
 * Start reading buf (len bytes, kept by the caller until ydoc_free) under
 * the name used in messages; lim is copied.  Returns 1 with *out set when
 * the stream holds a document (its root is the next node), 0 with *out
 * set when it holds none, -1 with a message in err (*out NULL).  Free
 * with ydoc_free().  err (errlen bytes) is where every later message of
 * this document goes.
 */
int ydoc_open(struct ydoc **out, const char *name, const char *buf,
    size_t len, const struct ydoc_limits *lim, char *err, size_t errlen);

/* Accepts NULL. */
void ydoc_free(struct ydoc *d);

/*
 * Read the next node of the stream whole (a scalar, or a list or mapping
 * with everything in it) into the tree.  Returns 1 with its index in
 * *node, 0 when the list or mapping being entered (or the document) ends
 * instead, -1 with a message.
 */
int ydoc_read(struct ydoc *d, size_t *node);

/*
 * Like ydoc_read, but a list or mapping is only opened: its node has no
 * children linked, and the following calls return its children one by one
 * until one returns 0 at its end.
 */
int ydoc_enter(struct ydoc *d, size_t *node);

/*
 * After the root node: the document ends and no other follows.  0, or -1
 * with a message ("more than one document").
 */
int ydoc_close(struct ydoc *d);

/* A mark of the tree, and dropping every node made after it (the nodes of
 * a streamed item that has been dealt with). */
size_t ydoc_mark(const struct ydoc *d);
void ydoc_release(struct ydoc *d, size_t mark);

/* The node at index i (valid until ydoc_release drops it). */
const struct ydoc_node *ydoc_node(const struct ydoc *d, size_t i);

/* Messages: at a node, at a line and column, or about the whole file. */
void ydoc_err(const struct ydoc *d, size_t node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ydoc_err_at(const struct ydoc *d, size_t line, size_t col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define ydoc_err_file(d, ...) ydoc_err_at((d), 0, 0, __VA_ARGS__)

/* Quote len bytes of file text into out (outlen bytes) for a message:
 * printable ASCII kept, anything else '?', cut at YDOC_QUOTE_MAX with
 * "...".  Returns out. */
const char *ydoc_quote(const char *s, size_t len, char *out, size_t outlen);
#define YDOC_Q(nd, buf) ydoc_quote((nd)->str, (nd)->len, (buf), sizeof(buf))

/* 1 for a plain null scalar (empty, ~, null, Null, NULL). */
int ydoc_is_null(const struct ydoc_node *nd);

/* "a list", "a mapping", "nothing", "a scalar" or "a quoted string". */
const char *ydoc_type_name(const struct ydoc_node *nd);

/*
 * Typed getters: each returns 0 with the value stored, or -1 with a
 * message that starts with what.
 */
/* A non-null scalar shorter than outlen bytes, copied into out unless out
 * is NULL. */
int ydoc_get_str(struct ydoc *d, size_t node, const char *what, char *out,
    size_t outlen);
/* A plain decimal integer in [min, max]. */
int ydoc_get_int(struct ydoc *d, size_t node, const char *what,
    long long min, long long max, long long *out);
/* true/True/TRUE or false/False/FALSE, plain. */
int ydoc_get_bool(struct ydoc *d, size_t node, const char *what, int *out);
/* ok, warning, critical or unknown, any case. */
int ydoc_get_state(struct ydoc *d, size_t node, const char *what,
    enum plugin_state *out);
/* A mapping (expect one before walking it). */
int ydoc_expect_map(struct ydoc *d, size_t node, const char *what);

/* Parses one scalar item into out. */
typedef int (*ydoc_item_fn)(struct ydoc *d, size_t node, const char *what,
    void *out);

/*
 * A scalar or a list of 1..max scalars, each parsed by fn into an array of
 * size-byte items.  Returns 0 with *out (free with free()) and *n, or -1.
 */
int ydoc_get_list(struct ydoc *d, size_t node, const char *what,
    ydoc_item_fn fn, size_t size, size_t max, void **out, size_t *n);

/* ------------------------------------------------------------------ */
/* sections described as data */

enum ydoc_kind {
	YDOC_K_SKIP,	/* a key handled elsewhere */
	YDOC_K_STR,	/* char[size] */
	YDOC_K_INT,	/* in [min, max]; size is sizeof an int or a long long */
	YDOC_K_BOOL,	/* int */
	YDOC_K_STATE,	/* enum plugin_state */
	YDOC_K_LIST,	/* fn items of size bytes: a pointer at off (replaced,
			 * the old one freed), the count at off2 */
	YDOC_K_FN,	/* fn(d, node, key, base + off) does it all */
	YDOC_K_MAP,	/* a mapping described by sub[nsub] (same base) */
};

/*
 * One key of a section: what it holds and where it goes (off bytes into
 * the base the section is applied to); check, when set, runs after the
 * value is stored and may refuse it with a message.
 */
struct ydoc_field {
	const char *key;
	enum ydoc_kind kind;
	size_t off;
	size_t size;
	long long min, max;
	ydoc_item_fn fn;
	size_t off2;
	const struct ydoc_field *sub;
	size_t nsub;
	int (*check)(struct ydoc *d, size_t node, void *base);
	unsigned flags;		/* YDOC_F_* below */
};

/* The value may be null (a section left empty): nothing is stored. */
#define YDOC_F_NULL_OK	1u
/* The key must be given (table loader). */
#define YDOC_F_REQUIRED	2u

/* Store the value node of field f into base.  0 or -1 with a message. */
int ydoc_field_get(struct ydoc *d, const struct ydoc_field *f, size_t node,
    void *base);

/*
 * Apply the section f[nf] to the mapping node: every key must be one of
 * f's ("unknown key \"K\" in WHERE" otherwise) and is stored into base.
 * When at is not NULL, at[i] gets the key node of f[i], 0 when absent.
 * 0, or -1 with a message.
 */
int ydoc_fields(struct ydoc *d, size_t node, const char *where,
    const struct ydoc_field *f, size_t nf, void *base, size_t *at);

#endif
