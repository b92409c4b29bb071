/* SPDX-License-Identifier: GPL-3.0-or-later */
/* judge_portmap: a port-mapping table into a verdict (see judge_portmap.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge_portmap.h"

/* What judging the mappings one by one found. */
struct tally {
	const struct policy_rule **rules;	/* the rule each matched, or NULL */
	enum plugin_state *states;
	unsigned count[4];		/* mappings per state */
	unsigned tcp, udp;
	unsigned n_new, n_gone;
	int count_alert;		/* the count thresholds raised an alert */
};

void
judge_portmap_prev_free(struct judge_portmap_prev *prev)
{
	for (size_t i = 0; i < prev->n_keys; i++)
		free(prev->keys[i]);
	free(prev->keys);
	prev->keys = NULL;
	prev->n_keys = 0;
}

void
judge_portmap_key(const struct igd_mapping *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s %u %.63s %u %.63s", m->protocol,
	    m->external_port, m->internal_client, m->internal_port,
	    m->remote_host[0] ? m->remote_host : "*");
}

void
judge_portmap_text(const struct igd_mapping *m, char *buf, size_t len)
{
	judge_portmap_text_host(m, NULL, buf, len);
}

void
judge_portmap_text_host(const struct igd_mapping *m,
    const struct hostid *hosts, char *buf, size_t len)
{
	char desc[96], host[HOSTID_TEXT_MAX + 4] = "", htext[HOSTID_TEXT_MAX];
	const struct hostid_entry *e = hosts != NULL ?
	    hostid_find(hosts, m->internal_client) : NULL;

	plugin_sanitize(desc, sizeof(desc), m->description,
	    strlen(m->description), 60);
	if (e != NULL) {
		hostid_text(e, hosts->oui_rc == 0, htext, sizeof(htext));
		snprintf(host, sizeof(host), " (%s)", htext);
	}
	if (m->lease == 0)
		snprintf(buf, len, "%s %u -> %.63s:%u%s%s%.63s '%s' permanent%s",
		    m->protocol, m->external_port, m->internal_client,
		    m->internal_port, host, m->remote_host[0] ? " from " : "",
		    m->remote_host, desc, m->enabled ? "" : " (disabled)");
	else
		snprintf(buf, len, "%s %u -> %.63s:%u%s%s%.63s '%s' lease "
		    "%llds%s", m->protocol, m->external_port,
		    m->internal_client, m->internal_port, host,
		    m->remote_host[0] ? " from " : "", m->remote_host, desc,
		    (long long)m->lease, m->enabled ? "" : " (disabled)");
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
 * The mappings new and gone since prev, as multisets of keys (two equal
 * mappings on two services are two).  Gone ones count only when t is
 * whole.  -1 when out of memory.
 */
static int
compare(struct plugin_out *o, const struct policy_portmap *pp,
    const struct igd_table *t, const struct judge_portmap_prev *prev,
    const struct hostid *hosts, struct tally *y)
{
	struct keyed *cur = calloc(t->n + 1, sizeof(*cur));
	char **old = calloc(prev->n_keys + 1, sizeof(*old));
	char key[JUDGE_PORTMAP_KEY_MAX], text[JUDGE_PORTMAP_TEXT_MAX];
	size_t i, j;
	int rc = -1;

	if (cur == NULL || old == NULL)
		goto out;
	for (i = 0; i < t->n; i++) {
		judge_portmap_key(&t->m[i], key, sizeof(key));
		cur[i].idx = i;
		if ((cur[i].key = strdup(key)) == NULL)
			goto out;
	}
	if (prev->n_keys > 0)
		memcpy(old, prev->keys, prev->n_keys * sizeof(*old));
	qsort(cur, t->n, sizeof(*cur), cmp_keyed);
	qsort(old, prev->n_keys, sizeof(*old), cmp_str);
	for (i = j = 0; i < t->n || j < prev->n_keys;) {
		int c = i >= t->n ? 1 : j >= prev->n_keys ? -1 :
		    strcmp(cur[i].key, old[j]);

		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			y->n_new++;
			judge_portmap_text_host(&t->m[cur[i++].idx], hosts,
			    text, sizeof(text));
			plugin_out_sub(o, pp->new_state, "new since the last run: "
			    "%s", text);
		} else {
			/* vanished ones only count when this table is whole */
			if (t->complete) {
				y->n_gone++;
				plugin_out_sub(o, pp->gone_state, "gone since the "
				    "last run: %.200s", old[j]);
			}
			j++;
		}
	}
	rc = 0;
out:
	if (cur != NULL)
		for (i = 0; i < t->n; i++)
			free(cur[i].key);
	free(cur);
	free(old);
	return rc;
}

/* Change detection: what the state file said, and the changes. */
static void
judge_changes(struct plugin_out *o, const struct policy_portmap *pp,
    const struct igd_table *t, const struct judge_portmap_prev *prev,
    const struct hostid *hosts, struct tally *y)
{
	if (prev->load_err[0] != '\0')
		plugin_out_info(o, "state file: %s; starting again",
		    prev->load_err);
	if (!prev->loaded)
		return;
	if (prev->other_device[0] != '\0')
		plugin_out_info(o, "the state file was kept for another device "
		    "(%.100s); starting again", prev->other_device);
	if (!prev->have)
		plugin_out_info(o, "change detection from the next run on "
		    "(state file %.200s)", prev->path);
	else if (prev->no_memory || compare(o, pp, t, prev, hosts, y) != 0)
		plugin_out_info(o, "change detection skipped: out of memory");
	if (prev->save_err[0] != '\0')
		plugin_out_info(o, "cannot save the state file: %s",
		    prev->save_err);
}

/* Each mapping against the rules; findings as subchecks. */
static void
judge_mappings(struct plugin_out *o, const struct policy *pol,
    const struct igd_table *t, const struct hostid *hosts, struct tally *y)
{
	char text[JUDGE_PORTMAP_TEXT_MAX];

	for (size_t i = 0; i < t->n; i++) {
		const struct igd_mapping *m = &t->m[i];
		struct policy_mapping pm;

		pm.protocol = m->protocol;
		pm.external_port = m->external_port;
		pm.internal_client = m->internal_client;
		pm.internal_port = m->internal_port;
		pm.remote_host = m->remote_host;
		pm.description = m->description;
		pm.lease = m->lease;
		pm.enabled = m->enabled;
		y->rules[i] = policy_match(pol, &pm, t->external_address);
		y->states[i] = y->rules[i] ? y->rules[i]->state :
		    pol->portmap.default_state;
		y->count[y->states[i]]++;
		if (strcmp(m->protocol, "TCP") == 0)
			y->tcp++;
		else
			y->udp++;
		if (y->states[i] == PLUGIN_OK)
			continue;
		judge_portmap_text_host(m, hosts, text, sizeof(text));
		plugin_out_sub(o, y->states[i], "%s: %s", y->rules[i] ?
		    y->rules[i]->name : "no rule matched", text);
	}
}

/* The OK mappings, JUDGE_PORTMAP_SHOW_OK of them unless -vv. */
static void
judge_show_ok(struct plugin_out *o, const struct igd_table *t,
    const struct hostid *hosts, const struct tally *y, int verbose)
{
	char text[JUDGE_PORTMAP_TEXT_MAX];
	unsigned shown_ok = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (y->states[i] != PLUGIN_OK ||
		    (shown_ok++ >= JUDGE_PORTMAP_SHOW_OK && verbose < 2))
			continue;
		judge_portmap_text_host(&t->m[i], hosts, text, sizeof(text));
		plugin_out_info(o, "ok (%s): %s", y->rules[i] ?
		    y->rules[i]->name : "no rule matched", text);
	}
	if (shown_ok > JUDGE_PORTMAP_SHOW_OK && verbose < 2)
		plugin_out_info(o, "... and %u more ok mappings (-vv lists them)",
		    shown_ok - JUDGE_PORTMAP_SHOW_OK);
}

/* The first line; a table not read whole is never OK. */
static void
judge_summary(struct plugin_out *o, const struct igd_table *t,
    const struct tally *y, const struct judge_portmap_ctx *c)
{
	char sum[PLUGIN_LINE_MAX];
	size_t sl;

	if (!t->complete) {
		enum plugin_state inc = t->rc == IGD_ETIMEOUT ?
		    c->timeout_state : PLUGIN_UNKNOWN;

		/* the timeout state (or UNKNOWN) whatever the entries read
		 * said, except that a threat found stays CRITICAL */
		if (inc == PLUGIN_OK)
			inc = PLUGIN_UNKNOWN;
		plugin_out_set_state(o, y->count[PLUGIN_CRITICAL] ?
		    PLUGIN_CRITICAL : inc);
		snprintf(sum, sizeof(sum), "table incomplete: %zu mapping%s "
		    "read (%s; %s); %u critical, %u warning", t->n,
		    t->n == 1 ? "" : "s", t->method[0] ? t->method : "not read",
		    t->rc == 606 ? "606 not authorised for some entries" :
		    t->rc == 0 ? "it was saved incomplete" : igd_strerror(t->rc),
		    y->count[PLUGIN_CRITICAL], y->count[PLUGIN_WARNING]);
	} else if (y->count[PLUGIN_CRITICAL] + y->count[PLUGIN_WARNING] +
	    y->count[PLUGIN_UNKNOWN] == 0 && !y->count_alert) {
		snprintf(sum, sizeof(sum), "%zu mapping%s (%u TCP, %u UDP), all "
		    "expected", t->n, t->n == 1 ? "" : "s", y->tcp, y->udp);
	} else {
		snprintf(sum, sizeof(sum), "%zu mapping%s (%u TCP, %u UDP): %u "
		    "critical, %u warning, %u ok", t->n, t->n == 1 ? "" : "s",
		    y->tcp, y->udp, y->count[PLUGIN_CRITICAL],
		    y->count[PLUGIN_WARNING], y->count[PLUGIN_OK]);
	}
	/* a new hole is the news: say it on the first line too */
	sl = strlen(sum);
	if ((y->n_new || y->n_gone) && sl < sizeof(sum))
		snprintf(sum + sl, sizeof(sum) - sl, "; %u new, %u gone since "
		    "the last run", y->n_new, y->n_gone);
	plugin_out_summary(o, "%s", sum);
}

static void
judge_perf(struct plugin_out *o, const struct igd_table *t,
    const struct tally *y, const struct judge_portmap_ctx *c, int changes)
{
	double zero = 0;

	plugin_out_perf(o, "mappings", (double)t->n, "", c->th, &zero, NULL);
	plugin_out_perf(o, "tcp", (double)y->tcp, "", NULL, &zero, NULL);
	plugin_out_perf(o, "udp", (double)y->udp, "", NULL, &zero, NULL);
	plugin_out_perf(o, "ok", (double)y->count[PLUGIN_OK], "", NULL, &zero,
	    NULL);
	plugin_out_perf(o, "warning", (double)y->count[PLUGIN_WARNING], "",
	    NULL, &zero, NULL);
	plugin_out_perf(o, "critical", (double)y->count[PLUGIN_CRITICAL], "",
	    NULL, &zero, NULL);
	if (changes) {
		plugin_out_perf(o, "new", (double)y->n_new, "", NULL, &zero,
		    NULL);
		plugin_out_perf(o, "gone", (double)y->n_gone, "", NULL, &zero,
		    NULL);
	}
}

void
judge_portmap(struct plugin_out *o, const struct policy *pol,
    const struct igd_table *t, const struct judge_portmap_prev *prev,
    const struct judge_portmap_ctx *c)
{
	const struct plugin_thresholds *th = c->th;
	struct tally y;
	enum plugin_state st;

	memset(&y, 0, sizeof(y));
	y.rules = calloc(t->n + 1, sizeof(*y.rules));
	y.states = calloc(t->n + 1, sizeof(*y.states));
	if (y.rules == NULL || y.states == NULL) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "out of memory");
		goto out;
	}
	judge_mappings(o, pol, t, c->hosts, &y);
	st = plugin_thresholds_eval(th, (double)t->n);
	y.count_alert = st != PLUGIN_OK;
	if (st != PLUGIN_OK)
		plugin_out_sub(o, st, "%zu mappings (thresholds %s%s%s)", t->n,
		    th->has_warn ? th->warn.text : "", th->has_crit ? ", " : "",
		    th->has_crit ? th->crit.text : "");
	if (prev->path != NULL)
		judge_changes(o, &pol->portmap, t, prev, c->hosts, &y);
	judge_show_ok(o, t, c->hosts, &y, c->verbose);
	if (c->hosts != NULL && c->hosts->neigh_rc != 0)
		plugin_out_info(o, "MAC addresses unknown: the neighbour table "
		    "could not be read (%.120s)", c->hosts->neigh_err);
	if (c->hosts != NULL && c->hosts->oui_rc != 0)
		plugin_out_info(o, "vendors unknown: %.140s",
		    c->hosts->oui_err);
	if (c->hosts != NULL && c->hosts->rdns_rc != 0)
		plugin_out_info(o, "some names unknown: %s",
		    c->hosts->rdns_rc == IGD_ETIMEOUT ? "the deadline came "
		    "first" : c->hosts->rdns_err);
	judge_summary(o, t, &y, c);
	if (c->verbose >= 1)
		plugin_out_info(o, "read from %.100s by %s", c->source,
		    t->method[0] ? t->method : "-");
	judge_perf(o, t, &y, c, prev->path != NULL);
out:
	free(y.rules);
	free(y.states);
}
