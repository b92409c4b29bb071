/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/mapevent.c: the event-log line of a new, changed
 * and gone mapping (every field, the rule and state by the compiled-in
 * policy), hostile device text cut so that a line always fits, and which
 * changes a run writes (first seen only; none from an incomplete table;
 * a log that cannot be opened counts what was lost).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "events.h"
#include "judge_portmap.h"
#include "mapevent.h"
#include "verdict.h"

#define T0 1700000000		/* 2023-11-14T22:13:20Z */

static struct igd_table was, now;
static struct mapchg_result base, res;
static struct mapevent_ctx ctx;
static char dir[256];

static void
setup(void)
{
	policy_setup();
	memset(&was, 0, sizeof(was));
	memset(&now, 0, sizeof(now));
	memset(&base, 0, sizeof(base));
	memset(&res, 0, sizeof(res));
	was.complete = now.complete = 1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.now = T0 + 60;
	ctx.program = "check_igd_portmap";
	ctx.udn = "uuid:12345678-aaaa";
	ctx.location = "http://192.168.1.1:5000/rootDesc.xml";
	ctx.pol = pol;
	ctx.external_address = "11.22.33.44";
	snprintf(dir, sizeof(dir), "%s/test_mapevent.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	mapchg_result_free(&base);
	mapchg_result_free(&res);
	igd_table_free(&was);
	igd_table_free(&now);
	policy_teardown();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* was seen at T0 (the baseline), now at T0 + 60. */
static void
compare(void)
{
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &was, T0, 7200, &base), 0);
	ck_assert_int_eq(mapchg_compare(base.next, base.n_next, 1, &now,
	    T0 + 60, 7200, &res), 0);
}

/* The line of the item of now's mapping i (or gone item g when i < 0). */
static const char *
line_of(long i, size_t g)
{
	static char buf[EVENTS_LINE_MAX];
	const struct mapchg_item *it = i >= 0 ? &res.cur[i] : &res.gone[g];

	ck_assert_int_gt(mapevent_line(&ctx, it, i >= 0 ? &now.m[i] : NULL,
	    buf, sizeof(buf)), 0);
	return buf;
}

#define HAS(line, s) ck_assert_msg(strstr((line), (s)) != NULL, \
	"missing %s in %s", (s), (line))

START_TEST(new_line)
{
	const char *l;

	map_add(&was, "TCP", 8080, "192.168.1.2", 80, "web", 3600);
	map_add(&now, "TCP", 8080, "192.168.1.2", 80, "web", 3600);
	map_add(&now, "TCP", 4450, "192.168.1.3", 445, "files", 0);
	compare();
	ck_assert_int_eq(res.cur[1].event, MAPCHG_NEW);
	l = line_of(1, 0);
	ck_assert_str_eq(l, "{\"time\":\"2023-11-14T22:14:20Z\","
	    "\"program\":\"check_igd_portmap\",\"event\":\"new\","
	    "\"device_udn\":\"uuid:12345678-aaaa\","
	    "\"device_url\":\"http://192.168.1.1:5000/rootDesc.xml\","
	    "\"protocol\":\"TCP\",\"external_port\":4450,\"remote_host\":\"\","
	    "\"internal_client\":\"192.168.1.3\",\"internal_port\":445,"
	    "\"description\":\"files\",\"enabled\":true,\"lease\":0,"
	    "\"first_seen\":\"2023-11-14T22:14:20Z\",\"mac\":null,"
	    "\"vendor\":null,\"name\":null,\"host\":\"not looked up\","
	    "\"rule\":\"risky-internal-port\",\"state\":\"critical\","
	    "\"unjudged_by\":null,\"change_state\":\"warning\","
	    "\"truncated\":false,\"late\":false}");
}
END_TEST

START_TEST(changed_line)
{
	const char *l;

	map_add(&was, "TCP", 8080, "192.168.1.2", 80, "web", 3600);
	map_add(&now, "TCP", 8080, "192.168.1.66", 3389, "hijack", 3600);
	compare();
	ck_assert_int_eq(res.cur[0].event, MAPCHG_CHANGED);
	l = line_of(0, 0);
	HAS(l, "\"event\":\"changed\"");
	HAS(l, "\"internal_client\":\"192.168.1.66\",\"internal_port\":3389,"
	    "\"description\":\"hijack\"");
	HAS(l, "\"old_internal_client\":\"192.168.1.2\","
	    "\"old_internal_port\":80,\"old_description\":\"web\"");
	HAS(l, "\"state\":\"critical\"");
}
END_TEST

START_TEST(gone_line)
{
	const char *l;

	map_add(&was, "UDP", 5000, "192.168.1.3", 5000, "game", 100);
	compare();
	ck_assert_uint_eq(res.n_gone, 1);
	l = line_of(-1, 0);
	HAS(l, "\"event\":\"gone\"");
	HAS(l, "\"protocol\":\"UDP\",\"external_port\":5000");
	HAS(l, "\"description\":\"game\",\"enabled\":null,\"lease\":null,"
	    "\"first_seen\":\"2023-11-14T22:13:20Z\"");
	/* records of a version that did not keep the judgement */
	HAS(l, "\"rule\":null,\"state\":null,\"unjudged_by\":null,"
	    "\"change_state\":\"ok\"");
	ck_assert_ptr_null(strstr(l, "old_"));
}
END_TEST

/* A gone mapping's line says how the last run that saw it judged it:
 * the records keep it, through the state file's text form. */
START_TEST(gone_line_judged)
{
	struct mapchg_rec recs[2];
	char text[MAPCHG_LINE_MAX + 1];
	const char *l;

	map_add(&was, "TCP", 4450, "192.168.1.3", 445, "files", 3600);
	map_add(&was, "UDP", 5000, "192.168.1.3", 5000, "game", 3600);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &was, T0, 7200, &base), 0);
	mapevent_judge_records(&ctx, &was, 0, &base);
	ck_assert_uint_eq(base.n_next, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(mapchg_rec_format(&base.next[i], text,
		    sizeof(text)), 0);
		ck_assert_int_eq(mapchg_rec_parse(text, &recs[i]), 0);
	}
	ck_assert_int_eq(mapchg_compare(recs, 2, 1, &now, T0 + 60, 7200,
	    &res), 0);
	ck_assert_uint_eq(res.n_gone, 2);
	for (size_t g = 0; g < 2; g++) {
		l = line_of(-1, g);
		HAS(l, "\"event\":\"gone\"");
		if (strstr(l, "\"external_port\":4450") != NULL)
			HAS(l, "\"rule\":\"risky-internal-port\","
			    "\"state\":\"critical\",\"unjudged_by\":null,");
		else
			HAS(l, "\"rule\":null,\"state\":\"ok\","
			    "\"unjudged_by\":null,");
	}
}
END_TEST

/* A rule that needed a fact the run did not have (the client's MAC) is
 * named in unjudged_by, as the JSON output names it; the state is the
 * policy's unjudged state. */
START_TEST(unjudged_named)
{
	static const char yaml[] =
	    "version: 1\n"
	    "portmap:\n"
	    "  default: ok\n"
	    "  rules:\n"
	    "    - name: not-the-pi\n"
	    "      state: critical\n"
	    "      internal_mac: b8:27:eb\n";
	struct policy *mine;
	char err[256];
	const char *l;

	ck_assert_int_eq(policy_load_buffer("mac.yaml", yaml,
	    sizeof(yaml) - 1, &mine, err, sizeof(err)), 0);
	map_add(&now, "TCP", 8123, "192.168.1.3", 8123, "home", 3600);
	compare();
	ctx.pol = mine;
	l = line_of(0, 0);		/* no host known: no MAC */
	HAS(l, "\"rule\":null,\"state\":\"warning\","
	    "\"unjudged_by\":\"not-the-pi\",");
	/* kept for the line of its vanishing */
	mapevent_judge_records(&ctx, &now, 1, &res);
	ck_assert_int_eq(res.next[0].judged, PLUGIN_WARNING);
	ck_assert_str_eq(res.next[0].unjudged_by, "not-the-pi");
	ck_assert_str_eq(res.next[0].rule, "");
	ctx.pol = pol;
	policy_free(mine);
}
END_TEST

/* Every byte is either printable ASCII, a UTF-8 byte >= 0x80, or inside
 * an escape: no raw control byte, no bare quote closing a string early. */
static void
assert_clean(const char *l, size_t len)
{
	ck_assert_uint_eq(strlen(l), len);
	ck_assert_uint_lt(len, EVENTS_LINE_MAX);
	for (size_t i = 0; i < len; i++)
		ck_assert_msg((unsigned char)l[i] >= 0x20 && l[i] != 0x7f,
		    "raw byte 0x%02x at %zu", (unsigned char)l[i], i);
	ck_assert_int_eq(l[0], '{');
	ck_assert_int_eq(l[len - 1], '}');
}

/* A device sends the worst: every string as long as it may be, all of
 * control bytes (six bytes each once escaped): the line still fits, cut,
 * and says so. */
START_TEST(hostile_text_fits)
{
	static char desc[100000], url[HTTP_URL_MAX], udn[IGD_STR_MAX];
	char buf[EVENTS_LINE_MAX];
	struct hostid_entry e;
	struct hostid h;
	long n;

	memset(desc, 0x01, sizeof(desc) - 1);
	memset(url, '\n', sizeof(url) - 1);
	memset(udn, 0x02, sizeof(udn) - 1);
	map_add(&now, "TCP", 4450, "192.168.1.3", 445, desc, 0);
	compare();
	ctx.location = url;
	ctx.udn = udn;
	/* and a vendor and a name as long and as bad */
	memset(&e, 0, sizeof(e));
	memset(&h, 0, sizeof(h));
	snprintf(e.addr, sizeof(e.addr), "192.168.1.3");
	e.found = NEIGH_FOUND;
	e.vendor_bits = 24;
	memset(e.vendor, 0x03, sizeof(e.vendor) - 1);
	e.named = 1;
	e.name_status = RDNS_CONFIRMED;
	memset(e.name, 0x04, sizeof(e.name) - 1);
	h.e = &e;
	h.n = 1;
	ctx.hosts = &h;
	n = mapevent_line(&ctx, &res.cur[0], &now.m[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	assert_clean(buf, (size_t)n);
	HAS(buf, "\"truncated\":true,\"late\":false}");
	HAS(buf, "\"event\":\"new\"");
	HAS(buf, "\"rule\":\"risky-internal-port\"");
	HAS(buf, "\"mac\":\"00:00:00:00:00:00\"");
}
END_TEST

/* The rule and state a line carries are the verdict's: a policy whose
 * rules need the client's MAC address and the mapping's age judges the
 * line with both (the log once judged with the WAN address only, so such
 * rules could not judge and the line disagreed with the verdict). */
START_TEST(rule_needs_mac_and_age)
{
	static const char yaml[] =
	    "version: 1\n"
	    "portmap:\n"
	    "  default: warning\n"
	    "  rules:\n"
	    "    - name: pi-fresh\n"
	    "      state: ok\n"
	    "      internal_mac: b8:27:eb\n"
	    "      newer_than: 1h\n";
	struct policy *mine;
	struct hostid_entry e;
	struct hostid h;
	struct policy_facts f;
	const struct policy_rule *rule, *unjudged;
	char err[256];
	const char *l;

	ck_assert_int_eq(policy_load_buffer("mac-age.yaml", yaml,
	    sizeof(yaml) - 1, &mine, err, sizeof(err)), 0);
	map_add(&now, "TCP", 8123, "192.168.1.3", 8123, "home", 3600);
	compare();
	memset(&e, 0, sizeof(e));
	memset(&h, 0, sizeof(h));
	snprintf(e.addr, sizeof(e.addr), "192.168.1.3");
	e.found = NEIGH_FOUND;
	e.kind = NEIGH_REACHABLE;	/* a policy uses confirmed entries only */
	memcpy(e.mac, "\xb8\x27\xeb\x12\x34\x56", 6);
	h.e = &e;
	h.n = 1;
	ctx.hosts = &h;
	ctx.pol = mine;
	l = line_of(0, 0);
	HAS(l, "\"mac\":\"b8:27:eb:12:34:56\"");
	HAS(l, "\"rule\":\"pi-fresh\",\"state\":\"ok\"");
	/* the verdict's facts for the same mapping give the same answer */
	judge_portmap_facts(mine, &now.m[0], ctx.external_address, &h, 1,
	    res.cur[0].first_seen, ctx.now, &f);
	ck_assert_int_eq(judge_portmap_one(mine, &now.m[0], &f, &rule,
	    &unjudged), PLUGIN_OK);
	ck_assert_ptr_nonnull(rule);
	ck_assert_str_eq(rule->name, "pi-fresh");
	/* another vendor's machine: the default, warning */
	e.mac[0] = 0x00;
	l = line_of(0, 0);
	HAS(l, "\"rule\":null,\"state\":\"warning\"");
	ctx.pol = pol;
	policy_free(mine);
}
END_TEST

/* A long description of multi-byte characters is cut whole characters. */
START_TEST(long_text_cut_on_characters)
{
	static char desc[3000];
	const char *l, *p;

	for (size_t i = 0; i + 3 < sizeof(desc); i += 3)
		memcpy(desc + i, "\xe2\x82\xac", 3);	/* U+20AC */
	map_add(&now, "TCP", 8080, "192.168.1.2", 80, desc, 0);
	compare();
	l = line_of(0, 0);
	HAS(l, "\"truncated\":true");
	p = strstr(l, "\"description\":\"");
	ck_assert_ptr_nonnull(p);
	p += strlen("\"description\":\"");
	ck_assert_int_eq(strchr(p, '"') - p, 510);	/* 170 whole euros */
}
END_TEST

START_TEST(strn_and_bool)
{
	char buf[128];
	struct events_line j;

	events_line_init(&j, buf, sizeof(buf));
	ck_assert_int_eq(events_line_strn(&j, "a", "\xc3\xa9\xc3\xa9", 3), 1);
	ck_assert_int_eq(events_line_strn(&j, "b", "abc", 3), 0);
	ck_assert_int_eq(events_line_strn(&j, "c", NULL, 3), 0);
	events_line_bool(&j, "t", 1);
	events_line_bool(&j, "f", 0);
	events_line_bool(&j, "u", -1);
	ck_assert_int_gt(events_line_end(&j), 0);
	ck_assert_str_eq(buf, "{\"a\":\"\xc3\xa9\",\"b\":\"abc\",\"c\":null,"
	    "\"t\":true,\"f\":false,\"u\":null}");
}
END_TEST

static size_t
lines_in(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	if (f == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Only what this run saw first: a held change is not logged again. */
START_TEST(write_fresh_only)
{
	struct mapchg_result third;
	struct mapevent_report r;
	struct deadline dl;
	char path[400];

	snprintf(path, sizeof(path), "%s/ev.jsonl", dir);
	map_add(&was, "TCP", 8080, "192.168.1.2", 80, "web", 3600);
	map_add(&was, "UDP", 5000, "192.168.1.3", 5000, "game", 100);
	/* one changed, one new, and one gone */
	map_add(&now, "TCP", 8080, "192.168.1.9", 80, "web", 3600);
	map_add(&now, "TCP", 9000, "192.168.1.4", 9000, "new", 3600);
	compare();
	deadline_init(&dl, 5000);
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, &res, 1, &now, &dl, NULL, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.written, 3);
	ck_assert_uint_eq(lines_in(path), 3);
	/* the next run holds the same three: nothing more is written */
	ck_assert_int_eq(mapchg_compare(res.next, res.n_next, 1, &now,
	    T0 + 120, 7200, &third), 0);
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, &third, 1, &now, &dl, NULL, &r);
	mapchg_result_free(&third);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.written, 0);
	ck_assert_uint_eq(lines_in(path), 3);
}
END_TEST

/* An incomplete table: nothing logged (the next whole read logs it), but
 * the log is opened (and created) all the same. */
START_TEST(write_incomplete_defers)
{
	struct mapevent_report r;
	struct deadline dl;
	struct stat sb;
	char path[400];

	snprintf(path, sizeof(path), "%s/ev.jsonl", dir);
	map_add(&now, "TCP", 9000, "192.168.1.4", 9000, "new", 3600);
	now.complete = 0;
	compare();
	deadline_init(&dl, 5000);
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, &res, 1, &now, &dl, NULL, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.written, 0);
	ck_assert_uint_eq(r.deferred, 1);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);
	/* no previous table: a baseline, nothing to log */
	memset(&r, 0, sizeof(r));
	r.path = path;
	now.complete = 1;
	mapevent_write(&ctx, &res, 0, &now, &dl, NULL, &r);
	ck_assert_int_eq(r.baseline, 1);
	ck_assert_uint_eq(r.written, 0);
}
END_TEST

/* A log that cannot be opened and nowhere to keep the lines (no state):
 * the changes are counted as dropped, never said written. */
START_TEST(write_refused_no_state_drops)
{
	struct mapevent_report r;
	struct deadline dl;
	char path[400], target[400];

	snprintf(path, sizeof(path), "%s/ev.jsonl", dir);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	ck_assert_int_eq(symlink(target, path), 0);
	map_add(&now, "TCP", 9000, "192.168.1.4", 9000, "new", 3600);
	map_add(&now, "TCP", 9001, "192.168.1.4", 9001, "new", 3600);
	compare();
	deadline_init(&dl, 5000);
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, &res, 1, &now, &dl, NULL, &r);
	ck_assert_int_eq(r.rc, IGD_EADDRESS);
	ck_assert_uint_eq(r.dropped, 2);
	ck_assert_uint_eq(r.pending, 0);
	ck_assert_uint_eq(r.written, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "symbolic link"));
	ck_assert_int_ne(access(target, F_OK), 0);	/* not followed */
}
END_TEST

/* The whole of the file at path (static buffer). */
static const char *
slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * The log cannot be written for one run (a symlink planted there), then
 * can: the lines of the first run are kept, in order, and written by the
 * next one first, with their own time, "late":true and when they were
 * logged; nothing is lost, nothing written twice.
 */
START_TEST(unwritable_then_late)
{
	struct mapevent_pending pend;
	struct mapchg_result third;
	struct mapevent_report r;
	struct deadline dl;
	char path[400], target[400];
	const char *log, *a, *b;

	memset(&pend, 0, sizeof(pend));
	snprintf(path, sizeof(path), "%s/ev.jsonl", dir);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	ck_assert_int_eq(symlink(target, path), 0);
	map_add(&now, "TCP", 9000, "192.168.1.4", 9000, "first", 3600);
	map_add(&now, "TCP", 9001, "192.168.1.4", 9001, "second", 3600);
	compare();
	deadline_init(&dl, 5000);
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, &res, 1, &now, &dl, &pend, &r);
	ck_assert_int_eq(r.rc, IGD_EADDRESS);
	ck_assert_uint_eq(r.pending, 2);
	ck_assert_uint_eq(r.dropped, 0);
	ck_assert_uint_eq(pend.n, 2);
	ck_assert_ptr_nonnull(strstr(pend.line[0], "\"external_port\":9000"));
	ck_assert_ptr_nonnull(strstr(pend.line[1], "\"external_port\":9001"));
	/* the next run, a minute later, holds the same changes (not fresh)
	 * and can write the log */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mapchg_compare(res.next, res.n_next, 1, &now,
	    T0 + 120, 7200, &third), 0);
	ctx.now = T0 + 120;
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, &third, 1, &now, &dl, &pend, &r);
	mapchg_result_free(&third);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.written, 2);
	ck_assert_uint_eq(r.late, 2);
	ck_assert_uint_eq(r.pending, 0);
	ck_assert_uint_eq(pend.n, 0);
	ck_assert_uint_eq(lines_in(path), 2);
	log = slurp(path);
	a = strstr(log, "\"external_port\":9000");
	b = strstr(log, "\"external_port\":9001");
	ck_assert(a != NULL && b != NULL && a < b);	/* in order */
	/* the time the change was seen, the time it was logged */
	ck_assert_ptr_nonnull(strstr(log,
	    "{\"time\":\"2023-11-14T22:14:20Z\""));
	ck_assert_ptr_nonnull(strstr(log, "\"truncated\":false,\"late\":true,"
	    "\"logged_at\":\"2023-11-14T22:15:20Z\"}\n"));
	ck_assert_ptr_null(strstr(log, "\"late\":false"));
	/* once written, never again */
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, &res, 0, &now, &dl, &pend, &r);
	ck_assert_uint_eq(r.written, 0);
	ck_assert_uint_eq(lines_in(path), 2);
	mapevent_pending_free(&pend);
}
END_TEST

/*
 * One new mapping written to dir's ev.jsonl under dir's lock file while
 * another open file holds an exclusive flock on dir's file held (created
 * with mode), the write given ms; what happened in *r, the lines kept in
 * *pend (free with mapevent_pending_free()).
 */
static void
write_while_held(const char *held, mode_t mode, int ms,
    struct mapevent_report *r, struct mapevent_pending *pend)
{
	static char path[400], lock[400];
	char hp[400];
	struct deadline dl;
	int fd;

	memset(pend, 0, sizeof(*pend));
	snprintf(path, sizeof(path), "%s/ev.jsonl", dir);
	snprintf(lock, sizeof(lock), "%s/" MAPEVENT_LOCK_NAME, dir);
	snprintf(hp, sizeof(hp), "%s/%s", dir, held);
	fd = open(hp, O_RDONLY | O_CREAT, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	map_add(&now, "TCP", 9000, "192.168.1.4", 9000, "new", 3600);
	compare();
	deadline_init(&dl, ms);
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->lock_path = lock;
	mapevent_write(&ctx, &res, 1, &now, &dl, pend, r);
	close(fd);
}

/*
 * A reader of the log (a collector in the plugins' group may open it)
 * holds an exclusive flock on it through the run in which a change first
 * appears: the line is written all the same.  (The log was once locked
 * itself: that reader made the run give up, and the line was never
 * written by any run.)
 */
START_TEST(reader_flock_cannot_suppress)
{
	struct mapevent_pending pend;
	struct mapevent_report r;

	write_while_held("ev.jsonl", 0640, 5000, &r, &pend);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.written, 1);
	ck_assert_uint_eq(r.pending, 0);
	ck_assert_str_eq(r.note, "");	/* under the private lock */
	ck_assert_uint_eq(lines_in(r.path), 1);
	mapevent_pending_free(&pend);
}
END_TEST

/* This user's lock held by another run past the wait: the line is kept
 * for the next run, not lost. */
START_TEST(own_lock_held_keeps)
{
	struct mapevent_pending pend;
	struct mapevent_report r;

	write_while_held(MAPEVENT_LOCK_NAME, 0600, 200, &r, &pend);
	ck_assert_int_eq(r.rc, IGD_ETIMEOUT);
	ck_assert_uint_eq(r.written, 0);
	ck_assert_uint_eq(r.pending, 1);
	ck_assert_uint_eq(pend.n, 1);
	ck_assert_uint_eq(lines_in(r.path), 0);
	mapevent_pending_free(&pend);
}
END_TEST

/* Pending lines are bounded: one beyond MAPEVENT_PENDING_MAX is refused
 * (the caller counts it dropped); a stored line that is not one of ours
 * is never written, and counted. */
START_TEST(pending_bounded_and_checked)
{
	static char big[MAPEVENT_PENDING_MAX / 4];
	struct mapevent_pending pend;
	struct mapevent_report r;
	struct deadline dl;
	char path[400];

	memset(&pend, 0, sizeof(pend));
	memset(big, 'x', sizeof(big) - 1);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(mapevent_pending_add(&pend, big), 0);
	ck_assert_int_eq(mapevent_pending_add(&pend, "{\"a\":1}"), 1);
	mapevent_pending_free(&pend);
	ck_assert_int_eq(mapevent_pending_add(&pend,
	    "{\"a\":1,\"late\":false}"), 0);
	ck_assert_int_eq(mapevent_pending_add(&pend, "not ours"), 0);
	ck_assert_int_eq(mapevent_pending_add(&pend,
	    "{\"a\":\"\n\",\"late\":false}"), 0);
	snprintf(path, sizeof(path), "%s/ev.jsonl", dir);
	deadline_init(&dl, 5000);
	memset(&r, 0, sizeof(r));
	r.path = path;
	mapevent_write(&ctx, NULL, 0, &now, &dl, &pend, &r);
	ck_assert_uint_eq(r.written, 1);
	ck_assert_uint_eq(r.late, 1);
	ck_assert_uint_eq(r.dropped, 2);
	ck_assert_uint_eq(pend.n, 0);
	ck_assert_str_eq(slurp(path), "{\"a\":1,\"late\":true,\"logged_at\":"
	    "\"2023-11-14T22:14:20Z\"}\n");
	mapevent_pending_free(&pend);
}
END_TEST

static Suite *
mapevent_suite(void)
{
	Suite *s = suite_create("mapevent");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_line);
	tcase_add_test(tc, changed_line);
	tcase_add_test(tc, gone_line);
	tcase_add_test(tc, gone_line_judged);
	tcase_add_test(tc, unjudged_named);
	tcase_add_test(tc, hostile_text_fits);
	tcase_add_test(tc, rule_needs_mac_and_age);
	tcase_add_test(tc, long_text_cut_on_characters);
	tcase_add_test(tc, strn_and_bool);
	tcase_add_test(tc, write_fresh_only);
	tcase_add_test(tc, write_incomplete_defers);
	tcase_add_test(tc, write_refused_no_state_drops);
	tcase_add_test(tc, unwritable_then_late);
	tcase_add_test(tc, reader_flock_cannot_suppress);
	tcase_add_test(tc, own_lock_held_keeps);
	tcase_add_test(tc, pending_bounded_and_checked);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mapevent_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
