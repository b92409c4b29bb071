/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * facts: what a plugin read from a device, as JSON values for the "facts"
 * of --format json.  The same structs the text output is made from
 * (igd_device, igd_wan, igd_mapping, hostid_entry, ssdp_result), written
 * with the bytes the device sent (json escapes them), never a second copy
 * of the facts.  Each function writes one value (or, *_members, members
 * into an object the caller holds open) into j; j may be NULL (JSON not
 * asked for): then nothing is written.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_FACTS_H
#define CHECK_IGD_FACTS_H

#include "hostid.h"
#include "igd.h"
#include "json.h"
#include "state.h"
#include "ssdp.h"

#define FACTS_DESC_MAX 1024	/* bytes of a mapping description kept */

/* A device's identity and services: {"location", "server", ...}. */
void facts_device(struct json *j, const struct igd_device *d);

/* The WAN facts of d: {"connections": [...], "interfaces": [...],
 * "ipv6_firewall": {...}, ...}. */
void facts_wan(struct json *j, const struct igd_device *d,
    const struct igd_wan *w);

/* The statistics of an SSDP search. */
void facts_ssdp(struct json *j, const struct ssdp_result *r);

/* The members of one mapping: protocol, ports, client, remote host,
 * enabled, lease, description (cut at FACTS_DESC_MAX bytes), service. */
void facts_mapping_members(struct json *j, const struct igd_mapping *m);

/* The host behind a client: {"mac", "vendor", "name", ...}, or null for
 * e == NULL.  registry_ok as hostid_text(). */
void facts_host(struct json *j, const struct hostid_entry *e, int registry_ok);

/* The restart of a state file r, held for hold seconds from r->since:
 * {"since", "reason", "fresh", "held_until"}; null when r is not held. */
void facts_restart(struct json *j, const struct state_restart *r,
    int64_t hold);

/* A code as {"code": rc, "text": igd_strerror(rc)}, null for 0. */
void facts_code(struct json *j, int rc);

#endif
