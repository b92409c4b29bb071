/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * oui: organisation names for MAC addresses from the IEEE registry files
 * (see oui.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "hex.h"
#include "msg.h"
#include "oui.h"

enum csv_state { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED };

struct key {
	uint64_t mac;			/* 48-bit value */
	size_t idx;			/* into q */
};

struct oui_scan {
	struct oui_query *q;
	size_t n;
	struct key *keys;		/* sorted by mac */
	enum csv_state st;
	int field;			/* index of the field being read */
	char cur[OUI_FIELD_MAX];
	size_t curlen;
	char f[3][OUI_FIELD_MAX];	/* registry, assignment, organisation */
	int any;			/* the record has a character */
	size_t records, bad;
};

static uint64_t
mac48(const unsigned char m[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | m[i];
	return v;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	return x->mac < y->mac ? -1 : x->mac > y->mac;
}

struct oui_scan *
oui_scan_new(struct oui_query *q, size_t n)
{
	struct oui_scan *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->keys = calloc(n ? n : 1, sizeof(*s->keys));
	if (s->keys == NULL) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		s->keys[i].mac = mac48(q[i].mac);
		s->keys[i].idx = i;
	}
	qsort(s->keys, n, sizeof(*s->keys), cmp_key);
	s->q = q;
	s->n = n;
	return s;
}

void
oui_scan_free(struct oui_scan *s)
{
	if (s == NULL)
		return;
	free(s->keys);
	free(s);
}

void
oui_scan_counts(const struct oui_scan *s, size_t *records, size_t *bad)
{
	*records = s->records;
	*bad = s->bad;
}

/* Copy s without leading/trailing blanks into out (outlen bytes). */
static void
copy_trimmed(char *out, size_t outlen, const char *s)
{
	size_t a = 0, b = strlen(s), n;

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	n = b - a;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s + a, n);
	out[n] = '\0';
}

static void
match_record(struct oui_scan *s)
{
	const char *reg = s->f[0], *as = s->f[1];
	size_t len = strlen(as), lo, hi;
	int want;
	uint64_t prefix = 0, low, high;
	int bits;

	if (strcmp(reg, "Registry") == 0)
		return;			/* the header line */
	s->records++;
	if (strcmp(reg, "MA-L") == 0)
		want = 6;
	else if (strcmp(reg, "MA-M") == 0)
		want = 7;
	else if (strcmp(reg, "MA-S") == 0 || strcmp(reg, "IAB") == 0)
		want = 9;
	else
		want = -1;
	if (want < 0 || len != (size_t)want) {
		s->bad++;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		int d = hex_val(as[i]);

		if (d < 0) {
			s->bad++;
			return;
		}
		prefix = prefix << 4 | (uint64_t)d;
	}
	bits = (int)len * 4;
	low = prefix << (48 - bits);
	high = low | ((UINT64_C(1) << (48 - bits)) - 1);
	/* first key >= low */
	lo = 0;
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->keys[mid].mac < low)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < s->n && s->keys[i].mac <= high; i++) {
		struct oui_query *q = &s->q[s->keys[i].idx];

		if (bits <= q->bits)
			continue;	/* a longer prefix already answered */
		q->bits = bits;
		copy_trimmed(q->vendor, sizeof(q->vendor), s->f[2]);
	}
}

static void
end_field(struct oui_scan *s)
{
	if (s->field < 3) {
		memcpy(s->f[s->field], s->cur, s->curlen);
		s->f[s->field][s->curlen] = '\0';
	}
	s->field++;
	s->curlen = 0;
	s->st = FIELD_START;
}

static void
end_record(struct oui_scan *s)
{
	if (s->any || s->field > 0) {
		end_field(s);
		for (int i = s->field; i < 3; i++)
			s->f[i][0] = '\0';
		match_record(s);
	}
	s->field = 0;
	s->curlen = 0;
	s->any = 0;
	s->st = FIELD_START;
	for (int i = 0; i < 3; i++)
		s->f[i][0] = '\0';
}

static void
add_char(struct oui_scan *s, char c)
{
	s->any = 1;
	if (s->field < 3 && s->curlen + 1 < sizeof(s->cur))
		s->cur[s->curlen++] = c;
}

void
oui_scan_feed(struct oui_scan *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		switch (s->st) {
		case FIELD_START:
		case UNQUOTED:
			if (c == '"' && s->st == FIELD_START) {
				s->st = QUOTED;
				s->any = 1;
			} else if (c == ',') {
				s->any = 1;
				end_field(s);
			} else if (c == '\n') {
				end_record(s);
			} else if (s->field >= 3) {
				/* the address: skip to the next ',' or newline */
				s->any = 1;
				s->st = UNQUOTED;
				while (i + 1 < len && buf[i + 1] != ',' &&
				    buf[i + 1] != '\n')
					i++;
			} else {
				add_char(s, c);
				s->st = UNQUOTED;
			}
			break;
		case QUOTED:
			if (s->field >= 3) {
				/* the address: only its closing quote matters */
				const char *q = memchr(buf + i, '"', len - i);

				if (q == NULL)
					return;
				i = (size_t)(q - buf);
				s->st = QUOTE_IN_QUOTED;
				break;
			}
			if (c == '"')
				s->st = QUOTE_IN_QUOTED;
			else
				add_char(s, c == '\n' ? ' ' : c);
			break;
		case QUOTE_IN_QUOTED:
			if (c == '"') {
				add_char(s, '"');
				s->st = QUOTED;
			} else if (c == ',') {
				end_field(s);
			} else if (c == '\n') {
				end_record(s);
			} else {
				add_char(s, c);	/* lenient: text after a quote */
				s->st = UNQUOTED;
			}
			break;
		}
	}
}

void
oui_scan_end(struct oui_scan *s)
{
	end_record(s);
}

int
oui_needs_subblocks(const struct oui_query *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (q[i].bits == 24 &&
		    strcasecmp(q[i].vendor, "IEEE Registration Authority") == 0)
			return 1;
	return 0;
}

/* Feed dir/name to s.  0, IGD_ENOTFOUND (cannot open: err set),
 * IGD_ETIMEOUT. */
static int
scan_file(struct oui_scan *s, const char *dir, const char *name,
    const struct deadline *dl, struct oui_stats *st, char *err,
    size_t errlen)
{
	char path[512], buf[64 * 1024];
	struct stat sb;
	size_t total = 0;
	int fd, n, rc = 0;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		msg_set(err, errlen, "OUI registry path too long");
		return IGD_ENOTFOUND;
	}
	/* O_NONBLOCK: a FIFO in its place must not hang the run */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		msg_set(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return IGD_ENOTFOUND;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		msg_set(err, errlen, "%s is not a regular file", path);
		close(fd);
		return IGD_ENOTFOUND;
	}
	for (;;) {
		ssize_t r;

		if (deadline_left_ms(dl) == 0) {
			msg_set(err, errlen, "reading %s: deadline passed",
			    path);
			rc = IGD_ETIMEOUT;
			break;
		}
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			msg_set(err, errlen, "reading %s: %s", path,
			    strerror(errno));
			rc = IGD_ENOTFOUND;
			break;
		}
		if (r == 0)
			break;
		if (total + (size_t)r > OUI_FILE_MAX) {
			st->truncated = 1;
			break;
		}
		total += (size_t)r;
		oui_scan_feed(s, buf, (size_t)r);
	}
	oui_scan_end(s);
	close(fd);
	st->bytes += total;
	if (rc == 0)
		st->files++;
	return rc;
}

int
oui_resolve(const char *dir, struct oui_query *q, size_t n,
    const struct deadline *dl, struct oui_stats *st, char *err,
    size_t errlen)
{
	static const char *const sub[] = { "mam.csv", "oui36.csv", "iab.csv" };
	struct oui_stats local;
	struct oui_scan *s;
	int rc;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (n > OUI_QUERIES_MAX)
		return IGD_ELIMIT;
	for (size_t i = 0; i < n; i++) {
		q[i].bits = 0;
		q[i].vendor[0] = '\0';
	}
	if (dir == NULL)
		dir = OUI_DIR_DEFAULT;
	if (n == 0)
		return 0;
	s = oui_scan_new(q, n);
	if (s == NULL)
		return IGD_ENOMEM;
	rc = scan_file(s, dir, "oui.csv", dl, st, err, errlen);
	if (rc == 0 && oui_needs_subblocks(q, n)) {
		for (size_t i = 0; i < sizeof(sub) / sizeof(*sub); i++) {
			char ignored[256];
			int r = scan_file(s, dir, sub[i], dl, st, ignored,
			    sizeof(ignored));

			if (r == IGD_ETIMEOUT) {
				msg_set(err, errlen, "%s", ignored);
				rc = r;
				break;
			}
			/* a missing sub-block file leaves the MA-L answer */
		}
	}
	oui_scan_counts(s, &st->records, &st->bad_records);
	oui_scan_free(s);
	return rc;
}
