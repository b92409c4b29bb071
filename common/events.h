/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * events: an append-only log of port-mapping events for security tools,
 * one JSON object per line (JSON Lines), shipped by rsyslog imfile,
 * Filebeat or Fluent Bit.
 *
 * Safe when runs overlap and when the file is rotated: the file is opened
 * afresh by every run (a rotated file is never written after the run that
 * saw it ends), with O_APPEND, and each line goes out in one write(), so
 * lines of two runs never interleave and a collector never reads half a
 * line written by us.  Opened without following symlinks and without
 * blocking (a FIFO planted there cannot hold the run); it must be a
 * regular file owned by the effective user and not writable by its group
 * or others, as the state files.  A missing file is created with mode
 * 0640.
 *
 * The log itself is never locked: its readers (a collector in the
 * plugins' group) can open it, and a lock any reader can hold would let
 * that reader keep a line out of the log.  Linux serialises write() calls
 * on one regular file (the inode lock), and O_APPEND moves to the end and
 * writes with no modification between, so one write() per line is whole
 * on local file systems.  POSIX promises the second, not the first, and
 * NFS appends at an end the client computes; so runs also take turns
 * under an exclusive flock() of a lock file only this user can open: one
 * in the private state directory (0600, owned by the effective user; see
 * events_open()).  When that file cannot be used (a directory others may
 * write, a file someone else planted) the line is written without it
 * (O_APPEND alone), and events_lock_note() says why.
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
 * Open path for appending.  lock_path names the lock file runs take turns
 * under (NULL: none); it is created 0600 when missing, and used only when
 * it is a regular file of the effective user that neither its group nor
 * others may open (else events_lock_note() says why, and lines are
 * written without it).  Returns 0 with *out set (free with
 * events_close()), or a negative IGD_E* code with err set: IGD_EADDRESS
 * for a path that is a symlink, not a regular file, owned by another user
 * or writable by others; IGD_ESOCKET for other open errors.
 */
int events_open(const char *path, const char *lock_path,
    struct events_log **out, char *err, size_t errlen);

/* Why the lock file is not used ("" when it is, or none was asked for). */
const char *events_lock_note(const struct events_log *l);

/*
 * Append one line (len bytes, without newline; one is added) in one
 * write(), under the lock file's exclusive lock (when there is one) taken
 * by dl.  Returns 0, IGD_ETIMEOUT (lock not taken by dl: nothing
 * written), IGD_ETOOBIG (line over EVENTS_LINE_MAX), IGD_ESOCKET (write
 * failed or was short; err set; a short write is ended with a newline
 * when the file takes one, so that the next line starts a line of its
 * own).  A log that does not end with a newline (a cut that could not be
 * ended: a full disk) gets one before the line, in the same write.
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
