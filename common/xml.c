/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xml: a small pull tokenizer (see xml.h). */
#include <string.h>

#include "xml.h"

void
xml_init(struct xml_reader *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = buf;
	r->end = buf + len;
	/* skip a UTF-8 byte order mark */
	if (len >= 3 && (unsigned char)buf[0] == 0xef &&
	    (unsigned char)buf[1] == 0xbb && (unsigned char)buf[2] == 0xbf)
		r->p += 3;
}

static enum xml_tok
fail(struct xml_reader *r, struct xml_token *t)
{
	r->error = 1;
	t->type = XML_ERROR;
	return XML_ERROR;
}

/* Find needle (nlen bytes) from p; NULL when absent. */
static const char *
find(const char *p, const char *end, const char *needle, size_t nlen)
{
	while ((size_t)(end - p) >= nlen) {
		const char *q = memchr(p, needle[0], (size_t)(end - p) - nlen + 1);

		if (q == NULL)
			return NULL;
		if (memcmp(q, needle, nlen) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

static int
is_name_char(unsigned char c)
{
	return c > ' ' && c != '>' && c != '/' && c != '=' && c != '<' &&
	    c != '"' && c != '\'';
}

static void
local_name(const char *name, size_t len, const char **out, size_t *olen)
{
	const char *colon = memchr(name, ':', len);

	if (colon != NULL) {
		*out = colon + 1;
		*olen = len - (size_t)(colon + 1 - name);
	} else {
		*out = name;
		*olen = len;
	}
}

static enum xml_tok next_token(struct xml_reader *r, struct xml_token *t);

enum xml_tok
xml_next(struct xml_reader *r, struct xml_token *t)
{
	enum xml_tok k;

	r->tok_start = r->p;
	k = next_token(r, t);
	t->at = r->tok_start;
	t->after = r->p;
	return k;
}

static enum xml_tok
next_token(struct xml_reader *r, struct xml_token *t)
{
	memset(t, 0, sizeof(*t));
	if (r->error)
		return fail(r, t);
	if (r->pending_close) {
		r->pending_close = 0;
		r->depth--;
		t->type = XML_CLOSE;
		t->name = r->stack[r->depth];
		t->name_len = r->stacklen[r->depth];
		t->depth = r->depth + 1;
		return XML_CLOSE;
	}
	for (;;) {
		const char *p = r->p, *q;

		r->tok_start = p;
		if (p >= r->end) {
			if (r->depth != 0)
				return fail(r, t);
			t->type = XML_EOF;
			return XML_EOF;
		}
		if (*p != '<') {
			q = memchr(p, '<', (size_t)(r->end - p));
			if (q == NULL)
				q = r->end;
			r->p = q;
			if (r->depth == 0) {
				/* only whitespace may stand outside the root */
				for (const char *s = p; s < q; s++)
					if (*s != ' ' && *s != '\t' &&
					    *s != '\r' && *s != '\n')
						return fail(r, t);
				continue;
			}
			t->type = XML_TEXT;
			t->text = p;
			t->text_len = (size_t)(q - p);
			t->depth = r->depth;
			return XML_TEXT;
		}
		/* markup */
		if (r->end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = find(p + 4, r->end, "-->", 3);
			if (q == NULL)
				return fail(r, t);
			r->p = q + 3;
			continue;
		}
		if (r->end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			q = find(p + 9, r->end, "]]>", 3);
			if (q == NULL || r->depth == 0)
				return fail(r, t);
			r->p = q + 3;
			t->type = XML_CDATA;
			t->text = p + 9;
			t->text_len = (size_t)(q - p - 9);
			t->depth = r->depth;
			return XML_CDATA;
		}
		if (r->end - p >= 2 && p[1] == '?') {
			q = find(p + 2, r->end, "?>", 2);
			if (q == NULL)
				return fail(r, t);
			r->p = q + 2;
			continue;
		}
		if (r->end - p >= 2 && p[1] == '!') {
			/* DOCTYPE: skip to the matching '>' allowing one level
			 * of [ ... ]; nothing inside is used */
			int bracket = 0;

			for (q = p + 2; q < r->end; q++) {
				if (*q == '[')
					bracket++;
				else if (*q == ']')
					bracket--;
				else if (*q == '>' && bracket <= 0)
					break;
			}
			if (q >= r->end || r->depth != 0)
				return fail(r, t);
			r->p = q + 1;
			continue;
		}
		if (r->end - p >= 2 && p[1] == '/') {
			const char *n = p + 2, *ln;
			size_t nl, lnl;

			q = n;
			while (q < r->end && is_name_char((unsigned char)*q))
				q++;
			nl = (size_t)(q - n);
			while (q < r->end && (*q == ' ' || *q == '\t' ||
			    *q == '\r' || *q == '\n'))
				q++;
			if (q >= r->end || *q != '>' || nl == 0 || r->depth == 0)
				return fail(r, t);
			local_name(n, nl, &ln, &lnl);
			r->depth--;
			if (r->stacklen[r->depth] != lnl ||
			    memcmp(r->stack[r->depth], ln, lnl) != 0)
				return fail(r, t);
			r->p = q + 1;
			t->type = XML_CLOSE;
			t->name = ln;
			t->name_len = lnl;
			t->depth = r->depth + 1;
			return XML_CLOSE;
		}
		/* start tag */
		{
			const char *n = p + 1, *ln;
			size_t nl, lnl;
			char quote = 0;

			q = n;
			while (q < r->end && is_name_char((unsigned char)*q))
				q++;
			nl = (size_t)(q - n);
			if (nl == 0)
				return fail(r, t);
			/* attributes: skip to '>' outside quotes */
			for (; q < r->end; q++) {
				if (quote) {
					if (*q == quote)
						quote = 0;
				} else if (*q == '"' || *q == '\'') {
					quote = *q;
				} else if (*q == '>' || *q == '<') {
					break;
				}
			}
			if (q >= r->end || *q != '>')
				return fail(r, t);
			if (r->depth >= XML_DEPTH_MAX)
				return fail(r, t);
			local_name(n, nl, &ln, &lnl);
			if (lnl == 0)
				return fail(r, t);
			r->stack[r->depth] = ln;
			r->stacklen[r->depth] = lnl;
			r->depth++;
			r->p = q + 1;
			if (q[-1] == '/' && q - 1 > n + nl - 1)
				r->pending_close = 1;
			t->type = XML_OPEN;
			t->name = ln;
			t->name_len = lnl;
			t->depth = r->depth;
			return XML_OPEN;
		}
	}
}

int
xml_name_is(const struct xml_token *t, const char *name)
{
	size_t n = strlen(name);

	return t->name_len == n && memcmp(t->name, name, n) == 0;
}

/* Encode code point cp as UTF-8 into b; returns bytes, 0 if invalid. */
static size_t
utf8_put(unsigned long cp, char *b)
{
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int
put(char *out, size_t outlen, size_t *olen, const char *s, size_t n)
{
	if (outlen == 0 || *olen >= outlen)
		return 1;
	if (*olen + n >= outlen) {
		/* keep what fits, cut before a UTF-8 continuation byte, so a
		 * long text keeps its beginning rather than vanishing */
		size_t room = outlen - 1 - *olen;

		while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
			room--;
		memcpy(out + *olen, s, room);
		*olen += room;
		out[*olen] = '\0';
		return 1;
	}
	memcpy(out + *olen, s, n);
	*olen += n;
	out[*olen] = '\0';
	return 0;
}

int
xml_decode_append(char *out, size_t outlen, size_t *olen, const char *raw,
    size_t rawlen, int cdata)
{
	const char *p = raw, *end = raw + rawlen;

	if (outlen > 0 && *olen < outlen)
		out[*olen] = '\0';
	if (cdata)
		return put(out, outlen, olen, raw, rawlen);
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *semi;
		char u[4];
		size_t ul = 0, elen;

		if (amp == NULL)
			return put(out, outlen, olen, p, (size_t)(end - p));
		if (put(out, outlen, olen, p, (size_t)(amp - p)))
			return 1;
		semi = memchr(amp, ';', (size_t)(end - amp) < 12 ?
		    (size_t)(end - amp) : 12);
		if (semi == NULL) {
			if (put(out, outlen, olen, "&", 1))
				return 1;
			p = amp + 1;
			continue;
		}
		elen = (size_t)(semi - amp - 1);
		if (elen == 2 && memcmp(amp + 1, "lt", 2) == 0)
			u[ul++] = '<';
		else if (elen == 2 && memcmp(amp + 1, "gt", 2) == 0)
			u[ul++] = '>';
		else if (elen == 3 && memcmp(amp + 1, "amp", 3) == 0)
			u[ul++] = '&';
		else if (elen == 4 && memcmp(amp + 1, "quot", 4) == 0)
			u[ul++] = '"';
		else if (elen == 4 && memcmp(amp + 1, "apos", 4) == 0)
			u[ul++] = '\'';
		else if (elen >= 2 && amp[1] == '#') {
			unsigned long cp = 0;
			int hex = (amp[2] == 'x' || amp[2] == 'X');
			const char *d = amp + 2 + hex;

			if (d == semi)
				cp = 0;
			for (; d < semi; d++) {
				int v;

				if (*d >= '0' && *d <= '9')
					v = *d - '0';
				else if (hex && *d >= 'a' && *d <= 'f')
					v = *d - 'a' + 10;
				else if (hex && *d >= 'A' && *d <= 'F')
					v = *d - 'A' + 10;
				else {
					cp = 0;
					break;
				}
				cp = cp * (hex ? 16 : 10) + (unsigned long)v;
				if (cp > 0x10ffff) {
					cp = 0;
					break;
				}
			}
			ul = utf8_put(cp, u);
			if (ul == 0) {
				/* invalid reference: keep a visible marker */
				u[0] = '?';
				ul = 1;
			}
		}
		if (ul == 0) {
			/* unknown entity: keep it literally */
			if (put(out, outlen, olen, amp, (size_t)(semi - amp + 1)))
				return 1;
		} else if (put(out, outlen, olen, u, ul)) {
			return 1;
		}
		p = semi + 1;
	}
	return 0;
}
