/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli: shared option handling and the timeout backstop (see cli.h). */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"

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
cli_load_policy(const struct cli_opts *o, struct policy **out, char *err,
    size_t errlen)
{
	if (o->policy != NULL)
		return policy_load_file(o->policy, out, err, errlen);
	return policy_load_default(out, err, errlen);
}

/* FNV-1a over a string, continuing from h. */
static uint64_t
fnv1a(const char *s, uint64_t h)
{
	for (; s != NULL && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	/* a separator, so that "ab","c" and "a","bc" differ */
	h ^= 0xff;
	h *= 1099511628211ULL;
	return h;
}

int
cli_state_path(const struct cli_opts *o, const char *prog, const char *extra,
    char *buf, size_t len)
{
	const char *dir = getenv("NP_STATE_DIRECTORY");
	uint64_t h = 1469598103934665603ULL;
	char uid[24];
	int n;

	if (dir == NULL || *dir == '\0')
		dir = "/var/tmp";
	h = fnv1a(o->url, h);
	h = fnv1a(o->host, h);
	h = fnv1a(o->iface, h);
	h = fnv1a(extra, h);
	snprintf(uid, sizeof(uid), "%lu", (unsigned long)geteuid());
	h = fnv1a(uid, h);
	n = snprintf(buf, len, "%s/%s-%016llx.state", dir, prog,
	    (unsigned long long)h);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

void
cli_target(const struct cli_opts *o, struct igd_target *t)
{
	memset(t, 0, sizeof(*t));
	t->url = o->url;
	t->host = o->host;
	t->ssdp_port = o->ssdp_port;
	t->iface = o->iface;
}

int
cli_find_device(const struct cli_opts *opts, const struct deadline *dl,
    struct igd_found *found, struct plugin_out *o)
{
	struct igd_target target;
	char err[256] = "";
	size_t n = 0;

	cli_target(opts, &target);
	if (igd_discover(&target, dl, found, 1, &n, NULL, err,
	    sizeof(err)) != 0) {
		plugin_out_set_state(o, PLUGIN_UNKNOWN);
		plugin_out_summary(o, "cannot search: %s", err);
		return -1;
	}
	if (n == 0) {
		plugin_out_set_state(o, opts->timeout_state);
		plugin_out_summary(o, "no IGD answered within %.1f s",
		    opts->timeout);
		return -1;
	}
	if (found->rc != 0) {
		plugin_out_set_state(o, found->rc == IGD_ETIMEOUT ?
		    opts->timeout_state : PLUGIN_UNKNOWN);
		plugin_out_summary(o, "cannot read the description at %.100s: "
		    "%s", found->dev.location, found->err);
		return -1;
	}
	return 0;
}

long long
cli_deadline_ms(const struct cli_opts *o)
{
	long long ms = (long long)(o->timeout * 1000.0);
	long long margin = ms / 20;

	/* keep time to judge and print before -t, even on a starved CPU:
	 * 5% of the timeout, 100 to 500 ms (a tenth below one second) */
	if (margin < 100)
		margin = 100;
	if (margin > 500)
		margin = 500;
	if (ms <= 1000)
		margin = ms / 10;
	ms -= margin;
	return ms > 1 ? ms : 1;
}

static char backstop_msg[160];
static size_t backstop_len;
static int backstop_state;

static void
backstop(int sig)
{
	ssize_t w;

	(void)sig;
	w = write(STDOUT_FILENO, backstop_msg, backstop_len);
	(void)w;
	_exit(backstop_state);
}

void
cli_backstop_arm(const char *check, const struct cli_opts *o)
{
	struct sigaction sa;
	struct itimerval it;
	double t = o->timeout + 0.5;
	int n;

	n = snprintf(backstop_msg, sizeof(backstop_msg),
	    "IGD %s %s - plugin timed out after %.1f s (backstop)\n", check,
	    plugin_state_name(o->timeout_state), o->timeout);
	backstop_len = (n > 0 && (size_t)n < sizeof(backstop_msg)) ?
	    (size_t)n : 0;
	backstop_state = (int)o->timeout_state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = backstop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)t;
	it.it_value.tv_usec = (suseconds_t)((t - (double)(time_t)t) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}
