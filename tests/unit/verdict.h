/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers for unit tests of the judge_* modules (and of mapevent, which
 * judges each logged mapping): a device from a fixture description, a
 * mapping added to a table, and assertions on a rendered verdict.
 * Included by the tests/unit/test_judge_*.c, test_mapevent.c and
 * test_mapchg.c runners only.
 */
#ifndef CHECK_IGD_TEST_VERDICT_H
#define CHECK_IGD_TEST_VERDICT_H

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "igd.h"
#include "plugin.h"
#include "policy.h"

/* The last verdict rendered (verdict_take) and its state. */
static char out[PLUGIN_TEXT_MAX];
static int status;

/* The policy of a test: the compiled-in one (policy_setup). */
static struct policy *pol;

static inline void
policy_setup(void)
{
	char err[256];

	ck_assert_int_eq(policy_load_default(&pol, err, sizeof(err)), 0);
}

static inline void
policy_teardown(void)
{
	policy_free(pol);
	pol = NULL;
}

/* A new verdict for check. */
static inline struct plugin_out *
verdict_new(const char *check)
{
	struct plugin_out *o = plugin_out_new(check);

	ck_assert_ptr_nonnull(o);
	return o;
}

/* Parse tests/fixtures/desc/NAME.xml as if read from location. */
static inline void
load_device(const char *name, const char *location, struct igd_device *d)
{
	static char xml[IGD_DESC_MAX];
	char path[512], err[256];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/desc/%s.xml", FIXTURES, name);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	len = fread(xml, 1, sizeof(xml) - 1, f);
	fclose(f);
	xml[len] = '\0';
	ck_assert_int_eq(igd_desc_parse(xml, len, location, d, err,
	    sizeof(err)), 0);
}

/* Append an enabled mapping of service to t (lease 0: permanent; desc
 * copied by igd_table_add). */
static inline void
map_add_svc(struct igd_table *t, const char *proto, unsigned ext,
    const char *client, unsigned port, const char *desc, long long lease,
    unsigned service)
{
	struct igd_mapping m;

	memset(&m, 0, sizeof(m));
	snprintf(m.protocol, sizeof(m.protocol), "%s", proto);
	m.external_port = ext;
	snprintf(m.internal_client, sizeof(m.internal_client), "%s", client);
	m.internal_port = port;
	m.enabled = 1;
	m.lease = lease;
	m.description = (char *)(uintptr_t)desc;
	m.service = service;
	ck_assert_int_eq(igd_table_add(t, &m), 0);
}

/* The same on service 1. */
static inline void
map_add(struct igd_table *t, const char *proto, unsigned ext,
    const char *client, unsigned port, const char *desc, long long lease)
{
	map_add_svc(t, proto, ext, client, port, desc, lease, 1);
}

/* Render o into out and status, and free it. */
static inline void
verdict_take(struct plugin_out *o)
{
	size_t olen;

	status = (int)plugin_out_render(o, out, sizeof(out), &olen);
	ck_assert_int_eq(status, (int)plugin_out_state(o));
	ck_assert_int_eq(out[olen - 1], '\n');
	plugin_out_free(o);
}

static inline void
has(const char *s)
{
	ck_assert_msg(strstr(out, s) != NULL, "'%s' not in:\n%s", s, out);
}

static inline void
hasnt(const char *s)
{
	ck_assert_msg(strstr(out, s) == NULL, "'%s' in:\n%s", s, out);
}

/* s is a whole line of the output (before a newline or the " | "). */
static inline void
has_line(const char *s)
{
	const char *p = out;
	size_t n = strlen(s);

	while ((p = strstr(p, s)) != NULL) {
		if ((p == out || p[-1] == '\n') &&
		    (p[n] == '\n' || strncmp(p + n, " |", 2) == 0))
			return;
		p++;
	}
	ck_abort_msg("line '%s' not in:\n%s", s, out);
}

/* The first line, up to " |" or the newline, is s. */
static inline void
first_line_is(const char *s)
{
	size_t n = strcspn(out, "|\n");

	while (n > 0 && out[n - 1] == ' ')
		n--;
	ck_assert_msg(strlen(s) == n && strncmp(out, s, n) == 0,
	    "first line is not '%s':\n%s", s, out);
}

/* Set t's warning and critical ranges (NULL: unset). */
static inline void
set_range(struct plugin_thresholds *t, const char *warn, const char *crit)
{
	memset(t, 0, sizeof(*t));
	if (warn != NULL) {
		ck_assert_int_eq(plugin_range_parse(warn, &t->warn), 0);
		t->has_warn = 1;
	}
	if (crit != NULL) {
		ck_assert_int_eq(plugin_range_parse(crit, &t->crit), 0);
		t->has_crit = 1;
	}
}

/*
 * Add to suite s a test case named name with fixture setup and teardown
 * and the tests that follow (const TTest *, as START_TEST names them),
 * up to NULL.
 */
static inline void
verdict_tcase(Suite *s, const char *name, void (*setup)(void),
    void (*teardown)(void), ...)
{
	TCase *tc = tcase_create(name);
	const TTest *t;
	va_list ap;

	tcase_add_checked_fixture(tc, setup, teardown);
	va_start(ap, teardown);
	while ((t = va_arg(ap, const TTest *)) != NULL)
		tcase_add_test(tc, t);
	va_end(ap);
	suite_add_tcase(s, tc);
}

/* Run the Check suite s; the exit status of the runner. */
static inline int
verdict_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif
