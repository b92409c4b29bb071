/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * judge_wan: the WAN facts of one device turned into subchecks.
 *
 * Pure: facts in (struct igd_wan from igd_wan_query(), the previous run's
 * counter sample that check_igd_wan read from its state file, the policy's
 * wan: section), subchecks, long output, perfdata and the summary out, into
 * a plugin_out.  No sockets, no files, no clock: unit tests feed it fixture
 * facts.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_JUDGE_WAN_H
#define CHECK_IGD_JUDGE_WAN_H

#include <stddef.h>
#include <stdint.h>
#include "igd.h"
#include "plugin.h"
#include "policy.h"

#define JUDGE_WAN_COUNTERS 4	/* bytes sent, received, packets sent, received */

/*
 * The counter sample of the previous run, as the state file gave it, and
 * what became of the state file this run (check_igd_wan fills this).
 */
struct judge_wan_prev {
	const char *path;		/* the state file; NULL: no rates */
	int loaded;			/* 0: not read (no path, no counters) or no memory */
	char load_err[256];		/* why it was started again, "" if read */
	char save_err[256];		/* why this run's sample was not saved, "" */
	enum plugin_state unusable_state; /* for load_err and save_err: the
					   * policy's state.unusable */
	int have;			/* a previous sample: time_ms is set */
	uint64_t time_ms;		/* wall clock of that sample */
	int have_uptime;
	uint64_t uptime;		/* the connection uptime then, seconds */
	int have_counter[JUDGE_WAN_COUNTERS];
	uint64_t counter[JUDGE_WAN_COUNTERS];
};

/* What judging needs beside the facts and the policy. */
struct judge_wan_ctx {
	enum plugin_state timeout_state;	/* for a query cut by the deadline */
	int verbose;
	int64_t now_ms;			/* wall clock of this run's sample */
	int query_rc;			/* igd_wan_query()'s return */
};

/*
 * Judge every connection of w (status, uptime, external address, double
 * NAT), the common interface (physical link, layer-1 rates, traffic rates
 * from prev), the IPv6 firewall and the timeout; set the summary.  dev is
 * the device w was read from.  A device without a WAN connection service
 * is UNKNOWN.
 */
void judge_wan(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_device *dev, const struct igd_wan *w,
    const struct judge_wan_prev *prev, const struct judge_wan_ctx *c);

/*
 * The uptime that rates compare across runs: the first connection whose
 * status reads as the policy expects, or -1.
 */
int64_t judge_wan_uptime(const struct policy_wan *pw, const struct igd_wan *w);

/*
 * 1 when this run's sample is to be kept: there was no previous one, or it
 * is at least a second old (an immediate rerun keeps the older sample so
 * the next rate spans a sane interval).
 */
int judge_wan_sample_due(const struct judge_wan_prev *prev, int64_t now_ms);

/* "3d 4h", "2h 5m", "4m 10s" from seconds; "unknown" when negative. */
void judge_wan_duration(int64_t s, char *buf, size_t len);

/*
 * Order the perfdata as every run prints it, with U for what this run could
 * not give: uptime (c1_uptime ... cN_uptime with several connections),
 * link_up, link_down, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_Bps,
 * rx_Bps, tx_pps, rx_pps.  n_conns 0 (no device) counts as one.
 */
void judge_wan_perf_canon(struct plugin_out *o, size_t n_conns);

#endif
