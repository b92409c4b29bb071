/* SPDX-License-Identifier: GPL-3.0-or-later */
/* json: a JSON writer into a buffer, and its string escaper (see json.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "plugin.h"

/*
 * One step of the escaper: the bytes to write for the sequence at p (n
 * left) into esc (at least 7 bytes) or, for a valid sequence kept as it
 * is, *keep set.  Returns how many input bytes the step takes; *olen the
 * output bytes.
 */
static size_t
escape_step(const unsigned char *p, size_t n, char *esc, size_t *olen,
    int *keep)
{
	static const char hex[] = "0123456789abcdef";
	size_t k;
	unsigned long cp;

	*keep = 0;
	if (*p == '"' || *p == '\\') {
		esc[0] = '\\';
		esc[1] = (char)*p;
		*olen = 2;
		return 1;
	}
	/*
	 * '|' is written as \u007c: Nagios and Icinga 2 end a plugin's output
	 * at its first '|' and read the rest as perfdata, which would cut a
	 * --format json document run by an engine.  The document stays the
	 * same JSON; no raw '|' is ever in it.
	 */
	if (*p < 0x20 || *p == 0x7f || *p == '|') {
		memcpy(esc, "\\u00", 4);
		esc[4] = hex[*p >> 4];
		esc[5] = hex[*p & 0xf];
		*olen = 6;
		return 1;
	}
	k = plugin_utf8_len(p, n, &cp);
	if (k == 0) {
		memcpy(esc, "\xef\xbf\xbd", 3);	/* U+FFFD */
		*olen = 3;
		return 1;
	}
	*keep = 1;
	*olen = k;
	return k;
}

size_t
json_quoted_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t total = 2;

	while (n > 0) {
		char esc[8];
		size_t ol;
		int keep;
		size_t k = escape_step(p, n, esc, &ol, &keep);

		total += ol;
		p += k;
		n -= k;
	}
	return total;
}

int
json_quote(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = *len;

	if (buf == NULL || o >= cap || json_quoted_len(s, n) + 1 > cap - o)
		return -1;
	buf[o++] = '"';
	while (n > 0) {
		char esc[8];
		size_t ol;
		int keep;
		size_t k = escape_step(p, n, esc, &ol, &keep);

		memcpy(buf + o, keep ? (const char *)p : esc, ol);
		o += ol;
		p += k;
		n -= k;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	*len = o;
	return 0;
}

/* ---- the writer ---- */

void
json_init(struct json *j, char *buf, size_t cap)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->cap = cap;
	if (buf != NULL && cap > 0)
		buf[0] = '\0';
	if (buf == NULL || cap < 2)
		j->overflow = 1;
}

int
json_init_alloc(struct json *j, size_t max)
{
	size_t first = max < 4096 ? max : 4096;

	memset(j, 0, sizeof(*j));
	j->own = 1;
	j->max = max;
	if (first < 2 || (j->buf = malloc(first)) == NULL) {
		j->overflow = 1;
		return -1;
	}
	j->cap = first;
	j->buf[0] = '\0';
	return 0;
}

void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	if (j->own)
		free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
	j->overflow = 1;
}

int
json_done(const struct json *j)
{
	return j->overflow || j->depth != 0 || j->after_key || j->len == 0 ?
	    -1 : 0;
}

/* Room for n more bytes and the NUL, growing an own buffer; 0 or -1. */
static int
room(struct json *j, size_t n)
{
	size_t want, nc;
	char *nb;

	if (j->overflow)
		return -1;
	if (n < j->cap - j->len)
		return 0;
	if (!j->own || n >= j->max - j->len)
		goto full;
	want = j->len + n + 1;
	for (nc = j->cap; nc < want; nc *= 2)
		;
	if (nc > j->max)
		nc = j->max;
	if ((nb = realloc(j->buf, nc)) == NULL)
		goto full;
	j->buf = nb;
	j->cap = nc;
	return 0;
full:
	j->overflow = 1;
	return -1;
}

static void
put(struct json *j, const char *s, size_t n)
{
	if (room(j, n) != 0)
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

/*
 * Before a value: the comma between elements, and the check that a value
 * may go here (a member of an object needs its key first).  0 or -1.
 */
static int
before_value(struct json *j)
{
	if (j->overflow)
		return -1;
	if (j->after_key) {
		j->after_key = 0;
		return 0;
	}
	if (j->depth == 0) {
		if (j->len == 0)
			return 0;
		j->overflow = 1;	/* a second top-level value */
		return -1;
	}
	if (j->open[j->depth - 1] == '{') {
		j->overflow = 1;	/* a member without a key */
		return -1;
	}
	if (j->items[j->depth - 1])
		put(j, ",", 1);
	j->items[j->depth - 1] = 1;
	return j->overflow ? -1 : 0;
}

static void
begin(struct json *j, char c)
{
	if (before_value(j) != 0)
		return;
	if (j->depth >= JSON_DEPTH_MAX) {
		j->overflow = 1;
		return;
	}
	put(j, &c, 1);
	j->open[j->depth] = c;
	j->items[j->depth] = 0;
	j->depth++;
}

static void
end(struct json *j, char open, char c)
{
	if (j->overflow)
		return;
	if (j->depth == 0 || j->open[j->depth - 1] != open || j->after_key) {
		j->overflow = 1;
		return;
	}
	put(j, &c, 1);
	j->depth--;
}

void
json_obj_begin(struct json *j)
{
	begin(j, '{');
}

void
json_obj_end(struct json *j)
{
	end(j, '{', '}');
}

void
json_arr_begin(struct json *j)
{
	begin(j, '[');
}

void
json_arr_end(struct json *j)
{
	end(j, '[', ']');
}

/* Append s (n bytes) quoted, growing the buffer as needed. */
static void
put_quoted(struct json *j, const char *s, size_t n)
{
	size_t need = json_quoted_len(s, n);

	if (room(j, need) != 0)
		return;
	if (json_quote(j->buf, j->cap, &j->len, s, n) != 0)
		j->overflow = 1;	/* cannot happen: room was made */
}

void
json_key(struct json *j, const char *key)
{
	if (j->overflow)
		return;
	if (j->depth == 0 || j->open[j->depth - 1] != '{' || j->after_key ||
	    key == NULL) {
		j->overflow = 1;
		return;
	}
	if (j->items[j->depth - 1])
		put(j, ",", 1);
	j->items[j->depth - 1] = 1;
	put_quoted(j, key, strlen(key));
	put(j, ":", 1);
	j->after_key = 1;
}

void
json_strn(struct json *j, const char *s, size_t n)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	if (before_value(j) != 0)
		return;
	put_quoted(j, s, n);
}

void
json_str(struct json *j, const char *s)
{
	json_strn(j, s, s != NULL ? strlen(s) : 0);
}

/* A value already formatted as JSON (a number, a literal). */
static void
put_value(struct json *j, const char *text, size_t n)
{
	if (before_value(j) != 0)
		return;
	put(j, text, n);
}

void
json_int(struct json *j, int64_t v)
{
	char num[JSON_NUM_MAX];
	int n = snprintf(num, sizeof(num), "%lld", (long long)v);

	put_value(j, num, (size_t)n);
}

void
json_uint(struct json *j, uint64_t v)
{
	char num[JSON_NUM_MAX];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

	put_value(j, num, (size_t)n);
}

void
json_num(struct json *j, double v)
{
	char num[JSON_NUM_MAX];

	if (plugin_format_number(v, num, sizeof(num)) != 0)
		put_value(j, "null", 4);
	else
		put_value(j, num, strlen(num));
}

void
json_bool(struct json *j, int v)
{
	if (v)
		put_value(j, "true", 4);
	else
		put_value(j, "false", 5);
}

void
json_null(struct json *j)
{
	put_value(j, "null", 4);
}

void
json_value_of(struct json *j, const struct json *src)
{
	if (src == NULL || src->overflow || src->len == 0) {
		json_null(j);
		return;
	}
	if (before_value(j) != 0)
		return;
	put(j, src->buf, src->len);
	if (src->after_key)
		put(j, "null", 4);
	for (int d = src->depth; d > 0; d--)
		put(j, src->open[d - 1] == '{' ? "}" : "]", 1);
}

void
json_kstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void
json_kint(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_knum(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_num(j, v);
}

void
json_kbool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}
