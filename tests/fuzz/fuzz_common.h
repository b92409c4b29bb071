/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the fuzz targets (tests/fuzz/run.sh builds them). */
#ifndef CHECK_IGD_FUZZ_COMMON_H
#define CHECK_IGD_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd NUL-terminated copy of data (exactly size + 1 bytes, so ASan
 * catches any read past the terminator). */
static inline char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* abort() unless field (n bytes) holds a NUL. */
static inline void
fuzz_check_str(const char *field, size_t n)
{
	if (memchr(field, '\0', n) == NULL) {
		fprintf(stderr, "invariant violated: unterminated field\n");
		abort();
	}
}

#define FUZZ_CHECK_FIELD(f) fuzz_check_str((f), sizeof(f))
#define FUZZ_ASSERT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: invariant violated: %s\n", \
		    __FILE__, __LINE__, #c); \
		abort(); \
	} \
} while (0)

#endif
