/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ssdp: finding IGDs with SSDP M-SEARCH, multicast or unicast to one host.
 *
 * The search ends as soon as the answer is decided (the first acceptable IGD
 * answered) unless a census was asked for, then it waits its window.  An
 * answer whose LOCATION host is not the address that sent it is refused and
 * counted: following it would let any host on the LAN point the monitor at
 * any address.  ssdp_parse() is pure.
 */
#ifndef CHECK_IGD_SSDP_H
#define CHECK_IGD_SSDP_H

#include <stddef.h>
#include <stdint.h>
#include "deadline.h"
#include "http.h"

#define SSDP_ANSWERS_MAX    1024	/* distinct IGD answers kept (a census
					   counts up to expect_count's 1000) */
#define SSDP_DATAGRAMS_MAX  20000	/* datagrams read per search, then stop */
#define SSDP_ADDR_MAX       64

struct ssdp_answer {
	char location[HTTP_URL_MAX];
	char st[256];
	char usn[256];
	char server[HTTP_SERVER_MAX];
	char sender[SSDP_ADDR_MAX];	/* numeric address that sent it */
	int64_t elapsed_ms;		/* since the first M-SEARCH */
};

/*
 * Parse one SSDP answer datagram (an HTTP/1.1 200 head).  Returns 0 with
 * location, st, usn and server filled (sender untouched), or IGD_EPROTOCOL
 * (not a 200 answer, or no LOCATION).
 */
int ssdp_parse(const char *buf, size_t len, struct ssdp_answer *a);

/* 1 when the answer's ST names an InternetGatewayDevice. */
int ssdp_is_igd(const struct ssdp_answer *a);

/* 1 when the LOCATION URL's host is the numeric address that sent it. */
int ssdp_location_is_sender(const struct ssdp_answer *a);

struct ssdp_search {
	const char *unicast;	/* -H: send to this address only; NULL = multicast */
	unsigned port;		/* destination port, 1900 */
	const char *iface;	/* -m: interface name or local address, or NULL */
	int census;		/* wait the whole window and keep every IGD */
	int window_ms;		/* census window, and the resend pace */
	const char *want_udn;	/* without census: stop only when this UDN
				   (the USN's "uuid:..." part) answered */
	const char *want_location;	/* or this LOCATION; NULL = any IGD */
};

/* 1 when the answer is the one s waits for (any IGD when nothing is
 * pinned), else 0. */
int ssdp_is_wanted(const struct ssdp_search *s, const struct ssdp_answer *a);

struct ssdp_result {
	struct ssdp_answer answers[SSDP_ANSWERS_MAX];
	size_t n;
	unsigned refused_location;	/* LOCATION pointed elsewhere */
	unsigned other_types;		/* answers for other device types */
	unsigned duplicates;
	unsigned malformed;
	unsigned foreign;		/* unicast: answers from another host */
	unsigned datagrams;		/* read and looked at */
	/* IGD answers that came once SSDP_ANSWERS_MAX were kept, with a
	 * LOCATION none of the kept ones has.  Not a count of devices: an
	 * answer to each of several searches counts each time.  Non-zero
	 * means more than SSDP_ANSWERS_MAX distinct IGDs answered. */
	unsigned over_cap;
	int stopped;			/* 1: more than SSDP_DATAGRAMS_MAX
					   datagrams came; reading stopped there,
					   so who else answered is not known */
	char refused_example[HTTP_URL_MAX];	/* one refused LOCATION */
};

/*
 * Search for IGDs.  Returns 0 with *res filled (res->n may be 0: nobody
 * answered by the deadline), or a negative IGD_E* code with err set (bad
 * address or interface, socket failure).
 */
int ssdp_search(const struct ssdp_search *s, const struct deadline *dl,
    struct ssdp_result *res, char *err, size_t errlen);

#endif
