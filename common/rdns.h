/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rdns: host names of LAN addresses by reverse lookup, within the run's
 * deadline, only when the user asks for them.
 *
 * getnameinfo() has no timeout of its own (a dead resolver holds it for
 * resolv.conf's timeout x attempts, often 10 s or more), so the lookups run
 * in a child process that writes one line per address to a pipe; the parent
 * reads by the deadline and then kills and reaps the child.  Every name is
 * checked forward (the name must resolve back to the address): a PTR record
 * is whatever the owner of the reverse zone (or a LAN host registering its
 * own DHCP name) wants it to say, so an unconfirmed name is marked so.
 * Names with characters outside [A-Za-z0-9._-] are refused.  The parser of
 * the child's lines is pure.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_RDNS_H
#define CHECK_IGD_RDNS_H

#include <stddef.h>
#include "deadline.h"

#define RDNS_NAME_MAX   254		/* a DNS name (253) and NUL */
#define RDNS_ADDR_MAX   64
#define RDNS_QUERIES_MAX 4096
#define RDNS_LINE_MAX   (RDNS_NAME_MAX + 32)

enum rdns_status {
	RDNS_PENDING = 0,	/* no answer by the deadline */
	RDNS_CONFIRMED,		/* the name resolves back to the address */
	RDNS_UNCONFIRMED,	/* a PTR name that does not resolve back */
	RDNS_NONAME,		/* no name for the address */
	RDNS_BADNAME,		/* a name with characters a host name cannot hold */
	RDNS_BADADDR		/* not a numeric address */
};

struct rdns_query {
	char addr[RDNS_ADDR_MAX];	/* numeric IPv4 or IPv6, in */
	enum rdns_status status;	/* out */
	char name[RDNS_NAME_MAX];	/* out: CONFIRMED and UNCONFIRMED */
};

/*
 * The lookup run in the child for one address: fill name (namelen bytes)
 * and return an rdns_status.  rdns_lookup_system is the real one
 * (getnameinfo, then getaddrinfo to confirm).
 */
typedef enum rdns_status (*rdns_lookup_fn)(const char *addr, char *name,
    size_t namelen);
enum rdns_status rdns_lookup_system(const char *addr, char *name,
    size_t namelen);

/*
 * Look up every q[i].addr with lookup (NULL: rdns_lookup_system) by dl.
 * Returns 0 when every query was answered, IGD_ETIMEOUT when the deadline
 * cut some (they stay RDNS_PENDING), IGD_ECLOSED when the child ended
 * before answering all (the rest stay PENDING), IGD_ESOCKET with err set when the
 * child could not be started, IGD_ELIMIT when n > RDNS_QUERIES_MAX.
 */
int rdns_resolve(struct rdns_query *q, size_t n, rdns_lookup_fn lookup,
    const struct deadline *dl, char *err, size_t errlen);

/*
 * Pure: apply one line of the child's output ("INDEX CODE [NAME]", no
 * newline) to q[0..n).  0, or -1 for a malformed line or bad index.
 */
int rdns_parse_line(const char *line, size_t len, struct rdns_query *q,
    size_t n);

/* 1 when s (len bytes) is a plausible host name: 1-253 bytes of
 * [A-Za-z0-9._-], no empty label. */
int rdns_name_ok(const char *s, size_t len);

/* Short text for a status ("name not confirmed", ...). */
const char *rdns_status_text(enum rdns_status s);

#endif
