/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mapevent: the port-mapping changes of a run (mapchg) as lines of the
 * event log (events), for check_igd_portmap --events FILE.
 *
 * Every change is logged once, by the run that first sees it (a mapchg
 * item marked fresh), not by the runs that only hold its alarm.  A run
 * logs only when its table was read whole: an incomplete table saves no
 * records, so the next complete run sees the same changes as fresh and
 * logs them then.  The records are saved after the log is written, so a
 * change is logged at least once: when the state file cannot be saved,
 * the next run logs the same change again.
 *
 * A line that cannot be written (the log refused, missing, full, this
 * user's lock held past the wait) is not lost: it stays pending
 * (struct mapevent_pending, kept in the state file by the caller) and the
 * next run that can write the log writes it first, with its original
 * time, "late": true and "logged_at" (every other line says "late":
 * false).  Pending lines are bounded (MAPEVENT_PENDING_MAX bytes); those
 * beyond are dropped and counted, for the verdict to say.
 *
 * One line per change, one JSON object (see mapevent_line()); a string too
 * long for a line is cut, and the line says so.  Nothing here prints or
 * exits.
 */
#ifndef CHECK_IGD_MAPEVENT_H
#define CHECK_IGD_MAPEVENT_H

#include <stddef.h>
#include <stdint.h>
#include "deadline.h"
#include "hostid.h"
#include "igd.h"
#include "mapchg.h"
#include "plugin.h"
#include "policy.h"

#define MAPEVENT_ERR_MAX 256
#define MAPEVENT_LOCK_MS 2000	/* longest wait for the log's lock */
#define MAPEVENT_LOCK_NAME "check_igd_portmap-events.lock"
					/* in the state file's directory */
#define MAPEVENT_PENDING_MAX (1024 * 1024)
					/* bytes of lines kept for later runs */
#define MAPEVENT_LATE_ROOM 64	/* bytes a late line grows by */

/* What every line of a run shares. */
struct mapevent_ctx {
	int64_t now;			/* Unix seconds of the run */
	const char *program;		/* "check_igd_portmap" */
	const char *udn;		/* the device's UDN, "" or NULL: unknown */
	const char *location;		/* its description URL (or saved table) */
	const struct policy *pol;	/* to judge each mapping, and the
					   states of new, changed and gone */
	const char *external_address;	/* of the table, for the policy */
	const struct hostid *hosts;	/* the hosts behind the clients, or
					   NULL (not asked) */
};

/* Lines not written yet, oldest first. */
struct mapevent_pending {
	char **line;			/* each owned, NUL-terminated */
	size_t n, cap;
	size_t bytes;			/* held, for MAPEVENT_PENDING_MAX */
};

/* Append a copy of line.  0; 1 when it would pass MAPEVENT_PENDING_MAX
 * (not added); IGD_ENOMEM. */
int mapevent_pending_add(struct mapevent_pending *p, const char *line);

/* Accepts a zeroed or already freed list. */
void mapevent_pending_free(struct mapevent_pending *p);

/* What became of the log this run (the verdict reports it). */
struct mapevent_report {
	const char *path;		/* --events FILE; NULL: not asked */
	const char *lock_path;		/* the lock file (events_open), NULL:
					   none */
	enum plugin_state error_state;	/* of a log that cannot be written */
	int rc;				/* 0, or why the log failed (IGD_E*) */
	char err[MAPEVENT_ERR_MAX];	/* the message, "" */
	char note[MAPEVENT_ERR_MAX];	/* written without the lock: why */
	unsigned written;		/* lines appended */
	unsigned late;			/* of those, pending from earlier runs */
	unsigned pending;		/* lines not written, kept for the next
					   run (earlier ones included) */
	unsigned dropped;		/* lines lost: pending ones beyond
					   MAPEVENT_PENDING_MAX, or corrupt */
	unsigned deferred;		/* changes left to a complete run */
	int baseline;			/* no previous table: nothing to log */
};

/*
 * Pure: the line of one change into buf (cap bytes, no newline).  it is a
 * mapchg item (NEW, CHANGED or GONE); m the mapping of the table for NEW
 * and CHANGED, NULL for GONE.  Returns the length, or -1 when cap cannot
 * hold even a line with every string cut short.
 */
long mapevent_line(const struct mapevent_ctx *c, const struct mapchg_item *it,
    const struct igd_mapping *m, char *buf, size_t cap);

/*
 * Keep in each record of chg->next that is a mapping of t (the first
 * t->n) how the policy judges it now (its state, rule, and the rule that
 * could not judge it), with the facts judge_portmap() has (the age only
 * when have_prev), so that the line of its vanishing can say it.
 */
void mapevent_judge_records(const struct mapevent_ctx *c,
    const struct igd_table *t, int have_prev, struct mapchg_result *chg);

/*
 * Open the log at r->path (every run, so that a log that cannot be written
 * is reported before a change needs it).  When t is complete: append the
 * lines of pend (earlier runs', marked late) and then the line of every
 * change chg first saw this run, waiting for the lock half of what is
 * left of dl at most (MAPEVENT_LOCK_MS); from the first line that fails,
 * every line (in order) is left in pend, for the caller to keep for the
 * next run; pend then holds exactly the lines still to write.  When t is
 * incomplete nothing is written and pend is left as it is.  pend may be
 * NULL (no state to keep lines in: a line not written is lost, and
 * counted as dropped).  Counts in r what was written, late, pending,
 * dropped or deferred, and why the log failed.
 */
void mapevent_write(const struct mapevent_ctx *c,
    const struct mapchg_result *chg, int have_prev,
    const struct igd_table *t, const struct deadline *dl,
    struct mapevent_pending *pend, struct mapevent_report *r);

#endif
