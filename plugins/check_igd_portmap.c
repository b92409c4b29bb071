/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_igd_portmap: every port mapping of the router, judged by the policy.
 *
 * Reads the whole table (paged list or index walk, chosen so the device
 * survives), judges each mapping by the policy's rules (first match wins),
 * the count by thresholds, and reports mappings that appeared or vanished
 * since the last run.  --save writes the table read; --table judges a saved
 * table instead of asking a device.  A table that could not be read whole
 * is never OK.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "igd.h"
#include "plugin.h"
#include "policy.h"
#include "state.h"
#include "table.h"

#define CHECK "PORTMAP"
#define SHOW_OK_MAX 40		/* OK mappings listed in the long output */

enum { OPT_LIST_METHOD = 1100, OPT_SAVE, OPT_TABLE, OPT_STATE_FILE,
	OPT_NO_STATE };

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: check_igd_portmap [-H ADDRESS | -u URL | -m IF|ADDR | "
	    "--table FILE]\n"
	    "       [--list-method auto|list|walk] [--save FILE] "
	    "[--state-file FILE | --no-state]\n"
	    "       [-w RANGE] [-c RANGE] [-P POLICY] [-t SECONDS[:STATE]] [-v]\n");
}

static void
help(void)
{
	printf("check_igd_portmap " CHECK_IGD_VERSION "\n"
	    "Lists every port mapping of a UPnP Internet Gateway Device and "
	    "judges it\nagainst a YAML policy.\n\n");
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
	    "     --list-method M   auto (default: safe for the device), list (IGD:2\n"
	    "                       GetListOfPortMappings pages, even on a device that\n"
	    "                       may crash on it; IGD:1 services and devices that\n"
	    "                       refuse the action are walked) or walk (index walk)\n"
	    "     --save FILE       write the table read to FILE (YAML)\n"
	    "     --table FILE      judge a saved table instead of asking a device\n"
	    "     --state-file FILE the previous table, to report new and gone\n"
	    "                       mappings (default $NP_STATE_DIRECTORY or /var/tmp)\n"
	    "     --no-state        no change detection\n"
	    " -w, --warning RANGE   number of mappings giving WARNING\n"
	    " -c, --critical RANGE  number of mappings giving CRITICAL\n");
}

struct portmap_args {
	enum igd_list_method method;
	int method_set;
	const char *save, *table, *state_file;
	int no_state;
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
		if (*arg == '\0') {
			snprintf(err, errlen, "empty file name");
			return -1;
		}
		if (opt == OPT_SAVE)
			a->save = arg;
		else if (opt == OPT_TABLE)
			a->table = arg;
		else
			a->state_file = arg;
		return 0;
	case OPT_NO_STATE:
		a->no_state = 1;
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

/* The identity of a mapping for change detection (no newline). */
static void
mapping_key(const struct igd_mapping *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s %u %.63s %u %.63s", m->protocol,
	    m->external_port, m->internal_client, m->internal_port,
	    m->remote_host[0] ? m->remote_host : "*");
}

/* One line describing a mapping, description sanitised and bounded. */
static void
mapping_text(const struct igd_mapping *m, char *buf, size_t len)
{
	char desc[96];

	plugin_sanitize(desc, sizeof(desc), m->description,
	    strlen(m->description), 60);
	if (m->lease == 0)
		snprintf(buf, len, "%s %u -> %.63s:%u%s%.63s '%s' permanent%s",
		    m->protocol, m->external_port, m->internal_client,
		    m->internal_port, m->remote_host[0] ? " from " : "",
		    m->remote_host, desc, m->enabled ? "" : " (disabled)");
	else
		snprintf(buf, len, "%s %u -> %.63s:%u%s%.63s '%s' lease %llds%s",
		    m->protocol, m->external_port, m->internal_client,
		    m->internal_port, m->remote_host[0] ? " from " : "",
		    m->remote_host, desc, (long long)m->lease,
		    m->enabled ? "" : " (disabled)");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A mapping of this run: its key and where it is in the table. */
struct keyed {
	char *key;
	size_t idx;
};

static int
cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key,
	    ((const struct keyed *)b)->key);
}

/*
 * Compare with the previous run's table (as multisets of mapping keys, so
 * two equal mappings on two services are two), and save this one when it
 * is complete.  device names the device; a state file kept for another
 * device is started again rather than compared.
 */
static void
judge_changes(struct plugin_out *o, const struct policy_portmap *pp,
    const struct igd_table *t, const char *device, const char *path,
    unsigned *n_new, unsigned *n_gone)
{
	struct state *st = NULL;
	char err[256], key[STATE_KEY_MAX], val[256];
	struct keyed *cur = NULL;
	char **prev = NULL;
	size_t n_prev = 0, i, j;
	const char *was;

	*n_new = *n_gone = 0;
	if (state_load(path, &st, err, sizeof(err)) != 0)
		plugin_out_info(o, "state file: %s; starting again", err);
	if (st == NULL)
		return;
	was = state_get(st, "portmap.device");
	if (was != NULL && strcmp(was, device) != 0) {
		plugin_out_info(o, "the state file was kept for another device "
		    "(%.100s); starting again", was);
		state_clear_prefix(st, "m.");
		state_clear_prefix(st, "portmap.");
	}
	if (state_get(st, "portmap.count") == NULL) {
		plugin_out_info(o, "change detection from the next run on "
		    "(state file %.200s)", path);
		goto save;
	}
	cur = calloc(t->n + 1, sizeof(*cur));
	prev = calloc(state_count(st) + 1, sizeof(*prev));
	if (cur == NULL || prev == NULL) {
		plugin_out_info(o, "change detection skipped: out of memory");
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		mapping_key(&t->m[i], val, sizeof(val));
		cur[i].idx = i;
		if ((cur[i].key = strdup(val)) == NULL) {
			plugin_out_info(o, "change detection skipped: out of "
			    "memory");
			goto out;
		}
	}
	for (i = 0; i < state_count(st); i++)
		if (strncmp(state_key_at(st, i), "m.", 2) == 0)
			prev[n_prev++] = (char *)(uintptr_t)state_value_at(st, i);
	qsort(cur, t->n, sizeof(*cur), cmp_keyed);
	qsort(prev, n_prev, sizeof(*prev), cmp_str);
	for (i = j = 0; i < t->n || j < n_prev;) {
		int c = i >= t->n ? 1 : j >= n_prev ? -1 :
		    strcmp(cur[i].key, prev[j]);

		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			char text[300];

			(*n_new)++;
			mapping_text(&t->m[cur[i++].idx], text, sizeof(text));
			plugin_out_sub(o, pp->new_state, "new since the last run: "
			    "%s", text);
		} else {
			/* vanished ones only count when this table is whole */
			if (t->complete) {
				(*n_gone)++;
				plugin_out_sub(o, pp->gone_state, "gone since the "
				    "last run: %.200s", prev[j]);
			}
			j++;
		}
	}
save:
	if (!t->complete)
		goto out;	/* an incomplete table would fake vanishings */
	state_clear_prefix(st, "m.");
	state_clear_prefix(st, "portmap.");
	state_set(st, "portmap.device", device);
	state_set_u64(st, "portmap.count", t->n);
	for (i = 0; i < t->n; i++) {
		snprintf(key, sizeof(key), "m.%zu", i);
		mapping_key(&t->m[i], val, sizeof(val));
		state_set(st, key, val);
	}
	if (state_save(st, path, err, sizeof(err)) != 0)
		plugin_out_info(o, "cannot save the state file: %s", err);
out:
	if (cur != NULL)
		for (i = 0; i < t->n; i++)
			free(cur[i].key);
	free(cur);
	free(prev);
	state_free(st);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONG,
		{ "list-method", required_argument, NULL, OPT_LIST_METHOD },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "table", required_argument, NULL, OPT_TABLE },
		{ "state-file", required_argument, NULL, OPT_STATE_FILE },
		{ "no-state", no_argument, NULL, OPT_NO_STATE },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts opts;
	struct plugin_thresholds th;
	struct policy *pol = NULL;
	struct igd_found *found = NULL;
	struct igd_table t;
	struct plugin_out *o = NULL;
	struct deadline dl;
	char err[512], out[PLUGIN_TEXT_MAX + 64], state_path[1024];
	const char *save, *table, *state_file;
	struct portmap_args args;
	enum igd_list_method method;
	size_t olen;
	unsigned count[4] = { 0, 0, 0, 0 }, tcp = 0, udp = 0, shown_ok = 0;
	unsigned n_new = 0, n_gone = 0;
	const struct policy_rule **rules = NULL;
	enum plugin_state *states = NULL;
	int count_alert = 0;
	enum plugin_state st;
	double zero = 0;
	int64_t started = 0;

	memset(&t, 0, sizeof(t));
	memset(&args, 0, sizeof(args));
	switch (cli_parse(argc, argv, CLI_SHORT "w:c:", longopts, &opts, option,
	    &args, err, sizeof(err))) {
	case CLI_HELP:
		help();
		return PLUGIN_UNKNOWN;
	case CLI_VERSION:
		printf("check_igd_portmap " CHECK_IGD_VERSION "\n");
		return PLUGIN_UNKNOWN;
	case CLI_BAD:
		printf("IGD " CHECK " UNKNOWN - %s\n", err);
		usage(stdout);
		return PLUGIN_UNKNOWN;
	default:
		break;
	}
	if (args.table != NULL && (opts.url || opts.host || opts.iface)) {
		printf("IGD " CHECK " UNKNOWN - --table judges a saved table: "
		    "do not combine it with -u, -H or -m\n");
		return PLUGIN_UNKNOWN;
	}
	if (cli_load_policy(&opts, &pol, err, sizeof(err)) != 0) {
		printf("IGD " CHECK " UNKNOWN - policy error: %s\n", err);
		return PLUGIN_UNKNOWN;
	}
	save = args.save;
	table = args.table;
	method = args.method;
	th = args.th;
	if (!args.method_set)
		method = pol->portmap.list_method == POLICY_LIST_LIST ?
		    IGD_LIST_LIST : pol->portmap.list_method == POLICY_LIST_WALK ?
		    IGD_LIST_WALK : IGD_LIST_AUTO;
	if (!args.th.has_warn && !args.th.has_crit)
		th = pol->portmap.max_entries;
	state_file = args.state_file;
	if (!args.no_state && state_file == NULL &&
	    cli_state_path(&opts, "check_igd_portmap", table, state_path,
	    sizeof(state_path)) == 0)
		state_file = state_path;
	if (args.no_state)
		state_file = NULL;

	cli_backstop_arm(CHECK, &opts);
	deadline_init(&dl, cli_deadline_ms(&opts));
	started = deadline_now_ms();
	o = plugin_out_new(CHECK);
	found = calloc(1, sizeof(*found));
	if (o == NULL || found == NULL) {
		printf("IGD " CHECK " UNKNOWN - out of memory\n");
		return PLUGIN_UNKNOWN;
	}

	if (table != NULL) {
		if (table_load(table, &t, err, sizeof(err)) != 0) {
			plugin_out_set_state(o, PLUGIN_UNKNOWN);
			plugin_out_summary(o, "saved table error: %s", err);
			goto finish;
		}
		snprintf(found->dev.location, sizeof(found->dev.location),
		    "%s", table);
	} else {
		if (cli_find_device(&opts, &dl, found, o) != 0)
			goto finish;
		igd_table_read(&found->dev, method, &dl, &t);
		if (save != NULL && table_save(save, &t, found->dev.location,
		    found->dev.udn, err, sizeof(err)) != 0)
			plugin_out_sub(o, PLUGIN_UNKNOWN, "cannot save the table: "
			    "%s", err);
	}

	/* judge every mapping; findings first, so that when the output must
	 * be cut it is the plain OK lines that go */
	rules = calloc(t.n + 1, sizeof(*rules));
	states = calloc(t.n + 1, sizeof(*states));
	if (rules == NULL || states == NULL) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "out of memory");
		goto finish;
	}
	for (size_t i = 0; i < t.n; i++) {
		const struct igd_mapping *m = &t.m[i];
		struct policy_mapping pm;
		char text[300];

		pm.protocol = m->protocol;
		pm.external_port = m->external_port;
		pm.internal_client = m->internal_client;
		pm.internal_port = m->internal_port;
		pm.remote_host = m->remote_host;
		pm.description = m->description;
		pm.lease = m->lease;
		pm.enabled = m->enabled;
		rules[i] = policy_match(pol, &pm, t.external_address);
		states[i] = rules[i] ? rules[i]->state :
		    pol->portmap.default_state;
		count[states[i]]++;
		if (strcmp(m->protocol, "TCP") == 0)
			tcp++;
		else
			udp++;
		if (states[i] == PLUGIN_OK)
			continue;
		mapping_text(m, text, sizeof(text));
		plugin_out_sub(o, states[i], "%s: %s", rules[i] ?
		    rules[i]->name : "no rule matched", text);
	}
	st = plugin_thresholds_eval(&th, (double)t.n);
	count_alert = st != PLUGIN_OK;
	if (st != PLUGIN_OK)
		plugin_out_sub(o, st, "%zu mappings (thresholds %s%s%s)", t.n,
		    th.has_warn ? th.warn.text : "", th.has_crit ? ", " : "",
		    th.has_crit ? th.crit.text : "");
	if (state_file != NULL)
		judge_changes(o, &pol->portmap, &t, table != NULL ?
		    "(saved tables)" : found->dev.udn[0] ? found->dev.udn :
		    found->dev.location, state_file, &n_new, &n_gone);
	for (size_t i = 0; i < t.n; i++) {
		char text[300];

		if (states[i] != PLUGIN_OK ||
		    (shown_ok++ >= SHOW_OK_MAX && opts.verbose < 2))
			continue;
		mapping_text(&t.m[i], text, sizeof(text));
		plugin_out_info(o, "ok (%s): %s", rules[i] ? rules[i]->name :
		    "no rule matched", text);
	}
	if (shown_ok > SHOW_OK_MAX && opts.verbose < 2)
		plugin_out_info(o, "... and %u more ok mappings (-vv lists them)",
		    shown_ok - SHOW_OK_MAX);

	{
		char sum[PLUGIN_LINE_MAX];
		size_t sl;

		if (!t.complete) {
			enum plugin_state inc = t.rc == IGD_ETIMEOUT ?
			    opts.timeout_state : PLUGIN_UNKNOWN;

			/* never OK for a table we could not read whole: the
			 * timeout state (or UNKNOWN) whatever the entries read
			 * said, except that a threat found stays CRITICAL */
			if (inc == PLUGIN_OK)
				inc = PLUGIN_UNKNOWN;
			plugin_out_set_state(o, count[PLUGIN_CRITICAL] ?
			    PLUGIN_CRITICAL : inc);
			snprintf(sum, sizeof(sum), "table incomplete: %zu "
			    "mapping%s read (%s; %s); %u critical, %u warning",
			    t.n, t.n == 1 ? "" : "s",
			    t.method[0] ? t.method : "not read",
			    t.rc == 606 ? "606 not authorised for some entries" :
			    t.rc == 0 ? "it was saved incomplete" :
			    igd_strerror(t.rc), count[PLUGIN_CRITICAL],
			    count[PLUGIN_WARNING]);
		} else if (count[PLUGIN_CRITICAL] + count[PLUGIN_WARNING] +
		    count[PLUGIN_UNKNOWN] == 0 && !count_alert) {
			snprintf(sum, sizeof(sum), "%zu mapping%s (%u TCP, %u "
			    "UDP), all expected", t.n, t.n == 1 ? "" : "s", tcp,
			    udp);
		} else {
			snprintf(sum, sizeof(sum), "%zu mapping%s (%u TCP, %u "
			    "UDP): %u critical, %u warning, %u ok", t.n,
			    t.n == 1 ? "" : "s", tcp, udp, count[PLUGIN_CRITICAL],
			    count[PLUGIN_WARNING], count[PLUGIN_OK]);
		}
		/* a new hole is the news: say it on the first line too */
		sl = strlen(sum);
		if ((n_new || n_gone) && sl < sizeof(sum))
			snprintf(sum + sl, sizeof(sum) - sl, "; %u new, %u gone "
			    "since the last run", n_new, n_gone);
		plugin_out_summary(o, "%s", sum);
	}
	if (opts.verbose >= 1)
		plugin_out_info(o, "read from %.100s by %s", found->dev.location,
		    t.method[0] ? t.method : "-");
	plugin_out_perf(o, "mappings", (double)t.n, "", &th, &zero, NULL);
	plugin_out_perf(o, "tcp", (double)tcp, "", NULL, &zero, NULL);
	plugin_out_perf(o, "udp", (double)udp, "", NULL, &zero, NULL);
	plugin_out_perf(o, "ok", (double)count[PLUGIN_OK], "", NULL, &zero, NULL);
	plugin_out_perf(o, "warning", (double)count[PLUGIN_WARNING], "", NULL,
	    &zero, NULL);
	plugin_out_perf(o, "critical", (double)count[PLUGIN_CRITICAL], "", NULL,
	    &zero, NULL);
	if (state_file != NULL) {
		plugin_out_perf(o, "new", (double)n_new, "", NULL, &zero, NULL);
		plugin_out_perf(o, "gone", (double)n_gone, "", NULL, &zero, NULL);
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
	igd_table_free(&t);
	free(rules);
	free(states);
	free(found);
	return (int)st;
}
