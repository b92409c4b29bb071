/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/oui.c: the incremental CSV scan on fixture files
 * (quoted fields, doubled quotes, a quoted newline, CRLF, records that are
 * not assignments), longest prefix wins, sub-block files read only when
 * needed, any split of the input gives the same answers, missing and
 * non-regular registry files, and the installed ieee-data registry.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "neigh.h"
#include "oui.h"

#define OUI_FIX FIXTURES "/oui"

static void
ask(struct oui_query *q, const char *mac)
{
	memset(q, 0, sizeof(*q));
	ck_assert_int_eq(neigh_mac_parse(mac, q->mac), 6);
}

static int
resolve(const char *dir, struct oui_query *q, size_t n, struct oui_stats *st)
{
	struct deadline dl;
	char err[256] = "";

	deadline_init(&dl, 10000);
	return oui_resolve(dir, q, n, &dl, st, err, sizeof(err));
}

START_TEST(fixture_answers)
{
	struct oui_query q[7];
	struct oui_stats st;

	ask(&q[0], "b8:27:eb:12:34:56");
	ask(&q[1], "00:11:32:aa:bb:cc");
	ask(&q[2], "f4:0e:11:00:00:01");
	ask(&q[3], "00:1a:2b:3c:4d:5e");
	ask(&q[4], "70:b3:d5:f2:f0:01");	/* MA-S block in 70B3D5 */
	ask(&q[5], "70:b3:d5:10:00:01");	/* MA-M block 70B3D51 */
	ask(&q[6], "da:a1:19:00:00:01");	/* nobody's */
	ck_assert_int_eq(resolve(OUI_FIX, q, 7, &st), 0);
	ck_assert_int_eq(q[0].bits, 24);
	ck_assert_str_eq(q[0].vendor, "Raspberry Pi Foundation");
	ck_assert_str_eq(q[1].vendor, "Synology Incorporated");
	/* doubled quotes and a comma inside a quoted field */
	ck_assert_str_eq(q[2].vendor, "ACME \"Quoted\", Inc.");
	/* trimmed */
	ck_assert_str_eq(q[3].vendor, "Spaced Vendor GmbH");
	ck_assert_int_eq(q[4].bits, 36);
	ck_assert_str_eq(q[4].vendor, "Sub Block Maker");
	ck_assert_int_eq(q[5].bits, 28);
	ck_assert_str_eq(q[5].vendor, "Medium Block Maker");
	ck_assert_int_eq(q[6].bits, 0);
	ck_assert_str_eq(q[6].vendor, "");
	/* oui.csv, then mam, oui36 (iab.csv is absent: not an error) */
	ck_assert_uint_eq(st.files, 3);
	/* 8 data records in oui.csv (the quoted newline is inside one), 3
	 * bad: not hex, too short, unknown registry; then 1 + 2 */
	ck_assert_uint_eq(st.records, 11);
	ck_assert_uint_eq(st.bad_records, 3);
}
END_TEST

START_TEST(subblocks_only_when_needed)
{
	struct oui_query q[1];
	struct oui_stats st;

	ask(&q[0], "b8:27:eb:12:34:56");
	ck_assert_int_eq(resolve(OUI_FIX, q, 1, &st), 0);
	ck_assert_uint_eq(st.files, 1);
	/* in the IEEE's own block but no sub-block matches: the MA-L name */
	ask(&q[0], "70:b3:d5:ff:ff:ff");
	ck_assert_int_eq(resolve(OUI_FIX, q, 1, &st), 0);
	ck_assert_uint_eq(st.files, 3);
	ck_assert_int_eq(q[0].bits, 24);
	ck_assert_str_eq(q[0].vendor, "IEEE Registration Authority");
	ck_assert_int_eq(oui_needs_subblocks(q, 1), 1);
}
END_TEST

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Every split point, and byte by byte, gives the same answers. */
START_TEST(any_split)
{
	size_t len;
	char *buf = slurp(OUI_FIX "/oui.csv", &len);

	for (size_t cut = 0; cut <= len; cut++) {
		struct oui_query q[2];
		struct oui_scan *s;

		ask(&q[0], "f4:0e:11:00:00:01");
		ask(&q[1], "00:1a:2b:00:00:00");
		s = oui_scan_new(q, 2);
		ck_assert_ptr_nonnull(s);
		if (cut == len) {
			for (size_t i = 0; i < len; i++)
				oui_scan_feed(s, buf + i, 1);
		} else {
			oui_scan_feed(s, buf, cut);
			oui_scan_feed(s, buf + cut, len - cut);
		}
		oui_scan_end(s);
		ck_assert_str_eq(q[0].vendor, "ACME \"Quoted\", Inc.");
		ck_assert_str_eq(q[1].vendor, "Spaced Vendor GmbH");
		oui_scan_free(s);
	}
	free(buf);
}
END_TEST

/* A last record without a newline, an over-long name cut, a record of one
 * field. */
START_TEST(edges)
{
	struct oui_query q[2];
	struct oui_scan *s;
	char line[600];
	size_t records, bad;

	ask(&q[0], "00:00:01:00:00:00");
	ask(&q[1], "00:00:02:00:00:00");
	s = oui_scan_new(q, 2);
	memset(line, 0, sizeof(line));
	memcpy(line, "MA-L,000002,", 12);
	memset(line + 12, 'x', 400);
	memcpy(line + 412, ",addr\nlonely\n\n", 14);
	oui_scan_feed(s, line, strlen(line));
	oui_scan_feed(s, "MA-L,000001,Last One", 20);
	ck_assert_int_eq(q[0].bits, 0);
	oui_scan_end(s);
	ck_assert_str_eq(q[0].vendor, "Last One");
	ck_assert_uint_eq(strlen(q[1].vendor), OUI_FIELD_MAX - 1 < OUI_VENDOR_MAX
	    - 1 ? OUI_FIELD_MAX - 1 : OUI_VENDOR_MAX - 1);
	oui_scan_counts(s, &records, &bad);
	ck_assert_uint_eq(records, 3);
	ck_assert_uint_eq(bad, 1);
	oui_scan_free(s);
}
END_TEST

START_TEST(missing_or_odd_files)
{
	struct oui_query q[1];
	struct deadline dl;
	char err[256] = "", dir[] = "/tmp/test_oui.XXXXXX", fifo[300];

	ask(&q[0], "b8:27:eb:12:34:56");
	deadline_init(&dl, 5000);
	ck_assert_int_eq(oui_resolve("/nonexistent", q, 1, &dl, NULL, err,
	    sizeof(err)), IGD_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/oui.csv"));
	ck_assert_int_eq(q[0].bits, 0);
	/* a FIFO in place of the registry must not block */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/oui.csv", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(oui_resolve(dir, q, 1, &dl, NULL, err, sizeof(err)),
	    IGD_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	unlink(fifo);
	rmdir(dir);
	/* nothing asked: nothing read */
	ck_assert_int_eq(oui_resolve("/nonexistent", q, 0, &dl, NULL, err,
	    sizeof(err)), 0);
}
END_TEST

START_TEST(deadline_passed)
{
	struct oui_query q[1];
	struct deadline dl;
	char err[256] = "";

	ask(&q[0], "b8:27:eb:12:34:56");
	deadline_init(&dl, 0);
	ck_assert_int_eq(oui_resolve(OUI_FIX, q, 1, &dl, NULL, err,
	    sizeof(err)), IGD_ETIMEOUT);
	ck_assert_int_eq(q[0].bits, 0);
}
END_TEST

/* The registry Debian installs (ieee-data, a build dependency). */
START_TEST(installed_registry)
{
	struct oui_query q[2];
	struct oui_stats st;

	if (access(OUI_DIR_DEFAULT "/oui.csv", R_OK) != 0) {
		ck_assert_msg(getenv("CI") == NULL || strcmp(getenv("CI"),
		    "true") != 0, "ieee-data not installed (make deps)");
		fprintf(stderr, "SKIP: %s/oui.csv missing\n", OUI_DIR_DEFAULT);
		return;
	}
	ask(&q[0], "b8:27:eb:12:34:56");
	ask(&q[1], "02:00:00:00:00:01");
	ck_assert_int_eq(resolve(NULL, q, 2, &st), 0);
	ck_assert_int_eq(q[0].bits, 24);
	ck_assert_ptr_nonnull(strstr(q[0].vendor, "Raspberry Pi"));
	ck_assert_int_eq(q[1].bits, 0);
	ck_assert_uint_gt(st.records, 10000);
}
END_TEST

static Suite *
oui_suite(void)
{
	Suite *s = suite_create("oui");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fixture_answers);
	tcase_add_test(tc, subblocks_only_when_needed);
	tcase_add_test(tc, any_split);
	tcase_add_test(tc, edges);
	tcase_add_test(tc, missing_or_odd_files);
	tcase_add_test(tc, deadline_passed);
	tcase_add_test(tc, installed_registry);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(oui_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
