/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/run.c: the backstop never adds a second status
 * line once the verdict is made, and still ends a write of it that
 * blocks; a JSON document's state is the exit status; the folder of the default state files is
 * one no other local user can write in.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

/*
 * In a child, arm the backstop with the shortest timeout (it fires 0.5 s
 * later, state CRITICAL), close a run whose status is WARNING first when
 * close_run, then (with block) write more than the pipe holds while the
 * parent does not read, then outlive the alarm and exit 42.  Returns the
 * child's wait status; what it printed goes to buf (len bytes,
 * NUL-terminated), its length to *got.
 */
static int
child_with_backstop(int close_run, int block, char *buf, size_t len,
    ssize_t *got)
{
	int fd[2];
	pid_t pid;
	int status;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static struct run r;
		static char big[1 << 20];
		struct cli_opts o;

		memset(&o, 0, sizeof(o));
		o.timeout = 0.01;
		o.timeout_state = PLUGIN_CRITICAL;
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		run_backstop_arm("TEST", &o);
		if (close_run) {
			r.status = PLUGIN_WARNING;
			(void)run_close(&r);
		}
		if (block) {
			/* 1 MiB into a 64 KiB pipe nobody reads */
			memset(big, 'x', sizeof(big));
			(void)fwrite(big, 1, sizeof(big), stdout);
			fflush(stdout);
		}
		usleep(900 * 1000);	/* well past the 0.51 s alarm */
		_exit(42);
	}
	close(fd[1]);
	if (block) {
		/* read only once the child is gone */
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		*got = read(fd[0], buf, len - 1);
	} else {
		*got = read(fd[0], buf, len - 1);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	}
	close(fd[0]);
	buf[*got > 0 ? *got : 0] = '\0';
	return status;
}

/*
 * Once the run is closed the backstop stays armed but silent: the child is
 * ended at the alarm, writes nothing, and exits with the verdict's state
 * (WARNING), not the timeout state.  Without the quiet mode the child
 * writes the backstop line into the verdict main() is printing.
 */
START_TEST(close_quiets_backstop)
{
	char buf[256];
	ssize_t got;
	int status = child_with_backstop(1, 0, buf, sizeof(buf), &got);

	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert_int_eq((int)got, 0);
}
END_TEST

/*
 * A verdict written into a pipe nobody reads: the write blocks, the quiet
 * backstop ends it at the alarm with the verdict's state, and only the
 * verdict's bytes are in the pipe (no backstop line after them).  Before,
 * run_close() disarmed the backstop and the child blocked for ever (the
 * test's timeout).
 */
START_TEST(blocked_write_ends_at_backstop)
{
	char buf[256];
	ssize_t got;
	int status = child_with_backstop(1, 1, buf, sizeof(buf), &got);

	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert_int_eq((int)got, (int)sizeof(buf) - 1);
	ck_assert_ptr_null(strstr(buf, "timed out"));
	ck_assert_int_eq((int)strspn(buf, "x"), (int)got);
}
END_TEST

/* The same arm without a close: the backstop does fire and speak (the
 * tests above prove something only if this one holds). */
START_TEST(backstop_fires_when_armed)
{
	char buf[256];
	ssize_t got;
	int status = child_with_backstop(0, 0, buf, sizeof(buf), &got);

	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	ck_assert_int_gt((int)got, 0);
	ck_assert_ptr_nonnull(strstr(buf, "IGD TEST CRITICAL - plugin timed out"));
}
END_TEST

/* ---- the JSON document and the exit status ---- */

static const struct run_spec json_spec = { .prog = "check_igd_test",
    .check = "TEST" };

/*
 * Close a run whose verdict is state st (with a finding) in JSON, with the
 * document capped at max bytes (0: RUN_JSON_MAX); the text into buf.
 * Returns run_close()'s exit status.
 */
static int
close_json(enum plugin_state st, size_t max, char *buf, size_t len)
{
	static struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.spec = &json_spec;
	r.text = r.textbuf;
	r.json_max = max;
	r.out = plugin_out_new("TEST");
	ck_assert_ptr_nonnull(r.out);
	ck_assert_int_eq(plugin_out_want_json(r.out), 0);
	plugin_out_finding(r.out, st, "test.rule", -1, "a finding of state %s "
	    "with enough text to pass a small cap", plugin_state_name(st));
	plugin_out_summary_worst(r.out, "summary");
	rc = run_close(&r);
	ck_assert(r.text_len > 0 && r.text_len < len);
	memcpy(buf, r.text, r.text_len);
	buf[r.text_len] = '\0';
	return rc;
}

/* The state a JSON document says, as "state":N. */
static int
doc_state(const char *doc)
{
	const char *p = strstr(doc, "\"state\":");

	ck_assert_msg(p != NULL, "no state in %s", doc);
	return p[8] - '0';
}

/* A document that fits: the verdict's state, in the text and as status. */
START_TEST(json_state_is_status)
{
	char buf[RUN_TEXT_MAX];
	int rc = close_json(PLUGIN_CRITICAL, 0, buf, sizeof(buf));

	ck_assert_int_eq(rc, 2);
	ck_assert_int_eq(doc_state(buf), 2);
	ck_assert_ptr_null(strstr(buf, "did not fit"));
}
END_TEST

/*
 * A document too large for its cap: the short document's state and the
 * exit status are one value, the worse of the verdict's and UNKNOWN (a
 * CRITICAL verdict stays CRITICAL, an OK one becomes UNKNOWN), and it
 * quotes the verdict's status line.  Before, the short document said
 * UNKNOWN while the process exited with the verdict's state.
 */
START_TEST(json_fallback_state_is_status)
{
	static const struct { enum plugin_state verdict; int want; } c[] = {
		{ PLUGIN_CRITICAL, 2 }, { PLUGIN_WARNING, 1 },
		{ PLUGIN_OK, 3 }, { PLUGIN_UNKNOWN, 3 },
	};
	char buf[RUN_TEXT_MAX];

	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++) {
		int rc = close_json(c[i].verdict, 64, buf, sizeof(buf));

		ck_assert_msg(strstr(buf, "did not fit in 64 bytes") != NULL,
		    "no fallback: %s", buf);
		ck_assert_msg(strstr(buf, "\"stage\":\"memory\"") != NULL,
		    "%s", buf);
		ck_assert_int_eq(rc, c[i].want);
		ck_assert_int_eq(doc_state(buf), c[i].want);
		ck_assert_msg(strstr(buf, c[i].verdict == PLUGIN_OK ?
		    "the verdict: IGD TEST OK - summary" :
		    "the verdict: IGD TEST ") != NULL, "%s", buf);
	}
}
END_TEST

/* ---- the state folder ---- */

static char base[256];		/* a fresh folder per test */
static char want[512];		/* base/check_igd-EUID */

static void
dir_setup(void)
{
	int n = snprintf(base, sizeof(base), "%s/test_run.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");

	ck_assert(n > 0 && (size_t)n < sizeof(base));
	ck_assert_ptr_nonnull(mkdtemp(base));
	n = snprintf(want, sizeof(want), "%s/check_igd-%lu", base,
	    (unsigned long)geteuid());
	ck_assert(n > 0 && (size_t)n < sizeof(want));
	unsetenv("NP_STATE_DIRECTORY");
}

static void
dir_teardown(void)
{
	char cmd[600];

	if (snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", base) <
	    (int)sizeof(cmd))
		(void)system(cmd);
}

/* run_state_dir(base) must fail with a message holding part. */
static void
dir_refused(const char *part)
{
	char dir[512], why[512] = "";

	ck_assert_int_eq(run_state_dir(base, dir, sizeof(dir), why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, part) != NULL, "message '%s' lacks '%s'",
	    why, part);
}

/* Missing: created private; there already and private: used. */
START_TEST(state_dir_created)
{
	char dir[512], why[512] = "";
	struct stat st;

	ck_assert_int_eq(run_state_dir(base, dir, sizeof(dir), why,
	    sizeof(why)), 0);
	ck_assert_str_eq(dir, want);
	ck_assert_int_eq(lstat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_uint_eq(st.st_uid, geteuid());
	ck_assert_int_eq(run_state_dir(base, dir, sizeof(dir), why,
	    sizeof(why)), 0);
}
END_TEST

/*
 * What another local user could have put in the folder's place first: a
 * symbolic link (to a folder of theirs), a folder open to others, a file,
 * a folder they own.
 */
START_TEST(state_dir_refused)
{
	char elsewhere[512];

	ck_assert(snprintf(elsewhere, sizeof(elsewhere), "%s/theirs", base) >
	    0);
	ck_assert_int_eq(mkdir(elsewhere, 0700), 0);
	ck_assert_int_eq(symlink(elsewhere, want), 0);
	dir_refused("a symbolic link, not followed");
	ck_assert_int_eq(unlink(want), 0);

	ck_assert_int_eq(mkdir(want, 0700), 0);
	ck_assert_int_eq(chmod(want, 0755), 0);
	dir_refused("open to group or others (mode 0755, expected 0700)");
	ck_assert_int_eq(chmod(want, 0770), 0);
	dir_refused("(mode 0770, expected 0700)");
	ck_assert_int_eq(chmod(want, 01777), 0);
	dir_refused("(mode 1777, expected 0700)");
	ck_assert_int_eq(rmdir(want), 0);

	{
		int fd = open(want, O_WRONLY | O_CREAT | O_EXCL, 0600);

		ck_assert_int_ge(fd, 0);
		close(fd);
		dir_refused("not a folder");
		ck_assert_int_eq(unlink(want), 0);
	}
	ck_assert_int_eq(mkfifo(want, 0600), 0);
	dir_refused("not a folder");	/* and without blocking */
	ck_assert_int_eq(unlink(want), 0);

	if (geteuid() == 0) {
		ck_assert_int_eq(mkdir(want, 0700), 0);
		ck_assert_int_eq(chown(want, 65534, 65534), 0);
		dir_refused("owned by uid 65534, not by this user (uid 0)");
	}
}
END_TEST

/* NP_STATE_DIRECTORY, when set, is the folder: it must be one, owned by
 * this user or root, and not writable by its group or others unless
 * sticky. */
START_TEST(state_dir_np)
{
	char np[512], dir[512], why[512] = "";

	ck_assert(snprintf(np, sizeof(np), "%s/np", base) > 0);
	ck_assert_int_eq(setenv("NP_STATE_DIRECTORY", np, 1), 0);
	dir_refused("NP_STATE_DIRECTORY");
	ck_assert_int_eq(mkdir(np, 0755), 0);
	ck_assert_int_eq(run_state_dir(base, dir, sizeof(dir), why,
	    sizeof(why)), 0);
	ck_assert_str_eq(dir, np);
	ck_assert_int_eq(access(want, F_OK), -1);	/* not created */
	ck_assert_int_eq(chmod(np, 0777), 0);
	dir_refused("writable by others without the sticky bit (mode 0777)");
	/* a group member could delete the state file: a silent first run */
	ck_assert_int_eq(chmod(np, 0775), 0);
	dir_refused("writable by its group without the sticky bit (mode 0775)");
	ck_assert_int_eq(chmod(np, 01775), 0);
	ck_assert_int_eq(run_state_dir(base, dir, sizeof(dir), why,
	    sizeof(why)), 0);
	/* another (non-root) owner could do the same */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(np, 65534, (gid_t)-1), 0);
		dir_refused("owned by uid 65534, neither this user nor root");
		ck_assert_int_eq(chown(np, 0, (gid_t)-1), 0);
	}
	ck_assert_int_eq(chmod(np, 01777), 0);
	ck_assert_int_eq(run_state_dir(base, dir, sizeof(dir), why,
	    sizeof(why)), 0);
	ck_assert_int_eq(rmdir(np), 0);
	{
		int fd = open(np, O_WRONLY | O_CREAT | O_EXCL, 0600);

		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	dir_refused("not a folder");
	/* empty: not set */
	ck_assert_int_eq(setenv("NP_STATE_DIRECTORY", "", 1), 0);
	ck_assert_int_eq(run_state_dir(base, dir, sizeof(dir), why,
	    sizeof(why)), 0);
	ck_assert_str_eq(dir, want);
}
END_TEST

/* The default file lives in that folder; the name depends on the target,
 * the extra text and the uid only. */
START_TEST(state_path_in_dir)
{
	struct cli_opts o;
	char a[RUN_PATH_MAX], b[RUN_PATH_MAX];

	memset(&o, 0, sizeof(o));
	o.host = "192.0.2.1";
	ck_assert_int_eq(run_state_path(&o, "check_igd_wan", NULL, "/d", a,
	    sizeof(a)), 0);
	ck_assert_int_eq(strncmp(a, "/d/check_igd_wan-", 17), 0);
	ck_assert_int_eq(run_state_path(&o, "check_igd_wan", "x", "/d", b,
	    sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(run_state_path(&o, "check_igd_wan", NULL, "/d", a,
	    20), -1);
}
END_TEST

static Suite *
run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("backstop");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, close_quiets_backstop);
	tcase_add_test(tc, blocked_write_ends_at_backstop);
	tcase_add_test(tc, backstop_fires_when_armed);
	tcase_add_test(tc, json_state_is_status);
	tcase_add_test(tc, json_fallback_state_is_status);
	suite_add_tcase(s, tc);
	tc = tcase_create("state folder");
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, state_dir_created);
	tcase_add_test(tc, state_dir_refused);
	tcase_add_test(tc, state_dir_np);
	tcase_add_test(tc, state_path_in_dir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(run_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
