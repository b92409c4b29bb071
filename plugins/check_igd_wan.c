/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_igd_wan: is the router's WAN link healthy?
 *
 * Judges every WAN connection service (WANIPConnection, WANPPPConnection):
 * status, uptime, external address (pinned value, double NAT), and the
 * common interface: physical link, layer-1 rates, and traffic rates computed
 * between runs from a state file (32-bit wraps and reboots handled).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "igd.h"
#include "plugin.h"
#include "policy.h"
#include "state.h"

#define CHECK "WAN"

enum {
	OPT_STATE_FILE = 1100, OPT_EXTERNAL, OPT_UPTIME_W, OPT_UPTIME_C,
	OPT_RX_W, OPT_RX_C, OPT_TX_W, OPT_TX_C, OPT_UP_W, OPT_UP_C,
	OPT_DOWN_W, OPT_DOWN_C, OPT_NO_STATE
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: check_igd_wan [-H ADDRESS | -u URL | -m IF|ADDR] [-P POLICY]\n"
	    "       [--state-file FILE | --no-state] [--external-address ADDR]\n"
	    "       [--uptime-warn R] [--uptime-crit R] [--rx-warn R] [--rx-crit R]\n"
	    "       [--tx-warn R] [--tx-crit R] [--link-up-warn R] [--link-up-crit R]\n"
	    "       [--link-down-warn R] [--link-down-crit R] [-t SECONDS[:STATE]] [-v]\n");
}

static void
help(void)
{
	printf("check_igd_wan " CHECK_IGD_VERSION "\n"
	    "Checks the WAN connections of a UPnP Internet Gateway Device.\n\n");
	usage(stdout);
	printf("\nOptions:\n"
	    " -h, --help            this help (exit 3)\n"
	    " -V, --version         the version (exit 3)\n"
	    " -v, --verbose         more detail (repeat, up to -vvv)\n"
	    " -t, --timeout S[:ST]  seconds for the whole run (default 10); ST is the\n"
	    "                       state on timeout (default UNKNOWN)\n"
	    " -H, --hostname ADDR   find the router by unicast SSDP to ADDR:1900\n"
	    "     --ssdp-port PORT  SSDP port for -H (default 1900)\n"
	    " -u, --url URL         root description URL: no discovery at all\n"
	    " -m, --interface IF    multicast discovery on this interface or address\n"
	    " -P, --policy FILE     YAML policy (default: the compiled-in one)\n"
	    "     --state-file FILE counters kept between runs for traffic rates\n"
	    "                       (default $NP_STATE_DIRECTORY or /var/tmp,\n"
	    "                       one file per target)\n"
	    "     --no-state        no state file: no traffic rates\n"
	    "     --external-address ADDR  the expected external address\n"
	    " Ranges (Monitoring Plugins syntax) override the policy's:\n"
	    "     --uptime-warn/--uptime-crit        connection uptime, seconds\n"
	    "     --rx-warn/--rx-crit                bytes/s received\n"
	    "     --tx-warn/--tx-crit                bytes/s sent\n"
	    "     --link-up-warn/--link-up-crit      layer-1 upstream, bit/s\n"
	    "     --link-down-warn/--link-down-crit  layer-1 downstream, bit/s\n");
}

/* "3d 4h 5m" from seconds. */
static void
fmt_duration(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "unknown");
	else if (s >= 86400)
		snprintf(buf, len, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldm %llds", (long long)(s / 60),
		    (long long)(s % 60));
}

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

/* Rates from the counters and the previous run's; saves the new sample. */
static void
judge_rates(struct plugin_out *o, const struct igd_device *dev,
    const struct igd_wan *w, const struct policy_wan *pw, const char *path,
    int64_t uptime, int verbose)
{
	static const char *const names[4] = {
		"tx_bytes", "rx_bytes", "tx_packets", "rx_packets"
	};
	static const char *const rate_names[4] = {
		"tx_Bps", "rx_Bps", "tx_pps", "rx_pps"
	};
	struct state *st = NULL;
	char err[256], id[96], key[STATE_KEY_MAX];
	uint64_t prev_t = 0, prev_up = 0;
	int64_t now = wall_ms();
	int have_prev, rebooted = 0, any = 0;
	double dt = 0;
	double zero = 0;

	for (int k = 0; k < 4; k++) {
		const struct plugin_thresholds *t = k == 0 ? &pw->tx_rate :
		    k == 1 ? &pw->rx_rate : NULL;

		if (w->common.counter_rc[k] == 0) {
			plugin_out_perf(o, names[k], (double)w->common.counter[k],
			    "c", NULL, &zero, NULL);
			any = 1;
		} else if (t != NULL && (t->has_warn || t->has_crit)) {
			/* a threshold was asked for and cannot be judged */
			plugin_out_sub(o, PLUGIN_UNKNOWN, "%s counter unreadable "
			    "(%s): its rate threshold is not judged", names[k],
			    igd_strerror(w->common.counter_rc[k]));
		} else if (verbose >= 1) {
			plugin_out_info(o, "%s counter unreadable: %s", names[k],
			    igd_strerror(w->common.counter_rc[k]));
		}
	}
	if (!any || path == NULL)
		return;
	if (state_load(path, &st, err, sizeof(err)) != 0) {
		plugin_out_info(o, "state file: %s; starting again", err);
		if (st == NULL)
			return;
	}
	state_id(dev, id, sizeof(id));
	snprintf(key, sizeof(key), "%s.time_ms", id);
	have_prev = state_get_u64(st, key, &prev_t) == 0;
	snprintf(key, sizeof(key), "%s.uptime", id);
	if (have_prev && state_get_u64(st, key, &prev_up) == 0 && uptime >= 0 &&
	    (uint64_t)uptime < prev_up)
		rebooted = 1;
	if (have_prev)
		dt = (double)(now - (int64_t)prev_t) / 1000.0;
	if (have_prev && dt >= 1.0) {
		for (int k = 0; k < 4; k++) {
			uint64_t prev, delta;
			unsigned bits;

			snprintf(key, sizeof(key), "%s.%s", id, names[k]);
			if (w->common.counter_rc[k] != 0 ||
			    state_get_u64(st, key, &prev) != 0)
				continue;
			bits = (prev > UINT32_MAX ||
			    w->common.counter[k] > UINT32_MAX) ? 64 : 32;
			if (state_counter_delta(prev, w->common.counter[k], bits,
			    rebooted, &delta) != 0) {
				plugin_out_info(o, "%s went backwards (%llu to "
				    "%llu): no rate this run", names[k],
				    (unsigned long long)prev,
				    (unsigned long long)w->common.counter[k]);
				continue;
			}
			{
				double rate = (double)delta / dt;
				const struct plugin_thresholds *t =
				    k == 0 ? &pw->tx_rate :
				    k == 1 ? &pw->rx_rate : NULL;
				enum plugin_state s = t ?
				    plugin_thresholds_eval(t, rate) : PLUGIN_OK;

				if (s != PLUGIN_OK)
					plugin_out_sub(o, s, "%s %.0f/s", k == 0 ?
					    "sent" : "received", rate);
				else if (verbose >= 1)
					plugin_out_info(o, "%s %.1f/s over %.0f s",
					    names[k], rate, dt);
				plugin_out_perf(o, rate_names[k], rate, "", t,
				    &zero, NULL);
			}
		}
		if (rebooted)
			plugin_out_info(o, "uptime went down: counters "
			    "restarted, rates counted since the restart");
	} else if (!have_prev) {
		plugin_out_info(o, "traffic rates from the next run on "
		    "(state file %.200s)", path);
	} else {
		/* an overlapping or immediate rerun: keep the older sample so
		 * the next rate spans a sane interval */
		state_free(st);
		return;
	}
	/* save this sample */
	snprintf(key, sizeof(key), "%s.time_ms", id);
	state_set_u64(st, key, (uint64_t)now);
	snprintf(key, sizeof(key), "%s.uptime", id);
	state_set_u64(st, key, uptime >= 0 ? (uint64_t)uptime : 0);
	for (int k = 0; k < 4; k++) {
		snprintf(key, sizeof(key), "%s.%s", id, names[k]);
		if (w->common.counter_rc[k] == 0)
			state_set_u64(st, key, w->common.counter[k]);
	}
	if (state_save(st, path, err, sizeof(err)) != 0)
		plugin_out_info(o, "cannot save the state file: %s", err);
	state_free(st);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONG,
		{ "state-file", required_argument, NULL, OPT_STATE_FILE },
		{ "no-state", no_argument, NULL, OPT_NO_STATE },
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
	struct wan_args args;
	struct cli_opts opts;
	struct policy *pol = NULL;
	struct policy_wan *pw;
	struct igd_found *found = NULL;
	struct igd_wan *w = NULL;
	struct plugin_out *o = NULL;
	struct deadline dl;
	char err[512], out[PLUGIN_TEXT_MAX + 64], state_path[1024];
	const char *state_file = NULL;
	int rc;
	size_t olen;
	enum plugin_state st;
	int64_t first_uptime = -1;
	double zero = 0;
	int64_t started = 0;

	memset(&args, 0, sizeof(args));
	switch (cli_parse(argc, argv, CLI_SHORT, longopts, &opts, option, &args,
	    err, sizeof(err))) {
	case CLI_HELP:
		help();
		return PLUGIN_UNKNOWN;
	case CLI_VERSION:
		printf("check_igd_wan " CHECK_IGD_VERSION "\n");
		return PLUGIN_UNKNOWN;
	case CLI_BAD:
		printf("IGD " CHECK " UNKNOWN - %s\n", err);
		usage(stdout);
		return PLUGIN_UNKNOWN;
	default:
		break;
	}
	if (cli_load_policy(&opts, &pol, err, sizeof(err)) != 0) {
		printf("IGD " CHECK " UNKNOWN - policy error: %s\n", err);
		return PLUGIN_UNKNOWN;
	}
	pw = &pol->wan;
	/* options override the policy */
	if (args.external != NULL)
		snprintf(pw->external_address, sizeof(pw->external_address),
		    "%s", args.external);
	for (size_t i = 0; i < args.n_ranges; i++) {
		const struct range_option *ro = &range_options[args.ranges[i].which];

		cli_parse_threshold(args.ranges[i].arg, (struct plugin_thresholds *)
		    ((char *)pw + ro->offset), ro->crit);
	}
	state_file = args.state_file;
	if (!args.no_state && state_file == NULL &&
	    cli_state_path(&opts, "check_igd_wan", NULL, state_path,
	    sizeof(state_path)) == 0)
		state_file = state_path;
	if (args.no_state)
		state_file = NULL;

	cli_backstop_arm(CHECK, &opts);
	deadline_init(&dl, cli_deadline_ms(&opts));
	started = deadline_now_ms();
	o = plugin_out_new(CHECK);
	found = calloc(1, sizeof(*found));
	w = calloc(1, sizeof(*w));
	if (o == NULL || found == NULL || w == NULL) {
		printf("IGD " CHECK " UNKNOWN - out of memory\n");
		return PLUGIN_UNKNOWN;
	}

	if (cli_find_device(&opts, &dl, found, o) != 0)
		goto finish;
	rc = igd_wan_query(&found->dev, &dl, w);
	if (w->n_conns == 0) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "%.60s has no WAN connection service",
		    found->dev.friendly_name);
		goto finish;
	}

	for (size_t i = 0; i < w->n_conns; i++) {
		const struct igd_conn *c = &w->conns[i];
		const struct igd_service *svc = &found->dev.services[c->service];
		char name[48], pfx[16], label[64], dur[32];
		enum igd_addr_class ac;

		snprintf(name, sizeof(name), "%s%u.%u",
		    svc->kind == IGD_SVC_WANPPP ? "PPP" : "IP", svc->wan_device,
		    svc->conn_device);
		if (w->n_conns == 1)
			pfx[0] = '\0';
		else
			snprintf(pfx, sizeof(pfx), "c%u_", (unsigned)(i + 1) % 100u);

		if (c->status_rc != 0) {
			plugin_out_sub(o, c->status_rc == IGD_ETIMEOUT ?
			    opts.timeout_state : PLUGIN_UNKNOWN,
			    "%s: GetStatusInfo failed: %s", name,
			    igd_strerror(c->status_rc));
		} else if (strcmp(c->status, pw->status) != 0) {
			plugin_out_sub(o, pw->status_state, "%s: status %.30s "
			    "(expected %s), last error %.60s", name, c->status,
			    pw->status, c->last_error[0] ? c->last_error : "-");
		} else {
			fmt_duration(c->uptime, dur, sizeof(dur));
			st = c->uptime >= 0 ?
			    plugin_thresholds_eval(&pw->uptime, (double)c->uptime)
			    : PLUGIN_OK;
			plugin_out_sub(o, st, "%s: %.30s, up %s (%s)", name,
			    c->status, dur, c->conn_type[0] ? c->conn_type : "-");
			if (first_uptime < 0)
				first_uptime = c->uptime;
		}
		if (c->uptime >= 0) {
			snprintf(label, sizeof(label), "%suptime", pfx);
			plugin_out_perf(o, label, (double)c->uptime, "s",
			    &pw->uptime, &zero, NULL);
		}
		if (c->extip_rc != 0) {
			plugin_out_sub(o, c->extip_rc == IGD_ETIMEOUT ?
			    opts.timeout_state : PLUGIN_UNKNOWN,
			    "%s: GetExternalIPAddress failed: %s", name,
			    igd_strerror(c->extip_rc));
			continue;
		}
		ac = igd_addr_classify(c->external_ip);
		if (pw->external_address[0] != '\0' &&
		    strcmp(pw->external_address, c->external_ip) != 0)
			plugin_out_sub(o, pw->external_mismatch_state,
			    "%s: external address %.60s, expected %.60s", name,
			    c->external_ip[0] ? c->external_ip : "(none)",
			    pw->external_address);
		else if (ac != IGD_ADDR_PUBLIC && strcmp(c->status, "Connected") == 0)
			plugin_out_sub(o, pw->private_state,
			    "%s: external address %.60s is %s: double NAT",
			    name, c->external_ip[0] ? c->external_ip : "(none)",
			    igd_addr_class_name(ac));
		else
			plugin_out_info(o, "%s: external address %.60s (%s)",
			    name, c->external_ip[0] ? c->external_ip : "(none)",
			    igd_addr_class_name(ac));
		if (opts.verbose >= 1 && c->nat_rc == 0)
			plugin_out_info(o, "%s: NAT %s, RSIP %s, possible types "
			    "%.60s", name, c->nat_enabled == 1 ? "on" :
			    c->nat_enabled == 0 ? "off" : "?",
			    c->rsip_available == 1 ? "yes" :
			    c->rsip_available == 0 ? "no" : "?",
			    c->possible_types);
	}

	if (w->common.present && w->common.link_rc == 0) {
		const struct igd_common *cm = &w->common;

		if (cm->link_status[0] && strcmp(cm->link_status, "Up") != 0)
			plugin_out_sub(o, PLUGIN_CRITICAL, "physical link "
			    "%.30s", cm->link_status);
		else
			plugin_out_info(o, "link %.30s %.30s, %.1f/%.1f Mbit/s "
			    "up/down", cm->access_type, cm->link_status[0] ?
			    cm->link_status : "?", (double)cm->up_bps / 1e6,
			    (double)cm->down_bps / 1e6);
		if (cm->up_bps >= 0) {
			st = plugin_thresholds_eval(&pw->link_up,
			    (double)cm->up_bps);
			if (st != PLUGIN_OK)
				plugin_out_sub(o, st, "upstream rate %lld bit/s",
				    (long long)cm->up_bps);
			plugin_out_perf(o, "link_up", (double)cm->up_bps, "",
			    &pw->link_up, &zero, NULL);
		}
		if (cm->down_bps >= 0) {
			st = plugin_thresholds_eval(&pw->link_down,
			    (double)cm->down_bps);
			if (st != PLUGIN_OK)
				plugin_out_sub(o, st, "downstream rate %lld "
				    "bit/s", (long long)cm->down_bps);
			plugin_out_perf(o, "link_down", (double)cm->down_bps, "",
			    &pw->link_down, &zero, NULL);
		}
	} else if (w->common.present) {
		const struct policy_wan *p = pw;

		if (p->link_up.has_warn || p->link_up.has_crit ||
		    p->link_down.has_warn || p->link_down.has_crit)
			plugin_out_sub(o, PLUGIN_UNKNOWN, "GetCommonLinkProperties "
			    "failed (%s): link rate thresholds not judged",
			    igd_strerror(w->common.link_rc));
		else
			plugin_out_info(o, "GetCommonLinkProperties failed: %s",
			    igd_strerror(w->common.link_rc));
	} else if (pw->link_up.has_warn || pw->link_up.has_crit ||
	    pw->link_down.has_warn || pw->link_down.has_crit ||
	    pw->rx_rate.has_warn || pw->rx_rate.has_crit ||
	    pw->tx_rate.has_warn || pw->tx_rate.has_crit) {
		plugin_out_sub(o, PLUGIN_UNKNOWN, "no WANCommonInterfaceConfig "
		    "service: link and traffic thresholds not judged");
	}
	if (w->common.present)
		judge_rates(o, &found->dev, w, pw, state_file, first_uptime,
		    opts.verbose);
	if (w->v6fw.present && w->v6fw.rc == 0)
		plugin_out_info(o, "IPv6 firewall %s, inbound pinholes %s",
		    w->v6fw.enabled == 1 ? "enabled" :
		    w->v6fw.enabled == 0 ? "disabled" : "?",
		    w->v6fw.inbound_allowed == 1 ? "allowed" :
		    w->v6fw.inbound_allowed == 0 ? "not allowed" : "?");
	if (rc == IGD_ETIMEOUT) {
		plugin_out_raise(o, opts.timeout_state);
		plugin_out_info(o, "the deadline cut the queries short");
	}

	/* summary */
	{
		const struct igd_conn *c = &w->conns[0];
		char dur[32];

		fmt_duration(c->uptime, dur, sizeof(dur));
		if (w->n_conns == 1)
			plugin_out_summary(o, "%.30s, external %.60s, up %s%s",
			    c->status[0] ? c->status : "status unknown",
			    c->external_ip[0] ? c->external_ip : "(none)", dur,
			    rc == IGD_ETIMEOUT ? " (timed out)" : "");
		else
			plugin_out_summary(o, "%zu WAN connections; first %.30s, "
			    "external %.60s, up %s%s", w->n_conns,
			    c->status[0] ? c->status : "status unknown",
			    c->external_ip[0] ? c->external_ip : "(none)", dur,
			    rc == IGD_ETIMEOUT ? " (timed out)" : "");
	}
finish:
	/* the run time: every verdict carries perfdata */
	plugin_out_perf(o, "time", (double)(deadline_now_ms() - started) / 1000.0,
	    "s", NULL, &zero, NULL);
	plugin_out_render(o, out, sizeof(out), &olen);
	fwrite(out, 1, olen, stdout);
	st = plugin_out_state(o);
	plugin_out_free(o);
	policy_free(pol);
	free(found);
	free(w);
	return (int)st;
}
