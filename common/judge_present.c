/* SPDX-License-Identifier: GPL-3.0-or-later */
/* judge_present: found devices into a verdict (see judge_present.h). */
#include <stdio.h>
#include <string.h>

#include "judge_present.h"

int
judge_present_pinned(const struct policy_present *pp,
    const struct igd_device *d)
{
	return (pp->udn[0] == '\0' || strcmp(pp->udn, d->udn) == 0) &&
	    (pp->model[0] == '\0' || strcmp(pp->model, d->model_name) == 0) &&
	    (pp->location[0] == '\0' || strcmp(pp->location, d->location) == 0);
}

/* The identity line of one device. */
static void
describe(struct plugin_out *o, const struct igd_found *f, int verbose)
{
	const struct igd_device *d = &f->dev;
	size_t conns = 0;

	for (size_t i = 0; i < d->n_services; i++)
		if (d->services[i].kind == IGD_SVC_WANIP ||
		    d->services[i].kind == IGD_SVC_WANPPP)
			conns++;
	plugin_out_info(o, "%.80s: %.60s %.60s %.40s (%.60s), UDN %.60s, "
	    "IGD:%d, %zu WAN connection service%s", d->location,
	    d->manufacturer, d->model_name, d->model_number, d->friendly_name,
	    d->udn, d->igd_version, conns, conns == 1 ? "" : "s");
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
		plugin_out_sub(o, pp->mismatch_state, "UDN is %.80s, policy "
		    "expects %.80s", d->udn, pp->udn);
	if (pp->model[0] && strcmp(pp->model, d->model_name) != 0)
		plugin_out_sub(o, pp->mismatch_state, "model is %.80s, policy "
		    "expects %.80s", d->model_name, pp->model);
	if (pp->location[0] && strcmp(pp->location, d->location) != 0)
		plugin_out_sub(o, pp->mismatch_state, "location is %.100s, "
		    "policy expects %.100s", d->location, pp->location);
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
		plugin_out_sub(o, st, "answer time %.3f s", answer_s);
	if ((c->census || opts->url || opts->host) && pp->expect_count > 0 &&
	    (size_t)pp->expect_count != ok)
		plugin_out_sub(o, pp->count_state, "%zu IGDs answered, policy "
		    "expects %d", ok, pp->expect_count);
	if (c->census && ok != 1)
		plugin_out_summary(o, "%zu IGDs answered; %.60s (%.40s %.40s) "
		    "at %.100s in %.3f s", ok, d->friendly_name,
		    d->manufacturer, d->model_name, d->location, answer_s);
	else
		plugin_out_summary(o, "%.60s (%.40s %.40s) at %.100s answered "
		    "in %.3f s%s", d->friendly_name, d->manufacturer,
		    d->model_name, d->location, answer_s,
		    c->census ? ", 1 IGD" : "");
	describe(o, show, opts->verbose);
	for (size_t i = 0; i < n; i++) {
		if (&found[i] == show)
			continue;
		if (found[i].rc == 0)
			describe(o, &found[i], opts->verbose);
		else
			plugin_out_sub(o, PLUGIN_UNKNOWN, "%.100s: description "
			    "unreadable: %.100s", found[i].dev.location,
			    found[i].err);
	}
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

void
judge_present(struct plugin_out *o, const struct policy_present *pp,
    const struct igd_found *found, size_t n, const struct ssdp_result *ssdp,
    const struct judge_present_ctx *c)
{
	const struct igd_found *chosen = NULL, *first = NULL;
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
	/* every verdict carries perfdata, errors included */
	plugin_out_perf(o, "time", answer_s, "s", c->th, &zero, NULL);
	plugin_out_perf(o, "igds", (double)ok, "", NULL, &zero, NULL);
	if (!c->opts->url)
		plugin_out_perf(o, "refused_locations",
		    (double)ssdp->refused_location, "", NULL, &zero, NULL);
}
