/* SPDX-License-Identifier: GPL-3.0-or-later */
/* judge_present: found devices into a verdict (see judge_present.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "judge_present.h"
#include "json.h"

int
judge_present_pinned(const struct policy_present *pp,
    const struct igd_device *d)
{
	return (pp->udn[0] == '\0' || strcmp(pp->udn, d->udn) == 0) &&
	    (pp->model[0] == '\0' || strcmp(pp->model, d->model_name) == 0) &&
	    (pp->location[0] == '\0' || strcmp(pp->location, d->location) == 0);
}

/* A field the device left blank prints as "-", like every empty field. */
static const char *
dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

/* A census answer past the fully described ones, as a device with its
 * identity only (no services). */
static void
from_brief(struct igd_found *f, const struct igd_brief *b)
{
	memset(f, 0, sizeof(*f));
	f->rc = b->rc;
	f->answer_ms = b->answer_ms;
	memcpy(f->err, b->err, sizeof(f->err));
	memcpy(f->dev.location, b->location, sizeof(f->dev.location));
	memcpy(f->dev.udn, b->udn, sizeof(f->dev.udn));
	memcpy(f->dev.friendly_name, b->friendly_name,
	    sizeof(f->dev.friendly_name));
	memcpy(f->dev.manufacturer, b->manufacturer,
	    sizeof(f->dev.manufacturer));
	memcpy(f->dev.model_name, b->model_name, sizeof(f->dev.model_name));
	if (strcmp(b->kind, "TR-064 IGD") == 0)
		f->dev.tr064 = 1;
	else if (strncmp(b->kind, "IGD:", 4) == 0)
		f->dev.igd_version = b->kind[4] - '0';
}

/* The identity line of one device. */
static void
describe(struct plugin_out *o, const struct igd_found *f, int verbose)
{
	const struct igd_device *d = &f->dev;
	size_t conns = 0;
	char kind[32];

	for (size_t i = 0; i < d->n_services; i++)
		if (d->services[i].kind == IGD_SVC_WANIP ||
		    d->services[i].kind == IGD_SVC_WANPPP)
			conns++;
	igd_device_kind(d, kind, sizeof(kind));
	plugin_out_info(o, "%.80s: %.60s %.60s %.40s (%.60s), UDN %.60s, "
	    "%s, %zu WAN connection service%s", d->location,
	    dash(d->manufacturer), dash(d->model_name), dash(d->model_number),
	    dash(d->friendly_name), dash(d->udn), kind, conns,
	    conns == 1 ? "" : "s");
	if (d->services_dropped > 0)
		plugin_out_info(o, "%.80s: %u WAN service%s not usable, e.g. "
		    "%.200s", d->location, d->services_dropped,
		    d->services_dropped == 1 ? "" : "s", d->dropped[0]);
	if (verbose >= 1) {
		plugin_out_info(o, "serial %.60s, presentation URL %.100s, "
		    "server %.80s", d->serial[0] ? d->serial : "-",
		    d->presentation_url[0] ? d->presentation_url : "-",
		    d->server[0] ? d->server : "-");
	}
	if (verbose >= 2) {
		for (size_t i = 0; i < d->n_services; i++)
			plugin_out_info(o, "service %.80s at %.120s",
			    d->services[i].type, d->services[i].control_url);
	}
}

/* Nothing usable answered: missing, timed out or unreadable. */
static void
judge_none(struct plugin_out *o, const struct policy_present *pp,
    const struct igd_found *found, size_t n, const struct cli_opts *opts)
{
	int rc0;

	if (n == 0) {
		/* nobody answered within the deadline */
		plugin_out_set_state(o, pp->missing_state);
		plugin_out_summary(o, "no IGD answered %s within %.1f s",
		    opts->host ? opts->host : (opts->iface ? opts->iface :
		    "the multicast search"), opts->timeout);
		return;
	}
	/* nothing there (refused, unreachable, 404) is a missing IGD;
	 * something that answers slowly or brokenly is UNKNOWN */
	rc0 = found[0].rc;
	if (rc0 == IGD_ETIMEOUT)
		plugin_out_set_state(o, opts->timeout_state);
	else if (opts->url && (rc0 == IGD_ECONNECT || rc0 == IGD_EADDRESS ||
	    rc0 == IGD_EHTTP))
		plugin_out_set_state(o, pp->missing_state);
	else
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
	if (opts->url)
		plugin_out_summary(o, "no usable IGD at %.100s: %s", opts->url,
		    found[0].err);
	else
		plugin_out_summary(o, "%.100s answered but its description "
		    "could not be read: %s", found[0].dev.location, found[0].err);
}

/* Each pin the device shown differs from. */
static void
judge_pins(struct plugin_out *o, const struct policy_present *pp,
    const struct igd_device *d)
{
	if (pp->udn[0] && strcmp(pp->udn, d->udn) != 0)
		plugin_out_finding(o, pp->mismatch_state, "present.udn", -1,
		    "UDN is %.80s, policy "
		    "expects %.80s", dash(d->udn), pp->udn);
	if (pp->model[0] && strcmp(pp->model, d->model_name) != 0)
		plugin_out_finding(o, pp->mismatch_state, "present.model", -1,
		    "model is %.80s, policy "
		    "expects %.80s", dash(d->model_name), pp->model);
	if (pp->location[0] && strcmp(pp->location, d->location) != 0)
		plugin_out_finding(o, pp->mismatch_state, "present.location", -1,
		    "location is %.100s, "
		    "policy expects %.100s", d->location, pp->location);
}

/* Distinct IGD answers the SSDP search could not keep. */
static unsigned
ssdp_over_cap(const struct judge_present_ctx *c)
{
	return c->ssdp != NULL ? c->ssdp->over_cap : 0;
}

/* 1 when the SSDP search stopped reading before its window ended. */
static int
ssdp_stopped(const struct judge_present_ctx *c)
{
	return c->ssdp != NULL && c->ssdp->stopped;
}

/*
 * Why a census cannot count, into buf: more IGDs than the search keeps
 * (how many more is not known: answers past the cap are not remembered,
 * so repeats cannot be told from new devices), a search that stopped
 * reading, descriptions not read by the deadline.
 */
static void
count_unknown_why(const struct judge_present_ctx *c, char *buf, size_t len)
{
	char part[3][100];
	size_t n = 0, used = 0;

	if (ssdp_over_cap(c) > 0)
		snprintf(part[n++], sizeof(part[0]), "more than %d IGDs "
		    "answered (the search keeps %d and stopped counting)",
		    SSDP_ANSWERS_MAX, SSDP_ANSWERS_MAX);
	if (ssdp_stopped(c))
		snprintf(part[n++], sizeof(part[0]), "the search stopped "
		    "reading after %d datagrams", SSDP_DATAGRAMS_MAX);
	if (c->unread > 0)
		snprintf(part[n++], sizeof(part[0]), "%zu answer%s not "
		    "described before the deadline", c->unread,
		    c->unread == 1 ? "" : "s");
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s",
		    i > 0 ? "; " : "", part[i]);

		if (k < 0)
			break;
		used += (size_t)k;	/* past len: cut, and the loop ends */
	}
}

/* The device shown (show), the count ok, every other device found. */
static void
judge_shown(struct plugin_out *o, const struct policy_present *pp,
    const struct igd_found *found, size_t n, const struct igd_found *show,
    size_t ok, const struct judge_present_ctx *c)
{
	const struct cli_opts *opts = c->opts;
	const struct igd_device *d = &show->dev;
	double answer_s = (double)show->answer_ms / 1000.0;
	enum plugin_state st = plugin_thresholds_eval(c->th, answer_s);

	if (st != PLUGIN_OK)
		plugin_out_finding(o, st, "answer_time", -1,
		    "answer time %.3f s", answer_s);
	if (c->census && (c->unread > 0 || ssdp_over_cap(c) > 0 ||
	    ssdp_stopped(c))) {
		char why[200];

		/* the count is not known: never judge it as if it were */
		count_unknown_why(c, why, sizeof(why));
		plugin_out_finding(o, PLUGIN_UNKNOWN, "present.expect_count", -1,
		    "IGD count unknown: %s", why);
	} else if ((c->census || opts->url || opts->host) &&
	    pp->expect_count > 0 && (size_t)pp->expect_count != ok) {
		plugin_out_finding(o, pp->count_state, "present.expect_count", -1,
		    "%zu IGDs answered, policy "
		    "expects %d", ok, pp->expect_count);
	}
	if (d->igd_version == 0 && !d->tr064)
		plugin_out_finding(o, pp->mismatch_state, "present.device_type", -1,
		    "%.100s is not an "
		    "Internet Gateway Device (root deviceType %.100s)",
		    d->location, dash(d->device_type));
	describe(o, show, opts->verbose);
	for (size_t i = 0; i < n; i++) {
		if (&found[i] == show)
			continue;
		if (found[i].rc == 0)
			describe(o, &found[i], opts->verbose);
		else
			plugin_out_finding(o, PLUGIN_UNKNOWN, "description", -1,
			    "%.100s: description "
			    "unreadable: %.100s", found[i].dev.location,
			    found[i].err);
	}
	for (size_t i = 0; i < c->n_briefs; i++) {
		const struct igd_brief *b = &c->briefs[i];

		if (strcmp(b->location, d->location) == 0)
			continue;
		if (b->rc == 0)
			plugin_out_info(o, "%.80s: %.60s %.60s (%.60s), UDN %.60s, "
			    "%s", b->location, dash(b->manufacturer),
			    dash(b->model_name), dash(b->friendly_name),
			    dash(b->udn), b->kind);
		else
			plugin_out_finding(o, PLUGIN_UNKNOWN, "description", -1,
			    "%.100s: description "
			    "unreadable: %.100s", b->location, b->err);
	}
	/* the worst finding first, when there is one */
	if (c->census && ssdp_over_cap(c) > 0)
		plugin_out_summary_worst(o, "more than %d IGDs answered; %.60s "
		    "(%.40s %.40s) at %.100s in %.3f s", SSDP_ANSWERS_MAX,
		    dash(d->friendly_name), dash(d->manufacturer),
		    dash(d->model_name), d->location, answer_s);
	else if (c->census && ok != 1)
		plugin_out_summary_worst(o, "%zu IGDs answered; %.60s (%.40s "
		    "%.40s) at %.100s in %.3f s", ok, dash(d->friendly_name),
		    dash(d->manufacturer), dash(d->model_name), d->location,
		    answer_s);
	else
		plugin_out_summary_worst(o, "%.60s (%.40s %.40s) at %.100s "
		    "answered in %.3f s%s", dash(d->friendly_name),
		    dash(d->manufacturer), dash(d->model_name), d->location,
		    answer_s, c->census ? ", 1 IGD" : "");
}

/* What the SSDP search saw beside the IGDs (-v, -vv). */
static void
judge_ssdp(struct plugin_out *o, const struct ssdp_result *ssdp,
    const struct cli_opts *opts)
{
	/* a host on the LAN lies about LOCATION: -v says so, and the
	 * refused_locations perfdata counts it always */
	if (ssdp->refused_location > 0 && opts->verbose >= 1)
		plugin_out_info(o, "refused %u SSDP answer%s whose LOCATION "
		    "pointed to another host (e.g. %.100s)",
		    ssdp->refused_location,
		    ssdp->refused_location == 1 ? "" : "s",
		    ssdp->refused_example);
	if (opts->verbose >= 2 && !opts->url)
		plugin_out_info(o, "SSDP: %u datagrams, %zu IGD answers, %u "
		    "duplicates, %u other device types, %u malformed, %u from "
		    "other hosts", ssdp->datagrams, ssdp->n, ssdp->duplicates,
		    ssdp->other_types, ssdp->malformed, ssdp->foreign);
}

/* The devices found, the census briefs and the search, into the JSON
 * facts (j NULL: not asked). */
static void
present_facts(struct json *j, const struct igd_found *found, size_t n,
    const struct ssdp_result *ssdp, const struct judge_present_ctx *c,
    const struct igd_found *chosen, size_t ok)
{
	if (j == NULL)
		return;
	json_kstr(j, "search_error", c->search_rc != 0 ? c->search_err : NULL);
	json_kbool(j, "census", c->census);
	json_kint(j, "igds", (int64_t)ok);
	json_key(j, "shown");
	json_obj_begin(j);
	if (chosen != NULL) {
		json_kint(j, "answer_ms", chosen->answer_ms);
		json_key(j, "device");
		facts_device(j, &chosen->dev);
	}
	json_obj_end(j);
	json_key(j, "devices");
	json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		json_obj_begin(j);
		json_kint(j, "answer_ms", found[i].answer_ms);
		json_kbool(j, "shown", &found[i] == chosen);
		json_kstr(j, "error", found[i].rc != 0 ? found[i].err : NULL);
		json_key(j, "device");
		facts_device(j, &found[i].dev);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "briefs");
	json_arr_begin(j);
	for (size_t i = 0; i < c->n_briefs; i++) {
		const struct igd_brief *b = &c->briefs[i];

		json_obj_begin(j);
		json_kint(j, "answer_ms", b->answer_ms);
		json_kstr(j, "location", b->location);
		json_kstr(j, "error", b->rc != 0 ? b->err : NULL);
		json_kstr(j, "udn", b->udn);
		json_kstr(j, "friendly_name", b->friendly_name);
		json_kstr(j, "manufacturer", b->manufacturer);
		json_kstr(j, "model_name", b->model_name);
		json_kstr(j, "kind", b->kind);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_kint(j, "unread", (int64_t)c->unread);
	json_key(j, "ssdp");
	if (ssdp != NULL && !c->opts->url)
		facts_ssdp(j, ssdp);
	else
		json_null(j);
}

void
judge_present(struct plugin_out *o, const struct policy_present *pp,
    const struct igd_found *found, size_t n, const struct ssdp_result *ssdp,
    const struct judge_present_ctx *c)
{
	const struct igd_found *chosen = NULL, *first = NULL;
	struct igd_found *extra = NULL;	/* briefs shown as devices */
	double answer_s = 0, zero = 0;
	size_t ok = 0;

	if (c->search_rc != 0) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "cannot search: %s", c->search_err);
		n = 0;
	}
	/* the device to report: the first that matches the pins */
	for (size_t i = 0; i < n; i++) {
		if (found[i].rc != 0)
			continue;
		ok++;
		if (first == NULL)
			first = &found[i];
		if (chosen == NULL && judge_present_pinned(pp, &found[i].dev))
			chosen = &found[i];
	}
	/* a census counts the answers past those found in full too; one of
	 * them may be the first readable device or the pinned one */
	if (c->search_rc == 0 && c->n_briefs > 0)
		extra = calloc(2, sizeof(*extra));
	for (size_t i = 0; c->search_rc == 0 && i < c->n_briefs; i++) {
		if (c->briefs[i].rc != 0)
			continue;
		ok++;
		if (extra == NULL)
			continue;	/* counted, not shown (out of memory) */
		if (first == NULL) {
			from_brief(&extra[0], &c->briefs[i]);
			first = &extra[0];
		}
		if (chosen == NULL) {
			from_brief(&extra[1], &c->briefs[i]);
			if (judge_present_pinned(pp, &extra[1].dev))
				chosen = &extra[1];
		}
	}
	if (c->search_rc != 0) {
		/* said above */
	} else if (ok == 0) {
		judge_none(o, pp, found, n, c->opts);
	} else {
		if (chosen == NULL) {
			/* something answered, but not the pinned device */
			chosen = first;
			judge_pins(o, pp, &chosen->dev);
		}
		answer_s = (double)chosen->answer_ms / 1000.0;
		judge_shown(o, pp, found, n, chosen, ok, c);
	}
	if (c->search_rc == 0)
		judge_ssdp(o, ssdp, c->opts);
	/* every verdict carries the same perfdata, errors included: the
	 * answer time is U when nothing answered (0 would graph as fast);
	 * "time" (the run's elapsed time) is added by the plugin */
	if (chosen != NULL)
		plugin_out_perf(o, "answer_time", answer_s, "s", c->th, &zero,
		    NULL);
	else
		plugin_out_perf_u(o, "answer_time", c->th, &zero, NULL);
	present_facts(plugin_out_facts(o), found, n, ssdp, c, chosen, ok);
	plugin_out_perf(o, "igds", (double)ok, "", NULL, &zero, NULL);
	plugin_out_perf(o, "refused_locations", c->opts->url ? 0.0 :
	    (double)ssdp->refused_location, "", NULL, &zero, NULL);
	free(extra);
}

/* 1 when pp pins a device by UDN, model or location. */
static int
pins_set(const struct policy_present *pp)
{
	return pp->udn[0] != '\0' || pp->model[0] != '\0' ||
	    pp->location[0] != '\0';
}

/* The pins of pp as text: "UDN uuid:..., location http://...". */
static void
pins_text(const struct policy_present *pp, char *buf, size_t len)
{
	snprintf(buf, len, "%s%.80s%s%s%.60s%s%s%.100s",
	    pp->udn[0] ? "UDN " : "", pp->udn,
	    pp->udn[0] && (pp->model[0] || pp->location[0]) ? ", " : "",
	    pp->model[0] ? "model " : "", pp->model,
	    pp->model[0] && pp->location[0] ? ", " : "",
	    pp->location[0] ? "location " : "", pp->location);
}

/* Name the IGDs of ssdp other than the one at location (may be NULL);
 * returns how many there were. */
static size_t
judge_others(struct plugin_out *o, const struct policy_present *pp,
    const struct ssdp_result *ssdp, const char *location)
{
	enum { SHOWN_MAX = 8 };
	int alarm = pins_set(pp) && pp->expect_count == 1;
	size_t others = 0;

	for (size_t i = 0; ssdp != NULL && i < ssdp->n; i++) {
		const struct ssdp_answer *a = &ssdp->answers[i];

		if (location != NULL && strcmp(a->location, location) == 0)
			continue;
		const char *end = strstr(a->usn, "::");
		int udn = end != NULL ? (int)(end - a->usn) : (int)strlen(a->usn);

		if (++others > SHOWN_MAX)
			continue;
		/* the USN's uuid part is the UDN the device claims */
		if (udn > 80)
			udn = 80;
		if (alarm)
			plugin_out_sub(o, pp->count_state, "another IGD "
			    "answered, not judged: %.100s (UDN %.*s, %.60s)",
			    a->location, udn > 0 ? udn : 1, udn > 0 ? a->usn :
			    "-", dash(a->server));
		else
			plugin_out_info(o, "another IGD answered, not judged: "
			    "%.100s (UDN %.*s, %.60s)", a->location,
			    udn > 0 ? udn : 1, udn > 0 ? a->usn : "-",
			    dash(a->server));
	}
	if (others > SHOWN_MAX) {
		if (alarm)
			plugin_out_sub(o, pp->count_state, "%zu more IGDs "
			    "answered, not judged", others - SHOWN_MAX);
		else
			plugin_out_info(o, "%zu more IGDs answered, not judged",
			    others - SHOWN_MAX);
	}
	return others;
}

int
judge_present_device(struct plugin_out *o, const struct policy_present *pp,
    const struct igd_found *f, const struct ssdp_result *ssdp,
    const struct cli_opts *opts)
{
	char pins[320];
	size_t others;
	/* the device the check was asked about was not judged: never OK,
	 * even with present.mismatch_state ok (which check_igd_present may
	 * honour: there the mismatch is the whole finding) */
	enum plugin_state not_judged = pp->mismatch_state == PLUGIN_OK ?
	    PLUGIN_UNKNOWN : pp->mismatch_state;

	if (f == NULL && (ssdp == NULL || ssdp->n == 0)) {
		plugin_out_set_state(o, opts->timeout_state);
		plugin_out_summary(o, "no IGD answered within %.1f s",
		    opts->timeout);
		return -1;
	}
	others = judge_others(o, pp, ssdp, f != NULL ? f->dev.location : NULL);
	pins_text(pp, pins, sizeof(pins));
	if (f == NULL) {
		/* others answered, the pinned device did not: none of them
		 * is judged in its place */
		plugin_out_set_state(o, not_judged);
		plugin_out_summary(o, "the pinned IGD (%s) did not answer "
		    "within %.1f s; %zu other IGD%s answered, not judged",
		    pins, opts->timeout, others, others == 1 ? "" : "s");
		return -1;
	}
	if (f->rc != 0) {
		plugin_out_set_state(o, f->rc == IGD_ETIMEOUT ?
		    opts->timeout_state : PLUGIN_UNKNOWN);
		plugin_out_summary(o, "cannot read the description at "
		    "%.100s: %s", f->dev.location, f->err);
		return -1;
	}
	if (!judge_present_pinned(pp, &f->dev)) {
		judge_pins(o, pp, &f->dev);
		plugin_out_set_state(o, not_judged);
		plugin_out_summary(o, "%.100s is not the pinned IGD (%s), not "
		    "judged", f->dev.location, pins);
		return -1;
	}
	return 0;
}
