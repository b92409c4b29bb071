/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mapchg: what changed in a port-mapping table since the previous run, and
 * for how long to keep saying so.
 *
 * A mapping's slot is where it lives on the device: (service, protocol,
 * external port, remote host).  Its facts are the internal client, the
 * internal port and the description.  Against the records of the previous
 * run, each mapping of this run is
 *   SAME     slot and facts as before (its first-seen time carries over),
 *   NEW      a slot not there before,
 *   CHANGED  a slot that was there with other facts (a hijacked forward:
 *            the old facts are kept and reported),
 * and each previous slot that is not there any more is GONE (only when this
 * table is complete: an incomplete table would fake vanishings).
 *
 * An event keeps its alarm for `hold` seconds from when it was first seen,
 * whatever happens to the monitoring engine's soft states, so that
 * max_check_attempts x retry_interval cannot turn it into an OK before it
 * becomes HARD; or until accepted (mapchg_accept(): the current table is
 * the new baseline).  Gone mappings are remembered as ghosts for that time.
 *
 * Records travel between runs as one text line each (mapchg_rec_format /
 * mapchg_rec_parse, pure; text fields percent-encoded; a line of an older
 * version, without the judgement, parses with judged -1).  Nothing here
 * prints or exits.
 */
#ifndef CHECK_IGD_MAPCHG_H
#define CHECK_IGD_MAPCHG_H

#include <stddef.h>
#include <stdint.h>
#include "igd.h"

#define MAPCHG_DESC_MAX   128		/* description text kept (bytes) */
#define MAPCHG_RULE_MAX   64		/* a policy rule's name (POLICY_NAME_MAX) */
#define MAPCHG_LINE_MAX   2048		/* one record as text */
#define MAPCHG_HOLD_DEFAULT 7200	/* seconds: outlasts 3-10 attempts at
					   typical 1-10 min retry intervals */

enum mapchg_event {
	MAPCHG_NONE = 0,
	MAPCHG_NEW,
	MAPCHG_CHANGED,
	MAPCHG_GONE
};

/* The facts of a mapping that make a change when they differ. */
struct mapchg_facts {
	char client[64];
	unsigned port;
	uint64_t desc_hash;		/* of the whole description */
	char desc[MAPCHG_DESC_MAX];	/* its start, for the report */
};

/* One mapping (or a ghost of a gone one) as remembered between runs. */
struct mapchg_rec {
	unsigned service;
	char protocol[4];
	unsigned external_port;
	char remote_host[64];		/* "" = any */
	struct mapchg_facts facts;
	int64_t first_seen;		/* Unix seconds */
	enum mapchg_event event;	/* an alarm still held, or NONE */
	int64_t event_since;		/* when that event was first seen */
	struct mapchg_facts old;	/* CHANGED: the facts before */
	/* how the policy judged the mapping when last seen, for the event
	 * log's line when it is gone (set by the caller, not by mapchg) */
	int judged;			/* enum plugin_state, or -1: not known
					   (a record of an older version) */
	char rule[MAPCHG_RULE_MAX];	/* the rule that matched, "" none */
	char unjudged_by[MAPCHG_RULE_MAX];	/* the rule that needed a fact
					   the run did not have, "" none */
};

/* The record of mapping m seen at now (no event). */
void mapchg_rec_from(struct mapchg_rec *r, const struct igd_mapping *m,
    int64_t now);

/* Pure: one record as a line (no newline) into buf.  0, or -1 if it does
 * not fit. */
int mapchg_rec_format(const struct mapchg_rec *r, char *buf, size_t len);

/* Pure: parse a line written by mapchg_rec_format().  0 or -1. */
int mapchg_rec_parse(const char *line, struct mapchg_rec *r);

/* What one mapping of this run is, or one gone slot. */
struct mapchg_item {
	size_t idx;			/* into the table (not for GONE) */
	enum mapchg_event event;	/* NONE when nothing is held */
	int fresh;			/* the event was first seen this run */
	int64_t first_seen;
	int64_t event_since;
	struct mapchg_rec rec;		/* GONE: the ghost; CHANGED: with old */
};

struct mapchg_result {
	struct mapchg_item *cur;	/* one per mapping of the table */
	size_t n_cur;
	struct mapchg_item *gone;	/* gone slots still held */
	size_t n_gone;
	struct mapchg_rec *next;	/* records to save for the next run */
	size_t n_next;
	unsigned n_new, n_changed, n_gone_fresh;	/* first seen this run */
};

/*
 * Compare table t (complete or not) seen at now with the previous records
 * prev[0..n_prev) (have_prev 0: no previous run, everything is a
 * baseline, nothing is new), holding events for hold seconds (0: one run
 * only).  Returns 0 with *res filled (free with mapchg_result_free()), or
 * IGD_ENOMEM.
 */
int mapchg_compare(const struct mapchg_rec *prev, size_t n_prev,
    int have_prev, const struct igd_table *t, int64_t now, int64_t hold,
    struct mapchg_result *res);

/* Take the current table as the new baseline: every held event in
 * res->next is cleared and every ghost dropped, and this run's items
 * report nothing (the counts of fresh events stay, for the record). */
void mapchg_accept(struct mapchg_result *res);

/* Accepts a zeroed or already freed result. */
void mapchg_result_free(struct mapchg_result *res);

/* "3d 4h", "2h 5m", "40s" for a number of seconds, into buf. */
void mapchg_age_text(int64_t seconds, char *buf, size_t len);

#endif
