/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz the saved port-mapping table (common/table.h):
 *  - table_load_buffer() on the input (a hand-edited or corrupt file);
 *    a table that loads must survive table_save() + table_load() unchanged;
 *  - a table built from the input bytes (device strings: any bytes but NUL)
 *    must survive table_save() + table_load() byte for byte.
 * Files go to /dev/shm (or TMPDIR) so that fsync costs nothing.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "igd.h"
#include "table.h"

static char path[256];

static void
init_path(void)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "%s/fuzz_table.%ld.yaml", dir,
		    (long)getpid());
}

static void
same_tables(const struct igd_table *a, const struct igd_table *b)
{
	FUZZ_ASSERT(a->n == b->n);
	FUZZ_ASSERT(a->complete == b->complete);
	FUZZ_ASSERT(strcmp(a->external_address, b->external_address) == 0);
	for (size_t i = 0; i < a->n; i++) {
		const struct igd_mapping *x = &a->m[i], *y = &b->m[i];

		FUZZ_ASSERT(strcmp(x->protocol, y->protocol) == 0);
		FUZZ_ASSERT(x->external_port == y->external_port);
		FUZZ_ASSERT(x->internal_port == y->internal_port);
		FUZZ_ASSERT(strcmp(x->internal_client, y->internal_client) == 0);
		FUZZ_ASSERT(strcmp(x->remote_host, y->remote_host) == 0);
		FUZZ_ASSERT(x->enabled == y->enabled);
		FUZZ_ASSERT(x->lease == y->lease);
		FUZZ_ASSERT(strcmp(x->description, y->description) == 0);
		FUZZ_ASSERT(x->service == y->service);
	}
}

/* Save t, load it back and compare; the save must succeed when must_save. */
static void
round_trip(const struct igd_table *t, const char *location, const char *udn,
    int must_save)
{
	struct igd_table back;
	char err[512];

	init_path();
	if (table_save(path, t, location, udn, err, sizeof(err)) != 0) {
		FUZZ_CHECK_FIELD(err);
		if (must_save) {
			fprintf(stderr, "table_save: %s\n", err);
			FUZZ_ASSERT(!"a loaded table saves");
		}
		return;
	}
	if (table_load(path, &back, err, sizeof(err)) != 0) {
		fprintf(stderr, "table_load of a saved table: %s\n", err);
		FUZZ_ASSERT(!"a saved table loads");
	}
	same_tables(t, &back);
	igd_table_free(&back);
	unlink(path);
}

/* The next NUL-separated piece of the input, at most max bytes (0: any). */
static char *
piece(const uint8_t **p, const uint8_t *end, size_t max)
{
	const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
	size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = fuzz_strdup(*p, max && n > max ? max : n);

	*p = nul ? nul + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igd_table t;
	char err[512];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = table_load_buffer("fuzz.yaml", (const char *)data, size, &t, err,
	    sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_ASSERT(t.n <= IGD_TABLE_MAX);
		FUZZ_ASSERT(strcmp(t.method, TABLE_METHOD) == 0);
		FUZZ_CHECK_FIELD(t.external_address);
		for (size_t i = 0; i < t.n; i++) {
			FUZZ_ASSERT(t.m[i].description != NULL);
			FUZZ_ASSERT(t.m[i].service >= 1 &&
			    t.m[i].service <= IGD_SERVICES_MAX);
		}
		round_trip(&t, NULL, NULL, 1);
		igd_table_free(&t);
	} else {
		FUZZ_CHECK_FIELD(err);
		FUZZ_ASSERT(err[0] != '\0');
		FUZZ_ASSERT(t.n == 0 && t.m == NULL);
	}

	/* a table of device strings made of the input bytes */
	if (size >= 4) {
		const uint8_t *p = data + 4, *end = data + size;
		struct igd_mapping m[2];
		char *desc = piece(&p, end, 0), *client = piece(&p, end, 63),
		    *remote = piece(&p, end, 63), *ext = piece(&p, end, 63),
		    *loc = piece(&p, end, 200);

		memset(&t, 0, sizeof(t));
		memset(m, 0, sizeof(m));
		t.m = m;
		t.n = t.cap = 2;
		t.complete = data[0] & 1;
		memcpy(t.external_address, ext, strlen(ext) + 1);
		memcpy(m[0].protocol, "TCP", 4);
		m[0].external_port = 1 + data[1] * 257u % 65535u;
		m[0].internal_port = 65535;
		memcpy(m[0].internal_client, client, strlen(client) + 1);
		memcpy(m[0].remote_host, remote, strlen(remote) + 1);
		m[0].enabled = (data[0] >> 1) & 1;
		m[0].lease = (int64_t)(((uint64_t)data[2] << 55) |
		    ((uint64_t)data[3] << 3));
		m[0].description = desc;
		m[0].service = 1 + (data[0] >> 4) % IGD_SERVICES_MAX;
		memcpy(m[1].protocol, "UDP", 4);
		m[1].external_port = 1;
		m[1].internal_port = 1;
		m[1].enabled = 1;
		m[1].description = client;
		m[1].service = 1;
		round_trip(&t, loc, remote, 1);
		free(desc);
		free(client);
		free(remote);
		free(ext);
		free(loc);
	}
	return 0;
}
