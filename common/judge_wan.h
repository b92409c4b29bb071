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
#include "state.h"

#define JUDGE_WAN_COUNTERS 4	/* bytes sent, received, packets sent, received */

/*
 * The WANs of a device as they are judged, one by one: on a device whose
 * description holds one WANDevice (or none), one WAN numbered 0 (its
 * perfdata labels and state keys unprefixed) judged from the first
 * WANCommonInterfaceConfig; on a device with several, WAN K = 1 .. the
 * WANDevices in the description (at most IGD_WANS_MAX), in the order of
 * the device tree (the K of IP2.1), each judged from the
 * WANCommonInterfaceConfig in WANDevice K, or from none (not judged, and
 * said so).  The set depends on the description only, so a device gives
 * the same perfdata labels on every run.
 */
struct judge_wan_slot {
	unsigned no;			/* K (1-based WANDevice), 0: the only WAN */
	int common;			/* index into w->commons, -1: no service */
};

/* Fill slots (IGD_WANS_MAX of them) for dev and w; returns how many. */
size_t judge_wan_slots(const struct igd_device *dev, const struct igd_wan *w,
    struct judge_wan_slot *slots);

/* The counters of one WAN in the previous sample. */
struct judge_wan_prev_wan {
	int have_counter[JUDGE_WAN_COUNTERS];
	uint64_t counter[JUDGE_WAN_COUNTERS];
};

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
	struct state_restart restart;	/* rates started again (this run or
					   one within hold): state.unusable
					   while held */
	int64_t hold;			/* seconds a restart stays an alarm */
	int have;			/* a previous sample: time_ms is set */
	uint64_t time_ms;		/* wall clock of that sample */
	int have_uptime;
	uint64_t uptime;		/* the connection uptime then, seconds */
	/* the counters of each WAN, by the index of its
	 * WANCommonInterfaceConfig in w->commons */
	struct judge_wan_prev_wan wans[IGD_WANS_MAX];
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
 * rx_Bps, tx_pps, rx_pps, then on a device with several WANDevices the
 * same ten for each WAN K, prefixed wanK_ (the unprefixed ones are then
 * U: there is no single WAN they could stand for).  n_conns 0 (no device)
 * counts as one; wan_devices is the description's count (dev->wan_devices,
 * 0 without a device).
 */
void judge_wan_perf_canon(struct plugin_out *o, size_t n_conns,
    unsigned wan_devices);

#endif
