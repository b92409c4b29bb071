/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz plugin_range_parse(), plugin_sanitize() and plugin_format_number().
 *
 * Input: two control bytes (sanitize output size and maxchars), then the
 * payload.  The payload's first line is parsed as a range, the whole payload
 * is sanitised and its first 8 bytes are formatted as a double.
 */
#include <math.h>
#include <stdio.h>

#include "fuzz_common.h"
#include "plugin.h"

/* abort() unless s (n bytes) is valid UTF-8 holding no '|', no control
 * character (C0, DEL, C1, U+2028/9) and no run of spaces; returns the number
 * of characters. */
static size_t
check_clean(const unsigned char *s, size_t n)
{
	size_t i = 0, chars = 0;

	while (i < n) {
		unsigned char b = s[i];
		unsigned long cp;
		size_t l;

		if (b < 0x80) {
			cp = b;
			l = 1;
		} else if (b >= 0xc2 && b <= 0xdf) {
			cp = b & 0x1f;
			l = 2;
		} else if (b >= 0xe0 && b <= 0xef) {
			cp = b & 0x0f;
			l = 3;
		} else if (b >= 0xf0 && b <= 0xf4) {
			cp = b & 0x07;
			l = 4;
		} else {
			FUZZ_ASSERT(!"invalid UTF-8 lead byte");
		}
		FUZZ_ASSERT(i + l <= n);
		for (size_t k = 1; k < l; k++) {
			FUZZ_ASSERT((s[i + k] & 0xc0) == 0x80);
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* no overlong forms, surrogates or values past U+10FFFF */
		FUZZ_ASSERT(l == 1 || (l == 2 && cp >= 0x80) ||
		    (l == 3 && cp >= 0x800) || (l == 4 && cp >= 0x10000));
		FUZZ_ASSERT(!(cp >= 0xd800 && cp <= 0xdfff) && cp <= 0x10ffff);
		FUZZ_ASSERT(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f));
		FUZZ_ASSERT(cp != 0x2028 && cp != 0x2029 && cp != '|');
		if (cp == ' ')
			FUZZ_ASSERT(i + 1 < n && s[i + 1] != ' ');
		i += l;
		chars++;
	}
	return chars;
}

static void
check_number(double v, size_t len)
{
	char *buf = malloc(len ? len : 1);
	int rc;

	if (buf == NULL)
		abort();
	rc = plugin_format_number(v, buf, len);
	if (!isfinite(v))
		FUZZ_ASSERT(rc == -1);
	if (rc == 0) {
		char *end;
		double back;
		size_t n = strlen(buf);

		FUZZ_ASSERT(n > 0 && n < len);
		FUZZ_ASSERT(strspn(buf, "0123456789.-+e") == n);
		if (fabs(v) < 1e15)
			FUZZ_ASSERT(strchr(buf, 'e') == NULL);
		FUZZ_ASSERT(strcmp(buf, "-0") != 0);
		back = strtod(buf, &end);
		FUZZ_ASSERT(*end == '\0');
		/* 6 significant decimals, more for small values */
		FUZZ_ASSERT(fabs(back - v) <= fabs(v) * 1e-5 + 1e-19);
	} else if (isfinite(v) && len >= 64) {
		FUZZ_ASSERT(!"a finite value always fits 64 bytes");
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plugin_range r;
	size_t outlen, maxchars, len, n, chars;
	const char *p;
	char *s, *nl, *out;

	if (size < 2)
		return 0;
	outlen = data[0] < 0x80 ? 4096 : (size_t)(data[0] & 0x7f);
	maxchars = data[1] < 0x80 ? (size_t)data[1] : 100000;
	p = (const char *)data + 2;
	len = size - 2;

	/* plugin_sanitize(): in holds len bytes, no NUL */
	out = malloc(outlen ? outlen : 1);
	if (out == NULL)
		abort();
	n = plugin_sanitize(out, outlen, p, len, maxchars);
	if (outlen == 0) {
		FUZZ_ASSERT(n == 0);
	} else {
		FUZZ_ASSERT(n < outlen);
		FUZZ_ASSERT(out[n] == '\0' && strlen(out) == n);
		chars = check_clean((const unsigned char *)out, n);
		FUZZ_ASSERT(chars <= maxchars);
	}
	free(out);

	/* plugin_range_parse(): the first line as a string */
	s = fuzz_strdup((const uint8_t *)p, len);
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	memset(&r, 0x5a, sizeof(r));
	if (plugin_range_parse(s, &r) == 0) {
		struct plugin_range r2;

		FUZZ_CHECK_FIELD(r.text);
		FUZZ_ASSERT(!isnan(r.start) && !isnan(r.end));
		if (!r.start_infinite && !r.end_infinite)
			FUZZ_ASSERT(r.start <= r.end);
		/* the normalised text (it goes into perfdata) is itself a
		 * valid range of the same shape */
		FUZZ_ASSERT(plugin_range_parse(r.text, &r2) == 0);
		FUZZ_ASSERT(r.inside == r2.inside &&
		    r.start_infinite == r2.start_infinite &&
		    r.end_infinite == r2.end_infinite);
		(void)plugin_range_alert(&r, r.start);
		(void)plugin_range_alert(&r, r.end);
		(void)plugin_range_alert(&r, NAN);
	}
	free(s);

	/* plugin_format_number(): the first 8 bytes as a double */
	if (len >= 8) {
		double v;

		memcpy(&v, p, sizeof(v));
		check_number(v, 64);
		check_number(v, (size_t)(data[0] & 0x3f));
	}
	return 0;
}
