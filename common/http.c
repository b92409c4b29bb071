/* SPDX-License-Identifier: GPL-3.0-or-later */
/* http: a bounded HTTP/1.1 client (see http.h). */
#define _GNU_SOURCE		/* getaddrinfo_a, gai_suspend, gai_cancel */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "msg.h"
#include "http.h"

#define READ_CHUNK 16384

static int
copy_span(char *dst, size_t dstlen, const char *src, size_t n)
{
	if (n >= dstlen)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int
http_url_parse(const char *url, struct http_url *u)
{
	const char *p, *hostend, *pathstart, *portstart = NULL;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "http://", 7) != 0)
		return IGD_EADDRESS;
	p = url + 7;
	pathstart = p + strcspn(p, "/?#");
	if (*p == '[') {
		hostend = memchr(p, ']', (size_t)(pathstart - p));
		if (hostend == NULL)
			return IGD_EADDRESS;
		if (copy_span(u->host, sizeof(u->host), p + 1,
		    (size_t)(hostend - p - 1)) != 0)
			return IGD_EADDRESS;
		u->ipv6 = 1;
		if (hostend + 1 < pathstart) {
			if (hostend[1] != ':')
				return IGD_EADDRESS;
			portstart = hostend + 2;
		}
	} else {
		hostend = memchr(p, ':', (size_t)(pathstart - p));
		if (hostend == NULL)
			hostend = pathstart;
		else
			portstart = hostend + 1;
		if (copy_span(u->host, sizeof(u->host), p,
		    (size_t)(hostend - p)) != 0)
			return IGD_EADDRESS;
	}
	if (u->host[0] == '\0' || strchr(u->host, '@') != NULL)
		return IGD_EADDRESS;
	for (n = 0; u->host[n] != '\0'; n++)
		if ((unsigned char)u->host[n] <= ' ')
			return IGD_EADDRESS;
	if (portstart != NULL) {
		unsigned long port = 0;

		n = (size_t)(pathstart - portstart);
		if (n == 0 || n > 5)
			return IGD_EADDRESS;
		for (const char *q = portstart; q < pathstart; q++) {
			if (*q < '0' || *q > '9')
				return IGD_EADDRESS;
			port = port * 10 + (unsigned long)(*q - '0');
		}
		if (port == 0 || port > 65535)
			return IGD_EADDRESS;
		snprintf(u->port, sizeof(u->port), "%lu", port);
	} else {
		memcpy(u->port, "80", 3);
	}
	if (*pathstart == '\0' || *pathstart == '#') {
		memcpy(u->path, "/", 2);
	} else {
		n = strcspn(pathstart, "#");
		if (*pathstart == '?') {
			if (n + 1 >= sizeof(u->path))
				return IGD_EADDRESS;
			u->path[0] = '/';
			memcpy(u->path + 1, pathstart, n);
			u->path[n + 1] = '\0';
		} else if (copy_span(u->path, sizeof(u->path), pathstart,
		    n) != 0) {
			return IGD_EADDRESS;
		}
	}
	for (n = 0; u->path[n] != '\0'; n++)
		if ((unsigned char)u->path[n] <= ' ' || u->path[n] == 0x7f)
			return IGD_EADDRESS;
	return 0;
}

/* Remove "." and ".." segments from an absolute path in place (RFC 3986
 * 5.2.4); the query, if any, is left alone. */
static void
remove_dots(char *path)
{
	char *q = path + strcspn(path, "?");
	char saved = *q, *in = path, *out = path;

	*q = '\0';
	while (*in != '\0') {
		if (strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in[1] = '\0';
		} else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
			in += 3;
			if (*in == '\0')
				*--in = '/';
			while (out > path && *--out != '/')
				;
		} else {
			do {
				*out++ = *in++;
			} while (*in != '\0' && *in != '/');
		}
	}
	*out = '\0';
	if (saved != '\0') {
		*q = saved;
		memmove(out, q, strlen(q) + 1);
	}
}

int
http_url_resolve(const char *base, const char *ref, char *out, size_t outlen)
{
	struct http_url b;
	const char *slash;
	int n;

	while (*ref == ' ' || *ref == '\t' || *ref == '\r' || *ref == '\n')
		ref++;
	if (strncasecmp(ref, "http://", 7) == 0) {
		struct http_url check;

		if (http_url_parse(ref, &check) != 0)
			return IGD_EADDRESS;
		n = snprintf(out, outlen, "%s", ref);
		return (n < 0 || (size_t)n >= outlen) ? IGD_EADDRESS : 0;
	}
	if (http_url_parse(base, &b) != 0)
		return IGD_EADDRESS;
	if (ref[0] == '/') {
		n = snprintf(out, outlen, "http://%s%s%s:%s%s",
		    b.ipv6 ? "[" : "", b.host, b.ipv6 ? "]" : "", b.port, ref);
	} else {
		/* relative to the base's directory */
		char dir[HTTP_PATH_MAX];
		size_t dl;

		dl = strcspn(b.path, "?");
		slash = NULL;
		for (size_t i = 0; i < dl; i++)
			if (b.path[i] == '/')
				slash = b.path + i;
		dl = slash ? (size_t)(slash - b.path) + 1 : 1;
		if (copy_span(dir, sizeof(dir), slash ? b.path : "/", dl) != 0)
			return IGD_EADDRESS;
		n = snprintf(out, outlen, "http://%s%s%s:%s%s%s",
		    b.ipv6 ? "[" : "", b.host, b.ipv6 ? "]" : "", b.port, dir,
		    ref);
	}
	if (n < 0 || (size_t)n >= outlen)
		return IGD_EADDRESS;
	{
		/* normalise the path after scheme://host:port */
		char *path = strchr(out + 7, '/');

		if (path != NULL)
			remove_dots(path);
	}
	{
		struct http_url check;

		if (http_url_parse(out, &check) != 0)
			return IGD_EADDRESS;
	}
	return 0;
}

/* Case-insensitive header name match at line start; returns the value. */
static const char *
header_value(const char *line, size_t linelen, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *v, *end = line + linelen;

	if (linelen <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*vlen = (size_t)(end - v);
	return v;
}

int
http_parse_head(const char *buf, size_t len, struct http_head *h)
{
	const char *end = NULL, *p, *eol;
	size_t scan = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;

	for (size_t i = 0; i + 3 < scan; i++) {
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n') {
			end = buf + i + 4;
			break;
		}
	}
	if (end == NULL)
		return len >= HTTP_HEAD_MAX ? IGD_ETOOBIG : 0;
	memset(h, 0, sizeof(*h));
	h->content_length = -1;
	h->head_len = (size_t)(end - buf);

	/* status line: HTTP/1.x NNN ... */
	if (h->head_len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 ||
	    (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ')
		return IGD_EPROTOCOL;
	for (int i = 9; i < 12; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return IGD_EPROTOCOL;
	h->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (buf[12] != ' ' && buf[12] != '\r')
		return IGD_EPROTOCOL;

	p = memchr(buf, '\n', h->head_len);
	if (p == NULL)
		return IGD_EPROTOCOL;
	p++;
	while (p < end - 2) {
		const char *v;
		size_t vlen, linelen;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			return IGD_EPROTOCOL;
		linelen = (size_t)(eol - p);
		if (linelen > 0 && p[linelen - 1] == '\r')
			linelen--;
		if ((v = header_value(p, linelen, "Content-Length", &vlen))) {
			long long cl = 0;

			if (vlen == 0 || vlen > 18 || h->content_length != -1)
				return IGD_EPROTOCOL;
			for (size_t i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9')
					return IGD_EPROTOCOL;
				cl = cl * 10 + (v[i] - '0');
			}
			h->content_length = cl;
		} else if ((v = header_value(p, linelen, "Transfer-Encoding",
		    &vlen))) {
			if (vlen == 7 && strncasecmp(v, "chunked", 7) == 0)
				h->chunked = 1;
			else if (!(vlen == 8 && strncasecmp(v, "identity", 8) == 0))
				return IGD_EPROTOCOL;
		} else if ((v = header_value(p, linelen, "Server", &vlen))) {
			if (vlen >= sizeof(h->server))
				vlen = sizeof(h->server) - 1;
			memcpy(h->server, v, vlen);
			h->server[vlen] = '\0';
		}
		p = eol + 1;
	}
	if (h->chunked)
		h->content_length = -1;
	return 1;
}

int
http_dechunk(char *buf, size_t len, size_t *olen)
{
	size_t in = 0, out = 0;

	for (;;) {
		uint64_t size = 0;
		size_t digits = 0;
		const char *eol;

		/* chunk-size [; ext] CRLF */
		while (in < len) {
			char c = buf[in];
			int v;

			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			else
				break;
			if (++digits > 8)	/* over 4 GiB: absurd */
				return IGD_EPROTOCOL;
			size = size * 16 + (uint64_t)v;
			in++;
		}
		if (in >= len)
			return 0;
		if (digits == 0)
			return IGD_EPROTOCOL;
		if (buf[in] != '\r' && buf[in] != ';' && buf[in] != ' ' &&
		    buf[in] != '\t')
			return IGD_EPROTOCOL;
		eol = memchr(buf + in, '\n', len - in);
		if (eol == NULL)
			return (len - in > 1024) ? IGD_EPROTOCOL : 0;
		in = (size_t)(eol - buf) + 1;
		if (size == 0) {
			/* trailers end with an empty line; accept a missing one
			 * only at the very end of what was sent */
			*olen = out;
			buf[out] = '\0';
			return 1;
		}
		if (size > len - in)
			return 0;
		if (len - in - size < 2)
			return 0;
		memmove(buf + out, buf + in, (size_t)size);
		out += (size_t)size;
		in += (size_t)size;
		if (buf[in] == '\r')
			in++;
		if (buf[in] != '\n')
			return IGD_EPROTOCOL;
		in++;
	}
}

void
http_body_free(struct http_body *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/*
 * A lookup the deadline abandoned while the resolver thread still holds it:
 * glibc may not cancel a running request, and its thread writes into the
 * request until it ends, so the request is never freed.  Kept reachable here
 * (one per run at most: the run ends at its deadline anyway).
 */
static struct gaicb *abandoned_lookup;

int
http_resolve(const char *host, const char *port, int socktype,
    const struct deadline *dl, struct addrinfo **out, char *err,
    size_t errlen)
{
	struct addrinfo hints;
	struct gaicb *req;
	struct gaicb *list[1];
	int rc;

	*out = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	/* an address needs no lookup at all */
	if (getaddrinfo(host, port, &hints, out) == 0)
		return 0;
	*out = NULL;
	if (abandoned_lookup != NULL) {
		/* an earlier lookup of this run outlived the deadline: the
		 * resolver hangs, do not pile more threads onto it */
		msg_set(err, errlen, "cannot resolve %.64s: an earlier lookup "
		    "did not finish in time", host);
		return IGD_ETIMEOUT;
	}
	req = calloc(1, sizeof(*req) + sizeof(hints) + strlen(host) + 1 +
	    strlen(port) + 1);
	if (req == NULL)
		return IGD_ENOMEM;
	{
		/* the request, its hints and strings in one block that lives
		 * as long as the resolver may use it */
		struct addrinfo *h = (struct addrinfo *)(void *)(req + 1);
		char *hs = (char *)(h + 1), *ps;
		size_t hl = strlen(host) + 1;

		h->ai_socktype = socktype;
		h->ai_flags = AI_NUMERICSERV;
		memcpy(hs, host, hl);
		ps = hs + hl;
		memcpy(ps, port, strlen(port) + 1);
		req->ar_name = hs;
		req->ar_service = ps;
		req->ar_request = h;
	}
	list[0] = req;
	rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (rc != 0) {
		free(req);
		msg_set(err, errlen, "cannot resolve %.64s: %s", host,
		    gai_strerror(rc));
		return IGD_EADDRESS;
	}
	for (;;) {
		int left = deadline_left_ms(dl);
		struct timespec ts;
		const struct gaicb *const *wait = (const struct gaicb *const *)list;

		rc = gai_error(req);
		if (rc != EAI_INPROGRESS)
			break;
		if (left <= 0) {
			if (gai_cancel(req) == EAI_CANCELED) {
				free(req);
			} else {
				abandoned_lookup = req;
			}
			msg_set(err, errlen, "resolving %.64s did not finish "
			    "within the deadline (use an address)", host);
			return IGD_ETIMEOUT;
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		(void)gai_suspend(wait, 1, &ts);
	}
	if (rc != 0) {
		free(req);
		msg_set(err, errlen, "cannot resolve %.64s: %s", host,
		    gai_strerror(rc));
		return IGD_EADDRESS;
	}
	*out = req->ar_result;
	free(req);
	return 0;
}

/* Connect fd-less: returns a connected non-blocking socket or a code. */
static int
connect_by(const struct http_url *u, const struct deadline *dl, char *err,
    size_t errlen)
{
	struct addrinfo *res = NULL, *ai;
	int fd = -1, rc, code = IGD_ECONNECT;

	rc = http_resolve(u->host, u->port, SOCK_STREAM, dl, &res, err, errlen);
	if (rc != 0)
		return rc;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			close(fd);
			fd = -1;
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do {
			rc = poll(&pfd, 1, deadline_left_ms(dl));
		} while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			close(fd);
			fd = -1;
			code = IGD_ETIMEOUT;
			msg_set(err, errlen, "timeout connecting to %s:%s",
			    u->host, u->port);
			break;
		}
		if (rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
		    &sl) == 0 && soerr == 0)
			break;
		msg_set(err, errlen, "cannot connect to %s: %s", u->host,
		    strerror(soerr ? soerr : errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			msg_set(err, errlen, "cannot connect to %s:%s", u->host,
			    u->port);
		return code;
	}
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len, const struct deadline *dl)
{
	while (len > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t n;
		int rc;

		rc = poll(&pfd, 1, deadline_left_ms(dl));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return IGD_ETIMEOUT;
		if (rc < 0)
			return IGD_ESOCKET;
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return IGD_ECLOSED;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
http_request(const char *method, const char *url, const char *soapaction,
    const char *body, size_t body_len, size_t max_body,
    const struct deadline *dl, struct http_body *out, char *err, size_t errlen)
{
	struct http_url u;
	struct http_head h;
	char req[HTTP_PATH_MAX + HTTP_HOST_MAX + 1024];
	char *buf = NULL;
	size_t have = 0, cap, limit;
	int fd, n, rc, head_done = 0;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (http_url_parse(url, &u) != 0) {
		msg_set(err, errlen, "bad URL: %.200s%s", url, "");
		return IGD_EADDRESS;
	}
	n = snprintf(req, sizeof(req),
	    "%s %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n"
	    "User-Agent: check_igd/" CHECK_IGD_VERSION "\r\n"
	    "Connection: close\r\nAccept-Encoding: identity\r\n",
	    method, u.path, u.ipv6 ? "[" : "", u.host, u.ipv6 ? "]" : "",
	    strcmp(u.port, "80") ? ":" : "", strcmp(u.port, "80") ? u.port : "");
	if (n < 0 || (size_t)n >= sizeof(req))
		return IGD_EADDRESS;
	if (soapaction != NULL) {
		int m;

		/* a header value must not end the header early */
		for (const char *c = soapaction; *c; c++)
			if ((unsigned char)*c < ' ' || *c == 0x7f || *c == '"')
				return IGD_EADDRESS;
		m = snprintf(req + n, sizeof(req) - (size_t)n,
		    "SOAPAction: \"%s\"\r\n"
		    "Content-Type: text/xml; charset=\"utf-8\"\r\n", soapaction);
		if (m < 0 || (size_t)m >= sizeof(req) - (size_t)n)
			return IGD_EADDRESS;
		n += m;
	}
	if (body != NULL) {
		int m = snprintf(req + n, sizeof(req) - (size_t)n,
		    "Content-Length: %zu\r\n", body_len);
		if (m < 0 || (size_t)m >= sizeof(req) - (size_t)n)
			return IGD_EADDRESS;
		n += m;
	}
	if ((size_t)n + 3 > sizeof(req))
		return IGD_EADDRESS;
	memcpy(req + n, "\r\n", 3);
	n += 2;

	fd = connect_by(&u, dl, err, errlen);
	if (fd < 0)
		return fd;
	{
		/* head and body in one write: two small writes meet Nagle and
		 * delayed ACK and cost 40 ms per request */
		int one = 1;
		size_t total = (size_t)n + (body != NULL ? body_len : 0);
		char *whole = malloc(total);

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (whole == NULL) {
			close(fd);
			return IGD_ENOMEM;
		}
		memcpy(whole, req, (size_t)n);
		if (body != NULL)
			memcpy(whole + n, body, body_len);
		rc = send_all(fd, whole, total, dl);
		free(whole);
	}
	if (rc != 0) {
		msg_set(err, errlen, rc == IGD_ETIMEOUT ?
		    "timeout sending to %s%s" : "send to %s failed%s", u.host, "");
		close(fd);
		return rc;
	}

	limit = HTTP_HEAD_MAX + max_body;
	cap = READ_CHUNK * 2;
	buf = malloc(cap + 1);
	if (buf == NULL) {
		close(fd);
		return IGD_ENOMEM;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (head_done) {
			size_t blen = have - h.head_len;

			if (h.content_length >= 0 &&
			    blen >= (size_t)h.content_length)
				break;
			if (h.chunked) {
				/* try on a copy-free basis: dechunk a scratch */
				char *tmp = malloc(blen + 1);
				size_t olen;
				int d;

				if (tmp == NULL) {
					rc = IGD_ENOMEM;
					goto fail;
				}
				memcpy(tmp, buf + h.head_len, blen);
				d = http_dechunk(tmp, blen, &olen);
				free(tmp);
				if (d < 0) {
					rc = d;
					msg_set(err, errlen,
					    "malformed chunked body from %s%s",
					    u.host, "");
					goto fail;
				}
				if (d == 1)
					break;
			}
		}
		if (have >= limit) {
			rc = IGD_ETOOBIG;
			msg_set(err, errlen, "answer from %s exceeds %s", u.host,
			    "the size cap");
			goto fail;
		}
		rc = poll(&pfd, 1, deadline_left_ms(dl));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			rc = IGD_ETIMEOUT;
			msg_set(err, errlen, "timeout reading from %s%s", u.host,
			    "");
			goto fail;
		}
		if (rc < 0) {
			rc = IGD_ESOCKET;
			goto fail;
		}
		if (have + READ_CHUNK > cap) {
			size_t ncap = cap * 2;
			char *nb;

			if (ncap > limit + READ_CHUNK)
				ncap = limit + READ_CHUNK;
			nb = realloc(buf, ncap + 1);
			if (nb == NULL) {
				rc = IGD_ENOMEM;
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		{
			size_t room = cap - have;

			if (room > limit + 1 - have)
				room = limit + 1 - have;
			got = recv(fd, buf + have, room, 0);
		}
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			rc = IGD_ECLOSED;
			msg_set(err, errlen, "connection to %s failed: %s",
			    u.host, strerror(errno));
			goto fail;
		}
		if (got == 0) {
			/* closed: complete only if nothing more was promised */
			if (!head_done) {
				rc = have ? IGD_EPROTOCOL : IGD_ECLOSED;
				msg_set(err, errlen, "%s closed the connection "
				    "before a complete HTTP head%s", u.host, "");
				goto fail;
			}
			if (h.content_length >= 0 || h.chunked) {
				rc = IGD_ECLOSED;
				msg_set(err, errlen, "%s closed the connection "
				    "mid-body%s", u.host, "");
				goto fail;
			}
			break;
		}
		have += (size_t)got;
		if (!head_done) {
			rc = http_parse_head(buf, have, &h);
			if (rc < 0) {
				msg_set(err, errlen, "malformed HTTP answer "
				    "from %s%s", u.host, "");
				goto fail;
			}
			if (rc == 1) {
				head_done = 1;
				if (h.content_length > (long long)max_body) {
					rc = IGD_ETOOBIG;
					msg_set(err, errlen, "answer from %s "
					    "exceeds %s", u.host, "the size cap");
					goto fail;
				}
			}
		}
	}
	close(fd);
	fd = -1;

	/* move the body to the front */
	{
		size_t blen = have - h.head_len;

		if (h.content_length >= 0 && blen > (size_t)h.content_length)
			blen = (size_t)h.content_length;
		memmove(buf, buf + h.head_len, blen);
		if (h.chunked) {
			size_t olen = 0;

			if (http_dechunk(buf, blen, &olen) != 1) {
				rc = IGD_EPROTOCOL;
				goto fail;
			}
			blen = olen;
		}
		if (blen > max_body) {
			rc = IGD_ETOOBIG;
			msg_set(err, errlen, "answer from %s exceeds %s", u.host,
			    "the size cap");
			goto fail;
		}
		buf[blen] = '\0';
		out->data = buf;
		out->len = blen;
		out->status = h.status;
		memcpy(out->server, h.server, sizeof(out->server));
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}
