/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json: a small JSON writer into a buffer, for the plugins' --format json
 * and the event log's lines.
 *
 * A struct json holds the text written so far and its nesting.  It writes
 * either into a caller's fixed buffer (json_init) or into a buffer of its
 * own that grows up to a limit (json_init_alloc, free with json_free).
 * Commas and colons are placed by the writer; a value after json_key() is
 * that member's.  What does not fit sets overflow and is dropped whole,
 * later calls then do nothing: json_done() tells whether the text is a
 * complete document.
 *
 * Strings are escaped so that any bytes give valid JSON: '"' and '\' with a
 * backslash, control bytes (C0 and DEL) and '|' as \u00XX (an engine ends a
 * plugin's output at its first '|'), and every byte that is
 * not part of a valid UTF-8 sequence (overlong forms, surrogates, values
 * past U+10FFFF, truncated sequences) as U+FFFD.  Numbers never depend on
 * the locale; a number that is not finite is written as null.
 *
 * Nothing here prints or exits.
 */
#ifndef CHECK_IGD_JSON_H
#define CHECK_IGD_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_DEPTH_MAX 32		/* nesting of objects and arrays */
#define JSON_NUM_MAX   40		/* one formatted number */

struct json {
	char *buf;			/* NUL-terminated text, len bytes */
	size_t len, cap;
	size_t max;			/* own buffer: the most it may grow to */
	int own;			/* buf is ours (json_init_alloc) */
	int overflow;			/* something did not fit or was misplaced */
	int depth;
	char open[JSON_DEPTH_MAX];	/* '{' or '[' per level */
	unsigned char items[JSON_DEPTH_MAX];	/* a member/element written */
	int after_key;			/* a key waits for its value */
};

/* Write into buf (cap bytes, the text stays NUL-terminated).  A cap under
 * 2 overflows at once. */
void json_init(struct json *j, char *buf, size_t cap);

/* Write into a buffer of the writer's own, at most max bytes with the NUL.
 * 0, or -1 when out of memory (then overflow is set).  Free with
 * json_free(). */
int json_init_alloc(struct json *j, size_t max);

/* Free an own buffer (accepts a writer on a caller's buffer, or zeroed). */
void json_free(struct json *j);

/* 0 when the text is one complete value (every level closed) and nothing
 * was dropped, -1 otherwise. */
int json_done(const struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);

/* The key of the next member (inside an object only). */
void json_key(struct json *j, const char *key);

/* A string of the NUL-terminated s (NULL gives null). */
void json_str(struct json *j, const char *s);

/* A string of n bytes at s (may hold NUL, written as \u0000). */
void json_strn(struct json *j, const char *s, size_t n);

void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);

/* A number with '.' whatever the locale (plugin_format_number()); null
 * when v is not finite. */
void json_num(struct json *j, double v);

void json_bool(struct json *j, int v);
void json_null(struct json *j);

/*
 * Append the value src holds (the text of another writer), closing what
 * src left open (a key without value gets null) so that the result is
 * valid; null when src overflowed.
 */
void json_value_of(struct json *j, const struct json *src);

/* Members in one call: json_key() then the value. */
void json_kstr(struct json *j, const char *key, const char *s);
void json_kint(struct json *j, const char *key, int64_t v);
void json_knum(struct json *j, const char *key, double v);
void json_kbool(struct json *j, const char *key, int v);

/*
 * The escaper alone: append s (n bytes) as a quoted JSON string to buf
 * (cap bytes) at *len, keeping it NUL-terminated.  Returns 0, or -1 when
 * it does not fit (buf and *len unchanged).
 */
int json_quote(char *buf, size_t cap, size_t *len, const char *s, size_t n);

/* The bytes json_quote() writes for s (n bytes), quotes included. */
size_t json_quoted_len(const char *s, size_t n);

#endif
