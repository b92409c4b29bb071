/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * file: the one bounded file reader and the one atomic file writer that
 * the policy, saved-table and state modules share.
 *
 * Reading refuses anything but a regular file and anything larger than
 * the caller's bound; with FILE_PRIVATE it also refuses to follow a
 * symbolic link, never blocks on a FIFO or device, and refuses a file not
 * owned by the effective user or writable by group or others (a state
 * file another local user could have planted).  Writing fills a
 * temporary file in the target's folder (mode 0600) and renames it into
 * place, so that readers see the old file or the new one, never half of
 * one; FILE_DURABLE adds fsync of the file and of its folder.
 *
 * Both return 0, or -1 with the reason (without the path: callers name
 * the file their own way) in why (whylen bytes) and errno kept from the
 * call that failed.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_FILE_H
#define CHECK_IGD_FILE_H

#include <stddef.h>
#include <stdio.h>

#define FILE_PATH_MAX	4096	/* the temporary file's name */

#define FILE_DURABLE	1u	/* save: fsync the file and its folder */
#define FILE_PRIVATE	2u	/* read: see above */

/*
 * Read the whole of path, at most max bytes, into a new buffer (*buf,
 * NUL-terminated, free with free(); *len bytes without the NUL).
 */
int file_read(const char *path, size_t max, unsigned flags, char **buf,
    size_t *len, char *why, size_t whylen);

/*
 * file_read for a loader: err (errlen bytes) gets "PATH: reason" (the
 * loaders' FILE:LINE:COLUMN form without a position), a NULL path
 * "(null): invalid arguments".
 */
int file_load(const char *path, size_t max, char **buf, size_t *len,
    char *err, size_t errlen);

/*
 * Writes the file's content into f; 0, or -1 with a reason in why (or
 * none: then the stream's error is reported).
 */
typedef int (*file_fill_fn)(FILE *f, void *ctx, char *why, size_t whylen);

/* Write path atomically with what fill(f, ctx) writes. */
int file_save(const char *path, file_fill_fn fill, void *ctx, unsigned flags,
    char *why, size_t whylen);

#endif
