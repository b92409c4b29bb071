/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/mapchg.c: first-seen times carried across runs, new,
 * changed (client, port, description; not the lease) and gone mappings,
 * events held for the hold time and then released, hold 0 (one run only),
 * incomplete tables, ghosts coming back, accepting a baseline, and the
 * record line format (round trip of any text, refusal of bad lines).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "mapchg.h"
#include "verdict.h"

#define T0 1700000000

/* A mapping of service on t, leased for an hour (verdict.h). */
#define add(t, proto, ext, client, port, desc, service) \
	map_add_svc(t, proto, ext, client, port, desc, 3600, service)

static void
table_init(struct igd_table *t)
{
	memset(t, 0, sizeof(*t));
	t->complete = 1;
}

/* The records of res->next, as the next run will read them (through the
 * text format, as the state file carries them). */
static struct mapchg_rec *
carry(const struct mapchg_result *res, size_t *n)
{
	struct mapchg_rec *r = calloc(res->n_next + 1, sizeof(*r));
	char line[MAPCHG_LINE_MAX + 1];

	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < res->n_next; i++) {
		ck_assert_int_eq(mapchg_rec_format(&res->next[i], line,
		    sizeof(line)), 0);
		ck_assert_msg(mapchg_rec_parse(line, &r[i]) == 0, "%s", line);
	}
	*n = res->n_next;
	return r;
}

START_TEST(baseline_then_same)
{
	struct igd_table t;
	struct mapchg_result res;
	struct mapchg_rec *prev;
	size_t n;

	table_init(&t);
	add(&t, "TCP", 4450, "192.168.1.23", 445, "galleta silenciosa", 1);
	add(&t, "UDP", 3074, "192.168.1.30", 3074, "Xbox", 1);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t, T0, 3600, &res), 0);
	ck_assert_uint_eq(res.n_cur, 2);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	ck_assert_int_eq(res.cur[0].first_seen, T0);
	ck_assert_uint_eq(res.n_new + res.n_changed + res.n_gone_fresh, 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);
	/* a day later: same table, first seen a day ago */
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t, T0 + 86400, 3600,
	    &res), 0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	ck_assert_int_eq(res.cur[0].first_seen, T0);
	ck_assert_int_eq(res.cur[1].first_seen, T0);
	ck_assert_uint_eq(res.n_gone, 0);
	mapchg_result_free(&res);
	free(prev);
	igd_table_free(&t);
}
END_TEST

/* A new mapping stays an alarm for the hold time, then is released. */
START_TEST(new_held)
{
	struct igd_table t1, t2;
	struct mapchg_result res;
	struct mapchg_rec *prev, *p2;
	size_t n, n2;

	table_init(&t1);
	add(&t1, "TCP", 443, "192.168.1.10", 443, "nas", 1);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t1, T0, 3600, &res), 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);

	table_init(&t2);
	add(&t2, "TCP", 443, "192.168.1.10", 443, "nas", 1);
	add(&t2, "TCP", 4450, "192.168.1.23", 445, "galleta", 1);
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t2, T0 + 300, 3600,
	    &res), 0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	ck_assert_int_eq(res.cur[1].event, MAPCHG_NEW);
	ck_assert_int_eq(res.cur[1].fresh, 1);
	ck_assert_int_eq(res.cur[1].first_seen, T0 + 300);
	ck_assert_uint_eq(res.n_new, 1);
	p2 = carry(&res, &n2);
	mapchg_result_free(&res);
	free(prev);
	/* the engine's retries: still NEW, not fresh, since the first sight */
	for (int64_t dt = 360; dt < 300 + 3600; dt += 600) {
		ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t2, T0 + dt, 3600,
		    &res), 0);
		ck_assert_int_eq(res.cur[1].event, MAPCHG_NEW);
		ck_assert_int_eq(res.cur[1].fresh, 0);
		ck_assert_int_eq(res.cur[1].event_since, T0 + 300);
		ck_assert_uint_eq(res.n_new, 0);
		free(p2);
		p2 = carry(&res, &n2);
		mapchg_result_free(&res);
	}
	/* the hold has passed */
	ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t2, T0 + 300 + 3600, 3600,
	    &res), 0);
	ck_assert_int_eq(res.cur[1].event, MAPCHG_NONE);
	ck_assert_int_eq(res.cur[1].first_seen, T0 + 300);
	mapchg_result_free(&res);
	free(p2);
	igd_table_free(&t1);
	igd_table_free(&t2);
}
END_TEST

/* hold 0: the alarm lasts one run, as before. */
START_TEST(hold_zero)
{
	struct igd_table t1, t2;
	struct mapchg_result res;
	struct mapchg_rec *prev, *p2;
	size_t n, n2;

	table_init(&t1);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t1, T0, 0, &res), 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);
	table_init(&t2);
	add(&t2, "TCP", 4450, "192.168.1.23", 445, "galleta", 1);
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t2, T0 + 60, 0, &res), 0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NEW);
	p2 = carry(&res, &n2);
	mapchg_result_free(&res);
	ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t2, T0 + 120, 0, &res), 0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	mapchg_result_free(&res);
	free(prev);
	free(p2);
	igd_table_free(&t2);
}
END_TEST

START_TEST(changed_facts)
{
	struct igd_table t1, t2;
	struct mapchg_result res;
	struct mapchg_rec *prev;
	size_t n;

	table_init(&t1);
	add(&t1, "TCP", 8080, "192.168.1.10", 80, "web", 1);
	add(&t1, "TCP", 8081, "192.168.1.10", 80, "web2", 1);
	add(&t1, "TCP", 8082, "192.168.1.10", 80, "web3", 1);
	add(&t1, "UDP", 500, "192.168.1.10", 500, "vpn", 1);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t1, T0, 3600, &res), 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);

	table_init(&t2);
	add(&t2, "TCP", 8080, "192.168.1.66", 80, "web", 1);	/* client */
	add(&t2, "TCP", 8081, "192.168.1.10", 3389, "web2", 1);	/* port */
	add(&t2, "TCP", 8082, "192.168.1.10", 80, "proxy", 1);	/* desc */
	add(&t2, "UDP", 500, "192.168.1.10", 500, "vpn", 1);
	t2.m[3].lease = 17;				/* lease only */
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t2, T0 + 60, 3600, &res),
	    0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_CHANGED);
	ck_assert_str_eq(res.cur[0].rec.old.client, "192.168.1.10");
	ck_assert_str_eq(res.cur[0].rec.facts.client, "192.168.1.66");
	ck_assert_int_eq(res.cur[1].event, MAPCHG_CHANGED);
	ck_assert_uint_eq(res.cur[1].rec.old.port, 80);
	ck_assert_int_eq(res.cur[2].event, MAPCHG_CHANGED);
	ck_assert_str_eq(res.cur[2].rec.old.desc, "web3");
	ck_assert_str_eq(res.cur[2].rec.facts.desc, "proxy");
	ck_assert_int_eq(res.cur[3].event, MAPCHG_NONE);
	ck_assert_int_eq(res.cur[3].first_seen, T0);
	/* changed, not one new and one gone */
	ck_assert_uint_eq(res.n_changed, 3);
	ck_assert_uint_eq(res.n_new, 0);
	ck_assert_uint_eq(res.n_gone, 0);
	/* a changed forward is new as a forward: its age starts again */
	ck_assert_int_eq(res.cur[0].first_seen, T0 + 60);
	mapchg_result_free(&res);
	free(prev);
	igd_table_free(&t1);
	igd_table_free(&t2);
}
END_TEST

START_TEST(gone_held_and_incomplete)
{
	struct igd_table t1, t2;
	struct mapchg_result res;
	struct mapchg_rec *prev, *p2;
	size_t n, n2;

	table_init(&t1);
	add(&t1, "TCP", 8080, "192.168.1.10", 80, "web", 1);
	add(&t1, "TCP", 4450, "192.168.1.23", 445, "galleta", 1);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t1, T0, 3600, &res), 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);

	table_init(&t2);
	add(&t2, "TCP", 8080, "192.168.1.10", 80, "web", 1);
	/* an incomplete read: nothing is gone, and 4450 is remembered */
	t2.complete = 0;
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t2, T0 + 60, 3600, &res),
	    0);
	ck_assert_uint_eq(res.n_gone, 0);
	ck_assert_uint_eq(res.n_next, 2);
	p2 = carry(&res, &n2);
	mapchg_result_free(&res);
	/* complete: gone, first seen at T0 */
	t2.complete = 1;
	ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t2, T0 + 120, 3600, &res),
	    0);
	ck_assert_uint_eq(res.n_gone, 1);
	ck_assert_int_eq(res.gone[0].fresh, 1);
	ck_assert_uint_eq(res.gone[0].rec.external_port, 4450);
	ck_assert_int_eq(res.gone[0].first_seen, T0);
	ck_assert_uint_eq(res.n_gone_fresh, 1);
	free(p2);
	p2 = carry(&res, &n2);
	mapchg_result_free(&res);
	/* held on the next run, then forgotten */
	ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t2, T0 + 1000, 3600,
	    &res), 0);
	ck_assert_uint_eq(res.n_gone, 1);
	ck_assert_int_eq(res.gone[0].fresh, 0);
	ck_assert_int_eq(res.gone[0].event_since, T0 + 120);
	ck_assert_uint_eq(res.n_gone_fresh, 0);
	free(p2);
	p2 = carry(&res, &n2);
	mapchg_result_free(&res);
	ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t2, T0 + 120 + 3600, 3600,
	    &res), 0);
	ck_assert_uint_eq(res.n_gone, 0);
	ck_assert_uint_eq(res.n_next, 1);
	mapchg_result_free(&res);
	free(p2);
	free(prev);
	igd_table_free(&t1);
	igd_table_free(&t2);
}
END_TEST

/* A gone mapping that comes back the same is not new. */
START_TEST(ghost_back)
{
	struct igd_table t1, t2;
	struct mapchg_result res;
	struct mapchg_rec *prev, *p2;
	size_t n, n2;

	table_init(&t1);
	add(&t1, "TCP", 4450, "192.168.1.23", 445, "galleta", 1);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t1, T0, 3600, &res), 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);
	table_init(&t2);
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t2, T0 + 60, 3600, &res),
	    0);
	ck_assert_uint_eq(res.n_gone, 1);
	p2 = carry(&res, &n2);
	mapchg_result_free(&res);
	ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t1, T0 + 120, 3600, &res),
	    0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	ck_assert_int_eq(res.cur[0].first_seen, T0);
	ck_assert_uint_eq(res.n_gone, 0);
	mapchg_result_free(&res);
	free(prev);
	free(p2);
	igd_table_free(&t1);
}
END_TEST

/* The same slot on two services is two mappings. */
START_TEST(two_services)
{
	struct igd_table t1, t2;
	struct mapchg_result res;
	struct mapchg_rec *prev;
	size_t n;

	table_init(&t1);
	add(&t1, "TCP", 80, "192.168.1.10", 80, "web", 1);
	add(&t1, "TCP", 80, "192.168.1.10", 80, "web", 2);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t1, T0, 3600, &res), 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);
	table_init(&t2);
	add(&t2, "TCP", 80, "192.168.1.10", 80, "web", 2);
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t2, T0 + 60, 3600, &res),
	    0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	ck_assert_uint_eq(res.n_gone, 1);
	ck_assert_uint_eq(res.gone[0].rec.service, 1);
	mapchg_result_free(&res);
	free(prev);
	igd_table_free(&t1);
	igd_table_free(&t2);
}
END_TEST

START_TEST(accept_baseline)
{
	struct igd_table t1, t2;
	struct mapchg_result res;
	struct mapchg_rec *prev, *p2;
	size_t n, n2;

	table_init(&t1);
	add(&t1, "TCP", 8080, "192.168.1.10", 80, "web", 1);
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t1, T0, 3600, &res), 0);
	prev = carry(&res, &n);
	mapchg_result_free(&res);
	table_init(&t2);
	add(&t2, "TCP", 4450, "192.168.1.23", 445, "galleta", 1);
	ck_assert_int_eq(mapchg_compare(prev, n, 1, &t2, T0 + 60, 3600, &res),
	    0);
	ck_assert_uint_eq(res.n_new, 1);
	ck_assert_uint_eq(res.n_gone, 1);
	mapchg_accept(&res);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	ck_assert_uint_eq(res.n_gone, 0);
	ck_assert_uint_eq(res.n_next, 1);
	ck_assert_int_eq(res.next[0].event, MAPCHG_NONE);
	p2 = carry(&res, &n2);
	mapchg_result_free(&res);
	ck_assert_int_eq(mapchg_compare(p2, n2, 1, &t2, T0 + 120, 3600, &res),
	    0);
	ck_assert_int_eq(res.cur[0].event, MAPCHG_NONE);
	ck_assert_int_eq(res.cur[0].first_seen, T0 + 60);
	ck_assert_uint_eq(res.n_gone, 0);
	mapchg_result_free(&res);
	free(prev);
	free(p2);
	igd_table_free(&t1);
	igd_table_free(&t2);
}
END_TEST

START_TEST(record_text)
{
	struct mapchg_rec r, back;
	struct igd_mapping m;
	char line[MAPCHG_LINE_MAX + 1];
	static const char *const bad[] = {
		"",
		"2 1 =TCP 80 = =a 80 0000000000000000 0 0 0 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a 80 0000000000000000 0 0 0 = 0 0000000000000000 =",
		"1 1 =TCP 80 = =a 80 0000000000000000 0 0 0 = 0 0000000000000000 = = x",
		"1 1 =ICMP 80 = =a 80 0000000000000000 0 0 0 = 0 0000000000000000 = =",
		"1 1 =TCP 70000 = =a 80 0000000000000000 0 0 0 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a 80 000000000000000 0 0 0 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a 80 0000000000000000 99999999999999999999 0 0 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a 80 0000000000000000 9223372036854775808 0 0 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a 80 0000000000000000 0 4 0 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a 80 0000000000000000 0 0 -1 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a%00 80 0000000000000000 0 0 0 = 0 0000000000000000 = =",
		"1 1 =TCP 80 = =a%2 80 0000000000000000 0 0 0 = 0 0000000000000000 = =",
		"1 1 TCP 80 = =a 80 0000000000000000 0 0 0 = 0 0000000000000000 = =",
	};

	memset(&m, 0, sizeof(m));
	snprintf(m.protocol, sizeof(m.protocol), "UDP");
	m.external_port = 65535;
	snprintf(m.internal_client, sizeof(m.internal_client), "10.0.0.2");
	snprintf(m.remote_host, sizeof(m.remote_host), "8.8.4.4");
	m.internal_port = 1;
	m.service = 3;
	m.description = (char *)(uintptr_t)"a b%c\nd\t=\xc3\xa9 \x7f |";
	mapchg_rec_from(&r, &m, T0);
	r.event = MAPCHG_CHANGED;
	r.event_since = T0 + 5;
	snprintf(r.old.client, sizeof(r.old.client), "192.168.1.66");
	r.old.port = 3389;
	r.old.desc_hash = UINT64_MAX;
	snprintf(r.old.desc, sizeof(r.old.desc), "%% old desc %%");
	ck_assert_int_eq(mapchg_rec_format(&r, line, sizeof(line)), 0);
	ck_assert_ptr_null(strchr(line, '\n'));
	ck_assert_int_eq(mapchg_rec_parse(line, &back), 0);
	ck_assert_int_eq(memcmp(&r, &back, sizeof(r)), 0);
	ck_assert_int_eq(mapchg_rec_format(&r, line, 40), -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(mapchg_rec_parse(bad[i], &back) == -1,
		    "accepted: %s", bad[i]);
	ck_assert_int_eq(mapchg_rec_parse(NULL, &back), -1);
	/* the judgement the policy gave it, kept */
	r.judged = 2;
	snprintf(r.rule, sizeof(r.rule), "a rule%%");
	snprintf(r.unjudged_by, sizeof(r.unjudged_by), "stale");
	ck_assert_int_eq(mapchg_rec_format(&r, line, sizeof(line)), 0);
	ck_assert_int_eq(mapchg_rec_parse(line, &back), 0);
	ck_assert_int_eq(memcmp(&r, &back, sizeof(r)), 0);
	/* a record of the version before it: no judgement (-1) */
	ck_assert_int_eq(mapchg_rec_parse("1 1 =TCP 80 = =a 80 "
	    "0000000000000000 0 0 0 = 0 0000000000000000 = =", &back), 0);
	ck_assert_int_eq(back.judged, -1);
	ck_assert_str_eq(back.rule, "");
	/* a judgement out of range, or cut short */
	ck_assert_int_eq(mapchg_rec_parse("1 1 =TCP 80 = =a 80 "
	    "0000000000000000 0 0 0 = 0 0000000000000000 = = 4 = =", &back),
	    -1);
	ck_assert_int_eq(mapchg_rec_parse("1 1 =TCP 80 = =a 80 "
	    "0000000000000000 0 0 0 = 0 0000000000000000 = = 1 =", &back), -1);
	ck_assert_int_eq(mapchg_rec_parse("1 1 =TCP 80 = =a 80 "
	    "0000000000000000 0 0 0 = 0 0000000000000000 = = - = =", &back),
	    0);
	ck_assert_int_eq(back.judged, -1);
	/* a long description is cut on a character boundary */
	{
		char longd[400];

		memset(longd, 'x', sizeof(longd));
		memcpy(longd + MAPCHG_DESC_MAX - 2, "\xc3\xa9", 2);
		longd[sizeof(longd) - 1] = '\0';
		m.description = longd;
		mapchg_rec_from(&r, &m, T0);
		ck_assert_uint_eq(strlen(r.facts.desc), MAPCHG_DESC_MAX - 2);
	}
}
END_TEST

START_TEST(ages)
{
	char b[32];

	mapchg_age_text(40, b, sizeof(b));
	ck_assert_str_eq(b, "40s");
	mapchg_age_text(125, b, sizeof(b));
	ck_assert_str_eq(b, "2m 5s");
	mapchg_age_text(7500, b, sizeof(b));
	ck_assert_str_eq(b, "2h 5m");
	mapchg_age_text(30 * 86400 + 3 * 3600, b, sizeof(b));
	ck_assert_str_eq(b, "30d 3h");
	mapchg_age_text(-5, b, sizeof(b));
	ck_assert_str_eq(b, "0s");
}
END_TEST

static Suite *
mapchg_suite(void)
{
	Suite *s = suite_create("mapchg");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, baseline_then_same);
	tcase_add_test(tc, new_held);
	tcase_add_test(tc, hold_zero);
	tcase_add_test(tc, changed_facts);
	tcase_add_test(tc, gone_held_and_incomplete);
	tcase_add_test(tc, ghost_back);
	tcase_add_test(tc, two_services);
	tcase_add_test(tc, accept_baseline);
	tcase_add_test(tc, record_text);
	tcase_add_test(tc, ages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mapchg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
