/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deadline: monotonic time limits for the run. */
#include <limits.h>
#include <time.h>

#include "deadline.h"

int64_t
deadline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
deadline_init(struct deadline *d, int64_t ms)
{
	d->end_ms = deadline_now_ms() + ms;
}

int
deadline_left_ms(const struct deadline *d)
{
	int64_t left = d->end_ms - deadline_now_ms();

	if (left <= 0)
		return 0;
	if (left > INT_MAX)
		return INT_MAX;
	return (int)left;
}

struct deadline
deadline_within(const struct deadline *d, int64_t ms)
{
	struct deadline r;

	r.end_ms = deadline_now_ms() + ms;
	if (d->end_ms < r.end_ms)
		r.end_ms = d->end_ms;
	return r;
}
