/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssdp: SSDP M-SEARCH discovery (see ssdp.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "msg.h"
#include "ssdp.h"

#define SSDP_MCAST_V4 "239.255.255.250"

static const char *const search_targets[] = {
	"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
	"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
};

static void
copy_value(char *dst, size_t dstlen, const char *v, size_t vlen)
{
	if (vlen >= dstlen)
		vlen = dstlen - 1;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
}

int
ssdp_parse(const char *buf, size_t len, struct ssdp_answer *a)
{
	const char *p = buf, *end = buf + len, *eol;
	int first = 1;

	a->location[0] = a->st[0] = a->usn[0] = a->server[0] = '\0';
	while (p < end) {
		size_t ll;
		const char *colon, *v, *ve;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		ll = (size_t)(eol - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (first) {
			/* HTTP/1.x 200 */
			if (ll < 12 || strncasecmp(p, "HTTP/1.", 7) != 0 ||
			    strncmp(p + 8, " 200", 4) != 0)
				return IGD_EPROTOCOL;
			first = 0;
		} else if (ll == 0) {
			break;
		} else if ((colon = memchr(p, ':', ll)) != NULL) {
			size_t nl = (size_t)(colon - p);

			v = colon + 1;
			ve = p + ll;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (nl == 8 && strncasecmp(p, "LOCATION", 8) == 0)
				copy_value(a->location, sizeof(a->location), v,
				    (size_t)(ve - v));
			else if (nl == 2 && strncasecmp(p, "ST", 2) == 0)
				copy_value(a->st, sizeof(a->st), v,
				    (size_t)(ve - v));
			else if (nl == 3 && strncasecmp(p, "USN", 3) == 0)
				copy_value(a->usn, sizeof(a->usn), v,
				    (size_t)(ve - v));
			else if (nl == 6 && strncasecmp(p, "SERVER", 6) == 0)
				copy_value(a->server, sizeof(a->server), v,
				    (size_t)(ve - v));
		}
		p = eol + 1;
	}
	if (first || a->location[0] == '\0')
		return IGD_EPROTOCOL;
	return 0;
}

int
ssdp_is_igd(const struct ssdp_answer *a)
{
	static const char igd[] = "urn:schemas-upnp-org:device:InternetGatewayDevice:";

	return strncmp(a->st, igd, sizeof(igd) - 1) == 0;
}

/* Compare two numeric addresses as binary (handles v4-mapped forms). */
static int
same_address(const char *x, const char *y)
{
	unsigned char a[16], b[16];

	if (inet_pton(AF_INET, x, a) == 1 && inet_pton(AF_INET, y, b) == 1)
		return memcmp(a, b, 4) == 0;
	if (inet_pton(AF_INET6, x, a) == 1 && inet_pton(AF_INET6, y, b) == 1)
		return memcmp(a, b, 16) == 0;
	return 0;
}

int
ssdp_location_is_sender(const struct ssdp_answer *a)
{
	struct http_url u;

	if (http_url_parse(a->location, &u) != 0)
		return 0;
	return same_address(u.host, a->sender);
}

int
ssdp_is_wanted(const struct ssdp_search *s, const struct ssdp_answer *a)
{
	if (s->want_udn != NULL && s->want_udn[0] != '\0') {
		size_t n = strlen(s->want_udn);

		/* USN: "uuid:DEVICE-UUID::urn:schemas-upnp-org:device:..." */
		if (strncasecmp(a->usn, s->want_udn, n) != 0 ||
		    (a->usn[n] != '\0' && a->usn[n] != ':'))
			return 0;
	}
	if (s->want_location != NULL && s->want_location[0] != '\0' &&
	    strcmp(a->location, s->want_location) != 0)
		return 0;
	return 1;
}

static int
send_searches(int fd, const struct sockaddr *to, socklen_t tolen,
    const char *hosthdr)
{
	int sent = 0;

	for (size_t i = 0; i < sizeof(search_targets) / sizeof(*search_targets);
	    i++) {
		char msg[512];
		int n = snprintf(msg, sizeof(msg),
		    "M-SEARCH * HTTP/1.1\r\nHOST: %s\r\n"
		    "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: %s\r\n\r\n",
		    hosthdr, search_targets[i]);

		if (n < 0 || (size_t)n >= sizeof(msg))
			return -1;
		if (sendto(fd, msg, (size_t)n, 0, to, tolen) == n)
			sent++;
	}
	return sent ? 0 : -1;
}

static int
set_interface(int fd, const char *iface, char *err, size_t errlen)
{
	struct ip_mreqn mreq;

	memset(&mreq, 0, sizeof(mreq));
	if (inet_pton(AF_INET, iface, &mreq.imr_address) != 1) {
		unsigned idx = if_nametoindex(iface);

		if (idx == 0) {
			msg_set(err, errlen, "no such interface or IPv4 "
			    "address: %.64s", iface);
			return IGD_EADDRESS;
		}
		mreq.imr_ifindex = (int)idx;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq,
	    sizeof(mreq)) != 0) {
		msg_set(err, errlen, "cannot use interface %.64s: %s", iface,
		    strerror(errno));
		return IGD_EADDRESS;
	}
	return 0;
}

static void
record(struct ssdp_result *res, const struct ssdp_answer *a)
{
	for (size_t i = 0; i < res->n; i++) {
		if (strcmp(res->answers[i].location, a->location) == 0) {
			res->duplicates++;
			return;
		}
	}
	if (res->n < SSDP_ANSWERS_MAX)
		res->answers[res->n++] = *a;
	else if (res->over_cap < UINT_MAX)
		res->over_cap++;	/* a census can say "more than" */
}

int
ssdp_search(const struct ssdp_search *s, const struct deadline *dl,
    struct ssdp_result *res, char *err, size_t errlen)
{
	struct sockaddr_storage to;
	socklen_t tolen;
	char hosthdr[SSDP_ADDR_MAX + 16], portstr[8], target[SSDP_ADDR_MAX];
	int fd, family = AF_INET;
	int64_t start, next_send;
	int sends = 0;
	struct deadline window;

	memset(res, 0, sizeof(*res));
	snprintf(portstr, sizeof(portstr), "%u", (s->port ? s->port : 1900) & 0xffffu);
	memset(&to, 0, sizeof(to));
	if (s->unicast != NULL) {
		struct addrinfo *ai = NULL;
		int rc;

		/* a host name is resolved within the run's deadline */
		rc = http_resolve(s->unicast, portstr, SOCK_DGRAM, dl, &ai, err,
		    errlen);
		if (rc != 0)
			return rc;
		if (ai == NULL) {
			msg_set(err, errlen, "cannot resolve %.64s", s->unicast);
			return IGD_EADDRESS;
		}
		memcpy(&to, ai->ai_addr, ai->ai_addrlen);
		tolen = ai->ai_addrlen;
		family = ai->ai_family;
		freeaddrinfo(ai);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&to;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)(s->port ? s->port : 1900));
		inet_pton(AF_INET, SSDP_MCAST_V4, &sin->sin_addr);
		tolen = sizeof(*sin);
	}
	if (getnameinfo((struct sockaddr *)&to, tolen, target, sizeof(target),
	    NULL, 0, NI_NUMERICHOST) != 0)
		return IGD_EADDRESS;
	snprintf(hosthdr, sizeof(hosthdr), "%s%s%s:%s",
	    family == AF_INET6 ? "[" : "", s->unicast ? target : SSDP_MCAST_V4,
	    family == AF_INET6 ? "]" : "", portstr);

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		msg_set(err, errlen, "socket: %s", strerror(errno));
		return IGD_ESOCKET;
	}
	if (s->unicast == NULL) {
		unsigned char ttl = 2;

		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
		if (s->iface != NULL) {
			int rc = set_interface(fd, s->iface, err, errlen);

			if (rc != 0) {
				close(fd);
				return rc;
			}
		}
	}

	start = deadline_now_ms();
	window = s->census ? deadline_within(dl, s->window_ms) : *dl;
	next_send = start;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t now = deadline_now_ms();
		int wait, rc;

		if (deadline_left_ms(&window) == 0)
			break;
		if (now >= next_send && sends < 3) {
			/* UDP may be lost: send again after 250 ms, 1 s */
			if (send_searches(fd, (struct sockaddr *)&to, tolen,
			    hosthdr) != 0 && sends == 0) {
				msg_set(err, errlen, "cannot send M-SEARCH to "
				    "%s: %s", hosthdr, strerror(errno));
				close(fd);
				return IGD_ESOCKET;
			}
			sends++;
			next_send = start + (sends == 1 ? 250 : 1000);
		}
		wait = deadline_left_ms(&window);
		if (sends < 3 && next_send - now < wait)
			wait = (int)(next_send - now > 0 ? next_send - now : 0);
		rc = poll(&pfd, 1, wait);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		for (;;) {
			char buf[2048];
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			struct ssdp_answer a;
			ssize_t n;

			n = recvfrom(fd, buf, sizeof(buf) - 1, 0,
			    (struct sockaddr *)&from, &fl);
			if (n < 0)
				break;
			if (res->datagrams >= SSDP_DATAGRAMS_MAX) {
				/* one more came: what it and the rest
				 * said is not known */
				res->stopped = 1;
				goto done;
			}
			res->datagrams++;
			memset(&a, 0, sizeof(a));
			if (getnameinfo((struct sockaddr *)&from, fl, a.sender,
			    sizeof(a.sender), NULL, 0, NI_NUMERICHOST) != 0)
				continue;
			if (s->unicast != NULL && !same_address(a.sender, target)) {
				res->foreign++;
				continue;
			}
			buf[n] = '\0';
			if (ssdp_parse(buf, (size_t)n, &a) != 0) {
				res->malformed++;
				continue;
			}
			if (!ssdp_is_igd(&a)) {
				res->other_types++;
				continue;
			}
			if (!ssdp_location_is_sender(&a)) {
				res->refused_location++;
				memcpy(res->refused_example, a.location,
				    sizeof(a.location));
				continue;
			}
			a.elapsed_ms = deadline_now_ms() - start;
			record(res, &a);
			if (!s->census && ssdp_is_wanted(s, &a))
				goto done;
		}
	}
done:
	close(fd);
	return 0;
}
