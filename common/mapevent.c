/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mapevent: port-mapping changes as event-log lines (see mapevent.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "events.h"
#include "judge_portmap.h"
#include "mapevent.h"
#include "msg.h"

#define LONG_TEXT  512		/* bytes kept of a description, a URL */
#define SHORT_TEXT 48		/* of any string when a line would not fit */

/* "2026-11-26T06:10:00Z" for Unix seconds t, or "" when out of range. */
static void
rfc3339(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	buf[0] = '\0';
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

static const char *
event_name(enum mapchg_event e)
{
	switch (e) {
	case MAPCHG_NEW:
		return "new";
	case MAPCHG_CHANGED:
		return "changed";
	case MAPCHG_GONE:
		return "gone";
	default:
		return "none";
	}
}

static const char *
state_name(enum plugin_state s)
{
	static const char *const names[] = { "ok", "warning", "critical",
		"unknown" };

	return (unsigned)s < 4 ? names[s] : "unknown";
}

/* The host behind client as hosts knows it: mac, vendor, name, text. */
static void
line_host(struct events_line *j, const struct hostid *hosts,
    const char *client, size_t max, int *cut)
{
	const struct hostid_entry *e = hosts != NULL ?
	    hostid_find(hosts, client) : NULL;
	char mac[NEIGH_MAC_TEXT], text[HOSTID_TEXT_MAX];

	if (e == NULL) {
		events_line_str(j, "mac", NULL);
		events_line_str(j, "vendor", NULL);
		events_line_str(j, "name", NULL);
		events_line_str(j, "host", hosts != NULL ? "unknown" :
		    "not looked up");
		return;
	}
	if (e->found == NEIGH_FOUND && !e->local &&
	    neigh_mac_format(e->mac, mac, sizeof(mac)) == 0)
		events_line_str(j, "mac", mac);
	else
		events_line_str(j, "mac", NULL);
	*cut |= events_line_strn(j, "vendor", e->found == NEIGH_FOUND &&
	    !e->local && e->vendor_bits > 0 ? e->vendor : NULL, max);
	*cut |= events_line_strn(j, "name", e->named &&
	    e->name_status == RDNS_CONFIRMED ? e->name : NULL, max);
	hostid_text(e, hosts->oui_rc == 0, text, sizeof(text));
	*cut |= events_line_strn(j, "host", text, max);
}

/* The line with every string cut to max bytes (long ones to lmax). */
static long
build(const struct mapevent_ctx *c, const struct mapchg_item *it,
    const struct igd_mapping *m, char *buf, size_t cap, size_t max,
    size_t lmax)
{
	const struct mapchg_rec *r = &it->rec;
	const struct policy_rule *rule = NULL, *unjudged = NULL;
	struct events_line j;
	char when[32], first[32];
	int cut = 0;

	rfc3339(c->now, when, sizeof(when));
	rfc3339(it->first_seen, first, sizeof(first));
	events_line_init(&j, buf, cap);
	events_line_str(&j, "time", when);
	events_line_str(&j, "program", c->program);
	events_line_str(&j, "event", event_name(it->event));
	cut |= events_line_strn(&j, "device_udn", c->udn != NULL &&
	    c->udn[0] != '\0' ? c->udn : NULL, max);
	cut |= events_line_strn(&j, "device_url", c->location, lmax);
	events_line_str(&j, "protocol", r->protocol);
	events_line_int(&j, "external_port", r->external_port);
	events_line_str(&j, "remote_host", r->remote_host);
	events_line_str(&j, "internal_client", r->facts.client);
	events_line_int(&j, "internal_port", r->facts.port);
	if (m != NULL) {
		cut |= events_line_strn(&j, "description", m->description,
		    lmax);
		events_line_bool(&j, "enabled", m->enabled != 0);
		events_line_int(&j, "lease", m->lease);
	} else {
		/* a gone mapping: what the records kept of it */
		cut |= events_line_strn(&j, "description", r->facts.desc, lmax);
		events_line_bool(&j, "enabled", -1);
		events_line_str(&j, "lease", NULL);
	}
	events_line_str(&j, "first_seen", first[0] ? first : NULL);
	if (it->event == MAPCHG_CHANGED) {
		events_line_str(&j, "old_internal_client", r->old.client);
		events_line_int(&j, "old_internal_port", r->old.port);
		cut |= events_line_strn(&j, "old_description", r->old.desc,
		    lmax);
	}
	if (m != NULL) {
		struct policy_facts f;
		enum plugin_state st;

		/* what judge_portmap() knows of the mapping: a line is only
		 * written after an earlier run, so the age is known */
		judge_portmap_facts(c->pol, m, c->external_address, c->hosts,
		    1, it->first_seen, c->now, &f);
		st = judge_portmap_one(c->pol, m, &f, &rule, &unjudged);

		line_host(&j, c->hosts, m->internal_client, max, &cut);
		cut |= events_line_strn(&j, "rule", rule ? rule->name : NULL,
		    max);
		events_line_str(&j, "state", state_name(st));
		events_line_str(&j, "change_state",
		    state_name(it->event == MAPCHG_CHANGED ?
		    c->pol->portmap.changed_state : c->pol->portmap.new_state));
	} else {
		line_host(&j, NULL, r->facts.client, max, &cut);
		events_line_str(&j, "rule", NULL);
		events_line_str(&j, "state", NULL);
		events_line_str(&j, "change_state",
		    state_name(c->pol->portmap.gone_state));
	}
	events_line_bool(&j, "truncated", cut);
	return events_line_end(&j);
}

long
mapevent_line(const struct mapevent_ctx *c, const struct mapchg_item *it,
    const struct igd_mapping *m, char *buf, size_t cap)
{
	long n = build(c, it, m, buf, cap, (size_t)-1, LONG_TEXT);

	/* text from the device escaped six times its size: cut it all */
	if (n < 0)
		n = build(c, it, m, buf, cap, SHORT_TEXT, SHORT_TEXT);
	return n;
}

/* The changes first seen this run. */
static unsigned
count_fresh(const struct mapchg_result *chg)
{
	unsigned n = 0;

	for (size_t i = 0; i < chg->n_cur; i++)
		if (chg->cur[i].fresh && chg->cur[i].event != MAPCHG_NONE)
			n++;
	for (size_t i = 0; i < chg->n_gone; i++)
		if (chg->gone[i].fresh)
			n++;
	return n;
}

/* Append the line of item it; 0, or the first failure kept in r. */
static int
append_one(struct events_log *log, const struct mapevent_ctx *c,
    const struct mapchg_item *it, const struct igd_mapping *m,
    const struct deadline *dl, struct mapevent_report *r)
{
	char line[EVENTS_LINE_MAX];
	long n = mapevent_line(c, it, m, line, sizeof(line) - 1);
	int rc;

	if (n < 0) {
		r->rc = IGD_ETOOBIG;
		msg_set(r->err, sizeof(r->err), "an event line did not fit");
		return -1;
	}
	rc = events_append(log, line, (size_t)n, dl, r->err, sizeof(r->err));
	if (rc != 0) {
		r->rc = rc;
		return -1;
	}
	r->written++;
	return 0;
}

void
mapevent_write(const struct mapevent_ctx *c,
    const struct mapchg_result *chg, int have_prev,
    const struct igd_table *t, const struct deadline *dl,
    struct mapevent_report *r)
{
	struct events_log *log = NULL;
	unsigned fresh = chg != NULL ? count_fresh(chg) : 0;
	int failed = 0;
	/* another run holds the lock for one write; a process that holds it
	 * longer gets half of what is left, at most 2 s: the verdict must
	 * still be made and printed by the deadline */
	int left = deadline_left_ms(dl);
	struct deadline ldl = deadline_within(dl, left / 2 < MAPEVENT_LOCK_MS ?
	    left / 2 : MAPEVENT_LOCK_MS);

	if (r->path == NULL)
		return;
	r->rc = events_open(r->path, &log, r->err, sizeof(r->err));
	if (r->rc != 0) {
		r->lost = t->complete ? fresh : 0;
		r->deferred = t->complete ? 0 : fresh;
		return;
	}
	if (!have_prev || chg == NULL) {
		r->baseline = 1;
		goto out;
	}
	if (!t->complete) {
		r->deferred = fresh;
		goto out;
	}
	for (size_t i = 0; i < chg->n_cur; i++) {
		const struct mapchg_item *it = &chg->cur[i];

		if (!it->fresh || it->event == MAPCHG_NONE || it->idx >= t->n)
			continue;
		if (failed || append_one(log, c, it, &t->m[it->idx], &ldl,
		    r) != 0) {
			failed = 1;
			r->lost++;
		}
	}
	for (size_t i = 0; i < chg->n_gone; i++) {
		const struct mapchg_item *g = &chg->gone[i];

		if (!g->fresh)
			continue;
		if (failed || append_one(log, c, g, NULL, &ldl, r) != 0) {
			failed = 1;
			r->lost++;
		}
	}
out:
	events_close(log);
}
