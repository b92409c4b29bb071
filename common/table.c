/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * table: save a port-mapping table as YAML and load it back (see table.h
 * for the format and the raw-byte encoding of strings).
 *
 * Saving checks the whole table first, then writes a temporary file next to
 * the target with stdio, fsyncs it and renames it into place.
 *
 * Loading walks the libyaml event stream straight into struct igd_table: the
 * schema is fixed and shallow, so there is no intermediate tree, and a value
 * of the wrong kind is refused on its first event (nothing nested is ever
 * descended into, nothing is ever expanded).  Every error names the source
 * and a 1-based line and column.
 */
#include "msg.h"
#include "table.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <yaml.h>

#define TABLE_PATH_MAX	4096	/* the temporary file's name */
#define TABLE_QUOTE_MAX	40	/* characters of file text quoted in a message */
#define TABLE_RAW_BASE	0xEF00u	/* U+EF80..U+EFFF stand for bytes 0x80..0xFF */

/* ------------------------------------------------------------------ */
/* strings */

/*
 * The length of the valid, shortest-form UTF-8 sequence at s (n > 0 bytes
 * available) with its code point in *cp, or 0 when s does not start one.
 * Surrogates and code points above U+10FFFF are not valid.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
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
static void put_str(FILE *f, const char *s)
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
static size_t raw_decode(char *s, size_t len)
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

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	/* A message cut by a short buffer is still NUL-terminated, which is
	 * all an error needs. */
	va_start(ap, fmt);
	if (vsnprintf(err, errlen, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

/* 1 when the char array a holds a NUL-terminated string. */
#define FITS(a) (memchr((a), '\0', sizeof(a)) != NULL)

/* Refuse what table_load() would refuse, naming the 1-based mapping. */
static int check_mapping(const char *path, const struct igd_mapping *m,
    size_t i, char *err, size_t errlen)
{
	const char *why = NULL;

	if (!FITS(m->protocol) || (strcmp(m->protocol, "TCP") != 0 &&
	    strcmp(m->protocol, "UDP") != 0))
		why = "protocol is not TCP or UDP";
	else if (m->external_port < 1 || m->external_port > 65535)
		why = "external_port is not in 1..65535";
	else if (m->internal_port < 1 || m->internal_port > 65535)
		why = "internal_port is not in 1..65535";
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
	set_err(err, errlen, "%s: mapping %zu (%.3s %u): %s", path, i + 1,
	    FITS(m->protocol) ? m->protocol : "?", m->external_port, why);
	return -1;
}

static void write_table(FILE *f, const struct igd_table *t,
    const char *location, const char *udn)
{
	size_t i;

	fputs("# check_igd saved port-mapping table\n", f);
	fprintf(f, "version: %d\n", TABLE_VERSION);
	if (location != NULL) {
		fputs("location: ", f);
		put_str(f, location);
		putc('\n', f);
	}
	if (udn != NULL) {
		fputs("udn: ", f);
		put_str(f, udn);
		putc('\n', f);
	}
	fputs("external_address: ", f);
	put_str(f, t->external_address);
	fprintf(f, "\ncomplete: %s\n", t->complete ? "true" : "false");
	if (t->n == 0) {
		fputs("mappings: []\n", f);
		return;
	}
	fputs("mappings:\n", f);
	for (i = 0; i < t->n; i++) {
		const struct igd_mapping *m = &t->m[i];

		fprintf(f, "  - protocol: %s\n", m->protocol);
		fprintf(f, "    external_port: %u\n", m->external_port);
		fputs("    internal_client: ", f);
		put_str(f, m->internal_client);
		fprintf(f, "\n    internal_port: %u\n", m->internal_port);
		fputs("    remote_host: ", f);
		put_str(f, m->remote_host);
		fputs("\n    description: ", f);
		put_str(f, m->description != NULL ? m->description : "");
		fprintf(f, "\n    lease: %" PRId64 "\n", m->lease);
		fprintf(f, "    enabled: %s\n", m->enabled ? "true" : "false");
		fprintf(f, "    service: %u\n", m->service);
	}
}

/* fsync the folder holding path so that the rename itself is durable. */
static void sync_dir(const char *path)
{
	char dir[TABLE_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dl;
	int fd;

	if (slash == NULL) {
		dir[0] = '.';
		dl = 1;
	} else {
		dl = slash == path ? 1 : (size_t)(slash - path);
		if (dl >= sizeof(dir))
			return;
		memcpy(dir, path, dl);
	}
	dir[dl] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);	/* best effort: the new file is in place */
	close(fd);
}

int table_save(const char *path, const struct igd_table *t,
    const char *location, const char *udn, char *err, size_t errlen)
{
	char tmp[TABLE_PATH_MAX];
	FILE *f = NULL;
	off_t size;
	size_t i;
	int fd, n, e;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || *path == '\0' || t == NULL ||
	    (t->n > 0 && t->m == NULL)) {
		set_err(err, errlen, "table_save: no table or path");
		return -1;
	}
	if (t->n > IGD_TABLE_MAX) {
		set_err(err, errlen, "%s: %zu mappings, more than the %d a "
		    "table holds", path, t->n, IGD_TABLE_MAX);
		return -1;
	}
	if (!FITS(t->external_address)) {
		set_err(err, errlen, "%s: external_address is not terminated",
		    path);
		return -1;
	}
	for (i = 0; i < t->n; i++)
		if (check_mapping(path, &t->m[i], i, err, errlen) < 0)
			return -1;

	/* Same folder as path, so that rename() is atomic. */
	n = snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		set_err(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		set_err(err, errlen, "%s: cannot create a temporary file: %s",
		    path, strerror(errno));
		return -1;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		goto error;
	}
	write_table(f, t, location, udn);
	if (fflush(f) != 0 || ferror(f)) {
		set_err(err, errlen, "%s: write: %s", path, strerror(errno));
		goto error;
	}
	size = ftello(f);
	if (size < 0 || size > TABLE_FILE_MAX) {
		set_err(err, errlen, "%s: the table would be larger than %d "
		    "bytes, too large to load back", path, TABLE_FILE_MAX);
		goto error;
	}
	if (fsync(fileno(f)) != 0) {
		set_err(err, errlen, "%s: fsync: %s", path, strerror(errno));
		goto error;
	}
	n = fclose(f);
	e = errno;
	f = NULL;
	if (n != 0) {
		set_err(err, errlen, "%s: close: %s", path, strerror(e));
		goto error;
	}
	if (rename(tmp, path) != 0) {
		set_err(err, errlen, "%s: rename: %s", path, strerror(errno));
		goto error;
	}
	sync_dir(path);
	return 0;
error:
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	return -1;
}

/* ------------------------------------------------------------------ */
/* loading: messages and events */

struct lctx {
	const char *name;
	char *err;
	size_t errlen;
	const unsigned char *buf;	/* for reader error positions */
	size_t len;
	yaml_parser_t y;
	yaml_event_t ev;		/* the current event */
	int have;			/* ev must be deleted */
};

/* Write "NAME:LINE:COL: message" (line/col 1-based; "NAME: message" when
 * line is 0) into the error buffer. */
static void lerr_at(const struct lctx *c, size_t line, size_t col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void lerr_at(const struct lctx *c, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vat(c->err, c->errlen, c->name, line, col, fmt, ap);
	va_end(ap);
}

#define lerr_mark(c, m, ...) \
	lerr_at((c), (size_t)(m).line + 1, (size_t)(m).column + 1, __VA_ARGS__)
#define lerr_ev(c, ...) lerr_mark((c), (c)->ev.start_mark, __VA_ARGS__)
#define lerr_file(c, ...) lerr_at((c), 0, 0, __VA_ARGS__)

/* Copy len bytes of file text into out for a message: printable ASCII
 * kept, everything else '?', cut at TABLE_QUOTE_MAX with "...". */
static const char *quote(const unsigned char *s, size_t len, char *out,
    size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 4 < outlen; i++) {
		if (i == TABLE_QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	}
	out[o] = '\0';
	return out;
}

/* The current scalar, quoted for a message. */
#define QEV(c, buf) quote((c)->ev.data.scalar.value, \
	(c)->ev.data.scalar.length, (buf), sizeof(buf))

/* Turn libyaml's parser error into a message. */
static void yaml_fail(struct lctx *c)
{
	const yaml_parser_t *y = &c->y;

	if (y->error == YAML_MEMORY_ERROR) {
		lerr_file(c, "out of memory");
	} else if (y->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		size_t off = y->problem_offset, i, line = 1, col = 1;

		if (off > c->len)
			off = c->len;
		for (i = 0; i < off; i++) {
			if (c->buf[i] == '\n') {
				line++;
				col = 1;
			} else if ((c->buf[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		if (y->problem_value != -1)
			lerr_at(c, line, col, "%s #x%02X",
			    y->problem ? y->problem : "invalid input",
			    (unsigned)y->problem_value & 0xffu);
		else
			lerr_at(c, line, col, "%s",
			    y->problem ? y->problem : "invalid input");
	} else if (y->context != NULL) {
		lerr_mark(c, y->problem_mark, "%s (%s at line %zu column %zu)",
		    y->problem ? y->problem : "syntax error", y->context,
		    (size_t)y->context_mark.line + 1,
		    (size_t)y->context_mark.column + 1);
	} else {
		lerr_mark(c, y->problem_mark, "%s",
		    y->problem ? y->problem : "syntax error");
	}
}

/* Move to the next event, refusing aliases, anchors and tags. */
static int next(struct lctx *c)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (c->have) {
		yaml_event_delete(&c->ev);
		c->have = 0;
	}
	if (!yaml_parser_parse(&c->y, &c->ev)) {
		yaml_fail(c);
		return -1;
	}
	c->have = 1;
	switch (c->ev.type) {
	case YAML_ALIAS_EVENT:
		lerr_ev(c, "anchors and aliases are not allowed");
		return -1;
	case YAML_SCALAR_EVENT:
		anchor = c->ev.data.scalar.anchor;
		tag = c->ev.data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = c->ev.data.sequence_start.anchor;
		tag = c->ev.data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = c->ev.data.mapping_start.anchor;
		tag = c->ev.data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (anchor != NULL) {
		lerr_ev(c, "anchors and aliases are not allowed");
		return -1;
	}
	if (tag != NULL) {
		lerr_ev(c, "tags are not allowed");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* loading: typed values of the current event */

static int scalar_is(const struct lctx *c, const char *s)
{
	size_t n = strlen(s);

	return c->ev.data.scalar.length == n &&
	    memcmp(c->ev.data.scalar.value, s, n) == 0;
}

static int is_null(const struct lctx *c)
{
	if (c->ev.type != YAML_SCALAR_EVENT ||
	    c->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return c->ev.data.scalar.length == 0 || scalar_is(c, "~") ||
	    scalar_is(c, "null") || scalar_is(c, "Null") ||
	    scalar_is(c, "NULL");
}

static const char *kind(const struct lctx *c)
{
	switch (c->ev.type) {
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SCALAR_EVENT:
		if (is_null(c))
			return "nothing";
		return c->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ?
		    "a scalar" : "a quoted string";
	default:
		return "something else";
	}
}

/* The current event must be a non-null scalar. */
static int want_scalar(struct lctx *c, const char *what, const char *expected)
{
	if (c->ev.type != YAML_SCALAR_EVENT || is_null(c)) {
		lerr_ev(c, "%s: expected %s, got %s", what, expected, kind(c));
		return -1;
	}
	return 0;
}

/* A plain decimal integer in [min, max]. */
static int get_int(struct lctx *c, const char *what, long long min,
    long long max, long long *out)
{
	const unsigned char *s;
	size_t i, n;
	long long v = 0;
	int neg;
	char qb[64];

	if (want_scalar(c, what, "an integer") < 0)
		return -1;
	s = c->ev.data.scalar.value;
	n = c->ev.data.scalar.length;
	if (c->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		lerr_ev(c, "%s: expected an integer, got a quoted string",
		    what);
		return -1;
	}
	neg = s[0] == '-';
	i = neg ? 1 : 0;
	if (i == n)
		goto notint;
	for (; i < n; i++) {
		int d;

		if (s[i] < '0' || s[i] > '9')
			goto notint;
		d = s[i] - '0';
		/* accumulate towards the sign so LLONG_MIN fits */
		if (!neg && v > (LLONG_MAX - d) / 10)
			goto range;
		if (neg && v < (LLONG_MIN + d) / 10)
			goto range;
		v = v * 10 + (neg ? -d : d);
	}
	if (v < min || v > max)
		goto range;
	*out = v;
	return 0;
range:
	lerr_ev(c, "%s: %s is out of range %lld..%lld", what, QEV(c, qb), min,
	    max);
	return -1;
notint:
	lerr_ev(c, "%s: expected an integer, got \"%s\"", what, QEV(c, qb));
	return -1;
}

static int get_bool(struct lctx *c, const char *what, int *out)
{
	char qb[64];

	if (want_scalar(c, what, "true or false") < 0)
		return -1;
	if (c->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (scalar_is(c, "true") || scalar_is(c, "True") ||
		    scalar_is(c, "TRUE")) {
			*out = 1;
			return 0;
		}
		if (scalar_is(c, "false") || scalar_is(c, "False") ||
		    scalar_is(c, "FALSE")) {
			*out = 0;
			return 0;
		}
		lerr_ev(c, "%s: expected true or false, got \"%s\"", what,
		    QEV(c, qb));
		return -1;
	}
	lerr_ev(c, "%s: expected true or false, got a quoted string", what);
	return -1;
}

/* A string, raw bytes restored, in a new allocation (*out, *outlen). */
static int get_string(struct lctx *c, const char *what, char **out,
    size_t *outlen)
{
	size_t n;
	char *s;

	if (want_scalar(c, what, "a string") < 0)
		return -1;
	n = c->ev.data.scalar.length;
	if (memchr(c->ev.data.scalar.value, '\0', n) != NULL) {
		lerr_ev(c, "%s: NUL character in a string", what);
		return -1;
	}
	s = malloc(n + 1);
	if (s == NULL) {
		lerr_ev(c, "out of memory");
		return -1;
	}
	memcpy(s, c->ev.data.scalar.value, n);
	*outlen = raw_decode(s, n);
	*out = s;
	return 0;
}

/* A string that fits in dst (dstlen bytes with its NUL). */
static int get_string_buf(struct lctx *c, const char *what, char *dst,
    size_t dstlen)
{
	char *s;
	size_t n;

	if (get_string(c, what, &s, &n) < 0)
		return -1;
	if (n >= dstlen) {
		lerr_ev(c, "%s: longer than %zu bytes", what, dstlen - 1);
		free(s);
		return -1;
	}
	memcpy(dst, s, n + 1);
	free(s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* loading: the schema */

enum { K_VERSION, K_LOCATION, K_UDN, K_EXTADDR, K_COMPLETE, K_MAPPINGS,
	K_N };
static const char *const top_keys[K_N] = {
	"version", "location", "udn", "external_address", "complete",
	"mappings"
};
#define TOP_REQUIRED ((1u << K_VERSION) | (1u << K_COMPLETE) | \
	(1u << K_MAPPINGS))

enum { M_PROTOCOL, M_EXTPORT, M_CLIENT, M_INTPORT, M_LEASE, M_REMOTE,
	M_DESC, M_ENABLED, M_SERVICE, M_N };
static const char *const map_keys[M_N] = {
	"protocol", "external_port", "internal_client", "internal_port",
	"lease", "remote_host", "description", "enabled", "service"
};
#define MAP_REQUIRED ((1u << M_PROTOCOL) | (1u << M_EXTPORT) | \
	(1u << M_CLIENT) | (1u << M_INTPORT) | (1u << M_LEASE))

/*
 * The current event is a key of a mapping that has seen the keys in *seen
 * (first marks in at[]).  Returns its index in keys[], or -1 with a message
 * for a non-scalar, unknown or duplicate key.  where names the mapping.
 */
static int take_key(struct lctx *c, const char *const *keys, int nkeys,
    unsigned *seen, yaml_mark_t *at, const char *where)
{
	char qb[64], known[256];
	size_t o = 0;
	int i;

	if (c->ev.type != YAML_SCALAR_EVENT) {
		lerr_ev(c, "%s: keys must be strings, got %s", where, kind(c));
		return -1;
	}
	for (i = 0; i < nkeys; i++)
		if (scalar_is(c, keys[i]))
			break;
	if (i == nkeys) {
		for (i = 0; i < nkeys; i++) {
			int k = snprintf(known + o, sizeof(known) - o, "%s%s",
			    i ? ", " : "", keys[i]);

			if (k < 0 || (size_t)k >= sizeof(known) - o)
				break;	/* cut list: still terminated */
			o += (size_t)k;
		}
		lerr_ev(c, "unknown key \"%s\" in %s (known: %s)", QEV(c, qb),
		    where, known);
		return -1;
	}
	if (*seen & (1u << i)) {
		lerr_ev(c, "duplicate key \"%s\" (first at line %zu)", keys[i],
		    (size_t)at[i].line + 1);
		return -1;
	}
	*seen |= 1u << i;
	at[i] = c->ev.start_mark;
	return i;
}

/* Report the first required key (bit set in required) missing from seen. */
static int check_required(struct lctx *c, unsigned seen, unsigned required,
    const char *const *keys, int nkeys, yaml_mark_t start, const char *where)
{
	int i;

	for (i = 0; i < nkeys; i++) {
		if ((required & (1u << i)) && !(seen & (1u << i))) {
			lerr_mark(c, start, "%s: missing \"%s\"", where,
			    keys[i]);
			return -1;
		}
	}
	return 0;
}

static int get_port(struct lctx *c, const char *what, unsigned *port)
{
	long long v;

	if (get_int(c, what, 1, 65535, &v) < 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static int get_protocol(struct lctx *c, char *out, size_t outlen)
{
	char qb[64];

	if (want_scalar(c, "protocol", "TCP or UDP") < 0)
		return -1;
	if (c->ev.data.scalar.length == 3 && outlen >= 4 &&
	    (strncasecmp((const char *)c->ev.data.scalar.value, "TCP", 3) == 0 ||
	    strncasecmp((const char *)c->ev.data.scalar.value, "UDP", 3) == 0)) {
		size_t i;

		for (i = 0; i < 3; i++) {
			unsigned char ch = c->ev.data.scalar.value[i];

			out[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' :
			    ch);
		}
		out[3] = '\0';
		return 0;
	}
	lerr_ev(c, "protocol: expected TCP or UDP, got \"%s\"", QEV(c, qb));
	return -1;
}

/* One item of "mappings" (the current event is its MAPPING_START); idx is
 * 1-based.  Appended to t. */
static int parse_mapping(struct lctx *c, struct igd_table *t, size_t idx)
{
	yaml_mark_t start = c->ev.start_mark, at[M_N];
	struct igd_mapping m;
	char where[48], *desc = NULL;
	unsigned seen = 0;
	long long v = 0;
	size_t dlen;
	int k, rc = -1;

	memset(&m, 0, sizeof(m));
	m.enabled = 1;
	m.service = 1;
	k = snprintf(where, sizeof(where), "mapping %zu", idx);
	if (k < 0 || (size_t)k >= sizeof(where))
		memcpy(where, "a mapping", sizeof("a mapping"));
	for (;;) {
		if (next(c) < 0)
			goto out;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		k = take_key(c, map_keys, M_N, &seen, at, where);
		if (k < 0 || next(c) < 0)
			goto out;
		switch (k) {
		case M_PROTOCOL:
			k = get_protocol(c, m.protocol, sizeof(m.protocol));
			break;
		case M_EXTPORT:
			k = get_port(c, "external_port", &m.external_port);
			break;
		case M_CLIENT:
			k = get_string_buf(c, "internal_client",
			    m.internal_client, sizeof(m.internal_client));
			break;
		case M_INTPORT:
			k = get_port(c, "internal_port", &m.internal_port);
			break;
		case M_LEASE:
			k = get_int(c, "lease", 0, INT64_MAX, &v);
			m.lease = v;
			break;
		case M_REMOTE:
			k = get_string_buf(c, "remote_host", m.remote_host,
			    sizeof(m.remote_host));
			break;
		case M_DESC:
			k = get_string(c, "description", &desc, &dlen);
			break;
		case M_ENABLED:
			k = get_bool(c, "enabled", &m.enabled);
			break;
		case M_SERVICE:
			k = get_int(c, "service", 1, IGD_SERVICES_MAX, &v);
			m.service = (unsigned)v;
			break;
		default:
			k = -1;
			break;
		}
		if (k < 0)
			goto out;
	}
	if (check_required(c, seen, MAP_REQUIRED, map_keys, M_N, start,
	    where) < 0)
		goto out;
	if (desc == NULL) {
		desc = calloc(1, 1);
		if (desc == NULL) {
			lerr_mark(c, start, "out of memory");
			goto out;
		}
	}
	m.description = desc;
	k = igd_table_add(t, &m);
	if (k != 0) {
		lerr_mark(c, start, "%s: cannot keep it: %s", where,
		    igd_strerror(k));
		goto out;
	}
	rc = 0;
out:
	free(desc);
	return rc;
}

/* The value of "mappings" (the current event). */
static int parse_mappings(struct lctx *c, struct igd_table *t)
{
	size_t idx = 0;

	if (c->ev.type != YAML_SEQUENCE_START_EVENT) {
		lerr_ev(c, "mappings: expected a list, got %s", kind(c));
		return -1;
	}
	for (;;) {
		if (next(c) < 0)
			return -1;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		idx++;
		if (c->ev.type != YAML_MAPPING_START_EVENT) {
			lerr_ev(c, "mapping %zu: expected a mapping, got %s", idx,
			    kind(c));
			return -1;
		}
		if (t->n >= IGD_TABLE_MAX) {
			lerr_ev(c, "more than %d mappings", IGD_TABLE_MAX);
			return -1;
		}
		if (parse_mapping(c, t, idx) < 0)
			return -1;
	}
}

/* The root mapping (the current event is its MAPPING_START). */
static int parse_top(struct lctx *c, struct igd_table *t)
{
	yaml_mark_t start = c->ev.start_mark, at[K_N];
	unsigned seen = 0;
	long long v;
	char *s;
	size_t n;
	int k;

	for (;;) {
		if (next(c) < 0)
			return -1;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		/* version first, so that a newer file fails on its version
		 * rather than on the first key this version does not know */
		if (seen == 0 && !(c->ev.type == YAML_SCALAR_EVENT &&
		    scalar_is(c, "version"))) {
			lerr_ev(c, "the first key must be \"version: %d\"",
			    TABLE_VERSION);
			return -1;
		}
		k = take_key(c, top_keys, K_N, &seen, at, "the table");
		if (k < 0 || next(c) < 0)
			return -1;
		switch (k) {
		case K_VERSION:
			k = get_int(c, "version", LLONG_MIN, LLONG_MAX, &v);
			if (k == 0 && v != TABLE_VERSION) {
				lerr_ev(c, "unsupported table version %lld (this "
				    "program reads version %d)", v,
				    TABLE_VERSION);
				k = -1;
			}
			break;
		case K_LOCATION:
		case K_UDN:
			k = get_string(c, top_keys[k], &s, &n);
			if (k == 0)
				free(s);
			break;
		case K_EXTADDR:
			k = get_string_buf(c, "external_address",
			    t->external_address, sizeof(t->external_address));
			break;
		case K_COMPLETE:
			k = get_bool(c, "complete", &t->complete);
			break;
		case K_MAPPINGS:
			k = parse_mappings(c, t);
			break;
		default:
			k = -1;
			break;
		}
		if (k < 0)
			return -1;
	}
	return check_required(c, seen, TOP_REQUIRED, top_keys, K_N, start,
	    "the table");
}

/* The whole stream: exactly one document holding a mapping. */
static int parse_stream(struct lctx *c, struct igd_table *t)
{
	if (next(c) < 0)		/* STREAM_START */
		return -1;
	if (next(c) < 0)
		return -1;
	if (c->ev.type == YAML_STREAM_END_EVENT) {
		lerr_file(c, "empty table");
		return -1;
	}
	if (next(c) < 0)		/* the root node */
		return -1;
	if (c->ev.type != YAML_MAPPING_START_EVENT) {
		if (is_null(c))
			lerr_ev(c, "empty table");
		else
			lerr_ev(c, "the table must be a mapping, got %s",
			    kind(c));
		return -1;
	}
	if (parse_top(c, t) < 0)
		return -1;
	if (next(c) < 0)		/* DOCUMENT_END */
		return -1;
	if (next(c) < 0)
		return -1;
	if (c->ev.type != YAML_STREAM_END_EVENT) {
		lerr_ev(c, "more than one document");
		return -1;
	}
	return 0;
}

int table_load_buffer(const char *name, const char *buf, size_t len,
    struct igd_table *t, char *err, size_t errlen)
{
	struct lctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.name = name ? name : "(table)";
	c.err = err;
	c.errlen = errlen;
	c.buf = (const unsigned char *)buf;
	c.len = len;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (t == NULL || (buf == NULL && len > 0)) {
		lerr_file(&c, "invalid arguments");
		return -1;
	}
	memset(t, 0, sizeof(*t));
	if (len > TABLE_FILE_MAX) {
		lerr_file(&c, "larger than %d bytes", TABLE_FILE_MAX);
		return -1;
	}
	if (len == 0) {
		lerr_file(&c, "empty table");
		return -1;
	}
	if (!yaml_parser_initialize(&c.y)) {
		lerr_file(&c, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&c.y, c.buf, len);
	rc = parse_stream(&c, t);
	if (c.have)
		yaml_event_delete(&c.ev);
	yaml_parser_delete(&c.y);
	if (rc != 0) {
		igd_table_free(t);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	t->rc = 0;
	if (snprintf(t->method, sizeof(t->method), "%s", TABLE_METHOD) < 0)
		t->method[0] = '\0';
	return 0;
}

int table_load(const char *path, struct igd_table *t, char *err,
    size_t errlen)
{
	struct lctx c;
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int fd, rc = -1;

	memset(&c, 0, sizeof(c));
	c.name = path ? path : "(null)";
	c.err = err;
	c.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (t != NULL)
		memset(t, 0, sizeof(*t));
	if (path == NULL || t == NULL) {
		lerr_file(&c, "invalid arguments");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		lerr_file(&c, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		lerr_file(&c, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		lerr_file(&c, "not a regular file");
		goto out;
	}
	if (st.st_size > TABLE_FILE_MAX) {
		lerr_file(&c, "larger than %d bytes", TABLE_FILE_MAX);
		goto out;
	}
	/* One byte more than the size, to notice a file that grew (up to one
	 * byte over the cap, which is then refused). */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		lerr_file(&c, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			size_t ncap = cap * 2;
			char *nb;

			if (cap > TABLE_FILE_MAX)
				break;
			if (ncap > (size_t)TABLE_FILE_MAX + 1)
				ncap = (size_t)TABLE_FILE_MAX + 1;
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				lerr_file(&c, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			lerr_file(&c, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > TABLE_FILE_MAX) {
		lerr_file(&c, "larger than %d bytes", TABLE_FILE_MAX);
		goto out;
	}
	rc = table_load_buffer(path, buf, len, t, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}
