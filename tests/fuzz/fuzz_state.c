/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz state_parse(): the state file is ours, but it may be truncated,
 * corrupt or edited by hand.
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "state.h"

static int
key_ok(const char *k)
{
	size_t n = strlen(k);

	return n > 0 && n < STATE_KEY_MAX && strspn(k,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-")
	    == n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *s = (struct state *)&s;	/* poison */
	char err[256];
	int rc;
	size_t n;

	memset(err, 'x', sizeof(err));
	/* exactly size bytes, no NUL: state_load reads a file into memory */
	rc = state_parse((const char *)data, size, &s, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(s != NULL && s != (struct state *)&s);
	FUZZ_CHECK_FIELD(err);
	n = state_count(s);
	if (rc == -1)
		FUZZ_ASSERT(n == 0 && err[0] != '\0');
	for (size_t i = 0; i < n; i++) {
		const char *k = state_key_at(s, i), *v = state_value_at(s, i);
		uint64_t u;

		FUZZ_ASSERT(k != NULL && v != NULL);
		FUZZ_ASSERT(key_ok(k));
		FUZZ_ASSERT(strlen(v) <= STATE_VALUE_MAX);
		FUZZ_ASSERT(state_get(s, k) == v);
		(void)state_get_u64(s, k, &u);
		(void)state_get_num(s, k, INT64_MAX, &u);
	}
	FUZZ_ASSERT(state_key_at(s, n) == NULL);
	/* mutate what was parsed */
	if (n > 0) {
		char key[STATE_KEY_MAX + 1];

		snprintf(key, sizeof(key), "%s", state_key_at(s, 0));
		FUZZ_ASSERT(state_set(s, key, "1") == 0);
		FUZZ_ASSERT(strcmp(state_get(s, key), "1") == 0);
		state_clear_prefix(s, key);
		FUZZ_ASSERT(state_get(s, key) == NULL);
		FUZZ_ASSERT(state_count(s) < n || n == 0);
	}
	state_free(s);
	return 0;
}
