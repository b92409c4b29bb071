/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz the pure parts of the HTTP client: http_parse_head(), http_dechunk(),
 * http_url_parse() and http_url_resolve().
 *
 * Input: one control byte (the size of the resolve output buffer), then the
 * payload.  The payload is parsed as a response head (and its body, when the
 * head is complete, dechunked), dechunked as a whole, and its first two
 * lines are used as base URL and reference.
 */
#include "fuzz_common.h"
#include "errors.h"
#include "http.h"

static void
check_url(const char *s)
{
	struct http_url u;

	memset(&u, 0x5a, sizeof(u));
	if (http_url_parse(s, &u) == 0) {
		FUZZ_CHECK_FIELD(u.host);
		FUZZ_CHECK_FIELD(u.port);
		FUZZ_CHECK_FIELD(u.path);
		FUZZ_ASSERT(u.port[0] != '\0');
		FUZZ_ASSERT(u.path[0] == '/');
	}
}

static void
dechunk(const char *data, size_t len)
{
	/* exactly len bytes: the decoder works in place */
	char *buf = malloc(len ? len : 1);
	size_t olen = (size_t)-1;
	int rc;

	if (buf == NULL)
		abort();
	memcpy(buf, data, len);
	rc = http_dechunk(buf, len, &olen);
	FUZZ_ASSERT(rc == 1 || rc == 0 || rc == IGD_EPROTOCOL);
	if (rc == 1) {
		FUZZ_ASSERT(olen < len);
		FUZZ_ASSERT(buf[olen] == '\0');
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_head h;
	const char *p;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	p = (const char *)data + 1;
	len = size - 1;

	/* the head, as received so far: no NUL after it */
	memset(&h, 0x5a, sizeof(h));
	rc = http_parse_head(p, len, &h);
	FUZZ_ASSERT(rc == 1 || rc == 0 || rc == IGD_EPROTOCOL ||
	    rc == IGD_ETOOBIG);
	if (rc == 1) {
		struct http_head h2;
		int rc2;

		FUZZ_ASSERT(h.head_len <= len && h.head_len <= HTTP_HEAD_MAX);
		FUZZ_ASSERT(h.status >= 0 && h.status <= 999);
		FUZZ_ASSERT(h.content_length >= -1);
		FUZZ_CHECK_FIELD(h.server);
		/* one byte less is an incomplete head */
		rc2 = http_parse_head(p, h.head_len - 1, &h2);
		FUZZ_ASSERT(rc2 == 0);
		if (h.chunked)
			dechunk(p + h.head_len, len - h.head_len);
	}
	dechunk(p, len);

	/* URLs: first line the base, second line the reference */
	{
		char *s = fuzz_strdup((const uint8_t *)p, len);
		char *ref = strchr(s, '\n');
		size_t outlen = data[0] < 0x80 ? HTTP_URL_MAX :
		    (size_t)(data[0] & 0x7f) + 1;
		char *out = malloc(outlen);

		if (out == NULL)
			abort();
		if (ref != NULL)
			*ref++ = '\0';
		else
			ref = s + strlen(s);
		check_url(s);
		check_url(ref);
		if (http_url_resolve(s, ref, out, outlen) == 0) {
			struct http_url u;

			FUZZ_ASSERT(memchr(out, '\0', outlen) != NULL);
			FUZZ_ASSERT(http_url_parse(out, &u) == 0);
		}
		free(out);
		free(s);
	}
	return 0;
}
