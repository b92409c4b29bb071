/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz igd_listing_parse(): the NewPortListing document of
 * GetListOfPortMappings (already decoded from the SOAP answer).  The input
 * is parsed twice into the same table, to exercise appending.
 */
#include "fuzz_common.h"
#include "igd.h"

static void
check_table(const struct igd_table *t, size_t from, unsigned service)
{
	FUZZ_ASSERT(t->n <= t->cap && t->n <= IGD_TABLE_MAX);
	for (size_t i = from; i < t->n; i++) {
		const struct igd_mapping *m = &t->m[i];

		FUZZ_ASSERT(strcmp(m->protocol, "TCP") == 0 ||
		    strcmp(m->protocol, "UDP") == 0);
		FUZZ_ASSERT(m->external_port >= 1 && m->external_port <= 65535);
		FUZZ_ASSERT(m->internal_port <= 65535);
		FUZZ_CHECK_FIELD(m->internal_client);
		FUZZ_CHECK_FIELD(m->remote_host);
		FUZZ_ASSERT(m->enabled == 0 || m->enabled == 1);
		FUZZ_ASSERT(m->lease >= 0);
		FUZZ_ASSERT(m->description != NULL);
		FUZZ_ASSERT(m->service == service);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igd_table t;
	size_t added = 99, before;
	char *xml = fuzz_strdup(data, size);	/* the decoded argument */
	int rc;

	memset(&t, 0, sizeof(t));
	rc = igd_listing_parse(xml, size, 1, &t, &added);
	FUZZ_ASSERT(rc == 0 || rc == IGD_EPROTOCOL || rc == IGD_ELIMIT);
	FUZZ_ASSERT(added == t.n);
	check_table(&t, 0, 1);
	before = t.n;
	rc = igd_listing_parse(xml, size, 2, &t, &added);
	FUZZ_ASSERT(rc == 0 || rc == IGD_EPROTOCOL || rc == IGD_ELIMIT);
	FUZZ_ASSERT(t.n == before + added);
	check_table(&t, before, 2);
	igd_table_free(&t);
	FUZZ_ASSERT(t.n == 0 && t.m == NULL);
	free(xml);
	return 0;
}
