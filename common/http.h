/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http: a small HTTP/1.1 client for talking to IGDs, bounded in time and size.
 *
 * Every request ends by the caller's deadline whatever the server does
 * (silence, one byte a second, endless bodies), and no answer grows past the
 * cap the caller gives.  Bodies may come with Content-Length, chunked, or
 * until close.  Only http:// URLs with an address or a host name.
 * The parsing parts (URL, response head, chunked body) are pure functions.
 */
#ifndef CHECK_IGD_HTTP_H
#define CHECK_IGD_HTTP_H

#include <stddef.h>
#include "deadline.h"

#define HTTP_HOST_MAX    256
#define HTTP_PATH_MAX    1024
#define HTTP_URL_MAX     1400
#define HTTP_HEAD_MAX    (16 * 1024)	/* status line and headers */
#define HTTP_SERVER_MAX  128

struct http_url {
	char host[HTTP_HOST_MAX];	/* without brackets for IPv6 */
	char port[8];			/* "80" when absent */
	char path[HTTP_PATH_MAX];	/* "/" when absent; includes the query */
	int ipv6;			/* the host was an [IPv6] literal */
};

/* Parse an absolute http:// URL.  0, or IGD_EADDRESS. */
int http_url_parse(const char *url, struct http_url *u);

/*
 * Resolve ref against base (both URLs as text) into out (outlen bytes):
 * absolute http:// refs are kept, "/path" joins the base's scheme and host,
 * other refs join the base's directory.  0, or IGD_EADDRESS.
 */
int http_url_resolve(const char *base, const char *ref, char *out,
    size_t outlen);

struct addrinfo;

/*
 * Resolve host and numeric port for socktype (SOCK_STREAM, SOCK_DGRAM) by
 * dl: an address at once, a name through the system resolver without ever
 * waiting past the deadline (a resolver that hangs gives IGD_ETIMEOUT, and
 * later calls in the same run fail at once).  Returns 0 with *out to free
 * with freeaddrinfo(), IGD_EADDRESS (no such name) or IGD_ETIMEOUT, with
 * err set.
 */
int http_resolve(const char *host, const char *port, int socktype,
    const struct deadline *dl, struct addrinfo **out, char *err,
    size_t errlen);

/* What a response head says. */
struct http_head {
	int status;			/* 200, 500, ... */
	long long content_length;	/* -1 when absent */
	int chunked;			/* Transfer-Encoding: chunked */
	char server[HTTP_SERVER_MAX];	/* the Server header, "" when absent */
	size_t head_len;		/* bytes up to and including the blank line */
};

/*
 * Parse a response head from buf (len bytes).  Returns 1 and fills *h when
 * a complete head is there, 0 when more bytes are needed, IGD_EPROTOCOL for
 * a malformed head and IGD_ETOOBIG for a head over HTTP_HEAD_MAX.
 */
int http_parse_head(const char *buf, size_t len, struct http_head *h);

/*
 * Decode a chunked body in place: buf holds len raw bytes after the head.
 * Returns 1 and sets *olen when the final chunk was seen (the decoded body
 * is at the start of buf), 0 when more bytes are needed, IGD_EPROTOCOL for a
 * malformed or absurd chunk size.
 */
int http_dechunk(char *buf, size_t len, size_t *olen);

/* A response body; free with http_body_free(). */
struct http_body {
	int status;
	char server[HTTP_SERVER_MAX];
	char *data;			/* NUL-terminated, len bytes */
	size_t len;
};

/* Accepts NULL fields; resets the struct. */
void http_body_free(struct http_body *b);

/*
 * Send method (GET or POST) to url, with soapaction (or NULL) and body
 * (or NULL), and read the answer: at most max_body bytes of body, by
 * deadline.  Returns 0 with *out filled (whatever the HTTP status), or a
 * negative IGD_E* code with a message in err.
 */
int http_request(const char *method, const char *url, const char *soapaction,
    const char *body, size_t body_len, size_t max_body,
    const struct deadline *dl, struct http_body *out, char *err, size_t errlen);

#endif
