/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli: the command-line conventions every check_igd plugin shares.
 *
 * Options: -h/--help, -V/--version, -v/--verbose (repeatable), -t/--timeout
 * SECONDS[:STATE], -H/--hostname ADDRESS, --ssdp-port PORT, -u/--url URL,
 * -m/--interface IF|ADDR, -P/--policy FILE.  Parsing returns codes; main()
 * prints usage and exits.
 *
 * The one exception to "nothing below plugins/ exits": cli_backstop_arm()
 * installs a SIGALRM handler that, should any call ever outlive the run's
 * deadline, writes a prepared verdict and _exit()s with the timeout state.
 */
#ifndef CHECK_IGD_CLI_H
#define CHECK_IGD_CLI_H

#include <getopt.h>
#include <stddef.h>
#include "igd.h"
#include "plugin.h"
#include "policy.h"

#define CLI_TIMEOUT_DEFAULT 10.0
#define CLI_TIMEOUT_MAX     3600.0

struct cli_opts {
	int verbose;
	double timeout;			/* seconds */
	enum plugin_state timeout_state;	/* UNKNOWN unless -t N:STATE */
	const char *host;		/* -H */
	unsigned ssdp_port;		/* 1900 */
	const char *url;		/* -u */
	const char *iface;		/* -m */
	const char *policy;		/* -P */
};

/* Short and long option tables for the common options; plugins append theirs. */
#define CLI_SHORT ":hVvt:H:u:m:P:"	/* leading colon: missing values reported */
#define CLI_OPT_SSDP_PORT 1000	/* long-only options of plugins start at 1100 */
#define CLI_LONG \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "hostname", required_argument, NULL, 'H' }, \
	{ "ssdp-port", required_argument, NULL, CLI_OPT_SSDP_PORT }, \
	{ "url", required_argument, NULL, 'u' }, \
	{ "interface", required_argument, NULL, 'm' }, \
	{ "policy", required_argument, NULL, 'P' }

/*
 * A plugin's own options: return 0 when opt was handled, -1 with a one-line
 * reason in err for a bad value, 1 when opt is not one of the plugin's.
 */
typedef int (*cli_option_fn)(int opt, const char *arg, void *ctx, char *err,
    size_t errlen);

/*
 * Parse the whole command line: common options into *o (initialised here),
 * the plugin's through fn(ctx).  Positional arguments, unknown options,
 * missing values and impossible combinations are refused.  Returns CLI_OK,
 * CLI_HELP, CLI_VERSION, or CLI_BAD with the reason in err.
 */
int cli_parse(int argc, char *const argv[], const char *shortopts,
    const struct option *longopts, struct cli_opts *o, cli_option_fn fn,
    void *ctx, char *err, size_t errlen);

/* Parse a range into t's warning (crit == 0) or critical range.  0 or -1. */
int cli_parse_threshold(const char *arg, struct plugin_thresholds *t,
    int crit);

/* Load the -P policy, or the compiled-in default.  As policy_load_file(). */
int cli_load_policy(const struct cli_opts *o, struct policy **out, char *err,
    size_t errlen);

/*
 * The default state file of prog for this target: in $NP_STATE_DIRECTORY or
 * /var/tmp, named prog-HASH.state where HASH covers the target options,
 * extra (may be NULL) and the effective uid.  0, or -1 if it does not fit.
 */
int cli_state_path(const struct cli_opts *o, const char *prog,
    const char *extra, char *buf, size_t len);

/* The discovery target the options describe (-u, -H, -m or multicast). */
void cli_target(const struct cli_opts *o, struct igd_target *t);

/*
 * Find the one device a check works on (the options' target) and read its
 * description, by dl.  Returns 0 with *found valid, or -1 after giving o
 * its state and summary: UNKNOWN for a search that could not start, the
 * timeout state when nothing answered or the description timed out,
 * UNKNOWN for an unreadable description.
 */
int cli_find_device(const struct cli_opts *opts, const struct deadline *dl,
    struct igd_found *found, struct plugin_out *o);

/* Defaults: timeout 10 s, UNKNOWN on timeout, SSDP port 1900. */
void cli_init(struct cli_opts *o);

enum cli_result {
	CLI_NOT_MINE = 0,	/* not a common option */
	CLI_OK = 1,		/* handled */
	CLI_BAD = -1,		/* bad value; err holds a one-line reason */
	CLI_HELP = 2,		/* -h */
	CLI_VERSION = 3		/* -V */
};

/* Handle one getopt result opt with its argument. */
enum cli_result cli_common(int opt, const char *arg, struct cli_opts *o,
    char *err, size_t errlen);

/*
 * The reason for getopt's '?' (unknown option) or ':' (missing value; the
 * option string must start with ':'), with opterr = 0.  argv and optind as
 * getopt left them.
 */
void cli_getopt_error(int opt, char *const argv[], char *err, size_t errlen);

/* Checks that need all options (-u with -H or -m, URL syntax).  0 or -1. */
int cli_validate(const struct cli_opts *o, char *err, size_t errlen);

/* "SECONDS" or "SECONDS:STATE"; seconds in (0, 3600].  0 or -1. */
int cli_parse_timeout(const char *s, double *secs, enum plugin_state *st);

/* A number in [min, max] with nothing after it.  0 or -1. */
int cli_parse_double(const char *s, double min, double max, double *out);

/* A whole number in [min, max].  0 or -1. */
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
    unsigned long *out);

/*
 * Arm the backstop: after the timeout plus 0.5 s, write
 * "IGD <check> <STATE> - plugin timed out after N s (backstop)" and _exit
 * with the timeout state.  Call once, after options are parsed.
 */
void cli_backstop_arm(const char *check, const struct cli_opts *o);

/* The run's deadline in milliseconds: the timeout less a margin to judge
 * and print (5% of it, 100 to 500 ms; a tenth of timeouts under 1 s). */
long long cli_deadline_ms(const struct cli_opts *o);

#endif
