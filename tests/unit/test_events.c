/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/events.c: JSON escaping of any bytes, overflow,
 * refusing symlinks, FIFOs and files others can write, the mode of a new
 * file, overlapping writers (8 processes: every line whole), and a rotated
 * file (the next run writes a new one).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "events.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "%s/test_events.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
in_dir(const char *name)
{
	static char p[2][400];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

START_TEST(line_escapes)
{
	char buf[512];
	struct events_line j;

	events_line_init(&j, buf, sizeof(buf));
	events_line_str(&j, "event", "new");
	events_line_int(&j, "external_port", 4450);
	events_line_str(&j, "description", "a\"b\\c\nd\te\x01|\x7f");
	events_line_str(&j, "bad_utf8", "x\xff\xc3(y\xed\xa0\x80z");
	events_line_str(&j, "ok_utf8", "gallet\xc3\xa9 \xe2\x82\xac");
	events_line_str(&j, "mac", NULL);
	events_line_int(&j, "neg", -5);
	ck_assert_int_gt(events_line_end(&j), 0);
	ck_assert_str_eq(buf, "{\"event\":\"new\",\"external_port\":4450,"
	    "\"description\":\"a\\\"b\\\\c\\u000ad\\u0009e\\u0001\\u007c\\u007f\","
	    "\"bad_utf8\":\"x\xef\xbf\xbd\xef\xbf\xbd(y\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbdz\","
	    "\"ok_utf8\":\"gallet\xc3\xa9 \xe2\x82\xac\",\"mac\":null,"
	    "\"neg\":-5}");
}
END_TEST

START_TEST(line_overflow)
{
	char buf[32];
	struct events_line j;

	events_line_init(&j, buf, sizeof(buf));
	events_line_str(&j, "description", "this is longer than the buffer");
	ck_assert_int_eq(events_line_end(&j), -1);
	events_line_init(&j, buf, 2);
	ck_assert_int_eq(events_line_end(&j), -1);
}
END_TEST

START_TEST(refusals)
{
	struct events_log *l = NULL;
	char err[256];
	int fd;

	/* a symlink (to a file we own) */
	fd = open(in_dir("real"), O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(symlink(in_dir("real"), in_dir("link")), 0);
	ck_assert_int_eq(events_open(in_dir("link"), NULL,
	    &l, err, sizeof(err)),
	    IGD_EADDRESS);
	ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
	ck_assert_ptr_null(l);
	/* a FIFO: refused at once, not blocking */
	ck_assert_int_eq(mkfifo(in_dir("fifo"), 0600), 0);
	ck_assert_int_eq(events_open(in_dir("fifo"), NULL,
	    &l, err, sizeof(err)),
	    IGD_EADDRESS);
	ck_assert_ptr_nonnull(strstr(err, "FIFO"));
	/* a directory */
	ck_assert_int_ne(events_open(dir, NULL, &l, err, sizeof(err)), 0);
	/* writable by others */
	ck_assert_int_eq(chmod(in_dir("real"), 0666), 0);
	ck_assert_int_eq(events_open(in_dir("real"), NULL,
	    &l, err, sizeof(err)),
	    IGD_EADDRESS);
	ck_assert_ptr_nonnull(strstr(err, "writable by others"));
	/* writable by its group (a member could forge or cut lines) */
	ck_assert_int_eq(chmod(in_dir("real"), 0660), 0);
	ck_assert_int_eq(events_open(in_dir("real"), NULL,
	    &l, err, sizeof(err)),
	    IGD_EADDRESS);
	ck_assert_ptr_nonnull(strstr(err, "writable by its group"));
	ck_assert_ptr_null(l);
	/* empty name, missing directory */
	ck_assert_int_eq(events_open("", NULL,
	    &l, err, sizeof(err)), IGD_EADDRESS);
	ck_assert_int_eq(events_open(in_dir("no/such"), NULL,
	    &l, err, sizeof(err)),
	    IGD_ESOCKET);
	events_close(NULL);
}
END_TEST

START_TEST(created_mode)
{
	struct events_log *l;
	struct deadline dl;
	struct stat sb;
	char err[256];
	mode_t old = umask(0);

	deadline_init(&dl, 5000);
	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), NULL,
	    &l, err, sizeof(err)),
	    0);
	umask(old);
	ck_assert_int_eq(events_append(l, "{}", 2, &dl, err, sizeof(err)), 0);
	events_close(l);
	ck_assert_int_eq(stat(in_dir("ev.jsonl"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0640);
	ck_assert_int_eq(sb.st_size, 3);
}
END_TEST

#define WRITERS 8
#define LINES 200

/* Eight processes append 200 lines each at once: every line is whole,
 * with the lock file (_i 1) and without it (0: one O_APPEND write). */
START_TEST(overlapping_writers)
{
	pid_t pids[WRITERS];
	FILE *f;
	char line[2048];
	int count[WRITERS] = { 0 }, total = 0;

	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0) {
			struct events_log *l;
			struct deadline dl;
			char err[256], body[1100];

			deadline_init(&dl, 60000);
			if (events_open(in_dir("ev.jsonl"), _i ? in_dir("lock") :
			    NULL, &l, err, sizeof(err)) != 0)
				_exit(1);
			for (int i = 0; i < LINES; i++) {
				int n = snprintf(body, sizeof(body),
				    "{\"w\":%d,\"i\":%d,\"pad\":\"%0900d\"}", w,
				    i, 0);

				if (events_append(l, body, (size_t)n, &dl, err,
				    sizeof(err)) != 0)
					_exit(2);
			}
			events_close(l);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;

		ck_assert_int_eq(waitpid(pids[w], &status, 0), pids[w]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	f = fopen(in_dir("ev.jsonl"), "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		int w, i, used = 0;

		ck_assert_msg(sscanf(line, "{\"w\":%d,\"i\":%d,\"pad\":\"%*900[0]"
		    "\"}\n%n", &w, &i, &used) == 2 && used == (int)strlen(line),
		    "a mixed or cut line: %.80s", line);
		ck_assert(w >= 0 && w < WRITERS);
		ck_assert_int_eq(i, count[w]);	/* in order per writer */
		count[w]++;
		total++;
	}
	fclose(f);
	ck_assert_int_eq(total, WRITERS * LINES);
}
END_TEST

/* logrotate moves the file away; the next run writes a new one, and the
 * moved file keeps what was written before. */
START_TEST(rotated)
{
	struct events_log *l;
	struct deadline dl;
	struct stat sb;
	char err[256];

	deadline_init(&dl, 5000);
	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), NULL,
	    &l, err, sizeof(err)),
	    0);
	ck_assert_int_eq(events_append(l, "{\"run\":1}", 9, &dl, err,
	    sizeof(err)), 0);
	events_close(l);
	ck_assert_int_eq(rename(in_dir("ev.jsonl"), in_dir("ev.jsonl.1")), 0);
	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), NULL,
	    &l, err, sizeof(err)),
	    0);
	ck_assert_int_eq(events_append(l, "{\"run\":2}", 9, &dl, err,
	    sizeof(err)), 0);
	events_close(l);
	ck_assert_int_eq(stat(in_dir("ev.jsonl"), &sb), 0);
	ck_assert_int_eq(sb.st_size, 10);
	ck_assert_int_eq(stat(in_dir("ev.jsonl.1"), &sb), 0);
	ck_assert_int_eq(sb.st_size, 10);
}
END_TEST

/* A log cut short by a full disk (the repairing newline refused too): the
 * next line starts with a newline of its own, so that it parses alone
 * (before, it was glued to the fragment, and the only copy of a late
 * event line was lost to a JSON reader: attacker review F2). */
START_TEST(cut_log_ended)
{
	struct events_log *l;
	struct deadline dl;
	char err[256], got[64] = "";
	FILE *f;
	size_t n;

	deadline_init(&dl, 5000);
	f = fopen(in_dir("ev.jsonl"), "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"run\":1}\n{\"cu", f);
	fclose(f);
	ck_assert_int_eq(chmod(in_dir("ev.jsonl"), 0640), 0);
	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), in_dir("lock"), &l,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(events_lock_note(l), "");
	ck_assert_int_eq(events_append(l, "{\"run\":2}", 9, &dl, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(events_append(l, "{\"run\":3}", 9, &dl, err,
	    sizeof(err)), 0);
	events_close(l);
	f = fopen(in_dir("ev.jsonl"), "r");
	ck_assert_ptr_nonnull(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	ck_assert_str_eq(got,
	    "{\"run\":1}\n{\"cu\n{\"run\":2}\n{\"run\":3}\n");
}
END_TEST

/* A reader of the log (a collector in the plugins' group) holds an
 * exclusive flock on it: the line is written all the same (the log was
 * once locked itself, and such a reader kept every line out of it). */
START_TEST(reader_lock_ignored)
{
	struct events_log *l;
	struct deadline dl;
	struct stat sb;
	char err[256];
	int fd;

	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), in_dir("lock"), &l,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(events_lock_note(l), "");
	fd = open(in_dir("ev.jsonl"), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);	/* another open file */
	deadline_init(&dl, 100);
	ck_assert_int_eq(events_append(l, "{}", 2, &dl, err, sizeof(err)), 0);
	close(fd);
	events_close(l);
	ck_assert_int_eq(stat(in_dir("ev.jsonl"), &sb), 0);
	ck_assert_int_eq(sb.st_size, 3);
	/* the lock file: this user's, nobody else may open it */
	ck_assert_int_eq(stat(in_dir("lock"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(sb.st_uid, geteuid());
}
END_TEST

/* This user's lock held by another run past the deadline: a timeout, no
 * write. */
START_TEST(lock_held)
{
	struct events_log *l;
	struct deadline dl;
	struct stat sb;
	char err[256];
	int fd;

	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), in_dir("lock"), &l,
	    err, sizeof(err)), 0);
	fd = open(in_dir("lock"), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	deadline_init(&dl, 100);
	ck_assert_int_eq(events_append(l, "{}", 2, &dl, err, sizeof(err)),
	    IGD_ETIMEOUT);
	ck_assert_ptr_nonnull(strstr(err, "lock not taken"));
	close(fd);
	events_close(l);
	ck_assert_int_eq(stat(in_dir("ev.jsonl"), &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);
}
END_TEST

/* A lock file others could open (or a symlink planted at its name) is
 * not used: the line is written without it, and the note says why. */
START_TEST(lock_file_refused)
{
	struct events_log *l;
	struct deadline dl;
	struct stat sb;
	char err[256];
	int fd;

	fd = open(in_dir("lock"), O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);	/* as another user would */
	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), in_dir("lock"), &l,
	    err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(events_lock_note(l), "only it may open"));
	deadline_init(&dl, 100);
	ck_assert_int_eq(events_append(l, "{}", 2, &dl, err, sizeof(err)), 0);
	events_close(l);
	close(fd);
	ck_assert_int_eq(symlink(in_dir("elsewhere"), in_dir("lock2")), 0);
	ck_assert_int_eq(events_open(in_dir("ev.jsonl"), in_dir("lock2"), &l,
	    err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(events_lock_note(l), "symbolic link"));
	ck_assert_int_eq(events_append(l, "{}", 2, &dl, err, sizeof(err)), 0);
	events_close(l);
	ck_assert_int_ne(access(in_dir("elsewhere"), F_OK), 0);
	ck_assert_int_eq(stat(in_dir("ev.jsonl"), &sb), 0);
	ck_assert_int_eq(sb.st_size, 6);
}
END_TEST

static Suite *
events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, line_escapes);
	tcase_add_test(tc, line_overflow);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, created_mode);
	/* with the lock file, and without (O_APPEND alone) */
	tcase_add_loop_test(tc, overlapping_writers, 0, 2);
	tcase_add_test(tc, rotated);
	tcase_add_test(tc, reader_lock_ignored);
	tcase_add_test(tc, lock_held);
	tcase_add_test(tc, lock_file_refused);
	tcase_add_test(tc, cut_log_ended);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(events_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
