/* SPDX-License-Identifier: GPL-3.0-or-later */
/* judge_wan: WAN facts into subchecks (see judge_wan.h). */
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include "judge_wan.h"
#include "json.h"
#include "state.h"

/* The text of an igd error code, in a buffer that lives for the statement. */
#define ERRTEXT(rc) igd_strerror((rc), (char[IGD_STRERROR_MAX]){ 0 }, \
	IGD_STRERROR_MAX)

static const char *const counter_names[JUDGE_WAN_COUNTERS] = {
	"tx_bytes", "rx_bytes", "tx_packets", "rx_packets"
};

void
judge_wan_duration(int64_t s, char *buf, size_t len)
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

int64_t
judge_wan_uptime(const struct policy_wan *pw, const struct igd_wan *w)
{
	for (size_t i = 0; i < w->n_conns; i++) {
		const struct igd_conn *c = &w->conns[i];

		if (c->status_rc == 0 && strcmp(c->status, pw->status) == 0 &&
		    c->uptime >= 0)
			return c->uptime;
	}
	return -1;
}

int
judge_wan_sample_due(const struct judge_wan_prev *prev, int64_t now_ms)
{
	if (!prev->have)
		return 1;
	/* in double: no overflow whatever the file said */
	return ((double)now_ms - (double)prev->time_ms) / 1000.0 >= 1.0;
}

/* 1 when the user set a warning or critical range in t. */
static int
has_range(const struct plugin_thresholds *t)
{
	return t->has_warn || t->has_crit;
}

/* The rate thresholds of counter k (only bytes have them), or NULL. */
static const struct plugin_thresholds *
rate_thresholds(const struct policy_wan *pw, int k)
{
	return k == 0 ? &pw->tx_rate : k == 1 ? &pw->rx_rate : NULL;
}

/* Counters as perfdata; 1 when any could be read. */
static int
judge_counters(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_common *cm, int verbose)
{
	double zero = 0;
	int any = 0;

	for (int k = 0; k < JUDGE_WAN_COUNTERS; k++) {
		const struct plugin_thresholds *t = rate_thresholds(pw, k);

		if (cm->counter_rc[k] == 0) {
			plugin_out_perf(o, counter_names[k],
			    (double)cm->counter[k], "c", NULL, &zero, NULL);
			any = 1;
		} else if (t != NULL && (t->has_warn || t->has_crit)) {
			/* a threshold was asked for and cannot be judged */
			plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.traffic_rate", -1,
			    "%s counter unreadable "
			    "(%s): its rate threshold is not judged",
			    counter_names[k], ERRTEXT(cm->counter_rc[k]));
		} else if (verbose >= 1) {
			plugin_out_info(o, "%s counter unreadable: %s",
			    counter_names[k], ERRTEXT(cm->counter_rc[k]));
		}
	}
	return any;
}

/* The rate of counter k over dt seconds, judged. */
static void
judge_rate(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_common *cm, const struct judge_wan_prev *prev,
    int rebooted, double dt, int k, int verbose)
{
	static const char *const rate_names[JUDGE_WAN_COUNTERS] = {
		"tx_Bps", "rx_Bps", "tx_pps", "rx_pps"
	};
	const struct plugin_thresholds *t = rate_thresholds(pw, k);
	uint64_t delta;
	unsigned bits;
	double rate, zero = 0;
	enum plugin_state s;

	if (cm->counter_rc[k] != 0 || !prev->have_counter[k])
		return;
	bits = (prev->counter[k] > UINT32_MAX || cm->counter[k] > UINT32_MAX) ?
	    64 : 32;
	if (state_counter_delta(prev->counter[k], cm->counter[k], bits,
	    rebooted, &delta) != 0) {
		/* a device whose counters keep going backwards must not
		 * keep a rate threshold from ever being judged */
		if (t != NULL && has_range(t))
			plugin_out_sub(o, PLUGIN_UNKNOWN, "%s went backwards "
			    "(%llu to %llu): no rate this run, its threshold "
			    "is not judged", counter_names[k],
			    (unsigned long long)prev->counter[k],
			    (unsigned long long)cm->counter[k]);
		else
			plugin_out_info(o, "%s went backwards (%llu to %llu): "
			    "no rate this run", counter_names[k],
			    (unsigned long long)prev->counter[k],
			    (unsigned long long)cm->counter[k]);
		return;
	}
	rate = (double)delta / dt;
	s = t ? plugin_thresholds_eval(t, rate) : PLUGIN_OK;
	if (s != PLUGIN_OK)
		plugin_out_finding(o, s, "wan.traffic_rate", -1,
		    "%s %.0f/s", k == 0 ? "sent" : "received",
		    rate);
	else if (verbose >= 1)
		plugin_out_info(o, "%s %.1f/s over %.0f s", counter_names[k],
		    rate, dt);
	plugin_out_perf(o, rate_names[k], rate, "", t, &zero, NULL);
}

/* Traffic rates from the counters and the previous run's sample. */
static void
judge_rates(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_wan *w, const struct judge_wan_prev *prev,
    const struct judge_wan_ctx *c)
{
	int64_t uptime = judge_wan_uptime(pw, w);
	int rebooted;
	double dt;

	if (!judge_counters(o, pw, &w->common, c->verbose))
		return;
	/* the rates the user expects cannot be trusted or kept: a state */
	if (prev->path != NULL && prev->load_err[0] != '\0')
		plugin_out_sub(o, prev->unusable_state, "%s; traffic rates "
		    "start again", prev->load_err);
	if (prev->path == NULL || !prev->loaded) {
		/* rates need the previous sample: a threshold on them is
		 * never skipped in silence */
		if (has_range(&pw->rx_rate) || has_range(&pw->tx_rate))
			plugin_out_sub(o, PLUGIN_UNKNOWN, "traffic rate "
			    "thresholds not judged: %s", prev->path == NULL ?
			    "no state file (--no-state)" :
			    "the state file could not be read");
		return;
	}
	if (!prev->have) {
		plugin_out_info(o, "traffic rates from the next run on "
		    "(state file %.200s)", prev->path);
	} else if (judge_wan_sample_due(prev, c->now_ms)) {
		dt = ((double)c->now_ms - (double)prev->time_ms) / 1000.0;
		rebooted = prev->have_uptime && uptime >= 0 &&
		    (uint64_t)uptime < prev->uptime;
		for (int k = 0; k < JUDGE_WAN_COUNTERS; k++)
			judge_rate(o, pw, &w->common, prev, rebooted, dt, k,
			    c->verbose);
		if (rebooted)
			plugin_out_info(o, "uptime went down: counters "
			    "restarted, rates counted since the restart");
	} else {
		return;		/* an overlapping rerun: nothing saved */
	}
	if (prev->save_err[0] != '\0')
		plugin_out_sub(o, prev->unusable_state, "cannot save the state "
		    "file: %s; no traffic rates next run", prev->save_err);
}

/* 1 when the connection's status reads as the policy expects. */
static int
conn_works(const struct policy_wan *pw, const struct igd_conn *cn)
{
	return cn->status_rc == 0 && strcmp(cn->status, pw->status) == 0;
}

/* 1 when a failed query is the device refusing it (a UPnP error or an
 * HTTP error), not the deadline or an authentication demand. */
static int
refused(int rc)
{
	return rc > 0 || rc == IGD_EHTTP;
}

/* 1 when the service refused every action it was asked. */
static int
refuses_all(const struct igd_conn *cn)
{
	return refused(cn->status_rc) && refused(cn->extip_rc) &&
	    refused(cn->type_rc) && refused(cn->nat_rc);
}

/* 1 when another connection of the device than i works. */
static int
other_works(const struct policy_wan *pw, const struct igd_wan *w, size_t i)
{
	for (size_t j = 0; j < w->n_conns; j++)
		if (j != i && conn_works(pw, &w->conns[j]))
			return 1;
	return 0;
}

/* One WAN connection service: status, uptime, external address. */
static void
judge_conn(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_device *dev, const struct igd_wan *w, size_t i,
    const struct judge_wan_ctx *c)
{
	const struct igd_conn *cn = &w->conns[i];
	const struct igd_service *svc = &dev->services[cn->service];
	const char *ext = cn->external_ip[0] ? cn->external_ip : "(none)";
	char name[48], pfx[16], label[64], dur[32];
	enum igd_addr_class ac;
	double zero = 0;

	igd_service_label(svc, name, sizeof(name));
	if (w->n_conns == 1)
		pfx[0] = '\0';
	else
		snprintf(pfx, sizeof(pfx), "c%u_", (unsigned)(i + 1) % 100u);

	/* a service the device declares but does not use: reported, judged
	 * by the policy's unused_state when another connection works */
	if (refuses_all(cn)) {
		if (other_works(pw, w, i))
			plugin_out_finding(o, pw->unused_state, "wan.unused_state", -1,
			    "%s: unusable, "
			    "refuses every action (%s): not in use, another "
			    "connection works", name,
			    ERRTEXT(cn->status_rc));
		else
			plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.connection", -1,
			    "%s: unusable, refuses "
			    "every action (%s)", name,
			    ERRTEXT(cn->status_rc));
		return;
	}
	if (cn->status_rc == 0 && strcmp(cn->status, "Unconfigured") == 0 &&
	    strcmp(pw->status, "Unconfigured") != 0 && other_works(pw, w, i)) {
		plugin_out_finding(o, pw->unused_state, "wan.unused_state", -1,
		    "%s: unused (Unconfigured, "
		    "last error %.60s) while another connection is %s", name,
		    cn->last_error[0] ? cn->last_error : "-", pw->status);
		return;
	}
	if (cn->status_rc != 0) {
		plugin_out_finding(o, cn->status_rc == IGD_ETIMEOUT ?
		    c->timeout_state : PLUGIN_UNKNOWN, "wan.status", -1,
		    "%s: GetStatusInfo "
		    "failed: %s", name, ERRTEXT(cn->status_rc));
	} else if (strcmp(cn->status, pw->status) != 0) {
		plugin_out_finding(o, pw->status_state, "wan.status", -1,
		    "%s: status %.30s "
		    "(expected %s), last error %.60s", name, cn->status,
		    pw->status, cn->last_error[0] ? cn->last_error : "-");
	} else if (cn->uptime < 0 && has_range(&pw->uptime)) {
		/* a threshold the user set is never skipped */
		plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.uptime", -1,
		    "%s: %.30s, uptime unreadable: "
		    "its threshold is not judged", name, cn->status);
	} else {
		judge_wan_duration(cn->uptime, dur, sizeof(dur));
		plugin_out_finding(o, cn->uptime >= 0 ?
		    plugin_thresholds_eval(&pw->uptime, (double)cn->uptime) :
		    PLUGIN_OK, "wan.uptime", -1,
		    "%s: %.30s, up %s (%s)", name, cn->status, dur,
		    cn->conn_type[0] ? cn->conn_type : "-");
	}
	if (cn->uptime >= 0) {
		snprintf(label, sizeof(label), "%suptime", pfx);
		plugin_out_perf(o, label, (double)cn->uptime, "s", &pw->uptime,
		    &zero, NULL);
	}
	if (cn->extip_rc != 0) {
		plugin_out_finding(o, cn->extip_rc == IGD_ETIMEOUT ?
		    c->timeout_state : PLUGIN_UNKNOWN, "wan.external_address", -1,
		    "%s: "
		    "GetExternalIPAddress failed: %s", name,
		    ERRTEXT(cn->extip_rc));
		return;
	}
	ac = igd_addr_classify(cn->external_ip);
	if (pw->external_address[0] != '\0' &&
	    strcmp(pw->external_address, cn->external_ip) != 0)
		plugin_out_finding(o, pw->external_mismatch_state, "wan.external_address", -1,
		    "%s: external "
		    "address %.60s, expected %.60s", name, ext,
		    pw->external_address);
	else if (ac != IGD_ADDR_PUBLIC && strcmp(cn->status, "Connected") == 0)
		plugin_out_finding(o, pw->private_state, "wan.external_address.private", -1,
		    "%s: external address "
		    "%.60s is %s: double NAT", name, ext,
		    igd_addr_class_name(ac));
	else
		plugin_out_info(o, "%s: external address %.60s (%s)", name, ext,
		    igd_addr_class_name(ac));
	if (c->verbose >= 1 && cn->nat_rc == 0)
		plugin_out_info(o, "%s: NAT %s, RSIP %s, possible types %.60s",
		    name, cn->nat_enabled == 1 ? "on" :
		    cn->nat_enabled == 0 ? "off" : "?",
		    cn->rsip_available == 1 ? "yes" :
		    cn->rsip_available == 0 ? "no" : "?", cn->possible_types);
}

/* One layer-1 rate against its thresholds. */
static void
judge_link_rate(struct plugin_out *o, const struct plugin_thresholds *t,
    int64_t bps, const char *what, const char *label)
{
	enum plugin_state st;
	double zero = 0;

	if (bps < 0) {
		/* absent or not a number: never a skipped threshold */
		if (has_range(t))
			plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.link_rate", -1,
			    "%s rate unreadable: "
			    "its threshold is not judged", what);
		return;
	}
	st = plugin_thresholds_eval(t, (double)bps);
	if (st != PLUGIN_OK)
		plugin_out_finding(o, st, "wan.link_rate", -1,
		    "%s rate %lld bit/s", what, (long long)bps);
	plugin_out_perf(o, label, (double)bps, "", t, &zero, NULL);
}

/* The common interface of one WANDevice: physical link and layer-1 rates.
 * name ("" or "WAN2: ") and pfx ("" or "wan2_") tell the WANs apart. */
static void
judge_link(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_common *cm, const char *name, const char *pfx)
{
	char up[32], down[32];

	snprintf(up, sizeof(up), "%slink_up", pfx);
	snprintf(down, sizeof(down), "%slink_down", pfx);
	if (cm->present && cm->link_rc == 0) {
		if (cm->link_status[0] && strcmp(cm->link_status, "Up") != 0)
			plugin_out_finding(o, PLUGIN_CRITICAL, "wan.physical_link", -1,
			    "%sphysical link "
			    "%.30s", name, cm->link_status);
		else
			plugin_out_info(o, "%slink %.30s %.30s, %.1f/%.1f Mbit/s "
			    "up/down", name, cm->access_type, cm->link_status[0] ?
			    cm->link_status : "?", (double)cm->up_bps / 1e6,
			    (double)cm->down_bps / 1e6);
		judge_link_rate(o, &pw->link_up, cm->up_bps, "upstream", up);
		judge_link_rate(o, &pw->link_down, cm->down_bps, "downstream",
		    down);
	} else if (cm->present) {
		if (has_range(&pw->link_up) || has_range(&pw->link_down))
			plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.link_rate", -1,
			    "%sGetCommonLinkProperties "
			    "failed (%s): link rate thresholds not judged", name,
			    ERRTEXT(cm->link_rc));
		else
			plugin_out_info(o, "%sGetCommonLinkProperties failed: %s",
			    name, ERRTEXT(cm->link_rc));
	} else if (has_range(&pw->link_up) || has_range(&pw->link_down) ||
	    has_range(&pw->rx_rate) || has_range(&pw->tx_rate)) {
		plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.common_interface", -1,
		    "no WANCommonInterfaceConfig "
		    "service: link and traffic thresholds not judged");
	}
}

/* The first line: the worst finding, then the first connection or the
 * count of them. */
static void
judge_summary(struct plugin_out *o, const struct igd_wan *w, int timed_out)
{
	const struct igd_conn *cn = &w->conns[0];
	const char *status = cn->status[0] ? cn->status : "status unknown";
	const char *ext = cn->external_ip[0] ? cn->external_ip : "(none)";
	const char *tail = timed_out ? " (timed out)" : "";
	char dur[32];

	/* the failing connection and why first, when there is one */
	judge_wan_duration(cn->uptime, dur, sizeof(dur));
	if (w->n_conns == 1)
		plugin_out_summary_worst(o, "%.30s, external %.60s, up %s%s",
		    status, ext, dur, tail);
	else
		plugin_out_summary_worst(o, "%zu WAN connections; first %.30s, "
		    "external %.60s, up %s%s", w->n_conns, status, ext, dur,
		    tail);
}

/* The facts read and the counter sample, into the JSON facts (j NULL:
 * not asked). */
static void
judge_wan_facts(struct json *j, const struct igd_device *dev,
    const struct igd_wan *w, const struct judge_wan_prev *prev,
    const struct judge_wan_ctx *c)
{
	if (j == NULL)
		return;
	json_key(j, "wan");
	facts_wan(j, dev, w);
	json_key(j, "query_error");
	facts_code(j, c->query_rc);
	json_key(j, "counter_sample");
	json_obj_begin(j);
	json_kstr(j, "state_file", prev->path);
	json_kbool(j, "loaded", prev->loaded);
	json_kbool(j, "have_previous", prev->have);
	json_key(j, "previous_time_ms");
	if (prev->have)
		json_uint(j, prev->time_ms);
	else
		json_null(j);
	json_kint(j, "time_ms", c->now_ms);
	json_kstr(j, "load_error", prev->load_err[0] ? prev->load_err : NULL);
	json_kstr(j, "save_error", prev->save_err[0] ? prev->save_err : NULL);
	json_obj_end(j);
}

void
judge_wan(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_device *dev, const struct igd_wan *w,
    const struct judge_wan_prev *prev, const struct judge_wan_ctx *c)
{
	judge_wan_facts(plugin_out_facts(o), dev, w, prev, c);
	if (w->n_conns == 0) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "%.60s has no WAN connection service",
		    dev->friendly_name);
		return;
	}
	for (size_t i = 0; i < w->n_conns; i++)
		judge_conn(o, pw, dev, w, i, c);
	if (w->n_commons <= 1) {
		judge_link(o, pw, &w->common, "", "");
	} else {
		/* every WANDevice's link is judged, each named */
		for (size_t k = 0; k < w->n_commons; k++) {
			char name[24], pfx[16];

			snprintf(name, sizeof(name), "WAN%u: ",
			    w->commons[k].wan_device);
			snprintf(pfx, sizeof(pfx), "wan%u_",
			    w->commons[k].wan_device);
			judge_link(o, pw, &w->commons[k], name, pfx);
		}
		plugin_out_info(o, "traffic counters and rates: WAN%u's only "
		    "(the first WANDevice)", w->commons[0].wan_device);
	}
	if (w->commons_skipped > 0)
		plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.devices_cap", -1,
		    "%u more WANDevices not "
		    "queried (over the cap of %d)", w->commons_skipped,
		    IGD_WANS_MAX);
	if (w->common.present)
		judge_rates(o, pw, w, prev, c);
	if (w->v6fw.present && w->v6fw.rc == 0)
		plugin_out_info(o, "IPv6 firewall %s, inbound pinholes %s",
		    w->v6fw.enabled == 1 ? "enabled" :
		    w->v6fw.enabled == 0 ? "disabled" : "?",
		    w->v6fw.inbound_allowed == 1 ? "allowed" :
		    w->v6fw.inbound_allowed == 0 ? "not allowed" : "?");
	if (c->query_rc == IGD_ETIMEOUT) {
		plugin_out_raise(o, c->timeout_state);
		plugin_out_info(o, "the deadline cut the queries short");
	}
	judge_summary(o, w, c->query_rc == IGD_ETIMEOUT);
}

void
judge_wan_perf_canon(struct plugin_out *o, size_t n_conns)
{
	static const char *const fixed[] = {
		"link_up", "link_down", "tx_bytes", "rx_bytes", "tx_packets",
		"rx_packets", "tx_Bps", "rx_Bps", "tx_pps", "rx_pps"
	};
	enum { CONNS_MAX = 32, FIXED = sizeof(fixed) / sizeof(fixed[0]) };
	char names[CONNS_MAX][16];
	const char *labels[CONNS_MAX + FIXED];
	size_t n = 0;

	if (n_conns <= 1) {
		labels[n++] = "uptime";
	} else {
		for (size_t i = 0; i < n_conns && i < CONNS_MAX; i++) {
			snprintf(names[i], sizeof(names[i]), "c%u_uptime",
			    (unsigned)(i + 1) % 100u);
			labels[n++] = names[i];
		}
	}
	for (size_t i = 0; i < FIXED; i++)
		labels[n++] = fixed[i];
	plugin_out_perf_canon(o, labels, n);
}
