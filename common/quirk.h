/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * quirk: the one table of device quirks check_igd knows and works around.
 *
 * Each entry says which devices show it (and by what evidence: SERVER
 * header and version, description fields, behaviour), what goes wrong, what
 * the suite does about it, and the upstream fix.  igd.c asks this module
 * what a device is known to do and records in its results the quirks it met
 * (a bit set of QUIRK_* ids), so that a verdict can name them.  README.md
 * ("Device quirks") prints the same table for users.  Pure: no I/O.
 */
#ifndef CHECK_IGD_QUIRK_H
#define CHECK_IGD_QUIRK_H

#include <stddef.h>

enum quirk_id {
	QUIRK_LIST_CRASH = 0,	/* list action overflows over 128 mappings */
	QUIRK_IPORT_ZERO,	/* internal port reported as 0 */
	QUIRK_RULE_ORDER,	/* list pages in rule order, not port order */
	QUIRK_LIST_SHORT,	/* list answer short of (or empty over) the walk */
	QUIRK_IDX0_402,		/* 402 Invalid Args at index 0 of an empty walk */
	QUIRK_COUNT
};

#define QUIRK_BIT(id) (1u << (id))

/* One entry of the table; every field is static text. */
struct quirk {
	enum quirk_id id;
	const char *name;	/* short id used in output: "list-crash" */
	const char *devices;	/* which devices, and the evidence */
	const char *problem;	/* what goes wrong */
	const char *action;	/* what check_igd does */
	const char *fix;	/* the upstream fix, or "none" */
};

/* The entry for id, or NULL for an id out of range. */
const struct quirk *quirk_get(enum quirk_id id);

/*
 * The MiniUPnPd version named in a SERVER header ("... MiniUPnPd/2.3.7"),
 * as major*10000 + minor*100 + patch, or -1 when the header names none.
 */
int quirk_miniupnpd_version(const char *server);

/* What identifies a device (any field may be NULL or ""). */
struct quirk_device {
	const char *server;		/* SSDP SERVER or HTTP Server header */
	const char *manufacturer;
	const char *model_name;
	const char *friendly_name;
};

/*
 * The quirks a device is known, from its identity alone, to have: a bit
 * set of QUIRK_BIT(id).  QUIRK_LIST_CRASH is in it for every device not
 * known to list safely (MiniUPnPd 2.3.4 and later): the safe assumption.
 */
unsigned quirk_known(const struct quirk_device *d);

/*
 * A one-line text naming the quirks in bits for a verdict, e.g.
 * "device quirks worked around: internal-port-0 (MiniUPnPd 2.3.6-2.3.7,
 * fixed in 2.3.8)", into buf (len bytes).  Returns the length the text
 * needed (as snprintf), 0 and "" when bits is 0.
 */
int quirk_describe(unsigned bits, char *buf, size_t len);

#endif
