/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli: the options every plugin shares and the parsing of values (see cli.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http.h"
#include "policy.h"

void
cli_init(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout = CLI_TIMEOUT_DEFAULT;
	o->timeout_state = PLUGIN_UNKNOWN;
	o->ssdp_port = 1900;
}

int
cli_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || *s == ' ')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
		return -1;
	/* strtod accepts hex and "inf"; we want plain decimals */
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '+'))
			return -1;
	*out = v;
	return 0;
}

int
cli_parse_hold(const char *s, unsigned long *hold, char *err, size_t errlen)
{
	if (cli_parse_uint(s, 0, POLICY_HOLD_MAX, hold) == 0)
		return 0;
	snprintf(err, errlen, "invalid hold '%.40s': expected seconds (0 to "
	    "%d)", s, POLICY_HOLD_MAX);
	return -1;
}

int
cli_parse_uint(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cli_parse_timeout(const char *s, double *secs, enum plugin_state *st)
{
	char num[32];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (cli_parse_double(num, 0.001, CLI_TIMEOUT_MAX, secs) != 0 ||
	    *secs <= 0)
		return -1;
	if (colon != NULL && plugin_state_parse(colon + 1, st) != 0)
		return -1;
	return 0;
}

enum cli_result
cli_common(int opt, const char *arg, struct cli_opts *o, char *err,
    size_t errlen)
{
	unsigned long ul;

	switch (opt) {
	case 'h':
		return CLI_HELP;
	case 'V':
		return CLI_VERSION;
	case 'v':
		if (o->verbose < 3)
			o->verbose++;
		return CLI_OK;
	case 't':
		if (cli_parse_timeout(arg, &o->timeout, &o->timeout_state) != 0) {
			snprintf(err, errlen, "invalid timeout '%.40s': expected "
			    "SECONDS (0-3600) or SECONDS:STATE", arg);
			return CLI_BAD;
		}
		return CLI_OK;
	case 'H':
		if (*arg == '\0' || strlen(arg) > 253 || strpbrk(arg, " /\t")) {
			snprintf(err, errlen, "invalid host '%.40s'", arg);
			return CLI_BAD;
		}
		o->host = arg;
		return CLI_OK;
	case CLI_OPT_SSDP_PORT:
		if (cli_parse_uint(arg, 1, 65535, &ul) != 0) {
			snprintf(err, errlen, "invalid SSDP port '%.40s'", arg);
			return CLI_BAD;
		}
		o->ssdp_port = (unsigned)ul;
		return CLI_OK;
	case 'u': {
		struct http_url u;

		if (http_url_parse(arg, &u) != 0) {
			snprintf(err, errlen, "invalid URL '%.60s': expected "
			    "http://HOST[:PORT]/PATH", arg);
			return CLI_BAD;
		}
		o->url = arg;
		return CLI_OK;
	}
	case 'm':
		if (*arg == '\0' || strlen(arg) > 63) {
			snprintf(err, errlen, "invalid interface '%.40s'", arg);
			return CLI_BAD;
		}
		o->iface = arg;
		return CLI_OK;
	case CLI_OPT_FORMAT:
		if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0) {
			snprintf(err, errlen, "invalid format '%.40s': expected "
			    "text or json", arg);
			return CLI_BAD;
		}
		o->json = strcmp(arg, "json") == 0;
		return CLI_OK;
	case 'P':
		if (*arg == '\0') {
			snprintf(err, errlen, "empty policy file name");
			return CLI_BAD;
		}
		o->policy = arg;
		return CLI_OK;
	default:
		return CLI_NOT_MINE;
	}
}

int
cli_wants_json(int argc, char *const argv[], const char *shortopts,
    const struct option *longopts)
{
	char **v;
	int json = 0, opt, saved_opterr = opterr;

	if (argc < 1 || argv == NULL)
		return 0;
	/* getopt_long itself, on a copy (it permutes): an abbreviation
	 * (--form json, --forma=json), a value another option takes and
	 * "--" are read exactly as cli_parse() reads them */
	v = malloc(((size_t)argc + 1) * sizeof(*v));
	if (v == NULL)
		return 0;
	memcpy(v, argv, (size_t)argc * sizeof(*v));
	v[argc] = NULL;
	opterr = 0;
	optind = 0;		/* glibc: start afresh */
	while ((opt = getopt_long(argc, v, shortopts, longopts, NULL)) != -1) {
		/* parse errors are passed over: the rest still counts */
		if (opt == CLI_OPT_FORMAT && optarg != NULL)
			json = strcmp(optarg, "json") == 0;
	}
	opterr = saved_opterr;
	optind = 1;
	free(v);
	return json;
}

void
cli_getopt_error(int opt, char *const argv[], char *err, size_t errlen)
{
	const char *word = optind > 0 ? argv[optind - 1] : "?";
	/* a short option is named by optopt; a long one by its word */
	int is_short = optopt > ' ' && optopt < 127 &&
	    strncmp(word, "--", 2) != 0;

	if (opt == ':' && is_short)
		snprintf(err, errlen, "option -%c needs a value", optopt);
	else if (opt == ':')
		snprintf(err, errlen, "option %.40s needs a value", word);
	else if (is_short)
		snprintf(err, errlen, "unknown option -%c", optopt);
	else
		snprintf(err, errlen, "unknown option %.40s", word);
}

int
cli_validate(const struct cli_opts *o, char *err, size_t errlen)
{
	if (o->url != NULL && (o->host != NULL || o->iface != NULL)) {
		snprintf(err, errlen, "-u URL needs no discovery: do not "
		    "combine it with -H or -m");
		return -1;
	}
	if (o->host != NULL && o->iface != NULL) {
		snprintf(err, errlen, "-H sends a unicast search; -m is for "
		    "multicast: use one of them");
		return -1;
	}
	return 0;
}

int
cli_parse(int argc, char *const argv[], const char *shortopts,
    const struct option *longopts, struct cli_opts *o, cli_option_fn fn,
    void *ctx, char *err, size_t errlen)
{
	int opt;

	cli_init(o);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		enum cli_result r;
		int rc;

		err[0] = '\0';
		if (opt == '?' || opt == ':') {
			cli_getopt_error(opt, argv, err, errlen);
			return CLI_BAD;
		}
		r = cli_common(opt, optarg, o, err, errlen);
		if (r == CLI_HELP || r == CLI_VERSION || r == CLI_BAD)
			return r;
		if (r == CLI_OK)
			continue;
		rc = fn != NULL ? fn(opt, optarg, ctx, err, errlen) : 1;
		if (rc < 0)
			return CLI_BAD;
		if (rc > 0) {
			cli_getopt_error('?', argv, err, errlen);
			return CLI_BAD;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%.40s'",
		    argv[optind]);
		return CLI_BAD;
	}
	if (cli_validate(o, err, errlen) != 0)
		return CLI_BAD;
	return CLI_OK;
}

int
cli_parse_threshold(const char *arg, struct plugin_thresholds *t, int crit)
{
	if (plugin_range_parse(arg, crit ? &t->crit : &t->warn) != 0)
		return -1;
	if (crit)
		t->has_crit = 1;
	else
		t->has_warn = 1;
	return 0;
}

int
cli_threshold_option(int opt, const char *arg, struct plugin_thresholds *t,
    char *err, size_t errlen)
{
	if (opt != 'w' && opt != 'c')
		return 1;
	if (cli_parse_threshold(arg, t, opt == 'c') != 0) {
		snprintf(err, errlen, "invalid range '%.40s' for -%c", arg, opt);
		return -1;
	}
	return 0;
}
