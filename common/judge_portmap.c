/* SPDX-License-Identifier: GPL-3.0-or-later */
/* judge_portmap: a port-mapping table into a verdict (see judge_portmap.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "json.h"
#include "judge_portmap.h"

/* What judging the mappings one by one found. */
struct tally {
	const struct policy_rule **rules;	/* the rule each matched, or NULL */
	const struct policy_rule **unjudged;	/* the rule that could not
						   judge it (internal port 0) */
	enum plugin_state *states;
	unsigned count[4];		/* mappings per state */
	unsigned tcp, udp;
	unsigned n_new, n_changed, n_gone;
};

void
judge_portmap_prev_free(struct judge_portmap_prev *prev)
{
	mapchg_result_free(&prev->chg);
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

/* The line of mapping i of t: its text, the host behind its client, and
 * how long it has been there when the state file knows. */
static void
mapping_line(const struct igd_table *t, size_t i,
    const struct judge_portmap_ctx *c, char *buf, size_t len)
{
	const struct judge_portmap_prev *prev = c->prev;
	size_t n;
	char age[32];

	judge_portmap_text_host(&t->m[i], c->hosts, buf, len);
	if (prev == NULL || prev->chg.cur == NULL || i >= prev->chg.n_cur ||
	    !prev->have)
		return;
	mapchg_age_text(prev->now - prev->chg.cur[i].first_seen, age,
	    sizeof(age));
	n = strlen(buf);
	if (n < len)
		snprintf(buf + n, len - n, ", age %s", age);
}

/* "since the last run" or "held, since 2h 5m" into buf. */
static void
since_text(const struct mapchg_item *it, int64_t now, char *buf, size_t len)
{
	char age[32];

	if (it->fresh) {
		snprintf(buf, len, "since the last run");
		return;
	}
	mapchg_age_text(now - it->event_since, age, sizeof(age));
	snprintf(buf, len, "%s ago (held)", age);
}

/* The held and fresh changes as subchecks. */
static void
report_changes(struct plugin_out *o, const struct policy_portmap *pp,
    const struct igd_table *t, const struct judge_portmap_ctx *c,
    struct tally *y)
{
	const struct judge_portmap_prev *prev = c->prev;
	char text[JUDGE_PORTMAP_TEXT_MAX], when[64], desc[96];

	for (size_t i = 0; i < prev->chg.n_cur; i++) {
		const struct mapchg_item *it = &prev->chg.cur[i];

		if (it->event == MAPCHG_NONE || it->idx >= t->n)
			continue;
		mapping_line(t, it->idx, c, text, sizeof(text));
		since_text(it, prev->now, when, sizeof(when));
		if (it->event == MAPCHG_NEW) {
			y->n_new++;
			plugin_out_finding(o, pp->new_state, "portmap.new",
			    (long)it->idx, "new %s: %s", when, text);
		} else if (it->event == MAPCHG_CHANGED) {
			y->n_changed++;
			plugin_out_finding(o, pp->changed_state, "portmap.changed",
			    (long)it->idx, "changed %s: %s; was "
			    "-> %.63s:%u '%s'", when, text, it->rec.old.client,
			    it->rec.old.port, (plugin_sanitize(desc,
			    sizeof(desc), it->rec.old.desc,
			    strlen(it->rec.old.desc), 60), desc));
		}
	}
	for (size_t i = 0; i < prev->chg.n_gone; i++) {
		const struct mapchg_item *g = &prev->chg.gone[i];

		y->n_gone++;
		since_text(g, prev->now, when, sizeof(when));
		plugin_sanitize(desc, sizeof(desc), g->rec.facts.desc,
		    strlen(g->rec.facts.desc), 60);
		plugin_out_finding(o, pp->gone_state, "portmap.gone", -1,
		    "gone %s: %s %u -> %.63s:%u "
		    "'%s'", when, g->rec.protocol, g->rec.external_port,
		    g->rec.facts.client, g->rec.facts.port, desc);
	}
}

/* " (held 1h 55m more, or until --accept)" for a held restart, else "". */
static void
restart_hold_text(const struct state_restart *r, int64_t now, int64_t hold,
    char *buf, size_t len)
{
	char left[32];

	buf[0] = '\0';
	if (!r->held)
		return;
	mapchg_age_text(hold - (now - r->since), left, sizeof(left));
	snprintf(buf, len, " (held %s%s%s, or until --accept)", r->fresh ?
	    "for " : "", left, r->fresh ? "" : " more");
}

/* Change detection: what the state file said, and the changes. */
static void
judge_changes(struct plugin_out *o, const struct policy *pol,
    const struct igd_table *t, const struct judge_portmap_ctx *c,
    struct tally *y)
{
	const struct policy_portmap *pp = &pol->portmap;
	const struct judge_portmap_prev *prev = c->prev;
	char held[96], ago[32];

	/* change detection the user expects was not done: a state, held
	 * as long as a change is (a baseline taken now may hide one) */
	restart_hold_text(&prev->restart, prev->now, prev->hold, held,
	    sizeof(held));
	if (prev->load_err[0] != '\0')
		plugin_out_finding(o, pol->state_unusable, "state.unusable", -1,
		    "%s; change detection starts again%s", prev->load_err, held);
	if (!prev->loaded)
		return;
	if (prev->other_device[0] != '\0')
		plugin_out_finding(o, pol->state_unusable, "state.unusable", -1,
		    "the state file was kept for another device (%.100s); "
		    "change detection starts again%s", prev->other_device, held);
	else if (prev->restart.held && !prev->restart.fresh) {
		mapchg_age_text(prev->now - prev->restart.since, ago,
		    sizeof(ago));
		plugin_out_finding(o, pol->state_unusable, "state.unusable", -1,
		    "change detection started again %s ago: %s; a mapping "
		    "added before then is not reported as new%s", ago,
		    prev->restart.why, held);
	}
	if (prev->old_format)
		plugin_out_info(o, "the state file was written by an older "
		    "version; starting again");
	if (prev->no_memory)
		plugin_out_info(o, "change detection skipped: out of memory");
	else if (!prev->have)
		plugin_out_info(o, "change detection from the next run on "
		    "(state file %.200s)", prev->path);
	else
		report_changes(o, pp, t, c, y);
	if (prev->accepted)
		plugin_out_info(o, "this table is now the baseline (--accept): "
		    "earlier changes no longer alarm");
	if (prev->save_err[0] != '\0')
		plugin_out_finding(o, pol->state_unusable, "state.unusable", -1,
		    "cannot save the state file: %s; changes will not be seen "
		    "next run",
		    prev->save_err);
}

void
judge_portmap_facts(const struct policy *pol, const struct igd_mapping *m,
    const char *external_address, const struct hostid *hosts, int have_age,
    int64_t first_seen, int64_t now, struct policy_facts *f)
{
	const struct hostid_entry *e = NULL;
	int want_mac = 0;

	memset(f, 0, sizeof(*f));
	f->external_address = external_address;
	/* looked up only for a policy with internal_mac rules */
	for (size_t r = 0; r < pol->portmap.n_rules && !want_mac; r++)
		want_mac = pol->portmap.rules[r].n_macs != 0;
	if (want_mac && hosts != NULL)
		e = hostid_find(hosts, m->internal_client);
	/* only an entry the kernel confirms now: a stale one may be of a
	 * host that left, whose address another now holds */
	if (e != NULL && !e->local && e->found == NEIGH_FOUND &&
	    neigh_kind_confirmed(e->kind)) {
		f->have_mac = 1;
		memcpy(f->mac, e->mac, sizeof(f->mac));
	} else if (e != NULL && !e->local && e->found == NEIGH_FOUND) {
		f->mac_unconfirmed = 1;
	}
	if (have_age) {
		f->have_age = 1;
		f->age = now - first_seen;
		if (f->age < 0)
			f->age = 0;
	}
}

/* The facts of mapping i of t as this run knows them. */
static void
mapping_facts(const struct policy *pol, const struct igd_table *t, size_t i,
    const struct judge_portmap_ctx *c, struct policy_facts *f)
{
	const struct judge_portmap_prev *prev = c->prev;
	int have_age = prev != NULL && prev->have && prev->chg.cur != NULL &&
	    i < prev->chg.n_cur;

	judge_portmap_facts(pol, &t->m[i], t->external_address, c->hosts,
	    have_age, have_age ? prev->chg.cur[i].first_seen : 0,
	    prev != NULL ? prev->now : 0, f);
}

/* Why a rule could not judge a mapping (POLICY_NEED_* bits), into buf. */
static void
needs_text(unsigned need, const struct judge_portmap_ctx *c,
    const struct policy_facts *f, char *buf, size_t len)
{
	const char *part[3];
	size_t n = 0;

	if (need & POLICY_NEED_PORT)
		part[n++] = "the device reports internal port 0 (MiniUPnPd "
		    "2.3.6-2.3.7 bug)";
	if (need & POLICY_NEED_MAC)
		part[n++] = c->hosts == NULL ? "the client's MAC address is "
		    "not known (hosts not looked up)" : f->mac_unconfirmed ?
		    "the client's MAC address is not confirmed (a stale "
		    "neighbour entry: the host may have left)" : "the "
		    "client's MAC address is not known";
	if (need & POLICY_NEED_AGE)
		part[n++] = c->prev == NULL || c->prev->path == NULL ?
		    "the mapping's age is not known (no state file)" :
		    "the mapping's age is not known yet (no earlier run in "
		    "the state file)";
	snprintf(buf, len, "%s%s%s%s%s", n > 0 ? part[0] : "",
	    n > 1 ? " and " : "", n > 1 ? part[1] : "", n > 2 ? " and " : "",
	    n > 2 ? part[2] : "");
}

enum plugin_state
judge_portmap_one(const struct policy *pol, const struct igd_mapping *m,
    const struct policy_facts *f, const struct policy_rule **rule,
    const struct policy_rule **unjudged)
{
	enum plugin_state st;

	/* a rule that needs a fact this run does not have (the internal
	 * port of quirk internal-port-0, the MAC address, the age) and
	 * matches on everything else cannot be judged */
	*rule = policy_match_unjudged(pol, m, f, unjudged);
	st = *rule ? (*rule)->state : pol->portmap.default_state;
	/* only a rule that could have made it worse can hide an alarm (an
	 * allow rule not judged just does not allow); the worse state
	 * wins; with no rule matched, saying what could not be judged
	 * tells more than "no rule matched" */
	if (*unjudged != NULL && (*unjudged)->state > st &&
	    (pol->portmap.unjudged_state > st || (*rule == NULL &&
	    pol->portmap.unjudged_state == st)))
		return pol->portmap.unjudged_state;
	*unjudged = NULL;
	return st;
}

/* The event log: a log asked for and not written is a finding, and so
 * is a line lost; a line kept for the next run is said with it. */
static void
judge_events(struct plugin_out *o, const struct mapevent_report *ev)
{
	if (ev == NULL || ev->path == NULL)
		return;
	if (ev->dropped > 0)
		plugin_out_sub(o, ev->error_state, "event log %.200s: %u line%s "
		    "lost (more than %d KiB waiting to be written, or "
		    "unreadable in the state file)", ev->path, ev->dropped,
		    ev->dropped == 1 ? "" : "s", MAPEVENT_PENDING_MAX / 1024);
	if (ev->rc != 0) {
		unsigned n = ev->pending + ev->deferred;

		if (n > 0)
			plugin_out_sub(o, ev->error_state, "cannot write the "
			    "event log: %s; %u change%s not logged yet (kept "
			    "for the next run)", ev->err, n, n == 1 ? "" : "s");
		else
			plugin_out_sub(o, ev->error_state, "cannot write the "
			    "event log: %s", ev->err);
		return;
	}
	if (ev->note[0] != '\0')
		plugin_out_info(o, "event log %.200s: written without the lock "
		    "(%s)", ev->path, ev->note);
	if (ev->baseline && ev->written == 0 && ev->pending == 0)
		plugin_out_info(o, "event log %.200s: no change to log (no "
		    "previous table to compare with)", ev->path);
	else if (ev->deferred || ev->pending)
		plugin_out_info(o, "event log %.200s: %u change%s left to the "
		    "first run that reads the table whole", ev->path,
		    ev->deferred + ev->pending,
		    ev->deferred + ev->pending == 1 ? "" : "s");
	else if (ev->late > 0)
		plugin_out_info(o, "event log %.200s: %u change%s logged (%u "
		    "late, from earlier runs)", ev->path, ev->written,
		    ev->written == 1 ? "" : "s", ev->late);
	else
		plugin_out_info(o, "event log %.200s: %u change%s logged",
		    ev->path, ev->written, ev->written == 1 ? "" : "s");
}

/* Each mapping against the rules; findings as subchecks. */
static void
judge_mappings(struct plugin_out *o, const struct policy *pol,
    const struct igd_table *t, const struct judge_portmap_ctx *c,
    struct tally *y)
{
	char text[JUDGE_PORTMAP_TEXT_MAX], why[256];
	const struct policy_rule *ext_rule = NULL;
	unsigned ext_unjudged = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct igd_mapping *m = &t->m[i];
		const struct policy_rule *unjudged;
		struct policy_facts f;
		int cannot;

		if (t->external_rc != 0) {
			/* the external address is unknown: a rule on it
			 * (client_is_external) that would decide this
			 * mapping, were its client that address, is a check
			 * not done, never skipped in silence */
			const struct policy_rule *r;

			memset(&f, 0, sizeof(f));
			f.external_address = m->internal_client;
			r = policy_match(pol, m, &f);
			if (r != NULL && r->client_is_external) {
				if (ext_unjudged++ == 0)
					ext_rule = r;
			}
		}

		mapping_facts(pol, t, i, c, &f);
		y->states[i] = judge_portmap_one(pol, m, &f, &y->rules[i],
		    &unjudged);
		cannot = unjudged != NULL;
		if (cannot)
			y->unjudged[i] = unjudged;
		y->count[y->states[i]]++;
		if (strcmp(m->protocol, "TCP") == 0)
			y->tcp++;
		else
			y->udp++;
		if (y->states[i] == PLUGIN_OK)
			continue;
		mapping_line(t, i, c, text, sizeof(text));
		if (cannot) {
			needs_text(policy_rule_needs(unjudged, m, &f), c, &f, why,
			    sizeof(why));
			plugin_out_finding(o, y->states[i], unjudged->name,
			    (long)i, "%s: cannot judge, %s: %s", unjudged->name,
			    why, text);
		} else {
			plugin_out_finding(o, y->states[i], y->rules[i] ?
			    y->rules[i]->name : "portmap.default", (long)i,
			    "%s: %s", y->rules[i] ? y->rules[i]->name :
			    "no rule matched", text);
		}
	}
	if (ext_unjudged > 0) {
		char eb[IGD_STRERROR_MAX];

		plugin_out_sub(o, PLUGIN_UNKNOWN, "%s: not judged for %u "
		    "mapping%s: the external address could not be read (%s)",
		    ext_rule->name, ext_unjudged, ext_unjudged == 1 ? "" : "s",
		    igd_strerror(t->external_rc, eb, sizeof(eb)));
	}
	if (t->suspect & QUIRK_BIT(QUIRK_IDX0_402))
		plugin_out_finding(o, PLUGIN_WARNING, "quirk.index0-402", -1,
		    "the device answered 402 "
		    "Invalid Args at index 0 of the walk: taken as an empty "
		    "table (quirk index0-402 of DD-WRT v24), but this device "
		    "is not known to answer so");
}

/* The OK mappings, JUDGE_PORTMAP_SHOW_OK of them unless -vv. */
static void
judge_show_ok(struct plugin_out *o, const struct igd_table *t,
    const struct judge_portmap_ctx *c, const struct tally *y, int verbose)
{
	char text[JUDGE_PORTMAP_TEXT_MAX];
	unsigned shown_ok = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (y->states[i] != PLUGIN_OK ||
		    (shown_ok++ >= JUDGE_PORTMAP_SHOW_OK && verbose < 2))
			continue;
		mapping_line(t, i, c, text, sizeof(text));
		plugin_out_info(o, "ok (%s): %s", y->rules[i] ?
		    y->rules[i]->name : "no rule matched", text);
	}
	if (shown_ok > JUDGE_PORTMAP_SHOW_OK && verbose < 2)
		plugin_out_info(o, "... and %u more ok mappings (-vv lists them)",
		    shown_ok - JUDGE_PORTMAP_SHOW_OK);
}

/* The first line: the worst finding, then the counts; a table not read
 * whole is never OK. */
static void
judge_summary(struct plugin_out *o, const struct igd_table *t,
    const struct tally *y, const struct judge_portmap_ctx *c)
{
	char sum[PLUGIN_LINE_MAX], eb[IGD_STRERROR_MAX];
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
		    t->rc == 0 ? "it was saved incomplete" : igd_strerror(t->rc, eb,
		    sizeof(eb)),
		    y->count[PLUGIN_CRITICAL], y->count[PLUGIN_WARNING]);
	} else if (plugin_out_state(o) == PLUGIN_OK) {
		snprintf(sum, sizeof(sum), "%zu mapping%s (%u TCP, %u UDP), all "
		    "expected%s%.150s", t->n, t->n == 1 ? "" : "s", y->tcp,
		    y->udp, t->unusable ? "; unusable, not read: " : "",
		    t->unusable ? t->unusable_text : "");
	} else {
		snprintf(sum, sizeof(sum), "%zu mapping%s", t->n,
		    t->n == 1 ? "" : "s");
	}
	/* a new hole is the news: say it on the first line too */
	sl = strlen(sum);
	if ((y->n_new || y->n_changed || y->n_gone) && sl < sizeof(sum))
		snprintf(sum + sl, sizeof(sum) - sl, "; %u new, %u changed, %u "
		    "gone", y->n_new, y->n_changed, y->n_gone);
	plugin_out_summary_worst(o, "%s", sum);
}

/* The quirk names of bits as a JSON array. */
static void
quirk_names(struct json *j, const char *key, unsigned bits)
{
	json_key(j, key);
	json_arr_begin(j);
	for (int q = 0; q < QUIRK_COUNT; q++)
		if (bits & QUIRK_BIT(q))
			json_str(j, quirk_get((enum quirk_id)q)->name);
	json_arr_end(j);
}

/* Where the change detection stands, and the gone mappings still held. */
static void
facts_changes(struct json *j, const struct judge_portmap_prev *prev)
{
	json_key(j, "changes");
	json_obj_begin(j);
	json_kstr(j, "state_file", prev->path);
	json_kbool(j, "loaded", prev->loaded);
	json_kbool(j, "have_previous", prev->have);
	json_kbool(j, "accepted", prev->accepted);
	json_kint(j, "hold", prev->hold);
	json_kstr(j, "load_error", prev->load_err[0] ? prev->load_err : NULL);
	json_kstr(j, "save_error", prev->save_err[0] ? prev->save_err : NULL);
	json_kstr(j, "other_device", prev->other_device[0] ?
	    prev->other_device : NULL);
	json_key(j, "restart");
	facts_restart(j, &prev->restart, prev->hold);
	json_key(j, "gone");
	json_arr_begin(j);
	for (size_t i = 0; i < prev->chg.n_gone; i++) {
		const struct mapchg_item *g = &prev->chg.gone[i];

		json_obj_begin(j);
		json_kstr(j, "protocol", g->rec.protocol);
		json_kint(j, "external_port", g->rec.external_port);
		json_kstr(j, "internal_client", g->rec.facts.client);
		json_kint(j, "internal_port", g->rec.facts.port);
		json_kstr(j, "description", g->rec.facts.desc);
		json_kint(j, "first_seen", g->first_seen);
		json_kint(j, "since", g->event_since);
		json_kbool(j, "fresh", g->fresh);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* One mapping of the table with its judgement, host and age. */
static void
facts_one(struct json *j, const struct igd_table *t, size_t i,
    const struct tally *y, const struct judge_portmap_ctx *c)
{
	static const char *const events[] = { "none", "new", "changed",
	    "gone" };
	const struct judge_portmap_prev *prev = c->prev;
	const struct mapchg_item *it = prev != NULL && prev->chg.cur != NULL &&
	    i < prev->chg.n_cur ? &prev->chg.cur[i] : NULL;

	json_obj_begin(j);
	facts_mapping_members(j, &t->m[i]);
	json_kint(j, "state", y->states[i]);
	json_kstr(j, "state_name", plugin_state_name(y->states[i]));
	json_kstr(j, "rule", y->rules[i] ? y->rules[i]->name : NULL);
	json_kstr(j, "unjudged_by", y->unjudged[i] ? y->unjudged[i]->name :
	    NULL);
	json_key(j, "host");
	if (c->hosts != NULL)
		facts_host(j, hostid_find(c->hosts, t->m[i].internal_client),
		    c->hosts->oui_rc == 0);
	else
		json_null(j);
	if (it != NULL && prev->have) {
		json_kint(j, "first_seen", it->first_seen);
		json_kint(j, "age", prev->now - it->first_seen);
		json_kstr(j, "event", events[it->event <= MAPCHG_GONE ?
		    it->event : 0]);
	} else {
		json_kstr(j, "first_seen", NULL);
		json_kstr(j, "age", NULL);
		json_kstr(j, "event", NULL);
	}
	json_obj_end(j);
}

/* The table as read, each mapping with its judgement, and how complete
 * it is, into the JSON facts (j NULL: not asked). */
static void
judge_facts(struct json *j, const struct igd_table *t, const struct tally *y,
    const struct judge_portmap_ctx *c)
{
	if (j == NULL)
		return;
	json_key(j, "table");
	json_obj_begin(j);
	json_kstr(j, "source", c->source);
	json_kbool(j, "complete", t->complete);
	json_key(j, "incomplete_because");
	facts_code(j, t->rc);
	json_kstr(j, "method", t->method[0] ? t->method : NULL);
	json_kint(j, "soap_calls", t->calls);
	json_kint(j, "denied_606", t->denied);
	quirk_names(j, "quirks", t->quirks);
	quirk_names(j, "quirks_assumed", t->suspect);
	json_kstr(j, "external_address", t->external_address[0] ?
	    t->external_address : NULL);
	json_kint(j, "count", (int64_t)t->n);
	json_kint(j, "tcp", y->tcp);
	json_kint(j, "udp", y->udp);
	json_obj_end(j);
	json_key(j, "mappings");
	json_arr_begin(j);
	for (size_t i = 0; i < t->n; i++)
		facts_one(j, t, i, y, c);
	json_arr_end(j);
	if (c->prev != NULL && c->prev->path != NULL)
		facts_changes(j, c->prev);
	if (c->hosts != NULL) {
		json_key(j, "hosts");
		json_obj_begin(j);
		json_kstr(j, "neighbour_error", c->hosts->neigh_rc ?
		    c->hosts->neigh_err : NULL);
		json_kstr(j, "vendor_error", c->hosts->oui_rc ?
		    c->hosts->oui_err : NULL);
		json_kstr(j, "name_error", c->hosts->rdns_rc == 0 ? NULL :
		    c->hosts->rdns_rc == IGD_ETIMEOUT ? "the deadline came "
		    "first" : c->hosts->rdns_err);
		json_obj_end(j);
	}
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
		plugin_out_perf(o, "changed", (double)y->n_changed, "", NULL,
		    &zero, NULL);
		plugin_out_perf(o, "gone", (double)y->n_gone, "", NULL, &zero,
		    NULL);
	}
}

void
judge_portmap(struct plugin_out *o, const struct policy *pol,
    const struct igd_table *t, const struct judge_portmap_prev *prev,
    const struct judge_portmap_ctx *cin)
{
	struct judge_portmap_ctx cc = *cin;
	const struct judge_portmap_ctx *c = &cc;
	const struct plugin_thresholds *th = c->th;
	struct tally y;
	enum plugin_state st;

	cc.prev = prev;
	memset(&y, 0, sizeof(y));
	y.rules = calloc(t->n + 1, sizeof(*y.rules));
	y.states = calloc(t->n + 1, sizeof(*y.states));
	y.unjudged = calloc(t->n + 1, sizeof(*y.unjudged));
	if (y.rules == NULL || y.states == NULL || y.unjudged == NULL) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "out of memory");
		goto out;
	}
	judge_mappings(o, pol, t, c, &y);
	st = plugin_thresholds_eval(th, (double)t->n);
	if (st != PLUGIN_OK)
		plugin_out_finding(o, st, "portmap.max_entries", -1,
		    "%zu mappings (thresholds %s%s%s)", t->n,
		    th->has_warn ? th->warn.text : "", th->has_crit ? ", " : "",
		    th->has_crit ? th->crit.text : "");
	if (prev->path != NULL)
		judge_changes(o, pol, t, c, &y);
	judge_events(o, c->events);
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
	if (t->unusable > 0)
		plugin_out_sub(o, pol->wan.unused_state, "unusable connection "
		    "service %.150s: refuses every action, no table read from "
		    "it (the other service was read whole; policy "
		    "wan.unused_state)", t->unusable_text);
	judge_summary(o, t, &y, c);
	/* how the table was read, and what it had to work around */
	plugin_out_info(o, "read from %.100s by %s", c->source,
	    t->method[0] ? t->method : "-");
	if (t->quirks != 0) {
		char q[PLUGIN_LINE_MAX];

		quirk_describe(t->quirks, q, sizeof(q));
		plugin_out_info(o, "%s", q);
	}
	/* the OK mappings last: when the text budget cuts lines, it cuts
	 * these (counted in the perfdata) and never how the table was read */
	judge_show_ok(o, t, c, &y, c->verbose);
	judge_perf(o, t, &y, c, prev->path != NULL);
	judge_facts(plugin_out_facts(o), t, &y, c);
out:
	free(y.unjudged);
	free(y.rules);
	free(y.states);
}

void
judge_portmap_perf_canon(struct plugin_out *o)
{
	static const char *const labels[] = {
		"mappings", "tcp", "udp", "ok", "warning", "critical", "new",
		"changed", "gone"
	};

	plugin_out_perf_canon(o, labels, sizeof(labels) / sizeof(labels[0]));
}
