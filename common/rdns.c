/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rdns: reverse lookups in a child process, read by the deadline (see
 * rdns.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "msg.h"
#include "rdns.h"

int
rdns_name_ok(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

const char *
rdns_status_text(enum rdns_status s)
{
	switch (s) {
	case RDNS_PENDING:
		return "name lookup timed out";
	case RDNS_CONFIRMED:
		return "name";
	case RDNS_UNCONFIRMED:
		return "name not confirmed";
	case RDNS_NONAME:
		return "no name";
	case RDNS_BADNAME:
		return "name refused";
	case RDNS_BADADDR:
		return "not an address";
	}
	return "?";
}

static int
parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		*sl = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		*sl = sizeof(*s6);
		return AF_INET6;
	}
	return -1;
}

enum rdns_status
rdns_lookup_system(const char *addr, char *name, size_t namelen)
{
	struct sockaddr_storage ss;
	struct addrinfo hints, *ai = NULL;
	socklen_t sl;
	int family = parse_addr(addr, &ss, &sl);
	enum rdns_status st = RDNS_UNCONFIRMED;
	size_t len;

	if (family < 0)
		return RDNS_BADADDR;
	if (getnameinfo((struct sockaddr *)&ss, sl, name, namelen, NULL, 0,
	    NI_NAMEREQD) != 0)
		return RDNS_NONAME;
	len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		name[--len] = '\0';
	if (!rdns_name_ok(name, len))
		return RDNS_BADNAME;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &ai) == 0) {
		for (const struct addrinfo *p = ai; p != NULL; p = p->ai_next) {
			if (family == AF_INET && memcmp(
			    &((struct sockaddr_in *)p->ai_addr)->sin_addr,
			    &((struct sockaddr_in *)&ss)->sin_addr, 4) == 0)
				st = RDNS_CONFIRMED;
			if (family == AF_INET6 && memcmp(
			    &((struct sockaddr_in6 *)p->ai_addr)->sin6_addr,
			    &((struct sockaddr_in6 *)&ss)->sin6_addr, 16) == 0)
				st = RDNS_CONFIRMED;
		}
		freeaddrinfo(ai);
	}
	return st;
}

int
rdns_parse_line(const char *line, size_t len, struct rdns_query *q, size_t n)
{
	size_t i = 0, idx = 0, nl;
	int code;

	if (len == 0 || len > RDNS_LINE_MAX)
		return -1;
	while (i < len && line[i] >= '0' && line[i] <= '9') {
		idx = idx * 10 + (size_t)(line[i] - '0');
		if (idx >= n)
			return -1;
		i++;
	}
	if (i == 0 || i + 2 > len || line[i] != ' ')
		return -1;
	code = line[i + 1] - '0';
	if (code < RDNS_CONFIRMED || code > RDNS_BADADDR)
		return -1;
	i += 2;
	if (code == RDNS_CONFIRMED || code == RDNS_UNCONFIRMED) {
		if (i >= len || line[i] != ' ')
			return -1;
		i++;
		nl = len - i;
		if (!rdns_name_ok(line + i, nl) || nl >= RDNS_NAME_MAX)
			return -1;
		memcpy(q[idx].name, line + i, nl);
		q[idx].name[nl] = '\0';
	} else if (i != len) {
		return -1;
	}
	q[idx].status = (enum rdns_status)code;
	return 0;
}

/* The child: one line per query, then exit. */
static void
child_run(int fd, const struct rdns_query *q, size_t n, rdns_lookup_fn lookup)
{
	for (size_t i = 0; i < n; i++) {
		char name[RDNS_NAME_MAX], line[RDNS_LINE_MAX + 2];
		enum rdns_status st;
		int k;

		name[0] = '\0';
		st = lookup(q[i].addr, name, sizeof(name));
		if ((st == RDNS_CONFIRMED || st == RDNS_UNCONFIRMED) &&
		    !rdns_name_ok(name, strlen(name)))
			st = RDNS_BADNAME;
		if (st == RDNS_CONFIRMED || st == RDNS_UNCONFIRMED)
			k = snprintf(line, sizeof(line), "%zu %d %s\n", i,
			    (int)st, name);
		else
			k = snprintf(line, sizeof(line), "%zu %d\n", i, (int)st);
		if (k < 0 || (size_t)k >= sizeof(line))
			continue;
		if (write(fd, line, (size_t)k) != k)
			_exit(1);
	}
	_exit(0);
}

int
rdns_resolve(struct rdns_query *q, size_t n, rdns_lookup_fn lookup,
    const struct deadline *dl, char *err, size_t errlen)
{
	int pfd[2];
	pid_t pid;
	char buf[8192];
	size_t have = 0, answered = 0;
	int rc = 0, ended = 0;

	if (n > RDNS_QUERIES_MAX)
		return IGD_ELIMIT;
	for (size_t i = 0; i < n; i++) {
		q[i].status = RDNS_PENDING;
		q[i].name[0] = '\0';
	}
	if (n == 0)
		return 0;
	if (lookup == NULL)
		lookup = rdns_lookup_system;
	if (pipe(pfd) != 0) {
		msg_set(err, errlen, "pipe: %s", strerror(errno));
		return IGD_ESOCKET;
	}
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		msg_set(err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return IGD_ESOCKET;
	}
	if (pid == 0) {
		/* dies with the plugin; never writes to its stdout */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pfd[0]);
		signal(SIGALRM, SIG_DFL);
		child_run(pfd[1], q, n, lookup);
	}
	close(pfd[1]);
	while (answered < n) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = deadline_left_ms(dl), prc;
		ssize_t r;
		size_t start = 0;

		if (left == 0) {
			rc = IGD_ETIMEOUT;
			break;
		}
		prc = poll(&p, 1, left);
		if (prc < 0 && errno == EINTR)
			continue;
		if (prc <= 0)
			continue;
		r = read(pfd[0], buf + have, sizeof(buf) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ended = 1;	/* the child ended early */
			break;
		}
		have += (size_t)r;
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			if (rdns_parse_line(buf + start, i - start, q, n) == 0)
				answered++;
			start = i + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == sizeof(buf))
			have = 0;	/* a line longer than any valid one */
	}
	close(pfd[0]);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && answered < n) {
		msg_set(err, errlen, "name lookups ended early");
		rc = ended ? IGD_ECLOSED : IGD_ETIMEOUT;
	}
	return rc;
}
