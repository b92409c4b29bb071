/*
 * msg: filling a caller's error buffer, the one way every module reports
 * what went wrong (library code never prints).
 */
#ifndef CHECK_IGD_MSG_H
#define CHECK_IGD_MSG_H

#include <stddef.h>

/* printf into err (errlen bytes, NUL-terminated, cut to fit); a NULL err
 * or zero errlen is allowed and does nothing. */
void msg_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
