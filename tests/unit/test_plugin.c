/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/plugin.c: states, ranges, thresholds, numbers,
 * sanitising, perfdata and the rendering of a verdict.
 */
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

/* ---- helpers ---- */

/* 1 when s[0..n) is valid UTF-8 (no overlong, surrogate, > U+10FFFF). */
static int utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char b = p[i];
		size_t len, k;
		unsigned char lo = 0x80, hi = 0xBF;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF)
			len = 2;
		else if (b >= 0xE0 && b <= 0xEF)
			len = 3;
		else if (b >= 0xF0 && b <= 0xF4)
			len = 4;
		else
			return 0;
		if (b == 0xE0)
			lo = 0xA0;
		if (b == 0xED)
			hi = 0x9F;
		if (b == 0xF0)
			lo = 0x90;
		if (b == 0xF4)
			hi = 0x8F;
		if (i + len > n || p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k < len; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		if (*s == c)
			n++;
	return n;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Check that out is a well-formed plugin output: ends with one '\n', no
 * control bytes but '\n', valid UTF-8, at most one '|' and only on the last
 * line, every line within PLUGIN_LINE_MAX but the perfdata part.
 */
static void assert_well_formed(const char *out, size_t olen)
{
	const char *bar, *last_nl, *p;

	ck_assert_uint_eq(strlen(out), olen);
	ck_assert_uint_gt(olen, 0);
	ck_assert_uint_lt(olen, PLUGIN_TEXT_MAX);
	ck_assert_int_eq(out[olen - 1], '\n');
	ck_assert(utf8_ok(out, olen));
	for (p = out; *p; p++)
		ck_assert_msg(((unsigned char)*p >= 0x20 && *p != 0x7F) ||
		    *p == '\n', "control byte 0x%02x in output",
		    (unsigned char)*p);
	ck_assert_uint_le(count_char(out, '|'), 1);
	bar = strchr(out, '|');
	if (bar != NULL) {
		/* The '|' is on the last line, and nothing after it but
		 * perfdata and the final newline. */
		last_nl = out + olen - 1;
		ck_assert_ptr_null(memchr(bar, '\n',
		    (size_t)(last_nl - bar)));
		ck_assert_int_eq(bar[-1], ' ');
		ck_assert_int_eq(bar[1], ' ');
	}
}

/* Render o into a static buffer of PLUGIN_TEXT_MAX and check the form. */
static const char *render(const struct plugin_out *o)
{
	static char buf[PLUGIN_TEXT_MAX];
	size_t olen = 12345;

	plugin_out_render(o, buf, sizeof(buf), &olen);
	assert_well_formed(buf, olen);
	return buf;
}

/* ---- states ---- */

START_TEST(test_state_names)
{
	enum plugin_state s;

	ck_assert_str_eq(plugin_state_name(PLUGIN_OK), "OK");
	ck_assert_str_eq(plugin_state_name(PLUGIN_WARNING), "WARNING");
	ck_assert_str_eq(plugin_state_name(PLUGIN_CRITICAL), "CRITICAL");
	ck_assert_str_eq(plugin_state_name(PLUGIN_UNKNOWN), "UNKNOWN");
	ck_assert_str_eq(plugin_state_name((enum plugin_state)7), "UNKNOWN");

	ck_assert_int_eq(plugin_state_parse("ok", &s), 0);
	ck_assert_int_eq(s, PLUGIN_OK);
	ck_assert_int_eq(plugin_state_parse("Warn", &s), 0);
	ck_assert_int_eq(s, PLUGIN_WARNING);
	ck_assert_int_eq(plugin_state_parse("WARNING", &s), 0);
	ck_assert_int_eq(s, PLUGIN_WARNING);
	ck_assert_int_eq(plugin_state_parse("crit", &s), 0);
	ck_assert_int_eq(s, PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_state_parse("Critical", &s), 0);
	ck_assert_int_eq(s, PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_state_parse("unknown", &s), 0);
	ck_assert_int_eq(s, PLUGIN_UNKNOWN);
	ck_assert_int_eq(plugin_state_parse("2", &s), 0);
	ck_assert_int_eq(s, PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_state_parse("3", &s), 0);
	ck_assert_int_eq(s, PLUGIN_UNKNOWN);

	s = PLUGIN_WARNING;
	ck_assert_int_eq(plugin_state_parse("4", &s), -1);
	ck_assert_int_eq(plugin_state_parse("", &s), -1);
	ck_assert_int_eq(plugin_state_parse("OKAY", &s), -1);
	ck_assert_int_eq(plugin_state_parse("ok ", &s), -1);
	ck_assert_int_eq(plugin_state_parse(NULL, &s), -1);
	ck_assert_int_eq(s, PLUGIN_WARNING);
}
END_TEST

START_TEST(test_state_worst)
{
	ck_assert_int_eq(plugin_state_worst(PLUGIN_OK, PLUGIN_OK), PLUGIN_OK);
	ck_assert_int_eq(plugin_state_worst(PLUGIN_OK, PLUGIN_UNKNOWN),
	    PLUGIN_UNKNOWN);
	ck_assert_int_eq(plugin_state_worst(PLUGIN_UNKNOWN, PLUGIN_WARNING),
	    PLUGIN_WARNING);
	ck_assert_int_eq(plugin_state_worst(PLUGIN_WARNING, PLUGIN_UNKNOWN),
	    PLUGIN_WARNING);
	ck_assert_int_eq(plugin_state_worst(PLUGIN_CRITICAL, PLUGIN_WARNING),
	    PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_state_worst(PLUGIN_UNKNOWN, PLUGIN_CRITICAL),
	    PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_state_worst(PLUGIN_OK, (enum plugin_state)9),
	    PLUGIN_UNKNOWN);
}
END_TEST

/* ---- ranges ---- */

struct range_case {
	const char *range;
	double v;
	int alert;
};

static const struct range_case range_cases[] = {
	/* "10": alert outside 0..10 */
	{ "10", -1, 1 }, { "10", -0.000001, 1 }, { "10", 0, 0 },
	{ "10", 0.000001, 0 }, { "10", 5, 0 }, { "10", 9.999999, 0 },
	{ "10", 10, 0 }, { "10", 10.000001, 1 }, { "10", 1e300, 1 },
	/* "10:": alert below 10 */
	{ "10:", -1e300, 1 }, { "10:", 9.999999, 1 }, { "10:", 10, 0 },
	{ "10:", 10.000001, 0 }, { "10:", 1e300, 0 },
	/* "~:10": alert above 10 */
	{ "~:10", -1e300, 0 }, { "~:10", -10, 0 }, { "~:10", 9.999999, 0 },
	{ "~:10", 10, 0 }, { "~:10", 10.000001, 1 }, { "~:10", 1e300, 1 },
	/* "10:20" */
	{ "10:20", 9.999999, 1 }, { "10:20", 10, 0 }, { "10:20", 10.000001, 0 },
	{ "10:20", 15, 0 }, { "10:20", 19.999999, 0 }, { "10:20", 20, 0 },
	{ "10:20", 20.000001, 1 }, { "10:20", -15, 1 },
	/* "@10:20": alert inside, inclusive */
	{ "@10:20", 9.999999, 0 }, { "@10:20", 10, 1 },
	{ "@10:20", 10.000001, 1 }, { "@10:20", 15, 1 },
	{ "@10:20", 19.999999, 1 }, { "@10:20", 20, 1 },
	{ "@10:20", 20.000001, 0 }, { "@10:20", -15, 0 },
	/* negative endpoints */
	{ "-10:-5", -10.000001, 1 }, { "-10:-5", -10, 0 },
	{ "-10:-5", -7.5, 0 }, { "-10:-5", -5, 0 }, { "-10:-5", -4.999999, 1 },
	{ "-10:-5", 0, 1 },
	{ "@-10:-5", -10, 1 }, { "@-10:-5", -5, 1 }, { "@-10:-5", -4.9, 0 },
	{ "@-10:-5", -10.1, 0 },
	/* "~" with "@" */
	{ "@~:0", -1e300, 1 }, { "@~:0", 0, 1 }, { "@~:0", 0.000001, 0 },
	{ "~:-3", -3, 0 }, { "~:-3", -2.999999, 1 },
	/* "@10": alert inside 0..10 */
	{ "@10", -0.000001, 0 }, { "@10", 0, 1 }, { "@10", 10, 1 },
	{ "@10", 10.000001, 0 },
	/* "10:" with "@": alert at or above 10 */
	{ "@10:", 9.999999, 0 }, { "@10:", 10, 1 }, { "@10:", 1e300, 1 },
	/* open on both sides */
	{ "~:", -1e300, 0 }, { "~:", 1e300, 0 },
	{ "@~:", -1e300, 1 }, { "@~:", 0, 1 },
	/* a single point */
	{ "5:5", 5, 0 }, { "5:5", 4.999999, 1 }, { "5:5", 5.000001, 1 },
	/* other number spellings */
	{ "+1.5e1:2e1", 14.9, 1 }, { "+1.5e1:2e1", 15, 0 },
	{ "+1.5e1:2e1", 20, 0 }, { "+1.5e1:2e1", 20.1, 1 },
	{ ".5", 0.5, 0 }, { ".5", 0.51, 1 },
	{ "0.25:0.75", 0.24, 1 }, { "0.25:0.75", 0.25, 0 },
	{ "0.25:0.75", 0.75, 0 }, { "0.25:0.75", 0.76, 1 },
};

START_TEST(test_range_alert_table)
{
	const struct range_case *c = &range_cases[_i];
	struct plugin_range r;

	ck_assert_msg(plugin_range_parse(c->range, &r) == 0,
	    "range '%s' rejected", c->range);
	ck_assert_msg(plugin_range_alert(&r, c->v) == c->alert,
	    "range '%s' value %.9g: expected alert %d", c->range, c->v,
	    c->alert);
}
END_TEST

START_TEST(test_range_fields)
{
	struct plugin_range r;

	ck_assert_int_eq(plugin_range_parse("10", &r), 0);
	ck_assert(r.start == 0 && r.end == 10);
	ck_assert(!r.start_infinite && !r.end_infinite && !r.inside);

	ck_assert_int_eq(plugin_range_parse("10:", &r), 0);
	ck_assert(r.start == 10 && !r.start_infinite && r.end_infinite);

	ck_assert_int_eq(plugin_range_parse("~:10", &r), 0);
	ck_assert(r.start_infinite && !r.end_infinite && r.end == 10);

	ck_assert_int_eq(plugin_range_parse("@10:20", &r), 0);
	ck_assert(r.inside && r.start == 10 && r.end == 20);

	ck_assert_int_eq(plugin_range_parse("-2.5:3.25", &r), 0);
	ck_assert(r.start == -2.5 && r.end == 3.25);
}
END_TEST

START_TEST(test_range_text)
{
	static const char *const cases[][2] = {
		{ "10", "10" }, { "0:10", "10" }, { "10:", "10:" },
		{ "~:10", "~:10" }, { "10:20", "10:20" },
		{ "@10:20", "@10:20" }, { "@10", "@10" }, { "@0:10", "@10" },
		{ "~:", "~:" }, { "@~:", "@~:" }, { "0:", "0:" },
		{ "10.50:20.0", "10.5:20" }, { "+1e1", "10" },
		{ "-5:-1", "-5:-1" }, { "@-1.5:", "@-1.5:" },
		{ ".25", "0.25" },
	};
	struct plugin_range r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(plugin_range_parse(cases[i][0], &r) == 0,
		    "'%s' rejected", cases[i][0]);
		ck_assert_str_eq(r.text, cases[i][1]);
	}
}
END_TEST

START_TEST(test_range_malformed)
{
	static const char *const bad[] = {
		"", "abc", "10:5", "1:2:3", "nan", "NaN", "inf", "-inf",
		"infinity", "@", "~", "@~", "~10", "10:~", "~:~", "10x",
		"10 ", " 10", "10:20x", "10:20 ", ":10", ":", "@@10", "@:",
		"1e", "1e+", "0x10", "--1", "+-1", "-5", "1,5", "1e999",
		"10:nan", "nan:10", "10::20", ".", "-", "@-", "10\n", "1 0",
		"@10:5", "20:10",
	};
	struct plugin_range r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0x5a, sizeof(r));
		ck_assert_msg(plugin_range_parse(bad[i], &r) == -1,
		    "'%s' accepted", bad[i]);
		/* A rejected range leaves *r as it was. */
		ck_assert_int_eq(((unsigned char *)&r)[0], 0x5a);
	}
	ck_assert_int_eq(plugin_range_parse(NULL, &r), -1);
}
END_TEST

START_TEST(test_range_nan_value)
{
	struct plugin_range r;

	ck_assert_int_eq(plugin_range_parse("10", &r), 0);
	ck_assert_int_eq(plugin_range_alert(&r, NAN), 1);
	ck_assert_int_eq(plugin_range_alert(&r, INFINITY), 1);
	ck_assert_int_eq(plugin_range_parse("10:", &r), 0);
	ck_assert_int_eq(plugin_range_alert(&r, INFINITY), 0);
	ck_assert_int_eq(plugin_range_alert(&r, -INFINITY), 1);
}
END_TEST

/* ---- thresholds ---- */

static struct plugin_thresholds thr(const char *w, const char *c)
{
	struct plugin_thresholds t;

	memset(&t, 0, sizeof(t));
	if (w != NULL) {
		ck_assert_int_eq(plugin_range_parse(w, &t.warn), 0);
		t.has_warn = 1;
	}
	if (c != NULL) {
		ck_assert_int_eq(plugin_range_parse(c, &t.crit), 0);
		t.has_crit = 1;
	}
	return t;
}

START_TEST(test_thresholds)
{
	struct plugin_thresholds t = thr("10", "20");

	ck_assert_int_eq(plugin_thresholds_eval(&t, 5), PLUGIN_OK);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 10), PLUGIN_OK);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 10.5), PLUGIN_WARNING);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 20), PLUGIN_WARNING);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 20.5), PLUGIN_CRITICAL);
	/* Below 0 both alert: critical wins. */
	ck_assert_int_eq(plugin_thresholds_eval(&t, -1), PLUGIN_CRITICAL);

	/* Critical alerting where warning does not. */
	t = thr("100", "@0:5");
	ck_assert_int_eq(plugin_thresholds_eval(&t, 3), PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 50), PLUGIN_OK);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 101), PLUGIN_WARNING);

	/* Identical ranges: critical before warning. */
	t = thr("10", "10");
	ck_assert_int_eq(plugin_thresholds_eval(&t, 11), PLUGIN_CRITICAL);

	t = thr("10:", NULL);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 9), PLUGIN_WARNING);
	ck_assert_int_eq(plugin_thresholds_eval(&t, 10), PLUGIN_OK);
	t = thr(NULL, "10:");
	ck_assert_int_eq(plugin_thresholds_eval(&t, 9), PLUGIN_CRITICAL);

	t = thr(NULL, NULL);
	ck_assert_int_eq(plugin_thresholds_eval(&t, -1e300), PLUGIN_OK);
	ck_assert_int_eq(plugin_thresholds_eval(NULL, 5), PLUGIN_OK);

	t = thr("10", "20");
	ck_assert_int_eq(plugin_thresholds_eval(&t, NAN), PLUGIN_UNKNOWN);
}
END_TEST

/* ---- numbers ---- */

static void assert_num(double v, const char *want)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	ck_assert_msg(plugin_format_number(v, buf, sizeof(buf)) == 0,
	    "%.17g not formatted", v);
	ck_assert_str_eq(buf, want);
}

START_TEST(test_format_number)
{
	char buf[4];

	assert_num(0, "0");
	assert_num(-0.0, "0");
	assert_num(5, "5");
	assert_num(-5, "-5");
	assert_num(1.5, "1.5");
	assert_num(-1.5, "-1.5");
	assert_num(0.1, "0.1");
	assert_num(1.0 / 3, "0.333333");
	assert_num(2.0 / 3, "0.666667");
	assert_num(12.25, "12.25");
	assert_num(12.000000001, "12");
	assert_num(0.9999999, "1");
	assert_num(0.05, "0.05");
	assert_num(0.000012345678, "0.0000123457");
	assert_num(123456789012345.0, "123456789012345");
	assert_num(-123456789012345.0, "-123456789012345");
	assert_num(4294967296.0, "4294967296");
	assert_num(1e15, "1e+15");

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(plugin_format_number(NAN, buf, sizeof(buf)), -1);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(plugin_format_number(INFINITY, buf, sizeof(buf)), -1);
	ck_assert_int_eq(plugin_format_number(-INFINITY, buf, sizeof(buf)),
	    -1);
	/* "1234" needs 5 bytes. */
	ck_assert_int_eq(plugin_format_number(1234, buf, sizeof(buf)), -1);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(plugin_format_number(123, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "123");
	ck_assert_int_eq(plugin_format_number(1, NULL, 0), -1);
}
END_TEST

/* Under CI (CI set and not ""/false/0/no) a test that cannot run fails. */
static int
ci_mode(void)
{
	const char *ci = getenv("CI");

	return ci != NULL && strcmp(ci, "") != 0 && strcmp(ci, "false") != 0 &&
	    strcmp(ci, "0") != 0 && strcmp(ci, "no") != 0;
}

/* Switch LC_NUMERIC to a locale whose decimal mark is ','; NULL if none. */
static const char *comma_locale(void)
{
	static const char *const names[] = {
		"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8",
		"fr_FR.utf8", "nl_NL.UTF-8", "es_ES.UTF-8", "it_IT.UTF-8",
		"ru_RU.UTF-8",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (setlocale(LC_NUMERIC, names[i]) != NULL &&
		    strcmp(localeconv()->decimal_point, ",") == 0)
			return names[i];
	}
	setlocale(LC_NUMERIC, "C");
	return NULL;
}

/* Numbers printed and ranges parsed in the current locale use '.'. */
static void assert_dot_numbers(void)
{
	struct plugin_out *o = plugin_out_new("WAN");
	struct plugin_thresholds t = thr("0.5:1.25", "@2.5:3.5");
	struct plugin_range r;
	double mn = 0.5, mx = 100.25;
	char buf[64];
	const char *out;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(plugin_format_number(1.5, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1.5");
	ck_assert_int_eq(plugin_format_number(-0.000012345678, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "-0.0000123457");
	ck_assert_int_eq(plugin_range_parse("10.5:20.25", &r), 0);
	ck_assert(r.start == 10.5 && r.end == 20.25);
	ck_assert_str_eq(r.text, "10.5:20.25");
	ck_assert_int_eq(plugin_range_parse("10,5", &r), -1);

	ck_assert_int_eq(plugin_out_perf(o, "rate", 1.75, "MB", &t, &mn, &mx),
	    0);
	plugin_out_summary(o, "rate %s", "fine");
	out = render(o);
	ck_assert_str_eq(out,
	    "IGD WAN OK - rate fine | rate=1.75MB;0.5:1.25;@2.5:3.5;0.5;100.25\n");
	plugin_out_free(o);
}

START_TEST(test_locale_comma)
{
	const char *loc = comma_locale();
	char probe[16];

	if (loc == NULL) {
		ck_assert_msg(!ci_mode(), "no locale with a ',' decimal mark "
		    "is installed and CI is set: run 'make deps' "
		    "(de_DE.UTF-8)");
		fprintf(stderr, "test_plugin: NOTE: no locale with a ',' "
		    "decimal mark is installed (tried de_DE.UTF-8 and "
		    "others); the comma-locale assertions are skipped\n");
		assert_dot_numbers();	/* still holds in "C" */
		return;
	}
	/* The locale really is active: printf now writes a comma. */
	ck_assert_int_eq(snprintf(probe, sizeof(probe), "%.1f", 1.5), 3);
	ck_assert_str_eq(probe, "1,5");
	assert_dot_numbers();
	setlocale(LC_NUMERIC, "C");
}
END_TEST

START_TEST(test_locale_c_utf8)
{
	if (setlocale(LC_NUMERIC, "C.UTF-8") == NULL &&
	    setlocale(LC_NUMERIC, "C.utf8") == NULL) {
		ck_assert_msg(!ci_mode(), "C.UTF-8 is not available and CI "
		    "is set");
		fprintf(stderr, "test_plugin: NOTE: C.UTF-8 not available, "
		    "testing in \"C\"\n");
	}
	assert_dot_numbers();
	setlocale(LC_NUMERIC, "C");
}
END_TEST

/* ---- sanitising ---- */

static const char *san(const char *in, size_t inlen, size_t maxchars)
{
	static char out[PLUGIN_LINE_MAX];
	size_t n = plugin_sanitize(out, sizeof(out), in, inlen, maxchars);

	ck_assert_uint_eq(n, strlen(out));
	ck_assert(utf8_ok(out, n));
	return out;
}

#define SAN(s) san((s), sizeof(s) - 1, 200)

START_TEST(test_sanitize_exact)
{
	ck_assert_str_eq(SAN("MiniUPnPd/2.3.3 UPnP/1.1"),
	    "MiniUPnPd/2.3.3 UPnP/1.1");
	ck_assert_str_eq(SAN("  Linux/3.14   UPnP/1.0  MiniUPnPd/2.3  "),
	    "Linux/3.14 UPnP/1.0 MiniUPnPd/2.3");
	ck_assert_str_eq(SAN("in|out"), "in!out");
	ck_assert_str_eq(SAN("a\r\nb"), "a b");
	ck_assert_str_eq(SAN("line1\nline2\n"), "line1 line2");
	ck_assert_str_eq(SAN("a\tb\x7f" "c"), "a b c");
	ck_assert_str_eq(SAN("\x1b[31mred\x1b[0m"), "[31mred [0m");
	ck_assert_str_eq(SAN("a\0b"), "a b");
	ck_assert_str_eq(SAN("ok\n| x=1"), "ok ! x=1");
	ck_assert_str_eq(SAN(""), "");
	ck_assert_str_eq(SAN(" \t\r\n "), "");
	/* valid UTF-8 kept as is: e-acute, euro, emoji, CJK */
	ck_assert_str_eq(SAN("Fritz!Box caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe8\xb7\xaf"),
	    "Fritz!Box caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe8\xb7\xaf");
	/* C1 control (CSI) and line separator become spaces */
	ck_assert_str_eq(SAN("a\xc2\x9b" "31mb"), "a 31mb");
	ck_assert_str_eq(SAN("a\xe2\x80\xa8" "b"), "a b");
	/* invisible format characters that reorder or hide text: RLO,
	 * zero-width space, LRM, first-strong isolate, BOM */
	ck_assert_str_eq(SAN("evil\xe2\x80\xaetxt.exe"), "evil txt.exe");
	ck_assert_str_eq(SAN("a\xe2\x80\x8b" "b\xe2\x80\x8e" "c"), "a b c");
	ck_assert_str_eq(SAN("\xe2\x81\xa8x\xe2\x81\xa9"), "x");
	ck_assert_str_eq(SAN("\xef\xbb\xbfname"), "name");
	/* their neighbours stay: en dash, ellipsis, non-breaking space */
	ck_assert_str_eq(SAN("a\xe2\x80\x93" "b\xe2\x80\xa6"), "a\xe2\x80\x93" "b\xe2\x80\xa6");
}
END_TEST

START_TEST(test_sanitize_invalid_utf8)
{
	ck_assert_str_eq(SAN("a\xff" "b"), "a?b");
	ck_assert_str_eq(SAN("a\xfe\xfe" "b"), "a??b");
	ck_assert_str_eq(SAN("\x80" "x"), "?x");		/* lone continuation */
	ck_assert_str_eq(SAN("\xc0\xaf"), "??");		/* overlong '/' */
	ck_assert_str_eq(SAN("\xc1\xbf"), "??");		/* overlong */
	ck_assert_str_eq(SAN("\xe0\x80\xaf"), "???");		/* overlong 3 */
	ck_assert_str_eq(SAN("\xf0\x80\x80\xaf"), "????");	/* overlong 4 */
	ck_assert_str_eq(SAN("\xed\xa0\x80"), "???");		/* U+D800 */
	ck_assert_str_eq(SAN("\xed\xbf\xbf"), "???");		/* U+DFFF */
	ck_assert_str_eq(SAN("\xed\x9f\xbf"), "\xed\x9f\xbf");	/* U+D7FF ok */
	ck_assert_str_eq(SAN("\xf4\x90\x80\x80"), "????");	/* > U+10FFFF */
	ck_assert_str_eq(SAN("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");
	ck_assert_str_eq(SAN("\xf5\x80\x80\x80"), "????");
	ck_assert_str_eq(SAN("ab\xe2\x82"), "ab??");		/* cut at end */
	ck_assert_str_eq(SAN("\xe2\x82" "c"), "??c");		/* cut inside */
	ck_assert_str_eq(SAN("\xc3"), "?");
}
END_TEST

START_TEST(test_sanitize_bounds)
{
	char big[5000], out[PLUGIN_LINE_MAX], small[10];
	size_t i, n;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	n = plugin_sanitize(out, sizeof(out), big, sizeof(big), 100);
	ck_assert_uint_eq(n, 100);
	ck_assert_uint_eq(strlen(out), 100);
	ck_assert_str_eq(out + 97, "...");
	ck_assert_int_eq(strncmp(out, big, 97), 0);

	/* Bounded by the buffer when maxchars is larger. */
	n = plugin_sanitize(out, sizeof(out), big, sizeof(big), 100000);
	ck_assert_uint_eq(n, sizeof(out) - 1);
	ck_assert_str_eq(out + n - 3, "...");

	/* Exactly maxchars characters: no cut, no "...". */
	n = plugin_sanitize(out, sizeof(out), big, 26, 26);
	ck_assert_uint_eq(n, 26);
	ck_assert_str_eq(out, "abcdefghijklmnopqrstuvwxyz");
	/* Trailing spaces do not count as a cut. */
	n = plugin_sanitize(out, sizeof(out), "abc   \n", 7, 3);
	ck_assert_str_eq(out, "abc");

	/* Multibyte characters are never split. */
	memset(big, 0, sizeof(big));
	for (i = 0; i + 2 <= 4000; i += 2) {
		big[i] = (char)0xc3;
		big[i + 1] = (char)0xa9;
	}
	n = plugin_sanitize(small, sizeof(small), big, 4000, 1000);
	ck_assert_uint_le(n, sizeof(small) - 1);
	ck_assert(utf8_ok(small, n));
	ck_assert_str_eq(small, "\xc3\xa9\xc3\xa9\xc3\xa9...");
	n = plugin_sanitize(out, sizeof(out), big, 4000, 5);
	ck_assert_str_eq(out, "\xc3\xa9\xc3\xa9...");
	ck_assert_uint_eq(utf8_chars(out), 5);

	/* Degenerate sizes. */
	ck_assert_uint_eq(plugin_sanitize(out, sizeof(out), "abcdef", 6, 0),
	    0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(plugin_sanitize(out, sizeof(out), "abcdef", 6, 2),
	    2);
	ck_assert_str_eq(out, "..");
	ck_assert_uint_eq(plugin_sanitize(small, 1, "abc", 3, 100), 0);
	ck_assert_str_eq(small, "");
	ck_assert_uint_eq(plugin_sanitize(small, 4, "abcdef", 6, 100), 3);
	ck_assert_str_eq(small, "...");
	ck_assert_uint_eq(plugin_sanitize(small, sizeof(small), NULL, 5, 10),
	    0);
	ck_assert_uint_eq(plugin_sanitize(NULL, 0, "abc", 3, 10), 0);
}
END_TEST

/* Random bytes: the output is always bounded, clean and valid UTF-8. */
START_TEST(test_sanitize_random)
{
	uint32_t x = 2463534242u;
	char in[300], out[64];
	int round;

	for (round = 0; round < 5000; round++) {
		size_t len = (size_t)(round % (int)sizeof(in)), i, n;

		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			in[i] = (char)(x & 0xff);
		}
		n = plugin_sanitize(out, sizeof(out), in, len, 40);
		ck_assert_uint_eq(n, strlen(out));
		ck_assert_uint_lt(n, sizeof(out));
		ck_assert_uint_le(utf8_chars(out), 40);
		ck_assert(utf8_ok(out, n));
		ck_assert_ptr_null(strchr(out, '|'));
		for (i = 0; i < n; i++)
			ck_assert((unsigned char)out[i] >= 0x20 &&
			    out[i] != 0x7f);
		ck_assert(n == 0 || (out[0] != ' ' && out[n - 1] != ' '));
		ck_assert_ptr_null(strstr(out, "  "));
	}
}
END_TEST

/* ---- perfdata ---- */

/* The perfdata part of a one-line rendering (after "| "). */
static const char *perf_of(const struct plugin_out *o)
{
	const char *out = render(o), *bar = strchr(out, '|');

	ck_assert_ptr_nonnull(bar);
	return bar + 2;
}

/* U: a value the run cannot know; canon: the same labels, same order */
START_TEST(test_perf_u_and_canon)
{
	static const char *const labels[] = { "a", "b", "c" };
	struct plugin_out *o = plugin_out_new("WAN");
	struct plugin_thresholds t = thr("10", "20");
	double zero = 0;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(plugin_out_perf_u(o, "rate", &t, &zero, NULL), 0);
	ck_assert_str_eq(perf_of(o), "rate=U;10;20;0;\n");
	plugin_out_free(o);

	/* added out of order, one missing, one extra: canonical order, U for
	 * the missing one, the extra one after them */
	o = plugin_out_new("WAN");
	ck_assert_int_eq(plugin_out_perf(o, "x", 9, "", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "c", 3, "s", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "a", 1, "c", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf_canon(o, labels, 3), 0);
	ck_assert_int_eq(plugin_out_perf(o, "time", 0.5, "s", NULL, NULL,
	    NULL), 0);
	ck_assert_str_eq(perf_of(o), "a=1c;;;; b=U;;;0; c=3s;;;; x=9;;;; "
	    "time=0.5s;;;;\n");
	plugin_out_free(o);
}
END_TEST

START_TEST(test_perf_format)
{
	struct plugin_out *o = plugin_out_new("WAN");
	struct plugin_thresholds t = thr("10", "20");
	double mn = 0, mx = 100;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(plugin_out_perf(o, "my label", 5, "s", &t, &mn, NULL),
	    0);
	ck_assert_str_eq(perf_of(o), "'my label'=5s;10;20;0;\n");
	plugin_out_free(o);

	o = plugin_out_new("WAN");
	ck_assert_int_eq(plugin_out_perf(o, "plain", 1, NULL, NULL, NULL,
	    NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "pct", 0.5, "%", NULL, &mn, &mx),
	    0);
	t = thr("10:", "@0:5");
	ck_assert_int_eq(plugin_out_perf(o, "up_time-1.x", 3600, "c", &t, NULL,
	    NULL), 0);
	t = thr(NULL, "~:1e3");
	ck_assert_int_eq(plugin_out_perf(o, "rtt", 0.0125, "ms", &t, NULL,
	    &mx), 0);
	ck_assert_str_eq(perf_of(o), "plain=1;;;; pct=0.5%;;;0;100 "
	    "up_time-1.x=3600c;10:;@5;; rtt=0.0125ms;;~:1000;;100\n");
	plugin_out_free(o);
}
END_TEST

START_TEST(test_perf_label_cleaning)
{
	struct plugin_out *o = plugin_out_new("X");
	char lng[300];
	const char *p;

	ck_assert_int_eq(plugin_out_perf(o, "a=b'c\"d", 1, "", NULL, NULL,
	    NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "in|out\r\n", 2, "", NULL, NULL,
	    NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "caf\xc3\xa9\xff", 3, "", NULL,
	    NULL, NULL), 0);
	ck_assert_str_eq(perf_of(o),
	    "a_b_c_d=1;;;; 'in!out'=2;;;; 'caf\xc3\xa9?'=3;;;;\n");
	plugin_out_free(o);

	/* Long labels are bounded and stay unique. */
	o = plugin_out_new("X");
	memset(lng, 'L', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	ck_assert_int_eq(plugin_out_perf(o, lng, 1, "", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, lng, 2, "", NULL, NULL, NULL), 0);
	p = perf_of(o);
	ck_assert_int_eq(strspn(p, "L"), PLUGIN_LABEL_MAX - 1);
	ck_assert_int_eq(strncmp(p + PLUGIN_LABEL_MAX - 1, "=1;;;; L", 8), 0);
	plugin_out_free(o);
}
END_TEST

START_TEST(test_perf_long_label_unique)
{
	struct plugin_out *o = plugin_out_new("X");
	char lng[300], want[PLUGIN_TEXT_MAX];
	int n;

	memset(lng, 'L', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	ck_assert_int_eq(plugin_out_perf(o, lng, 1, "", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, lng, 2, "", NULL, NULL, NULL), 0);
	n = snprintf(want, sizeof(want), "%.*s=1;;;; %.*s_2=2;;;;\n",
	    PLUGIN_LABEL_MAX - 1, lng, PLUGIN_LABEL_MAX - 3, lng);
	ck_assert(n > 0 && (size_t)n < sizeof(want));
	ck_assert_str_eq(perf_of(o), want);
	plugin_out_free(o);
}
END_TEST

START_TEST(test_perf_unique)
{
	struct plugin_out *o = plugin_out_new("X");

	ck_assert_int_eq(plugin_out_perf(o, "x", 1, "", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "x", 2, "", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "x", 3, "", NULL, NULL, NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "x_2", 4, "", NULL, NULL, NULL),
	    0);
	ck_assert_int_eq(plugin_out_perf(o, "X", 5, "", NULL, NULL, NULL), 0);
	/* Labels that clean to the same text are duplicates too. */
	ck_assert_int_eq(plugin_out_perf(o, "my label", 6, "", NULL, NULL,
	    NULL), 0);
	ck_assert_int_eq(plugin_out_perf(o, "my\nlabel", 7, "", NULL, NULL,
	    NULL), 0);
	ck_assert_str_eq(perf_of(o), "x=1;;;; x_2=2;;;; x_3=3;;;; "
	    "x_2_2=4;;;; X=5;;;; 'my label'=6;;;; 'my label_2'=7;;;;\n");
	plugin_out_free(o);
}
END_TEST

START_TEST(test_perf_rejects)
{
	struct plugin_out *o = plugin_out_new("X");
	double bad = NAN;
	int i;

	ck_assert_int_eq(plugin_out_perf(o, "a", 1, "sec", NULL, NULL, NULL),
	    -1);
	ck_assert_int_eq(plugin_out_perf(o, "a", 1, "kb", NULL, NULL, NULL),
	    -1);
	ck_assert_int_eq(plugin_out_perf(o, "a", NAN, "", NULL, NULL, NULL),
	    -1);
	ck_assert_int_eq(plugin_out_perf(o, "a", INFINITY, "", NULL, NULL,
	    NULL), -1);
	ck_assert_int_eq(plugin_out_perf(o, "a", 1, "", NULL, &bad, NULL), -1);
	ck_assert_int_eq(plugin_out_perf(o, "", 1, "", NULL, NULL, NULL), -1);
	ck_assert_int_eq(plugin_out_perf(o, " \n ", 1, "", NULL, NULL, NULL),
	    -1);
	ck_assert_int_eq(plugin_out_perf(o, NULL, 1, "", NULL, NULL, NULL),
	    -1);
	/* A range not made by plugin_range_parse() cannot break the line. */
	{
		struct plugin_thresholds t = thr("10", NULL);

		memcpy(t.warn.text, "1;2 | x", 8);
		ck_assert_int_eq(plugin_out_perf(o, "a", 1, "", &t, NULL,
		    NULL), -1);
		memset(t.warn.text, '1', sizeof(t.warn.text));
		ck_assert_int_eq(plugin_out_perf(o, "a", 1, "", &t, NULL,
		    NULL), -1);
		t.has_warn = 0;	/* unset: its text is not looked at */
		ck_assert_int_eq(plugin_out_perf(o, "ok", 1, "", &t, NULL,
		    NULL), 0);
	}
	ck_assert_str_eq(render(o), "IGD X OK - OK | ok=1;;;;\n");
	plugin_out_free(o);
	o = plugin_out_new("X");
	/* Nothing was added. */
	ck_assert_str_eq(render(o), "IGD X OK - OK\n");

	for (i = 0; i < PLUGIN_MAX_PERF; i++)
		ck_assert_int_eq(plugin_out_perf(o, "p", i, "", NULL, NULL,
		    NULL), 0);
	/* a value no kept item has (they are 0 .. PLUGIN_MAX_PERF - 1) */
	ck_assert_int_eq(plugin_out_perf(o, "p", 100000, "", NULL, NULL,
	    NULL), -1);
	ck_assert_ptr_null(strstr(render(o), "=100000;"));
	plugin_out_free(o);
}
END_TEST

/* ---- verdict ---- */

START_TEST(test_render_basic)
{
	struct plugin_out *o = plugin_out_new("PRESENT");
	char buf[PLUGIN_TEXT_MAX];
	size_t olen = 0;

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(render(o), "IGD PRESENT OK - OK\n");
	plugin_out_summary(o, "%d IGD found at %s", 1, "192.0.2.1");
	ck_assert_int_eq(plugin_out_render(o, buf, sizeof(buf), &olen),
	    PLUGIN_OK);
	ck_assert_str_eq(buf, "IGD PRESENT OK - 1 IGD found at 192.0.2.1\n");
	ck_assert_uint_eq(olen, strlen(buf));
	plugin_out_summary(o, "replaced");
	ck_assert_str_eq(render(o), "IGD PRESENT OK - replaced\n");
	plugin_out_free(o);

	o = plugin_out_new("WAN");
	plugin_out_raise(o, PLUGIN_WARNING);
	ck_assert_str_eq(render(o), "IGD WAN WARNING - WARNING\n");
	plugin_out_raise(o, PLUGIN_UNKNOWN);
	ck_assert_int_eq(plugin_out_state(o), PLUGIN_WARNING);
	plugin_out_raise(o, PLUGIN_CRITICAL);
	ck_assert_int_eq(plugin_out_state(o), PLUGIN_CRITICAL);
	plugin_out_set_state(o, PLUGIN_UNKNOWN);
	ck_assert_int_eq(plugin_out_state(o), PLUGIN_UNKNOWN);
	ck_assert_int_eq(plugin_out_render(o, buf, sizeof(buf), &olen),
	    PLUGIN_UNKNOWN);
	ck_assert_str_eq(buf, "IGD WAN UNKNOWN - UNKNOWN\n");
	plugin_out_free(o);
	plugin_out_free(NULL);
}
END_TEST

START_TEST(test_render_perf_first_line)
{
	struct plugin_out *o = plugin_out_new("WAN");

	plugin_out_summary(o, "link up");
	plugin_out_perf(o, "rx", 10, "B", NULL, NULL, NULL);
	plugin_out_perf(o, "tx", 20, "B", NULL, NULL, NULL);
	ck_assert_str_eq(render(o),
	    "IGD WAN OK - link up | rx=10B;;;; tx=20B;;;;\n");
	plugin_out_free(o);
}
END_TEST

/* Past PLUGIN_MAX_LINES, a worse line takes the place of a milder one:
 * the cap never hides a finding worse than one it shows (issue 8.6). */
START_TEST(test_cap_keeps_worst)
{
	struct plugin_out *o = plugin_out_new("PORTMAP");
	const char *out, *crit, *last_warn;

	for (int i = 0; i < 100; i++)
		plugin_out_sub(o, PLUGIN_WARNING, "warning %d", i);
	plugin_out_info(o, "plain");
	plugin_out_sub(o, PLUGIN_UNKNOWN, "unknown");
	plugin_out_sub(o, PLUGIN_CRITICAL, "critical");
	out = render(o);
	crit = strstr(out, "\n[CRITICAL] critical\n");
	ck_assert_ptr_nonnull(crit);
	ck_assert_ptr_eq(crit, strchr(out, '\n'));	/* the first long line */
	ck_assert_ptr_nonnull(strstr(out, "[WARNING] warning 0\n"));
	ck_assert_ptr_null(strstr(out, "[UNKNOWN] unknown"));
	ck_assert_ptr_null(strstr(out, "plain"));
	ck_assert_ptr_null(strstr(out, "[WARNING] warning 99\n"));
	last_warn = strstr(out, "[WARNING] warning 62\n");
	ck_assert_ptr_nonnull(last_warn);
	ck_assert_ptr_nonnull(strstr(out, "\n... 39 more lines"));
	plugin_out_free(o);
}
END_TEST

/* The summary names the worst finding, then the others by state. */
START_TEST(test_summary_worst)
{
	struct plugin_out *o = plugin_out_new("PORTMAP");

	plugin_out_summary_worst(o, "%d mappings", 3);
	ck_assert_str_eq(render(o), "IGD PORTMAP OK - 3 mappings\n");
	plugin_out_sub(o, PLUGIN_OK, "fine");
	plugin_out_sub(o, PLUGIN_UNKNOWN, "u1");
	plugin_out_sub(o, PLUGIN_WARNING, "w1");
	plugin_out_sub(o, PLUGIN_WARNING, "w2");
	plugin_out_summary_worst(o, "%d mappings", 3);
	ck_assert_ptr_nonnull(strstr(render(o), "IGD PORTMAP WARNING - w1 "
	    "(+1 warning, 1 unknown; 3 mappings)\n"));
	plugin_out_sub(o, PLUGIN_CRITICAL, "c1 | x");
	plugin_out_sub(o, PLUGIN_CRITICAL, "c2");
	plugin_out_summary_worst(o, "%s", "");
	ck_assert_ptr_nonnull(strstr(render(o), "IGD PORTMAP CRITICAL - c1 ! x "
	    "(+1 critical, 2 warning, 1 unknown)\n"));
	/* a verdict set apart from the findings keeps the given text */
	plugin_out_set_state(o, PLUGIN_UNKNOWN);
	plugin_out_summary_worst(o, "table incomplete");
	ck_assert_ptr_nonnull(strstr(render(o), "IGD PORTMAP UNKNOWN - table "
	    "incomplete\n"));
	plugin_out_free(o);
}
END_TEST

START_TEST(test_render_long_output)
{
	struct plugin_out *o = plugin_out_new("PORTMAP");
	const char *out;

	plugin_out_summary(o, "2 problems");
	plugin_out_info(o, "device: %s", "FRITZ!Box 7590");
	plugin_out_sub(o, PLUGIN_OK, "%d mappings", 4);
	plugin_out_perf(o, "mappings", 4, "", NULL, NULL, NULL);
	plugin_out_sub(o, PLUGIN_WARNING, "port %u open", 22u);
	plugin_out_sub(o, PLUGIN_CRITICAL, "port %u open", 3389u);
	plugin_out_perf(o, "open", 2, "", NULL, NULL, NULL);
	plugin_out_sub(o, PLUGIN_UNKNOWN, "lease unknown");
	ck_assert_int_eq(plugin_out_state(o), PLUGIN_CRITICAL);
	out = render(o);
	/* worst first: CRITICAL, WARNING, UNKNOWN, then the rest in order */
	ck_assert_str_eq(out,
	    "IGD PORTMAP CRITICAL - 2 problems\n"
	    "[CRITICAL] port 3389 open\n"
	    "[WARNING] port 22 open\n"
	    "[UNKNOWN] lease unknown\n"
	    "device: FRITZ!Box 7590\n"
	    "[OK] 4 mappings | mappings=4;;;; open=2;;;;\n");
	plugin_out_free(o);

	/* A subcheck without perfdata: no '|' at all. */
	o = plugin_out_new("PORTMAP");
	plugin_out_sub(o, PLUGIN_WARNING, "one");
	out = render(o);
	ck_assert_str_eq(out, "IGD PORTMAP WARNING - WARNING\n[WARNING] one\n");
	plugin_out_free(o);
}
END_TEST

START_TEST(test_render_injection)
{
	struct plugin_out *o = plugin_out_new("WAN");
	const char *out;

	plugin_out_summary(o, "ok\n| x=1");
	out = render(o);
	ck_assert_str_eq(out, "IGD WAN OK - ok ! x=1\n");
	ck_assert_uint_eq(count_char(out, '\n'), 1);

	plugin_out_summary(o, "%s", "ok\r\nIGD WAN CRITICAL - fake|y=2\x1b[2J");
	plugin_out_info(o, "model %s", "evil\n|z=3\n");
	plugin_out_sub(o, PLUGIN_OK, "%s", "name|w=4");
	plugin_out_perf(o, "real", 1, "", NULL, NULL, NULL);
	out = render(o);
	ck_assert_str_eq(out,
	    "IGD WAN OK - ok IGD WAN CRITICAL - fake!y=2 [2J\n"
	    "model evil !z=3\n"
	    "[OK] name!w=4 | real=1;;;;\n");
	plugin_out_free(o);

	/* An evil check name is cleaned too. */
	o = plugin_out_new("A|B\nC");
	ck_assert_str_eq(render(o), "IGD A!B C OK - OK\n");
	plugin_out_free(o);
}
END_TEST

START_TEST(test_render_long_summary)
{
	struct plugin_out *o = plugin_out_new("WAN");
	char big[5001];
	const char *out;
	size_t len;

	memset(big, 's', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	plugin_out_summary(o, "%s", big);
	plugin_out_sub(o, PLUGIN_OK, "%s", big);
	plugin_out_perf(o, "v", 1, "", NULL, NULL, NULL);
	out = render(o);
	len = (size_t)(strchr(out, '\n') - out);
	ck_assert_uint_eq(len, PLUGIN_LINE_MAX - 1);
	ck_assert_int_eq(strncmp(out, "IGD WAN OK - sss", 16), 0);
	ck_assert_int_eq(strncmp(out + len - 3, "...", 3), 0);
	/* The long-output line is bounded the same way. */
	ck_assert_uint_eq(strlen(strchr(out, '\n') + 1),
	    PLUGIN_LINE_MAX - 1 + strlen(" | v=1;;;;\n"));
	ck_assert_ptr_nonnull(strstr(out, "s... | v=1;;;;\n"));
	plugin_out_free(o);
}
END_TEST

START_TEST(test_render_too_many_lines)
{
	struct plugin_out *o = plugin_out_new("PORTMAP");
	const char *out;
	char want[64];
	int i;

	plugin_out_summary(o, "many");
	for (i = 0; i < 100; i++)
		plugin_out_sub(o, PLUGIN_OK, "mapping %03d %s", i,
		    "tcp 192.0.2.10:8080 -> 198.51.100.7:80 lease 3600 s "
		    "description some text here");
	for (i = 0; i < 5; i++)
		plugin_out_perf(o, "m", i, "", NULL, NULL, NULL);
	out = render(o);
	/* Lines dropped, the first ones kept in order, a note, then all
	 * five perfdata items after the single '|'. */
	ck_assert_int_eq(strncmp(out, "IGD PORTMAP OK - many\n[OK] mapping 000",
	    38), 0);
	ck_assert_ptr_nonnull(strstr(out, "\n[OK] mapping 001 "));
	ck_assert_ptr_null(strstr(out, "mapping 099"));
	ck_assert_ptr_nonnull(strstr(out,
	    " | m=0;;;; m_2=1;;;; m_3=2;;;; m_4=3;;;; m_5=4;;;;\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n... "));
	/* The note counts exactly the lines not shown. */
	i = (int)count_char(out, '\n') - 2;	/* status and note lines */
	ck_assert_int_gt(i, 10);
	ck_assert_int_lt(i, 64);
	ck_assert(snprintf(want, sizeof(want), "\n... %d more lines |",
	    100 - i) > 0);
	ck_assert_ptr_nonnull(strstr(out, want));
	plugin_out_free(o);
}
END_TEST

/* PLUGIN_MAX_PERF long perfdata items, far more than the text holds. */
static void
perf_fill(struct plugin_out *o)
{
	char label[80];

	for (int i = 0; i < PLUGIN_MAX_PERF; i++) {
		ck_assert(snprintf(label, sizeof(label),
		    "a rather long perfdata label number %02d padding", i) > 0);
		ck_assert_int_eq(plugin_out_perf(o, label, 123456.5, "B",
		    NULL, NULL, NULL), 0);
	}
}

START_TEST(test_render_drops_perf_last)
{
	struct plugin_out *o = plugin_out_new("WAN");
	char label[80];
	const char *out, *p;
	int items = 0;

	plugin_out_summary(o, "lots of perfdata");
	plugin_out_sub(o, PLUGIN_OK, "a line that must go first");
	perf_fill(o);
	out = render(o);
	/* The long-output line went (a note replaces it), then items from
	 * the end; every item left is whole. */
	ck_assert_ptr_null(strstr(out, "must go first"));
	p = "IGD WAN OK - lots of perfdata\n"
	    "... 1 more line | 'a rather long perfdata label number 00";
	ck_assert_int_eq(strncmp(out, p, strlen(p)), 0);
	for (p = strchr(out, '|') + 1; (p = strstr(p, " 'a rather")) != NULL;
	    p++) {
		ck_assert(snprintf(label, sizeof(label),
		    " 'a rather long perfdata label number %02d padding'="
		    "123456.5B;;;;", items) > 0);
		ck_assert_int_eq(strncmp(p, label, strlen(label)), 0);
		items++;
	}
	ck_assert_int_gt(items, 10);
	ck_assert_int_lt(items, PLUGIN_MAX_PERF);
	plugin_out_free(o);
}
END_TEST

/* More perfdata than fits beside a CRITICAL and a WARNING finding: the
 * OK line goes, then perfdata items, never the findings (attacker review
 * F3: a check_igd_wan of 8 WANs lost its finding lines to 128 labels). */
START_TEST(test_render_findings_before_perf)
{
	struct plugin_out *o = plugin_out_new("WAN");
	const char *out;

	plugin_out_summary(o, "lots of perfdata");
	plugin_out_sub(o, PLUGIN_OK, "an OK line that goes first");
	plugin_out_sub(o, PLUGIN_WARNING, "WAN7: link speed low");
	plugin_out_sub(o, PLUGIN_CRITICAL, "WAN8: link Down");
	perf_fill(o);
	out = render(o);
	ck_assert_ptr_null(strstr(out, "goes first"));
	ck_assert_ptr_nonnull(strstr(out, "\n[CRITICAL] WAN8: link Down\n"
	    "[WARNING] WAN7: link speed low\n... 1 more line | "));
	ck_assert_ptr_nonnull(strstr(out, "label number 00"));
	plugin_out_free(o);
}
END_TEST

START_TEST(test_render_small_buffers)
{
	struct plugin_out *o = plugin_out_new("WAN");
	char buf[PLUGIN_TEXT_MAX];
	const char *status = "IGD WAN CRITICAL - caf\xc3\xa9 down";
	size_t len, olen, sl = strlen(status);

	plugin_out_summary(o, "caf\xc3\xa9 down");
	plugin_out_sub(o, PLUGIN_CRITICAL, "link down since %d s", 30);
	plugin_out_perf(o, "uptime", 30, "s", NULL, NULL, NULL);
	/* Every buffer size: well-formed, the status line whole as soon
	 * as it fits, a prefix of it before. */
	for (len = 2; len < 200; len++) {
		memset(buf, 'x', sizeof(buf));
		ck_assert_int_eq(plugin_out_render(o, buf, len, &olen),
		    PLUGIN_CRITICAL);
		ck_assert_uint_lt(olen, len);
		ck_assert_int_eq(buf[olen], '\0');
		ck_assert_int_eq(buf[len], 'x');
		assert_well_formed(buf, olen);
		if (len > sl + 1) {
			ck_assert_int_eq(strncmp(buf, status, sl), 0);
			/* then a long-output line, a note or " | perf" */
			ck_assert(buf[sl] == '\n' || buf[sl] == ' ');
		} else {
			ck_assert_int_eq(strncmp(buf, status, olen - 1), 0);
		}
	}
	ck_assert_str_eq(buf, "IGD WAN CRITICAL - caf\xc3\xa9 down\n"
	    "[CRITICAL] link down since 30 s | uptime=30s;;;;\n");

	/* A cut never splits the multibyte character. */
	ck_assert_int_eq(plugin_out_render(o, buf, 25, &olen), PLUGIN_CRITICAL);
	ck_assert_str_eq(buf, "IGD WAN CRITICAL - caf\n");
	ck_assert_int_eq(plugin_out_render(o, buf, 1, &olen), PLUGIN_CRITICAL);
	ck_assert_uint_eq(olen, 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(plugin_out_render(o, NULL, 0, &olen), PLUGIN_CRITICAL);
	plugin_out_free(o);

	ck_assert_int_eq(plugin_out_render(NULL, buf, sizeof(buf), &olen),
	    PLUGIN_UNKNOWN);
	assert_well_formed(buf, olen);
	ck_assert_int_eq(strncmp(buf, "IGD UNKNOWN", 11), 0);
}
END_TEST

START_TEST(test_render_total_bound)
{
	struct plugin_out *o = plugin_out_new("WAN");
	char big[PLUGIN_TEXT_MAX * 3];
	size_t olen;
	char line[600];
	int i;

	memset(line, 'z', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	plugin_out_summary(o, "%s", line);
	for (i = 0; i < 200; i++)
		plugin_out_info(o, "%s", line);
	for (i = 0; i < 100; i++)
		plugin_out_perf(o, line, i, "", NULL, NULL, NULL);
	/* A buffer bigger than PLUGIN_TEXT_MAX is not filled beyond it. */
	plugin_out_render(o, big, sizeof(big), &olen);
	assert_well_formed(big, olen);
	ck_assert_uint_gt(olen, PLUGIN_TEXT_MAX - PLUGIN_LINE_MAX);
	ck_assert_uint_eq(count_char(big, '|'), 1);
	plugin_out_free(o);
}
END_TEST

static Suite *plugin_suite(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc;

	tc = tcase_create("states");
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_state_worst);
	suite_add_tcase(s, tc);

	tc = tcase_create("ranges");
	tcase_add_loop_test(tc, test_range_alert_table, 0,
	    (int)(sizeof(range_cases) / sizeof(range_cases[0])));
	tcase_add_test(tc, test_range_fields);
	tcase_add_test(tc, test_range_text);
	tcase_add_test(tc, test_range_malformed);
	tcase_add_test(tc, test_range_nan_value);
	tcase_add_test(tc, test_thresholds);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_format_number);
	tcase_add_test(tc, test_locale_comma);
	tcase_add_test(tc, test_locale_c_utf8);
	suite_add_tcase(s, tc);

	tc = tcase_create("sanitize");
	tcase_add_test(tc, test_sanitize_exact);
	tcase_add_test(tc, test_sanitize_invalid_utf8);
	tcase_add_test(tc, test_sanitize_bounds);
	tcase_add_test(tc, test_sanitize_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("perfdata");
	tcase_add_test(tc, test_perf_format);
	tcase_add_test(tc, test_perf_label_cleaning);
	tcase_add_test(tc, test_perf_long_label_unique);
	tcase_add_test(tc, test_perf_unique);
	tcase_add_test(tc, test_perf_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, test_render_basic);
	tcase_add_test(tc, test_render_perf_first_line);
	tcase_add_test(tc, test_render_long_output);
	tcase_add_test(tc, test_cap_keeps_worst);
	tcase_add_test(tc, test_summary_worst);
	tcase_add_test(tc, test_render_injection);
	tcase_add_test(tc, test_render_long_summary);
	tcase_add_test(tc, test_render_too_many_lines);
	tcase_add_test(tc, test_render_drops_perf_last);
	tcase_add_test(tc, test_render_findings_before_perf);
	tcase_add_test(tc, test_render_small_buffers);
	tcase_add_test(tc, test_render_total_bound);
	tcase_add_test(tc, test_perf_u_and_canon);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plugin_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
