/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hostid: the LAN host behind an address (see hostid.h). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "hostid.h"

void
hostid_free(struct hostid *h)
{
	if (h == NULL)
		return;
	free(h->e);
	memset(h, 0, sizeof(*h));
}

const struct hostid_entry *
hostid_find(const struct hostid *h, const char *addr)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->e[i].addr, addr) == 0)
			return &h->e[i];
	return NULL;
}

/* The distinct addresses of addrs into h->e. */
static int
collect(struct hostid *h, const char *const *addrs, size_t n)
{
	h->e = calloc(n + 1, sizeof(*h->e));
	if (h->e == NULL)
		return IGD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct hostid_entry *e;

		if (addrs[i] == NULL || addrs[i][0] == '\0' ||
		    strlen(addrs[i]) >= sizeof(h->e[0].addr) ||
		    hostid_find(h, addrs[i]) != NULL)
			continue;
		e = &h->e[h->n++];
		memcpy(e->addr, addrs[i], strlen(addrs[i]) + 1);
	}
	return 0;
}

int
hostid_gather_from(struct hostid *h, const char *const *addrs, size_t n,
    const struct neigh_table *t, const struct hostid_opts *o,
    const struct deadline *dl)
{
	struct oui_query *q = NULL;
	size_t nq = 0;
	int rc;

	if (h->e == NULL && (rc = collect(h, addrs, n)) != 0)
		return rc;
	for (size_t i = 0; i < h->n; i++) {
		struct hostid_entry *e = &h->e[i];

		e->found = t != NULL ? neigh_lookup(t, e->addr, e->mac,
		    &e->kind) :
		    NEIGH_UNKNOWN;
		if (e->found == NEIGH_FOUND)
			nq++;
	}
	if (nq > 0) {
		size_t k = 0;

		q = calloc(nq, sizeof(*q));
		if (q == NULL)
			return IGD_ENOMEM;
		for (size_t i = 0; i < h->n; i++)
			if (h->e[i].found == NEIGH_FOUND)
				memcpy(q[k++].mac, h->e[i].mac, 6);
		h->oui_rc = oui_resolve(o->oui_dir, q, nq, dl, NULL, h->oui_err,
		    sizeof(h->oui_err));
		k = 0;
		for (size_t i = 0; i < h->n; i++) {
			if (h->e[i].found != NEIGH_FOUND)
				continue;
			h->e[i].vendor_bits = q[k].bits;
			memcpy(h->e[i].vendor, q[k].vendor,
			    sizeof(h->e[i].vendor));
			k++;
		}
		free(q);
	}
	if (o->names && h->n > 0) {
		struct rdns_query *rq = calloc(h->n, sizeof(*rq));

		if (rq == NULL)
			return IGD_ENOMEM;
		for (size_t i = 0; i < h->n; i++)
			memcpy(rq[i].addr, h->e[i].addr, sizeof(rq[i].addr));
		h->rdns_rc = rdns_resolve(rq, h->n, o->lookup, dl, h->rdns_err,
		    sizeof(h->rdns_err));
		for (size_t i = 0; i < h->n; i++) {
			h->e[i].named = 1;
			h->e[i].name_status = rq[i].status;
			memcpy(h->e[i].name, rq[i].name, sizeof(h->e[i].name));
		}
		free(rq);
	}
	return 0;
}

/* Mark the entries that are addresses of this host (getifaddrs). */
static void
mark_local(struct hostid *h)
{
	struct ifaddrs *ifa = NULL;

	if (getifaddrs(&ifa) != 0)
		return;
	for (const struct ifaddrs *p = ifa; p != NULL; p = p->ifa_next) {
		char a[INET6_ADDRSTRLEN];
		const void *src;

		if (p->ifa_addr == NULL)
			continue;
		if (p->ifa_addr->sa_family == AF_INET)
			src = &((const struct sockaddr_in *)(const void *)
			    p->ifa_addr)->sin_addr;
		else if (p->ifa_addr->sa_family == AF_INET6)
			src = &((const struct sockaddr_in6 *)(const void *)
			    p->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(p->ifa_addr->sa_family, src, a, sizeof(a)) == NULL)
			continue;
		for (size_t i = 0; i < h->n; i++)
			if (strcmp(h->e[i].addr, a) == 0)
				h->e[i].local = 1;
	}
	freeifaddrs(ifa);
}

int
hostid_gather(struct hostid *h, const char *const *addrs, size_t n,
    const struct hostid_opts *o, const struct deadline *dl)
{
	struct neigh_table t;
	int rc;

	memset(h, 0, sizeof(*h));
	if ((rc = collect(h, addrs, n)) != 0)
		return rc;
	neigh_init(&t);
	h->neigh_rc = h->n > 0 ? neigh_read(&t, dl, h->neigh_err,
	    sizeof(h->neigh_err)) : 0;
	h->neigh_truncated = t.truncated;
	mark_local(h);
	rc = hostid_gather_from(h, addrs, n, h->neigh_rc == 0 ? &t : NULL, o,
	    dl);
	neigh_free(&t);
	return rc;
}

void
hostid_text(const struct hostid_entry *e, int registry_ok, char *buf,
    size_t len)
{
	char mac[NEIGH_MAC_TEXT];
	int n;

	if (e->local) {
		snprintf(buf, len, "this host");
		return;
	}
	switch (e->found) {
	case NEIGH_FOUND:
		neigh_mac_format(e->mac, mac, sizeof(mac));
		if (e->vendor_bits > 0)
			n = snprintf(buf, len, "%s %s", mac, e->vendor);
		else if (neigh_mac_is_local(e->mac))
			n = snprintf(buf, len, "%s locally administered", mac);
		else if (!registry_ok)
			n = snprintf(buf, len, "%s vendor unknown (no "
			    "registry)", mac);
		else
			n = snprintf(buf, len, "%s vendor unknown", mac);
		break;
	case NEIGH_AMBIGUOUS:
		n = snprintf(buf, len, "MAC ambiguous");
		break;
	default:
		n = snprintf(buf, len, "MAC unknown");
		break;
	}
	if (n < 0 || (size_t)n >= len || !e->named)
		return;
	switch (e->name_status) {
	case RDNS_CONFIRMED:
		snprintf(buf + n, len - (size_t)n, ", %s", e->name);
		break;
	case RDNS_UNCONFIRMED:
		snprintf(buf + n, len - (size_t)n, ", %s (name not confirmed)",
		    e->name);
		break;
	default:
		snprintf(buf + n, len - (size_t)n, ", %s",
		    rdns_status_text(e->name_status));
		break;
	}
}
