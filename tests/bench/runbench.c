/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * runbench: run a command N times and print one line of medians.
 *
 *   runbench [-n N] [--label L] [--netns NAME] [--timeout S] [--budget S]
 *            [--show-output] -- COMMAND [ARG...]
 *
 * Each run is fork() + execvp() with stdin, stdout and stderr on /dev/null;
 * the parent times it (CLOCK_MONOTONIC, fork to reap) and takes its rusage
 * from wait4(): ru_utime + ru_stime and ru_maxrss of that child alone.
 * Output, one line on stdout:
 *
 *   L: median wall X ms (min A, max B), median user+sys Y ms,
 *      median peak RSS Z KB, exit codes {0:11}
 *
 * (one line; wrapped here).  Exit codes are "code:count", "sigN:count" for
 * a child killed by signal N, "timeout:count" for runs killed by --timeout.
 * When --budget stopped the series early, ", runs K of N" follows.
 *
 * --netns NAME enters /run/netns/NAME (as "ip netns exec" does: setns()
 * into the network namespace, plus a private mount namespace with that
 * namespace's /sys) once, before the first fork, so the children measured
 * are the command itself and not "ip".
 * --timeout S kills a run (SIGKILL) after S seconds (default: none).
 * --budget S starts no further run once the runs so far plus one more of
 * the last one's length would exceed S seconds (at least one run is made).
 *
 * Exit status: 0 all runs ended by themselves; 1 at least one child died
 * of a signal we did not send (a crash); 3 at least one run hit --timeout
 * (and none crashed); 2 usage error, setup error or the command could not
 * be executed.
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS_MAX 100000L
#define SECONDS_MAX 86400.0
#define SIG_SLOTS 65

struct opts {
	long runs;
	const char *label;
	const char *netns;
	double timeout_s;	/* 0: none */
	double budget_s;	/* 0: none */
	int show_output;
	char **argv;
};

struct run {
	double wall_ms;
	double cpu_ms;
	double rss_kb;
};

struct tally {
	long codes[256];
	long sigs[SIG_SLOTS];
	long sig_other;
	long timeouts;
};

static const char *prog = "runbench";

static void
usage(FILE *f)
{
	fprintf(f, "Usage: %s [-n N] [--label L] [--netns NAME] [--timeout S] "
	    "[--budget S] [--show-output] -- COMMAND [ARG...]\n", prog);
}

static int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0) ||
	    v > SECONDS_MAX)
		return -1;
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_LABEL = 1000, OPT_NETNS, OPT_TIMEOUT, OPT_BUDGET, OPT_SHOW };
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "show-output", no_argument, NULL, OPT_SHOW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->runs = 11;
	o->label = NULL;
	o->netns = NULL;
	o->timeout_s = 0.0;
	o->budget_s = 0.0;
	o->show_output = 0;
	o->argv = NULL;
	/* '+': stop at the first non-option, the command is not ours. */
	while ((c = getopt_long(argc, argv, "+n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_long(optarg, 1, RUNS_MAX, &o->runs) != 0) {
				fprintf(stderr, "%s: -n wants 1..%ld, not '%s'\n",
				    prog, RUNS_MAX, optarg);
				return -1;
			}
			break;
		case OPT_LABEL:
			o->label = optarg;
			break;
		case OPT_NETNS:
			o->netns = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, &o->timeout_s) != 0) {
				fprintf(stderr, "%s: bad --timeout '%s'\n", prog,
				    optarg);
				return -1;
			}
			break;
		case OPT_BUDGET:
			if (parse_seconds(optarg, &o->budget_s) != 0) {
				fprintf(stderr, "%s: bad --budget '%s'\n", prog,
				    optarg);
				return -1;
			}
			break;
		case OPT_SHOW:
			o->show_output = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no command\n", prog);
		usage(stderr);
		return -1;
	}
	o->argv = argv + optind;
	if (o->label == NULL)
		o->label = o->argv[0];
	return 0;
}

/* Enter network namespace NAME the way "ip netns exec" does. */
static int
enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, n;

	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		fprintf(stderr, "%s: bad namespace name '%s'\n", prog, name);
		return -1;
	}
	n = snprintf(path, sizeof path, "/run/netns/%s", name);
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(stderr, "%s: namespace name too long\n", prog);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) != 0) {
		fprintf(stderr, "%s: setns %s: %s\n", prog, path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	/*
	 * A private mount namespace whose /sys shows the new network
	 * namespace (what ip does; only /sys/class/net depends on it).
	 * Best effort: the network namespace is what matters.
	 */
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) == 0) {
		if (umount2("/sys", MNT_DETACH) != 0 && errno != EINVAL)
			fprintf(stderr, "%s: warning: umount /sys: %s\n", prog,
			    strerror(errno));
		if (mount(name, "/sys", "sysfs", 0, NULL) != 0)
			fprintf(stderr, "%s: warning: mount /sys: %s\n", prog,
			    strerror(errno));
	} else {
		fprintf(stderr, "%s: warning: no private mount namespace: %s\n",
		    prog, strerror(errno));
	}
	return 0;
}

static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static double
tv_ms(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3;
}

static struct timespec
ts_from_ms(double ms)
{
	struct timespec ts;

	if (ms < 0.0)
		ms = 0.0;
	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (ts.tv_nsec < 0)
		ts.tv_nsec = 0;
	return ts;
}

/* Child side: never returns. */
static void
child(const struct opts *o, int devnull, int errpipe, const sigset_t *oldmask)
{
	int e;

	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (dup2(devnull, STDIN_FILENO) < 0)
		goto fail;
	if (!o->show_output &&
	    (dup2(devnull, STDOUT_FILENO) < 0 || dup2(devnull, STDERR_FILENO) < 0))
		goto fail;
	execvp(o->argv[0], o->argv);
fail:
	e = errno;
	if (write(errpipe, &e, sizeof e) < 0) {
		/* nothing more to be done */
	}
	_exit(127);
}

/*
 * Reap PID; with a timeout, kill it once the deadline passes.  SIGCHLD is
 * blocked, so sigtimedwait() sleeps until a child changes state.  Returns
 * 0 and fills status and ru, sets timed_out; -1 on error.
 */
static int
reap(pid_t pid, const struct timespec *start, double timeout_s, int *status,
    struct rusage *ru, int *timed_out)
{
	sigset_t chld;
	pid_t r;

	*timed_out = 0;
	if (timeout_s > 0.0) {
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		for (;;) {
			struct timespec now, left;
			double rem;

			r = wait4(pid, status, WNOHANG, ru);
			if (r == pid)
				return 0;
			if (r < 0 && errno != EINTR)
				return -1;
			clock_gettime(CLOCK_MONOTONIC, &now);
			rem = timeout_s * 1e3 - ms_between(start, &now);
			if (rem <= 0.0) {
				kill(pid, SIGKILL);
				*timed_out = 1;
				break;
			}
			left = ts_from_ms(rem);
			if (sigtimedwait(&chld, NULL, &left) < 0 &&
			    errno != EAGAIN && errno != EINTR)
				return -1;
		}
	}
	for (;;) {
		r = wait4(pid, status, 0, ru);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of V[0..n-1] (sorts V). */
static double
median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void
print_codes(const struct tally *t)
{
	const char *sep = "";

	fputc('{', stdout);
	for (int i = 0; i < 256; i++) {
		if (t->codes[i] > 0) {
			printf("%s%d:%ld", sep, i, t->codes[i]);
			sep = ", ";
		}
	}
	for (int i = 1; i < SIG_SLOTS; i++) {
		if (t->sigs[i] > 0) {
			printf("%ssig%d:%ld", sep, i, t->sigs[i]);
			sep = ", ";
		}
	}
	if (t->sig_other > 0) {
		printf("%ssig?:%ld", sep, t->sig_other);
		sep = ", ";
	}
	if (t->timeouts > 0)
		printf("%stimeout:%ld", sep, t->timeouts);
	fputc('}', stdout);
}

static void
report(const struct opts *o, struct run *runs, long done, const struct tally *t)
{
	double *v, wmin, wmax, wmed, cmed, rmed;

	v = malloc((size_t)done * sizeof *v);
	if (v == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return;
	}
	wmin = wmax = runs[0].wall_ms;
	for (long i = 0; i < done; i++) {
		v[i] = runs[i].wall_ms;
		if (v[i] < wmin)
			wmin = v[i];
		if (v[i] > wmax)
			wmax = v[i];
	}
	wmed = median(v, done);
	for (long i = 0; i < done; i++)
		v[i] = runs[i].cpu_ms;
	cmed = median(v, done);
	for (long i = 0; i < done; i++)
		v[i] = runs[i].rss_kb;
	rmed = median(v, done);
	free(v);
	printf("%s: median wall %.1f ms (min %.1f, max %.1f), median user+sys "
	    "%.2f ms, median peak RSS %.0f KB, exit codes ", o->label, wmed,
	    wmin, wmax, cmed, rmed);
	print_codes(t);
	if (done < o->runs)
		printf(", runs %ld of %ld", done, o->runs);
	fputc('\n', stdout);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct run *runs;
	struct tally t;
	struct timespec series0;
	sigset_t chld, oldmask;
	long done = 0;
	int devnull, crashed = 0, exec_failed = 0;

	if (argc > 0 && argv[0] != NULL && argv[0][0] != '\0') {
		const char *slash = strrchr(argv[0], '/');
		prog = slash != NULL ? slash + 1 : argv[0];
	}
	if (parse_args(argc, argv, &o) != 0)
		return 2;
	if (o.netns != NULL && enter_netns(o.netns) != 0)
		return 2;
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		fprintf(stderr, "%s: /dev/null: %s\n", prog, strerror(errno));
		return 2;
	}
	runs = calloc((size_t)o.runs, sizeof *runs);
	if (runs == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	memset(&t, 0, sizeof t);
	/* Reaping needs SIGCHLD not ignored; block it for sigtimedwait(). */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &oldmask);
	fflush(NULL);

	clock_gettime(CLOCK_MONOTONIC, &series0);
	for (long i = 0; i < o.runs; i++) {
		struct timespec t0, t1;
		struct rusage ru;
		int errpipe[2], status, timed_out, child_errno;
		ssize_t got;
		pid_t pid;

		if (i > 0 && o.budget_s > 0.0) {
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (ms_between(&series0, &now) + runs[i - 1].wall_ms >
			    o.budget_s * 1e3)
				break;
		}
		if (pipe2(errpipe, O_CLOEXEC) != 0) {
			fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
			close(errpipe[0]);
			close(errpipe[1]);
			break;
		}
		if (pid == 0)
			child(&o, devnull, errpipe[1], &oldmask);
		close(errpipe[1]);
		/* EOF once execvp() succeeded (close-on-exec). */
		do {
			got = read(errpipe[0], &child_errno, sizeof child_errno);
		} while (got < 0 && errno == EINTR);
		close(errpipe[0]);
		memset(&ru, 0, sizeof ru);
		if (reap(pid, &t0, o.timeout_s, &status, &ru, &timed_out) != 0) {
			fprintf(stderr, "%s: wait4: %s\n", prog, strerror(errno));
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (got == (ssize_t)sizeof child_errno) {
			fprintf(stderr, "%s: cannot run %s: %s\n", prog,
			    o.argv[0], strerror(child_errno));
			exec_failed = 1;
			break;
		}
		runs[done].wall_ms = ms_between(&t0, &t1);
		runs[done].cpu_ms = tv_ms(&ru.ru_utime) + tv_ms(&ru.ru_stime);
		runs[done].rss_kb = (double)ru.ru_maxrss;	/* KB on Linux */
		done++;
		if (timed_out) {
			t.timeouts++;
		} else if (WIFEXITED(status)) {
			t.codes[WEXITSTATUS(status) & 0xff]++;
		} else if (WIFSIGNALED(status)) {
			int s = WTERMSIG(status);

			if (s > 0 && s < SIG_SLOTS)
				t.sigs[s]++;
			else
				t.sig_other++;
			crashed = 1;
		}
	}
	if (done > 0)
		report(&o, runs, done, &t);
	free(runs);
	if (exec_failed || done == 0)
		return 2;
	if (crashed)
		return 1;
	if (t.timeouts > 0)
		return 3;
	return 0;
}
