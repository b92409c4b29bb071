/* SPDX-License-Identifier: GPL-3.0-or-later */
/* msg: error buffers (see msg.h). */
#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

void
msg_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, errlen, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

void
msg_vat(char *err, size_t errlen, const char *name, size_t line, size_t col,
    const char *fmt, va_list ap)
{
	int k;

	if (err == NULL || errlen == 0)
		return;
	if (line > 0)
		k = snprintf(err, errlen, "%s:%zu:%zu: ", name, line, col);
	else
		k = snprintf(err, errlen, "%s: ", name);
	if (k < 0) {
		err[0] = '\0';
		return;
	}
	if ((size_t)k >= errlen)
		return;		/* cut, still terminated */
	if (vsnprintf(err + k, errlen - (size_t)k, fmt, ap) < 0)
		err[k] = '\0';
}

void
msg_at(char *err, size_t errlen, const char *name, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vat(err, errlen, name, line, col, fmt, ap);
	va_end(ap);
}
