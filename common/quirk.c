/* SPDX-License-Identifier: GPL-3.0-or-later */
/* quirk: the table of device quirks (see quirk.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "quirk.h"

static const struct quirk quirks[QUIRK_COUNT] = {
	{ QUIRK_LIST_CRASH, "list-crash",
	  "MiniUPnPd built for nftables from 2.1 (the backend's first "
	  "release) to 2.3.3: Debian 11 (2.2.1), Debian 12 (2.3.1), OpenWrt "
	  "22.03 and 23.05 (2.3.3). Evidence: SERVER header MiniUPnPd/X.Y.Z "
	  "below 2.3.4. The iptables build announces the same version and "
	  "cannot be told apart, so both are treated alike, as is every "
	  "device that does not announce MiniUPnPd 2.3.4 or later",
	  "GetListOfPortMappings with more than 128 mappings of the asked "
	  "protocol in the asked port range overruns an array that is never "
	  "grown (realloc(): invalid next size): the router's UPnP daemon "
	  "dies, whatever NewNumberOfPorts says",
	  "auto never asks such a device for a range that could hold more "
	  "than 128 mappings of one protocol: it probes index 128 of the "
	  "walk first and reads a larger table by port ranges that cannot "
	  "hold more, after part of the index walk (or by the walk when "
	  "that gives no evidence of a whole table); the verdict says so. "
	  "--list-method=list is the administrator's word "
	  "that the device is safe (an iptables build) and lifts the limit",
	  "miniupnpd 2.3.4 (commit a1ade45, June 2023)" },
	{ QUIRK_IPORT_ZERO, "internal-port-0",
	  "MiniUPnPd 2.3.6 and 2.3.7 (nftables; OpenWrt 24.10 shipped 2.3.7). "
	  "Evidence: SERVER header version, and every read action answering "
	  "NewInternalPort 0 (upnpc -l shows 4450->10.78.0.2:0)",
	  "the internal port of every mapping is reported as 0, so a mapping "
	  "to port 445 cannot be recognised by its internal port",
	  "the mapping is still read and judged on everything else (client, "
	  "external port, description, lease, UPnProxy); rules that need the "
	  "internal port say they cannot judge it, with the policy's state "
	  "(WARNING by default), never OK",
	  "miniupnpd 2.3.8 (upstream issue 768)" },
	{ QUIRK_RULE_ORDER, "rule-order",
	  "MiniUPnPd 2.3.4 and later (and other stacks): evidence is "
	  "behaviour, a list page not sorted by port",
	  "GetListOfPortMappings answers in rule order: a full page whose "
	  "ports happen to ascend says nothing about the ports it left out",
	  "completeness is never inferred from order: a full page splits "
	  "its range until every part comes back short, and the count is "
	  "checked against the end of the index walk",
	  "none needed (the standard does not require an order)" },
	{ QUIRK_LIST_SHORT, "list-short",
	  "OPNsense's miniupnpd (an empty list while the walk has entries), "
	  "devices that answer fewer entries than NewNumberOfPorts asked, or "
	  "a list that drops mappings sharing a port. Evidence: behaviour, "
	  "the index walk holds more entries than the list gave",
	  "GetListOfPortMappings returns fewer mappings than the device "
	  "holds; a table read by the list alone would miss them",
	  "the count the list found is checked against the end of the index "
	  "walk (entry N-1 exists and was listed, entry N gives 713/714); on "
	  "a disagreement the table is read by the walk, and the verdict "
	  "says so",
	  "none known" },
	{ QUIRK_IDX0_402, "index0-402",
	  "DD-WRT v24 (evidence: DD-WRT in the SERVER header, manufacturer, "
	  "model or friendly name), answering GetGenericPortMappingEntry(0) "
	  "with 402 Invalid Args when its table is empty",
	  "an empty table is answered with 402 Invalid Args instead of 713 "
	  "SpecifiedArrayIndexInvalid, which reads as an error",
	  "a 402 at index 0 is an empty table on a device known to do it "
	  "(OK), and WARNING naming this quirk on any other device; a 402 "
	  "later in the walk leaves the table incomplete",
	  "none (DD-WRT v24 is no longer maintained)" },
};

/* Case-insensitive strstr (strcasestr is a GNU extension). */
static const char *
find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

const struct quirk *
quirk_get(enum quirk_id id)
{
	if ((unsigned)id >= QUIRK_COUNT)
		return NULL;
	return &quirks[id];
}

int
quirk_miniupnpd_version(const char *server)
{
	const char *p;
	unsigned v[3] = { 0, 0, 0 };
	int i;

	if (server == NULL)
		return -1;
	p = find_ci(server, "MiniUPnPd/");
	if (p == NULL)
		return -1;
	p += 10;
	for (i = 0; i < 3; i++) {
		unsigned x = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			x = x * 10 + (unsigned)(*p - '0');
			p++;
			digits++;
		}
		if (digits == 0 || x > 99)
			break;
		v[i] = x;
		if (*p != '.')
			break;
		p++;
	}
	if (i < 1)
		return -1;	/* no "major.minor" */
	return (int)(v[0] * 10000 + v[1] * 100 + v[2]);
}

static int
has(const char *field, const char *what)
{
	return field != NULL && find_ci(field, what) != NULL;
}

unsigned
quirk_known(const struct quirk_device *d)
{
	int ver = quirk_miniupnpd_version(d->server);
	unsigned bits = 0;

	/* the safe assumption: only a MiniUPnPd 2.3.4+ lists safely */
	if (ver < 20304)
		bits |= QUIRK_BIT(QUIRK_LIST_CRASH);
	if (ver >= 20304)
		bits |= QUIRK_BIT(QUIRK_RULE_ORDER);
	if (ver >= 20306 && ver < 20308)
		bits |= QUIRK_BIT(QUIRK_IPORT_ZERO);
	if (has(d->server, "DD-WRT") || has(d->manufacturer, "DD-WRT") ||
	    has(d->model_name, "DD-WRT") || has(d->friendly_name, "DD-WRT"))
		bits |= QUIRK_BIT(QUIRK_IDX0_402);
	return bits;
}

int
quirk_describe(unsigned bits, char *buf, size_t len)
{
	size_t pos = 0;
	int n, first = 1;

	if (len > 0)
		buf[0] = '\0';
	if (bits == 0)
		return 0;
	n = snprintf(buf, len, "device quirk%s worked around:",
	    (bits & (bits - 1)) ? "s" : "");
	if (n < 0)
		return n;
	pos = (size_t)n;
	for (int i = 0; i < QUIRK_COUNT; i++) {
		const struct quirk *q = &quirks[i];

		if (!(bits & QUIRK_BIT(i)))
			continue;
		n = snprintf(pos < len ? buf + pos : NULL, pos < len ? len - pos : 0,
		    "%s %s (fix: %s)", first ? "" : ";", q->name, q->fix);
		if (n < 0)
			return n;
		pos += (size_t)n;
		first = 0;
	}
	return (int)pos;
}
