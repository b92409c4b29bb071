/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_igd_present: is the expected Internet Gateway Device there?
 *
 * Finds IGDs (unicast SSDP to -H, multicast, or none with -u), reads each
 * description, reports identity and answer time, and judges the count and
 * the pinned UDN / model / location against the policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "igd.h"
#include "plugin.h"
#include "policy.h"

#define CHECK "PRESENT"
#define FOUND_MAX 16

enum { OPT_CENSUS = 1100, OPT_WINDOW };

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: check_igd_present [-H ADDRESS | -u URL | -m IF|ADDR] "
	    "[--census [--window S]]\n"
	    "       [-w RANGE] [-c RANGE] [-P POLICY] [-t SECONDS[:STATE]] [-v]\n");
}

static void
help(void)
{
	printf("check_igd_present " CHECK_IGD_VERSION "\n"
	    "Checks that the expected UPnP Internet Gateway Device answers.\n\n");
	usage(stdout);
	printf("\nOptions:\n"
	    " -h, --help            this help (exit 3)\n"
	    " -V, --version         the version (exit 3)\n"
	    " -v, --verbose         more detail (repeat, up to -vvv)\n"
	    " -t, --timeout S[:ST]  seconds for the whole run (default 10); ST is the\n"
	    "                       state on timeout (default UNKNOWN)\n"
	    " -H, --hostname ADDR   send the SSDP search to this router only (port 1900)\n"
	    "     --ssdp-port PORT  SSDP port for -H (default 1900)\n"
	    " -u, --url URL         root description URL: no discovery at all\n"
	    " -m, --interface IF    multicast discovery on this interface or address\n"
	    " -P, --policy FILE     YAML policy (default: the compiled-in one); its\n"
	    "                       present: section pins UDN, model, location, count\n"
	    "     --census          wait the whole window and count every IGD\n"
	    "     --window S        census window in seconds (default 2)\n"
	    " -w, --warning RANGE   answer time (seconds) giving WARNING\n"
	    " -c, --critical RANGE  answer time (seconds) giving CRITICAL\n"
	    "\nWithout --census the check ends as soon as an IGD answered (the pinned\n"
	    "one, when the policy pins a UDN or location); the count of IGDs is\n"
	    "judged in census mode (or is 1 with -H and -u).\n");
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

/* 1 when the device matches every pin of the policy. */
static int
matches_pins(const struct policy_present *pp, const struct igd_device *d)
{
	return (pp->udn[0] == '\0' || strcmp(pp->udn, d->udn) == 0) &&
	    (pp->model[0] == '\0' || strcmp(pp->model, d->model_name) == 0) &&
	    (pp->location[0] == '\0' || strcmp(pp->location, d->location) == 0);
}

struct present_args {
	int census;
	double window;
	struct plugin_thresholds th;
};

/* The options only check_igd_present has. */
static int
option(int opt, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct present_args *a = ctx;

	switch (opt) {
	case OPT_CENSUS:
		a->census = 1;
		return 0;
	case OPT_WINDOW:
		if (cli_parse_double(arg, 0.1, CLI_TIMEOUT_MAX, &a->window) != 0) {
			snprintf(err, errlen, "invalid window '%.40s': expected "
			    "seconds", arg);
			return -1;
		}
		return 0;
	case 'w':
	case 'c':
		if (cli_parse_threshold(arg, &a->th, opt == 'c') != 0) {
			snprintf(err, errlen, "invalid range '%.40s' for -%c",
			    arg, opt);
			return -1;
		}
		return 0;
	default:
		return 1;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONG,
		{ "census", no_argument, NULL, OPT_CENSUS },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts opts;
	struct plugin_thresholds th;
	struct policy *pol = NULL;
	struct igd_target target;
	struct ssdp_result *ssdp = NULL;
	struct igd_found *found = NULL;
	struct plugin_out *o = NULL;
	struct deadline dl;
	char err[512], out[PLUGIN_TEXT_MAX + 64];
	size_t n = 0, olen, ok = 0;
	double window, answer_s = 0;
	int census, rc;
	struct present_args args;
	const struct igd_found *chosen = NULL;
	const struct policy_present *pp;
	enum plugin_state st;

	memset(&args, 0, sizeof(args));
	args.window = 2.0;
	switch (cli_parse(argc, argv, CLI_SHORT "w:c:", longopts, &opts, option,
	    &args, err, sizeof(err))) {
	case CLI_HELP:
		help();
		return PLUGIN_UNKNOWN;
	case CLI_VERSION:
		printf("check_igd_present " CHECK_IGD_VERSION "\n");
		return PLUGIN_UNKNOWN;
	case CLI_BAD:
		printf("IGD " CHECK " UNKNOWN - %s\n", err);
		usage(stdout);
		return PLUGIN_UNKNOWN;
	default:
		break;
	}
	th = args.th;
	census = args.census;
	window = args.window;
	if (cli_load_policy(&opts, &pol, err, sizeof(err)) != 0) {
		printf("IGD " CHECK " UNKNOWN - policy error: %s\n", err);
		return PLUGIN_UNKNOWN;
	}
	pp = &pol->present;
	cli_backstop_arm(CHECK, &opts);
	deadline_init(&dl, cli_deadline_ms(&opts));

	o = plugin_out_new(CHECK);
	found = calloc(FOUND_MAX, sizeof(*found));
	ssdp = calloc(1, sizeof(*ssdp));
	if (o == NULL || found == NULL || ssdp == NULL) {
		printf("IGD " CHECK " UNKNOWN - out of memory\n");
		return PLUGIN_UNKNOWN;
	}

	cli_target(&opts, &target);
	target.census = census;
	target.window_ms = (int)(window * 1000);
	/* with pins, the answer is decided when the pinned device answers */
	target.want_udn = pp->udn;
	target.want_location = pp->location;
	err[0] = '\0';
	rc = igd_discover(&target, &dl, found, FOUND_MAX, &n, ssdp, err,
	    sizeof(err));
	if (rc != 0) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "cannot search: %s", err);
		goto finish;
	}

	/* choose the device to report: the first that matches the pins */
	for (size_t i = 0; i < n; i++) {
		if (found[i].rc != 0)
			continue;
		ok++;
		if (chosen == NULL && matches_pins(pp, &found[i].dev))
			chosen = &found[i];
	}
	if (n == 0) {
		/* nobody answered within the deadline */
		plugin_out_set_state(o, pp->missing_state);
		plugin_out_summary(o, "no IGD answered %s within %.1f s",
		    opts.host ? opts.host : (opts.iface ? opts.iface :
		    "the multicast search"), opts.timeout);
	} else if (ok == 0) {
		int rc0 = found[0].rc;

		/* nothing there (refused, unreachable, 404) is a missing IGD;
		 * something that answers slowly or brokenly is UNKNOWN */
		if (rc0 == IGD_ETIMEOUT)
			plugin_out_set_state(o, opts.timeout_state);
		else if (opts.url && (rc0 == IGD_ECONNECT ||
		    rc0 == IGD_EADDRESS || rc0 == IGD_EHTTP))
			plugin_out_set_state(o, pp->missing_state);
		else
			plugin_out_set_state(o, PLUGIN_UNKNOWN);
		if (opts.url)
			plugin_out_summary(o, "no usable IGD at %.100s: %s",
			    opts.url, found[0].err);
		else
			plugin_out_summary(o, "%.100s answered but its "
			    "description could not be read: %s",
			    found[0].dev.location, found[0].err);
	} else {
		const struct igd_found *show = chosen ? chosen : NULL;

		if (show == NULL) {
			/* something answered, but not the pinned device */
			for (size_t i = 0; i < n && show == NULL; i++)
				if (found[i].rc == 0)
					show = &found[i];
			if (pp->udn[0] && strcmp(pp->udn, show->dev.udn) != 0)
				plugin_out_sub(o, pp->mismatch_state,
				    "UDN is %.80s, policy expects %.80s",
				    show->dev.udn, pp->udn);
			if (pp->model[0] &&
			    strcmp(pp->model, show->dev.model_name) != 0)
				plugin_out_sub(o, pp->mismatch_state,
				    "model is %.80s, policy expects %.80s",
				    show->dev.model_name, pp->model);
			if (pp->location[0] &&
			    strcmp(pp->location, show->dev.location) != 0)
				plugin_out_sub(o, pp->mismatch_state,
				    "location is %.100s, policy expects %.100s",
				    show->dev.location, pp->location);
		}
		answer_s = (double)show->answer_ms / 1000.0;
		st = plugin_thresholds_eval(&th, answer_s);
		if (st != PLUGIN_OK)
			plugin_out_sub(o, st, "answer time %.3f s", answer_s);
		if ((census || opts.url || opts.host) && pp->expect_count > 0 &&
		    (size_t)pp->expect_count != ok)
			plugin_out_sub(o, pp->count_state, "%zu IGDs answered, "
			    "policy expects %d", ok, pp->expect_count);
		plugin_out_summary(o, "%.60s (%.40s %.40s) at %.100s answered "
		    "in %.3f s%s", show->dev.friendly_name,
		    show->dev.manufacturer, show->dev.model_name,
		    show->dev.location, answer_s,
		    census ? (ok == 1 ? ", 1 IGD" : ", several IGDs") : "");
		if (census && ok != 1)
			plugin_out_summary(o, "%zu IGDs answered; %.60s (%.40s "
			    "%.40s) at %.100s in %.3f s", ok,
			    show->dev.friendly_name, show->dev.manufacturer,
			    show->dev.model_name, show->dev.location, answer_s);
		describe(o, show, opts.verbose);
		for (size_t i = 0; i < n; i++) {
			if (&found[i] == show)
				continue;
			if (found[i].rc == 0)
				describe(o, &found[i], opts.verbose);
			else
				plugin_out_sub(o, PLUGIN_UNKNOWN, "%.100s: "
				    "description unreadable: %.100s",
				    found[i].dev.location, found[i].err);
		}
	}
	if (ssdp->refused_location > 0) {
		/* a host on the LAN lies about LOCATION: -v says so, and the
		 * refused_locations perfdata counts it always */
		if (opts.verbose >= 1)
			plugin_out_info(o, "refused %u SSDP answer%s whose "
			    "LOCATION pointed to another host (e.g. %.100s)",
			    ssdp->refused_location,
			    ssdp->refused_location == 1 ? "" : "s",
			    ssdp->refused_example);
	}
	if (opts.verbose >= 2 && !opts.url)
		plugin_out_info(o, "SSDP: %u datagrams, %zu IGD answers, %u "
		    "duplicates, %u other device types, %u malformed, %u from "
		    "other hosts", ssdp->datagrams, ssdp->n, ssdp->duplicates,
		    ssdp->other_types, ssdp->malformed, ssdp->foreign);
finish:
	{
		double zero = 0;

		/* every verdict carries perfdata, errors included */
		plugin_out_perf(o, "time", answer_s, "s", &th, &zero, NULL);
		plugin_out_perf(o, "igds", (double)ok, "", NULL, &zero, NULL);
		if (!opts.url)
			plugin_out_perf(o, "refused_locations",
			    (double)ssdp->refused_location, "", NULL, &zero,
			    NULL);
	}
	plugin_out_render(o, out, sizeof(out), &olen);
	fwrite(out, 1, olen, stdout);
	st = plugin_out_state(o);
	plugin_out_free(o);
	policy_free(pol);
	free(found);
	free(ssdp);
	return (int)st;
}
