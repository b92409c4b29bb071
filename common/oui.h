/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * oui: which organisation a MAC address was assigned to, from the IEEE
 * registry as Debian's ieee-data package installs it (/usr/share/ieee-data:
 * oui.csv for MA-L, 24-bit prefixes; mam.csv MA-M, 28 bits; oui36.csv MA-S
 * and iab.csv IAB, 36 bits).  The longest assigned prefix wins.
 *
 * The registry is not loaded: one streaming pass over oui.csv answers every
 * address asked at once (binary search of the sorted addresses per record),
 * and the smaller MA-M/MA-S/IAB files are read only when an address falls in
 * a block the IEEE assigned onward ("IEEE Registration Authority").  Files
 * are read in 64 KiB chunks, at most OUI_FILE_MAX bytes each, by the run's
 * deadline; a field longer than its cap is cut.  The CSV parser is pure and
 * incremental (any split of the input gives the same answer).
 * An address with no assignment is unknown, never guessed; a locally
 * administered one (random MAC addresses of phones and laptops) is said so.
 * Nothing here prints or exits.
 */
#ifndef CHECK_IGD_OUI_H
#define CHECK_IGD_OUI_H

#include <stddef.h>
#include <stdint.h>
#include "deadline.h"

#define OUI_DIR_DEFAULT  "/usr/share/ieee-data"
#define OUI_VENDOR_MAX   128		/* organisation name kept, NUL included */
#define OUI_FIELD_MAX    160		/* any CSV field kept (then cut) */
#define OUI_FILE_MAX     (32 * 1024 * 1024)	/* bytes read per file */
#define OUI_QUERIES_MAX  65536

/* One address asked; bits and vendor are the answer. */
struct oui_query {
	unsigned char mac[6];
	int bits;			/* 0: no assignment found; 24, 28, 36 */
	char vendor[OUI_VENDOR_MAX];	/* organisation ("" when bits == 0) */
};

struct oui_stats {
	unsigned files;			/* registry files read */
	size_t bytes;			/* bytes read from them */
	size_t records;			/* CSV records seen */
	size_t bad_records;		/* records that are not assignments */
	int truncated;			/* a file passed OUI_FILE_MAX */
};

/*
 * Answer every query in q[0..n) from the registry in dir (NULL: the
 * default), by dl.  Returns 0 (q filled; stats in *st when not NULL), or
 * IGD_ENOTFOUND with err set when dir/oui.csv cannot be read (install
 * ieee-data), IGD_ETIMEOUT (answers found so far are kept), IGD_ENOMEM,
 * IGD_ELIMIT when n > OUI_QUERIES_MAX.
 */
int oui_resolve(const char *dir, struct oui_query *q, size_t n,
    const struct deadline *dl, struct oui_stats *st, char *err,
    size_t errlen);

/* An incremental parser of one registry file, matching records to queries. */
struct oui_scan;

/* A scan answering q[0..n) (the caller keeps q alive).  NULL when out of
 * memory.  Free with oui_scan_free() (accepts NULL). */
struct oui_scan *oui_scan_new(struct oui_query *q, size_t n);
void oui_scan_free(struct oui_scan *s);

/* Pure: feed the next len bytes of a CSV file.  Records complete in them are
 * matched at once; oui_scan_end() finishes the last one and resets the
 * parser for the next file. */
void oui_scan_feed(struct oui_scan *s, const char *buf, size_t len);
void oui_scan_end(struct oui_scan *s);

/* Records seen and records that were not assignments, since oui_scan_new(). */
void oui_scan_counts(const struct oui_scan *s, size_t *records, size_t *bad);

/* 1 when some answered query's assignment is a block the IEEE Registration
 * Authority assigned onward (look in the MA-M/MA-S/IAB files). */
int oui_needs_subblocks(const struct oui_query *q, size_t n);

#endif
