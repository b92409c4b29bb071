/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * events: an append-only log of port-mapping events for security tools,
 * one JSON object per line (JSON Lines), shipped by rsyslog imfile,
 * Filebeat or Fluent Bit.
 *
 * Safe when runs overlap and when the file is rotated: the file is opened
 * afresh by every run (a rotated file is never written after the run that
 * saw it ends), with O_APPEND, and each line goes out in one write() under
 * an exclusive flock(), so lines of two runs never interleave and a
 * collector never reads half a line written by us.  Opened without
 * following symlinks and without blocking (a FIFO planted there cannot hold
 * the run); it must be a regular file owned by the effective user and not
 * writable by its group or others, as the state files.  A missing file is
 * created with mode 0640.
 *
 * The line builder (events_line_*) writes into the caller's buffer and
 * escapes every string as JSON (control bytes as \u00XX; invalid UTF-8
 * bytes as U+FFFD), so any text from a device gives a line that parses.
 * Nothing here prints or exits.
 */
#ifndef CHECK_IGD_EVENTS_H
#define CHECK_IGD_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include "deadline.h"

#define EVENTS_LINE_MAX 8192		/* one event line, newline included */

struct events_log;

/*
 * Open path for appending by dl.  Returns 0 with *out set (free with
 * events_close()), or a negative IGD_E* code with err set: IGD_EADDRESS
 * for a path that is a symlink, not a regular file, owned by another user
 * or writable by others; IGD_ESOCKET for other open errors.
 */
int events_open(const char *path, struct events_log **out, char *err,
    size_t errlen);

/*
 * Append one line (len bytes, without newline; one is added) under an
 * exclusive lock taken by dl.  Returns 0, IGD_ETIMEOUT (lock not taken by
 * dl), IGD_ETOOBIG (line over EVENTS_LINE_MAX), IGD_ESOCKET (write failed
 * or was short; err set).
 */
int events_append(struct events_log *l, const char *line, size_t len,
    const struct deadline *dl, char *err, size_t errlen);

/* Close (accepts NULL). */
void events_close(struct events_log *l);

/* A JSON object under construction in a caller's buffer. */
struct events_line {
	char *buf;
	size_t len, cap;
	int overflow;			/* something did not fit */
	int fields;			/* members written */
};

/* Start "{" in buf (cap bytes). */
void events_line_init(struct events_line *j, char *buf, size_t cap);

/* Add "key": "value" (value escaped; NULL gives null). */
void events_line_str(struct events_line *j, const char *key,
    const char *value);

/* The same with at most max bytes of value, never cutting a UTF-8
 * sequence in two.  Returns 1 when value was cut, 0 when whole. */
int events_line_strn(struct events_line *j, const char *key,
    const char *value, size_t max);

/* Add "key": true (v > 0), false (0) or null (v < 0: unknown). */
void events_line_bool(struct events_line *j, const char *key, int v);

/* Add "key": value for a whole number. */
void events_line_int(struct events_line *j, const char *key, int64_t v);

/* Close "}".  Returns the length, or -1 when something did not fit. */
long events_line_end(struct events_line *j);

#endif
