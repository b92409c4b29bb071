/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_igd_exposed: does the router answer UPnP on its public address?
 *
 * Run from outside the router's LAN (a satellite or monitoring host on the
 * Internet side).  Sends unicast SSDP M-SEARCHes to the public address and,
 * when a description URL is given, GETs it there.  Any SSDP answer from
 * that address, or a UPnP description served there, is CRITICAL: anyone on
 * the Internet can then use the router as a proxy (UPnProxy) or make it send
 * requests (CallStranger).  Silence until the listening window ends is OK.
 * Read-only: M-SEARCH and GET only; no SOAP action, no SUBSCRIBE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"
#include "errors.h"
#include "facts.h"
#include "http.h"
#include "igd.h"
#include "plugin.h"
#include "ssdp.h"

#define CHECK "EXPOSED"
#define LISTEN_DEFAULT 3.0

enum { OPT_HTTP = 1100, OPT_LISTEN };

struct exposed_args {
	const char *http;		/* --http URL, or NULL */
	double listen;			/* seconds to wait for SSDP answers */
};

static const char usage[] =
	    "Usage: check_igd_exposed -H PUBLIC-ADDRESS [--ssdp-port PORT] "
	    "[--http URL]\n"
	    "       [--listen S] [-t SECONDS[:STATE]] [-v]\n";

static const char about[] =
	    "Checks, from outside the router's LAN, that the router does NOT "
	    "answer UPnP\non its public address.\n\n";

static const char options[] =
	    "\nOptions:\n"
	    CLI_HELP_BASE
	    " -H, --hostname ADDR   the router's public address (numeric IPv4/IPv6)\n"
	    "     --ssdp-port PORT  SSDP port to search (default 1900)\n"
	    "     --http URL        also GET this description URL on the public\n"
	    "                       address (e.g. http://ADDR:5000/rootDesc.xml, the\n"
	    "                       path and port the router uses on its LAN)\n"
	    "     --listen S        seconds to wait for SSDP answers (default 3;\n"
	    "                       three searches are sent, at 0, 0.25 and 1 s)\n"
	    "\nStates: CRITICAL when the address answers an M-SEARCH or serves a UPnP\n"
	    "description (UPnProxy / CallStranger exposure); WARNING when something\n"
	    "answers there but not as UPnP (garbage on UDP 1900, another HTTP page);\n"
	    "OK when nothing answered.  Silence is evidence only from where the check\n"
	    "runs: run it from a host outside the router's LAN, never on the LAN.\n";

static int
option(int opt, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct exposed_args *a = ctx;

	switch (opt) {
	case OPT_HTTP:
		a->http = arg;
		return 0;
	case OPT_LISTEN:
		if (cli_parse_double(arg, 0.1, 60, &a->listen) != 0) {
			snprintf(err, errlen, "invalid --listen '%.40s': "
			    "expected seconds (0.1 to 60)", arg);
			return -1;
		}
		return 0;
	default:
		return 1;
	}
}

/* Options that make no sense here, and -H/--http agreeing.  0 or -1. */
static int
validate(const struct cli_opts *o, const void *ctx, char *err, size_t errlen)
{
	const struct exposed_args *a = ctx;
	unsigned char buf[16];
	struct http_url u;

	if (o->host == NULL) {
		snprintf(err, errlen, "-H PUBLIC-ADDRESS is required");
		return -1;
	}
	if (o->url != NULL || o->iface != NULL || o->policy != NULL) {
		snprintf(err, errlen, "-u, -m and -P are not used by "
		    "check_igd_exposed (use -H and --http)");
		return -1;
	}
	if (inet_pton(AF_INET, o->host, buf) != 1 &&
	    inet_pton(AF_INET6, o->host, buf) != 1) {
		snprintf(err, errlen, "-H needs a numeric address, not "
		    "'%.60s' (names are not resolved)", o->host);
		return -1;
	}
	if (a->listen * 1000 >= (double)run_deadline_ms(o)) {
		snprintf(err, errlen, "--listen %.1f s leaves no time in -t "
		    "%.1f s", a->listen, o->timeout);
		return -1;
	}
	if (a->http != NULL) {
		if (http_url_parse(a->http, &u) != 0) {
			snprintf(err, errlen, "invalid --http URL '%.100s'",
			    a->http);
			return -1;
		}
		if (strcmp(u.host, o->host) != 0) {
			snprintf(err, errlen, "--http URL must name the -H "
			    "address %.60s, not %.60s", o->host, u.host);
			return -1;
		}
	}
	return 0;
}

/* The SSDP part: any answer from the address is the exposure. */
static void
judge_ssdp(struct plugin_out *o, const struct cli_opts *opts,
    const struct ssdp_result *r, double listen, char *said, size_t saidlen)
{
	unsigned upnp = (unsigned)r->n + r->other_types + r->refused_location +
	    r->duplicates;

	if (r->n > 0) {
		const struct ssdp_answer *a = &r->answers[0];

		plugin_out_finding(o, PLUGIN_CRITICAL, "ssdp", -1,
		    "%.60s answers SSDP on UDP "
		    "%u from outside: %.80s, LOCATION %.120s (UPnProxy/"
		    "CallStranger exposure)", opts->host, opts->ssdp_port,
		    a->server[0] ? a->server : "no SERVER header",
		    a->location);
		snprintf(said, saidlen, "answers SSDP on UDP %u (%.60s)",
		    opts->ssdp_port, a->server[0] ? a->server : "IGD");
	} else if (upnp > 0) {
		plugin_out_finding(o, PLUGIN_CRITICAL, "ssdp", -1,
		    "%.60s answers SSDP on UDP "
		    "%u from outside (%u answer%s: other device types or "
		    "LOCATION elsewhere%s%.120s)", opts->host, opts->ssdp_port,
		    upnp, upnp == 1 ? "" : "s",
		    r->refused_example[0] ? ", e.g. " : "",
		    r->refused_example);
		snprintf(said, saidlen, "answers SSDP on UDP %u",
		    opts->ssdp_port);
	} else if (r->malformed > 0) {
		plugin_out_finding(o, PLUGIN_WARNING, "ssdp", -1,
		    "%.60s answers on UDP %u, "
		    "but not with SSDP (%u datagram%s)", opts->host,
		    opts->ssdp_port, r->malformed, r->malformed == 1 ? "" : "s");
		snprintf(said, saidlen, "answers on UDP %u (not SSDP)",
		    opts->ssdp_port);
	} else {
		plugin_out_info(o, "no SSDP answer from %.60s on UDP %u in "
		    "%.1f s (3 searches)", opts->host, opts->ssdp_port, listen);
		snprintf(said, saidlen, "no SSDP answer on UDP %u in %.1f s",
		    opts->ssdp_port, listen);
	}
	if (r->foreign > 0 && opts->verbose >= 1)
		plugin_out_info(o, "ignored %u answer%s from other addresses",
		    r->foreign, r->foreign == 1 ? "" : "s");
	if (opts->verbose >= 2)
		plugin_out_info(o, "SSDP: %u datagrams, %zu IGD answers, %u "
		    "duplicates, %u other device types, %u LOCATION elsewhere, "
		    "%u malformed, %u from other hosts", r->datagrams, r->n,
		    r->duplicates, r->other_types, r->refused_location,
		    r->malformed, r->foreign);
}

/*
 * Connect to the URL's host and port by dl: 0 when something accepted the
 * connection, IGD_ECONNECT when refused or unreachable, IGD_ETIMEOUT when
 * nothing answered (filtered).  A plain TCP handshake, then closed.
 */
static int
probe_connect(const struct http_url *u, const struct deadline *dl, char *err,
    size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	unsigned long port;
	struct pollfd p;
	int fd, prc, soerr = 0;
	socklen_t el = sizeof(soerr);

	memset(&ss, 0, sizeof(ss));
	if (cli_parse_uint(u->port, 1, 65535, &port) != 0)
		return IGD_EADDRESS;
	if (inet_pton(AF_INET, u->host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, u->host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		return IGD_EADDRESS;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		return IGD_ESOCKET;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		close(fd);
		return 0;
	}
	if (errno != EINPROGRESS) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return IGD_ECONNECT;
	}
	p.fd = fd;
	p.events = POLLOUT;
	do {
		prc = poll(&p, 1, deadline_left_ms(dl));
	} while (prc < 0 && errno == EINTR);
	if (prc == 0) {
		snprintf(err, errlen, "no answer to a TCP connection");
		close(fd);
		return IGD_ETIMEOUT;
	}
	if (prc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0 ||
	    soerr != 0) {
		snprintf(err, errlen, "%s", strerror(soerr ? soerr : errno));
		close(fd);
		return IGD_ECONNECT;
	}
	close(fd);
	return 0;
}

/* 1 when body (NUL-terminated) looks like a UPnP device description of
 * any device type.  A NUL before the namespace hides it: then the answer
 * is "not UPnP", a WARNING, never an OK. */
static int
is_upnp_description(const char *body)
{
	return body != NULL &&
	    strstr(body, "urn:schemas-upnp-org:device-1-0") != NULL;
}

/* The description URL: served there is the exposure. */
static void
judge_http(struct plugin_out *o, const char *url, const struct deadline *dl,
    char *said, size_t saidlen)
{
	struct igd_device *dev;
	struct http_body body;
	struct http_url u;
	char err[256] = "";
	int rc;

	if (http_url_parse(url, &u) != 0)
		return;			/* validated before */
	rc = probe_connect(&u, dl, err, sizeof(err));
	if (rc == IGD_ECONNECT || rc == IGD_ETIMEOUT) {
		/* refused, unreachable or filtered: nobody serves it here */
		plugin_out_info(o, "%.120s: %s (%.100s)", url, rc ==
		    IGD_ETIMEOUT ? "filtered" : "refused", err);
		snprintf(said, saidlen, "TCP %.8s %s", u.port,
		    rc == IGD_ETIMEOUT ? "filtered" : "refused");
		return;
	}
	if (rc != 0) {
		plugin_out_finding(o, PLUGIN_UNKNOWN, "http", -1,
		    "%.120s: cannot probe", url);
		snprintf(said, saidlen, "TCP %.8s not probed", u.port);
		return;
	}
	/* something accepts connections there: what does it serve? */
	memset(&body, 0, sizeof(body));
	rc = http_request("GET", url, NULL, NULL, 0, IGD_DESC_MAX, dl, &body,
	    err, sizeof(err));
	if (rc == 0 && body.status == 200 &&
	    is_upnp_description(body.data)) {
		dev = calloc(1, sizeof(*dev));
		if (dev != NULL && igd_desc_parse(body.data, body.len, url, dev,
		    err, sizeof(err)) == 0)
			plugin_out_finding(o, PLUGIN_CRITICAL, "http", -1,
			    "%.120s serves a "
			    "UPnP description from outside: %.60s %.60s "
			    "(%.60s), UDN %.60s", url, dev->manufacturer,
			    dev->model_name, dev->friendly_name, dev->udn);
		else
			plugin_out_finding(o, PLUGIN_CRITICAL, "http", -1,
			    "%.120s serves a "
			    "UPnP device description from outside", url);
		free(dev);
		snprintf(said, saidlen, "serves its UPnP description on TCP "
		    "%.8s", u.port);
	} else if (rc == 0) {
		plugin_out_finding(o, PLUGIN_WARNING, "http", -1,
		    "%.120s answers HTTP %d "
		    "from outside (server %.60s), but not with a UPnP "
		    "description", url, body.status,
		    body.server[0] ? body.server : "unnamed");
		snprintf(said, saidlen, "HTTP %d on TCP %.8s (not UPnP)",
		    body.status, u.port);
	} else {
		plugin_out_finding(o, PLUGIN_WARNING, "http", -1,
		    "%.120s accepts connections "
		    "from outside, but gave no UPnP description: %.100s", url,
		    err);
		snprintf(said, saidlen, "TCP %.8s open (no description)",
		    u.port);
	}
	http_body_free(&body);
}

static const struct option longopts[] = {
	CLI_LONG,
	{ "http", required_argument, NULL, OPT_HTTP },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ NULL, 0, NULL, 0 }
};

static const struct run_spec spec = {
	"check_igd_exposed", CHECK, about, usage, options, CLI_SHORT, longopts,
	option, validate
};

/* Search the public address, listen the whole window, judge what came. */
static void
exposed_check(struct run *r, const struct exposed_args *a,
    struct ssdp_result *res)
{
	struct ssdp_search s;
	char err[512], said_ssdp[256] = "", said_http[256] = "";
	enum plugin_state st;
	struct json *j;

	/* SSDP: three searches, listen the whole window for any answer */
	memset(&s, 0, sizeof(s));
	s.unicast = r->opts.host;
	s.port = r->opts.ssdp_port;
	s.census = 1;
	s.window_ms = (int)(a->listen * 1000);
	err[0] = '\0';
	if (ssdp_search(&s, &r->dl, res, err, sizeof(err)) != 0) {
		plugin_out_set_state(r->out, PLUGIN_UNKNOWN);
		plugin_out_summary(r->out, "cannot search %.60s: %.200s",
		    r->opts.host, err);
		return;
	}
	judge_ssdp(r->out, &r->opts, res, a->listen, said_ssdp,
	    sizeof(said_ssdp));
	if (a->http != NULL) {
		if (deadline_left_ms(&r->dl) == 0) {
			plugin_out_finding(r->out, r->opts.timeout_state,
			    "timeout", -1, "timeout: %.120s not tried",
			    a->http);
			snprintf(said_http, sizeof(said_http), "%.100s not "
			    "tried", a->http);
		} else {
			judge_http(r->out, a->http, &r->dl, said_http,
			    sizeof(said_http));
		}
	}
	if ((j = plugin_out_facts(r->out)) != NULL) {
		json_kstr(j, "address", r->opts.host);
		json_kint(j, "ssdp_port", r->opts.ssdp_port);
		json_knum(j, "listen", a->listen);
		json_key(j, "ssdp");
		facts_ssdp(j, res);
		json_kstr(j, "http_url", a->http);
		json_kstr(j, "http", said_http[0] ? said_http : NULL);
	}
	st = plugin_out_state(r->out);
	plugin_out_summary(r->out, "%.60s %s: %s%s%s", r->opts.host,
	    st == PLUGIN_CRITICAL ? "answers UPnP from outside" :
	    st == PLUGIN_OK ? "does not answer UPnP from here" :
	    "answers, but not as UPnP", said_ssdp, said_http[0] ? "; " : "",
	    said_http);
}

int
main(int argc, char **argv)
{
	struct exposed_args args;
	struct run r;
	struct ssdp_result *res = NULL;
	double zero = 0;
	int st;

	memset(&args, 0, sizeof(args));
	args.listen = LISTEN_DEFAULT;
	if (run_open(&r, &spec, argc, argv, &args) != 0)
		goto finish;
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		plugin_out_set_state(r.out, PLUGIN_UNKNOWN);
		plugin_out_summary(r.out, "out of memory");
	} else {
		exposed_check(&r, &args, res);
	}
	plugin_out_perf(r.out, "ssdp_answers", res == NULL ? 0 :
	    (double)(res->n + res->other_types + res->refused_location +
	    res->duplicates), "", NULL, &zero, NULL);
	run_perf_time(&r);
finish:
	st = run_close(&r);
	fwrite(r.text, 1, r.text_len, stdout);
	free(res);
	return st;
}
