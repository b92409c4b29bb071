/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * judge_present: the devices a search found turned into a verdict.
 *
 * Pure: facts in (the igd_found entries igd_discover() filled, its SSDP
 * statistics, the options that shaped the search, the policy's present:
 * section), the chosen device, pin and count subchecks, identity lines,
 * perfdata and the summary out, into a plugin_out.  No sockets, no clock:
 * unit tests feed it fixture facts.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_JUDGE_PRESENT_H
#define CHECK_IGD_JUDGE_PRESENT_H

#include <stddef.h>
#include "cli.h"
#include "igd.h"
#include "plugin.h"
#include "policy.h"
#include "ssdp.h"

/* How the search went, beside the devices it found. */
struct judge_present_ctx {
	const struct cli_opts *opts;	/* -u, -H, -m, -t, -v as given */
	int census;			/* --census: every IGD counted */
	const struct plugin_thresholds *th;	/* answer time, seconds */
	int search_rc;			/* igd_discover()'s return */
	const char *search_err;		/* its message when search_rc != 0 */
	/* a census: the answers past the ones found in full, read in brief
	 * (igd_describe_rest()), and how many were left unread */
	const struct igd_brief *briefs;
	size_t n_briefs;
	size_t unread;
	int64_t spent_ms;		/* time spent by the search and reads:
					   the time perfdata when nothing answered */
	const struct ssdp_result *ssdp;	/* for answers past its cap (may be
					   NULL) */
};

/*
 * Judge the n devices in found (descriptions that failed included) and the
 * SSDP statistics ssdp (zeroed with -u): the device shown is the first that
 * matches every pin of pp, else the first readable one, whose differing
 * pins are subchecks; answer time against th; the count against
 * expect_count when it is known (census, -u, -H).  Nothing answered is
 * pp->missing_state.
 */
void judge_present(struct plugin_out *o, const struct policy_present *pp,
    const struct igd_found *found, size_t n, const struct ssdp_result *ssdp,
    const struct judge_present_ctx *c);

/*
 * For a check that judges one device (wan, portmap): may the device its
 * search found be judged?  f is the device described (NULL when none the
 * search waited for answered), ssdp the answers of a multicast search (NULL
 * with -u and -H).  Every other IGD in ssdp is named: a subcheck in
 * pp->count_state when pp pins the device and expects one IGD, else a
 * line.  Returns 0 when f matches every pin of pp; -1 after setting o's
 * state and summary: nothing answered (the timeout state), only other IGDs
 * answered or f differs from a pin (pp->mismatch_state: never judged in
 * the pinned device's place), f's description unreadable (the timeout
 * state for a timeout, else UNKNOWN).
 */
int judge_present_device(struct plugin_out *o,
    const struct policy_present *pp, const struct igd_found *f,
    const struct ssdp_result *ssdp, const struct cli_opts *opts);

/* 1 when dev matches every pin (UDN, model, location) of pp. */
int judge_present_pinned(const struct policy_present *pp,
    const struct igd_device *dev);

#endif
