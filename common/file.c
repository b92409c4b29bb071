/* SPDX-License-Identifier: GPL-3.0-or-later */
/* file: bounded reads and atomic writes (see file.h). */
#include "file.h"
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* msg_set, keeping errno for the caller. */
#define WHY(...) do {						\
	int why_errno_ = errno;					\
	msg_set(why, whylen, __VA_ARGS__);			\
	errno = why_errno_;					\
} while (0)

/* The checks FILE_PRIVATE makes on an open file.  0 or -1 (why set). */
static int
check_private(const struct stat *st, char *why, size_t whylen)
{
	if (st->st_uid != geteuid()) {
		WHY("owned by uid %lu, not by this user (uid %lu)",
		    (unsigned long)st->st_uid, (unsigned long)geteuid());
		errno = EPERM;
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		WHY("writable by group or others (mode %04o)",
		    (unsigned)(st->st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
file_read(const char *path, size_t max, unsigned flags, char **buf,
    size_t *len, char *why, size_t whylen)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0, cap;
	int fd, oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY;

	*buf = NULL;
	*len = 0;
	if (flags & FILE_PRIVATE)
		oflags |= O_NOFOLLOW | O_NONBLOCK;
	fd = open(path, oflags);
	if (fd < 0) {
		if (errno == ELOOP && (flags & FILE_PRIVATE))
			WHY("a symbolic link, not followed");
		else
			WHY("%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		WHY("%s", strerror(errno));
		goto bad;
	}
	if (!S_ISREG(st.st_mode)) {
		WHY("not a regular file");
		errno = EINVAL;
		goto bad;
	}
	if ((flags & FILE_PRIVATE) && check_private(&st, why, whylen) < 0)
		goto bad;
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		WHY("larger than %zu bytes", max);
		errno = EFBIG;
		goto bad;
	}
	/* One byte more than the size, to notice a file that grew (up to one
	 * byte over the bound, which is then refused). */
	cap = (size_t)st.st_size + 1;
	b = malloc(cap + 1);
	if (b == NULL) {
		WHY("out of memory");
		goto bad;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap * 2;
			char *nb;

			if (cap > max)
				break;
			if (ncap > max + 1)
				ncap = max + 1;
			nb = realloc(b, ncap + 1);
			if (nb == NULL) {
				WHY("out of memory");
				goto bad;
			}
			b = nb;
			cap = ncap;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			WHY("%s", strerror(errno));
			goto bad;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		WHY("larger than %zu bytes", max);
		errno = EFBIG;
		goto bad;
	}
	b[n] = '\0';
	close(fd);
	*buf = b;
	*len = n;
	return 0;
bad:
	free(b);
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

int
file_load(const char *path, size_t max, char **buf, size_t *len, char *err,
    size_t errlen)
{
	char why[256];

	*buf = NULL;
	*len = 0;
	if (path == NULL) {
		msg_at(err, errlen, "(null)", 0, 0, "invalid arguments");
		return -1;
	}
	if (file_read(path, max, 0, buf, len, why, sizeof(why)) < 0) {
		msg_at(err, errlen, path, 0, 0, "%s", why);
		return -1;
	}
	return 0;
}

/* fsync the folder holding path so that the rename itself is durable. */
static void
sync_dir(const char *path)
{
	char dir[FILE_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dl;
	int fd;

	if (slash == NULL) {
		dir[0] = '.';
		dl = 1;
	} else {
		dl = slash == path ? 1 : (size_t)(slash - path);
		if (dl >= sizeof(dir))
			return;
		memcpy(dir, path, dl);
	}
	dir[dl] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);	/* best effort: the new file is in place */
	close(fd);
}

int
file_save(const char *path, file_fill_fn fill, void *ctx, unsigned flags,
    char *why, size_t whylen)
{
	char tmp[FILE_PATH_MAX];
	FILE *f = NULL;
	int fd, n, e;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	/* Same folder as path, so that rename() is atomic. */
	n = snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		WHY("path too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		WHY("cannot create a temporary file: %s", strerror(errno));
		return -1;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		WHY("%s", strerror(errno));
		close(fd);
		goto error;
	}
	if (fill(f, ctx, why, whylen) < 0) {
		if (why == NULL || whylen == 0 || why[0] == '\0')
			WHY("write: %s", strerror(errno));
		goto error;
	}
	if (fflush(f) != 0 || ferror(f)) {
		WHY("write: %s", strerror(errno));
		goto error;
	}
	/*
	 * fsync only when asked: it is the one call that no deadline bounds
	 * (the process sleeps uninterruptibly, even the timeout backstop
	 * waits), so a plugin's state file does without it; rename() keeps
	 * the change atomic either way.
	 */
	if ((flags & FILE_DURABLE) && fsync(fileno(f)) != 0) {
		WHY("fsync: %s", strerror(errno));
		goto error;
	}
	n = fclose(f);
	e = errno;
	f = NULL;
	if (n != 0) {
		errno = e;
		WHY("close: %s", strerror(e));
		goto error;
	}
	if (rename(tmp, path) != 0) {
		WHY("rename: %s", strerror(errno));
		goto error;
	}
	if (flags & FILE_DURABLE)
		sync_dir(path);
	return 0;
error:
	e = errno;
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	errno = e;
	return -1;
}
