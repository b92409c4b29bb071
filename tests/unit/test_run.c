/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/run.c: the backstop never adds a second status
 * line once the verdict is made.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

/*
 * In a child, arm the backstop with the shortest timeout (it fires 0.5 s
 * later), close the run first when close_run, then outlive the alarm and
 * exit 42.  Returns the child's wait status; what it printed goes to buf
 * (len bytes, NUL-terminated), its length to *got.
 */
static int
child_with_backstop(int close_run, char *buf, size_t len, ssize_t *got)
{
	int fd[2];
	pid_t pid;
	int status;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static struct run r;
		struct cli_opts o;

		memset(&o, 0, sizeof(o));
		o.timeout = 0.01;
		o.timeout_state = PLUGIN_CRITICAL;
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		run_backstop_arm("TEST", &o);
		if (close_run)
			(void)run_close(&r);
		usleep(900 * 1000);	/* well past the 0.51 s alarm */
		_exit(42);
	}
	close(fd[1]);
	*got = read(fd[0], buf, len - 1);
	close(fd[0]);
	buf[*got > 0 ? *got : 0] = '\0';
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * Once the run is closed the child must outlive the alarm and print
 * nothing.  Without the disarm in run_close() the child writes the
 * backstop line and exits with the timeout state while main() is still
 * printing the real verdict.
 */
START_TEST(close_disarms_backstop)
{
	char buf[256];
	ssize_t got;
	int status = child_with_backstop(1, buf, sizeof(buf), &got);

	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 42);
	ck_assert_int_eq((int)got, 0);
}
END_TEST

/* The same arm without a close: the backstop does fire (the test above
 * proves something only if this one holds). */
START_TEST(backstop_fires_when_armed)
{
	char buf[256];
	ssize_t got;
	int status = child_with_backstop(0, buf, sizeof(buf), &got);

	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	ck_assert_int_gt((int)got, 0);
	ck_assert_ptr_nonnull(strstr(buf, "IGD TEST CRITICAL - plugin timed out"));
}
END_TEST

static Suite *
run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("backstop");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, close_disarms_backstop);
	tcase_add_test(tc, backstop_fires_when_armed);
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
