/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events: the JSON Lines event log (see events.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "events.h"
#include "json.h"
#include "msg.h"

struct events_log {
	int fd;
	int lock_fd;			/* -1: lines written without it */
	char lock_note[300];		/* why, "" */
};

/*
 * The lock file at path for l, or why not in l->lock_note: it must be a
 * regular file of the effective user that neither its group nor others may
 * open, or another user could hold its lock (or, planting it, own it).
 */
static void
lock_open(struct events_log *l, const char *path)
{
	struct stat sb;
	int fd;

	l->lock_fd = -1;
	l->lock_note[0] = '\0';
	if (path == NULL)
		return;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		msg_set(l->lock_note, sizeof(l->lock_note), "lock file "
		    "%.200s: %s", path, errno == ELOOP ? "is a symbolic link" :
		    strerror(errno));
		return;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
		msg_set(l->lock_note, sizeof(l->lock_note), "lock file "
		    "%.200s: not a regular file of this user that only it may "
		    "open", path);
		close(fd);
		return;
	}
	l->lock_fd = fd;
}

const char *
events_lock_note(const struct events_log *l)
{
	return l != NULL ? l->lock_note : "";
}

/*
 * The same file (checked above, through fd) opened again for reading as
 * well, through /proc/self/fd: no name is looked up again, so nothing can
 * be swapped in.  events_append reads how the log ends with it.  fd, or
 * the new descriptor (fd closed) when the reopening gives the same file.
 */
static int
reopen_rw(int fd, const struct stat *sb)
{
	char p[64];
	struct stat sb2;
	int rfd;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	rfd = open(p, O_RDWR | O_APPEND | O_CLOEXEC);
	if (rfd < 0)
		return fd;
	if (fstat(rfd, &sb2) != 0 || sb2.st_dev != sb->st_dev ||
	    sb2.st_ino != sb->st_ino) {
		close(rfd);
		return fd;
	}
	close(fd);
	return rfd;
}

int
events_open(const char *path, const char *lock_path, struct events_log **out,
    char *err, size_t errlen)
{
	struct events_log *l;
	struct stat sb;
	int fd;

	*out = NULL;
	if (path == NULL || path[0] == '\0') {
		msg_set(err, errlen, "empty event log file name");
		return IGD_EADDRESS;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0640);
	if (fd < 0) {
		int e = errno;

		msg_set(err, errlen, "event log %.200s: %s", path,
		    e == ELOOP ? "is a symbolic link (refused)" :
		    e == ENXIO ? "is a FIFO or device nobody reads (refused)" :
		    strerror(e));
		return e == ELOOP || e == ENXIO ? IGD_EADDRESS : IGD_ESOCKET;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		msg_set(err, errlen, "event log %.200s: not a regular file "
		    "(refused)", path);
		close(fd);
		return IGD_EADDRESS;
	}
	if (sb.st_uid != geteuid()) {
		msg_set(err, errlen, "event log %.200s: owned by uid %lu, not "
		    "by this user (refused)", path, (unsigned long)sb.st_uid);
		close(fd);
		return IGD_EADDRESS;
	}
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		msg_set(err, errlen, "event log %.200s: writable by %s "
		    "(refused)", path, sb.st_mode & S_IWOTH ? "others" :
		    "its group");
		close(fd);
		return IGD_EADDRESS;
	}
	/* writes must not be cut short by O_NONBLOCK on odd file systems */
	fcntl(fd, F_SETFL, O_APPEND);
	fd = reopen_rw(fd, &sb);
	l = malloc(sizeof(*l));
	if (l == NULL) {
		close(fd);
		return IGD_ENOMEM;
	}
	l->fd = fd;
	lock_open(l, lock_path);
	*out = l;
	return 0;
}

void
events_close(struct events_log *l)
{
	if (l == NULL)
		return;
	close(l->fd);
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	free(l);
}

int
events_append(struct events_log *l, const char *line, size_t len,
    const struct deadline *dl, char *err, size_t errlen)
{
	char buf[EVENTS_LINE_MAX + 1];
	char *out = buf + 1;
	size_t n = len + 1;
	struct stat sb;
	ssize_t w;
	int rc = 0;

	if (len + 1 > EVENTS_LINE_MAX) {
		msg_set(err, errlen, "event line too long (%zu bytes)", len);
		return IGD_ETOOBIG;
	}
	memcpy(out, line, len);
	out[len] = '\n';
	/* another run of this user may hold the lock for one write: poll
	 * for it (nobody else can open the lock file) */
	while (l->lock_fd >= 0 && flock(l->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			msg_set(err, errlen, "event log lock: %s",
			    strerror(errno));
			return IGD_ESOCKET;
		}
		if (deadline_left_ms(dl) == 0) {
			msg_set(err, errlen, "event log: this user's lock not "
			    "taken by the deadline");
			return IGD_ETIMEOUT;
		}
		poll(NULL, 0, 5);
	}
	/* a log cut short (a disk that was full when a run wrote, its
	 * repairing newline refused too) ends without a newline: this line
	 * then starts with one, in the same write, so it stands alone.  Only
	 * under the lock: without it another run's line may be half copied
	 * in when its end is read (only this user can write the log) */
	if (l->lock_fd >= 0 && fstat(l->fd, &sb) == 0 && sb.st_size > 0) {
		char c;

		if (pread(l->fd, &c, 1, sb.st_size - 1) == 1 && c != '\n') {
			buf[0] = '\n';
			out = buf;
			n++;
		}
	}
	do {
		w = write(l->fd, out, n);
	} while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n) {
		msg_set(err, errlen, "event log write: %s", w < 0 ?
		    strerror(errno) : "short write");
		/* end the cut line, so that the next one stands alone */
		if (w > 0) {
			ssize_t nl = write(l->fd, "\n", 1);

			(void)nl;	/* a full disk: nothing more to do */
		}
		rc = IGD_ESOCKET;
	}
	if (l->lock_fd >= 0)
		flock(l->lock_fd, LOCK_UN);
	return rc;
}

static void
put(struct events_line *j, const char *s, size_t n)
{
	if (j->overflow || j->len + n + 1 > j->cap) {
		j->overflow = 1;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

/* Append at most max bytes of s as a JSON string (json_quote: control
 * bytes as \u00XX, invalid UTF-8 as U+FFFD), never cutting a UTF-8
 * sequence in two; 1 when s was cut. */
static int
put_string_max(struct events_line *j, const char *s, size_t max)
{
	size_t n = strlen(s);
	int cut = 0;

	if (n > max) {
		n = max;
		cut = 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (j->overflow || json_quote(j->buf, j->cap, &j->len, s, n) != 0)
		j->overflow = 1;
	return cut;
}

static void
put_string(struct events_line *j, const char *s)
{
	put_string_max(j, s, (size_t)-1);
}

void
events_line_init(struct events_line *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->overflow = cap < 3;
	j->fields = 0;
	if (!j->overflow)
		put(j, "{", 1);
}

static void
put_key(struct events_line *j, const char *key)
{
	if (j->fields++ > 0)
		put(j, ",", 1);
	put_string(j, key);
	put(j, ":", 1);
}

void
events_line_str(struct events_line *j, const char *key, const char *value)
{
	put_key(j, key);
	if (value == NULL)
		put(j, "null", 4);
	else
		put_string(j, value);
}

int
events_line_strn(struct events_line *j, const char *key, const char *value,
    size_t max)
{
	put_key(j, key);
	if (value != NULL)
		return put_string_max(j, value, max);
	put(j, "null", 4);
	return 0;
}

void
events_line_bool(struct events_line *j, const char *key, int v)
{
	put_key(j, key);
	if (v < 0)
		put(j, "null", 4);
	else if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void
events_line_int(struct events_line *j, const char *key, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", (long long)v);

	put_key(j, key);
	put(j, num, (size_t)n);
}

long
events_line_end(struct events_line *j)
{
	put(j, "}", 1);
	return j->overflow ? -1 : (long)j->len;
}
