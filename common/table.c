/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * table: save a port-mapping table as YAML and load it back (see table.h
 * for the format and the raw-byte encoding of strings).
 *
 * Saving checks the whole table first, then writes it with file_save()
 * (a temporary file beside the target, fsync, rename).
 *
 * Loading streams the document through the ydoc layer: the root mapping
 * and the "mappings" list are entered, not read whole, and each key and
 * value is read, stored by the field tables below and released in turn, so
 * memory does not grow with the file beyond the table itself; a value of
 * the wrong kind is refused at its start (nothing nested in it is ever
 * descended into, nothing is ever expanded).  Every error names the source
 * and a 1-based line and column.
 */
#include "file.h"
#include "msg.h"
#include "table.h"
#include "ydoc.h"

#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#define TABLE_RAW_BASE	0xEF00u	/* U+EF80..U+EFFF stand for bytes 0x80..0xFF */

/* ------------------------------------------------------------------ */
/* strings */

/*
 * The length of the valid, shortest-form UTF-8 sequence at s (n > 0 bytes
 * available) with its code point in *cp, or 0 when s does not start one.
 * Surrogates and code points above U+10FFFF are not valid.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Write s as a YAML double-quoted scalar (escapes: see table.h). */
static void
put_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, j, k;
	unsigned long cp;

	putc('"', f);
	while (i < n) {
		unsigned char b = p[i];

		if (b < 0x80) {
			if (b == '"')
				fputs("\\\"", f);
			else if (b == '\\')
				fputs("\\\\", f);
			else if (b == '\n')
				fputs("\\n", f);
			else if (b == '\t')
				fputs("\\t", f);
			else if (b == '\r')
				fputs("\\r", f);
			else if (b < 0x20 || b == 0x7f)
				fprintf(f, "\\x%02X", (unsigned)b);
			else
				putc(b, f);
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i, &cp);
		if (k == 0 || (cp >= TABLE_RAW_BASE + 0x80 &&
		    cp <= TABLE_RAW_BASE + 0xff)) {
			/* A stray byte, or a genuine U+EF80..U+EFFF that would
			 * read back as one: each byte as its stand-in. */
			if (k == 0)
				k = 1;
			for (j = 0; j < k; j++)
				fprintf(f, "\\u%04X", TABLE_RAW_BASE + p[i + j]);
		} else if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0xfeff || cp == 0xfffe || cp == 0xffff) {
			/* C1 controls and line separators would be folded into
			 * spaces, U+FFFE/U+FFFF are refused by the reader. */
			fprintf(f, "\\u%04lX", cp);
		} else {
			fwrite(p + i, 1, k, f);
		}
		i += k;
	}
	putc('"', f);
}

/* Turn every U+EF80..U+EFFF (UTF-8 EE BE/BF 80..BF) in s back into the byte
 * it stands for.  Works in place; returns the new length. */
static size_t
raw_decode(char *s, size_t len)
{
	unsigned char *p = (unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < len) {
		if (p[i] == 0xee && i + 2 < len &&
		    (p[i + 1] == 0xbe || p[i + 1] == 0xbf) &&
		    (p[i + 2] & 0xc0) == 0x80) {
			p[o++] = (unsigned char)(0x80u |
			    ((p[i + 1] & 1u) << 6) | (p[i + 2] & 0x3fu));
			i += 3;
		} else {
			p[o++] = p[i++];
		}
	}
	p[o] = '\0';
	return o;
}

/* ------------------------------------------------------------------ */
/* saving */

/* 1 when the char array a holds a NUL-terminated string. */
#define FITS(a) (memchr((a), '\0', sizeof(a)) != NULL)

/* Refuse what table_load() would refuse, naming the 1-based mapping. */
static int
check_mapping(const char *path, const struct igd_mapping *m, size_t i,
    char *err, size_t errlen)
{
	const char *why = NULL;

	if (!FITS(m->protocol) || (strcmp(m->protocol, "TCP") != 0 &&
	    strcmp(m->protocol, "UDP") != 0))
		why = "protocol is not TCP or UDP";
	else if (m->external_port < 1 || m->external_port > 65535)
		why = "external_port is not in 1..65535";
	else if (m->internal_port > 65535)
		why = "internal_port is not in 0..65535";
	else if (!FITS(m->internal_client))
		why = "internal_client is not terminated";
	else if (!FITS(m->remote_host))
		why = "remote_host is not terminated";
	else if (m->lease < 0)
		why = "lease is negative";
	else if (m->service < 1 || m->service > IGD_SERVICES_MAX)
		why = "service is not in 1..IGD_SERVICES_MAX";
	if (why == NULL)
		return 0;
	msg_set(err, errlen, "%s: mapping %zu (%.3s %u): %s", path, i + 1,
	    FITS(m->protocol) ? m->protocol : "?", m->external_port, why);
	return -1;
}

/* What table_save() writes. */
struct table_out {
	const struct igd_table *t;
	const char *location, *udn;
};

/* file_fill_fn: the table as YAML, refused when too large to load back. */
static int
write_table(FILE *f, void *ctx, char *why, size_t whylen)
{
	const struct table_out *o = ctx;
	const struct igd_table *t = o->t;
	off_t size;
	size_t i;

	fputs("# check_igd saved port-mapping table\n", f);
	fprintf(f, "version: %d\n", TABLE_VERSION);
	if (o->location != NULL) {
		fputs("location: ", f);
		put_str(f, o->location);
		putc('\n', f);
	}
	if (o->udn != NULL) {
		fputs("udn: ", f);
		put_str(f, o->udn);
		putc('\n', f);
	}
	fputs("external_address: ", f);
	put_str(f, t->external_address);
	fprintf(f, "\ncomplete: %s\n", t->complete ? "true" : "false");
	if (t->n == 0)
		fputs("mappings: []\n", f);
	else
		fputs("mappings:\n", f);
	for (i = 0; i < t->n; i++) {
		const struct igd_mapping *m = &t->m[i];

		fprintf(f, "  - protocol: %s\n", m->protocol);
		fprintf(f, "    external_port: %u\n", m->external_port);
		fputs("    internal_client: ", f);
		put_str(f, m->internal_client);
		fprintf(f, "\n    internal_port: %u%s\n", m->internal_port,
		    m->internal_port == 0 ? "  # not told by the device "
		    "(quirk internal-port-0)" : "");
		fputs("    remote_host: ", f);
		put_str(f, m->remote_host);
		fputs("\n    description: ", f);
		put_str(f, m->description != NULL ? m->description : "");
		fprintf(f, "\n    lease: %" PRId64 "\n", m->lease);
		fprintf(f, "    enabled: %s\n", m->enabled ? "true" : "false");
		fprintf(f, "    service: %u\n", m->service);
	}
	if (fflush(f) != 0 || ferror(f))
		return -1;
	size = ftello(f);
	if (size < 0 || size > TABLE_FILE_MAX) {
		msg_set(why, whylen, "the table would be larger than %d bytes, "
		    "too large to load back", TABLE_FILE_MAX);
		return -1;
	}
	return 0;
}

int
table_save(const char *path, const struct igd_table *t, const char *location,
    const char *udn, char *err, size_t errlen)
{
	struct table_out o = { t, location, udn };
	char why[256];
	size_t i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || *path == '\0' || t == NULL ||
	    (t->n > 0 && t->m == NULL)) {
		msg_set(err, errlen, "table_save: no table or path");
		return -1;
	}
	if (t->n > IGD_TABLE_MAX) {
		msg_set(err, errlen, "%s: %zu mappings, more than the %d a "
		    "table holds", path, t->n, IGD_TABLE_MAX);
		return -1;
	}
	if (!FITS(t->external_address)) {
		msg_set(err, errlen, "%s: external_address is not terminated",
		    path);
		return -1;
	}
	for (i = 0; i < t->n; i++)
		if (check_mapping(path, &t->m[i], i, err, errlen) < 0)
			return -1;
	if (file_save(path, write_table, &o, FILE_DURABLE, why,
	    sizeof(why)) < 0) {
		msg_set(err, errlen, "%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* loading: values */

static const struct ydoc_limits table_limits = {
	0, 0, 0, 16, 0		/* streamed: nodes are released item by item */
};

/* A string, raw bytes restored, in a new allocation (*out, *outlen). */
static int
get_string(struct ydoc *d, size_t node, const char *what, char **out,
    size_t *outlen)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	char *s;

	if (nd->type != YDOC_SCALAR || ydoc_is_null(nd)) {
		ydoc_err(d, node, "%s: expected a string, got %s", what,
		    ydoc_type_name(nd));
		return -1;
	}
	if (memchr(nd->str, '\0', nd->len) != NULL) {
		ydoc_err(d, node, "%s: NUL character in a string", what);
		return -1;
	}
	s = malloc(nd->len + 1);
	if (s == NULL) {
		ydoc_err(d, node, "out of memory");
		return -1;
	}
	memcpy(s, nd->str, nd->len);
	*outlen = raw_decode(s, nd->len);
	*out = s;
	return 0;
}

/* A string that fits in dst (dstlen bytes with its NUL). */
static int
get_string_buf(struct ydoc *d, size_t node, const char *what, char *dst,
    size_t dstlen)
{
	char *s;
	size_t n;

	if (get_string(d, node, what, &s, &n) < 0)
		return -1;
	if (n >= dstlen) {
		ydoc_err(d, node, "%s: longer than %zu bytes", what, dstlen - 1);
		free(s);
		return -1;
	}
	memcpy(dst, s, n + 1);
	free(s);
	return 0;
}

/* ydoc_item_fn for the strings of the format (all are char[64]). */
static int
get_str64(struct ydoc *d, size_t node, const char *what, void *out)
{
	return get_string_buf(d, node, what, out, 64);
}

/* udn: kept when it fits in t->udn (IGD_STR_MAX, what a device's can
 * be), left "" (unknown) when longer: never cut into another UDN. */
static int
get_udn(struct ydoc *d, size_t node, const char *what, void *out)
{
	char *s, *dst = out;
	size_t n;

	if (get_string(d, node, what, &s, &n) < 0)
		return -1;
	dst[0] = '\0';
	if (n < IGD_STR_MAX)
		memcpy(dst, s, n + 1);
	free(s);
	return 0;
}

/* A string read for its form only (location). */
static int
get_str_unused(struct ydoc *d, size_t node, const char *what, void *out)
{
	char *s;
	size_t n;

	(void)out;
	if (get_string(d, node, what, &s, &n) < 0)
		return -1;
	free(s);
	return 0;
}

/* description: a string of any length (char **). */
static int
get_desc(struct ydoc *d, size_t node, const char *what, void *out)
{
	size_t n;

	return get_string(d, node, what, (char **)out, &n);
}

static int
get_protocol(struct ydoc *d, size_t node, const char *what, void *out)
{
	const struct ydoc_node *nd = ydoc_node(d, node);
	char *p = out, qb[64];
	size_t i;

	if (nd->type != YDOC_SCALAR || ydoc_is_null(nd)) {
		ydoc_err(d, node, "%s: expected TCP or UDP, got %s", what,
		    ydoc_type_name(nd));
		return -1;
	}
	if (nd->len == 3 && (strncasecmp(nd->str, "TCP", 3) == 0 ||
	    strncasecmp(nd->str, "UDP", 3) == 0)) {
		for (i = 0; i < 3; i++) {
			char ch = nd->str[i];

			p[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' :
			    ch);
		}
		p[3] = '\0';
		return 0;
	}
	ydoc_err(d, node, "%s: expected TCP or UDP, got \"%s\"", what,
	    YDOC_Q(nd, qb));
	return -1;
}

static int
get_version(struct ydoc *d, size_t node, const char *what, void *out)
{
	long long v;

	(void)out;
	if (ydoc_get_int(d, node, what, LLONG_MIN, LLONG_MAX, &v) < 0)
		return -1;
	if (v != TABLE_VERSION) {
		ydoc_err(d, node, "unsupported table version %lld (this program "
		    "reads version %d)", v, TABLE_VERSION);
		return -1;
	}
	return 0;
}

static int parse_mappings(struct ydoc *d, size_t node, const char *what,
    void *out);

/* ------------------------------------------------------------------ */
/* loading: the schema, one line a key (the order is that of "known:") */

#define TF(m) offsetof(struct igd_table, m)
#define MF(m) offsetof(struct igd_mapping, m)
#define FN(key, off, fn, flags) { key, YDOC_K_FN, off, 0, 0, 0, fn, 0, NULL, \
	0, NULL, flags }
#define INT(key, m, min, max, flags) { key, YDOC_K_INT, MF(m), \
	sizeof(((struct igd_mapping *)NULL)->m), min, max, NULL, 0, NULL, 0, \
	NULL, flags }

static const struct ydoc_field top_fields[] = {
	FN("version", 0, get_version, YDOC_F_REQUIRED),
	FN("location", 0, get_str_unused, 0),
	FN("udn", TF(udn), get_udn, 0),
	FN("external_address", TF(external_address), get_str64, 0),
	{ "complete", YDOC_K_BOOL, TF(complete), 0, 0, 0, NULL, 0, NULL, 0,
	    NULL, YDOC_F_REQUIRED },
	FN("mappings", 0, parse_mappings, YDOC_F_REQUIRED),
};

static const struct ydoc_field map_fields[] = {
	FN("protocol", MF(protocol), get_protocol, YDOC_F_REQUIRED),
	INT("external_port", external_port, 1, 65535, YDOC_F_REQUIRED),
	FN("internal_client", MF(internal_client), get_str64, YDOC_F_REQUIRED),
	/* 0: the device did not tell it (quirk internal-port-0) */
	INT("internal_port", internal_port, 0, 65535, YDOC_F_REQUIRED),
	INT("lease", lease, 0, INT64_MAX, YDOC_F_REQUIRED),
	FN("remote_host", MF(remote_host), get_str64, 0),
	FN("description", MF(description), get_desc, 0),
	{ "enabled", YDOC_K_BOOL, MF(enabled), 0, 0, 0, NULL, 0, NULL, 0, NULL,
	    0 },
	INT("service", service, 1, IGD_SERVICES_MAX, 0),
};

#define NF(a) (sizeof(a) / sizeof((a)[0]))
#define KEYS_MAX 16	/* keys of the largest mapping above */

/*
 * The key node of a mapping that has seen the keys in *seen (first lines
 * in at[]).  Returns its index in f[], or -1 with a message for a
 * non-scalar, unknown or duplicate key.  where names the mapping.
 */
static int
take_key(struct ydoc *d, size_t key, const struct ydoc_field *f, size_t nf,
    unsigned *seen, size_t *at, const char *where)
{
	const struct ydoc_node *k = ydoc_node(d, key);
	char qb[64], known[256];
	size_t o = 0, i;

	if (k->type != YDOC_SCALAR) {
		ydoc_err(d, key, "%s: keys must be strings, got %s", where,
		    ydoc_type_name(k));
		return -1;
	}
	for (i = 0; i < nf; i++)
		if (k->len == strlen(f[i].key) &&
		    memcmp(k->str, f[i].key, k->len) == 0)
			break;
	if (i == nf) {
		for (i = 0; i < nf; i++) {
			int n = snprintf(known + o, sizeof(known) - o, "%s%s",
			    i ? ", " : "", f[i].key);

			if (n < 0 || (size_t)n >= sizeof(known) - o)
				break;	/* cut list: still terminated */
			o += (size_t)n;
		}
		ydoc_err(d, key, "unknown key \"%s\" in %s (known: %s)",
		    YDOC_Q(k, qb), where, known);
		return -1;
	}
	if (*seen & (1u << i)) {
		ydoc_err(d, key, "duplicate key \"%s\" (first at line %zu)",
		    f[i].key, at[i]);
		return -1;
	}
	*seen |= 1u << i;
	at[i] = k->line;
	return (int)i;
}

/*
 * Stream the mapping node (entered, not read) into base by the fields f:
 * each key and its value are read, stored and released in turn.  first,
 * when not NULL, is the key that must come first.
 */
static int
parse_map(struct ydoc *d, size_t node, const struct ydoc_field *f, size_t nf,
    void *base, const char *where, const char *first)
{
	size_t mark = ydoc_mark(d), key, val, at[KEYS_MAX], i;
	unsigned seen = 0;
	int k, r;

	for (;;) {
		r = ydoc_enter(d, &key);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		/* version first, so that a newer file fails on its version
		 * rather than on the first key this version does not know */
		if (first != NULL && seen == 0 &&
		    (ydoc_node(d, key)->type != YDOC_SCALAR ||
		    strcmp(ydoc_node(d, key)->str, first) != 0)) {
			ydoc_err(d, key, "the first key must be \"%s: %d\"",
			    first, TABLE_VERSION);
			return -1;
		}
		k = take_key(d, key, f, nf, &seen, at, where);
		if (k < 0 || ydoc_enter(d, &val) != 1)
			return -1;
		if (ydoc_field_get(d, &f[k], val, base) < 0)
			return -1;
		ydoc_release(d, mark);
	}
	for (i = 0; i < nf; i++) {
		if ((f[i].flags & YDOC_F_REQUIRED) && !(seen & (1u << i))) {
			ydoc_err(d, node, "%s: missing \"%s\"", where, f[i].key);
			return -1;
		}
	}
	return 0;
}

/* One item of "mappings" (entered); idx is 1-based.  Appended to t. */
static int
parse_mapping(struct ydoc *d, size_t node, struct igd_table *t, size_t idx)
{
	struct igd_mapping m;
	char where[48];
	int k, rc = -1;

	memset(&m, 0, sizeof(m));
	m.enabled = 1;
	m.service = 1;
	k = snprintf(where, sizeof(where), "mapping %zu", idx);
	if (k < 0 || (size_t)k >= sizeof(where))
		memcpy(where, "a mapping", sizeof("a mapping"));
	if (parse_map(d, node, map_fields, NF(map_fields), &m, where,
	    NULL) < 0)
		goto out;
	if (m.description == NULL) {
		m.description = calloc(1, 1);
		if (m.description == NULL) {
			ydoc_err(d, node, "out of memory");
			goto out;
		}
	}
	k = igd_table_add(t, &m);
	if (k != 0) {
		char eb[IGD_STRERROR_MAX];

		ydoc_err(d, node, "%s: cannot keep it: %s", where,
		    igd_strerror(k, eb, sizeof(eb)));
		goto out;
	}
	rc = 0;
out:
	free(m.description);
	return rc;
}

/* The value of "mappings" (entered, not read): streamed item by item. */
static int
parse_mappings(struct ydoc *d, size_t node, const char *what, void *out)
{
	struct igd_table *t = out;
	size_t idx = 0, item, mark = ydoc_mark(d);
	int r;

	if (ydoc_node(d, node)->type != YDOC_SEQ) {
		ydoc_err(d, node, "%s: expected a list, got %s", what,
		    ydoc_type_name(ydoc_node(d, node)));
		return -1;
	}
	for (;;) {
		r = ydoc_enter(d, &item);
		if (r <= 0)
			return r;
		idx++;
		if (ydoc_node(d, item)->type != YDOC_MAP) {
			ydoc_err(d, item, "mapping %zu: expected a mapping, got "
			    "%s", idx, ydoc_type_name(ydoc_node(d, item)));
			return -1;
		}
		if (t->n >= IGD_TABLE_MAX) {
			ydoc_err(d, item, "more than %d mappings",
			    IGD_TABLE_MAX);
			return -1;
		}
		if (parse_mapping(d, item, t, idx) < 0)
			return -1;
		ydoc_release(d, mark);
	}
}

/* The whole stream: exactly one document holding a mapping. */
static int
parse_stream(struct ydoc *d, struct igd_table *t)
{
	const struct ydoc_node *nd;
	size_t root;

	if (ydoc_enter(d, &root) != 1)
		return -1;
	nd = ydoc_node(d, root);
	if (nd->type != YDOC_MAP) {
		if (ydoc_is_null(nd))
			ydoc_err(d, root, "empty table");
		else
			ydoc_err(d, root, "the table must be a mapping, got %s",
			    ydoc_type_name(nd));
		return -1;
	}
	if (parse_map(d, root, top_fields, NF(top_fields), t, "the table",
	    "version") < 0)
		return -1;
	return ydoc_close(d);
}

int
table_load_buffer(const char *name, const char *buf, size_t len,
    struct igd_table *t, char *err, size_t errlen)
{
	struct ydoc *d = NULL;
	int rc = -1, k;

	name = name ? name : "(table)";
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (t == NULL || (buf == NULL && len > 0)) {
		msg_at(err, errlen, name, 0, 0, "invalid arguments");
		return -1;
	}
	memset(t, 0, sizeof(*t));
	if (len > TABLE_FILE_MAX) {
		msg_at(err, errlen, name, 0, 0, "larger than %d bytes",
		    TABLE_FILE_MAX);
		return -1;
	}
	if (len == 0) {
		msg_at(err, errlen, name, 0, 0, "empty table");
		return -1;
	}
	k = ydoc_open(&d, name, buf, len, &table_limits, err, errlen);
	if (k == 0)
		ydoc_err_file(d, "empty table");
	else if (k > 0)
		rc = parse_stream(d, t);
	ydoc_free(d);
	if (rc != 0) {
		igd_table_free(t);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	t->rc = 0;
	/* the workaround the table was read with, named again */
	for (size_t i = 0; i < t->n; i++)
		if (t->m[i].internal_port == 0)
			t->quirks |= QUIRK_BIT(QUIRK_IPORT_ZERO);
	if (snprintf(t->method, sizeof(t->method), "%s", TABLE_METHOD) < 0)
		t->method[0] = '\0';
	return 0;
}

int
table_load(const char *path, struct igd_table *t, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (t == NULL) {
		msg_at(err, errlen, path ? path : "(null)", 0, 0,
		    "invalid arguments");
		return -1;
	}
	memset(t, 0, sizeof(*t));
	if (file_load(path, TABLE_FILE_MAX, &buf, &len, err, errlen) < 0)
		return -1;
	rc = table_load_buffer(path, buf, len, t, err, errlen);
	free(buf);
	return rc;
}
