/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz the host-identity parsers: the first byte picks one, the rest is its
 * input.  0: a netlink datagram (neigh_parse_netlink; aligned copy),
 * 1: /proc/net/arp text, 2: registry CSV (oui_scan, fed in two parts split
 * at the second byte), 3: a line from the name-lookup child.
 */
#include "fuzz_common.h"
#include "neigh.h"
#include "oui.h"
#include "rdns.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct neigh_table t;
		void *buf = malloc(size - 1);	/* malloc: aligned for nlmsghdr */
		unsigned char mac[6];

		if (buf == NULL)
			abort();
		memcpy(buf, data + 1, size - 1);
		neigh_init(&t);
		(void)neigh_parse_netlink(buf, size - 1, &t);
		FUZZ_ASSERT(t.n <= NEIGH_ENTRIES_MAX);
		for (size_t i = 0; i < t.n; i++)
			FUZZ_ASSERT(t.e[i].family == 2 || t.e[i].family == 10);
		(void)neigh_lookup(&t, "10.0.0.1", mac, NULL);
		neigh_free(&t);
		free(buf);
		break;
	}
	case 1: {
		struct neigh_table t;

		neigh_init(&t);
		(void)neigh_parse_proc_arp((const char *)data + 1, size - 1, &t);
		neigh_free(&t);
		break;
	}
	case 2: {
		struct oui_query q[3];
		struct oui_scan *s;
		size_t cut = data[1] % size;

		memset(q, 0, sizeof(q));
		q[1].mac[0] = 0xb8;
		memset(q[2].mac, 0xff, 6);
		s = oui_scan_new(q, 3);
		if (s == NULL)
			abort();
		oui_scan_feed(s, (const char *)data, cut);
		oui_scan_feed(s, (const char *)data + cut, size - cut);
		oui_scan_end(s);
		for (int i = 0; i < 3; i++) {
			FUZZ_CHECK_FIELD(q[i].vendor);
			FUZZ_ASSERT(q[i].bits == 0 || q[i].bits == 24 ||
			    q[i].bits == 28 || q[i].bits == 36);
		}
		oui_scan_free(s);
		break;
	}
	default: {
		struct rdns_query q[4];

		memset(q, 0, sizeof(q));
		if (rdns_parse_line((const char *)data + 1, size - 1, q, 4) ==
		    0) {
			for (int i = 0; i < 4; i++) {
				FUZZ_CHECK_FIELD(q[i].name);
				FUZZ_ASSERT(q[i].name[0] == '\0' ||
				    rdns_name_ok(q[i].name, strlen(q[i].name)));
			}
		}
		break;
	}
	}
	return 0;
}
