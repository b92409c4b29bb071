/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * state: key=value lines kept between plugin runs, saved atomically.
 *
 * Keys are kept in insertion order in two arrays, with an open-addressing
 * hash of their indices so that loading a large file stays linear.
 */
#include "file.h"
#include "msg.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC	"check_igd-state 1"
#define STATE_PREFIX	"check_igd-state "
#define STATE_END	"end"

struct state {
	char **keys;
	char **values;
	size_t n, cap;
	size_t *hash;		/* index + 1, 0 = empty slot */
	size_t hcap;		/* a power of two, > 2 * n */
};

static size_t
hash_str(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* Slot of key in the hash: where it is, or the empty slot it would take. */
static size_t
hash_slot(const struct state *s, const char *key)
{
	size_t m = s->hcap - 1, i = hash_str(key) & m;

	while (s->hash[i] != 0 && strcmp(s->keys[s->hash[i] - 1], key) != 0)
		i = (i + 1) & m;
	return i;
}

/* Rebuild the hash with room for at least want keys.  0 or -1. */
static int
hash_rebuild(struct state *s, size_t want)
{
	size_t hcap = 16, i;
	size_t *h;

	while (hcap < want * 2 + 2) {
		if (hcap > SIZE_MAX / 4)
			return -1;
		hcap *= 2;
	}
	h = calloc(hcap, sizeof(*h));
	if (h == NULL)
		return -1;
	free(s->hash);
	s->hash = h;
	s->hcap = hcap;
	for (i = 0; i < s->n; i++)
		s->hash[hash_slot(s, s->keys[i])] = i + 1;
	return 0;
}

struct state *
state_new(void)
{
	struct state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (hash_rebuild(s, 0)) {
		free(s);
		return NULL;
	}
	return s;
}

void
state_free(struct state *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->keys[i]);
		free(s->values[i]);
	}
	free(s->keys);
	free(s->values);
	free(s->hash);
	free(s);
}

static int
key_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	    c == '-';
}

/* 1 when key[0..len) is a valid key. */
static int
key_valid(const char *key, size_t len)
{
	size_t i;

	if (len == 0 || len >= STATE_KEY_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!key_char((unsigned char)key[i]))
			return 0;
	return 1;
}

const char *
state_get(const struct state *s, const char *key)
{
	size_t i;

	if (s == NULL || key == NULL)
		return NULL;
	i = s->hash[hash_slot(s, key)];
	return i == 0 ? NULL : s->values[i - 1];
}

int
state_get_num(const struct state *s, const char *key, uint64_t max,
    uint64_t *v)
{
	const char *p = state_get(s, key);
	uint64_t x = 0;

	if (p == NULL)
		return STATE_ABSENT;
	if (v == NULL || *p == '\0')
		return -1;
	for (; *p; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return -1;
		d = (unsigned)(*p - '0');
		if (d > max || x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
state_get_u64(const struct state *s, const char *key, uint64_t *v)
{
	return state_get_num(s, key, UINT64_MAX, v) == 0 ? 0 : -1;
}

/* Set key to a copy of value[0..vlen) (may hold any byte but NUL). */
static int
set_n(struct state *s, const char *key, const char *value,
    size_t vlen)
{
	size_t slot, idx;
	char *v, *k;

	v = malloc(vlen + 1);
	if (v == NULL)
		return -1;
	memcpy(v, value, vlen);
	v[vlen] = '\0';

	slot = hash_slot(s, key);
	idx = s->hash[slot];
	if (idx != 0) {
		free(s->values[idx - 1]);
		s->values[idx - 1] = v;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **nk, **nv;

		if (cap > SIZE_MAX / sizeof(char *) / 2)
			goto error;
		nk = realloc(s->keys, cap * sizeof(*nk));
		if (nk == NULL)
			goto error;
		s->keys = nk;
		nv = realloc(s->values, cap * sizeof(*nv));
		if (nv == NULL)
			goto error;
		s->values = nv;
		s->cap = cap;
	}
	if ((s->n + 1) * 2 + 2 > s->hcap) {
		if (hash_rebuild(s, s->n + 1))
			goto error;
		slot = hash_slot(s, key);
	}
	k = strdup(key);
	if (k == NULL)
		goto error;
	s->keys[s->n] = k;
	s->values[s->n] = v;
	s->n++;
	s->hash[slot] = s->n;
	return 0;
error:
	free(v);
	return -1;
}

int
state_set(struct state *s, const char *key, const char *value)
{
	size_t vlen;

	if (s == NULL || key == NULL || value == NULL ||
	    !key_valid(key, strlen(key)))
		return -1;
	vlen = strlen(value);
	if (vlen >= STATE_VALUE_MAX)
		return -1;
	return set_n(s, key, value, vlen);
}

int
state_set_u64(struct state *s, const char *key, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return state_set(s, key, buf);
}

void
state_clear_prefix(struct state *s, const char *prefix)
{
	size_t i, j = 0, pl;

	if (s == NULL || prefix == NULL)
		return;
	pl = strlen(prefix);
	for (i = 0; i < s->n; i++) {
		if (strncmp(s->keys[i], prefix, pl) == 0) {
			free(s->keys[i]);
			free(s->values[i]);
			continue;
		}
		s->keys[j] = s->keys[i];
		s->values[j] = s->values[i];
		j++;
	}
	if (j == s->n)
		return;
	s->n = j;
	/* Same or smaller capacity: only the indices change, so clearing
	 * and re-inserting into the existing table cannot fail. */
	memset(s->hash, 0, s->hcap * sizeof(*s->hash));
	for (i = 0; i < s->n; i++)
		s->hash[hash_slot(s, s->keys[i])] = i + 1;
}

size_t
state_count(const struct state *s)
{
	return s == NULL ? 0 : s->n;
}

const char *
state_key_at(const struct state *s, size_t i)
{
	return (s == NULL || i >= s->n) ? NULL : s->keys[i];
}

const char *
state_value_at(const struct state *s, size_t i)
{
	return (s == NULL || i >= s->n) ? NULL : s->values[i];
}

/* Parse one "key=value" line (no newline) into s.  0, or -1 with err. */
static int
parse_line(struct state *s, const char *line, size_t len,
    size_t lineno, char *err, size_t errlen)
{
	const char *eq = memchr(line, '=', len);
	char key[STATE_KEY_MAX], *val;
	size_t kl, i, o = 0;
	int rc;

	if (eq == NULL) {
		msg_set(err, errlen, "line %zu: no '=' in line", lineno);
		return -1;
	}
	kl = (size_t)(eq - line);
	if (!key_valid(line, kl)) {
		msg_set(err, errlen, "line %zu: invalid key", lineno);
		return -1;
	}
	memcpy(key, line, kl);
	key[kl] = '\0';
	if (state_get(s, key) != NULL) {
		msg_set(err, errlen, "line %zu: duplicate key '%s'", lineno,
		    key);
		return -1;
	}
	line = eq + 1;
	len -= kl + 1;
	val = malloc(len + 1);
	if (val == NULL) {
		msg_set(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (line[i] != '\\') {
			val[o++] = line[i];
			continue;
		}
		if (i + 1 < len && line[i + 1] == 'n')
			val[o++] = '\n';
		else if (i + 1 < len && line[i + 1] == '\\')
			val[o++] = '\\';
		else {
			free(val);
			msg_set(err, errlen, "line %zu: bad escape in value",
			    lineno);
			return -1;
		}
		i++;
	}
	if (o >= STATE_VALUE_MAX) {
		free(val);
		msg_set(err, errlen, "line %zu: value too long", lineno);
		return -1;
	}
	rc = set_n(s, key, val, o);
	free(val);
	if (rc)
		msg_set(err, errlen, "out of memory");
	return rc;
}

/* Parse buf into a new state in *st.  0, or -1 with err. */
static int
parse_into(const char *buf, size_t len, struct state *st,
    char *err, size_t errlen)
{
	size_t pos = 0, lineno = 0;
	int ended = 0;

	if (len > STATE_FILE_MAX) {
		msg_set(err, errlen, "file larger than %d bytes",
		    STATE_FILE_MAX);
		return -1;
	}
	if (len == 0) {
		msg_set(err, errlen, "empty file (truncated?)");
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		msg_set(err, errlen, "NUL byte in file");
		return -1;
	}
	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;

		lineno++;
		pos += ll + (nl ? 1 : 0);
		if (ended) {
			msg_set(err, errlen, "line %zu: data after 'end'",
			    lineno);
			return -1;
		}
		if (lineno == 1) {
			if (ll == strlen(STATE_MAGIC) &&
			    memcmp(line, STATE_MAGIC, ll) == 0)
				continue;
			if (ll >= strlen(STATE_PREFIX) &&
			    memcmp(line, STATE_PREFIX,
			    strlen(STATE_PREFIX)) == 0)
				msg_set(err, errlen, "unsupported version "
				    "(expected '%s')", STATE_MAGIC);
			else
				msg_set(err, errlen, "not a check_igd state "
				    "file (no '%s' header)", STATE_MAGIC);
			return -1;
		}
		if (ll == strlen(STATE_END) &&
		    memcmp(line, STATE_END, ll) == 0) {
			ended = 1;
			continue;
		}
		if (!nl) {
			msg_set(err, errlen, "line %zu: truncated (no "
			    "newline)", lineno);
			return -1;
		}
		if (parse_line(st, line, ll, lineno, err, errlen))
			return -1;
	}
	if (!ended) {
		msg_set(err, errlen, "truncated (no final 'end' line)");
		return -1;
	}
	return 0;
}

int
state_parse(const char *buf, size_t len, struct state **out, char *err,
    size_t errlen)
{
	struct state *st;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return -1;
	*out = NULL;
	st = state_new();
	if (st == NULL) {
		msg_set(err, errlen, "out of memory");
		return -1;
	}
	if (buf == NULL) {
		*out = st;
		msg_set(err, errlen, "no buffer");
		return -1;
	}
	if (parse_into(buf, len, st, err, errlen)) {
		/* The caller goes on with an empty state, not half of one. */
		state_free(st);
		*out = state_new();
		return -1;
	}
	*out = st;
	return 0;
}

int
state_load(const char *path, struct state **out, char *err, size_t errlen)
{
	char *buf = NULL, why[256], msg[256];
	size_t len = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return -1;
	*out = NULL;
	if (path == NULL) {
		*out = state_new();
		msg_set(err, errlen, "no state file path");
		return -1;
	}
	if (file_read(path, STATE_FILE_MAX, FILE_PRIVATE, &buf, &len, why,
	    sizeof(why)) < 0) {
		int e = errno;

		*out = state_new();
		if (*out == NULL) {
			msg_set(err, errlen, "out of memory");
			return -1;
		}
		if (e == ENOENT)
			return 0;	/* a first run */
		msg_set(err, errlen, "state file %s: %s", path, why);
		return -1;
	}
	rc = state_parse(buf, len, out, msg, sizeof(msg));
	free(buf);
	if (rc)
		msg_set(err, errlen, "state file %s: %s", path, msg);
	return rc;
}

/* Append n bytes to a growing buffer.  0 or -1. */
static int
buf_add(char **b, size_t *len, size_t *cap, const char *s,
    size_t n)
{
	if (*len + n > STATE_FILE_MAX)
		return -1;
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : 4096;
		char *nb;

		while (c < *len + n)
			c *= 2;
		nb = realloc(*b, c);
		if (nb == NULL)
			return -1;
		*b = nb;
		*cap = c;
	}
	memcpy(*b + *len, s, n);
	*len += n;
	return 0;
}

/* The whole file text of s in a new buffer.  0, or -1 (too large/no mem). */
static int
serialise(const struct state *s, char **out, size_t *olen)
{
	char *b = NULL;
	size_t len = 0, cap = 0, i;

	if (buf_add(&b, &len, &cap, STATE_MAGIC "\n", strlen(STATE_MAGIC) + 1))
		goto error;
	for (i = 0; i < s->n; i++) {
		const char *v = s->values[i];

		if (buf_add(&b, &len, &cap, s->keys[i], strlen(s->keys[i])) ||
		    buf_add(&b, &len, &cap, "=", 1))
			goto error;
		for (; *v; v++) {
			const char *e = *v == '\n' ? "\\n" :
			    *v == '\\' ? "\\\\" : NULL;

			if (e ? buf_add(&b, &len, &cap, e, 2) :
			    buf_add(&b, &len, &cap, v, 1))
				goto error;
		}
		if (buf_add(&b, &len, &cap, "\n", 1))
			goto error;
	}
	if (buf_add(&b, &len, &cap, STATE_END "\n", strlen(STATE_END) + 1))
		goto error;
	*out = b;
	*olen = len;
	return 0;
error:
	free(b);
	return -1;
}

/* What state_save() writes: the serialised text. */
struct state_text {
	const char *b;
	size_t len;
};

/* file_fill_fn: the text as it is. */
static int
write_text(FILE *f, void *ctx, char *why, size_t whylen)
{
	const struct state_text *t = ctx;

	(void)why;
	(void)whylen;
	return fwrite(t->b, 1, t->len, f) == t->len ? 0 : -1;
}

int
state_save(const struct state *s, const char *path, char *err, size_t errlen)
{
	struct state_text t;
	char *text = NULL, why[256];
	size_t tlen;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (s == NULL || path == NULL || *path == '\0') {
		msg_set(err, errlen, "no state or path");
		return -1;
	}
	if (serialise(s, &text, &tlen)) {
		msg_set(err, errlen, "state file %s: state too large (over %d "
		    "bytes) or out of memory", path, STATE_FILE_MAX);
		return -1;
	}
	/*
	 * Not durable (no fsync): it is the one call of a run that no
	 * deadline bounds (the process sleeps uninterruptibly, even the
	 * timeout backstop waits), and on a busy disk it took seconds.  The
	 * rename still makes the change atomic for readers and overlapping
	 * runs; a file lost to a power cut is reported as corrupt and the next
	 * run starts again.
	 */
	t.b = text;
	t.len = tlen;
	rc = file_save(path, write_text, &t, 0, why, sizeof(why));
	if (rc < 0)
		msg_set(err, errlen, "state file %s: %s", path, why);
	free(text);
	return rc;
}

int
state_counter_delta(uint64_t prev, uint64_t cur, unsigned bits,
    int rebooted, uint64_t *delta)
{
	if (delta == NULL || (bits != 32 && bits != 64))
		return -1;
	if (bits == 32 && (prev > UINT32_MAX || cur > UINT32_MAX))
		return -1;	/* not a 32-bit reading */
	if (cur >= prev) {
		/* still counting up: a plain difference, even when the WAN
		 * connection's uptime restarted (a reconnect keeps counters) */
		*delta = cur - prev;
		return 0;
	}
	if (rebooted) {
		*delta = cur;	/* counted since the restart */
		return 0;
	}
	if (bits == 64)
		return -1;	/* a 64-bit counter does not wrap in practice */
	*delta = ((uint64_t)UINT32_MAX - prev) + cur + 1;
	return 0;
}

/* Sane Unix seconds, far from overflow when subtracted. */
#define STATE_TIME_MAX ((uint64_t)1 << 40)
/* A restart this far ahead of the clock is a clock step; further, corrupt. */
#define STATE_AHEAD_S 60

int
state_restart(struct state *s, const char *why_now, int64_t now,
    int64_t hold, int accept, struct state_restart *r, char *err,
    size_t errlen)
{
	const char *why;
	char bad[128];
	uint64_t since = 0;
	int rc = 0, got;

	memset(r, 0, sizeof(*r));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	got = state_get_num(s, STATE_RESTART_PREFIX "since", STATE_TIME_MAX,
	    &since);
	if (got < 0 || (got == 0 && (now < 0 ||
	    since > (uint64_t)now + STATE_AHEAD_S))) {
		msg_set(bad, sizeof(bad), "%ssince=%.40s is out of range "
		    "(corrupt)", STATE_RESTART_PREFIX,
		    state_get(s, STATE_RESTART_PREFIX "since"));
		msg_set(err, errlen, "%s", bad);
		if (why_now == NULL || why_now[0] == '\0')
			why_now = bad;
		got = -1;
		rc = -1;
	}
	if (why_now != NULL && why_now[0] != '\0') {
		r->fresh = 1;
		r->since = now;
		msg_set(r->why, sizeof(r->why), "%s", why_now);
	} else if (got == 0) {
		r->since = (int64_t)since > now ? now : (int64_t)since;
		why = state_get(s, STATE_RESTART_PREFIX "why");
		msg_set(r->why, sizeof(r->why), "%s", why != NULL && *why ?
		    why : "no reason kept");
	}
	r->held = (r->fresh || got == 0) && hold > 0 && !accept &&
	    now - r->since < hold;
	state_clear_prefix(s, STATE_RESTART_PREFIX);
	if (r->held) {
		/* out of memory: the next run forgets the restart; this
		 * one still reports it */
		(void)state_set_u64(s, STATE_RESTART_PREFIX "since",
		    (uint64_t)r->since);
		(void)state_set(s, STATE_RESTART_PREFIX "why", r->why);
	}
	return rc;
}
