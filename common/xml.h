/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xml: a small pull tokenizer for the XML that IGDs send (descriptions, SOAP
 * answers, port listings).  Pure: bytes in, tokens out, no allocation.
 *
 * It knows elements, text, CDATA, comments, processing instructions and a
 * DOCTYPE (skipped; no entity definitions are ever expanded).  Element names
 * are given without their namespace prefix.  Text is given raw; decode it
 * with xml_decode_append().  Nesting is capped at XML_DEPTH_MAX.
 */
#ifndef CHECK_IGD_XML_H
#define CHECK_IGD_XML_H

#include <stddef.h>

#define XML_DEPTH_MAX 64

enum xml_tok {
	XML_EOF = 0,	/* end of input at depth 0 */
	XML_OPEN,	/* <name ...> or <name/> (then XML_CLOSE follows) */
	XML_CLOSE,	/* </name> */
	XML_TEXT,	/* character data, raw (entities not decoded) */
	XML_CDATA,	/* CDATA section content, literal */
	XML_ERROR	/* malformed; the reader stays in error */
};

struct xml_reader {
	const char *p;		/* next byte */
	const char *end;
	int depth;
	int pending_close;	/* a <name/> was returned as OPEN */
	const char *stack[XML_DEPTH_MAX];	/* open element names */
	size_t stacklen[XML_DEPTH_MAX];
	int error;
	const char *tok_start;	/* start of the last token */
};

struct xml_token {
	enum xml_tok type;
	const char *name;	/* OPEN, CLOSE: local name (no prefix) */
	size_t name_len;
	const char *text;	/* TEXT, CDATA */
	size_t text_len;
	int depth;		/* depth of the element (OPEN/CLOSE: 1 = root) */
	const char *at;		/* where the token starts in the input */
	const char *after;	/* just past the token */
};

/* Start reading buf (len bytes; need not be NUL-terminated). */
void xml_init(struct xml_reader *r, const char *buf, size_t len);

/* The next token; XML_ERROR for malformed input (also unbalanced tags). */
enum xml_tok xml_next(struct xml_reader *r, struct xml_token *t);

/* 1 when the token's name equals name (case-sensitive), else 0. */
int xml_name_is(const struct xml_token *t, const char *name);

/*
 * Append raw XML text (entities &lt; &gt; &amp; &quot; &apos; &#N; &#xN;
 * decoded to UTF-8; unknown entities kept literally) to out, which holds
 * *olen bytes of outlen.  When cdata is non-zero the text is copied as is.
 * Output is always NUL-terminated; text that does not fit is cut (on a
 * UTF-8 character boundary) and the function returns 1 (truncated), else 0.
 */
int xml_decode_append(char *out, size_t outlen, size_t *olen, const char *raw,
    size_t rawlen, int cdata);

#endif
