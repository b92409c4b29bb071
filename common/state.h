/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * state: a small text file of key=value lines kept between plugin runs
 * (counters for rates, the previous port-mapping table for change detection).
 *
 * Format: first line "check_igd-state 1", then "key=value" lines; keys are
 * [A-Za-z0-9_.:-]+, values hold no newline (escaped as \n, \\).  A file that
 * is missing is an empty state; one that is corrupt, truncated (no final
 * "end" line) or of another version is reported, and the caller goes on with
 * an empty state.  So is one another local user could have written: the
 * file is opened without following a symbolic link and without blocking
 * (a FIFO), and refused unless it is a regular file owned by the effective
 * user and not writable by group or others (file_read, FILE_PRIVATE).  Saving writes a temporary file in the same folder and
 * renames it over the old one, so a reader never sees half a file and two
 * overlapping runs never mix their writes.  It does not fsync: a plugin must
 * answer by its deadline, and fsync can block uninterruptibly for seconds on
 * a busy disk; a state file lost to a power cut is reported as corrupt and
 * the next run starts again.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_STATE_H
#define CHECK_IGD_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_FILE_MAX   (4 * 1024 * 1024)	/* larger files are refused as corrupt */
#define STATE_KEY_MAX    128
#define STATE_VALUE_MAX  8192

struct state;

/* An empty state.  NULL when out of memory.  Free with state_free(). */
struct state *state_new(void);

/* Accepts NULL. */
void state_free(struct state *s);

/*
 * Load path.  Returns 0 with *out set (an empty state when the file does not
 * exist), or -1 with a message in err and *out set to an empty state, so the
 * caller can report and continue.  *out is NULL only when out of memory.
 */
int state_load(const char *path, struct state **out, char *err, size_t errlen);

/* Parse a buffer (the pure part of state_load).  Same returns. */
int state_parse(const char *buf, size_t len, struct state **out, char *err,
    size_t errlen);

/* The value stored for key, or NULL.  Valid until the next set or free. */
const char *state_get(const struct state *s, const char *key);

/* 0 and *v set when key holds a decimal unsigned 64-bit number, else -1. */
int state_get_u64(const struct state *s, const char *key, uint64_t *v);

#define STATE_ABSENT 1	/* state_get_num: no such key */

/*
 * The value of key as a decimal number from 0 to max: 0 with *v set;
 * STATE_ABSENT when key is not there; -1 when it is there but is not such
 * a number (empty, a sign, another character, or above max: a corrupt
 * file, which the caller reports rather than taking as absent).
 */
int state_get_num(const struct state *s, const char *key, uint64_t max,
    uint64_t *v);

/* Set (or replace) key.  Returns 0, or -1 for a bad key/value or no memory. */
int state_set(struct state *s, const char *key, const char *value);
int state_set_u64(struct state *s, const char *key, uint64_t v);

/* Remove every key starting with prefix. */
void state_clear_prefix(struct state *s, const char *prefix);

/* Number of keys, and the i-th key/value in insertion order (NULL past end). */
size_t state_count(const struct state *s);
const char *state_key_at(const struct state *s, size_t i);
const char *state_value_at(const struct state *s, size_t i);

/*
 * Write s to path atomically (temporary file, rename; no fsync, see
 * above).  Returns 0, or -1 with a message in err (the old file is then
 * untouched).
 */
int state_save(const struct state *s, const char *path, char *err,
    size_t errlen);

/*
 * A restart of what a state file keeps (change detection, traffic rates)
 * is itself an alarm that must outlast the monitoring engine's soft
 * states: a file made unusable (corrupt, refused, kept for another device)
 * while a mapping is added would otherwise give one WARNING run, then a
 * baseline with the mapping in it and an OK.  So the restart is written
 * into the new file (keys STATE_RESTART_PREFIX "since" and "why") and
 * held for hold seconds from then, or until the user accepts the table.
 */
#define STATE_RESTART_PREFIX "state.unusable."
#define STATE_RESTART_WHY_MAX 200

struct state_restart {
	int held;			/* the finding stands this run */
	int fresh;			/* the restart is this run's */
	int64_t since;			/* Unix seconds of the restart */
	char why[STATE_RESTART_WHY_MAX];	/* what made it */
};

/*
 * Where the restart of s stands at now, into *r, and s updated for saving:
 * why_now (not NULL, "" when the file was usable this run) is this run's
 * reason to start again, and makes a fresh restart since now; otherwise the
 * restart s remembers, if any.  It is held while now - since < hold, never
 * with hold <= 0 (one run only) or accept (the table taken as the
 * baseline); s keeps its keys only while held.  Returns 0; or -1 with a
 * message in err when the remembered restart is out of range (corrupt:
 * then a fresh restart since now, with that message as its reason).
 */
int state_restart(struct state *s, const char *why_now, int64_t now,
    int64_t hold, int accept, struct state_restart *r, char *err,
    size_t errlen);

/*
 * The increase of a counter between two readings, for rates.  bits is the
 * width the device reports (32 or 64).  A counter that went up gives the
 * difference, whatever rebooted says (a WAN reconnect restarts the uptime
 * but not the counters).  When cur < prev: after a reboot (rebooted != 0)
 * the delta is cur, counted since the restart; otherwise the counter
 * wrapped and the delta counts through 2^bits.
 * Returns 0 and sets *delta, or -1 when no sane delta exists (a 64-bit
 * counter going backwards without a reboot).
 */
int state_counter_delta(uint64_t prev, uint64_t cur, unsigned bits,
    int rebooted, uint64_t *delta);

#endif
