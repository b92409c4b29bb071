/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of the quirk table (which devices are known for which quirk)
 * and of the table budget and internal-port-0 handling of the igd module's
 * pure parts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igd.h"
#include "quirk.h"

START_TEST(miniupnpd_versions)
{
	ck_assert_int_eq(quirk_miniupnpd_version(
	    "Debian/12 UPnP/1.1 MiniUPnPd/2.3.1"), 20301);
	ck_assert_int_eq(quirk_miniupnpd_version(
	    "OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.7"), 20307);
	ck_assert_int_eq(quirk_miniupnpd_version("miniupnpd/2.3"), 20300);
	ck_assert_int_eq(quirk_miniupnpd_version("MiniUPnPd/1.9.20150609"),
	    10900);
	ck_assert_int_eq(quirk_miniupnpd_version("Linux UPnP/1.0 HostileIGD/1"),
	    -1);
	ck_assert_int_eq(quirk_miniupnpd_version("MiniUPnPd/x.y"), -1);
	ck_assert_int_eq(quirk_miniupnpd_version("MiniUPnPd/"), -1);
	ck_assert_int_eq(quirk_miniupnpd_version(""), -1);
	ck_assert_int_eq(quirk_miniupnpd_version(NULL), -1);
	/* absurd numbers are no version */
	ck_assert_int_eq(quirk_miniupnpd_version("MiniUPnPd/99999.1"), -1);
}
END_TEST

static unsigned
known(const char *server, const char *manufacturer)
{
	struct quirk_device d = { server, manufacturer, NULL, NULL };

	return quirk_known(&d);
}

START_TEST(known_quirks)
{
	unsigned crash = QUIRK_BIT(QUIRK_LIST_CRASH);
	unsigned iport = QUIRK_BIT(QUIRK_IPORT_ZERO);
	unsigned order = QUIRK_BIT(QUIRK_RULE_ORDER);
	unsigned i402 = QUIRK_BIT(QUIRK_IDX0_402);

	/* every nftables build before 2.3.4, and the iptables builds that
	 * say the same version, may crash on the list action */
	ck_assert_uint_eq(known("X UPnP/1.1 MiniUPnPd/2.1", NULL) & crash, crash);
	ck_assert_uint_eq(known("X UPnP/1.1 MiniUPnPd/2.2.3", NULL) & crash, crash);
	ck_assert_uint_eq(known("X UPnP/1.1 MiniUPnPd/2.3.3", NULL) & crash, crash);
	ck_assert_uint_eq(known("X UPnP/1.1 MiniUPnPd/2.3.4", NULL) & crash, 0);
	ck_assert_uint_eq(known("X UPnP/1.1 MiniUPnPd/2.3.9", NULL) & crash, 0);
	/* a device that does not say: the safe assumption */
	ck_assert_uint_eq(known("Linux UPnP/1.0 Other/1", NULL) & crash, crash);
	ck_assert_uint_eq(known("", NULL) & crash, crash);
	/* internal port 0: 2.3.6 and 2.3.7 only */
	ck_assert_uint_eq(known("MiniUPnPd/2.3.5", NULL) & iport, 0);
	ck_assert_uint_eq(known("MiniUPnPd/2.3.6", NULL) & iport, iport);
	ck_assert_uint_eq(known("MiniUPnPd/2.3.7", NULL) & iport, iport);
	ck_assert_uint_eq(known("MiniUPnPd/2.3.8", NULL) & iport, 0);
	/* rule order from 2.3.4 */
	ck_assert_uint_eq(known("MiniUPnPd/2.3.3", NULL) & order, 0);
	ck_assert_uint_eq(known("MiniUPnPd/2.3.4", NULL) & order, order);
	/* DD-WRT by its header or its description */
	ck_assert_uint_eq(known("Linux/2.4.37 UPnP/1.0 DD-WRT/v24", NULL) & i402,
	    i402);
	ck_assert_uint_eq(known("Linux", "DD-WRT") & i402, i402);
	ck_assert_uint_eq(known("MiniUPnPd/2.3.9", "Linksys") & i402, 0);
}
END_TEST

START_TEST(every_entry_complete)
{
	for (int i = 0; i < QUIRK_COUNT; i++) {
		const struct quirk *q = quirk_get((enum quirk_id)i);

		ck_assert_ptr_nonnull(q);
		ck_assert_int_eq((int)q->id, i);
		ck_assert_uint_gt(strlen(q->name), 0);
		ck_assert_uint_gt(strlen(q->devices), 20);
		ck_assert_uint_gt(strlen(q->problem), 20);
		ck_assert_uint_gt(strlen(q->action), 20);
		ck_assert_uint_gt(strlen(q->fix), 3);
	}
	ck_assert_ptr_null(quirk_get(QUIRK_COUNT));
}
END_TEST

START_TEST(describe)
{
	char buf[512], small[24];
	int n;

	ck_assert_int_eq(quirk_describe(0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	quirk_describe(QUIRK_BIT(QUIRK_IPORT_ZERO), buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "quirk worked around: "
	    "internal-port-0"));
	ck_assert_ptr_nonnull(strstr(buf, "2.3.8"));
	n = quirk_describe(QUIRK_BIT(QUIRK_LIST_CRASH) |
	    QUIRK_BIT(QUIRK_LIST_SHORT), buf, sizeof(buf));
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_ptr_nonnull(strstr(buf, "quirks worked around: list-crash"));
	ck_assert_ptr_nonnull(strstr(buf, "; list-short"));
	/* cut to the buffer, the length it needed returned */
	ck_assert_int_eq(quirk_describe(QUIRK_BIT(QUIRK_LIST_CRASH) |
	    QUIRK_BIT(QUIRK_LIST_SHORT), small, sizeof(small)), n);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

/* The table's budget holds whatever the descriptions weigh. */
START_TEST(table_budget)
{
	struct igd_table t;
	struct igd_mapping m;
	char *big = malloc(7681);
	int rc = 0;
	size_t i;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 7680);
	big[7680] = '\0';
	memset(&t, 0, sizeof(t));
	memset(&m, 0, sizeof(m));
	memcpy(m.protocol, "TCP", 4);
	m.internal_port = 80;
	snprintf(m.internal_client, sizeof(m.internal_client), "10.0.0.2");
	m.description = big;
	for (i = 0; i < IGD_TABLE_MAX && rc == 0; i++) {
		m.external_port = (unsigned)(1 + i % 65535);
		rc = igd_table_add(&t, &m);
	}
	ck_assert_int_eq(rc, IGD_EBUDGET);
	ck_assert_uint_le(t.bytes, IGD_TABLE_BUDGET);
	ck_assert_uint_gt(t.n, 700);
	ck_assert_uint_lt(t.n, IGD_TABLE_BUDGET / 7680);
	{
		char eb[IGD_STRERROR_MAX];

		ck_assert_str_eq(igd_strerror(IGD_EBUDGET, eb, sizeof(eb)),
		    "memory budget for the table reached");
	}
	igd_table_free(&t);
	/* small mappings: the count cap comes first */
	m.description = (char *)"s";
	rc = 0;
	for (i = 0; i <= IGD_TABLE_MAX && rc == 0; i++)
		rc = igd_table_add(&t, &m);
	ck_assert_int_eq(rc, IGD_ELIMIT);
	ck_assert_uint_eq(t.n, IGD_TABLE_MAX);
	igd_table_free(&t);
	free(big);
}
END_TEST

/* MiniUPnPd 2.3.6-2.3.7 answer internal port 0: the entry is kept (and
 * judged on the rest); a missing internal port is still malformed. */
START_TEST(listing_internal_port_zero)
{
	static const char doc[] = "<p:PortMappingList xmlns:p=\"x\">"
	    "<p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost>"
	    "<p:NewExternalPort>4450</p:NewExternalPort>"
	    "<p:NewProtocol>TCP</p:NewProtocol>"
	    "<p:NewInternalPort>0</p:NewInternalPort>"
	    "<p:NewInternalClient>10.78.0.2</p:NewInternalClient>"
	    "<p:NewEnabled>1</p:NewEnabled><p:NewDescription>smb"
	    "</p:NewDescription><p:NewLeaseTime>3600</p:NewLeaseTime>"
	    "</p:PortMappingEntry></p:PortMappingList>";
	static const char noport[] = "<PortMappingList><PortMappingEntry>"
	    "<NewExternalPort>4450</NewExternalPort><NewProtocol>TCP"
	    "</NewProtocol><NewInternalClient>10.78.0.2</NewInternalClient>"
	    "</PortMappingEntry></PortMappingList>";
	struct igd_table t;
	size_t added;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(igd_listing_parse(doc, strlen(doc), 1, &t, &added), 0);
	ck_assert_uint_eq(added, 1);
	ck_assert_uint_eq(t.m[0].internal_port, 0);
	ck_assert_uint_eq(t.m[0].external_port, 4450);
	ck_assert_str_eq(t.m[0].internal_client, "10.78.0.2");
	ck_assert_str_eq(t.m[0].description, "smb");
	ck_assert_int_eq(igd_listing_parse(noport, strlen(noport), 1, &t,
	    &added), IGD_EPROTOCOL);
	ck_assert_uint_eq(added, 0);
	igd_table_free(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("quirk");
	TCase *tc = tcase_create("quirks");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, miniupnpd_versions);
	tcase_add_test(tc, known_quirks);
	tcase_add_test(tc, every_entry_complete);
	tcase_add_test(tc, describe);
	tcase_add_test(tc, table_budget);
	tcase_add_test(tc, listing_internal_port_zero);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
