/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plugin: states, range thresholds, perfdata, sanitising of device text and
 * the assembly of one verdict in the Nagios/Monitoring Plugins format.
 *
 * Nothing here depends on the C locale: numbers are parsed after a strict
 * syntax check and printed with '.' as the decimal mark, and character
 * classes are ASCII, never <ctype.h>.
 */
#include "plugin.h"
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_NAME_MAX	32	/* characters of the check name kept */
#define PERF_TEXT_MAX	256	/* one rendered perfdata item */
#define NUM_MAX		40	/* one formatted number */

struct perf_item {
	char label[PLUGIN_LABEL_MAX];	/* cleaned, unquoted, unique */
	char text[PERF_TEXT_MAX];	/* the whole item as printed */
	size_t len;
	/* the same as numbers, for JSON */
	double value;
	int value_u;			/* "U": not known in this run */
	char uom[4];
	struct plugin_thresholds th;
	int has_min, has_max;
	double min, max;
};

/* A subcheck or plain line, as JSON shows it (kept only for JSON). */
struct finding {
	int is_sub;			/* 0: a plain line (a note) */
	enum plugin_state st;
	char rule[PLUGIN_RULE_MAX];	/* "" none */
	long item;			/* -1 none */
	char *text;			/* sanitised, owned */
};

struct plugin_out {
	char check[CHECK_NAME_MAX * 4 + 1];
	enum plugin_state state;
	int has_summary;
	char summary[PLUGIN_LINE_MAX];
	char lines[PLUGIN_MAX_LINES][PLUGIN_LINE_MAX];
	size_t line_len[PLUGIN_MAX_LINES];
	unsigned char line_rank[PLUGIN_MAX_LINES];	/* see rank() */
	size_t nlines;
	size_t lines_dropped;		/* over PLUGIN_MAX_LINES or lost */
	unsigned subs[4];		/* subchecks added, by state */
	enum plugin_state worst;	/* of the first subcheck named worst */
	char worst_text[PLUGIN_LINE_MAX];	/* its text, no prefix; "" none */
	struct perf_item perf[PLUGIN_MAX_PERF];
	size_t nperf;
	/* JSON only (plugin_out_want_json) */
	int json;
	int json_lost;			/* a finding or the facts lost to memory */
	struct finding *fx;
	size_t nfx, capfx;
	struct json *facts;
	char err_stage[16];
	char err_msg[PLUGIN_LINE_MAX];
};

/* ---- states ---- */

static const char *const state_names[] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

static int
state_valid(enum plugin_state s)
{
	return s == PLUGIN_OK || s == PLUGIN_WARNING ||
	    s == PLUGIN_CRITICAL || s == PLUGIN_UNKNOWN;
}

const char *
plugin_state_name(enum plugin_state s)
{
	if (!state_valid(s))
		return "UNKNOWN";
	return state_names[s];
}

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* ASCII-only case-insensitive equality (strcasecmp follows the locale). */
static int
ascii_ieq(const char *a, const char *b)
{
	while (*a && *b) {
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
	return *a == *b;
}

int
plugin_state_parse(const char *s, enum plugin_state *out)
{
	static const struct {
		const char *name;
		enum plugin_state st;
	} names[] = {
		{ "OK", PLUGIN_OK }, { "WARNING", PLUGIN_WARNING },
		{ "WARN", PLUGIN_WARNING }, { "CRITICAL", PLUGIN_CRITICAL },
		{ "CRIT", PLUGIN_CRITICAL }, { "UNKNOWN", PLUGIN_UNKNOWN },
		{ "0", PLUGIN_OK }, { "1", PLUGIN_WARNING },
		{ "2", PLUGIN_CRITICAL }, { "3", PLUGIN_UNKNOWN },
	};
	size_t i;

	if (s == NULL || out == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (ascii_ieq(s, names[i].name)) {
			*out = names[i].st;
			return 0;
		}
	}
	return -1;
}

static int
state_rank(enum plugin_state s)
{
	switch (s) {
	case PLUGIN_OK:
		return 0;
	case PLUGIN_UNKNOWN:
		return 1;
	case PLUGIN_WARNING:
		return 2;
	case PLUGIN_CRITICAL:
		return 3;
	}
	return 1;	/* an invalid value counts as UNKNOWN */
}

enum plugin_state
plugin_state_worst(enum plugin_state a, enum plugin_state b)
{
	if (!state_valid(a))
		a = PLUGIN_UNKNOWN;
	if (!state_valid(b))
		b = PLUGIN_UNKNOWN;
	return state_rank(a) >= state_rank(b) ? a : b;
}

/* ---- numbers ---- */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * Parse a decimal number at s (at most n bytes): [+-]digits[.digits][e[+-]digits]
 * with at least one digit in the mantissa.  No "inf", "nan" or hex.  The
 * syntax is checked here and the value converted by strtod after '.' is
 * replaced by the locale's decimal mark, so the result does not depend on
 * the caller's LC_NUMERIC.  Returns 0 and sets *v, or -1.
 */
static int
parse_number(const char *s, size_t n, double *v)
{
	char tmp[NUM_MAX * 2];
	const char *dp;
	size_t i = 0, o = 0, dplen, mant = 0;
	char *end;
	double d;

	if (n == 0 || n >= NUM_MAX)
		return -1;
	if (s[i] == '+' || s[i] == '-')
		i++;
	while (i < n && is_digit((unsigned char)s[i])) {
		i++;
		mant++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit((unsigned char)s[i])) {
			i++;
			mant++;
		}
	}
	if (mant == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t ed = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < n && is_digit((unsigned char)s[i])) {
			i++;
			ed++;
		}
		if (ed == 0)
			return -1;
	}
	if (i != n)
		return -1;

	dp = localeconv()->decimal_point;
	if (dp == NULL || dp[0] == '\0')
		dp = ".";
	dplen = strlen(dp);
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (o + dplen >= sizeof(tmp))
				return -1;
			memcpy(tmp + o, dp, dplen);
			o += dplen;
		} else {
			if (o + 1 >= sizeof(tmp))
				return -1;
			tmp[o++] = s[i];
		}
	}
	tmp[o] = '\0';
	d = strtod(tmp, &end);
	if (end != tmp + o || !isfinite(d))
		return -1;
	*v = d;
	return 0;
}

int
plugin_format_number(double v, char *buf, size_t len)
{
	char tmp[NUM_MAX * 2], res[NUM_MAX * 2];
	double a = v < 0 ? -v : v;
	size_t i, o = 0;
	int n, has_dot = 0;

	if (buf == NULL || len == 0)
		return -1;
	buf[0] = '\0';
	if (!isfinite(v))
		return -1;
	if (a > 1.7976931348623e308) {
		/* 15 digits would round past DBL_MAX ("1.79769313486232e+308"
		 * reads back as inf): keep all 17 */
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	} else if (a >= 1e15) {
		n = snprintf(tmp, sizeof(tmp), "%.15g", v);
	} else if (v == (double)(long long)v) {
		n = snprintf(tmp, sizeof(tmp), "%.0f", v);
	} else {
		/* Six significant decimals: for |v| < 0.1, add a decimal
		 * per leading zero so small values do not round to 0. */
		int dec = 6;
		double x = a;

		while (x < 0.1 && dec < 20) {
			x *= 10;
			dec++;
		}
		n = snprintf(tmp, sizeof(tmp), "%.*f", dec, v);
	}
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;

	/* Whatever the locale put as decimal mark (',' or a multibyte
	 * mark) is the one run of bytes that is not part of the number. */
	for (i = 0; tmp[i] != '\0'; i++) {
		char c = tmp[i];

		if (is_digit((unsigned char)c) || c == '-' || c == '+' ||
		    c == 'e') {
			res[o++] = c;
		} else if (!has_dot) {
			res[o++] = '.';
			has_dot = 1;
			while (tmp[i + 1] != '\0' &&
			    !is_digit((unsigned char)tmp[i + 1]))
				i++;
		}
	}
	res[o] = '\0';
	if (has_dot && strchr(res, 'e') == NULL) {
		while (o > 0 && res[o - 1] == '0')
			res[--o] = '\0';
		if (o > 0 && res[o - 1] == '.')
			res[--o] = '\0';
	}
	if (strcmp(res, "-0") == 0) {
		res[0] = '0';
		res[1] = '\0';
		o = 1;
	}
	if (o + 1 > len)
		return -1;
	memcpy(buf, res, o + 1);
	return 0;
}

/* ---- ranges ---- */

/* Rebuild r->text from the parsed values, in the shortest usual form. */
static int
range_normalise(struct plugin_range *r)
{
	char a[NUM_MAX], b[NUM_MAX];
	const char *at = r->inside ? "@" : "";
	int n;

	a[0] = b[0] = '\0';
	if (!r->end_infinite && plugin_format_number(r->end, b, sizeof(b)))
		return -1;
	if (r->start_infinite) {
		n = snprintf(r->text, sizeof(r->text), "%s~:%s", at, b);
	} else if (r->start == 0 && !r->end_infinite) {
		n = snprintf(r->text, sizeof(r->text), "%s%s", at, b);
	} else {
		if (plugin_format_number(r->start, a, sizeof(a)))
			return -1;
		n = snprintf(r->text, sizeof(r->text), "%s%s:%s", at, a, b);
	}
	if (n < 0 || (size_t)n >= sizeof(r->text))
		return -1;
	return 0;
}

int
plugin_range_parse(const char *s, struct plugin_range *r)
{
	struct plugin_range t;
	const char *colon, *end_s;
	size_t n;

	if (s == NULL || r == NULL)
		return -1;
	memset(&t, 0, sizeof(t));
	if (*s == '@') {
		t.inside = 1;
		s++;
	}
	n = strlen(s);
	if (n == 0 || n > 2 * NUM_MAX)
		return -1;
	colon = strchr(s, ':');
	if (colon != NULL) {
		size_t sl = (size_t)(colon - s);

		if (sl == 1 && s[0] == '~')
			t.start_infinite = 1;
		else if (parse_number(s, sl, &t.start))
			return -1;	/* also an empty start: ":10" */
		end_s = colon + 1;
		if (*end_s == '\0')
			t.end_infinite = 1;
		else if (parse_number(end_s, strlen(end_s), &t.end))
			return -1;	/* also "1:2:3" */
	} else {
		t.start = 0;
		if (parse_number(s, n, &t.end))
			return -1;
	}
	if (!t.start_infinite && !t.end_infinite && t.start > t.end)
		return -1;
	if (range_normalise(&t))
		return -1;
	*r = t;
	return 0;
}

int
plugin_range_alert(const struct plugin_range *r, double v)
{
	int below, above;

	if (r == NULL)
		return 0;
	if (isnan(v))
		return 1;	/* a value we cannot place is never safe */
	below = !r->start_infinite && v < r->start;
	above = !r->end_infinite && v > r->end;
	if (r->inside)
		return !below && !above;
	return below || above;
}

enum plugin_state
plugin_thresholds_eval(const struct plugin_thresholds *t,
    double v)
{
	if (t == NULL || (!t->has_crit && !t->has_warn))
		return PLUGIN_OK;
	if (isnan(v))
		return PLUGIN_UNKNOWN;
	if (t->has_crit && plugin_range_alert(&t->crit, v))
		return PLUGIN_CRITICAL;
	if (t->has_warn && plugin_range_alert(&t->warn, v))
		return PLUGIN_WARNING;
	return PLUGIN_OK;
}

/* ---- sanitising ---- */

/*
 * Length of the valid UTF-8 sequence at s (n bytes available), with *cp set
 * to its code point, or 0 when s does not start a valid sequence (overlong
 * forms, surrogates, values above U+10FFFF and cut sequences are invalid).
 */
size_t
plugin_utf8_len(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned char b = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, i;
	unsigned long c;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		len = 2;
		c = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		len = 3;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;	/* overlong */
		else if (b == 0xED)
			hi = 0x9F;	/* surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		len = 4;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;	/* overlong */
		else if (b == 0xF4)
			hi = 0x8F;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return len;
}

/* Start of the character that ends at out[len] (len > 0). */
static size_t
utf8_prev(const char *out, size_t len)
{
	len--;
	while (len > 0 && ((unsigned char)out[len] & 0xC0) == 0x80)
		len--;
	return len;
}

size_t
plugin_sanitize(char *out, size_t outlen, const char *in, size_t inlen,
    size_t maxchars)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0, chars = 0;
	int pending_space = 0, cut = 0;

	if (out == NULL || outlen == 0)
		return 0;
	out[0] = '\0';
	if (in == NULL)
		return 0;

	while (i < inlen) {
		unsigned long cp = 0;
		size_t sl = plugin_utf8_len(p + i, inlen - i, &cp);
		const char *tok;
		char one;
		size_t tl, need_c, need_b;

		if (sl == 0) {
			one = '?';
			tok = &one;
			tl = 1;
			sl = 1;
		} else if (cp < 0x20 || cp == 0x7F ||
		    (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 ||
		    cp == 0x2029 || cp == ' ' ||
		    (cp >= 0x200B && cp <= 0x200F) ||
		    (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF) {
			/* Control characters (C0, DEL, C1, line and
			 * paragraph separators), and the invisible format
			 * characters that reorder or hide text in a web UI
			 * (zero-width, bidi embeddings, overrides and
			 * isolates, BOM) are spaces; spaces collapse and are
			 * only written before a visible character. */
			if (o > 0)
				pending_space = 1;
			i += sl;
			continue;
		} else if (cp == '|') {
			one = '!';
			tok = &one;
			tl = 1;
		} else {
			tok = (const char *)p + i;
			tl = sl;
		}
		need_c = 1 + (pending_space ? 1 : 0);
		need_b = tl + (pending_space ? 1 : 0);
		if (chars + need_c > maxchars || o + need_b >= outlen) {
			cut = 1;
			break;
		}
		if (pending_space) {
			out[o++] = ' ';
			chars++;
			pending_space = 0;
		}
		memcpy(out + o, tok, tl);
		o += tl;
		chars++;
		i += sl;
	}

	if (cut) {
		/* Make room for "..." by dropping whole characters. */
		size_t dots = 3;

		if (maxchars < dots)
			dots = maxchars;
		if (outlen - 1 < dots)
			dots = outlen - 1;
		while (o > 0 && (chars + dots > maxchars || o + dots >= outlen)) {
			o = utf8_prev(out, o);
			chars--;
		}
		while (o > 0 && out[o - 1] == ' ') {
			o--;
			chars--;
		}
		memset(out + o, '.', dots);
		o += dots;
	}
	out[o] = '\0';
	return o;
}

/* ---- verdict ---- */

struct plugin_out *
plugin_out_new(const char *check)
{
	struct plugin_out *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->state = PLUGIN_OK;
	if (check != NULL)
		plugin_sanitize(o->check, sizeof(o->check), check,
		    strlen(check), CHECK_NAME_MAX);
	return o;
}

void
plugin_out_free(struct plugin_out *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->nfx; i++)
		free(o->fx[i].text);
	free(o->fx);
	if (o->facts != NULL)
		json_free(o->facts);
	free(o->facts);
	free(o);
}

int
plugin_out_want_json(struct plugin_out *o)
{
	if (o == NULL)
		return -1;
	if (o->json)
		return 0;
	o->json = 1;
	if ((o->facts = malloc(sizeof(*o->facts))) == NULL ||
	    json_init_alloc(o->facts, PLUGIN_FACTS_MAX) != 0) {
		o->json_lost = 1;
		return -1;
	}
	json_obj_begin(o->facts);
	return 0;
}

int
plugin_out_is_json(const struct plugin_out *o)
{
	return o != NULL && o->json;
}

struct json *
plugin_out_facts(struct plugin_out *o)
{
	return o != NULL && o->json ? o->facts : NULL;
}

void
plugin_out_error(struct plugin_out *o, const char *stage, const char *message)
{
	if (o == NULL)
		return;
	snprintf(o->err_stage, sizeof(o->err_stage), "%s", stage);
	plugin_sanitize(o->err_msg, sizeof(o->err_msg), message,
	    strlen(message), PLUGIN_LINE_MAX);
}

/* Keep a line for JSON (text already sanitised). */
static void
keep_finding(struct plugin_out *o, int is_sub, enum plugin_state st,
    const char *rule, long item, const char *text)
{
	struct finding *f;

	if (!o->json)
		return;
	if (o->nfx == o->capfx) {
		size_t nc = o->capfx ? o->capfx * 2 : 32;
		struct finding *n = realloc(o->fx, nc * sizeof(*n));

		if (n == NULL) {
			o->json_lost = 1;
			return;
		}
		o->fx = n;
		o->capfx = nc;
	}
	f = &o->fx[o->nfx];
	if ((f->text = strdup(text)) == NULL) {
		o->json_lost = 1;
		return;
	}
	f->is_sub = is_sub;
	f->st = st;
	f->item = item;
	f->rule[0] = '\0';
	if (rule != NULL)
		plugin_sanitize(f->rule, sizeof(f->rule), rule, strlen(rule),
		    PLUGIN_RULE_MAX);
	o->nfx++;
}

/* Format into a new buffer (free it), or NULL when out of memory. */
static char *vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

static char *
vformat(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	if (vsnprintf(s, (size_t)n + 1, fmt, ap) != n) {
		free(s);
		return NULL;
	}
	return s;
}

void
plugin_out_summary(struct plugin_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (o == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	o->has_summary = 1;
	if (s == NULL) {
		/* Keep the verdict honest even when the text is lost. */
		plugin_sanitize(o->summary, sizeof(o->summary),
		    "(summary lost: out of memory)", 29, PLUGIN_LINE_MAX);
		o->state = plugin_state_worst(o->state, PLUGIN_UNKNOWN);
		return;
	}
	plugin_sanitize(o->summary, sizeof(o->summary), s, strlen(s),
	    PLUGIN_LINE_MAX);
	free(s);
}

/* Where a line of state st goes: CRITICAL, WARNING, UNKNOWN, then the
 * rest (OK subchecks and plain lines) in the order they came. */
static unsigned char
rank(int is_sub, enum plugin_state st)
{
	if (!is_sub)
		return 3;
	return st == PLUGIN_CRITICAL ? 0 : st == PLUGIN_WARNING ? 1 :
	    st == PLUGIN_UNKNOWN ? 2 : 3;
}

/*
 * Add a long-output line: prefix (may be "") then the sanitised text, after
 * every kept line of its rank or a worse one.  When the lines are full, a
 * line worse than the last kept one takes its place: what the cap hides is
 * never worse than what it shows.
 */
static void
add_line(struct plugin_out *o, const char *prefix, const char *s,
    unsigned char r)
{
	size_t pl = strlen(prefix), at;
	char *line;

	if (s == NULL || (o->nlines >= PLUGIN_MAX_LINES &&
	    o->line_rank[o->nlines - 1] <= r)) {
		o->lines_dropped++;
		return;
	}
	if (o->nlines >= PLUGIN_MAX_LINES) {
		o->nlines--;		/* the last of the least severe */
		o->lines_dropped++;
	}
	for (at = o->nlines; at > 0 && o->line_rank[at - 1] > r; at--)
		;
	memmove(o->lines[at + 1], o->lines[at],
	    (o->nlines - at) * sizeof(o->lines[0]));
	memmove(&o->line_len[at + 1], &o->line_len[at],
	    (o->nlines - at) * sizeof(o->line_len[0]));
	memmove(&o->line_rank[at + 1], &o->line_rank[at],
	    (o->nlines - at) * sizeof(o->line_rank[0]));
	line = o->lines[at];
	memcpy(line, prefix, pl + 1);
	o->line_len[at] = pl + plugin_sanitize(line + pl,
	    PLUGIN_LINE_MAX - pl, s, strlen(s), PLUGIN_LINE_MAX);
	o->line_rank[at] = r;
	o->nlines++;
}

/* A subcheck (plugin_out_sub, plugin_out_finding). */
static void vsub(struct plugin_out *o, enum plugin_state st, const char *rule,
    long item, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void
vsub(struct plugin_out *o, enum plugin_state st, const char *rule, long item,
    const char *fmt, va_list ap)
{
	char prefix[16];
	char *s;
	int n;

	if (o == NULL)
		return;
	if (!state_valid(st))
		st = PLUGIN_UNKNOWN;
	o->state = plugin_state_worst(o->state, st);
	if (fmt == NULL)
		return;
	n = snprintf(prefix, sizeof(prefix), "[%s] ", plugin_state_name(st));
	if (n < 0 || (size_t)n >= sizeof(prefix))
		prefix[0] = '\0';	/* cannot happen: names are short */
	s = vformat(fmt, ap);
	o->subs[st]++;
	if (s != NULL && o->json) {
		char clean[PLUGIN_LINE_MAX];

		plugin_sanitize(clean, sizeof(clean), s, strlen(s),
		    PLUGIN_LINE_MAX);
		keep_finding(o, 1, st, rule, item, clean);
	}
	if (s != NULL && st != PLUGIN_OK && (o->worst_text[0] == '\0' ||
	    rank(1, st) < rank(1, o->worst))) {
		o->worst = st;
		plugin_sanitize(o->worst_text, sizeof(o->worst_text), s,
		    strlen(s), PLUGIN_LINE_MAX);
	}
	add_line(o, prefix, s, rank(1, st));
	free(s);
}

void
plugin_out_sub(struct plugin_out *o, enum plugin_state st,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsub(o, st, NULL, -1, fmt, ap);
	va_end(ap);
}

void
plugin_out_finding(struct plugin_out *o, enum plugin_state st,
    const char *rule, long item, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsub(o, st, rule, item, fmt, ap);
	va_end(ap);
}

void
plugin_out_info(struct plugin_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (o == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	if (s != NULL && o->json) {
		char clean[PLUGIN_LINE_MAX];

		plugin_sanitize(clean, sizeof(clean), s, strlen(s),
		    PLUGIN_LINE_MAX);
		keep_finding(o, 0, PLUGIN_OK, NULL, -1, clean);
	}
	add_line(o, "", s, rank(0, PLUGIN_OK));
	free(s);
}

void
plugin_out_raise(struct plugin_out *o, enum plugin_state st)
{
	if (o != NULL)
		o->state = plugin_state_worst(o->state, st);
}

void
plugin_out_set_state(struct plugin_out *o, enum plugin_state st)
{
	if (o != NULL)
		o->state = state_valid(st) ? st : PLUGIN_UNKNOWN;
}

enum plugin_state
plugin_out_state(const struct plugin_out *o)
{
	return o == NULL ? PLUGIN_UNKNOWN : o->state;
}

void
plugin_out_summary_worst(struct plugin_out *o, const char *fmt, ...)
{
	static const enum plugin_state order[3] = {
		PLUGIN_CRITICAL, PLUGIN_WARNING, PLUGIN_UNKNOWN
	};
	char others[96];
	size_t ol = 0;
	va_list ap;
	char *s;
	int n;

	if (o == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	if (s == NULL || o->worst_text[0] == '\0' || o->state != o->worst) {
		/* no finding, or the verdict is not a finding's (a table
		 * read in part, a timeout) */
		plugin_out_summary(o, "%s", s != NULL ? s : "");
		free(s);
		return;
	}
	others[0] = '\0';
	for (int i = 0; i < 3; i++) {
		unsigned k = o->subs[order[i]] - (order[i] == o->worst);
		const char *name = order[i] == PLUGIN_CRITICAL ? "critical" :
		    order[i] == PLUGIN_WARNING ? "warning" : "unknown";

		if (k == 0)
			continue;
		n = snprintf(others + ol, sizeof(others) - ol, "%s%u %s",
		    ol == 0 ? "+" : ", ", k, name);
		if (n > 0 && (size_t)n < sizeof(others) - ol)
			ol += (size_t)n;
	}
	plugin_out_summary(o, "%s (%s%s%s)", o->worst_text, others,
	    ol > 0 && s[0] ? "; " : "", s);
	free(s);
}

static int
label_plain(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    is_digit(c) || c == '_' || c == '.' || c == '-';
}

static int
label_taken(const struct plugin_out *o, const char *label)
{
	size_t i;

	for (i = 0; i < o->nperf; i++)
		if (strcmp(o->perf[i].label, label) == 0)
			return 1;
	return 0;
}

/* Cut s (NUL-terminated) to at most max bytes on a character boundary. */
static size_t
cut_utf8(char *s, size_t len, size_t max)
{
	while (len > max)
		len = utf8_prev(s, len);
	s[len] = '\0';
	return len;
}

/* Clean label into out[PLUGIN_LABEL_MAX], unique in o.  -1 when empty. */
static int
perf_label(const struct plugin_out *o, const char *label,
    char *out)
{
	char wide[PLUGIN_LINE_MAX], base[PLUGIN_LABEL_MAX];
	size_t bl, i;
	unsigned k;

	/* Sanitise into a larger buffer, then cut without a "..." mark. */
	bl = plugin_sanitize(wide, sizeof(wide), label, strlen(label),
	    PLUGIN_LINE_MAX);
	bl = cut_utf8(wide, bl, PLUGIN_LABEL_MAX - 1);
	while (bl > 0 && wide[bl - 1] == ' ')
		wide[--bl] = '\0';
	memcpy(base, wide, bl + 1);
	for (i = 0; i < bl; i++)
		if (base[i] == '=' || base[i] == '\'' || base[i] == '"')
			base[i] = '_';
	if (bl == 0)
		return -1;
	memcpy(out, base, bl + 1);
	for (k = 2; label_taken(o, out); k++) {
		char suffix[16];
		size_t sl;
		int n = snprintf(suffix, sizeof(suffix), "_%u", k);

		if (n < 0 || (size_t)n >= sizeof(suffix))
			return -1;
		sl = (size_t)n;
		memcpy(out, base, bl + 1);
		cut_utf8(out, bl, PLUGIN_LABEL_MAX - 1 - sl);
		memcpy(out + strlen(out), suffix, sl + 1);
	}
	return 0;
}

/* The text of a range, or NULL when it is not one plugin_range_parse()
 * could have written (a struct filled by hand must not break the output). */
static const char *
range_text(const struct plugin_range *r)
{
	size_t i;

	for (i = 0; i < sizeof(r->text); i++) {
		char c = r->text[i];

		if (c == '\0')
			return r->text;
		if (!is_digit((unsigned char)c) && strchr(".:~@e+-", c) == NULL)
			return NULL;
	}
	return NULL;
}

/* value_u: the value is unknown ("U", no unit). */
static int
perf_add(struct plugin_out *o, const char *label, double value,
    int value_u, const char *uom, const struct plugin_thresholds *t,
    const double *min, const double *max)
{
	static const char *const uoms[] = {
		"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"
	};
	char lab[PLUGIN_LABEL_MAX], v[NUM_MAX], mn[NUM_MAX], mx[NUM_MAX];
	struct perf_item *it;
	const char *q = "", *wt = "", *ct = "";
	size_t i;
	int ok = 0, n;

	if (o == NULL || label == NULL)
		return -1;
	if (uom == NULL)
		uom = "";
	for (i = 0; i < sizeof(uoms) / sizeof(uoms[0]); i++)
		if (strcmp(uom, uoms[i]) == 0)
			ok = 1;
	if (!ok || o->nperf >= PLUGIN_MAX_PERF)
		return -1;
	mn[0] = mx[0] = '\0';
	if (value_u) {
		snprintf(v, sizeof(v), "U");
		uom = "";
	} else if (plugin_format_number(value, v, sizeof(v)))
		return -1;
	if ((min != NULL && plugin_format_number(*min, mn, sizeof(mn))) ||
	    (max != NULL && plugin_format_number(*max, mx, sizeof(mx))))
		return -1;
	if (t != NULL) {
		wt = t->has_warn ? range_text(&t->warn) : "";
		ct = t->has_crit ? range_text(&t->crit) : "";
		if (wt == NULL || ct == NULL)
			return -1;
	}
	if (perf_label(o, label, lab))
		return -1;
	for (i = 0; lab[i] != '\0'; i++)
		if (!label_plain((unsigned char)lab[i]))
			q = "'";
	it = &o->perf[o->nperf];
	n = snprintf(it->text, sizeof(it->text), "%s%s%s=%s%s;%s;%s;%s;%s",
	    q, lab, q, v, uom, wt, ct, mn, mx);
	if (n < 0 || (size_t)n >= sizeof(it->text))
		return -1;
	it->len = (size_t)n;
	memcpy(it->label, lab, sizeof(lab));
	it->value = value_u ? 0 : value;
	it->value_u = value_u;
	snprintf(it->uom, sizeof(it->uom), "%s", uom);
	memset(&it->th, 0, sizeof(it->th));
	if (t != NULL)
		it->th = *t;
	it->has_min = min != NULL;
	it->min = min != NULL ? *min : 0;
	it->has_max = max != NULL;
	it->max = max != NULL ? *max : 0;
	o->nperf++;
	return 0;
}

int
plugin_out_perf(struct plugin_out *o, const char *label, double value,
    const char *uom, const struct plugin_thresholds *t, const double *min,
    const double *max)
{
	return perf_add(o, label, value, 0, uom, t, min, max);
}

int
plugin_out_perf_u(struct plugin_out *o, const char *label,
    const struct plugin_thresholds *t, const double *min, const double *max)
{
	return perf_add(o, label, 0, 1, "", t, min, max);
}

int
plugin_out_perf_canon(struct plugin_out *o, const char *const *labels,
    size_t n)
{
	static struct perf_item sorted[PLUGIN_MAX_PERF];
	unsigned char used[PLUGIN_MAX_PERF];
	double zero = 0;
	size_t i, j, k = 0;
	int rc = 0;

	if (o == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < o->nperf; j++)
			if (strcmp(o->perf[j].label, labels[i]) == 0)
				break;
		if (j == o->nperf && plugin_out_perf_u(o, labels[i], NULL,
		    &zero, NULL) != 0)
			rc = -1;
	}
	memset(used, 0, sizeof(used));
	for (i = 0; i < n; i++)
		for (j = 0; j < o->nperf; j++)
			if (!used[j] && strcmp(o->perf[j].label, labels[i]) == 0) {
				sorted[k++] = o->perf[j];
				used[j] = 1;
				break;
			}
	for (j = 0; j < o->nperf; j++)
		if (!used[j])
			sorted[k++] = o->perf[j];
	memcpy(o->perf, sorted, k * sizeof(sorted[0]));
	return rc;
}

/* Findings (the worst first) kept over perfdata when the text is too long. */
#define RENDER_FINDINGS_KEPT 4

/* Bytes of the rendering with nl long lines and np perf items kept. */
static size_t
render_size(const struct plugin_out *o, size_t status_len,
    size_t nl, size_t np, size_t more_len)
{
	size_t total = status_len + 1, i;

	for (i = 0; i < nl; i++)
		total += o->line_len[i] + 1;
	if (nl < o->nlines + o->lines_dropped)
		total += more_len + 1;
	if (np > 0)
		total += 2;	/* " |" */
	for (i = 0; i < np; i++)
		total += 1 + o->perf[i].len;
	return total;
}

static void
put(char *buf, size_t *pos, const char *s, size_t n)
{
	memcpy(buf + *pos, s, n);
	*pos += n;
}

enum plugin_state
plugin_out_render(const struct plugin_out *o, char *buf,
    size_t len, size_t *olen)
{
	char status[PLUGIN_LINE_MAX], more[64];
	enum plugin_state st = plugin_out_state(o);
	const char *sname = plugin_state_name(st);
	size_t sl, cap, nl, np, pos = 0, i, more_len = 0, total_lines;
	int n;

	if (olen != NULL)
		*olen = 0;
	if (buf == NULL || len == 0)
		return st;
	buf[0] = '\0';
	cap = len < PLUGIN_TEXT_MAX ? len : PLUGIN_TEXT_MAX;
	cap--;			/* room for the NUL */

	if (o == NULL) {
		n = snprintf(status, sizeof(status),
		    "IGD UNKNOWN - no verdict");
	} else {
		const char *summary = (o->has_summary && o->summary[0] != '\0')
		    ? o->summary : sname;

		if (o->check[0] != '\0')
			n = snprintf(status, sizeof(status), "IGD %s %s - ",
			    o->check, sname);
		else
			n = snprintf(status, sizeof(status), "IGD %s - ",
			    sname);
		if (n < 0 || (size_t)n >= sizeof(status))
			n = 0;	/* cannot happen: both parts are short */
		n += (int)plugin_sanitize(status + n, sizeof(status) - (size_t)n,
		    summary, strlen(summary), PLUGIN_LINE_MAX);
	}
	if (n < 0 || (size_t)n >= sizeof(status))
		n = 0;
	sl = (size_t)n;

	if (sl + 1 > cap) {
		/* Even the status line does not fit: cut it, keep '\n'. */
		if (cap == 0)
			return st;
		sl = cut_utf8(status, sl, cap - 1);
		put(buf, &pos, status, sl);
		buf[pos++] = '\n';
		buf[pos] = '\0';
		if (olen != NULL)
			*olen = pos;
		return st;
	}

	nl = o != NULL ? o->nlines : 0;
	np = o != NULL ? o->nperf : 0;
	total_lines = o != NULL ? o->nlines + o->lines_dropped : 0;
	/* Drop OK and plain long-output lines first (from the end), then
	 * findings (CRITICAL, WARNING, UNKNOWN lines, the least severe first)
	 * down to the worst RENDER_FINDINGS_KEPT, then perfdata items, then
	 * those findings, then the "more lines" note: the status line always
	 * stays whole, the worst findings outlast the perfdata (a device with
	 * 8 WANs and 128 labels once lost every finding line to it), and many
	 * findings do not take the perfdata's place. */
	for (;;) {
		size_t dropped = total_lines - nl;

		more_len = 0;
		if (dropped > 0) {
			n = snprintf(more, sizeof(more), "... %zu more line%s",
			    dropped, dropped == 1 ? "" : "s");
			if (n < 0 || (size_t)n >= sizeof(more))
				n = 0;
			more_len = (size_t)n;
		}
		if (o == NULL || render_size(o, sl, nl, np, more_len) <= cap)
			break;
		if (nl > 0 && (o->line_rank[nl - 1] >= rank(0, PLUGIN_OK) ||
		    nl > RENDER_FINDINGS_KEPT))
			nl--;
		else if (np > 0)
			np--;
		else if (nl > 0)
			nl--;
		else
			break;
	}
	if (o != NULL && render_size(o, sl, nl, np, more_len) > cap)
		total_lines = 0;	/* no room for the note either */

	put(buf, &pos, status, sl);
	for (i = 0; i < nl; i++) {
		buf[pos++] = '\n';
		put(buf, &pos, o->lines[i], o->line_len[i]);
	}
	if (total_lines > nl && more_len > 0) {
		buf[pos++] = '\n';
		put(buf, &pos, more, more_len);
	}
	if (np > 0) {
		put(buf, &pos, " |", 2);
		for (i = 0; i < np; i++) {
			buf[pos++] = ' ';
			put(buf, &pos, o->perf[i].text, o->perf[i].len);
		}
	}
	buf[pos++] = '\n';
	buf[pos] = '\0';
	if (olen != NULL)
		*olen = pos;
	return st;
}

/* ---- JSON ---- */

/* A range as {"text", "start", "end", "inside"}: null ends are infinite. */
static void
json_range(struct json *j, const char *key, int has,
    const struct plugin_range *r)
{
	const char *text = has ? range_text(r) : NULL;

	json_key(j, key);
	if (text == NULL) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_kstr(j, "text", text);
	json_key(j, "start");
	if (r->start_infinite)
		json_null(j);
	else
		json_num(j, r->start);
	json_key(j, "end");
	if (r->end_infinite)
		json_null(j);
	else
		json_num(j, r->end);
	json_kbool(j, "inside", r->inside);
	json_obj_end(j);
}

static void
json_perf(struct json *j, const struct perf_item *it)
{
	json_obj_begin(j);
	json_kstr(j, "label", it->label);
	json_key(j, "value");
	if (it->value_u)
		json_null(j);
	else
		json_num(j, it->value);
	json_kstr(j, "unit", it->uom);
	json_range(j, "warn", it->th.has_warn, &it->th.warn);
	json_range(j, "crit", it->th.has_crit, &it->th.crit);
	json_key(j, "min");
	if (it->has_min)
		json_num(j, it->min);
	else
		json_null(j);
	json_key(j, "max");
	if (it->has_max)
		json_num(j, it->max);
	else
		json_null(j);
	json_kstr(j, "text", it->text);
	json_obj_end(j);
}

/* The findings, worst first (the order of the long output), then notes. */
static void
json_findings(struct json *j, const struct plugin_out *o)
{
	json_key(j, "findings");
	json_arr_begin(j);
	for (unsigned char r = 0; r <= 3; r++) {
		for (size_t i = 0; i < o->nfx; i++) {
			const struct finding *f = &o->fx[i];

			if (!f->is_sub || rank(1, f->st) != r)
				continue;
			json_obj_begin(j);
			json_kint(j, "state", f->st);
			json_kstr(j, "state_name", plugin_state_name(f->st));
			json_kstr(j, "rule", f->rule[0] ? f->rule : NULL);
			json_key(j, "item");
			if (f->item >= 0)
				json_int(j, f->item);
			else
				json_null(j);
			json_kstr(j, "text", f->text);
			json_obj_end(j);
		}
	}
	json_arr_end(j);
	json_key(j, "notes");
	json_arr_begin(j);
	for (size_t i = 0; i < o->nfx; i++)
		if (!o->fx[i].is_sub)
			json_str(j, o->fx[i].text);
	json_arr_end(j);
}

enum plugin_state
plugin_out_render_json(const struct plugin_out *o, const char *prog,
    struct json *j)
{
	char text[PLUGIN_TEXT_MAX];
	size_t tl = 0, sl;
	enum plugin_state st = plugin_out_render(o, text, sizeof(text), &tl);
	const char *bar;

	/* the status line: the first line, without the perfdata */
	sl = strcspn(text, "\n");
	bar = memchr(text, '|', sl);
	if (bar != NULL)
		sl = (size_t)(bar - text);
	while (sl > 0 && text[sl - 1] == ' ')
		sl--;
	json_obj_begin(j);
	json_kstr(j, "plugin", prog != NULL ? prog : "check_igd");
	json_kstr(j, "version", CHECK_IGD_VERSION);
	json_kstr(j, "check", o != NULL ? o->check : "");
	json_kint(j, "state", st);
	json_kstr(j, "state_name", plugin_state_name(st));
	json_key(j, "status_line");
	json_strn(j, text, sl);
	json_kstr(j, "summary", o != NULL && o->has_summary &&
	    o->summary[0] != '\0' ? o->summary : plugin_state_name(st));
	json_key(j, "output");
	json_strn(j, text, tl);
	if (o == NULL) {
		json_obj_end(j);
		return st;
	}
	json_key(j, "counts");
	json_obj_begin(j);
	json_kint(j, "critical", o->subs[PLUGIN_CRITICAL]);
	json_kint(j, "warning", o->subs[PLUGIN_WARNING]);
	json_kint(j, "unknown", o->subs[PLUGIN_UNKNOWN]);
	json_kint(j, "ok", o->subs[PLUGIN_OK]);
	json_obj_end(j);
	json_findings(j, o);
	json_key(j, "perfdata");
	json_arr_begin(j);
	for (size_t i = 0; i < o->nperf; i++)
		json_perf(j, &o->perf[i]);
	json_arr_end(j);
	json_key(j, "facts");
	json_value_of(j, o->facts);
	json_kbool(j, "facts_complete", !o->json_lost && o->facts != NULL &&
	    !o->facts->overflow);
	if (o->err_stage[0] != '\0') {
		json_key(j, "error");
		json_obj_begin(j);
		json_kstr(j, "stage", o->err_stage);
		json_kstr(j, "message", o->err_msg);
		json_obj_end(j);
	}
	json_obj_end(j);
	return st;
}
