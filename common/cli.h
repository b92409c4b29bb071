/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli: the command-line conventions every check_igd plugin shares.
 *
 * Options: -h/--help, -V/--version, -v/--verbose (repeatable), -t/--timeout
 * SECONDS[:STATE], -H/--hostname ADDRESS, --ssdp-port PORT, -u/--url URL,
 * -m/--interface IF|ADDR, -P/--policy FILE, and the parsing of their values
 * (numbers, ranges, timeouts).  Option parsing only: what a run does with
 * them (the policy, the deadline, the device, state files) is in run.h.
 * Parsing returns codes; nothing here prints or exits.
 */
#ifndef CHECK_IGD_CLI_H
#define CHECK_IGD_CLI_H

#include <getopt.h>
#include <stddef.h>
#include "plugin.h"

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
	int json;			/* --format json */
};

/* Short and long option tables for the common options; plugins append theirs. */
#define CLI_SHORT ":hVvt:H:u:m:P:"	/* leading colon: missing values reported */
#define CLI_OPT_SSDP_PORT 1000	/* long-only options of plugins start at 1100 */
#define CLI_OPT_FORMAT    1001
#define CLI_LONG \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "hostname", required_argument, NULL, 'H' }, \
	{ "ssdp-port", required_argument, NULL, CLI_OPT_SSDP_PORT }, \
	{ "url", required_argument, NULL, 'u' }, \
	{ "interface", required_argument, NULL, 'm' }, \
	{ "policy", required_argument, NULL, 'P' }, \
	{ "format", required_argument, NULL, CLI_OPT_FORMAT }

/* The help lines of the common options, as the option tables above: every
 * plugin's help starts with CLI_HELP_BASE; those that find a router add
 * CLI_HELP_FIND after their own -H line. */
#define CLI_HELP_BASE \
	" -h, --help            this help (exit 3)\n" \
	" -V, --version         the version (exit 3)\n" \
	" -v, --verbose         more detail (repeat, up to -vvv)\n" \
	" -t, --timeout S[:ST]  seconds for the whole run (default 10); ST is the\n" \
	"                       state on timeout (default UNKNOWN)\n" \
	"     --format FMT      text (default) or json: one JSON document on\n" \
	"                       stdout, errors included (schema/output.schema.json)\n"
#define CLI_HELP_FIND \
	"     --ssdp-port PORT  SSDP port for -H (default 1900)\n" \
	" -u, --url URL         root description URL: no discovery at all\n" \
	" -m, --interface IF    multicast discovery on this interface or address\n"

/* -w/--warning RANGE and -c/--critical RANGE, for plugins with one pair
 * of thresholds (see cli_threshold_option). */
#define CLI_SHORT_THRESHOLDS "w:c:"
#define CLI_LONG_THRESHOLDS \
	{ "warning", required_argument, NULL, 'w' }, \
	{ "critical", required_argument, NULL, 'c' }

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

/*
 * -w/-c RANGE (opt 'w' or 'c') into t's warning or critical range.  As a
 * cli_option_fn: 0, -1 with the reason in err, 1 for any other option.
 */
int cli_threshold_option(int opt, const char *arg, struct plugin_thresholds *t,
    char *err, size_t errlen);

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

/*
 * 1 when argv, read with shortopts and longopts as cli_parse() reads it,
 * asks for JSON (the last format option's value is "json"), whether or not
 * the rest of the line parses: a bad option is then answered in JSON too.
 * Abbreviated long options count as getopt_long accepts them ("--form
 * json", "--forma=json"); "--format" taken as another option's value, or
 * after "--", does not.  A format value other than json or text is text.
 */
int cli_wants_json(int argc, char *const argv[], const char *shortopts,
    const struct option *longopts);

/* Checks that need all options (-u with -H or -m, URL syntax).  0 or -1. */
int cli_validate(const struct cli_opts *o, char *err, size_t errlen);

/* "SECONDS" or "SECONDS:STATE"; seconds in (0, 3600].  0 or -1. */
int cli_parse_timeout(const char *s, double *secs, enum plugin_state *st);

/* A number in [min, max] with nothing after it.  0 or -1. */
int cli_parse_double(const char *s, double min, double max, double *out);

/* A whole number in [min, max].  0 or -1. */
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
    unsigned long *out);

/* --hold SECONDS (0 .. POLICY_HOLD_MAX) into *hold: 0, or -1 with the
 * reason in err. */
int cli_parse_hold(const char *s, unsigned long *hold, char *err,
    size_t errlen);

#endif
