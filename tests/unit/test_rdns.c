/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/rdns.c: the child's line format, host name checks,
 * lookups through a stand-in lookup function (the deadline cuts a lookup
 * that hangs, the child is reaped, a bad name is refused), and the real
 * resolver on 127.0.0.1 only when /etc/hosts answers it (no DNS traffic).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "rdns.h"

START_TEST(name_checks)
{
	ck_assert_int_eq(rdns_name_ok("kids-pc.lan", 11), 1);
	ck_assert_int_eq(rdns_name_ok("a_b.c", 5), 1);
	ck_assert_int_eq(rdns_name_ok("", 0), 0);
	ck_assert_int_eq(rdns_name_ok("a..b", 4), 0);
	ck_assert_int_eq(rdns_name_ok(".a", 2), 0);
	ck_assert_int_eq(rdns_name_ok("a|b", 3), 0);
	ck_assert_int_eq(rdns_name_ok("a b", 3), 0);
	ck_assert_int_eq(rdns_name_ok("a\nb", 3), 0);
	ck_assert_int_eq(rdns_name_ok("\xc3\xa9t\xc3\xa9", 6), 0);
	{
		char label[70];

		memset(label, 'a', 64);
		ck_assert_int_eq(rdns_name_ok(label, 63), 1);
		ck_assert_int_eq(rdns_name_ok(label, 64), 0);
	}
}
END_TEST

START_TEST(lines)
{
	struct rdns_query q[3];

	memset(q, 0, sizeof(q));
	ck_assert_int_eq(rdns_parse_line("0 1 kids-pc.lan", 15, q, 3), 0);
	ck_assert_int_eq(q[0].status, RDNS_CONFIRMED);
	ck_assert_str_eq(q[0].name, "kids-pc.lan");
	ck_assert_int_eq(rdns_parse_line("2 3", 3, q, 3), 0);
	ck_assert_int_eq(q[2].status, RDNS_NONAME);
	ck_assert_int_eq(rdns_parse_line("1 2 x.y", 7, q, 3), 0);
	ck_assert_int_eq(q[1].status, RDNS_UNCONFIRMED);
	/* refused: index out of range, bad code, name where none belongs,
	 * a bad name, no name, no index */
	ck_assert_int_eq(rdns_parse_line("3 3", 3, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line("10 3", 4, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line("0 9", 3, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line("0 0", 3, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line("0 3 x", 5, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line("0 1 a|b", 7, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line("0 1", 3, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line(" 1 x", 4, q, 3), -1);
	ck_assert_int_eq(rdns_parse_line("", 0, q, 3), -1);
	ck_assert_str_eq(q[0].name, "kids-pc.lan");
}
END_TEST

static enum rdns_status
fake_lookup(const char *addr, char *name, size_t namelen)
{
	if (strcmp(addr, "192.168.1.23") == 0) {
		snprintf(name, namelen, "kids-pc.lan");
		return RDNS_CONFIRMED;
	}
	if (strcmp(addr, "192.168.1.24") == 0) {
		snprintf(name, namelen, "router-ok|x");
		return RDNS_UNCONFIRMED;
	}
	if (strcmp(addr, "192.168.1.25") == 0) {
		snprintf(name, namelen, "claims.example");
		return RDNS_UNCONFIRMED;
	}
	if (strcmp(addr, "192.168.1.99") == 0)
		sleep(30);		/* a resolver that never answers */
	return RDNS_NONAME;
}

static void
set_addr(struct rdns_query *q, const char *a)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->addr, sizeof(q->addr), "%s", a);
}

START_TEST(through_child)
{
	struct rdns_query q[4];
	struct deadline dl;
	char err[256] = "";

	set_addr(&q[0], "192.168.1.23");
	set_addr(&q[1], "192.168.1.24");
	set_addr(&q[2], "192.168.1.25");
	set_addr(&q[3], "192.168.1.26");
	deadline_init(&dl, 10000);
	ck_assert_int_eq(rdns_resolve(q, 4, fake_lookup, &dl, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(q[0].status, RDNS_CONFIRMED);
	ck_assert_str_eq(q[0].name, "kids-pc.lan");
	ck_assert_int_eq(q[1].status, RDNS_BADNAME);
	ck_assert_str_eq(q[1].name, "");
	ck_assert_int_eq(q[2].status, RDNS_UNCONFIRMED);
	ck_assert_str_eq(q[2].name, "claims.example");
	ck_assert_int_eq(q[3].status, RDNS_NONAME);
	/* the child was reaped */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

/* A hanging lookup: the deadline ends the wait, earlier answers stay,
 * the child is killed and reaped. */
START_TEST(deadline_cuts)
{
	struct rdns_query q[3];
	struct deadline dl;
	char err[256] = "";
	int64_t t0 = deadline_now_ms();

	set_addr(&q[0], "192.168.1.23");
	set_addr(&q[1], "192.168.1.99");
	set_addr(&q[2], "192.168.1.26");
	deadline_init(&dl, 300);
	ck_assert_int_eq(rdns_resolve(q, 3, fake_lookup, &dl, err,
	    sizeof(err)), IGD_ETIMEOUT);
	/* the promise: the deadline (plus a loaded machine's margin), not
	 * the lookup's 30 s */
	ck_assert_int_lt(deadline_now_ms() - t0, 10000);
	ck_assert_int_eq(q[0].status, RDNS_CONFIRMED);
	ck_assert_int_eq(q[1].status, RDNS_PENDING);
	ck_assert_int_eq(q[2].status, RDNS_PENDING);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_str_eq(rdns_status_text(RDNS_PENDING),
	    "name lookup timed out");
}
END_TEST

START_TEST(nothing_asked)
{
	struct deadline dl;

	deadline_init(&dl, 1000);
	ck_assert_int_eq(rdns_resolve(NULL, 0, NULL, &dl, NULL, 0), 0);
}
END_TEST

/* 1 when hosts lookups go to /etc/hosts first and it maps 127.0.0.1 to
 * localhost: then the real resolver answers without DNS traffic. */
static int
hosts_answers_loopback(void)
{
	char line[512];
	int files_first = 0, mapped = 0;
	FILE *f = fopen("/etc/nsswitch.conf", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char db[32], first[32];

		if (sscanf(line, "%31s %31s", db, first) == 2 &&
		    strcmp(db, "hosts:") == 0 && strcmp(first, "files") == 0)
			files_first = 1;
	}
	fclose(f);
	f = fopen("/etc/hosts", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char a[64], n[64];

		if (sscanf(line, "%63s %63s", a, n) == 2 &&
		    strcmp(a, "127.0.0.1") == 0 && strcmp(n, "localhost") == 0)
			mapped = 1;
	}
	fclose(f);
	return files_first && mapped;
}

START_TEST(system_loopback)
{
	struct rdns_query q[2];
	struct deadline dl;
	char err[256] = "";

	if (!hosts_answers_loopback()) {
		fprintf(stderr, "SKIP: /etc/hosts does not answer 127.0.0.1 "
		    "first (no DNS queries from unit tests)\n");
		return;
	}
	set_addr(&q[0], "127.0.0.1");
	set_addr(&q[1], "not-an-address");
	deadline_init(&dl, 5000);
	ck_assert_int_eq(rdns_resolve(q, 2, NULL, &dl, err, sizeof(err)), 0);
	ck_assert_int_eq(q[0].status, RDNS_CONFIRMED);
	ck_assert_str_eq(q[0].name, "localhost");
	ck_assert_int_eq(q[1].status, RDNS_BADADDR);
}
END_TEST

static Suite *
rdns_suite(void)
{
	Suite *s = suite_create("rdns");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, name_checks);
	tcase_add_test(tc, lines);
	tcase_add_test(tc, through_child);
	tcase_add_test(tc, deadline_cuts);
	tcase_add_test(tc, nothing_asked);
	tcase_add_test(tc, system_loopback);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rdns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
