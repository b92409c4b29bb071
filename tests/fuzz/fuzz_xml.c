/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz the XML tokenizer (xml_init/xml_next/xml_name_is) and
 * xml_decode_append().  Input: one control byte (the size of the decode
 * buffer), then the document.
 */
#include "fuzz_common.h"
#include "xml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_reader r;
	struct xml_token t;
	const char *doc, *end;
	size_t len, outlen, olen = 0, tokens = 0;
	char *out, *buf;
	int last_error = 0;

	if (size < 1)
		return 0;
	outlen = data[0] < 0x80 ? 4096 : (size_t)(data[0] & 0x7f);
	len = size - 1;
	/* exactly len bytes, no NUL: the tokenizer must not need one */
	buf = malloc(len ? len : 1);
	out = malloc(outlen ? outlen : 1);
	if (buf == NULL || out == NULL)
		abort();
	memcpy(buf, data + 1, len);
	doc = buf;
	end = doc + len;
	if (outlen > 0)
		out[0] = '\0';

	xml_init(&r, doc, len);
	for (;;) {
		enum xml_tok k = xml_next(&r, &t);

		FUZZ_ASSERT(++tokens <= len + 2);	/* always progresses */
		FUZZ_ASSERT(k == t.type || k == XML_EOF || k == XML_ERROR);
		FUZZ_ASSERT(r.depth >= 0 && r.depth <= XML_DEPTH_MAX);
		if (k == XML_EOF)
			break;
		if (k == XML_ERROR) {
			/* the reader stays in error */
			FUZZ_ASSERT(xml_next(&r, &t) == XML_ERROR);
			last_error = 1;
			break;
		}
		FUZZ_ASSERT(t.at >= doc && t.at <= end);
		FUZZ_ASSERT(t.after >= t.at && t.after <= end);
		switch (k) {
		case XML_OPEN:
		case XML_CLOSE:
			FUZZ_ASSERT(t.name != NULL && t.name_len > 0);
			FUZZ_ASSERT(t.name >= doc && t.name + t.name_len <= end);
			FUZZ_ASSERT(t.depth >= 1 && t.depth <= XML_DEPTH_MAX);
			(void)xml_name_is(&t, "root");
			(void)xml_name_is(&t, "");
			break;
		case XML_TEXT:
		case XML_CDATA:
			FUZZ_ASSERT(t.text_len == 0 ||
			    (t.text >= doc && t.text + t.text_len <= end));
			if (outlen == 0) {
				size_t zl = 0;

				xml_decode_append(out, 0, &zl, t.text,
				    t.text_len, k == XML_CDATA);
			} else {
				size_t before = olen;
				int tr = xml_decode_append(out, outlen, &olen,
				    t.text, t.text_len, k == XML_CDATA);

				FUZZ_ASSERT(tr == 0 || tr == 1);
				FUZZ_ASSERT(olen < outlen && olen >= before);
				FUZZ_ASSERT(out[olen] == '\0');
				/* decoding never makes text longer */
				if (!tr)
					FUZZ_ASSERT(olen - before <= t.text_len);
				if (olen > outlen / 2)
					olen = 0;
			}
			break;
		default:
			FUZZ_ASSERT(!"unknown token type");
		}
	}
	(void)last_error;

	/* decode the whole document as one text too */
	if (outlen > 0) {
		olen = 0;
		(void)xml_decode_append(out, outlen, &olen, doc, len, 0);
		FUZZ_ASSERT(olen < outlen && out[olen] == '\0');
	}
	free(out);
	free(buf);
	return 0;
}
