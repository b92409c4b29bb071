/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/hostid.c: MAC, vendor and name of each distinct
 * client address, from a fixture neighbour table, the fixture registry and
 * a stand-in name lookup; unknown, ambiguous, random and unregistered
 * addresses said so; the text beside a mapping.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "hostid.h"

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

static enum rdns_status
fake_lookup(const char *addr, char *name, size_t namelen)
{
	if (strcmp(addr, "192.168.1.23") == 0) {
		snprintf(name, namelen, "kids-pc.lan");
		return RDNS_CONFIRMED;
	}
	if (strcmp(addr, "192.168.1.10") == 0) {
		snprintf(name, namelen, "router.lan");
		return RDNS_UNCONFIRMED;
	}
	return RDNS_NONAME;
}

static void
table(struct neigh_table *t)
{
	size_t len;
	char *buf = slurp(FIXTURES "/neigh/proc-net-arp.txt", &len);

	neigh_init(t);
	ck_assert_int_eq(neigh_parse_proc_arp(buf, len, t), 0);
	free(buf);
}

START_TEST(entries_and_text)
{
	static const char *const addrs[] = { "192.168.1.23", "192.168.1.10",
	    "192.168.1.23", "192.168.1.99", "192.168.1.230", "10.0.0.1", "",
	    NULL };
	struct neigh_table t;
	struct hostid h;
	struct hostid_opts o = { 1, FIXTURES "/oui", fake_lookup };
	struct deadline dl;
	char text[HOSTID_TEXT_MAX];
	const struct hostid_entry *e;

	table(&t);
	memset(&h, 0, sizeof(h));
	deadline_init(&dl, 10000);
	ck_assert_int_eq(hostid_gather_from(&h, addrs, 8, &t, &o, &dl), 0);
	ck_assert_uint_eq(h.n, 5);	/* duplicates, "" and NULL dropped */
	e = hostid_find(&h, "192.168.1.23");
	ck_assert_ptr_nonnull(e);
	hostid_text(e, 1, text, sizeof(text));
	ck_assert_str_eq(text, "b8:27:eb:12:34:56 Raspberry Pi Foundation, "
	    "kids-pc.lan");
	hostid_text(hostid_find(&h, "192.168.1.10"), 1, text, sizeof(text));
	ck_assert_str_eq(text, "00:11:32:aa:bb:cc Synology Incorporated, "
	    "router.lan (name not confirmed)");
	hostid_text(hostid_find(&h, "192.168.1.99"), 1, text, sizeof(text));
	ck_assert_str_eq(text, "MAC ambiguous, no name");
	hostid_text(hostid_find(&h, "192.168.1.230"), 1, text, sizeof(text));
	ck_assert_str_eq(text, "MAC unknown, no name");
	/* 00:1a:2b is "  Spaced Vendor GmbH  " in the fixture registry */
	hostid_text(hostid_find(&h, "10.0.0.1"), 1, text, sizeof(text));
	ck_assert_str_eq(text, "00:1a:2b:3c:4d:5e Spaced Vendor GmbH, no name");
	ck_assert_ptr_null(hostid_find(&h, "192.168.1.1"));
	hostid_free(&h);
	neigh_free(&t);
}
END_TEST

START_TEST(without_names_or_registry)
{
	static const char *const addrs[] = { "192.168.1.23" };
	struct neigh_table t;
	struct hostid h;
	struct hostid_opts o = { 0, "/nonexistent", NULL };
	struct deadline dl;
	char text[HOSTID_TEXT_MAX];
	struct hostid_entry e;

	table(&t);
	memset(&h, 0, sizeof(h));
	deadline_init(&dl, 10000);
	ck_assert_int_eq(hostid_gather_from(&h, addrs, 1, &t, &o, &dl), 0);
	ck_assert_int_eq(h.oui_rc, IGD_ENOTFOUND);
	hostid_text(&h.e[0], h.oui_rc == 0, text, sizeof(text));
	ck_assert_str_eq(text, "b8:27:eb:12:34:56 vendor unknown (no registry)");
	/* a random (locally administered) address, a registry without it */
	memset(&e, 0, sizeof(e));
	e.found = NEIGH_FOUND;
	memcpy(e.mac, "\xda\xa1\x19\x00\x00\x01", 6);
	hostid_text(&e, 1, text, sizeof(text));
	ck_assert_str_eq(text, "da:a1:19:00:00:01 locally administered");
	memcpy(e.mac, "\x00\x00\x5e\x00\x00\x01", 6);
	hostid_text(&e, 1, text, sizeof(text));
	ck_assert_str_eq(text, "00:00:5e:00:00:01 vendor unknown");
	/* a name lookup that timed out */
	e.named = 1;
	e.name_status = RDNS_PENDING;
	hostid_text(&e, 1, text, sizeof(text));
	ck_assert_str_eq(text, "00:00:5e:00:00:01 vendor unknown, name lookup "
	    "timed out");
	/* a small buffer: cut, terminated */
	hostid_text(&e, 1, text, 10);
	ck_assert_uint_eq(strlen(text), 9);
	hostid_free(&h);
	hostid_free(&h);
	neigh_free(&t);
}
END_TEST

/* The live table of this namespace: loopback is this host; an address
 * nobody has is unknown, never a guess. */
START_TEST(live)
{
	static const char *const addrs[] = { "127.0.0.1", "192.0.2.254" };
	struct hostid h;
	struct hostid_opts o = { 0, NULL, NULL };
	struct deadline dl;
	char text[HOSTID_TEXT_MAX];

	deadline_init(&dl, 5000);
	ck_assert_int_eq(hostid_gather(&h, addrs, 2, &o, &dl), 0);
	ck_assert_int_eq(h.neigh_rc, 0);
	hostid_text(&h.e[0], 1, text, sizeof(text));
	ck_assert_str_eq(text, "this host");
	hostid_text(&h.e[1], 1, text, sizeof(text));
	ck_assert_str_eq(text, "MAC unknown");
	hostid_free(&h);
}
END_TEST

static Suite *
hostid_suite(void)
{
	Suite *s = suite_create("hostid");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, entries_and_text);
	tcase_add_test(tc, without_names_or_registry);
	tcase_add_test(tc, live);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hostid_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
