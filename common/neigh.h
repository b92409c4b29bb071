/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * neigh: the kernel's neighbour table (ARP for IPv4, NDP for IPv6) as the
 * monitoring host already knows it: which MAC address answers for a LAN
 * address.  Read-only and passive: nothing here sends a packet to the LAN,
 * so a host the monitor has not talked to recently is simply not there,
 * and that is said as "unknown", never guessed.
 *
 * neigh_read() dumps the table over rtnetlink (RTM_GETNEIGH, IPv4 and IPv6),
 * falling back to /proc/net/arp (IPv4 only) when netlink is refused.  The
 * parsers (neigh_parse_netlink, neigh_parse_proc_arp) are pure.  Entries are
 * capped at NEIGH_ENTRIES_MAX; past it the table says it is incomplete.
 * An address seen with two different MAC addresses (two interfaces, or ARP
 * spoofing) is ambiguous and reported so.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_NEIGH_H
#define CHECK_IGD_NEIGH_H

#include <stddef.h>
#include <stdint.h>
#include "deadline.h"

#define NEIGH_ENTRIES_MAX  8192		/* entries kept; more: incomplete */
#define NEIGH_READ_MAX     (4 * 1024 * 1024)	/* bytes read from the kernel */
#define NEIGH_MAC_TEXT     18		/* "aa:bb:cc:dd:ee:ff" and NUL */

/*
 * What the kernel says of an entry, coarsely.  Only a confirmed entry says
 * who holds the address now: a stale one may name a host that left (and
 * whose address DHCP gave to another), so a policy decision never rests
 * on it (neigh_kind_confirmed).
 */
enum neigh_kind {
	NEIGH_SEEN = 0,		/* stale, delay, probe: observed once, not
				   confirmed now; also every /proc/net/arp
				   entry not permanent (it cannot tell) */
	NEIGH_PERMANENT = 1,	/* set by hand (static ARP), or noarp */
	NEIGH_REACHABLE = 2	/* reachable: confirmed by the kernel now */
};

/* 1 for an entry the kernel vouches for now (reachable, permanent). */
int neigh_kind_confirmed(enum neigh_kind kind);

/* "reachable", "permanent" or "stale" (for SEEN). */
const char *neigh_kind_name(enum neigh_kind kind);

struct neigh_entry {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];		/* network order; 4 bytes for IPv4 */
	unsigned char mac[6];
	int ifindex;			/* 0 when unknown (/proc/net/arp) */
	enum neigh_kind kind;
};

struct neigh_table {
	struct neigh_entry *e;		/* owned; free with neigh_free() */
	size_t n, cap;
	int truncated;			/* more than NEIGH_ENTRIES_MAX */
	int source;			/* NEIGH_SRC_* */
};

#define NEIGH_SRC_NONE     0
#define NEIGH_SRC_NETLINK  1
#define NEIGH_SRC_PROC     2		/* /proc/net/arp: IPv4 only */

/* An empty table.  Free with neigh_free() (accepts NULL). */
void neigh_init(struct neigh_table *t);
void neigh_free(struct neigh_table *t);

/*
 * Read the kernel's table into t (initialised by the caller), by dl.
 * Returns 0 (t->source says how it was read), or a negative IGD_E* code
 * with err set (t may hold what was read; its source is then NONE).
 */
int neigh_read(struct neigh_table *t, const struct deadline *dl, char *err,
    size_t errlen);

/*
 * Pure: add the RTM_NEWNEIGH entries of one netlink datagram (buf, len) to
 * t.  Entries without a 6-byte link-layer address, incomplete or failed
 * ones, and other message types are skipped.  Returns 1 when the datagram
 * held NLMSG_DONE, 0 when more follow, IGD_EPROTOCOL for a malformed or
 * NLMSG_ERROR datagram, IGD_ENOMEM.
 */
int neigh_parse_netlink(const void *buf, size_t len, struct neigh_table *t);

/*
 * Pure: add the complete entries of /proc/net/arp text (buf, len) to t
 * (flags ATF_COM set; ATF_PERM marks permanent).  Returns 0, IGD_EPROTOCOL
 * when the header line is not the kernel's, IGD_ENOMEM.
 */
int neigh_parse_proc_arp(const char *buf, size_t len, struct neigh_table *t);

/* Outcome of a lookup. */
enum neigh_found {
	NEIGH_UNKNOWN = 0,	/* no entry for the address */
	NEIGH_FOUND = 1,	/* one MAC address (maybe on several entries) */
	NEIGH_AMBIGUOUS = 2,	/* two or more different MAC addresses */
	NEIGH_BADADDR = -1	/* addr is not a numeric IPv4/IPv6 address */
};

/*
 * The MAC address the table holds for the numeric address addr (text).
 * With NEIGH_FOUND, mac is set (and *kind when not NULL: the most
 * confirmed kind among the entries with that MAC address).
 */
enum neigh_found neigh_lookup(const struct neigh_table *t, const char *addr,
    unsigned char mac[6], enum neigh_kind *kind);

/* "aa:bb:cc:dd:ee:ff" into buf (at least NEIGH_MAC_TEXT bytes). 0 or -1. */
int neigh_mac_format(const unsigned char mac[6], char *buf, size_t len);

/*
 * Parse a MAC address or a prefix of one: 1 to 6 octets of two hex digits
 * separated by ':' or '-' ("b8:27:eb", "B8-27-EB-12-34-56"), or 6/12 hex
 * digits with no separator.  Returns the number of octets (1..6) with mac
 * filled (the rest zero), or -1.
 */
int neigh_mac_parse(const char *s, unsigned char mac[6]);

/* 1 when the locally-administered bit is set (random or made-up address). */
int neigh_mac_is_local(const unsigned char mac[6]);

#endif
