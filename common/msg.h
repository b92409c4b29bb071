/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * msg: filling a caller's error buffer, the one way every module reports
 * what went wrong (library code never prints).
 */
#ifndef CHECK_IGD_MSG_H
#define CHECK_IGD_MSG_H

#include <stdarg.h>
#include <stddef.h>

/* printf into err (errlen bytes, NUL-terminated, cut to fit); a NULL err
 * or zero errlen is allowed and does nothing. */
void msg_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * "NAME:LINE:COLUMN: message" (line and column 1-based), or "NAME: message"
 * when line is 0, into err (errlen bytes, NUL-terminated, cut to fit); the
 * message is fmt with ap.  A NULL err or zero errlen does nothing.
 */
void msg_vat(char *err, size_t errlen, const char *name, size_t line,
    size_t col, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* The same as msg_vat with the message's arguments given directly. */
void msg_at(char *err, size_t errlen, const char *name, size_t line,
    size_t col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
