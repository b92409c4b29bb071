/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz json_quote() and the json writer.
 *
 * Input: the whole input is quoted and the result must be one strict JSON
 * string (valid UTF-8, no raw control byte, valid escapes).  Then byte 0
 * picks the writer's buffer size and every following byte is one writer
 * call (its low 4 bits the call, the rest its argument); whatever the
 * sequence, the text stays NUL-terminated within the buffer, and a text
 * json_done() accepts has balanced brackets outside strings.
 */
#include "fuzz_common.h"
#include "json.h"

/* Length of a valid UTF-8 sequence at s (n left), 0 if invalid. */
static size_t
seq(const unsigned char *s, size_t n)
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

/* The end of the strict JSON string at s[i] (a '"'), past its closing
 * quote; abort() when it is not one. */
static size_t
string_end(const unsigned char *s, size_t n, size_t i)
{
	FUZZ_ASSERT(i < n && s[i] == '"');
	for (i++; i < n && s[i] != '"';) {
		size_t k;

		FUZZ_ASSERT(s[i] >= 0x20);
		if (s[i] == '\\') {
			FUZZ_ASSERT(i + 1 < n);
			if (s[i + 1] == 'u') {
				FUZZ_ASSERT(i + 5 < n);
				for (int h = 2; h < 6; h++)
					FUZZ_ASSERT(strchr("0123456789abcdef",
					    s[i + h]) != NULL && s[i + h]);
				i += 6;
			} else {
				FUZZ_ASSERT(s[i + 1] == '"' || s[i + 1] == '\\');
				i += 2;
			}
			continue;
		}
		k = seq(s + i, n - i);
		FUZZ_ASSERT(k > 0);
		i += k;
	}
	FUZZ_ASSERT(i < n);
	return i + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const words[] = { "", "k", "\xff\x01\"", "\xe2\x82" };
	size_t cap, len = 0, q = json_quoted_len((const char *)data, size);
	char *buf = malloc(q + 1);
	struct json j;
	int depth = 0;

	/* the escaper: exactly q bytes, one strict string */
	if (buf == NULL)
		abort();
	FUZZ_ASSERT(json_quote(buf, q + 1, &len, (const char *)data, size) == 0);
	FUZZ_ASSERT(len == q && buf[q] == '\0');
	FUZZ_ASSERT(string_end((const unsigned char *)buf, len, 0) == len);
	len = 0;
	FUZZ_ASSERT(json_quote(buf, q, &len, (const char *)data, size) == -1);
	FUZZ_ASSERT(len == 0);
	free(buf);

	/* the writer */
	if (size == 0)
		return 0;
	cap = (size_t)data[0] * 4 + 1;
	buf = malloc(cap);
	if (buf == NULL)
		abort();
	json_init(&j, buf, cap);
	for (size_t i = 1; i < size; i++) {
		unsigned a = data[i] >> 4;

		switch (data[i] & 0xf) {
		case 0: json_obj_begin(&j); break;
		case 1: json_obj_end(&j); break;
		case 2: json_arr_begin(&j); break;
		case 3: json_arr_end(&j); break;
		case 4: json_key(&j, words[a & 3]); break;
		case 5: json_str(&j, words[a & 3]); break;
		case 6: json_int(&j, -(int64_t)a * 1000003); break;
		case 7: json_num(&j, a == 15 ? 1e300 * 1e300 : a / 7.0); break;
		case 8: json_bool(&j, a & 1); break;
		case 9: json_null(&j); break;
		case 10: json_strn(&j, (const char *)data + i,
		    size - i < a ? size - i : a); break;
		default: json_kstr(&j, words[a & 3], words[(a >> 2) & 3]); break;
		}
		FUZZ_ASSERT(j.len < cap && buf[j.len] == '\0');
		FUZZ_ASSERT(j.depth >= 0 && j.depth <= JSON_DEPTH_MAX);
	}
	if (json_done(&j) == 0) {
		const unsigned char *s = (const unsigned char *)buf;

		for (size_t i = 0; i < j.len;) {
			if (s[i] == '"') {
				i = string_end(s, j.len, i);
				continue;
			}
			if (s[i] == '{' || s[i] == '[')
				depth++;
			else if (s[i] == '}' || s[i] == ']')
				depth--;
			FUZZ_ASSERT(depth >= 0);
			i++;
		}
		FUZZ_ASSERT(depth == 0);
	}
	free(buf);
	return 0;
}
