/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_igd_portmap: every port mapping of the router, judged by the policy.
 *
 * Gather: find the device (run) and read its whole table (igd_table_read:
 * paged list or index walk, chosen so the device survives), or load a
 * saved one (--table); --save writes the table read; the previous run's
 * table is read from the state file and this one kept there.  Judge:
 * judge_portmap() judges each mapping by the policy's rules (first match
 * wins), the count by thresholds, and the mappings that appeared or
 * vanished.  Report: run_close() renders the verdict; main() writes it.
 * A table that could not be read whole is never OK.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "file.h"
#include "judge_portmap.h"
#include "mapevent.h"
#include "msg.h"
#include "run.h"
#include "state.h"
#include "table.h"

enum { OPT_LIST_METHOD = 1100, OPT_SAVE, OPT_TABLE, OPT_STATE_FILE,
	OPT_NO_STATE, OPT_NO_HOSTS, OPT_NAMES, OPT_HOLD, OPT_ACCEPT,
	OPT_EVENTS, OPT_EVENTS_ERROR };

static const char usage[] =
	    "Usage: check_igd_portmap [-H ADDRESS | -u URL | -m IF|ADDR | "
	    "--table FILE]\n"
	    "       [--list-method auto|list|walk] [--save FILE] "
	    "[--state-file FILE | --no-state]\n"
	    "       [--no-hosts | --names] [--events FILE [--events-error STATE]]\n"
	    "       [-w RANGE] [-c RANGE] [-P POLICY] [-t SECONDS[:STATE]] [-v]\n";

static const char about[] =
	    "Lists every port mapping of a UPnP Internet Gateway Device and "
	    "judges it\nagainst a YAML policy.\n\n";

static const char options[] =
    "\nOptions:\n"
	    CLI_HELP_BASE
	    " -H, --hostname ADDR   find the router by unicast SSDP to ADDR:1900\n"
	    CLI_HELP_FIND
	    " -P, --policy FILE     YAML policy (default: the compiled-in one)\n"
	    "     --list-method M   auto (default: safe for the device), list (IGD:2\n"
	    "                       GetListOfPortMappings pages, even on a device that\n"
	    "                       may crash on it; IGD:1 services and devices that\n"
	    "                       refuse the action are walked) or walk (index walk)\n"
	    "     --save FILE       write the table read to FILE (YAML)\n"
	    "     --table FILE      judge a saved table instead of asking a device\n"
	    "     --state-file FILE the previous table, to report new and gone\n"
	    "                       mappings (default $NP_STATE_DIRECTORY or the\n"
	    "                       private /var/tmp/check_igd-EUID); one that cannot\n"
	    "                       be read, trusted or saved is the policy's\n"
	    "                       state.unusable (WARNING)\n"
	    "     --no-state        no change detection\n"
	    "     --hold SECONDS    a new, changed or gone mapping stays an alarm this\n"
	    "                       long (default: the policy's portmap.changes.hold,\n"
	    "                       7200), so that it outlasts the engine's soft\n"
	    "                       states; 0: one run only\n"
	    "     --accept          take this table as the new baseline: earlier\n"
	    "                       changes no longer alarm (run once by hand)\n"
	    "     --events FILE     append every new, changed and gone mapping to FILE,\n"
	    "                       one JSON object per line, once, by the run that\n"
	    "                       first sees it (needs the state file; a line that\n"
	    "                       run cannot write waits there for the next run)\n"
	    "     --events-error ST state when the event log cannot be written\n"
	    "                       (warning, critical or unknown; default warning)\n"
	    "     --no-hosts        do not show the MAC address and vendor of each\n"
	    "                       client (from this host's neighbour table and the\n"
	    "                       IEEE registry of ieee-data; no traffic is sent)\n"
	    "     --names           also the client's name by reverse lookup (within\n"
	    "                       the deadline; a name that does not resolve back\n"
	    "                       to the address is marked not confirmed)\n"
	    " -w, --warning RANGE   number of mappings giving WARNING\n"
	    " -c, --critical RANGE  number of mappings giving CRITICAL\n\n"
	    "Exit states:\n"
	    " 0 OK        the table was read completely; every mapping and the count OK\n"
	    " 1 WARNING   a mapping judged warning (permanent lease, new mapping...),\n"
	    "             the count in -w, or an event log not written (--events-error)\n"
	    " 2 CRITICAL  a mapping judged critical (UPnProxy, SMB/RDP/telnet exposed,\n"
	    "             campaign), the count in -c, no IGD found\n"
	    " 3 UNKNOWN   bad option or policy, table incomplete, timeout, -h, -V\n"
	    "\nPerformance data (the same labels on every run; U when unknown):\n"
	    " mappings=N      port mappings, with -w/-c\n"
	    " tcp, udp        mappings per protocol\n"
	    " ok, warning, critical  mappings judged with that state\n"
	    " new, changed, gone  mappings since the last run (U without a state\n"
	    "                 file)\n"
	    " time=S          the run's elapsed time, seconds\n"
	    "\nExample:\n"
	    "  check_igd_portmap -H 192.168.1.1 -P /etc/check_igd/policy.yaml -w 20 -c 50\n"
	    "  check_igd_portmap --table /tmp/table.yaml -P /etc/check_igd/policy.yaml -v\n"
	    "\nSee check_igd_portmap(1) for the policy keys and the built-in rules.\n";

struct portmap_args {
	enum igd_list_method method;
	int method_set;
	const char *save, *table, *state_file;
	int no_state;
	int no_hosts, names;
	unsigned long hold;
	int hold_set, accept;
	const char *events;
	enum plugin_state events_error;
	struct plugin_thresholds th;
};

/* The options only check_igd_portmap has. */
static int
option(int opt, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct portmap_args *a = ctx;

	switch (opt) {
	case OPT_LIST_METHOD:
		if (strcmp(arg, "auto") == 0)
			a->method = IGD_LIST_AUTO;
		else if (strcmp(arg, "list") == 0)
			a->method = IGD_LIST_LIST;
		else if (strcmp(arg, "walk") == 0)
			a->method = IGD_LIST_WALK;
		else {
			snprintf(err, errlen, "invalid list method '%.40s': "
			    "expected auto, list or walk", arg);
			return -1;
		}
		a->method_set = 1;
		return 0;
	case OPT_SAVE:
	case OPT_TABLE:
	case OPT_STATE_FILE:
	case OPT_EVENTS:
		if (*arg == '\0') {
			snprintf(err, errlen, "empty file name");
			return -1;
		}
		if (opt == OPT_SAVE)
			a->save = arg;
		else if (opt == OPT_TABLE)
			a->table = arg;
		else if (opt == OPT_EVENTS)
			a->events = arg;
		else
			a->state_file = arg;
		return 0;
	case OPT_EVENTS_ERROR:
		/* a log the user asked for and cannot get is never OK */
		if (plugin_state_parse(arg, &a->events_error) != 0 ||
		    a->events_error == PLUGIN_OK) {
			snprintf(err, errlen, "invalid state '%.40s' for "
			    "--events-error: expected warning, critical or "
			    "unknown", arg);
			return -1;
		}
		return 0;
	case OPT_NO_STATE:
		a->no_state = 1;
		return 0;
	case OPT_NO_HOSTS:
		a->no_hosts = 1;
		return 0;
	case OPT_NAMES:
		a->names = 1;
		return 0;
	case OPT_HOLD:
		a->hold_set = 1;
		return cli_parse_hold(arg, &a->hold, err, errlen);
	case OPT_ACCEPT:
		a->accept = 1;
		return 0;
	default:
		return cli_threshold_option(opt, arg, &a->th, err, errlen);
	}
}

/* --table judges a saved table: no device to find. */
static int
validate(const struct cli_opts *o, const void *ctx, char *err, size_t errlen)
{
	const struct portmap_args *a = ctx;

	if (a->events != NULL && a->no_state) {
		snprintf(err, errlen, "--events logs the changes the state file "
		    "shows: do not combine it with --no-state");
		return -1;
	}
	if (a->accept && a->no_state) {
		snprintf(err, errlen, "--accept keeps a baseline in the state "
		    "file: do not combine it with --no-state");
		return -1;
	}
	if (a->no_hosts && a->names) {
		snprintf(err, errlen, "--names needs the hosts: do not combine "
		    "it with --no-hosts");
		return -1;
	}
	if (a->table != NULL && (o->url || o->host || o->iface)) {
		snprintf(err, errlen, "--table judges a saved table: do not "
		    "combine it with -u, -H or -m");
		return -1;
	}
	return 0;
}

static const struct option longopts[] = {
	CLI_LONG,
	{ "list-method", required_argument, NULL, OPT_LIST_METHOD },
	{ "save", required_argument, NULL, OPT_SAVE },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "no-state", no_argument, NULL, OPT_NO_STATE },
	{ "no-hosts", no_argument, NULL, OPT_NO_HOSTS },
	{ "names", no_argument, NULL, OPT_NAMES },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "accept", no_argument, NULL, OPT_ACCEPT },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "events-error", required_argument, NULL, OPT_EVENTS_ERROR },
	CLI_LONG_THRESHOLDS,
	{ NULL, 0, NULL, 0 }
};

static const struct run_spec spec = {
	"check_igd_portmap", "PORTMAP", about, usage, options,
	CLI_SHORT CLI_SHORT_THRESHOLDS, longopts, option, validate
};

/*
 * The table to judge: the saved one (--table), or the device's, read the
 * way method says (and saved with --save).  0, or -1 after giving r->out
 * its state and summary.  found->dev.location names the source.
 */
static int
gather_table(struct run *r, const struct portmap_args *a,
    enum igd_list_method method, struct igd_found *found,
    struct igd_table *t)
{
	char err[512];

	if (a->table != NULL) {
		if (table_load(a->table, t, err, sizeof(err)) != 0) {
			plugin_out_set_state(r->out, PLUGIN_UNKNOWN);
			plugin_out_summary(r->out, "saved table error: %s", err);
			return -1;
		}
		snprintf(found->dev.location, sizeof(found->dev.location),
		    "%s", a->table);
		return 0;
	}
	if (run_find_device(r, found) != 0)
		return -1;
	igd_table_read(&found->dev, method, &r->dl, t);
	if (a->save != NULL && table_save(a->save, t, found->dev.location,
	    found->dev.udn, err, sizeof(err)) != 0)
		plugin_out_finding(r->out, PLUGIN_UNKNOWN, "save", -1,
		    "cannot save the table: "
		    "%s", err);
	return 0;
}

/* A record time this far ahead of the clock is corrupt, not a clock step. */
#define RECORD_AHEAD_S 60

/* The "r." records of st (the previous runs) into a new array; those that
 * do not parse, or that were seen after now (a hold that would never end),
 * are counted in *bad. */
static struct mapchg_rec *
load_records(const struct state *st, int64_t now, size_t *n, int *bad)
{
	size_t cnt = state_count(st);
	struct mapchg_rec *r = calloc(cnt + 1, sizeof(*r));

	*n = 0;
	*bad = 0;
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < cnt; i++) {
		if (strncmp(state_key_at(st, i), "r.", 2) != 0)
			continue;
		if (mapchg_rec_parse(state_value_at(st, i), &r[*n]) != 0 ||
		    r[*n].first_seen > now + RECORD_AHEAD_S ||
		    r[*n].event_since > now + RECORD_AHEAD_S) {
			(*bad)++;
			continue;
		}
		(*n)++;
	}
	return r;
}

/* The event lines earlier runs could not write ("e." keys of st, in
 * order) into p; 0, or -1 when out of memory. */
static int
load_pending(const struct state *st, struct mapevent_pending *p,
    struct mapevent_report *ev)
{
	size_t cnt = state_count(st);

	for (size_t i = 0; i < cnt; i++) {
		int rc;

		if (strncmp(state_key_at(st, i), "e.", 2) != 0)
			continue;
		rc = mapevent_pending_add(p, state_value_at(st, i));
		if (rc == IGD_ENOMEM)
			return -1;
		if (rc != 0)
			ev->dropped++;
	}
	return 0;
}

/* Keep the lines still to write in st, for the next run. */
static void
save_pending(struct state *st, const struct mapevent_pending *p,
    struct mapevent_report *ev)
{
	char key[STATE_KEY_MAX];

	state_clear_prefix(st, "e.");
	for (size_t i = 0; i < p->n; i++) {
		snprintf(key, sizeof(key), "e.%zu", i);
		if (state_set(st, key, p->line[i]) != 0) {
			ev->dropped++;
			if (ev->pending > 0)
				ev->pending--;
		}
	}
}

/* The lock file of the event log beside the state file at path. */
static void
events_lock_path(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, len, "%s", MAPEVENT_LOCK_NAME);
	else if (snprintf(buf, len, "%.*s/%s", (int)(slash - path), path,
	    MAPEVENT_LOCK_NAME) >= (int)len)
		buf[0] = '\0';
}

/*
 * Read the previous runs' records of device from the state file at path
 * (path_err: why it cannot be used, "" when it can), compare t with them
 * (prev->chg), log the changes first seen and the lines earlier runs
 * could not write (ec, ev; before the records are saved: a change is
 * logged at least once), and keep the records and the lines still to
 * write for the next run there when t is whole (an incomplete table would
 * fake vanishings); what went wrong is kept in prev for the verdict.
 */
static void
gather_prev(const char *path, const char *path_err, const char *device,
    const struct igd_table *t, int64_t hold, int accept,
    struct mapevent_ctx *ec, const struct deadline *dl,
    struct mapevent_report *ev,
    struct judge_portmap_prev *prev)
{
	struct state *st = NULL;
	struct mapchg_rec *recs = NULL;
	struct mapevent_pending pend;
	size_t n_recs = 0;
	char key[STATE_KEY_MAX], val[MAPCHG_LINE_MAX + 1];
	char lock[FILE_PATH_MAX];
	char why[STATE_RESTART_WHY_MAX], bad_restart[128];
	const char *was;
	int bad = 0;

	memset(prev, 0, sizeof(*prev));
	memset(&pend, 0, sizeof(pend));
	prev->path = path;
	prev->now = (int64_t)time(NULL);
	prev->hold = hold;
	ec->now = prev->now;
	if (path == NULL) {
		if (ev->path != NULL) {
			ev->rc = IGD_EADDRESS;
			msg_set(ev->err, sizeof(ev->err), "no state file, so "
			    "no change to log");
		}
		return;
	}
	if (path_err[0] != '\0') {
		/* never read nor written: another user could have put it */
		snprintf(prev->load_err, sizeof(prev->load_err), "%s",
		    path_err);
		if (ev->path != NULL) {
			ev->rc = IGD_EADDRESS;
			msg_set(ev->err, sizeof(ev->err), "the state file cannot "
			    "be used, so no change to log");
		}
		return;
	}
	/* runs of this user take turns at the log under a lock file in
	 * the state file's directory, which nobody else can open */
	events_lock_path(path, lock, sizeof(lock));
	ev->lock_path = lock[0] ? lock : NULL;
	if (state_load(path, &st, prev->load_err, sizeof(prev->load_err)) == 0)
		prev->load_err[0] = '\0';
	if (st == NULL) {
		mapevent_write(ec, NULL, 0, t, dl, NULL, ev);
		return;
	}
	prev->loaded = 1;
	was = state_get(st, "portmap.device");
	if (was != NULL && strcmp(was, device) != 0) {
		snprintf(prev->other_device, sizeof(prev->other_device), "%s",
		    was);
		state_clear_prefix(st, "m.");
		state_clear_prefix(st, "r.");
		state_clear_prefix(st, "portmap.");
	}
	prev->have = state_get(st, "portmap.count") != NULL;
	if (prev->have && state_get(st, "portmap.format") == NULL) {
		/* the keys of an older version: nothing to compare with */
		prev->old_format = 1;
		prev->have = 0;
	}
	if ((recs = load_records(st, prev->now, &n_recs, &bad)) == NULL ||
	    load_pending(st, &pend, ev) != 0 ||
	    mapchg_compare(recs, n_recs, prev->have, t, prev->now, hold,
	    &prev->chg) != 0) {
		prev->no_memory = 1;
		mapevent_write(ec, NULL, 0, t, dl, NULL, ev);
		goto out;
	}
	mapevent_write(ec, &prev->chg, prev->have, t, dl, &pend, ev);
	if (bad > 0 && prev->load_err[0] == '\0')
		snprintf(prev->load_err, sizeof(prev->load_err), "state file "
		    "%.160s: %d unreadable or out-of-range record%s dropped "
		    "(corrupt)", path, bad, bad == 1 ? "" : "s");
	if (accept) {
		mapchg_accept(&prev->chg);
		prev->accepted = 1;
	}
	/* a restart stays an alarm for the hold, not for one run: a baseline
	 * taken now would otherwise absorb a mapping added meanwhile */
	if (prev->other_device[0] != '\0')
		snprintf(why, sizeof(why), "the state file was kept for another "
		    "device (%.100s)", prev->other_device);
	else
		snprintf(why, sizeof(why), "%s", prev->load_err);
	if (state_restart(st, why, prev->now, hold, accept && t->complete,
	    &prev->restart, bad_restart, sizeof(bad_restart)) != 0 &&
	    prev->load_err[0] == '\0')
		snprintf(prev->load_err, sizeof(prev->load_err), "state file "
		    "%.120s: %.120s", path, bad_restart);
	if (t->complete) {
		mapevent_judge_records(ec, t, prev->have, &prev->chg);
		state_clear_prefix(st, "m.");
		state_clear_prefix(st, "r.");
		state_clear_prefix(st, "portmap.");
		state_set(st, "portmap.device", device);
		state_set(st, "portmap.format", "2");
		state_set_u64(st, "portmap.count", t->n);
		for (size_t i = 0; i < prev->chg.n_next; i++) {
			snprintf(key, sizeof(key), "r.%zu", i);
			if (mapchg_rec_format(&prev->chg.next[i], val,
			    sizeof(val)) == 0)
				state_set(st, key, val);
		}
		if (ev->path != NULL)
			save_pending(st, &pend, ev);
		if (state_save(st, path, prev->save_err,
		    sizeof(prev->save_err)) == 0)
			prev->save_err[0] = '\0';
	} else if (accept) {
		snprintf(prev->save_err, sizeof(prev->save_err), "the table is "
		    "incomplete: not taken as the baseline");
		prev->accepted = 0;
	}
out:
	mapevent_pending_free(&pend);
	free(recs);
	state_free(st);
}

/* The MAC, vendor (and name) of every client of t, by the deadline. */
static int
gather_hosts(struct run *r, const struct igd_table *t, int names,
    struct hostid *h)
{
	const char **addrs = calloc(t->n + 1, sizeof(*addrs));
	struct hostid_opts ho = { names, NULL, NULL };
	/* names get half of what is left, at most 2 s: a dead resolver must
	 * not eat the time to judge and print */
	int left = deadline_left_ms(&r->dl);
	struct deadline dl = deadline_within(&r->dl, left / 2 < 2000 ?
	    left / 2 : 2000);
	int rc;

	if (addrs == NULL)
		return IGD_ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		addrs[i] = t->m[i].internal_client;
	rc = hostid_gather(h, addrs, t->n, &ho, names ? &dl : &r->dl);
	free(addrs);
	return rc;
}

int
main(int argc, char **argv)
{
	struct portmap_args args;
	struct run r;
	struct igd_found *found = NULL;
	struct igd_table t;
	struct judge_portmap_prev prev;
	struct judge_portmap_ctx jc;
	struct hostid hosts;
	struct mapevent_ctx ec;
	struct mapevent_report ev;
	struct plugin_thresholds th;
	enum igd_list_method method;
	const char *state_file;
	char state_err[256];
	int st;

	memset(&t, 0, sizeof(t));
	memset(&prev, 0, sizeof(prev));
	memset(&hosts, 0, sizeof(hosts));
	memset(&jc, 0, sizeof(jc));
	memset(&args, 0, sizeof(args));
	memset(&ec, 0, sizeof(ec));
	memset(&ev, 0, sizeof(ev));
	args.events_error = PLUGIN_WARNING;
	if (run_open(&r, &spec, argc, argv, &args) != 0)
		goto finish;
	/* the options override the policy */
	method = args.method;
	if (!args.method_set)
		method = r.pol->portmap.list_method;
	th = args.th.has_warn || args.th.has_crit ? args.th :
	    r.pol->portmap.max_entries;
	(void)run_state_file(&r, args.state_file, args.no_state, args.table,
	    &state_file, state_err, sizeof(state_err));
	if ((found = calloc(1, sizeof(*found))) == NULL) {
		plugin_out_set_state(r.out, PLUGIN_UNKNOWN);
		plugin_out_summary(r.out, "out of memory");
	} else if (gather_table(&r, &args, method, found, &t) == 0) {
		/* the hosts behind the clients, as this host knows them: not
		 * for a saved table (another time, maybe another LAN) */
		if (args.table == NULL && !args.no_hosts &&
		    gather_hosts(&r, &t, args.names, &hosts) == 0)
			jc.hosts = &hosts;
		ec.program = spec.prog;
		/* a saved table: the UDN its file names (--save writes it) */
		ec.udn = args.table != NULL ? t.udn : found->dev.udn;
		ec.location = found->dev.location;
		ec.pol = r.pol;
		ec.external_address = t.external_address;
		ec.hosts = jc.hosts;
		ev.path = args.events;
		ev.error_state = args.events_error;
		gather_prev(state_file, state_err, args.table != NULL ?
		    "(saved tables)" :
		    found->dev.udn[0] ? found->dev.udn : found->dev.location, &t,
		    args.hold_set ? (int64_t)args.hold :
		    (int64_t)r.pol->portmap.hold,
		    args.accept, &ec, &r.dl, &ev, &prev);
		jc.th = &th;
		jc.timeout_state = r.opts.timeout_state;
		jc.verbose = r.opts.verbose;
		jc.source = found->dev.location;
		jc.events = &ev;
		judge_portmap(r.out, r.pol, &t, &prev, &jc);
	}
	/* the same labels on every run, U for what this one could not count */
	judge_portmap_perf_canon(r.out);
	run_perf_time(&r);
finish:
	/* report */
	st = run_close(&r);
	fwrite(r.text, 1, r.text_len, stdout);
	judge_portmap_prev_free(&prev);
	hostid_free(&hosts);
	igd_table_free(&t);
	free(found);
	return st;
}
