/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz policy_load_buffer() (YAML through libyaml, then validation) and the
 * evaluation of a loaded policy (policy_match, policy_in_lan); the first
 * line of the input also goes through policy_prefix_parse().
 */
#include <stdio.h>
#include <sys/socket.h>

#include "fuzz_common.h"
#include "policy.h"

static const struct igd_mapping mappings[] = {
	{ "TCP", 22, 22, "192.168.1.10", "", 1, 0, "ssh", 1 },
	{ "UDP", 3074, 3074, "192.168.1.20", "203.0.113.9", 1, 3600,
	    "Xbox 3074", 1 },
	{ "TCP", 8080, 80, "10.9.9.9", "", 0, 86400, "", 1 },
	{ "UDP", 1, 65535, "fe80::1", "2001:db8::1", 1, 1, "\xff\xfe", 1 },
	{ "TCP", 443, 443, "198.51.100.7", "", 1, 0, "miniupnpd", 1 },
	{ "", 0, 0, "", "", 0, -1, "", 1 },
};

/* What else is known of them: the WAN address, or nothing. */
static const struct policy_facts facts[] = {
	{ .external_address = "198.51.100.7" },
	{ .external_address = NULL },
	{ .external_address = "" },
};

static const char *const addrs[] = {
	"192.168.1.10", "10.0.0.1", "8.8.8.8", "fe80::1", "::1", "2001:db8::",
	"", "not an address", "1.2.3.4/8",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = (struct policy *)&p;	/* poison */
	char err[512];
	int rc;

	memset(err, 'x', sizeof(err));
	/* libyaml reads buf, len bytes (no NUL needed) */
	rc = policy_load_buffer("fuzz.yaml", (const char *)data, size, &p, err,
	    sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_ASSERT(p != NULL);
		FUZZ_CHECK_FIELD(p->source);
		FUZZ_ASSERT(p->portmap.n_rules <= POLICY_RULES_MAX);
		for (size_t i = 0; i < sizeof(mappings) / sizeof(*mappings); i++) {
			const struct policy_rule *r;

			for (size_t j = 0; j < sizeof(facts) / sizeof(*facts);
			    j++) {
				r = policy_match(p, &mappings[i], &facts[j]);
				FUZZ_ASSERT(r == NULL ||
				    (r >= p->portmap.rules && r <
				    p->portmap.rules + p->portmap.n_rules));
			}
			(void)policy_match(p, &mappings[i], NULL);
		}
		for (size_t i = 0; i < sizeof(addrs) / sizeof(*addrs); i++)
			(void)policy_in_lan(p, addrs[i]);
		policy_free(p);
	} else {
		FUZZ_CHECK_FIELD(err);
		FUZZ_ASSERT(err[0] != '\0');	/* a failure always says why */
	}

	/* policy_prefix_parse on the first line */
	if (size > 0 && size < 128) {
		struct policy_prefix pre;
		char *s = fuzz_strdup(data, size), *nl = strchr(s, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (policy_prefix_parse(s, &pre) == 0) {
			FUZZ_ASSERT(pre.family == AF_INET ||
			    pre.family == AF_INET6);
			FUZZ_ASSERT(pre.bits <= (pre.family == AF_INET ?
			    32u : 128u));
			for (size_t i = 0; i < sizeof(addrs) / sizeof(*addrs); i++)
				(void)policy_prefix_contains(&pre, addrs[i]);
			(void)policy_prefix_contains(&pre, s);
		}
		free(s);
	}
	return 0;
}
