/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_igd_wan: is the router's WAN link healthy?
 *
 * Gather: find the device (run), query every WAN connection service and
 * every WANDevice's common interface (igd_wan_query), read and roll the
 * counter sample kept between runs (state file: ID.tx_bytes ... for the
 * only WAN, ID.wanK.tx_bytes ... for WAN K of a device with several).  Judge: judge_wan() turns those facts into
 * subchecks: status, uptime, external address (pinned value, double NAT),
 * physical link, layer-1 rates, traffic rates (32-bit wraps and reboots
 * handled).  Report: run_close() renders the verdict; main() writes it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "judge_wan.h"
#include "msg.h"
#include "run.h"
#include "state.h"

enum {
	OPT_STATE_FILE = 1100, OPT_EXTERNAL, OPT_UPTIME_W, OPT_UPTIME_C,
	OPT_RX_W, OPT_RX_C, OPT_TX_W, OPT_TX_C, OPT_UP_W, OPT_UP_C,
	OPT_DOWN_W, OPT_DOWN_C, OPT_NO_STATE, OPT_HOLD, OPT_ACCEPT
};

static const char usage[] =
	    "Usage: check_igd_wan [-H ADDRESS | -u URL | -m IF|ADDR] [-P POLICY]\n"
	    "       [--state-file FILE | --no-state] [--hold SECONDS] [--accept]\n"
	    "       [--external-address ADDR]\n"
	    "       [--uptime-warn R] [--uptime-crit R] [--rx-warn R] [--rx-crit R]\n"
	    "       [--tx-warn R] [--tx-crit R] [--link-up-warn R] [--link-up-crit R]\n"
	    "       [--link-down-warn R] [--link-down-crit R] [-t SECONDS[:STATE]] [-v]\n";

static const char about[] =
	    "Checks the WAN connections of a UPnP Internet Gateway Device.\n\n";

static const char options[] =
    "\nOptions:\n"
	    CLI_HELP_BASE
	    " -H, --hostname ADDR   find the router by unicast SSDP to ADDR:1900\n"
	    CLI_HELP_FIND
	    " -P, --policy FILE     YAML policy (default: the compiled-in one)\n"
	    "     --state-file FILE counters kept between runs for traffic rates\n"
	    "                       (default $NP_STATE_DIRECTORY or the private\n"
	    "                       /var/tmp/check_igd-EUID, one file per target);\n"
	    "                       one that cannot be read, trusted or saved is\n"
	    "                       the policy's state.unusable (WARNING)\n"
	    "     --no-state        no state file: no traffic rates\n"
	    "     --hold SECONDS    a state file that was unusable stays\n"
	    "                       state.unusable this long after the rates\n"
	    "                       started again (default: the policy's\n"
	    "                       portmap.changes.hold, 2h); 0: one run only\n"
	    "     --accept          end that hold now\n"
	    "     --external-address ADDR  the expected external address\n"
	    " Ranges (Monitoring Plugins syntax) override the policy's; with several\n"
	    " WANs, the link and traffic ranges apply to each WAN:\n"
	    "     --uptime-warn/--uptime-crit        connection uptime, seconds\n"
	    "     --rx-warn/--rx-crit                bytes/s received\n"
	    "     --tx-warn/--tx-crit                bytes/s sent\n"
	    "     --link-up-warn/--link-up-crit      layer-1 upstream, bit/s\n"
	    "     --link-down-warn/--link-down-crit  layer-1 downstream, bit/s\n\n"
	    "Exit states:\n"
	    " 0 OK        every connection as the policy expects\n"
	    " 1 WARNING   a value in a warning range; non-public address (double NAT)\n"
	    " 2 CRITICAL  status not as expected, external address differs, link down,\n"
	    "             a value in a critical range, no IGD found\n"
	    " 3 UNKNOWN   bad option or policy, garbage answers, unreadable value a\n"
	    "             threshold needs, timeout, -h, -V\n"
	    "\nPerformance data (the same labels on every run; U when unknown, e.g.\n"
	    "rates on a first run or without a state file):\n"
	    " uptime=S        connection uptime, seconds (c1_uptime, c2_uptime...\n"
	    "                 with several connections)\n"
	    " link_up, link_down      layer-1 rates, bit/s\n"
	    " tx_bytes, rx_bytes, tx_packets, rx_packets  counters (c)\n"
	    " tx_Bps, rx_Bps  send/receive rates, bytes/s\n"
	    " tx_pps, rx_pps  send/receive rates, packets/s\n"
	    " wanK_link_up, wanK_link_down, wanK_tx_bytes, wanK_rx_bytes,\n"
	    " wanK_tx_packets, wanK_rx_packets, wanK_tx_Bps, wanK_rx_Bps,\n"
	    " wanK_tx_pps, wanK_rx_pps  the same for WAN K, on a router whose\n"
	    "                 description has several WANDevices (K = 1, 2... in\n"
	    "                 the device tree's order, as in IP2.1); the\n"
	    "                 unprefixed ten are then always U\n"
	    " time=S          the run's elapsed time, seconds\n"
	    "\nExample:\n"
	    "  check_igd_wan -H 192.168.1.1 --external-address 198.51.100.7 \\\n"
	    "      --uptime-warn 300: --state-file /var/lib/nagios/igd-wan.state\n"
	    "\nSee check_igd_wan(1) for the policy keys.\n";

/* A key-safe identity for the device in the state file. */
static void
state_id(const struct igd_device *d, char *buf, size_t len)
{
	const char *src = d->udn[0] ? d->udn : d->location;
	size_t j = 0;

	for (size_t i = 0; src[i] && j + 1 < len && j < 80; i++) {
		char c = src[i];

		buf[j++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':') ?
		    c : '_';
	}
	buf[j] = '\0';
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The threshold options, and where each lands in the policy. */
struct range_option {
	int opt;
	const char *name;
	size_t offset;		/* of the thresholds in struct policy_wan */
	int crit;
};

static const struct range_option range_options[] = {
	{ OPT_UPTIME_W, "uptime-warn", offsetof(struct policy_wan, uptime), 0 },
	{ OPT_UPTIME_C, "uptime-crit", offsetof(struct policy_wan, uptime), 1 },
	{ OPT_RX_W, "rx-warn", offsetof(struct policy_wan, rx_rate), 0 },
	{ OPT_RX_C, "rx-crit", offsetof(struct policy_wan, rx_rate), 1 },
	{ OPT_TX_W, "tx-warn", offsetof(struct policy_wan, tx_rate), 0 },
	{ OPT_TX_C, "tx-crit", offsetof(struct policy_wan, tx_rate), 1 },
	{ OPT_UP_W, "link-up-warn", offsetof(struct policy_wan, link_up), 0 },
	{ OPT_UP_C, "link-up-crit", offsetof(struct policy_wan, link_up), 1 },
	{ OPT_DOWN_W, "link-down-warn", offsetof(struct policy_wan, link_down), 0 },
	{ OPT_DOWN_C, "link-down-crit", offsetof(struct policy_wan, link_down), 1 },
};
#define N_RANGE_OPTIONS (sizeof(range_options) / sizeof(*range_options))

struct wan_args {
	const char *state_file;
	int no_state;
	unsigned long hold;
	int hold_set, accept;
	const char *external;
	struct {
		size_t which;		/* index into range_options */
		const char *arg;
	} ranges[2 * N_RANGE_OPTIONS];
	size_t n_ranges;
};

/* The options only check_igd_wan has. */
static int
option(int opt, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct wan_args *a = ctx;

	switch (opt) {
	case OPT_STATE_FILE:
		if (*arg == '\0') {
			snprintf(err, errlen, "empty state file name");
			return -1;
		}
		a->state_file = arg;
		return 0;
	case OPT_NO_STATE:
		a->no_state = 1;
		return 0;
	case OPT_HOLD:
		a->hold_set = 1;
		return cli_parse_hold(arg, &a->hold, err, errlen);
	case OPT_ACCEPT:
		a->accept = 1;
		return 0;
	case OPT_EXTERNAL:
		if (igd_addr_classify(arg) == IGD_ADDR_INVALID) {
			snprintf(err, errlen, "invalid external address "
			    "'%.60s'", arg);
			return -1;
		}
		a->external = arg;
		return 0;
	default:
		break;
	}
	for (size_t i = 0; i < N_RANGE_OPTIONS; i++) {
		struct plugin_range r;

		if (range_options[i].opt != opt)
			continue;
		if (plugin_range_parse(arg, &r) != 0) {
			snprintf(err, errlen, "invalid range '%.40s' for --%s",
			    arg, range_options[i].name);
			return -1;
		}
		if (a->n_ranges < sizeof(a->ranges) / sizeof(*a->ranges)) {
			a->ranges[a->n_ranges].which = i;
			a->ranges[a->n_ranges++].arg = arg;
		}
		return 0;
	}
	return 1;
}

static const struct option longopts[] = {
	CLI_LONG,
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "no-state", no_argument, NULL, OPT_NO_STATE },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "accept", no_argument, NULL, OPT_ACCEPT },
	{ "external-address", required_argument, NULL, OPT_EXTERNAL },
	{ "uptime-warn", required_argument, NULL, OPT_UPTIME_W },
	{ "uptime-crit", required_argument, NULL, OPT_UPTIME_C },
	{ "rx-warn", required_argument, NULL, OPT_RX_W },
	{ "rx-crit", required_argument, NULL, OPT_RX_C },
	{ "tx-warn", required_argument, NULL, OPT_TX_W },
	{ "tx-crit", required_argument, NULL, OPT_TX_C },
	{ "link-up-warn", required_argument, NULL, OPT_UP_W },
	{ "link-up-crit", required_argument, NULL, OPT_UP_C },
	{ "link-down-warn", required_argument, NULL, OPT_DOWN_W },
	{ "link-down-crit", required_argument, NULL, OPT_DOWN_C },
	{ NULL, 0, NULL, 0 }
};

/* --accept ends a hold kept in the state file. */
static int
validate(const struct cli_opts *o, const void *ctx, char *err, size_t errlen)
{
	const struct wan_args *a = ctx;

	(void)o;
	if (a->accept && a->no_state) {
		snprintf(err, errlen, "--accept ends a hold kept in the state "
		    "file: do not combine it with --no-state");
		return -1;
	}
	return 0;
}

static const struct run_spec spec = {
	"check_igd_wan", "WAN", about, usage, options, CLI_SHORT, longopts,
	option, validate
};

/* The command line's overrides of the policy's wan: section. */
static void
apply_options(const struct wan_args *a, struct policy_wan *pw)
{
	if (a->external != NULL)
		snprintf(pw->external_address, sizeof(pw->external_address),
		    "%s", a->external);
	for (size_t i = 0; i < a->n_ranges; i++) {
		const struct range_option *ro = &range_options[a->ranges[i].which];

		cli_parse_threshold(a->ranges[i].arg, (struct plugin_thresholds *)
		    ((char *)pw + ro->offset), ro->crit);
	}
}

/* A sample time this far ahead of the clock is a clock stepped back (no
 * rate until it passes); further ahead, the file is corrupt. */
#define SAMPLE_AHEAD_MS 60000

static const char *const counter_keys[JUDGE_WAN_COUNTERS] = {
	"tx_bytes", "rx_bytes", "tx_packets", "rx_packets"
};

/* The state key of counter k of WAN no (judge_wan_slot.no) of device id:
 * "ID.tx_bytes" for the only WAN, "ID.wan2.tx_bytes" on a device with
 * several. */
static void
counter_key(char *key, size_t len, const char *id, unsigned no, int k)
{
	if (no == 0)
		snprintf(key, len, "%s.%s", id, counter_keys[k]);
	else
		snprintf(key, len, "%s.wan%u.%s", id, no, counter_keys[k]);
}

/*
 * The previous sample of id from st into prev, the counters of each WAN of
 * slots (n of them) into prev->wans.  Values out of range (a time not in
 * 1 .. now + SAMPLE_AHEAD_MS, a number that is not one or does not fit 64
 * bits) make the file corrupt: 0, or -1 with the key named in why (whylen
 * bytes) and prev left with no sample.
 */
static int
read_sample(const struct state *st, const char *id,
    const struct judge_wan_slot *slots, size_t n, int64_t now,
    struct judge_wan_prev *prev, char *why, size_t whylen)
{
	char key[STATE_KEY_MAX];
	int rc;

	snprintf(key, sizeof(key), "%s.time_ms", id);
	rc = state_get_num(st, key, INT64_MAX, &prev->time_ms);
	if (rc == 0 && (prev->time_ms == 0 || now < 0 ||
	    prev->time_ms > (uint64_t)now + SAMPLE_AHEAD_MS))
		rc = -1;
	if (rc < 0)
		goto bad;
	prev->have = rc == 0;
	snprintf(key, sizeof(key), "%s.uptime", id);
	if ((rc = state_get_num(st, key, INT64_MAX, &prev->uptime)) < 0)
		goto bad;
	prev->have_uptime = rc == 0;
	for (size_t i = 0; i < n; i++) {
		struct judge_wan_prev_wan *pv;

		if (slots[i].common < 0)
			continue;
		pv = &prev->wans[slots[i].common];
		for (int k = 0; k < JUDGE_WAN_COUNTERS; k++) {
			counter_key(key, sizeof(key), id, slots[i].no, k);
			rc = state_get_num(st, key, UINT64_MAX,
			    &pv->counter[k]);
			if (rc < 0)
				goto bad;
			pv->have_counter[k] = rc == 0;
		}
	}
	return 0;
bad:
	msg_set(why, whylen, "%.60s=%.40s is out of range (corrupt)", key,
	    state_get(st, key));
	prev->have = prev->have_uptime = 0;
	memset(prev->wans, 0, sizeof(prev->wans));
	return -1;
}

/* The counters of a WAN (judge_wan_slot.common) as w holds them: the only
 * WAN's are w->common. */
static const struct igd_common *
slot_common(const struct igd_wan *w, const struct judge_wan_slot *sl)
{
	if (sl->common < 0)
		return NULL;
	return sl->no == 0 ? &w->common : &w->commons[sl->common];
}

/* This run's sample into st: the time, the uptime rates compare, and the
 * counters of every WAN (a counter not read this run is removed, so a
 * later rate never spans a gap). */
static void
write_sample(struct state *st, const char *id,
    const struct judge_wan_slot *slots, size_t n, const struct igd_wan *w,
    int64_t now, int64_t uptime)
{
	char key[STATE_KEY_MAX];

	snprintf(key, sizeof(key), "%s.time_ms", id);
	state_set_u64(st, key, (uint64_t)now);
	snprintf(key, sizeof(key), "%s.uptime", id);
	state_set_u64(st, key, uptime >= 0 ? (uint64_t)uptime : 0);
	/* the keys of the other layout go: a device whose description
	 * changed its number of WANDevices starts its rates again */
	for (int k = 0; k < JUDGE_WAN_COUNTERS; k++) {
		counter_key(key, sizeof(key), id, 0, k);
		if (slots[0].no != 0)
			state_clear_prefix(st, key);
	}
	if (slots[0].no == 0) {
		snprintf(key, sizeof(key), "%s.wan", id);
		state_clear_prefix(st, key);
	}
	for (size_t i = 0; i < n; i++) {
		const struct igd_common *cm = slot_common(w, &slots[i]);

		for (int k = 0; k < JUDGE_WAN_COUNTERS; k++) {
			counter_key(key, sizeof(key), id, slots[i].no, k);
			if (cm != NULL && cm->counter_rc[k] == 0)
				state_set_u64(st, key, cm->counter[k]);
			else
				state_clear_prefix(st, key);
		}
	}
}

/*
 * Read the previous counter sample from the state file at path (path_err:
 * why it cannot be used, "" when it can) and, when it is due, replace it
 * by this run's (now, the uptime rates compare, the counters of every WAN
 * read); what went wrong is kept in *prev for the verdict.
 */
static void
gather_sample(const char *path, const char *path_err,
    const struct igd_device *dev, const struct igd_wan *w,
    const struct policy *pol, int64_t now, const struct wan_args *a,
    struct judge_wan_prev *prev)
{
	struct judge_wan_slot slots[IGD_WANS_MAX];
	size_t n = judge_wan_slots(dev, w, slots);
	struct state *st = NULL;
	char id[96], why[160], bad[128];
	int64_t uptime = judge_wan_uptime(&pol->wan, w);
	int any = 0, due;

	memset(prev, 0, sizeof(*prev));
	prev->path = path;
	prev->unusable_state = pol->state_unusable;
	prev->hold = a->hold_set ? (int64_t)a->hold : (int64_t)pol->portmap.hold;
	for (size_t i = 0; i < n; i++) {
		const struct igd_common *cm = slot_common(w, &slots[i]);

		for (int k = 0; cm != NULL && k < JUDGE_WAN_COUNTERS; k++)
			any |= cm->counter_rc[k] == 0;
	}
	if (path == NULL || !any || w->n_conns == 0)
		return;
	if (path_err[0] != '\0') {
		/* never read nor written: another user could have put it */
		snprintf(prev->load_err, sizeof(prev->load_err), "%s",
		    path_err);
		return;
	}
	if (state_load(path, &st, prev->load_err, sizeof(prev->load_err)) == 0)
		prev->load_err[0] = '\0';
	if (st == NULL)
		return;
	prev->loaded = 1;
	state_id(dev, id, sizeof(id));
	if (read_sample(st, id, slots, n, now, prev, why, sizeof(why)) != 0 &&
	    prev->load_err[0] == '\0')
		snprintf(prev->load_err, sizeof(prev->load_err), "state file "
		    "%.80s: %s", path, why);
	/* a restart stays an alarm for the hold: the traffic between the
	 * last good sample and now was never judged */
	if (state_restart(st, prev->load_err, now / 1000, prev->hold,
	    a->accept, &prev->restart, bad, sizeof(bad)) != 0) {
		if (prev->load_err[0] == '\0')
			snprintf(prev->load_err, sizeof(prev->load_err),
			    "state file %.80s: %s", path, bad);
		prev->have = prev->have_uptime = 0;
		memset(prev->wans, 0, sizeof(prev->wans));
	}
	due = judge_wan_sample_due(prev, now);
	if (due)
		write_sample(st, id, slots, n, w, now, uptime);
	/* an overlapping rerun keeps the older sample, but not a held
	 * restart the user accepted */
	if ((due || a->accept) && state_save(st, path, prev->save_err,
	    sizeof(prev->save_err)) == 0)
		prev->save_err[0] = '\0';
	state_free(st);
}

int
main(int argc, char **argv)
{
	struct wan_args args;
	struct run r;
	struct igd_found *found = NULL;
	struct igd_wan *w = NULL;
	struct judge_wan_prev prev;
	struct judge_wan_ctx jc;
	const char *state_file;
	char state_err[256];
	int st;

	memset(&args, 0, sizeof(args));
	if (run_open(&r, &spec, argc, argv, &args) != 0)
		goto finish;
	apply_options(&args, &r.pol->wan);
	(void)run_state_file(&r, args.state_file, args.no_state, NULL,
	    &state_file, state_err, sizeof(state_err));
	found = calloc(1, sizeof(*found));
	w = calloc(1, sizeof(*w));
	if (found == NULL || w == NULL) {
		plugin_out_set_state(r.out, PLUGIN_UNKNOWN);
		plugin_out_summary(r.out, "out of memory");
	} else if (run_find_device(&r, found) == 0) {
		/* gather */
		jc.query_rc = igd_wan_query(&found->dev, &r.dl, w);
		jc.now_ms = wall_ms();
		jc.timeout_state = r.opts.timeout_state;
		jc.verbose = r.opts.verbose;
		gather_sample(state_file, state_err, &found->dev, w, r.pol,
		    jc.now_ms, &args, &prev);
		/* judge */
		judge_wan(r.out, &r.pol->wan, &found->dev, w, &prev, &jc);
	}
	/* the same labels on every run, U for what this one could not give */
	judge_wan_perf_canon(r.out, w != NULL ? w->n_conns : 0,
	    found != NULL && w != NULL && w->n_conns > 0 ?
	    found->dev.wan_devices : 0);
	run_perf_time(&r);
finish:
	/* report */
	st = run_close(&r);
	fwrite(r.text, 1, r.text_len, stdout);
	free(found);
	free(w);
	return st;
}
