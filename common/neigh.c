/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * neigh: the kernel's neighbour table, read passively (see neigh.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "hex.h"
#include "msg.h"
#include "neigh.h"

void
neigh_init(struct neigh_table *t)
{
	memset(t, 0, sizeof(*t));
}

void
neigh_free(struct neigh_table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	neigh_init(t);
}

static int
add_entry(struct neigh_table *t, const struct neigh_entry *e)
{
	static const unsigned char zero[6];

	if (memcmp(e->mac, zero, 6) == 0)
		return 0;		/* not a real station */
	if (t->n >= NEIGH_ENTRIES_MAX) {
		t->truncated = 1;
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct neigh_entry *p;

		if (cap > NEIGH_ENTRIES_MAX)
			cap = NEIGH_ENTRIES_MAX;
		p = realloc(t->e, cap * sizeof(*p));
		if (p == NULL)
			return IGD_ENOMEM;
		t->e = p;
		t->cap = cap;
	}
	t->e[t->n++] = *e;
	return 0;
}

/* The states in which the kernel holds a MAC address it has observed. */
#define USABLE_STATES (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
    NUD_PERMANENT | NUD_NOARP)

int
neigh_kind_confirmed(enum neigh_kind kind)
{
	return kind == NEIGH_REACHABLE || kind == NEIGH_PERMANENT;
}

const char *
neigh_kind_name(enum neigh_kind kind)
{
	return kind == NEIGH_REACHABLE ? "reachable" :
	    kind == NEIGH_PERMANENT ? "permanent" : "stale";
}

/* The kind of an entry in NUD state state (one of USABLE_STATES). */
static enum neigh_kind
kind_of(unsigned state)
{
	if (state & (NUD_PERMANENT | NUD_NOARP))
		return NEIGH_PERMANENT;
	if (state & NUD_REACHABLE)
		return NEIGH_REACHABLE;
	return NEIGH_SEEN;	/* stale, delay, probe: not confirmed now */
}

static int
parse_newneigh(const struct nlmsghdr *h, struct neigh_table *t)
{
	const struct ndmsg *nd = NLMSG_DATA(h);
	const struct rtattr *rta;
	int rtlen;
	struct neigh_entry e;
	int have_dst = 0, have_mac = 0;
	size_t alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return IGD_EPROTOCOL;
	if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)
		return 0;
	if ((nd->ndm_state & USABLE_STATES) == 0 ||
	    (nd->ndm_flags & NTF_PROXY) != 0)
		return 0;
	memset(&e, 0, sizeof(e));
	e.family = nd->ndm_family;
	e.ifindex = nd->ndm_ifindex;
	e.kind = kind_of(nd->ndm_state);
	alen = nd->ndm_family == AF_INET ? 4 : 16;
	rtlen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	rta = (const struct rtattr *)((const char *)nd +
	    NLMSG_ALIGN(sizeof(*nd)));
	for (; RTA_OK(rta, rtlen); rta = RTA_NEXT(rta, rtlen)) {
		size_t plen = RTA_PAYLOAD(rta);

		if (rta->rta_type == NDA_DST) {
			if (plen != alen)
				return 0;
			memcpy(e.addr, RTA_DATA(rta), alen);
			have_dst = 1;
		} else if (rta->rta_type == NDA_LLADDR) {
			if (plen != 6)
				return 0;	/* not Ethernet-like */
			memcpy(e.mac, RTA_DATA(rta), 6);
			have_mac = 1;
		}
	}
	if (!have_dst || !have_mac)
		return 0;
	return add_entry(t, &e);
}

int
neigh_parse_netlink(const void *buf, size_t len, struct neigh_table *t)
{
	const struct nlmsghdr *h = buf;
	int left;		/* int: NLMSG_NEXT may take it below zero */

	if (len > (size_t)0x7fffffff)
		return IGD_EPROTOCOL;
	left = (int)len;
	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		int rc;

		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR)
			return IGD_EPROTOCOL;
		if (h->nlmsg_type != RTM_NEWNEIGH)
			continue;
		rc = parse_newneigh(h, t);
		if (rc < 0)
			return rc;
	}
	if (left != 0)
		return IGD_EPROTOCOL;	/* a message cut short */
	return 0;
}

/* Next line of buf[*pos..len) as (line, n); 0 at the end. */
static int
next_line(const char *buf, size_t len, size_t *pos, const char **line,
    size_t *n)
{
	size_t i = *pos;

	if (i >= len)
		return 0;
	*line = buf + i;
	while (i < len && buf[i] != '\n')
		i++;
	*n = (size_t)(buf + i - *line);
	*pos = i < len ? i + 1 : i;
	return 1;
}

/* Up to max whitespace-separated fields of line into f (as NUL-terminated
 * copies in store, storelen bytes).  Returns the field count. */
static int
split_fields(const char *line, size_t n, char *store, size_t storelen,
    char **f, int max)
{
	size_t i = 0, o = 0;
	int k = 0;

	while (i < n && k < max) {
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= n)
			break;
		f[k++] = store + o;
		while (i < n && line[i] != ' ' && line[i] != '\t') {
			if (o + 1 >= storelen)
				return -1;
			store[o++] = line[i++];
		}
		if (o + 1 >= storelen)
			return -1;
		store[o++] = '\0';
	}
	return k;
}

int
neigh_parse_proc_arp(const char *buf, size_t len, struct neigh_table *t)
{
	size_t pos = 0, n;
	const char *line;

	if (!next_line(buf, len, &pos, &line, &n) || n < 10 ||
	    memcmp(line, "IP address", 10) != 0)
		return IGD_EPROTOCOL;
	while (next_line(buf, len, &pos, &line, &n)) {
		char store[256], *f[6], *end;
		struct neigh_entry e;
		unsigned long flags;
		int k, rc;

		k = split_fields(line, n, store, sizeof(store), f, 6);
		if (k < 4)
			continue;
		memset(&e, 0, sizeof(e));
		e.family = AF_INET;
		if (inet_pton(AF_INET, f[0], e.addr) != 1)
			continue;
		errno = 0;
		flags = strtoul(f[2], &end, 16);
		if (errno != 0 || *end != '\0' || (flags & ATF_COM) == 0)
			continue;
		if (neigh_mac_parse(f[3], e.mac) != 6)
			continue;
		e.kind = (flags & ATF_PERM) ? NEIGH_PERMANENT : NEIGH_SEEN;
		rc = add_entry(t, &e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
read_proc_arp(struct neigh_table *t, char *err, size_t errlen)
{
	int fd = open("/proc/net/arp", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	char *buf;
	size_t len = 0, cap = 64 * 1024;
	int rc;

	if (fd < 0) {
		msg_set(err, errlen, "/proc/net/arp: %s", strerror(errno));
		return IGD_ESOCKET;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return IGD_ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *p;

			if (cap >= NEIGH_READ_MAX) {
				t->truncated = 1;
				break;
			}
			p = realloc(buf, cap * 2);
			if (p == NULL) {
				free(buf);
				close(fd);
				return IGD_ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	rc = neigh_parse_proc_arp(buf, len, t);
	free(buf);
	if (rc == IGD_EPROTOCOL)
		msg_set(err, errlen, "/proc/net/arp: unexpected format");
	if (rc == 0)
		t->source = NEIGH_SRC_PROC;
	return rc;
}

static int
read_netlink(struct neigh_table *t, const struct deadline *dl, char *err,
    size_t errlen)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req;
	struct sockaddr_nl kernel;
	size_t total = 0;
	char *buf;
	const size_t buflen = 64 * 1024;
	int fd, rc = 0;
	const uint32_t seq = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_ROUTE);
	if (fd < 0) {
		msg_set(err, errlen, "netlink: %s", strerror(errno));
		return IGD_ESOCKET;
	}
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = seq;
	req.nd.ndm_family = AF_UNSPEC;	/* IPv4 and IPv6 */
	memset(&kernel, 0, sizeof(kernel));
	kernel.nl_family = AF_NETLINK;
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel,
	    sizeof(kernel)) < 0) {
		msg_set(err, errlen, "netlink: %s", strerror(errno));
		close(fd);
		return IGD_ESOCKET;
	}
	buf = malloc(buflen);
	if (buf == NULL) {
		close(fd);
		return IGD_ENOMEM;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		const struct nlmsghdr *h;
		ssize_t r;
		int left = deadline_left_ms(dl), prc;

		if (left == 0) {
			msg_set(err, errlen, "netlink: no complete answer by "
			    "the deadline");
			rc = IGD_ETIMEOUT;
			break;
		}
		prc = poll(&pfd, 1, left);
		if (prc < 0 && errno == EINTR)
			continue;
		if (prc <= 0)
			continue;
		r = recvfrom(fd, buf, buflen, 0, (struct sockaddr *)&from, &fl);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			msg_set(err, errlen, "netlink: %s", strerror(errno));
			rc = IGD_ESOCKET;
			break;
		}
		/* only the kernel's answers to this request */
		if (fl < sizeof(from) || from.nl_pid != 0)
			continue;
		h = (const struct nlmsghdr *)buf;
		if ((size_t)r >= sizeof(*h) && h->nlmsg_seq != seq)
			continue;
		total += (size_t)r;
		if (total > NEIGH_READ_MAX) {
			t->truncated = 1;
			break;
		}
		rc = neigh_parse_netlink(buf, (size_t)r, t);
		if (rc == 1) {
			rc = 0;
			t->source = NEIGH_SRC_NETLINK;
			break;
		}
		if (rc < 0) {
			msg_set(err, errlen, "netlink: malformed or refused "
			    "neighbour dump");
			break;
		}
	}
	free(buf);
	close(fd);
	return rc;
}

int
neigh_read(struct neigh_table *t, const struct deadline *dl, char *err,
    size_t errlen)
{
	int rc = read_netlink(t, dl, err, errlen);

	if (rc == IGD_ESOCKET || rc == IGD_EPROTOCOL) {
		/* netlink refused (seccomp, odd kernel): IPv4 from /proc */
		t->n = 0;
		t->truncated = 0;
		rc = read_proc_arp(t, err, errlen);
	}
	if (rc != 0)
		t->source = NEIGH_SRC_NONE;
	return rc;
}

enum neigh_found
neigh_lookup(const struct neigh_table *t, const char *addr,
    unsigned char mac[6], enum neigh_kind *kind)
{
	unsigned char a[16];
	int family;
	size_t alen;
	int found = 0;
	unsigned char first[6];
	enum neigh_kind k = NEIGH_SEEN;

	if (addr == NULL)
		return NEIGH_BADADDR;
	if (inet_pton(AF_INET, addr, a) == 1) {
		family = AF_INET;
		alen = 4;
	} else if (inet_pton(AF_INET6, addr, a) == 1) {
		family = AF_INET6;
		alen = 16;
	} else {
		return NEIGH_BADADDR;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct neigh_entry *e = &t->e[i];

		if (e->family != family || memcmp(e->addr, a, alen) != 0)
			continue;
		if (found && memcmp(first, e->mac, 6) != 0)
			return NEIGH_AMBIGUOUS;
		if (!found) {
			memcpy(first, e->mac, 6);
			k = e->kind;
		} else if (!neigh_kind_confirmed(k)) {
			k = e->kind;	/* the most confirmed of them */
		}
		found = 1;
	}
	if (!found)
		return NEIGH_UNKNOWN;
	memcpy(mac, first, 6);
	if (kind != NULL)
		*kind = k;
	return NEIGH_FOUND;
}

int
neigh_mac_format(const unsigned char mac[6], char *buf, size_t len)
{
	int n = snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
	    mac[1], mac[2], mac[3], mac[4], mac[5]);

	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int
neigh_mac_parse(const char *s, unsigned char mac[6])
{
	size_t len, i;
	int k = 0;

	memset(mac, 0, 6);
	if (s == NULL)
		return -1;
	len = strlen(s);
	if (len == 6 || len == 12) {
		/* bare hex digits: "b827eb" or "b827eb123456" */
		for (i = 0; i < len; i += 2) {
			int hi = hex_val(s[i]), lo = hex_val(s[i + 1]);

			if (hi < 0 || lo < 0)
				return -1;
			mac[k++] = (unsigned char)(hi << 4 | lo);
		}
		return k;
	}
	i = 0;
	for (;;) {
		int hi, lo;
		char sep;

		if (k == 6 || i + 2 > len)
			return -1;
		hi = hex_val(s[i]);
		lo = hex_val(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		mac[k++] = (unsigned char)(hi << 4 | lo);
		i += 2;
		if (i == len)
			return k;
		sep = s[i];
		if ((sep != ':' && sep != '-') || (k > 1 && sep != s[2]))
			return -1;
		i++;
	}
}

int
neigh_mac_is_local(const unsigned char mac[6])
{
	return (mac[0] & 0x02) != 0;
}
