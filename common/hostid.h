/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hostid: which LAN host is behind each internal client of a port-mapping
 * table, as the monitoring host sees it without sending traffic: the MAC
 * address from the kernel's neighbour table (neigh), its vendor from the
 * IEEE registry (oui), and, when asked, its name by reverse lookup (rdns).
 *
 * Unknown is said as unknown: no neighbour entry (the monitor is not on
 * that segment, or has not talked to the host), an address with two MAC
 * addresses (ambiguous), a prefix nobody registered, a locally
 * administered (random) address, no registry installed.  The text of an
 * entry is built by hostid_text() (pure).  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_HOSTID_H
#define CHECK_IGD_HOSTID_H

#include <stddef.h>
#include "deadline.h"
#include "neigh.h"
#include "oui.h"
#include "rdns.h"

#define HOSTID_TEXT_MAX 384

struct hostid_entry {
	char addr[RDNS_ADDR_MAX];
	int local;			/* an address of the monitoring host */
	enum neigh_found found;		/* NEIGH_FOUND: mac is set */
	unsigned char mac[6];
	enum neigh_kind kind;		/* with NEIGH_FOUND: reachable,
					   permanent, or seen (stale) */
	int vendor_bits;		/* 0: no registered prefix */
	char vendor[OUI_VENDOR_MAX];
	int named;			/* a name lookup was asked */
	enum rdns_status name_status;
	char name[RDNS_NAME_MAX];
};

struct hostid {
	struct hostid_entry *e;		/* owned; one per distinct address */
	size_t n;
	int neigh_rc;			/* 0, or why the table could not be read */
	char neigh_err[160];
	int neigh_truncated;
	int oui_rc;			/* 0, or why the registry could not be read */
	char oui_err[160];
	int rdns_rc;			/* 0, IGD_ETIMEOUT, ... */
	char rdns_err[160];
};

/* What to gather. */
struct hostid_opts {
	int names;			/* reverse lookups too */
	const char *oui_dir;		/* NULL: OUI_DIR_DEFAULT */
	rdns_lookup_fn lookup;		/* NULL: the system resolver (tests) */
};

/*
 * Gather the host of every address of addrs[0..n) (duplicates merged) by
 * dl.  Returns 0 (what could not be learned is in h's *_rc fields and the
 * entries say unknown), or IGD_ENOMEM.  Free with hostid_free().
 */
int hostid_gather(struct hostid *h, const char *const *addrs, size_t n,
    const struct hostid_opts *o, const struct deadline *dl);

/*
 * The same with a neighbour table already read (tests, benches): no
 * netlink.  The registry and names as o says.
 */
int hostid_gather_from(struct hostid *h, const char *const *addrs, size_t n,
    const struct neigh_table *t, const struct hostid_opts *o,
    const struct deadline *dl);

/* The entry for addr, or NULL. */
const struct hostid_entry *hostid_find(const struct hostid *h,
    const char *addr);

/*
 * Pure: "b8:27:eb:12:34:56 Raspberry Pi Foundation, kids-pc.lan", or
 * "this host" (an address of the monitoring host), "MAC unknown", "MAC ambiguous", "... vendor unknown", "... locally
 * administered", ", name not confirmed: x", into buf (len bytes).
 * registry_ok 0 says the registry could not be read.
 */
void hostid_text(const struct hostid_entry *e, int registry_ok, char *buf,
    size_t len);

/* Accepts a zeroed struct. */
void hostid_free(struct hostid *h);

#endif
