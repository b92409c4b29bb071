/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * judge_portmap: a port-mapping table turned into a verdict.
 *
 * Pure: facts in (the table igd_table_read() or table_load() gave, how
 * it compares with the previous runs' records (mapchg, from the state
 * file), the hosts behind the clients, the policy), findings, changes, OK lines, the count, perfdata and the
 * summary out, into a plugin_out.  Each mapping is judged by policy_match()
 * (first rule wins).  No sockets, no files: unit tests feed it fixture
 * tables.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_JUDGE_PORTMAP_H
#define CHECK_IGD_JUDGE_PORTMAP_H

#include <stddef.h>
#include <stdint.h>
#include "hostid.h"
#include "mapchg.h"
#include "mapevent.h"
#include "igd.h"
#include "plugin.h"
#include "policy.h"
#include "state.h"

#define JUDGE_PORTMAP_SHOW_OK 40	/* OK mappings listed without -vv */
#define JUDGE_PORTMAP_KEY_MAX 256	/* one mapping's identity */
#define JUDGE_PORTMAP_TEXT_MAX 480	/* one mapping's description line */

/*
 * The previous run's table, as the state file gave it, and what became of
 * the state file this run (check_igd_portmap fills this).
 */
struct judge_portmap_prev {
	const char *path;		/* the state file; NULL: no change detection */
	int loaded;			/* 0: could not be read at all */
	char load_err[256];		/* why it was started again, "" if read */
	char other_device[128];		/* kept for this other device, "" */
	int old_format;			/* written by an older version: again */
	int have;			/* a previous table to compare with */
	int no_memory;			/* the comparison could not be made */
	char save_err[256];		/* why this table was not saved, "" */
	struct mapchg_result chg;	/* this table against the previous
					   records (mapchg_compare); owned */
	int64_t now;			/* Unix seconds of this run */
	int64_t hold;			/* seconds a change stays an alarm */
	int accepted;			/* --accept: this table is the baseline */
	struct state_restart restart;	/* change detection started again
					   (this run or one within the hold):
					   state.unusable while held */
};

/* Free the comparison; accepts a zeroed prev. */
void judge_portmap_prev_free(struct judge_portmap_prev *prev);

/* What judging needs beside the facts and the policy. */
struct judge_portmap_ctx {
	const struct plugin_thresholds *th;	/* the count of mappings */
	enum plugin_state timeout_state;	/* for a read cut by the deadline */
	int verbose;
	const char *source;		/* where the table came from (-v) */
	const struct hostid *hosts;	/* the host behind each client, or
					   NULL (not asked, saved table) */
	const struct mapevent_report *events;	/* what became of the event
					   log (--events), or NULL */
	const struct judge_portmap_prev *prev;	/* set by judge_portmap() */
};

/*
 * Judge every mapping of t by the policy (findings listed first, so that
 * when the output is cut the plain OK lines go), the count against th,
 * the changes since prev; a table not read whole is never OK (a threat
 * found stays CRITICAL).  Sets the summary and the perfdata.
 */
void judge_portmap(struct plugin_out *o, const struct policy *pol,
    const struct igd_table *t, const struct judge_portmap_prev *prev,
    const struct judge_portmap_ctx *c);

/*
 * What a rule may need to know of mapping m beyond the mapping itself, into
 * f: the WAN address external_address; the client's MAC address when pol
 * has internal_mac rules and hosts (may be NULL) knows the client as one
 * address; the age now - first_seen when have_age (an earlier run in the
 * state file).  The verdict and the event log take their facts from here,
 * so that both judge a mapping alike.
 */
void judge_portmap_facts(const struct policy *pol, const struct igd_mapping *m,
    const char *external_address, const struct hostid *hosts, int have_age,
    int64_t first_seen, int64_t now, struct policy_facts *f);

/*
 * Judge one mapping by the policy (first rule wins), knowing f about it:
 * returns its state and sets *rule (NULL: no rule matched, the default
 * state) and *unjudged (a rule that could not be judged because the device
 * reports internal port 0, whose state the mapping takes at the least;
 * NULL: none).  The verdict and the event log judge by this one function.
 */
enum plugin_state judge_portmap_one(const struct policy *pol,
    const struct igd_mapping *m, const struct policy_facts *f,
    const struct policy_rule **rule, const struct policy_rule **unjudged);

/* The identity of a mapping for change detection (no newline). */
void judge_portmap_key(const struct igd_mapping *m, char *buf, size_t len);

/* One line describing a mapping, description sanitised and bounded. */
void judge_portmap_text(const struct igd_mapping *m, char *buf, size_t len);

/* The same with the host behind the client in brackets after it, when
 * hosts (may be NULL) knows the client:
 * "TCP 4450 -> 192.168.1.23:445 (b8:27:eb:12:34:56 Raspberry Pi
 * Foundation, kids-pc.lan) 'galleta' lease 3600s". */
void judge_portmap_text_host(const struct igd_mapping *m,
    const struct hostid *hosts, char *buf, size_t len);

/*
 * Order the perfdata as every run prints it, with U for what this run could
 * not count: mappings, tcp, udp, ok, warning, critical, new, gone (new and
 * gone are U without a previous table).
 */
void judge_portmap_perf_canon(struct plugin_out *o);

#endif
