/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/json.c: the string escaper against fixture pairs
 * (tests/fixtures/json/NAME.in, raw bytes, and NAME.out, the expected
 * quoted string, written by an independent reference escaper), every
 * one- and two-byte input and random longer ones checked by a strict
 * validator, the writer's commas, nesting, misuse, growth, overflow, the
 * embedding of an unfinished value, and numbers in a comma locale.
 */
#include <check.h>
#include <dirent.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define DIR_JSON FIXTURES "/json"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Length of a valid UTF-8 sequence (strict, RFC 3629) at s, or 0. */
static size_t
valid_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return k;
}

/* 1 when s (n bytes) is exactly one JSON string as RFC 8259 reads it:
 * quoted, valid UTF-8, no raw control byte, only valid escapes. */
static int
strict_string(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 1;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return 0;
	while (i < n - 1) {
		size_t k;

		if (s[i] < 0x20 || s[i] == '"')
			return 0;
		if (s[i] == '\\') {
			if (i + 1 >= n - 1)
				return 0;
			if (strchr("\"\\/bfnrt", s[i + 1]) != NULL &&
			    s[i + 1] != '\0') {
				i += 2;
				continue;
			}
			if (s[i + 1] != 'u' || i + 6 > n - 1)
				return 0;
			for (int h = 2; h < 6; h++)
				if (strchr("0123456789abcdefABCDEF", s[i + h]) ==
				    NULL || s[i + h] == '\0')
					return 0;
			i += 6;
			continue;
		}
		if ((k = valid_seq(s + i, n - 1 - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Quote in (n bytes) into a fresh buffer; *olen its length. */
static char *
quote(const char *in, size_t n, size_t *olen)
{
	size_t cap = json_quoted_len(in, n) + 1, len = 0;
	char *b = malloc(cap);

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(json_quote(b, cap, &len, in, n), 0);
	ck_assert_uint_eq(len, cap - 1);
	ck_assert_uint_eq(strlen(b), len);
	*olen = len;
	return b;
}

START_TEST(fixtures)
{
	DIR *d = opendir(DIR_JSON);
	struct dirent *e;
	int seen = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		size_t nl = strlen(e->d_name), in_len, exp_len, olen;
		char *in, *exp, *out;

		if (nl < 4 || strcmp(e->d_name + nl - 3, ".in") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", DIR_JSON, e->d_name);
		in = slurp(path, &in_len);
		snprintf(path, sizeof(path), "%s/%.*s.out", DIR_JSON,
		    (int)(nl - 3), e->d_name);
		exp = slurp(path, &exp_len);
		ck_assert_msg(exp_len > 0 && exp[exp_len - 1] == '\n', "%s", path);
		exp[--exp_len] = '\0';
		out = quote(in, in_len, &olen);
		ck_assert_msg(olen == exp_len && memcmp(out, exp, olen) == 0,
		    "%s: got %s", e->d_name, out);
		ck_assert_msg(strict_string(out, olen), "%s", e->d_name);
		free(in);
		free(exp);
		free(out);
		seen++;
	}
	closedir(d);
	ck_assert_int_ge(seen, 14);
}
END_TEST

/* Every one- and two-byte input, and random inputs up to 64 bytes. */
START_TEST(any_bytes)
{
	unsigned char in[64];
	size_t olen;
	char *out;

	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 257; b++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			out = quote((const char *)in, b < 256 ? 2 : 1, &olen);
			ck_assert_msg(strict_string(out, olen), "%02x %02x",
			    a, b);
			ck_assert_msg(memchr(out, '|', olen) == NULL,
			    "raw '|' in %02x %02x", a, b);
			free(out);
		}
	}
	srandom(20261126);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)random() % sizeof(in);

		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)random();
		out = quote((const char *)in, n, &olen);
		ck_assert_msg(strict_string(out, olen), "round %d", round);
		free(out);
	}
}
END_TEST

START_TEST(nul_inside)
{
	char buf[32];
	struct json j;

	json_init(&j, buf, sizeof(buf));
	json_strn(&j, "a\0b", 3);
	ck_assert_int_eq(json_done(&j), 0);
	ck_assert_str_eq(buf, "\"a\\u0000b\"");
}
END_TEST

START_TEST(quote_no_room)
{
	char buf[8] = "xy";
	size_t len = 2;

	/* "abcd" quoted is 6 bytes: with the NUL, 2 + 6 + 1 > 8 */
	ck_assert_int_eq(json_quote(buf, sizeof(buf), &len, "abcd", 4), -1);
	ck_assert_uint_eq(len, 2);
	ck_assert_str_eq(buf, "xy");
	ck_assert_int_eq(json_quote(buf, sizeof(buf), &len, "abc", 3), 0);
	ck_assert_str_eq(buf, "xy\"abc\"");
}
END_TEST

START_TEST(document)
{
	char buf[512];
	struct json j;

	json_init(&j, buf, sizeof(buf));
	json_obj_begin(&j);
	json_kstr(&j, "check", "PORTMAP");
	json_kint(&j, "state", 2);
	json_key(&j, "list");
	json_arr_begin(&j);
	json_int(&j, -1);
	json_uint(&j, UINT64_MAX);
	json_num(&j, 0.5);
	json_num(&j, NAN);
	json_str(&j, NULL);
	json_bool(&j, 1);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_arr_end(&j);
	json_kbool(&j, "complete", 0);
	json_knum(&j, "time", 1e-7);
	json_obj_end(&j);
	ck_assert_int_eq(json_done(&j), 0);
	ck_assert_str_eq(buf, "{\"check\":\"PORTMAP\",\"state\":2,\"list\":"
	    "[-1,18446744073709551615,0.5,null,null,true,{},[]],"
	    "\"complete\":false,\"time\":0.0000001}");
	ck_assert_uint_eq(j.len, strlen(buf));
}
END_TEST

/* Misplaced calls mark the text unusable rather than write bad JSON. */
START_TEST(misuse)
{
	char buf[256];
	struct json j;

	json_init(&j, buf, sizeof(buf));
	json_obj_begin(&j);
	json_int(&j, 1);		/* a member without a key */
	ck_assert_int_eq(json_done(&j), -1);

	json_init(&j, buf, sizeof(buf));
	json_arr_begin(&j);
	json_key(&j, "k");		/* a key in an array */
	ck_assert_int_eq(json_done(&j), -1);

	json_init(&j, buf, sizeof(buf));
	json_obj_begin(&j);
	json_arr_end(&j);		/* the wrong closer */
	ck_assert_int_eq(json_done(&j), -1);

	json_init(&j, buf, sizeof(buf));
	json_int(&j, 1);
	json_int(&j, 2);		/* a second document */
	ck_assert_int_eq(json_done(&j), -1);

	json_init(&j, buf, sizeof(buf));
	json_obj_begin(&j);
	json_key(&j, "k");
	json_obj_end(&j);		/* a key without a value */
	ck_assert_int_eq(json_done(&j), -1);

	json_init(&j, buf, sizeof(buf));
	json_obj_begin(&j);		/* left open */
	ck_assert_int_eq(json_done(&j), -1);

	json_init(&j, buf, sizeof(buf));
	ck_assert_int_eq(json_done(&j), -1);	/* nothing written */

	json_init(&j, buf, sizeof(buf));
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		json_arr_begin(&j);
	ck_assert_int_eq(j.overflow, 0);
	json_arr_begin(&j);		/* one level too deep */
	ck_assert_int_eq(j.overflow, 1);
}
END_TEST

START_TEST(fixed_overflow)
{
	char buf[16];
	struct json j;

	json_init(&j, buf, sizeof(buf));
	json_arr_begin(&j);
	json_str(&j, "this is longer than the buffer");
	json_arr_end(&j);
	ck_assert_int_eq(json_done(&j), -1);
	/* what was written before stays NUL-terminated */
	ck_assert_uint_eq(strlen(buf), j.len);
	ck_assert_uint_lt(j.len, sizeof(buf));

	buf[0] = 'x';
	json_init(&j, buf, 1);		/* no room, but still a string */
	ck_assert_int_eq(buf[0], '\0');
	json_int(&j, 1);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(json_done(&j), -1);
	json_init(&j, NULL, 100);
	json_int(&j, 1);
	ck_assert_int_eq(json_done(&j), -1);
}
END_TEST

START_TEST(grows_to_max)
{
	struct json j;
	size_t total;

	ck_assert_int_eq(json_init_alloc(&j, 1 << 20), 0);
	json_arr_begin(&j);
	for (int i = 0; i < 10000; i++)
		json_str(&j, "0123456789");
	json_arr_end(&j);
	ck_assert_int_eq(json_done(&j), 0);
	total = 2 + 10000 * 13 - 1;	/* 12 quoted, a comma each */
	ck_assert_uint_eq(j.len, total);
	ck_assert_uint_eq(strlen(j.buf), total);
	json_free(&j);

	ck_assert_int_eq(json_init_alloc(&j, 100), 0);
	json_arr_begin(&j);
	for (int i = 0; i < 20; i++)
		json_str(&j, "0123456789");
	json_arr_end(&j);
	ck_assert_int_eq(json_done(&j), -1);
	ck_assert_uint_lt(j.len, 100);
	json_free(&j);
	json_free(&j);			/* twice is harmless */
}
END_TEST

START_TEST(value_of_closes)
{
	char buf[256], fb[128];
	struct json j, f;

	json_init(&f, fb, sizeof(fb));
	json_obj_begin(&f);
	json_key(&f, "mappings");
	json_arr_begin(&f);
	json_obj_begin(&f);
	json_key(&f, "rule");		/* left without a value */

	json_init(&j, buf, sizeof(buf));
	json_obj_begin(&j);
	json_key(&j, "facts");
	json_value_of(&j, &f);
	json_key(&j, "none");
	json_value_of(&j, NULL);
	json_obj_end(&j);
	ck_assert_int_eq(json_done(&j), 0);
	ck_assert_str_eq(buf, "{\"facts\":{\"mappings\":[{\"rule\":null}]},"
	    "\"none\":null}");

	/* an overflowed value is null, never half a value */
	json_init(&f, fb, 4);
	json_str(&f, "too long for four bytes");
	json_init(&j, buf, sizeof(buf));
	json_value_of(&j, &f);
	ck_assert_int_eq(json_done(&j), 0);
	ck_assert_str_eq(buf, "null");
}
END_TEST

START_TEST(comma_locale)
{
	char buf[64];
	struct json j;

	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL &&
	    setlocale(LC_NUMERIC, "de_DE.utf8") == NULL) {
		if (getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0)
			ck_abort_msg("no de_DE locale under CI=true");
		return;
	}
	json_init(&j, buf, sizeof(buf));
	json_arr_begin(&j);
	json_num(&j, 1.25);
	json_num(&j, -0.001);
	json_arr_end(&j);
	setlocale(LC_NUMERIC, "C");
	ck_assert_str_eq(buf, "[1.25,-0.001]");
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fixtures);
	tcase_add_test(tc, any_bytes);
	tcase_add_test(tc, nul_inside);
	tcase_add_test(tc, quote_no_room);
	tcase_add_test(tc, document);
	tcase_add_test(tc, misuse);
	tcase_add_test(tc, fixed_overflow);
	tcase_add_test(tc, grows_to_max);
	tcase_add_test(tc, value_of_closes);
	tcase_add_test(tc, comma_locale);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
