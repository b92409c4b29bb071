/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run: one plugin run, the opening and closing every check_igd plugin shares.
 *
 * A plugin's main() reads as
 *
 *	if (run_open(&r, &spec, argc, argv, &args) == 0) {
 *		gather (igd), judge (judge_*), report (into r.out)
 *	}
 *	st = run_close(&r);
 *	fwrite(r.text, 1, r.text_len, stdout);
 *	return st;
 *
 * run_open() parses the command line (cli), loads the policy, arms the
 * backstop, starts the run's deadline and makes the verdict; run_close()
 * renders it.  In between, run_find_device() finds the one device a check
 * works on and run_state_file() names the file kept between runs.
 *
 * Nothing here prints: the text to write (a verdict, a usage error, the
 * help) is left in r->text and main() writes it.  The one exception to
 * "nothing below plugins/ exits" is the backstop: a SIGALRM handler that,
 * should any call ever outlive the deadline, writes a prepared verdict and
 * _exit()s with the timeout state; once run_close() made the verdict, it
 * writes nothing and _exit()s with the verdict's state (main()'s write of
 * it is bounded by the same moment).
 */
#ifndef CHECK_IGD_RUN_H
#define CHECK_IGD_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "cli.h"
#include "deadline.h"
#include "igd.h"
#include "plugin.h"
#include "policy.h"

#define RUN_TEXT_MAX  16384	/* the text main() writes: a verdict or the help */
#define RUN_PATH_MAX  1024	/* a default state file path */
#define RUN_JSON_MAX  (32 * 1024 * 1024)	/* one JSON document (--format json) */

/* What makes one plugin's run: its names, texts and options. */
struct run_spec {
	const char *prog;		/* "check_igd_wan" */
	const char *check;		/* "WAN", shown after "IGD " */
	const char *about;		/* help: what the plugin does, ends "\n\n" */
	const char *usage;		/* "Usage: ...\n" */
	const char *options;		/* help: "\nOptions:\n..." */
	const char *shortopts;		/* CLI_SHORT plus the plugin's */
	const struct option *longopts;	/* CLI_LONG plus the plugin's */
	cli_option_fn option;		/* the plugin's options (may be NULL) */
	/* Checks needing all options, before the policy is loaded (may be
	 * NULL): 0, or -1 with a one-line reason in err. */
	int (*validate)(const struct cli_opts *o, const void *ctx, char *err,
	    size_t errlen);
};

/* One run.  Fields are read by the plugin; only run_* functions set them. */
struct run {
	const struct run_spec *spec;
	struct cli_opts opts;
	struct policy *pol;		/* owned; NULL before it is loaded */
	struct deadline dl;		/* the whole run's */
	int64_t started;		/* deadline_now_ms() when it started */
	struct plugin_out *out;		/* the verdict; owned */
	int status;			/* exit status when out is NULL */
	char state_path[RUN_PATH_MAX];
	size_t json_max;		/* the largest JSON document; 0 is
					   RUN_JSON_MAX (tests set less) */
	const char *text;		/* what main() writes, after run_close():
					   textbuf, or the JSON document (valid
					   until the process ends) */
	size_t text_len;
	char textbuf[RUN_TEXT_MAX];
};

/*
 * Open a run: parse argv with spec (the plugin's options go to
 * spec->option(ctx)), validate, load the -P policy (or the compiled-in
 * one), arm the backstop, start the deadline and make r->out.  Returns 0
 * to go on, or -1 when the run ends here (help, version, a bad option or
 * policy, out of memory): run_close() then gives the status and the text.
 */
int run_open(struct run *r, const struct run_spec *spec, int argc,
    char *const argv[], void *ctx);

/*
 * Close a run: render the verdict into r->text (or keep the text run_open
 * left there), free the verdict and the policy, and make the backstop
 * silent (run_backstop_quiet) with the state returned: main()'s write of
 * r->text ends by the backstop's moment whatever reads stdout.  Returns
 * the exit status.
 *
 * With --format json the text is one JSON document and a newline, also
 * for a bad option (when the command line holds "--format json", see
 * cli_wants_json), a validation error, a broken policy or no memory: state
 * UNKNOWN, with "error" naming the stage.  --help and --version stay text.
 * A verdict whose document does not fit in RUN_JSON_MAX bytes gives a short
 * document (error.stage "memory") that quotes the verdict's status line and
 * whose state is the worse of the verdict's and UNKNOWN; the status
 * returned is always the state the text written says.
 */
int run_close(struct run *r);

/*
 * The state file of this run into *path: the one given (given), none
 * (NULL) with none set, else the default one of spec->prog for this target
 * (see run_state_path), kept in r->state_path.  Returns 0; or -1 when the
 * default one cannot be used (its folder is refused, see run_state_dir, or
 * the name does not fit): then *path is the name it would have (for the
 * message, never to be read or written) and why (whylen bytes) says why.
 */
int run_state_file(struct run *r, const char *given, int none,
    const char *extra, const char **path, char *why, size_t whylen);

#define RUN_STATE_BASE "/var/tmp"	/* holds check_igd-EUID/ */

/*
 * The folder of the default state files, into dir (len bytes):
 * $NP_STATE_DIRECTORY when set (it must be a folder, and not writable by
 * others unless sticky), else BASE/check_igd-EUID (BASE: base, or
 * RUN_STATE_BASE when NULL), created with mode 0700 when missing and
 * refused unless it is a real folder (not a symbolic link) owned by the
 * effective user, with no access for group or others: no other local user
 * can plant, replace or block a state file there.  0, or -1 with the
 * reason, naming the folder, in why (whylen bytes).
 */
int run_state_dir(const char *base, char *dir, size_t len, char *why,
    size_t whylen);

/*
 * The default state file of prog for this target: in dir, named
 * prog-HASH.state where HASH covers the target options, extra (may be
 * NULL) and the effective uid.  0, or -1 if it does not fit.
 */
int run_state_path(const struct cli_opts *o, const char *prog,
    const char *extra, const char *dir, char *buf, size_t len);

/* The discovery target the options describe (-u, -H, -m or multicast). */
void run_target(const struct cli_opts *o, struct igd_target *t);

/*
 * Find the one device a check works on (the options' target) and read its
 * description, by the run's deadline; the policy's present: pins (UDN,
 * model, location) apply in every discovery mode.  With multicast the
 * search waits for the pinned device and every other IGD that answered is
 * named, not judged (judge_present_device).  Returns 0 with *found valid
 * and matching the pins, or -1 after giving r->out its state and summary:
 * UNKNOWN for a search that could not start, the timeout state when nothing
 * answered or the description timed out, UNKNOWN for an unreadable
 * description, the policy's mismatch state when only other IGDs answered
 * or the device differs from a pin.
 */
int run_find_device(struct run *r, struct igd_found *found);

/* Add the run time perfdata ("time", seconds since the run started). */
void run_perf_time(struct run *r);

/* The run's deadline in milliseconds: the timeout less a margin to judge
 * and print (5% of it, 100 to 500 ms; a tenth of timeouts under 1 s). */
long long run_deadline_ms(const struct cli_opts *o);

/*
 * Arm the backstop: after the timeout plus 0.5 s, write
 * "IGD <check> <STATE> - plugin timed out after N s (backstop)" (with
 * --format json, a document saying so) and _exit with the timeout state.
 * run_open() calls it.
 */
void run_backstop_arm(const char *check, const struct cli_opts *o);

/*
 * Make the backstop silent once the verdict is made: it stays armed (the
 * same moment, the timeout plus 0.5 s), but when it fires it writes nothing
 * and _exits with state (0..3; other values UNKNOWN), the state of the
 * verdict main() is writing.  So a verdict that cannot be written by then
 * (stdout a pipe nobody reads, or reads too slowly) never holds the process
 * past the timeout, never gets a second status line or document written
 * into it, and what the engine reads of it agrees with the exit status.
 * run_close() calls it.
 */
void run_backstop_quiet(int state);

/*
 * Disarm the backstop (timer stopped, a pending alarm discarded).  For a
 * caller that must not be cut short at all; no plugin run does that.
 */
void run_backstop_disarm(void);

#endif
