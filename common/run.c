/* SPDX-License-Identifier: GPL-3.0-or-later */
/* run: the opening and closing of a plugin run, the backstop (see run.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "facts.h"
#include "json.h"
#include "judge_present.h"
#include "msg.h"
#include "run.h"

/* Append to the text main() writes (cut if it does not fit). */
static void
run_say(struct run *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->text_len + 1 >= sizeof(r->textbuf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->textbuf + r->text_len, sizeof(r->textbuf) -
	    r->text_len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	r->text_len += (size_t)n;
	if (r->text_len >= sizeof(r->textbuf))
		r->text_len = sizeof(r->textbuf) - 1;
}

/* End the run before it started: status UNKNOWN, the text already said. */
static int
run_stop(struct run *r)
{
	r->status = PLUGIN_UNKNOWN;
	return -1;
}

/* The plugin's name for JSON documents (the backstop's too). */
static const char *run_prog = "check_igd";

/* The JSON document main() writes; it lives until the process ends. */
static struct json run_doc;

/*
 * End the run before it started, in JSON when json: a verdict UNKNOWN
 * whose summary is msg and whose error names stage (run_close renders it).
 * Else the text already said by the caller stands.
 */
static int
run_fail(struct run *r, int json, const char *stage, const char *msg)
{
	if (json && r->out == NULL)
		r->out = plugin_out_new(r->spec->check);
	if (json && r->out != NULL) {
		plugin_out_want_json(r->out);
		plugin_out_set_state(r->out, PLUGIN_UNKNOWN);
		plugin_out_summary(r->out, "%s", msg);
		plugin_out_error(r->out, stage, msg);
	}
	return run_stop(r);
}

int
run_open(struct run *r, const struct run_spec *spec, int argc,
    char *const argv[], void *ctx)
{
	const struct run_spec *s = spec;
	char err[512];

	memset(r, 0, sizeof(*r));
	r->spec = s;
	r->text = r->textbuf;
	run_prog = s->prog;
	switch (cli_parse(argc, argv, s->shortopts, s->longopts, &r->opts,
	    s->option, ctx, err, sizeof(err))) {
	case CLI_HELP:
		run_say(r, "%s v%s (check_igd)\n"
		    "Copyright (C) 2026 the check_igd authors\n"
		    "License GPL-3.0-or-later: GNU GPL version 3 or later; "
		    "no warranty\n\n%s%s%s", s->prog, CHECK_IGD_VERSION,
		    s->about, s->usage, s->options);
		return run_stop(r);
	case CLI_VERSION:
		run_say(r, "%s v%s (check_igd)\n", s->prog, CHECK_IGD_VERSION);
		return run_stop(r);
	case CLI_BAD:
		run_say(r, "IGD %s UNKNOWN - %s\n%s", s->check, err, s->usage);
		return run_fail(r, cli_wants_json(argc, argv, s->shortopts,
		    s->longopts), "options", err);
	default:
		break;
	}
	if (s->validate != NULL &&
	    s->validate(&r->opts, ctx, err, sizeof(err)) != 0) {
		run_say(r, "IGD %s UNKNOWN - %s\n", s->check, err);
		return run_fail(r, r->opts.json, "options", err);
	}
	if ((r->opts.policy != NULL ?
	    policy_load_file(r->opts.policy, &r->pol, err, sizeof(err)) :
	    policy_load_default(&r->pol, err, sizeof(err))) != 0) {
		char msg[600];

		snprintf(msg, sizeof(msg), "policy error: %s", err);
		run_say(r, "IGD %s UNKNOWN - %s\n", s->check, msg);
		return run_fail(r, r->opts.json, "policy", msg);
	}
	run_backstop_arm(s->check, &r->opts);
	deadline_init(&r->dl, run_deadline_ms(&r->opts));
	r->started = deadline_now_ms();
	if ((r->out = plugin_out_new(s->check)) == NULL) {
		run_say(r, "IGD %s UNKNOWN - out of memory\n", s->check);
		return run_stop(r);
	}
	if (r->opts.json && plugin_out_want_json(r->out) != 0)
		plugin_out_error(r->out, "memory", "out of memory for the "
		    "JSON document");
	return 0;
}

/*
 * Render r->out as JSON into run_doc and point r->text at it.  Should it
 * not fit (r->json_max, RUN_JSON_MAX when 0), a short document saying so
 * goes into r->textbuf instead, carrying the verdict's status line.
 * Returns the state the document written says, which is the exit status:
 * the verdict's, or for the short document the worse of it and UNKNOWN (a
 * verdict that could not be given whole is never OK, and a CRITICAL one
 * stays CRITICAL).
 */
static enum plugin_state
run_render_json(struct run *r)
{
	enum plugin_state st = plugin_out_state(r->out);
	size_t max = r->json_max != 0 ? r->json_max : RUN_JSON_MAX;
	char line[PLUGIN_LINE_MAX + 64];
	struct plugin_out *o;
	struct json j;
	size_t n;

	json_free(&run_doc);
	if (json_init_alloc(&run_doc, max) == 0)
		plugin_out_render_json(r->out, run_prog, &run_doc);
	if (json_done(&run_doc) == 0 && run_doc.len + 1 < run_doc.cap) {
		run_doc.buf[run_doc.len++] = '\n';
		run_doc.buf[run_doc.len] = '\0';
		r->text = run_doc.buf;
		r->text_len = run_doc.len;
		return st;
	}
	json_free(&run_doc);
	/* the verdict's first line, to say what the lost document said */
	plugin_out_render(r->out, r->textbuf, sizeof(r->textbuf), &n);
	n = strcspn(r->textbuf, "|\n");
	while (n > 0 && r->textbuf[n - 1] == ' ')
		n--;
	snprintf(line, sizeof(line), "%.*s", (int)n, r->textbuf);
	st = plugin_state_worst(st, PLUGIN_UNKNOWN);
	o = plugin_out_new(r->spec->check);
	if (o != NULL) {
		plugin_out_want_json(o);
		plugin_out_set_state(o, st);
		plugin_out_summary(o, "the JSON document did not fit in %zu "
		    "bytes; the verdict: %s", max, line);
		plugin_out_error(o, "memory", "JSON document too large");
	}
	json_init(&j, r->textbuf, sizeof(r->textbuf) - 1);
	if (o != NULL)
		plugin_out_render_json(o, run_prog, &j);
	plugin_out_free(o);
	if (o == NULL || json_done(&j) != 0) {
		/* no memory even for that: the status line alone */
		j.len = (size_t)snprintf(r->textbuf, sizeof(r->textbuf) - 1,
		    "IGD %s %s - out of memory for the JSON document",
		    r->spec->check, plugin_state_name(st));
	}
	r->text_len = j.len;
	r->textbuf[r->text_len++] = '\n';
	r->textbuf[r->text_len] = '\0';
	r->text = r->textbuf;
	return st;
}

int
run_close(struct run *r)
{
	int st = r->status;

	if (r->out != NULL) {
		/* the verdict replaces anything said before; the state
		 * returned is the one the text says */
		if (plugin_out_is_json(r->out))
			st = (int)run_render_json(r);
		else
			st = (int)plugin_out_render(r->out, r->textbuf,
			    sizeof(r->textbuf), &r->text_len);
		plugin_out_free(r->out);
		r->out = NULL;
	}
	/* from here on the verdict is ours to write, and main() may block
	 * writing it (a reader that does not read): the backstop stays
	 * armed but silent, so that it never writes a second status line
	 * or document into ours, and exits with the state ours says */
	run_backstop_quiet(st);
	policy_free(r->pol);
	r->pol = NULL;
	return st;
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
run_state_path(const struct cli_opts *o, const char *prog, const char *extra,
    const char *dir, char *buf, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	char uid[24];
	int n;

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

int
run_state_dir(const char *base, char *dir, size_t len, char *why,
    size_t whylen)
{
	const char *np = getenv("NP_STATE_DIRECTORY");
	unsigned long euid = (unsigned long)geteuid();
	struct stat st;
	int n, fd;

	if (np != NULL && *np != '\0')
		n = snprintf(dir, len, "%s", np);
	else
		n = snprintf(dir, len, "%s/check_igd-%lu",
		    base != NULL ? base : RUN_STATE_BASE, euid);
	if (n < 0 || (size_t)n >= len) {
		msg_set(why, whylen, "state folder name too long");
		return -1;
	}
	if (np != NULL && *np != '\0') {
		/* the administrator's choice: followed if a link */
		if (stat(dir, &st) != 0) {
			msg_set(why, whylen, "NP_STATE_DIRECTORY %.200s: %s",
			    dir, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			msg_set(why, whylen, "NP_STATE_DIRECTORY %.200s: not "
			    "a folder", dir);
			return -1;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !(st.st_mode & S_ISVTX)) {
			msg_set(why, whylen, "NP_STATE_DIRECTORY %.200s: "
			    "writable by %s without the sticky bit (mode "
			    "%04o): anyone could replace a state file",
			    dir, (st.st_mode & S_IWOTH) ? "others" : "its group",
			    (unsigned)(st.st_mode & 07777));
			return -1;
		}
		if (st.st_uid != geteuid() && st.st_uid != 0) {
			msg_set(why, whylen, "NP_STATE_DIRECTORY %.200s: owned "
			    "by uid %lu, neither this user nor root: its owner "
			    "could replace a state file", dir,
			    (unsigned long)st.st_uid);
			return -1;
		}
		return 0;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		msg_set(why, whylen, "state folder %.200s: cannot create: %s",
		    dir, strerror(errno));
		return -1;
	}
	/* the folder itself, never what a link there points to */
	if (lstat(dir, &st) != 0) {
		msg_set(why, whylen, "state folder %.200s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		msg_set(why, whylen, "state folder %.200s: a symbolic link, "
		    "not followed", dir);
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		msg_set(why, whylen, "state folder %.200s: %s", dir,
		    errno == ENOTDIR ? "not a folder" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (st.st_uid != geteuid()) {
		msg_set(why, whylen, "state folder %.200s: owned by uid %lu, "
		    "not by this user (uid %lu)", dir,
		    (unsigned long)st.st_uid, euid);
		return -1;
	}
	if (st.st_mode & 077) {
		msg_set(why, whylen, "state folder %.200s: open to group or "
		    "others (mode %04o, expected 0700)", dir,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
run_state_file(struct run *r, const char *given, int none,
    const char *extra, const char **path, char *why, size_t whylen)
{
	char dir[RUN_PATH_MAX];
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	*path = NULL;
	if (none)
		return 0;
	if (given != NULL) {
		*path = given;
		return 0;
	}
	*path = r->state_path;
	rc = run_state_dir(NULL, dir, sizeof(dir), why, whylen);
	if (run_state_path(&r->opts, r->spec->prog, extra, dir,
	    r->state_path, sizeof(r->state_path)) != 0) {
		snprintf(r->state_path, sizeof(r->state_path), "%s", dir);
		if (rc == 0)
			msg_set(why, whylen, "state file name too long in "
			    "%.200s", dir);
		return -1;
	}
	return rc;
}

void
run_target(const struct cli_opts *o, struct igd_target *t)
{
	memset(t, 0, sizeof(*t));
	t->url = o->url;
	t->ssdp.unicast = o->host;
	t->ssdp.port = o->ssdp_port;
	t->ssdp.iface = o->iface;
}

int
run_find_device(struct run *r, struct igd_found *found)
{
	const struct cli_opts *opts = &r->opts;
	const struct policy_present *pp = &r->pol->present;
	struct ssdp_result *ssdp = NULL;
	struct igd_target target;
	char err[256] = "";
	size_t n = 0;
	int rc;
	struct json *j;

	run_target(opts, &target);
	if (opts->url == NULL && opts->host == NULL) {
		/* multicast: wait for the pinned device, describe it alone
		 * and keep the others that answered, to name them */
		target.ssdp.want_udn = pp->udn;
		target.ssdp.want_location = pp->location;
		target.wanted_only = 1;
		ssdp = malloc(sizeof(*ssdp));
		if (ssdp == NULL) {
			plugin_out_set_state(r->out, PLUGIN_UNKNOWN);
			plugin_out_summary(r->out, "out of memory");
			return -1;
		}
	}
	if (igd_discover(&target, &r->dl, found, 1, &n, ssdp, err,
	    sizeof(err)) != 0) {
		plugin_out_set_state(r->out, PLUGIN_UNKNOWN);
		plugin_out_summary(r->out, "cannot search: %s", err);
		plugin_out_error(r->out, "search", err);
		free(ssdp);
		return -1;
	}
	rc = judge_present_device(r->out, pp, n > 0 ? found : NULL, ssdp, opts);
	free(ssdp);
	if (rc != 0)
		plugin_out_error(r->out, n == 0 ? "search" : "description",
		    n == 0 ? "no IGD answered" : found->rc != 0 ? found->err :
		    "the device found is not the one the policy pins");
	else if ((j = plugin_out_facts(r->out)) != NULL) {
		json_key(j, "device");
		facts_device(j, &found->dev);
		json_kint(j, "answer_ms", found->answer_ms);
	}
	return rc;
}

void
run_perf_time(struct run *r)
{
	double zero = 0;

	plugin_out_perf(r->out, "time",
	    (double)(deadline_now_ms() - r->started) / 1000.0, "s", NULL,
	    &zero, NULL);
}

long long
run_deadline_ms(const struct cli_opts *o)
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

static char backstop_msg[2048];	/* a JSON document with --format json */
static size_t backstop_len;
static int backstop_state;
/* -1: the run goes on, the backstop speaks; 0..3: the verdict is being
 * written, the backstop exits silently with this state */
static volatile sig_atomic_t backstop_quiet_state = -1;

static void
backstop(int sig)
{
	int quiet = (int)backstop_quiet_state;
	ssize_t w;

	(void)sig;
	if (quiet >= 0)
		_exit(quiet);
	w = write(STDOUT_FILENO, backstop_msg, backstop_len);
	(void)w;
	_exit(backstop_state);
}

void
run_backstop_quiet(int state)
{
	if (state < 0 || state > 3)
		state = PLUGIN_UNKNOWN;
	/* one store: the handler sees the run going on, or this */
	backstop_quiet_state = state;
}

void
run_backstop_disarm(void)
{
	struct itimerval it;
	struct sigaction sa;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	/* SIG_IGN also discards an alarm already pending */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* The backstop's verdict as a JSON document into backstop_msg. */
static void
backstop_json(const char *check, const struct cli_opts *o)
{
	struct plugin_out *b = plugin_out_new(check);
	struct json j;
	char msg[96];

	if (b == NULL)
		return;			/* the text line stays */
	snprintf(msg, sizeof(msg), "plugin timed out after %.1f s (backstop)",
	    o->timeout);
	plugin_out_want_json(b);
	plugin_out_set_state(b, o->timeout_state);
	plugin_out_summary(b, "%s", msg);
	plugin_out_error(b, "timeout", msg);
	json_init(&j, backstop_msg, sizeof(backstop_msg) - 1);
	plugin_out_render_json(b, run_prog, &j);
	if (json_done(&j) == 0) {
		backstop_msg[j.len] = '\n';
		backstop_len = j.len + 1;
	}
	plugin_out_free(b);
}

void
run_backstop_arm(const char *check, const struct cli_opts *o)
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
	if (o->json)
		backstop_json(check, o);
	backstop_state = (int)o->timeout_state;
	backstop_quiet_state = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = backstop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)t;
	it.it_value.tv_usec = (suseconds_t)((t - (double)(time_t)t) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}
