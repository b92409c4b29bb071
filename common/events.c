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
#include "msg.h"

struct events_log {
	int fd;
};

int
events_open(const char *path, struct events_log **out, char *err,
    size_t errlen)
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
		    e == ELOOP ? "is a symbolic link (refused)" : strerror(e));
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
	if ((sb.st_mode & S_IWOTH) != 0) {
		msg_set(err, errlen, "event log %.200s: writable by others "
		    "(refused)", path);
		close(fd);
		return IGD_EADDRESS;
	}
	/* writes must not be cut short by O_NONBLOCK on odd file systems */
	fcntl(fd, F_SETFL, O_APPEND);
	l = malloc(sizeof(*l));
	if (l == NULL) {
		close(fd);
		return IGD_ENOMEM;
	}
	l->fd = fd;
	*out = l;
	return 0;
}

void
events_close(struct events_log *l)
{
	if (l == NULL)
		return;
	close(l->fd);
	free(l);
}

int
events_append(struct events_log *l, const char *line, size_t len,
    const struct deadline *dl, char *err, size_t errlen)
{
	char buf[EVENTS_LINE_MAX];
	ssize_t w;
	int rc = 0;

	if (len + 1 > sizeof(buf)) {
		msg_set(err, errlen, "event line too long (%zu bytes)", len);
		return IGD_ETOOBIG;
	}
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* another run may hold the lock for one write: poll for it */
	while (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			msg_set(err, errlen, "event log lock: %s",
			    strerror(errno));
			return IGD_ESOCKET;
		}
		if (deadline_left_ms(dl) == 0) {
			msg_set(err, errlen, "event log: lock not taken by the "
			    "deadline");
			return IGD_ETIMEOUT;
		}
		poll(NULL, 0, 5);
	}
	do {
		w = write(l->fd, buf, len + 1);
	} while (w < 0 && errno == EINTR);
	if (w != (ssize_t)(len + 1)) {
		msg_set(err, errlen, "event log write: %s", w < 0 ?
		    strerror(errno) : "short write");
		rc = IGD_ESOCKET;
	}
	flock(l->fd, LOCK_UN);
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

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned c = s[0];
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

static void
put_string(struct events_line *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	put(j, "\"", 1);
	while (n > 0) {
		char esc[8];
		size_t k;

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(j, esc, 2);
			p++, n--;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(j, esc, 6);
			p++, n--;
			continue;
		}
		k = utf8_len(p, n);
		if (k == 0) {
			put(j, "\xef\xbf\xbd", 3);	/* U+FFFD */
			p++, n--;
			continue;
		}
		put(j, (const char *)p, k);
		p += k, n -= k;
	}
	put(j, "\"", 1);
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
