/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/neigh.c: the /proc/net/arp and rtnetlink parsers
 * (fixture text, hand-built netlink datagrams), lookups (unknown,
 * ambiguous), MAC address text, the entry cap, and one live read of this
 * host's own table (no traffic: a dump request to the kernel).
 */
#include <arpa/inet.h>
#include <check.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "neigh.h"

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	ck_assert(snprintf(path, sizeof(path), "%s/neigh/%s", FIXTURES, name) <
	    (int)sizeof(path));
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static const char *
mac_text(const unsigned char mac[6])
{
	static char buf[NEIGH_MAC_TEXT];

	ck_assert_int_eq(neigh_mac_format(mac, buf, sizeof(buf)), 0);
	return buf;
}

START_TEST(proc_arp_fixture)
{
	struct neigh_table t;
	unsigned char mac[6];
	enum neigh_kind kind;
	size_t len;
	char *buf = slurp("proc-net-arp.txt", &len);

	neigh_init(&t);
	ck_assert_int_eq(neigh_parse_proc_arp(buf, len, &t), 0);
	/* .23, .10, .99 twice, 10.0.0.1; incomplete, zero, bad MAC skipped */
	ck_assert_uint_eq(t.n, 5);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.23", mac, &kind),
	    NEIGH_FOUND);
	ck_assert_str_eq(mac_text(mac), "b8:27:eb:12:34:56");
	ck_assert_int_eq(kind, NEIGH_SEEN);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.10", mac, &kind),
	    NEIGH_FOUND);
	ck_assert_int_eq(kind, NEIGH_PERMANENT);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.66", mac, NULL),
	    NEIGH_UNKNOWN);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.77", mac, NULL),
	    NEIGH_UNKNOWN);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.88", mac, NULL),
	    NEIGH_UNKNOWN);
	/* one address, two MAC addresses: never pick one */
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.99", mac, NULL),
	    NEIGH_AMBIGUOUS);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.230", mac, NULL),
	    NEIGH_UNKNOWN);
	ck_assert_int_eq(neigh_lookup(&t, "kids-pc.lan", mac, NULL),
	    NEIGH_BADADDR);
	ck_assert_int_eq(neigh_lookup(&t, NULL, mac, NULL), NEIGH_BADADDR);
	neigh_free(&t);
	free(buf);
}
END_TEST

START_TEST(proc_arp_bad_header)
{
	struct neigh_table t;
	static const char text[] = "192.168.1.1 0x1 0x2 aa:bb:cc:dd:ee:ff * x\n";

	neigh_init(&t);
	ck_assert_int_eq(neigh_parse_proc_arp(text, sizeof(text) - 1, &t),
	    IGD_EPROTOCOL);
	ck_assert_int_eq(neigh_parse_proc_arp("", 0, &t), IGD_EPROTOCOL);
	ck_assert_uint_eq(t.n, 0);
	neigh_free(&t);
}
END_TEST

/* ---- netlink datagrams built by hand ---- */

struct nlbuf {
	unsigned char b[4096];
	size_t len;
};

static void
nl_add_neigh(struct nlbuf *nb, int family, const void *dst, size_t dstlen,
    const void *ll, size_t lllen, unsigned state, unsigned flags,
    unsigned short type)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(nb->b + nb->len);
	struct ndmsg *nd = NLMSG_DATA(h);
	struct rtattr *rta;
	size_t len = NLMSG_LENGTH(sizeof(*nd));

	ck_assert(nb->len + 256 < sizeof(nb->b));
	memset(h, 0, 256);
	h->nlmsg_type = type;
	nd->ndm_family = (unsigned char)family;
	nd->ndm_state = (unsigned short)state;
	nd->ndm_flags = (unsigned char)flags;
	nd->ndm_ifindex = 3;
	if (dst != NULL) {
		rta = (struct rtattr *)((unsigned char *)h + NLMSG_ALIGN(len));
		rta->rta_type = NDA_DST;
		rta->rta_len = (unsigned short)RTA_LENGTH(dstlen);
		memcpy(RTA_DATA(rta), dst, dstlen);
		len = NLMSG_ALIGN(len) + RTA_ALIGN(rta->rta_len);
	}
	if (ll != NULL) {
		rta = (struct rtattr *)((unsigned char *)h + NLMSG_ALIGN(len));
		rta->rta_type = NDA_LLADDR;
		rta->rta_len = (unsigned short)RTA_LENGTH(lllen);
		memcpy(RTA_DATA(rta), ll, lllen);
		len = NLMSG_ALIGN(len) + RTA_ALIGN(rta->rta_len);
	}
	h->nlmsg_len = (unsigned)len;
	nb->len += NLMSG_ALIGN(len);
}

static void
nl_add_type(struct nlbuf *nb, unsigned short type)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(nb->b + nb->len);

	memset(h, 0, NLMSG_LENGTH(sizeof(int)));
	h->nlmsg_type = type;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	nb->len += NLMSG_ALIGN(h->nlmsg_len);
}

static const unsigned char mac_a[6] = { 0xb8, 0x27, 0xeb, 0x12, 0x34, 0x56 };
static const unsigned char mac_b[6] = { 0x00, 0x11, 0x32, 0xaa, 0xbb, 0xcc };

START_TEST(netlink_entries)
{
	struct nlbuf nb = { .len = 0 };
	struct neigh_table t;
	unsigned char v4[4], v4b[4], v4c[4], v6[16], mac[6];
	static const unsigned char ib[20] = { 1 };
	enum neigh_kind kind;

	inet_pton(AF_INET, "192.168.1.23", v4);
	inet_pton(AF_INET, "192.168.1.24", v4b);
	inet_pton(AF_INET, "192.168.1.25", v4c);
	inet_pton(AF_INET6, "fd00::23", v6);
	nl_add_neigh(&nb, AF_INET, v4, 4, mac_a, 6, NUD_STALE, 0,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_INET6, v6, 16, mac_b, 6, NUD_PERMANENT, 0,
	    RTM_NEWNEIGH);
	/* kept: NOARP (as permanent) */
	nl_add_neigh(&nb, AF_INET, v4b, 4, mac_b, 6, NUD_NOARP, 0,
	    RTM_NEWNEIGH);
	/* skipped: failed, incomplete, proxy, 20-byte lladdr, no lladdr,
	 * a bridge FDB entry, an address of the wrong length */
	nl_add_neigh(&nb, AF_INET, v4c, 4, mac_b, 6, NUD_FAILED, 0,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_INET, v4c, 4, mac_b, 6, NUD_INCOMPLETE, 0,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_INET, v4b, 4, mac_b, 6, NUD_REACHABLE, NTF_PROXY,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_INET, v4c, 4, ib, 20, NUD_REACHABLE, 0,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_INET, v4c, 4, NULL, 0, NUD_REACHABLE, 0,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_BRIDGE, NULL, 0, mac_b, 6, NUD_REACHABLE, 0,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_INET, v6, 16, mac_b, 6, NUD_REACHABLE, 0,
	    RTM_NEWNEIGH);
	nl_add_neigh(&nb, AF_INET, v4c, 4, mac_b, 6, NUD_REACHABLE, 0,
	    RTM_DELNEIGH);

	neigh_init(&t);
	ck_assert_int_eq(neigh_parse_netlink(nb.b, nb.len, &t), 0);
	ck_assert_uint_eq(t.n, 3);
	/* a stale entry is found, but not confirmed: a policy never
	 * allows by it (the host may have left) */
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.23", mac, &kind),
	    NEIGH_FOUND);
	ck_assert_str_eq(mac_text(mac), "b8:27:eb:12:34:56");
	ck_assert_int_eq(kind, NEIGH_SEEN);
	ck_assert_int_eq(neigh_kind_confirmed(kind), 0);
	ck_assert_str_eq(neigh_kind_name(kind), "stale");
	ck_assert_int_eq(neigh_lookup(&t, "fd00:0::23", mac, &kind),
	    NEIGH_FOUND);
	ck_assert_str_eq(mac_text(mac), "00:11:32:aa:bb:cc");
	ck_assert_int_eq(kind, NEIGH_PERMANENT);
	ck_assert_int_eq(neigh_kind_confirmed(kind), 1);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.24", mac, &kind),
	    NEIGH_FOUND);
	ck_assert_int_eq(kind, NEIGH_PERMANENT);	/* NOARP */
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.25", mac, NULL),
	    NEIGH_UNKNOWN);
	/* the same address on two interfaces with the same MAC: found,
	 * and confirmed since one of the entries is reachable */
	nb.len = 0;
	nl_add_neigh(&nb, AF_INET, v4, 4, mac_a, 6, NUD_REACHABLE, 0,
	    RTM_NEWNEIGH);
	nl_add_type(&nb, NLMSG_DONE);
	ck_assert_int_eq(neigh_parse_netlink(nb.b, nb.len, &t), 1);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.23", mac, &kind),
	    NEIGH_FOUND);
	ck_assert_int_eq(kind, NEIGH_REACHABLE);
	ck_assert_int_eq(neigh_kind_confirmed(kind), 1);
	/* then another MAC for it: ambiguous */
	nb.len = 0;
	nl_add_neigh(&nb, AF_INET, v4, 4, mac_b, 6, NUD_REACHABLE, 0,
	    RTM_NEWNEIGH);
	ck_assert_int_eq(neigh_parse_netlink(nb.b, nb.len, &t), 0);
	ck_assert_int_eq(neigh_lookup(&t, "192.168.1.23", mac, NULL),
	    NEIGH_AMBIGUOUS);
	neigh_free(&t);
}
END_TEST

START_TEST(netlink_malformed)
{
	struct nlbuf nb = { .len = 0 };
	struct neigh_table t;
	unsigned char v4[4] = { 10, 0, 0, 1 };

	neigh_init(&t);
	nl_add_type(&nb, NLMSG_ERROR);
	ck_assert_int_eq(neigh_parse_netlink(nb.b, nb.len, &t), IGD_EPROTOCOL);
	/* a message cut in the middle */
	nb.len = 0;
	nl_add_neigh(&nb, AF_INET, v4, 4, mac_a, 6, NUD_REACHABLE, 0,
	    RTM_NEWNEIGH);
	ck_assert_int_eq(neigh_parse_netlink(nb.b, nb.len - 6, &t),
	    IGD_EPROTOCOL);
	/* a header claiming more than there is */
	((struct nlmsghdr *)nb.b)->nlmsg_len = 4000;
	ck_assert_int_eq(neigh_parse_netlink(nb.b, nb.len, &t), IGD_EPROTOCOL);
	/* a NEWNEIGH too short for its ndmsg */
	nb.len = 0;
	nl_add_type(&nb, RTM_NEWNEIGH);
	((struct nlmsghdr *)nb.b)->nlmsg_len = NLMSG_LENGTH(2);
	ck_assert_int_eq(neigh_parse_netlink(nb.b, NLMSG_ALIGN(NLMSG_LENGTH(2)),
	    &t), IGD_EPROTOCOL);
	/* the last message's length not aligned and no padding after it:
	 * the remaining length must not wrap around (found by fuzz_neigh) */
	{
		size_t ulen = NLMSG_LENGTH(sizeof(struct ndmsg)) + 5;
		struct nlmsghdr *u = calloc(1, ulen);

		ck_assert_ptr_nonnull(u);
		u->nlmsg_type = RTM_NEWNEIGH;
		u->nlmsg_len = (unsigned)ulen;
		ck_assert_int_eq(neigh_parse_netlink(u, ulen, &t),
		    IGD_EPROTOCOL);
		free(u);
	}
	ck_assert_uint_eq(t.n, 0);
	neigh_free(&t);
}
END_TEST

START_TEST(entry_cap)
{
	struct nlbuf nb;
	struct neigh_table t;
	unsigned char mac[6];

	neigh_init(&t);
	for (unsigned i = 0; i <= NEIGH_ENTRIES_MAX; i++) {
		unsigned char a[4] = { 10, (unsigned char)(i >> 16),
		    (unsigned char)(i >> 8), (unsigned char)i };

		nb.len = 0;
		nl_add_neigh(&nb, AF_INET, a, 4, mac_a, 6, NUD_REACHABLE, 0,
		    RTM_NEWNEIGH);
		ck_assert_int_eq(neigh_parse_netlink(nb.b, nb.len, &t), 0);
	}
	ck_assert_uint_eq(t.n, NEIGH_ENTRIES_MAX);
	ck_assert_int_eq(t.truncated, 1);
	ck_assert_int_eq(neigh_lookup(&t, "10.0.0.0", mac, NULL), NEIGH_FOUND);
	neigh_free(&t);
	ck_assert_ptr_null(t.e);
	neigh_free(NULL);
}
END_TEST

START_TEST(mac_text_parse)
{
	unsigned char m[6];

	ck_assert_int_eq(neigh_mac_parse("b8:27:eb:12:34:56", m), 6);
	ck_assert_str_eq(mac_text(m), "b8:27:eb:12:34:56");
	ck_assert_int_eq(neigh_mac_parse("B8-27-EB-12-34-56", m), 6);
	ck_assert_str_eq(mac_text(m), "b8:27:eb:12:34:56");
	ck_assert_int_eq(neigh_mac_parse("b827eb123456", m), 6);
	ck_assert_int_eq(neigh_mac_parse("b8:27:eb", m), 3);
	ck_assert_str_eq(mac_text(m), "b8:27:eb:00:00:00");
	ck_assert_int_eq(neigh_mac_parse("B827EB", m), 3);
	ck_assert_int_eq(neigh_mac_parse("b8", m), 1);
	ck_assert_int_eq(neigh_mac_parse("b8:27-eb", m), -1);
	ck_assert_int_eq(neigh_mac_parse("b8:27:eb:", m), -1);
	ck_assert_int_eq(neigh_mac_parse("b8:2:eb", m), -1);
	ck_assert_int_eq(neigh_mac_parse("b8:27:eb:12:34:56:78", m), -1);
	ck_assert_int_eq(neigh_mac_parse("g8:27:eb", m), -1);
	ck_assert_int_eq(neigh_mac_parse("", m), -1);
	ck_assert_int_eq(neigh_mac_parse(NULL, m), -1);
	ck_assert_int_eq(neigh_mac_parse("b8.27.eb", m), -1);
	neigh_mac_parse("da:a1:19:00:00:01", m);
	ck_assert_int_eq(neigh_mac_is_local(m), 1);
	neigh_mac_parse("b8:27:eb:00:00:01", m);
	ck_assert_int_eq(neigh_mac_is_local(m), 0);
	{
		char small[17];

		ck_assert_int_eq(neigh_mac_format(m, small, sizeof(small)), -1);
	}
}
END_TEST

/* The real kernel table of this (test) namespace: readable, and no entry
 * for loopback. */
START_TEST(live_read)
{
	struct neigh_table t;
	struct deadline dl;
	unsigned char mac[6];
	char err[256] = "";

	neigh_init(&t);
	deadline_init(&dl, 5000);
	ck_assert_msg(neigh_read(&t, &dl, err, sizeof(err)) == 0, "%s", err);
	ck_assert(t.source == NEIGH_SRC_NETLINK || t.source == NEIGH_SRC_PROC);
	ck_assert_int_eq(neigh_lookup(&t, "127.0.0.1", mac, NULL),
	    NEIGH_UNKNOWN);
	neigh_free(&t);
}
END_TEST

static Suite *
neigh_suite(void)
{
	Suite *s = suite_create("neigh");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, proc_arp_fixture);
	tcase_add_test(tc, proc_arp_bad_header);
	tcase_add_test(tc, netlink_entries);
	tcase_add_test(tc, netlink_malformed);
	tcase_add_test(tc, entry_cap);
	tcase_add_test(tc, mac_text_parse);
	tcase_add_test(tc, live_read);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(neigh_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
