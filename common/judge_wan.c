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

/* The rate names of the counters, in counter_names' order. */
static const char *const rate_names[JUDGE_WAN_COUNTERS] = {
	"tx_Bps", "rx_Bps", "tx_pps", "rx_pps"
};

/* One WAN as it is judged: its facts, its previous counters, its names,
 * and the rates this run found (for the JSON facts). */
struct wan_view {
	unsigned no;				/* judge_wan_slot.no */
	const struct igd_common *cm;		/* NULL: no service */
	const struct judge_wan_prev_wan *prev;	/* NULL with cm */
	char name[24];				/* "" or "WAN2: " */
	char pfx[16];				/* "" or "wan2_" */
	int have_rate[JUDGE_WAN_COUNTERS];
	double rate[JUDGE_WAN_COUNTERS];
};

/* 1 when the user set a rate or link threshold. */
static int
has_link_range(const struct policy_wan *pw)
{
	return has_range(&pw->link_up) || has_range(&pw->link_down);
}

static int
has_rate_range(const struct policy_wan *pw)
{
	return has_range(&pw->rx_rate) || has_range(&pw->tx_rate);
}

/* A WAN's counters as perfdata; 1 when any could be read. */
static int
judge_counters(struct plugin_out *o, const struct policy_wan *pw,
    const struct wan_view *v, int verbose)
{
	const struct igd_common *cm = v->cm;
	char label[40];
	double zero = 0;
	int any = 0;

	for (int k = 0; k < JUDGE_WAN_COUNTERS; k++) {
		const struct plugin_thresholds *t = rate_thresholds(pw, k);

		if (cm->counter_rc[k] == 0) {
			snprintf(label, sizeof(label), "%s%s", v->pfx,
			    counter_names[k]);
			plugin_out_perf(o, label, (double)cm->counter[k], "c",
			    NULL, &zero, NULL);
			any = 1;
		} else if (t != NULL && (t->has_warn || t->has_crit)) {
			/* a threshold was asked for and cannot be judged */
			plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.traffic_rate", -1,
			    "%s%s counter unreadable "
			    "(%s): its rate threshold is not judged", v->name,
			    counter_names[k], ERRTEXT(cm->counter_rc[k]));
		} else if (verbose >= 1) {
			plugin_out_info(o, "%s%s counter unreadable: %s",
			    v->name, counter_names[k],
			    ERRTEXT(cm->counter_rc[k]));
		}
	}
	/* a WAN without traffic figures says so, asked or not */
	if (!any && !has_rate_range(pw) && verbose < 1)
		plugin_out_info(o, "%straffic counters unreadable (%s): no "
		    "traffic rates", v->name, ERRTEXT(cm->counter_rc[0]));
	return any;
}

/* The rate of counter k of one WAN over dt seconds, judged. */
static void
judge_rate(struct plugin_out *o, const struct policy_wan *pw,
    struct wan_view *v, int rebooted, double dt, int k, int verbose)
{
	const struct igd_common *cm = v->cm;
	const struct judge_wan_prev_wan *pv = v->prev;
	const struct plugin_thresholds *t = rate_thresholds(pw, k);
	char label[40];
	uint64_t delta;
	unsigned bits;
	double rate, zero = 0;
	enum plugin_state s;

	if (cm->counter_rc[k] != 0 || !pv->have_counter[k])
		return;
	bits = (pv->counter[k] > UINT32_MAX || cm->counter[k] > UINT32_MAX) ?
	    64 : 32;
	if (state_counter_delta(pv->counter[k], cm->counter[k], bits,
	    rebooted, &delta) != 0) {
		/* a device whose counters keep going backwards must not
		 * keep a rate threshold from ever being judged */
		if (t != NULL && has_range(t))
			plugin_out_finding(o, PLUGIN_UNKNOWN,
			    "wan.traffic_rate", -1, "%s%s went backwards "
			    "(%llu to %llu): no rate this run, its threshold "
			    "is not judged", v->name, counter_names[k],
			    (unsigned long long)pv->counter[k],
			    (unsigned long long)cm->counter[k]);
		else
			plugin_out_info(o, "%s%s went backwards (%llu to %llu): "
			    "no rate this run", v->name, counter_names[k],
			    (unsigned long long)pv->counter[k],
			    (unsigned long long)cm->counter[k]);
		return;
	}
	rate = (double)delta / dt;
	v->have_rate[k] = 1;
	v->rate[k] = rate;
	s = t ? plugin_thresholds_eval(t, rate) : PLUGIN_OK;
	if (s != PLUGIN_OK)
		plugin_out_finding(o, s, "wan.traffic_rate", -1,
		    "%s%s %.0f/s", v->name, k == 0 ? "sent" : "received",
		    rate);
	else if (verbose >= 1)
		plugin_out_info(o, "%s%s %.1f/s over %.0f s", v->name,
		    counter_names[k], rate, dt);
	snprintf(label, sizeof(label), "%s%s", v->pfx, rate_names[k]);
	plugin_out_perf(o, label, rate, "", t, &zero, NULL);
}

/* A WAN whose counters read now but not in the previous sample (a WAN
 * new to the state file, a counter unreadable last run) says that its
 * rates come from the next run on, as a first run does. */
static void
no_previous(struct plugin_out *o, const struct wan_view *v)
{
	unsigned missing = 0;

	for (int k = 0; v->cm != NULL && k < JUDGE_WAN_COUNTERS; k++)
		missing += v->cm->counter_rc[k] == 0 &&
		    !v->prev->have_counter[k];
	if (missing > 0)
		plugin_out_info(o, "%s%u counter%s without a previous reading "
		    "in the state file: %s from the next run on", v->name,
		    missing, missing > 1 ? "s" : "", missing > 1 ? "their "
		    "rates" : "its rate");
}

/* Traffic rates of every WAN from its counters and the previous run's
 * sample. */
static void
judge_rates(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_wan *w, struct wan_view *views, size_t nv,
    const struct judge_wan_prev *prev, const struct judge_wan_ctx *c)
{
	int64_t uptime = judge_wan_uptime(pw, w);
	char held[96] = "", left[32], ago[32];
	int rebooted, any = 0;
	double dt;

	for (size_t i = 0; i < nv; i++)
		if (views[i].cm != NULL)
			any |= judge_counters(o, pw, &views[i], c->verbose);
	if (!any)
		return;
	/* the rates the user expects cannot be trusted or kept: a state,
	 * held as long as a port-mapping change (what a restart hid) */
	if (prev->restart.held) {
		judge_wan_duration(prev->hold - (c->now_ms / 1000 -
		    prev->restart.since), left, sizeof(left));
		snprintf(held, sizeof(held), " (held %s%s%s, or until "
		    "--accept)", prev->restart.fresh ? "for " : "", left,
		    prev->restart.fresh ? "" : " more");
	}
	if (prev->path != NULL && prev->load_err[0] != '\0')
		plugin_out_finding(o, prev->unusable_state, "state.unusable", -1,
		    "%s; traffic rates start again%s", prev->load_err, held);
	else if (prev->path != NULL && prev->restart.held &&
	    !prev->restart.fresh) {
		judge_wan_duration(c->now_ms / 1000 - prev->restart.since, ago,
		    sizeof(ago));
		plugin_out_finding(o, prev->unusable_state, "state.unusable", -1,
		    "traffic rates started again %s ago: %s%s", ago,
		    prev->restart.why, held);
	}
	if (prev->path == NULL || !prev->loaded) {
		/* rates need the previous sample: a threshold on them is
		 * never skipped in silence */
		if (has_rate_range(pw))
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
		for (size_t i = 0; i < nv; i++) {
			for (int k = 0; views[i].cm != NULL &&
			    k < JUDGE_WAN_COUNTERS; k++)
				judge_rate(o, pw, &views[i], rebooted, dt, k,
				    c->verbose);
			no_previous(o, &views[i]);
		}
		if (rebooted)
			plugin_out_info(o, "uptime went down: counters "
			    "restarted, rates counted since the restart");
	} else {
		return;		/* an overlapping rerun: nothing saved */
	}
	if (prev->save_err[0] != '\0')
		plugin_out_finding(o, prev->unusable_state, "state.unusable", -1,
		    "cannot save the state file: %s; no traffic rates next run",
		    prev->save_err);
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

/* The common interface of one WAN: physical link and layer-1 rates.  On
 * a device with several WANs (multi), one whose link cannot be read is a
 * subcheck naming it and why, never left out. */
static void
judge_link(struct plugin_out *o, const struct policy_wan *pw,
    const struct wan_view *v, int multi, const struct judge_wan_ctx *c)
{
	const struct igd_common *cm = v->cm;
	const char *name = v->name;
	char up[40], down[40];

	snprintf(up, sizeof(up), "%slink_up", v->pfx);
	snprintf(down, sizeof(down), "%slink_down", v->pfx);
	if (cm != NULL && cm->link_rc == 0) {
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
	} else if (cm != NULL) {
		if (has_link_range(pw))
			plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.link_rate", -1,
			    "%sGetCommonLinkProperties "
			    "failed (%s): link rate thresholds not judged", name,
			    ERRTEXT(cm->link_rc));
		else if (multi)
			plugin_out_finding(o, cm->link_rc == IGD_ETIMEOUT ?
			    c->timeout_state : PLUGIN_OK, "wan.physical_link",
			    -1, "%slink not judged: GetCommonLinkProperties "
			    "failed (%s)", name, ERRTEXT(cm->link_rc));
		else
			plugin_out_info(o, "%sGetCommonLinkProperties failed: %s",
			    name, ERRTEXT(cm->link_rc));
	} else if (multi) {
		plugin_out_finding(o, has_link_range(pw) || has_rate_range(pw) ?
		    PLUGIN_UNKNOWN : PLUGIN_OK, "wan.common_interface", -1,
		    "%snot judged: its WANDevice has no "
		    "WANCommonInterfaceConfig service%s", name,
		    has_link_range(pw) || has_rate_range(pw) ?
		    ": link and traffic thresholds not judged" : "");
	} else if (has_link_range(pw) || has_rate_range(pw)) {
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

/* The counters of pv (NULL: none) as {"tx_bytes": n|null, ...}. */
static void
prev_counters_json(struct json *j, const struct judge_wan_prev_wan *pv)
{
	if (pv == NULL) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	for (int k = 0; k < JUDGE_WAN_COUNTERS; k++) {
		json_key(j, counter_names[k]);
		if (pv->have_counter[k])
			json_uint(j, pv->counter[k]);
		else
			json_null(j);
	}
	json_obj_end(j);
}

/* The facts read and the counter sample with each WAN's rates, into the
 * JSON facts (j NULL: not asked). */
static void
judge_wan_facts(struct json *j, const struct igd_device *dev,
    const struct igd_wan *w, const struct judge_wan_prev *prev,
    const struct judge_wan_ctx *c, const struct wan_view *views, size_t nv)
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
	/* per WAN: the previous counters and the rates this run found */
	json_key(j, "wans");
	json_arr_begin(j);
	for (size_t i = 0; i < nv; i++) {
		const struct wan_view *v = &views[i];

		json_obj_begin(j);
		json_kint(j, "wan", v->no);
		json_kbool(j, "interface", v->cm != NULL);
		json_key(j, "previous");
		prev_counters_json(j, prev->have ? v->prev : NULL);
		json_key(j, "rates");
		json_obj_begin(j);
		for (int k = 0; k < JUDGE_WAN_COUNTERS; k++) {
			json_key(j, rate_names[k]);
			if (v->have_rate[k])
				json_num(j, v->rate[k]);
			else
				json_null(j);
		}
		json_obj_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "restart");
	facts_restart(j, &prev->restart, prev->hold);
	json_obj_end(j);
}

size_t
judge_wan_slots(const struct igd_device *dev, const struct igd_wan *w,
    struct judge_wan_slot *slots)
{
	size_t n = 0;

	if (dev->wan_devices <= 1) {
		slots[0].no = 0;
		slots[0].common = w->n_commons > 0 ? 0 : -1;
		return 1;
	}
	for (unsigned k = 1; k <= dev->wan_devices && n < IGD_WANS_MAX; k++) {
		slots[n].no = k;
		slots[n].common = -1;
		for (size_t i = 0; i < w->n_commons; i++)
			if (w->commons[i].wan_device == k) {
				slots[n].common = (int)i;
				break;
			}
		n++;
	}
	return n;
}

/* The WANs of w as judged (views, IGD_WANS_MAX), named; returns how
 * many. */
static size_t
wan_views(const struct igd_device *dev, const struct igd_wan *w,
    const struct judge_wan_prev *prev, struct wan_view *views)
{
	struct judge_wan_slot slots[IGD_WANS_MAX];
	size_t n = judge_wan_slots(dev, w, slots);

	memset(views, 0, n * sizeof(*views));
	for (size_t i = 0; i < n; i++) {
		struct wan_view *v = &views[i];
		int ci = slots[i].common;

		v->no = slots[i].no;
		if (v->no == 0) {
			/* the only WAN: the first interface, unprefixed */
			v->cm = w->common.present ? &w->common : NULL;
			v->prev = &prev->wans[0];
		} else {
			v->cm = ci >= 0 ? &w->commons[ci] : NULL;
			v->prev = ci >= 0 ? &prev->wans[ci] : NULL;
			snprintf(v->name, sizeof(v->name), "WAN%u: ", v->no);
			snprintf(v->pfx, sizeof(v->pfx), "wan%u_", v->no);
		}
	}
	return n;
}

void
judge_wan(struct plugin_out *o, const struct policy_wan *pw,
    const struct igd_device *dev, const struct igd_wan *w,
    const struct judge_wan_prev *prev, const struct judge_wan_ctx *c)
{
	struct wan_view views[IGD_WANS_MAX];
	size_t nv = wan_views(dev, w, prev, views);
	int multi = views[0].no != 0;
	unsigned over = 0;

	if (w->n_conns == 0) {
		judge_wan_facts(plugin_out_facts(o), dev, w, prev, c, views, 0);
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "%.60s has no WAN connection service",
		    dev->friendly_name);
		return;
	}
	for (size_t i = 0; i < w->n_conns; i++)
		judge_conn(o, pw, dev, w, i, c);
	/* every WAN's link is judged, each named on a device with several */
	for (size_t i = 0; i < nv; i++)
		judge_link(o, pw, &views[i], multi, c);
	if (!multi && w->n_commons > 1)
		plugin_out_info(o, "%zu WANCommonInterfaceConfig services in "
		    "one WANDevice: the first judged", w->n_commons);
	if (dev->wan_devices > IGD_WANS_MAX)
		over = dev->wan_devices - IGD_WANS_MAX;
	if (w->commons_skipped > over)
		over = w->commons_skipped;
	if (over > 0)
		plugin_out_finding(o, PLUGIN_UNKNOWN, "wan.devices_cap", -1,
		    "%u more WANDevices not "
		    "judged (over the cap of %d)", over, IGD_WANS_MAX);
	judge_rates(o, pw, w, views, nv, prev, c);
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
	judge_wan_facts(plugin_out_facts(o), dev, w, prev, c, views, nv);
}

void
judge_wan_perf_canon(struct plugin_out *o, size_t n_conns,
    unsigned wan_devices)
{
	static const char *const fixed[] = {
		"link_up", "link_down", "tx_bytes", "rx_bytes", "tx_packets",
		"rx_packets", "tx_Bps", "rx_Bps", "tx_pps", "rx_pps"
	};
	enum { CONNS_MAX = 32, FIXED = sizeof(fixed) / sizeof(fixed[0]) };
	char names[CONNS_MAX][16], wnames[IGD_WANS_MAX][FIXED][24];
	const char *labels[CONNS_MAX + FIXED * (1 + IGD_WANS_MAX)];
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
	for (unsigned k = 1; wan_devices > 1 && k <= wan_devices &&
	    k <= IGD_WANS_MAX; k++)
		for (size_t i = 0; i < FIXED; i++) {
			snprintf(wnames[k - 1][i], sizeof(wnames[k - 1][i]),
			    "wan%u_%s", k, fixed[i]);
			labels[n++] = wnames[k - 1][i];
		}
	plugin_out_perf_canon(o, labels, n);
}
