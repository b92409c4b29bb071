/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_igd_present: is the expected Internet Gateway Device there?
 *
 * Gather: find IGDs (unicast SSDP to -H, multicast, or none with -u) and
 * read each description (igd_discover; with a pinned UDN or location the
 * search waits for that device).  Judge: judge_present() picks the device
 * to show and judges the pins, the count and the answer time.  Report:
 * run_close() renders the verdict; main() writes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge_present.h"
#include "run.h"

#define FOUND_MAX 16

enum { OPT_CENSUS = 1100, OPT_WINDOW };

static const char usage[] =
	    "Usage: check_igd_present [-H ADDRESS | -u URL | -m IF|ADDR] "
	    "[--census [--window S]]\n"
	    "       [-w RANGE] [-c RANGE] [-P POLICY] [-t SECONDS[:STATE]] [-v]\n";

static const char about[] =
	    "Checks that the expected UPnP Internet Gateway Device answers.\n\n";

static const char options[] =
    "\nOptions:\n"
	    CLI_HELP_BASE
	    " -H, --hostname ADDR   send the SSDP search to this router only (port 1900)\n"
	    CLI_HELP_FIND
	    " -P, --policy FILE     YAML policy (default: the compiled-in one); its\n"
	    "                       present: section pins UDN, model, location, count\n"
	    "     --census          wait the whole window and count every IGD\n"
	    "     --window S        census window in seconds (default 2)\n"
	    " -w, --warning RANGE   answer time (seconds) giving WARNING\n"
	    " -c, --critical RANGE  answer time (seconds) giving CRITICAL\n"
	    "\nWithout --census the check ends as soon as an IGD answered (the pinned\n"
	    "one, when the policy pins a UDN or location); the count of IGDs is\n"
	    "judged in census mode (or is 1 with -H and -u).\n\n"
	    "Exit states:\n"
	    " 0 OK        the expected IGD answered, pins and count as the policy says\n"
	    " 1 WARNING   answer time in -w, or another number of IGDs (policy)\n"
	    " 2 CRITICAL  no IGD answered, a pin differs (policy), answer time in -c\n"
	    " 3 UNKNOWN   bad option or policy, unreadable description, timeout, -h, -V\n"
	    "\nPerformance data (the same labels on every run; U when unknown):\n"
	    " answer_time=S   answer time of the IGD shown, seconds, with -w/-c\n"
	    " igds=N          IGDs whose description could be read\n"
	    " refused_locations=N  SSDP answers whose LOCATION named another host\n"
	    " time=S          the run's elapsed time, seconds\n"
	    "\nExample:\n"
	    "  check_igd_present -H 192.168.1.1 -w 1 -c 3 -t 8\n"
	    "  IGD PRESENT OK - FRITZ!Box 7590 (AVM FRITZ!Box 7590) at http://...\n"
	    "\nSee check_igd_present(1) for the policy keys.\n";

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
	default:
		return cli_threshold_option(opt, arg, &a->th, err, errlen);
	}
}

static const struct option longopts[] = {
	CLI_LONG,
	{ "census", no_argument, NULL, OPT_CENSUS },
	{ "window", required_argument, NULL, OPT_WINDOW },
	CLI_LONG_THRESHOLDS,
	{ NULL, 0, NULL, 0 }
};

static const struct run_spec spec = {
	"check_igd_present", "PRESENT", about, usage, options,
	CLI_SHORT CLI_SHORT_THRESHOLDS, longopts, option, NULL
};

int
main(int argc, char **argv)
{
	struct present_args args;
	struct run r;
	struct igd_target target;
	struct ssdp_result *ssdp = NULL;
	struct igd_found *found = NULL;
	struct igd_brief *briefs = NULL;
	struct judge_present_ctx jc;
	char err[512] = "";
	size_t n = 0;
	int st;

	memset(&args, 0, sizeof(args));
	args.window = 2.0;
	if (run_open(&r, &spec, argc, argv, &args) != 0)
		goto finish;
	found = calloc(FOUND_MAX, sizeof(*found));
	ssdp = calloc(1, sizeof(*ssdp));
	if (found == NULL || ssdp == NULL) {
		plugin_out_set_state(r.out, PLUGIN_UNKNOWN);
		plugin_out_summary(r.out, "out of memory");
		goto finish;
	}
	/* gather: with pins, the answer is decided when the pinned device
	 * answers */
	run_target(&r.opts, &target);
	target.ssdp.census = args.census;
	target.ssdp.window_ms = (int)(args.window * 1000);
	target.ssdp.want_udn = r.pol->present.udn;
	target.ssdp.want_location = r.pol->present.location;
	memset(&jc, 0, sizeof(jc));
	jc.search_rc = igd_discover(&target, &r.dl, found, FOUND_MAX, &n, ssdp,
	    err, sizeof(err));
	/* a census counts every IGD that answered, not only the first
	 * FOUND_MAX described in full: the rest are read in brief */
	if (jc.search_rc == 0 && args.census && ssdp->n > n) {
		briefs = calloc(ssdp->n - n, sizeof(*briefs));
		if (briefs == NULL) {
			plugin_out_set_state(r.out, PLUGIN_UNKNOWN);
			plugin_out_summary(r.out, "out of memory for %zu answers",
			    ssdp->n);
			goto finish;
		}
		(void)igd_describe_rest(ssdp, n, &r.dl, briefs, ssdp->n - n,
		    &jc.n_briefs);
		jc.briefs = briefs;
		jc.unread = ssdp->n - n - jc.n_briefs;
	}
	jc.ssdp = ssdp;
	jc.spent_ms = deadline_now_ms() - r.started;
	/* judge */
	jc.opts = &r.opts;
	jc.census = args.census;
	jc.th = &args.th;
	jc.search_err = err;
	judge_present(r.out, &r.pol->present, found, n, ssdp, &jc);
	run_perf_time(&r);
finish:
	/* report */
	st = run_close(&r);
	fwrite(r.text, 1, r.text_len, stdout);
	free(found);
	free(ssdp);
	free(briefs);
	return st;
}
