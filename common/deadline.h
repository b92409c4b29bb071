/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * deadline: one point in (monotonic) time by which the whole run must end.
 * Every socket operation takes the run's deadline and waits no longer.
 */
#ifndef CHECK_IGD_DEADLINE_H
#define CHECK_IGD_DEADLINE_H

#include <stdint.h>

struct deadline {
	int64_t end_ms;		/* CLOCK_MONOTONIC, milliseconds */
};

/* Milliseconds on the monotonic clock. */
int64_t deadline_now_ms(void);

/* A deadline ms milliseconds from now. */
void deadline_init(struct deadline *d, int64_t ms);

/* Milliseconds left, 0 when passed; clamped to fit poll()'s int. */
int deadline_left_ms(const struct deadline *d);

/* The sooner of d and now + ms, as a new deadline. */
struct deadline deadline_within(const struct deadline *d, int64_t ms);

#endif
