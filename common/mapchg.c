/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mapchg: port-mapping changes between runs, held (see mapchg.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "hex.h"
#include "mapchg.h"

#define TIME_MAX_OK ((int64_t)1 << 40)	/* sane Unix seconds, and no overflow */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static void
copy_text(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		n = len - 1;
		/* do not cut a UTF-8 sequence in two */
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void
mapchg_rec_from(struct mapchg_rec *r, const struct igd_mapping *m,
    int64_t now)
{
	memset(r, 0, sizeof(*r));
	r->service = m->service;
	copy_text(r->protocol, sizeof(r->protocol), m->protocol);
	r->external_port = m->external_port;
	copy_text(r->remote_host, sizeof(r->remote_host), m->remote_host);
	copy_text(r->facts.client, sizeof(r->facts.client), m->internal_client);
	r->facts.port = m->internal_port;
	r->facts.desc_hash = fnv1a(m->description ? m->description : "");
	copy_text(r->facts.desc, sizeof(r->facts.desc),
	    m->description ? m->description : "");
	r->first_seen = now;
	r->judged = -1;
}

/* "=" then text with bytes <= ' ', '%' and DEL as %XX. */
static int
put_text(char *buf, size_t len, size_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	if (*o + 2 > len)
		return -1;
	buf[(*o)++] = '=';
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '%' || c == 0x7f) {
			if (*o + 4 > len)
				return -1;
			buf[(*o)++] = '%';
			buf[(*o)++] = hex[c >> 4];
			buf[(*o)++] = hex[c & 15];
		} else {
			if (*o + 2 > len)
				return -1;
			buf[(*o)++] = (char)c;
		}
	}
	buf[*o] = '\0';
	return 0;
}

/* Append what snprintf made (n) at *o, checking it fitted. */
static int
advance(int n, size_t len, size_t *o)
{
	if (n < 0 || (size_t)n >= len - *o)
		return -1;
	*o += (size_t)n;
	return 0;
}

int
mapchg_rec_format(const struct mapchg_rec *r, char *buf, size_t len)
{
	size_t o = 0;

	if (len < 2)
		return -1;
	buf[0] = '\0';
	if (advance(snprintf(buf, len, "1 %u ", r->service), len, &o) ||
	    put_text(buf, len, &o, r->protocol) ||
	    advance(snprintf(buf + o, len - o, " %u ", r->external_port), len,
	    &o) ||
	    put_text(buf, len, &o, r->remote_host) ||
	    advance(snprintf(buf + o, len - o, " "), len, &o) ||
	    put_text(buf, len, &o, r->facts.client) ||
	    advance(snprintf(buf + o, len - o, " %u %016llx %lld %d %lld ",
	    r->facts.port, (unsigned long long)r->facts.desc_hash,
	    (long long)r->first_seen, (int)r->event,
	    (long long)r->event_since), len, &o) ||
	    put_text(buf, len, &o, r->old.client) ||
	    advance(snprintf(buf + o, len - o, " %u %016llx ", r->old.port,
	    (unsigned long long)r->old.desc_hash), len, &o) ||
	    put_text(buf, len, &o, r->old.desc) ||
	    advance(snprintf(buf + o, len - o, " "), len, &o) ||
	    put_text(buf, len, &o, r->facts.desc))
		return -1;
	/* the judgement: a state 0-3, or "-" */
	if (r->judged >= 0 && r->judged <= 3 ?
	    advance(snprintf(buf + o, len - o, " %d ", r->judged), len, &o) :
	    advance(snprintf(buf + o, len - o, " - "), len, &o))
		return -1;
	if (put_text(buf, len, &o, r->rule) ||
	    advance(snprintf(buf + o, len - o, " "), len, &o) ||
	    put_text(buf, len, &o, r->unjudged_by))
		return -1;
	return 0;
}

/* Decode field f (n bytes, starting with '=') into dst (len bytes). */
static int
get_text(const char *f, size_t n, char *dst, size_t len)
{
	size_t o = 0;

	if (n == 0 || f[0] != '=')
		return -1;
	for (size_t i = 1; i < n; i++) {
		char c = f[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hex_val(f[i + 1]);
			lo = hex_val(f[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= len)
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

/* Decimal field f (n bytes) in [0, max]. */
static int
get_num(const char *f, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9')
			return -1;
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(f[i] - '0');
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

static int
get_hex64(const char *f, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n != 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int d = hex_val(f[i]);

		if (d < 0)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return 0;
}

#define NFIELDS_V1 16		/* a record without the judgement */
#define NFIELDS 19

int
mapchg_rec_parse(const char *line, struct mapchg_rec *r)
{
	const char *f[NFIELDS];
	size_t n[NFIELDS];
	size_t k = 0;
	const char *p = line;
	uint64_t v;

	memset(r, 0, sizeof(*r));
	if (line == NULL || strlen(line) > MAPCHG_LINE_MAX)
		return -1;
	while (k < NFIELDS) {
		const char *e = strchr(p, ' ');

		f[k] = p;
		n[k] = e ? (size_t)(e - p) : strlen(p);
		k++;
		if (e == NULL)
			break;
		p = e + 1;
	}
	if ((k != NFIELDS && k != NFIELDS_V1) || strchr(f[k - 1], ' ') != NULL)
		return -1;
	if (n[0] != 1 || f[0][0] != '1')
		return -1;
	if (get_num(f[1], n[1], 65535, &v))
		return -1;
	r->service = (unsigned)v;
	if (get_text(f[2], n[2], r->protocol, sizeof(r->protocol)) ||
	    (strcmp(r->protocol, "TCP") != 0 && strcmp(r->protocol, "UDP") != 0))
		return -1;
	if (get_num(f[3], n[3], 65535, &v))
		return -1;
	r->external_port = (unsigned)v;
	if (get_text(f[4], n[4], r->remote_host, sizeof(r->remote_host)) ||
	    get_text(f[5], n[5], r->facts.client, sizeof(r->facts.client)))
		return -1;
	if (get_num(f[6], n[6], 65535, &v))
		return -1;
	r->facts.port = (unsigned)v;
	if (get_hex64(f[7], n[7], &r->facts.desc_hash))
		return -1;
	if (get_num(f[8], n[8], (uint64_t)TIME_MAX_OK, &v))
		return -1;
	r->first_seen = (int64_t)v;
	if (get_num(f[9], n[9], MAPCHG_GONE, &v))
		return -1;
	r->event = (enum mapchg_event)v;
	if (get_num(f[10], n[10], (uint64_t)TIME_MAX_OK, &v))
		return -1;
	r->event_since = (int64_t)v;
	if (get_text(f[11], n[11], r->old.client, sizeof(r->old.client)))
		return -1;
	if (get_num(f[12], n[12], 65535, &v))
		return -1;
	r->old.port = (unsigned)v;
	if (get_hex64(f[13], n[13], &r->old.desc_hash) ||
	    get_text(f[14], n[14], r->old.desc, sizeof(r->old.desc)) ||
	    get_text(f[15], n[15], r->facts.desc, sizeof(r->facts.desc)))
		return -1;
	r->judged = -1;
	if (k == NFIELDS_V1)
		return 0;
	if (n[16] != 1 || f[16][0] != '-') {
		if (get_num(f[16], n[16], 3, &v))
			return -1;
		r->judged = (int)v;
	}
	if (get_text(f[17], n[17], r->rule, sizeof(r->rule)) ||
	    get_text(f[18], n[18], r->unjudged_by, sizeof(r->unjudged_by)))
		return -1;
	return 0;
}

static int
cmp_slot(const struct mapchg_rec *a, const struct mapchg_rec *b)
{
	int c;

	if (a->service != b->service)
		return a->service < b->service ? -1 : 1;
	if ((c = strcmp(a->protocol, b->protocol)) != 0)
		return c;
	if (a->external_port != b->external_port)
		return a->external_port < b->external_port ? -1 : 1;
	return strcmp(a->remote_host, b->remote_host);
}

static int
same_facts(const struct mapchg_facts *a, const struct mapchg_facts *b)
{
	return strcmp(a->client, b->client) == 0 && a->port == b->port &&
	    a->desc_hash == b->desc_hash;
}

struct pref {
	const struct mapchg_rec *r;
	int used;
};

static int
cmp_pref(const void *a, const void *b)
{
	return cmp_slot(((const struct pref *)a)->r,
	    ((const struct pref *)b)->r);
}

static int
held(const struct mapchg_rec *p, int64_t now, int64_t hold)
{
	int64_t since = p->event_since > now ? now : p->event_since;

	return p->event != MAPCHG_NONE && hold > 0 && now - since < hold;
}

void
mapchg_result_free(struct mapchg_result *res)
{
	free(res->cur);
	free(res->gone);
	free(res->next);
	memset(res, 0, sizeof(*res));
}

int
mapchg_compare(const struct mapchg_rec *prev, size_t n_prev,
    int have_prev, const struct igd_table *t, int64_t now, int64_t hold,
    struct mapchg_result *res)
{
	struct pref *pr = NULL;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (!have_prev)
		n_prev = 0;
	res->cur = calloc(t->n + 1, sizeof(*res->cur));
	res->gone = calloc(n_prev + 1, sizeof(*res->gone));
	res->next = calloc(t->n + n_prev + 1, sizeof(*res->next));
	pr = calloc(n_prev + 1, sizeof(*pr));
	if (res->cur == NULL || res->gone == NULL || res->next == NULL ||
	    pr == NULL) {
		free(pr);
		mapchg_result_free(res);
		return IGD_ENOMEM;
	}
	for (i = 0; i < n_prev; i++)
		pr[i].r = &prev[i];
	qsort(pr, n_prev, sizeof(*pr), cmp_pref);

	for (i = 0; i < t->n; i++) {
		struct mapchg_item *it = &res->cur[res->n_cur++];
		struct mapchg_rec *nx = &res->next[res->n_next++];
		struct pref *p = NULL;
		size_t lo = 0, hi = n_prev;

		it->idx = i;
		mapchg_rec_from(&it->rec, &t->m[i], now);
		/* the first unused previous record of this slot */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (cmp_slot(pr[mid].r, &it->rec) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n_prev && cmp_slot(pr[lo].r, &it->rec) == 0; lo++) {
			if (!pr[lo].used) {
				p = &pr[lo];
				break;
			}
		}
		if (!have_prev) {
			it->event = MAPCHG_NONE;
		} else if (p == NULL) {
			it->event = MAPCHG_NEW;
			it->fresh = 1;
			it->event_since = now;
			res->n_new++;
		} else if (!same_facts(&p->r->facts, &it->rec.facts)) {
			p->used = 1;
			it->event = MAPCHG_CHANGED;
			it->fresh = 1;
			it->event_since = now;
			it->rec.old = p->r->facts;
			res->n_changed++;
		} else {
			p->used = 1;
			it->rec.first_seen = p->r->first_seen > now ? now :
			    p->r->first_seen;
			if (p->r->event != MAPCHG_GONE && held(p->r, now, hold)) {
				it->event = p->r->event;
				it->event_since = p->r->event_since > now ? now :
				    p->r->event_since;
				it->rec.old = p->r->old;
			}
		}
		it->first_seen = it->rec.first_seen;
		it->rec.event = it->event;
		it->rec.event_since = it->event_since;
		*nx = it->rec;
		if (hold <= 0) {
			nx->event = MAPCHG_NONE;
			nx->event_since = 0;
			memset(&nx->old, 0, sizeof(nx->old));
		}
	}
	for (i = 0; i < n_prev; i++) {
		const struct mapchg_rec *p = pr[i].r;
		struct mapchg_item *g;

		if (pr[i].used)
			continue;
		if (p->event == MAPCHG_GONE) {
			/* a ghost: held, or forgotten */
			if (!held(p, now, hold))
				continue;
			g = &res->gone[res->n_gone++];
			g->rec = *p;
			g->event = MAPCHG_GONE;
			g->event_since = p->event_since > now ? now :
			    p->event_since;
			g->first_seen = p->first_seen;
			res->next[res->n_next++] = *p;
			continue;
		}
		if (!t->complete) {
			/* not read: cannot say it is gone; remember it */
			res->next[res->n_next++] = *p;
			continue;
		}
		g = &res->gone[res->n_gone++];
		g->rec = *p;
		g->rec.event = MAPCHG_GONE;
		g->rec.event_since = now;
		memset(&g->rec.old, 0, sizeof(g->rec.old));
		g->event = MAPCHG_GONE;
		g->fresh = 1;
		g->event_since = now;
		g->first_seen = p->first_seen;
		res->n_gone_fresh++;
		if (hold > 0)
			res->next[res->n_next++] = g->rec;
	}
	free(pr);
	return 0;
}

void
mapchg_accept(struct mapchg_result *res)
{
	size_t o = 0;

	for (size_t i = 0; i < res->n_next; i++) {
		if (res->next[i].event == MAPCHG_GONE)
			continue;
		res->next[o] = res->next[i];
		res->next[o].event = MAPCHG_NONE;
		res->next[o].event_since = 0;
		memset(&res->next[o].old, 0, sizeof(res->next[o].old));
		o++;
	}
	res->n_next = o;
	/* and nothing is reported as held this run */
	for (size_t i = 0; i < res->n_cur; i++)
		res->cur[i].event = MAPCHG_NONE;
	res->n_gone = 0;
}

void
mapchg_age_text(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, len, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm %llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}
