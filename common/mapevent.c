/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mapevent: port-mapping changes as event-log lines (see mapevent.h). */
#include <stdio.h>
#include <stdlib.h>
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

/* How the policy judges m (first seen at first_seen; its age known when
 * have_age) with what judge_portmap() knows of it: the client's MAC
 * address and the age; the rule that matched and the one that needed a
 * missing fact in *rule and *unjudged. */
static enum plugin_state
judge(const struct mapevent_ctx *c, const struct igd_mapping *m,
    int have_age, int64_t first_seen, const struct policy_rule **rule,
    const struct policy_rule **unjudged)
{
	struct policy_facts f;

	*rule = *unjudged = NULL;
	judge_portmap_facts(c->pol, m, c->external_address, c->hosts,
	    have_age, first_seen, c->now, &f);
	return judge_portmap_one(c->pol, m, &f, rule, unjudged);
}

void
mapevent_judge_records(const struct mapevent_ctx *c,
    const struct igd_table *t, int have_prev, struct mapchg_result *chg)
{
	for (size_t i = 0; i < t->n && i < chg->n_cur && i < chg->n_next;
	    i++) {
		struct mapchg_rec *nx = &chg->next[i];
		const struct policy_rule *rule, *unjudged;

		nx->judged = (int)judge(c, &t->m[i], have_prev,
		    chg->cur[i].first_seen, &rule, &unjudged);
		snprintf(nx->rule, sizeof(nx->rule), "%s",
		    rule != NULL ? rule->name : "");
		snprintf(nx->unjudged_by, sizeof(nx->unjudged_by), "%s",
		    unjudged != NULL ? unjudged->name : "");
	}
}

/* The line with every string cut to max bytes (long ones to lmax). */
static long
build(const struct mapevent_ctx *c, const struct mapchg_item *it,
    const struct igd_mapping *m, char *buf, size_t cap, size_t max,
    size_t lmax)
{
	const struct mapchg_rec *r = &it->rec;
	const struct policy_rule *rule, *unjudged;
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
		/* a line is only written after an earlier run, so the age
		 * is known */
		enum plugin_state st = judge(c, m, 1, it->first_seen, &rule,
		    &unjudged);

		line_host(&j, c->hosts, m->internal_client, max, &cut);
		cut |= events_line_strn(&j, "rule", rule ? rule->name : NULL,
		    max);
		events_line_str(&j, "state", state_name(st));
		cut |= events_line_strn(&j, "unjudged_by", unjudged ?
		    unjudged->name : NULL, max);
		events_line_str(&j, "change_state",
		    state_name(it->event == MAPCHG_CHANGED ?
		    c->pol->portmap.changed_state : c->pol->portmap.new_state));
	} else {
		/* gone: how the last run that saw it judged it (the record
		 * says; null when it was written by an older version) */
		int known = r->judged >= 0;

		line_host(&j, NULL, r->facts.client, max, &cut);
		cut |= events_line_strn(&j, "rule", known && r->rule[0] ?
		    r->rule : NULL, max);
		events_line_str(&j, "state", known ?
		    state_name((enum plugin_state)r->judged) : NULL);
		cut |= events_line_strn(&j, "unjudged_by", known &&
		    r->unjudged_by[0] ? r->unjudged_by : NULL, max);
		events_line_str(&j, "change_state",
		    state_name(c->pol->portmap.gone_state));
	}
	events_line_bool(&j, "truncated", cut);
	/* the last member: a pending line written later ends otherwise
	 * (late_line) */
	events_line_bool(&j, "late", 0);
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

#define ON_TIME ",\"late\":false}"

int
mapevent_pending_add(struct mapevent_pending *p, const char *line)
{
	size_t n = strlen(line);
	char *copy;

	if (p->bytes + n > MAPEVENT_PENDING_MAX)
		return 1;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **nl = realloc(p->line, cap * sizeof(*nl));

		if (nl == NULL)
			return IGD_ENOMEM;
		p->line = nl;
		p->cap = cap;
	}
	if ((copy = malloc(n + 1)) == NULL)
		return IGD_ENOMEM;
	memcpy(copy, line, n + 1);
	p->line[p->n++] = copy;
	p->bytes += n;
	return 0;
}

void
mapevent_pending_free(struct mapevent_pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->line[i]);
	free(p->line);
	memset(p, 0, sizeof(*p));
}

/*
 * The pending line in written late, at now, into out (cap bytes): its
 * last member "late":false becomes "late":true,"logged_at":"...".  The
 * length, or -1 for a line that is not one of ours (the state file held
 * something else: no control byte, ends as build() ends).
 */
static long
late_line(const char *in, int64_t now, char *out, size_t cap)
{
	size_t n = strlen(in), sl = sizeof(ON_TIME) - 1;
	char when[32];
	int k;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			return -1;
	if (n < sl + 1 || in[0] != '{' || strcmp(in + n - sl, ON_TIME) != 0)
		return -1;
	rfc3339(now, when, sizeof(when));
	k = snprintf(out, cap, "%.*s,\"late\":true,\"logged_at\":\"%s\"}",
	    (int)(n - sl), in, when);
	return k < 0 || (size_t)k >= cap ? -1 : (long)k;
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

/* Where the lines of a run go: the log (NULL: it cannot be written), the
 * lines still to write, what happened. */
struct sink {
	struct events_log *log;
	const struct deadline *dl;
	int failed;			/* a line failed: keep every later one */
	struct mapevent_pending keep;
	struct mapevent_report *r;
};

/* Keep line for the next run (or count it dropped). */
static void
keep(struct sink *k, const char *line)
{
	if (mapevent_pending_add(&k->keep, line) == 0)
		k->r->pending++;
	else
		k->r->dropped++;
}

/* Write line (len bytes) unless an earlier one failed; 0 when written. */
static int
put_line(struct sink *k, const char *line, size_t len)
{
	int rc;

	if (k->failed || k->log == NULL)
		return -1;
	rc = events_append(k->log, line, len, k->dl, k->r->err,
	    sizeof(k->r->err));
	if (rc != 0) {
		k->r->rc = rc;
		k->failed = 1;
		return -1;
	}
	k->r->written++;
	return 0;
}

/* A line of an earlier run: written late, or kept. */
static void
sink_pending(struct sink *k, const char *stored, int64_t now)
{
	char line[EVENTS_LINE_MAX];
	long n = late_line(stored, now, line, sizeof(line) - 1);

	if (n < 0) {
		k->r->dropped++;	/* not ours: never written */
		return;
	}
	if (put_line(k, line, (size_t)n) == 0)
		k->r->late++;
	else
		keep(k, stored);
}

/* The line of change it: written, or kept. */
static void
sink_change(struct sink *k, const struct mapevent_ctx *c,
    const struct mapchg_item *it, const struct igd_mapping *m)
{
	char line[EVENTS_LINE_MAX];
	/* room for the late marks, should it be written by a later run */
	long n = mapevent_line(c, it, m, line,
	    sizeof(line) - 1 - MAPEVENT_LATE_ROOM);

	if (n < 0) {
		if (k->r->rc == 0) {
			k->r->rc = IGD_ETOOBIG;
			msg_set(k->r->err, sizeof(k->r->err), "an event line "
			    "did not fit");
		}
		k->r->dropped++;
		return;
	}
	if (put_line(k, line, (size_t)n) != 0)
		keep(k, line);
}

void
mapevent_write(const struct mapevent_ctx *c,
    const struct mapchg_result *chg, int have_prev,
    const struct igd_table *t, const struct deadline *dl,
    struct mapevent_pending *pend, struct mapevent_report *r)
{
	unsigned fresh = chg != NULL && have_prev ? count_fresh(chg) : 0;
	/* another run holds the lock for one write; a process that holds it
	 * longer gets half of what is left, at most 2 s: the verdict must
	 * still be made and printed by the deadline */
	int left = deadline_left_ms(dl);
	struct deadline ldl = deadline_within(dl, left / 2 < MAPEVENT_LOCK_MS ?
	    left / 2 : MAPEVENT_LOCK_MS);
	struct sink k;

	if (r->path == NULL)
		return;
	memset(&k, 0, sizeof(k));
	k.dl = &ldl;
	k.r = r;
	r->rc = events_open(r->path, r->lock_path, &k.log, r->err,
	    sizeof(r->err));
	if (r->rc == 0)
		msg_set(r->note, sizeof(r->note), "%s",
		    events_lock_note(k.log));
	if (!t->complete) {
		/* nothing written: pending lines stay where they are */
		r->deferred = fresh;
		r->pending = pend != NULL ? (unsigned)pend->n : 0;
		goto out;
	}
	if (r->rc == 0 && (!have_prev || chg == NULL))
		r->baseline = 1;
	if (r->rc != 0)
		k.failed = 1;
	for (size_t i = 0; pend != NULL && i < pend->n; i++)
		sink_pending(&k, pend->line[i], c->now);
	for (size_t i = 0; fresh > 0 && i < chg->n_cur; i++) {
		const struct mapchg_item *it = &chg->cur[i];

		if (it->fresh && it->event != MAPCHG_NONE && it->idx < t->n)
			sink_change(&k, c, it, &t->m[it->idx]);
	}
	for (size_t i = 0; fresh > 0 && i < chg->n_gone; i++)
		if (chg->gone[i].fresh)
			sink_change(&k, c, &chg->gone[i], NULL);
	if (pend != NULL) {
		mapevent_pending_free(pend);
		*pend = k.keep;
	} else {
		/* nowhere to keep them */
		r->dropped += r->pending;
		r->pending = 0;
		mapevent_pending_free(&k.keep);
	}
out:
	events_close(k.log);
}
