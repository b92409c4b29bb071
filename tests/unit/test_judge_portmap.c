/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/judge_portmap.c: a port-mapping table judged
 * without a device, by the compiled-in policy.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "file.h"
#include "judge_portmap.h"
#include "verdict.h"

static struct igd_table t;
static struct hostid hosts;
static struct judge_portmap_prev prev;
static struct judge_portmap_ctx ctx;
static struct plugin_thresholds th;

/* Append a mapping to this test's table (verdict.h's map_add). */
#define add(...) map_add(&t, __VA_ARGS__)

/* The previous table held these mappings ("PROTO EXT CLIENT PORT"), seen
 * at T0; this run is an hour later, holding changes for two hours. */
#define T0 1700000000
static void
prev_keys(const char *const *keys, size_t n)
{
	struct igd_table was;
	struct mapchg_result base;

	memset(&was, 0, sizeof(was));
	was.complete = 1;
	for (size_t i = 0; i < n; i++) {
		struct igd_mapping m;
		char proto[4], client[64];
		unsigned ext, port;

		memset(&m, 0, sizeof(m));
		ck_assert_int_eq(sscanf(keys[i], "%3s %u %63s %u", proto, &ext,
		    client, &port), 4);
		snprintf(m.protocol, sizeof(m.protocol), "%s", proto);
		m.external_port = ext;
		snprintf(m.internal_client, sizeof(m.internal_client), "%s",
		    client);
		m.internal_port = port;
		m.description = (char *)(uintptr_t)"web";
		m.service = 1;
		ck_assert_int_eq(igd_table_add(&was, &m), 0);
	}
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &was, T0, 7200, &base), 0);
	prev.path = "/state/file";
	prev.loaded = 1;
	prev.have = 1;
	prev.now = T0 + 3600;
	prev.hold = 7200;
	ck_assert_int_eq(mapchg_compare(base.next, base.n_next, 1, &t,
	    prev.now, prev.hold, &prev.chg), 0);
	mapchg_result_free(&base);
	igd_table_free(&was);
}

static void
setup(void)
{
	memset(&t, 0, sizeof(t));
	memset(&prev, 0, sizeof(prev));
	memset(&ctx, 0, sizeof(ctx));
	memset(&th, 0, sizeof(th));
	policy_setup();
	t.complete = 1;
	snprintf(t.method, sizeof(t.method), "list");
	snprintf(t.external_address, sizeof(t.external_address),
	    "11.22.33.44");
	ctx.th = &th;
	ctx.timeout_state = PLUGIN_UNKNOWN;
	ctx.source = "http://10.197.0.1:5000/rootDesc.xml";
}

static void
teardown(void)
{
	igd_table_free(&t);
	judge_portmap_prev_free(&prev);
	hostid_free(&hosts);
	memset(&hosts, 0, sizeof(hosts));
	policy_teardown();
}

static void
judge(void)
{
	struct plugin_out *o = verdict_new("PORTMAP");

	judge_portmap(o, pol, &t, &prev, &ctx);
	verdict_take(o);
}

START_TEST(test_all_expected)
{
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	add("UDP", 5353, "192.168.1.3", 5353, "mdns", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	first_line_is("IGD PORTMAP OK - 2 mappings (1 TCP, 1 UDP), all expected");
	has_line("ok (no rule matched): TCP 8080 -> 192.168.1.2:80 'web' "
	    "lease 3600s");
	has("mappings=2;;;0; tcp=1;;;0; udp=1;;;0; ok=2;;;0; warning=0;;;0; "
	    "critical=0;;;0;");
	hasnt("new=");
}
END_TEST

/* Without change detection the change labels are still there, as U: the
 * same labels on every run (a run with a state file has all three). */
START_TEST(test_canon_without_state)
{
	struct plugin_out *o = verdict_new("PORTMAP");

	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	judge_portmap(o, pol, &t, &prev, &ctx);
	judge_portmap_perf_canon(o);
	verdict_take(o);
	has("critical=0;;;0; new=U;;;0; changed=U;;;0; gone=U;;;0;");
}
END_TEST

START_TEST(test_empty)
{
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	first_line_is("IGD PORTMAP OK - 0 mappings (0 TCP, 0 UDP), all expected");
}
END_TEST

START_TEST(test_findings)
{
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	add("TCP", 5555, "8.8.4.4", 53, "proxy", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] upnproxy-outside-lan: TCP 5555 -> 8.8.4.4:53 "
	    "'proxy' lease 3600s");
	first_line_is("IGD PORTMAP CRITICAL - upnproxy-outside-lan: TCP 5555 "
	    "-> 8.8.4.4:53 'proxy' lease 3600s (2 mappings)");
	/* the finding comes before the OK line */
	ck_assert_ptr_nonnull(strstr(strstr(out, "upnproxy-outside-lan"),
	    "ok (no rule matched)"));
}
END_TEST

START_TEST(test_count_thresholds)
{
	for (unsigned i = 0; i < 5; i++)
		add("TCP", 1000 + i, "192.168.1.2", 1000 + i, "app", 3600);
	set_range(&th, "3", "10");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] 5 mappings (thresholds 3, 10)");
	first_line_is("IGD PORTMAP WARNING - 5 mappings (thresholds 3, 10) "
	    "(5 mappings)");
	has("mappings=5;3;10;0;");
}
END_TEST

/* A table not read whole is never OK; a threat found stays CRITICAL. */
START_TEST(test_incomplete)
{
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	t.complete = 0;
	t.rc = IGD_ETIMEOUT;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(out, "IGD PORTMAP UNKNOWN - table "
	    "incomplete: 1 mapping read (list; "));
	/* a timeout state of OK is still not OK */
	ctx.timeout_state = PLUGIN_OK;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	ctx.timeout_state = PLUGIN_WARNING;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	t.rc = 606;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("606 not authorised for some entries");
	add("TCP", 5555, "8.8.4.4", 53, "proxy", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("; 1 critical, 0 warning");
}
END_TEST

/* Internal port 0 (MiniUPnPd 2.3.6-2.3.7): judged on everything else, the
 * rules on the internal port say they cannot judge, never OK, never
 * UNKNOWN for the whole table; the policy sets the state. */
START_TEST(test_internal_port_zero)
{
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	add("TCP", 4450, "192.168.1.77", 0, "smb", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] risky-internal-port: cannot judge, the device "
	    "reports internal port 0 (MiniUPnPd 2.3.6-2.3.7 bug): TCP 4450 -> "
	    "192.168.1.77:0 'smb' lease 3600s");
	first_line_is("IGD PORTMAP WARNING - risky-internal-port: cannot judge, "
	    "the device reports internal port 0 (MiniUPnPd 2.3.6-2.3.7 bug): "
	    "TCP 4450 -> 192.168.1.77:0 'smb' lease 3600s (2 mappings)");
	/* a rule that needs no internal port still judges it: UPnProxy */
	add("TCP", 5555, "8.8.4.4", 0, "proxy", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] upnproxy-outside-lan: TCP 5555 -> 8.8.4.4:0 "
	    "'proxy' lease 3600s");
	/* the policy's state for what cannot be judged */
	pol->portmap.unjudged_state = PLUGIN_CRITICAL;
	judge();
	has_line("[CRITICAL] risky-internal-port: cannot judge, the device "
	    "reports internal port 0 (MiniUPnPd 2.3.6-2.3.7 bug): TCP 4450 -> "
	    "192.168.1.77:0 'smb' lease 3600s");
}
END_TEST

/* A 402 at index 0 taken as an empty table on a device not known to do
 * it is a guess: WARNING naming the quirk; the quirks met are named. */
START_TEST(test_quirks_named)
{
	t.quirks = QUIRK_BIT(QUIRK_IDX0_402);
	t.suspect = QUIRK_BIT(QUIRK_IDX0_402);
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("402 Invalid Args at index 0");
	has("quirk worked around: index0-402");
	t.suspect = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has("quirk worked around: index0-402");
	/* how the table was read is always said */
	has_line("read from http://10.197.0.1:5000/rootDesc.xml by list");
}
END_TEST

START_TEST(test_changes)
{
	static const char *const was[] = {
		"TCP 8080 192.168.1.2 80 *", "TCP 22 192.168.1.9 22 *",
		"TCP 8081 192.168.1.2 80 *"
	};

	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	add("TCP", 9000, "192.168.1.4", 9000, "game", 3600);
	add("TCP", 8081, "192.168.1.66", 80, "web", 3600);
	prev_keys(was, 3);
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] new since the last run: TCP 9000 -> "
	    "192.168.1.4:9000 'game' lease 3600s, age 0s");
	has_line("[WARNING] changed since the last run: TCP 8081 -> "
	    "192.168.1.66:80 'web' lease 3600s, age 0s; was -> 192.168.1.2:80 "
	    "'web'");
	has_line("[OK] gone since the last run: TCP 22 -> 192.168.1.9:22 'web'");
	has("ok (no rule matched): TCP 8080 -> 192.168.1.2:80 'web' lease "
	    "3600s, age 1h 0m");
	/* worst first: the first WARNING, then the counts */
	first_line_is("IGD PORTMAP WARNING - new since the last run: TCP 9000 "
	    "-> 192.168.1.4:9000 'game' lease 3600s, age 0s (+1 warning; 3 "
	    "mappings; 1 new, 1 changed, 1 gone)");
	has("new=1;;;0; changed=1;;;0; gone=1;;;0;");
}
END_TEST

/* Equal mappings on two services are two; one vanishing is one gone. */
START_TEST(test_changes_multiset)
{
	static const char *const was[] = {
		"TCP 8080 192.168.1.2 80 *", "TCP 8080 192.168.1.2 80 *"
	};

	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	prev_keys(was, 2);
	judge();
	has_line("[OK] gone since the last run: TCP 8080 -> 192.168.1.2:80 "
	    "'web'");
	hasnt("new since");
}
END_TEST

/*
 * A state file kept for another device restarts change detection: a
 * subcheck with the policy's state.unusable (a rogue answering once, or a
 * replaced router, must not pass as an info line under an OK).
 */
START_TEST(test_state_file_said)
{
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	prev.path = "/state/file";
	prev.loaded = 1;
	snprintf(prev.other_device, sizeof(prev.other_device), "uuid:other");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] the state file was kept for another device "
	    "(uuid:other); change detection starts again");
	has_line("change detection from the next run on (state file "
	    "/state/file)");
	has("new=0;;;0; changed=0;;;0; gone=0;;;0;");
	pol->state_unusable = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
}
END_TEST

/*
 * What check_igd_portmap does with its state file on one run, on st (kept
 * between runs as the file would be): load_err is why the file could not be
 * used this run ("" when it could).  Then judge.
 */
static void
run_on_state(struct state *st, const char *load_err, int64_t now,
    int accept)
{
	struct mapchg_rec recs[8];
	size_t n = 0;
	char bad[128], key[32], val[MAPCHG_LINE_MAX + 1];

	for (; n < 8; n++) {
		snprintf(key, sizeof(key), "r.%zu", n);
		if (state_get(st, key) == NULL)
			break;
		ck_assert_int_eq(mapchg_rec_parse(state_get(st, key), &recs[n]),
		    0);
	}
	judge_portmap_prev_free(&prev);
	memset(&prev, 0, sizeof(prev));
	prev.path = "/state/file";
	prev.loaded = 1;
	prev.now = now;
	prev.hold = 7200;
	snprintf(prev.load_err, sizeof(prev.load_err), "%s", load_err);
	prev.have = state_get(st, "portmap.count") != NULL;
	ck_assert_int_eq(mapchg_compare(recs, n, prev.have, &t, now,
	    prev.hold, &prev.chg), 0);
	if (accept) {
		mapchg_accept(&prev.chg);
		prev.accepted = 1;
	}
	ck_assert_int_eq(state_restart(st, load_err, now, prev.hold, accept,
	    &prev.restart, bad, sizeof(bad)), 0);
	ck_assert_int_eq(state_set(st, "portmap.count", "1"), 0);
	state_clear_prefix(st, "r.");
	for (size_t i = 0; i < prev.chg.n_next; i++) {
		snprintf(key, sizeof(key), "r.%zu", i);
		ck_assert_int_eq(mapchg_rec_format(&prev.chg.next[i], val,
		    sizeof(val)), 0);
		ck_assert_int_eq(state_set(st, key, val), 0);
	}
	judge();
}

/*
 * Issue 8: a state file made unusable while a mapping is added gave one
 * WARNING run, then a baseline with the mapping in it and an OK: a soft
 * state that never became HARD.  The restart is held like a change: the
 * runs within portmap.changes.hold stay at state.unusable, naming when and
 * why; after the hold, or --accept, OK.
 */
START_TEST(test_state_restart_held)
{
	struct state *st = state_new();

	ck_assert_ptr_nonnull(st);
	add("TCP", 8080, "192.168.1.2", 80, "added", 3600);
	/* the corrupt run: a fresh restart, held for the whole hold */
	run_on_state(st, "state file /s: not a check_igd state file", T0, 0);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] state file /s: not a check_igd state file; "
	    "change detection starts again (held for 2h 0m, or until "
	    "--accept)");
	/* the next runs: the mapping is in the baseline, the alarm is not
	 * gone */
	run_on_state(st, "", T0 + 300, 0);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	first_line_is("IGD PORTMAP WARNING - change detection started again "
	    "5m 0s ago: state file /s: not a check_igd state file; a mapping "
	    "added before then is not reported as new (held 1h 55m more, or "
	    "until --accept) (1 mapping)");
	run_on_state(st, "", T0 + 7199, 0);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	pol->state_unusable = PLUGIN_CRITICAL;
	run_on_state(st, "", T0 + 7199, 0);
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	pol->state_unusable = PLUGIN_WARNING;
	/* the hold has passed: OK, and the file forgets the restart */
	run_on_state(st, "", T0 + 7200, 0);
	ck_assert_int_eq(status, PLUGIN_OK);
	hasnt("started again");
	ck_assert_ptr_null(state_get(st, "state.unusable.since"));
	run_on_state(st, "", T0 + 7300, 0);
	ck_assert_int_eq(status, PLUGIN_OK);
	/* --accept ends a held restart at once */
	run_on_state(st, "state file /s: truncated", T0 + 8000, 0);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	run_on_state(st, "", T0 + 8100, 1);
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("this table is now the baseline (--accept): earlier changes "
	    "no longer alarm");
	run_on_state(st, "", T0 + 8200, 0);
	ck_assert_int_eq(status, PLUGIN_OK);
	/* kept for another device: held the same way */
	run_on_state(st, "the state file was kept for another device "
	    "(uuid:x)", T0 + 9000, 0);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	run_on_state(st, "", T0 + 9060, 0);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] change detection started again 1m 0s ago: the "
	    "state file was kept for another device (uuid:x); a mapping added "
	    "before then is not reported as new (held 1h 59m more, or until "
	    "--accept)");
	state_free(st);
}
END_TEST

/*
 * A state file that could not be read, trusted or saved is a subcheck with
 * the policy's state.unusable (WARNING by default), never an info line
 * under an OK: change detection the user asked for was not done.
 */
START_TEST(test_state_file_unusable)
{
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	prev.path = "/state/file";
	prev.loaded = 1;
	snprintf(prev.load_err, sizeof(prev.load_err), "state file /s: "
	    "corrupt");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] state file /s: corrupt; change detection starts "
	    "again");
	first_line_is("IGD PORTMAP WARNING - state file /s: corrupt; change "
	    "detection starts again (1 mapping)");
	/* could not be read at all (a link, a FIFO, another owner): no
	 * comparison, still the state */
	prev.loaded = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	hasnt("change detection from");
	/* could not be saved */
	prev.load_err[0] = '\0';
	prev.loaded = 1;
	snprintf(prev.save_err, sizeof(prev.save_err), "read-only");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] cannot save the state file: read-only; changes "
	    "will not be seen next run");
	/* the policy sets the state */
	pol->state_unusable = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	pol->state_unusable = PLUGIN_OK;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("[OK] cannot save the state file: read-only; changes will "
	    "not be seen next run");
}
END_TEST

/* portmap.changes.changed: a hijacked slot takes its own state. */
START_TEST(test_changed_state)
{
	static const char *const keys[] = { "TCP 8080 192.168.1.2 80" };

	add("TCP", 8080, "192.168.1.99", 80, "web", 3600);
	prev_keys(keys, 1);
	pol->portmap.changed_state = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("[CRITICAL] changed since the last run: TCP 8080 -> "
	    "192.168.1.99:80");
}
END_TEST

/* A log asked for and not written is a finding with the chosen state,
 * never an info line under an OK; one written is said. */
START_TEST(test_event_log)
{
	struct mapevent_report ev;

	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	memset(&ev, 0, sizeof(ev));
	ev.path = "/var/log/igd.jsonl";
	ev.error_state = PLUGIN_WARNING;
	ev.rc = IGD_EADDRESS;
	snprintf(ev.err, sizeof(ev.err), "event log /var/log/igd.jsonl: is a "
	    "symbolic link (refused)");
	ev.pending = 2;
	ctx.events = &ev;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] cannot write the event log: event log "
	    "/var/log/igd.jsonl: is a symbolic link (refused); 2 changes not "
	    "logged yet (kept for the next run)");
	ev.error_state = PLUGIN_CRITICAL;
	ev.pending = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] cannot write the event log: event log "
	    "/var/log/igd.jsonl: is a symbolic link (refused)");
	ev.rc = 0;
	ev.err[0] = '\0';
	ev.written = 1;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("event log /var/log/igd.jsonl: 1 change logged");
	/* lines of earlier runs written late: said, still OK */
	ev.written = 3;
	ev.late = 2;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("event log /var/log/igd.jsonl: 3 changes logged (2 late, "
	    "from earlier runs)");
	/* a line lost (too many waiting): a finding even when written */
	ev.dropped = 1;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("[CRITICAL] event log /var/log/igd.jsonl: 1 line lost (more "
	    "than 1024 KiB waiting");
	ev.dropped = 0;
	ev.late = 0;
	ev.written = 1;
	ev.written = 0;
	ev.deferred = 3;
	judge();
	has_line("event log /var/log/igd.jsonl: 3 changes left to the first "
	    "run that reads the table whole");
	ev.baseline = 1;
	judge();
	has_line("event log /var/log/igd.jsonl: no change to log (no previous "
	    "table to compare with)");
	ctx.events = NULL;
	judge();
	hasnt("event log");
}
END_TEST

START_TEST(test_ok_lines_capped)
{
	for (unsigned i = 0; i < 50; i++)
		add("TCP", 20000 + i, "192.168.1.5", 20000 + i, "app", 3600);
	judge();
	has_line("... and 10 more ok mappings (-vv lists them)");
	ctx.verbose = 2;
	judge();
	hasnt("more ok mappings");
	has("read from http://10.197.0.1:5000/rootDesc.xml by list");
}
END_TEST

/* The rendered text has a byte budget (PLUGIN_TEXT_MAX) besides the line
 * cap: however long the OK lines, how the table was read and the quirk it
 * worked around are never what the budget cuts (a 140-mapping table with
 * long descriptions lost both in the lab). */
START_TEST(test_context_survives_byte_budget)
{
	static const char desc[] = "a description long enough that forty "
	    "ok lines of it fill the whole text budget of one verdict";

	for (unsigned i = 0; i < 140; i++)
		add("TCP", 20000 + i, "192.168.1.5", 20000 + i, desc, 86400);
	t.quirks = QUIRK_BIT(QUIRK_LIST_CRASH);
	snprintf(t.method, sizeof(t.method), "walk (over 128 entries on a "
	    "device whose list action can crash: quirk list-crash)");
	for (int v = 0; v <= 2; v += 2) {
		ctx.verbose = v;
		judge();
		ck_assert_int_eq(status, PLUGIN_OK);
		first_line_is("IGD PORTMAP OK - 140 mappings (140 TCP, 0 UDP), "
		    "all expected");
		has_line("read from http://10.197.0.1:5000/rootDesc.xml by walk "
		    "(over 128 entries on a device whose list action can crash: "
		    "quirk list-crash)");
		has("quirk worked around: list-crash");
		has("mappings=140;;;0;");
	}
}
END_TEST

START_TEST(test_keys_and_text)
{
	char b[JUDGE_PORTMAP_TEXT_MAX];

	add("UDP", 53, "192.168.1.2", 53, "dns\n|x", 0);
	snprintf(t.m[0].remote_host, sizeof(t.m[0].remote_host), "1.2.3.4");
	t.m[0].enabled = 0;
	judge_portmap_key(&t.m[0], b, sizeof(b));
	ck_assert_str_eq(b, "UDP 53 192.168.1.2 53 1.2.3.4");
	judge_portmap_text(&t.m[0], b, sizeof(b));
	ck_assert_str_eq(b, "UDP 53 -> 192.168.1.2:53 from 1.2.3.4 'dns !x' "
	    "permanent (disabled)");
}
END_TEST

/* The external address could not be read: a rule on it is a check not
 * done for every mapping it could decide, UNKNOWN, never OK (issue 8.5). */
START_TEST(test_external_unknown)
{
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	add("TCP", 5555, "8.8.4.4", 53, "proxy", 3600);
	t.external_address[0] = '\0';
	t.external_rc = IGD_ETIMEOUT;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[UNKNOWN] upnproxy-external-address: not judged for 2 "
	    "mappings: the external address could not be read (timed out)");
	/* the LAN mapping alone: UNKNOWN, where it was OK */
	igd_table_free(&t);
	memset(&t, 0, sizeof(t));
	t.complete = 1;
	t.external_rc = 402;
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] upnproxy-external-address: not judged for 1 mapping: "
	    "the external address could not be read (");
	/* read, but empty (not connected): nothing to judge it against */
	t.external_rc = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
}
END_TEST

/* The policy of a test: its portmap section (YAML lines). */
static void
use_portmap(const char *portmap)
{
	char yaml[2048], err[512];
	int k = snprintf(yaml, sizeof(yaml), "version: 1\nportmap:\n%s",
	    portmap);

	ck_assert(k > 0 && (size_t)k < sizeof(yaml));
	policy_teardown();
	ck_assert_msg(policy_load_buffer("t.yaml", yaml, strlen(yaml), &pol,
	    err, sizeof(err)) == 0, "%s", err);
}

/* The hosts behind the clients of t as the neighbour table fixture
 * (tests/fixtures/neigh) and the registry fixture (oui) know them, every
 * entry that is not permanent made reachable (as a netlink dump right
 * after traffic says) unless stale (then left as /proc/net/arp gives it:
 * not confirmed). */
static void
fixture_hosts_as(int stale)
{
	const char *addrs[16];
	struct neigh_table nt;
	struct hostid_opts ho = { 0, FIXTURES "/oui", NULL };
	struct deadline dl;
	char *buf = NULL, err[256];
	size_t len = 0;

	ck_assert_uint_le(t.n, 16);
	for (size_t i = 0; i < t.n; i++)
		addrs[i] = t.m[i].internal_client;
	ck_assert_int_eq(file_load(FIXTURES "/neigh/proc-net-arp.txt", 65536,
	    &buf, &len, err, sizeof(err)), 0);
	neigh_init(&nt);
	ck_assert_int_eq(neigh_parse_proc_arp(buf, len, &nt), 0);
	free(buf);
	for (size_t i = 0; i < nt.n && !stale; i++)
		if (nt.e[i].kind == NEIGH_SEEN)
			nt.e[i].kind = NEIGH_REACHABLE;
	deadline_init(&dl, 10000);
	ck_assert_int_eq(hostid_gather_from(&hosts, addrs, t.n, &nt, &ho, &dl),
	    0);
	neigh_free(&nt);
	ctx.hosts = &hosts;
}

static void
fixture_hosts(void)
{
	fixture_hosts_as(0);
}

/*
 * A stale neighbour entry (the kernel no longer confirms it: the host may
 * have left and another hold its address) never lets an allow rule by MAC
 * pass, and a deny rule by MAC cannot judge it: the line says why.  A
 * permanent entry (192.168.1.10, static ARP) still counts.  Before, any
 * complete entry was trusted and the Pi's stale entry was allowed.
 */
START_TEST(test_mac_stale)
{
	use_portmap("  default: warning\n  rules:\n"
	    "    - {name: pis, state: ok, internal_mac: [b8:27:eb]}\n"
	    "    - {name: nas, state: critical, internal_mac: 00:11:32}\n");
	add("TCP", 8080, "192.168.1.23", 8080, "pi", 3600);
	add("TCP", 8081, "192.168.1.10", 80, "nas", 3600);
	fixture_hosts_as(1);
	judge();
	hasnt("ok (pis)");
	has("nas: cannot judge, the client's MAC address is not confirmed (a "
	    "stale neighbour entry: the host may have left): TCP 8080 -> "
	    "192.168.1.23:8080");
	has_line("[CRITICAL] nas: TCP 8081 -> 192.168.1.10:80 (00:11:32:aa:bb:cc "
	    "Synology Incorporated) 'nas' lease 3600s");
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	/* the same entry confirmed: allowed */
	hostid_free(&hosts);
	fixture_hosts_as(0);
	judge();
	has_line("ok (pis): TCP 8080 -> 192.168.1.23:8080 (b8:27:eb:12:34:56 "
	    "Raspberry Pi Foundation) 'pi' lease 3600s");
}
END_TEST

/* internal_mac: an allow-list by address or vendor prefix, a deny rule
 * that cannot judge a client whose MAC address is unknown (no neighbour
 * entry, two addresses, not looked up), and "unknown" saying what to do
 * with those. */
START_TEST(test_mac_rules)
{
	use_portmap("  default: warning\n  rules:\n"
	    "    - {name: pis, state: ok, internal_mac: [b8:27:eb]}\n");
	add("TCP", 8080, "192.168.1.23", 8080, "pi", 3600);
	add("TCP", 8081, "192.168.1.10", 80, "nas", 3600);
	add("TCP", 8082, "192.168.1.230", 80, "who", 3600);
	add("TCP", 8083, "192.168.1.99", 80, "spoof", 3600);
	fixture_hosts();
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("ok (pis): TCP 8080 -> 192.168.1.23:8080 (b8:27:eb:12:34:56 "
	    "Raspberry Pi Foundation) 'pi' lease 3600s");
	has_line("[WARNING] no rule matched: TCP 8081 -> 192.168.1.10:80 "
	    "(00:11:32:aa:bb:cc Synology Incorporated) 'nas' lease 3600s");
	/* an allow rule that cannot judge just does not allow */
	has_line("[WARNING] no rule matched: TCP 8082 -> 192.168.1.230:80 (MAC "
	    "unknown) 'who' lease 3600s");
	has_line("[WARNING] no rule matched: TCP 8083 -> 192.168.1.99:80 (MAC "
	    "ambiguous) 'spoof' lease 3600s");
	has("ok=1;;;0; warning=3;;;0; critical=0;;;0;");
	hasnt("cannot judge");

	/* a deny rule by address: the unknown ones are never OK; it is
	 * named even behind an allow rule that could not judge either */
	use_portmap("  rules:\n"
	    "    - {name: pis, state: ok, internal_mac: b8:27:eb}\n"
	    "    - {name: nas, state: critical, internal_mac: "
	    "\"00:11:32:AA:BB:CC\"}\n");
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] nas: TCP 8081 -> 192.168.1.10:80 (00:11:32:aa:bb:cc "
	    "Synology Incorporated) 'nas' lease 3600s");
	has_line("[WARNING] nas: cannot judge, the client's MAC address is not "
	    "known: TCP 8082 -> 192.168.1.230:80 (MAC unknown) 'who' lease "
	    "3600s");
	has_line("ok (pis): TCP 8080 -> 192.168.1.23:8080 "
	    "(b8:27:eb:12:34:56 Raspberry Pi Foundation) 'pi' lease 3600s");
	has("ok=1;;;0; warning=2;;;0; critical=1;;;0;");
	/* the policy's state for what cannot be judged */
	pol->portmap.unjudged_state = PLUGIN_CRITICAL;
	judge();
	has_line("[CRITICAL] nas: cannot judge, the client's MAC address is "
	    "not known: TCP 8083 -> 192.168.1.99:80 (MAC ambiguous) 'spoof' "
	    "lease 3600s");

	/* "unknown" says what to do with them */
	use_portmap("  rules:\n"
	    "    - {name: who-knows, state: warning, internal_mac: unknown}\n"
	    "    - {name: nas, state: critical, internal_mac: 00:11:32}\n");
	judge();
	has_line("[WARNING] who-knows: TCP 8082 -> 192.168.1.230:80 (MAC "
	    "unknown) 'who' lease 3600s");
	has_line("[WARNING] who-knows: TCP 8083 -> 192.168.1.99:80 (MAC "
	    "ambiguous) 'spoof' lease 3600s");
	has_line("[CRITICAL] nas: TCP 8081 -> 192.168.1.10:80 (00:11:32:aa:bb:cc "
	    "Synology Incorporated) 'nas' lease 3600s");
	hasnt("cannot judge");

	/* hosts not looked up (--no-hosts, a saved table): every MAC is
	 * unknown, and the output says why */
	ctx.hosts = NULL;
	use_portmap("  rules:\n"
	    "    - {name: nas, state: critical, internal_mac: 00:11:32}\n");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] nas: cannot judge, the client's MAC address is not "
	    "known (hosts not looked up): TCP 8081 -> 192.168.1.10:80 'nas' "
	    "lease 3600s");
}
END_TEST

/* older_than / newer_than on the age the state file gives (first seen an
 * hour before this run, or new this run); no earlier run, no state file:
 * the age is not known, the rules cannot judge, never OK by default. */
START_TEST(test_age_rules)
{
	static const char *const was[] = { "TCP 8080 192.168.1.2 80 *" };

	use_portmap("  rules:\n"
	    "    - {name: stale, state: critical, older_than: 1h}\n"
	    "    - {name: fresh, state: warning, newer_than: 30m}\n");
	add("TCP", 8080, "192.168.1.2", 80, "web", 3600);
	add("TCP", 9000, "192.168.1.4", 9000, "game", 3600);
	prev_keys(was, 1);
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] stale: TCP 8080 -> 192.168.1.2:80 'web' lease "
	    "3600s, age 1h 0m");
	has_line("[WARNING] fresh: TCP 9000 -> 192.168.1.4:9000 'game' lease "
	    "3600s, age 0s");
	/* an hour and a second is not "older than 2h", nor "newer than 1h" */
	use_portmap("  rules:\n"
	    "    - {name: stale, state: critical, older_than: 2h}\n"
	    "    - {name: fresh, state: warning, newer_than: 3600}\n");
	judge();
	has_line("ok (no rule matched): TCP 8080 -> 192.168.1.2:80 'web' lease "
	    "3600s, age 1h 0m");

	/* the state file holds no earlier run: this run is the baseline
	 * (first seen now), not an age */
	judge_portmap_prev_free(&prev);
	memset(&prev, 0, sizeof(prev));
	prev.path = "/state/file";
	prev.loaded = 1;
	prev.now = T0;
	ck_assert_int_eq(mapchg_compare(NULL, 0, 0, &t, prev.now, 7200,
	    &prev.chg), 0);
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] stale: cannot judge, the mapping's age is not known "
	    "yet (no earlier run in the state file): TCP 8080 -> "
	    "192.168.1.2:80 'web' lease 3600s");
	has("ok=0;;;0; warning=2;;;0;");
	/* no state file at all (--no-state) */
	prev.path = NULL;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] stale: cannot judge, the mapping's age is not known "
	    "(no state file): TCP 9000 -> 192.168.1.4:9000 'game' lease 3600s");
	pol->portmap.unjudged_state = PLUGIN_UNKNOWN;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
}
END_TEST

/* A rule's "state: unknown" ranks below WARNING (CRITICAL > WARNING >
 * UNKNOWN > OK, as the man page and README say): alone it makes the run
 * UNKNOWN; beside a WARNING the run is WARNING, the UNKNOWN mapping still
 * listed; beside a CRITICAL, CRITICAL. */
START_TEST(test_unknown_rule_ranks_below_warning)
{
	use_portmap("  default: ok\n"
	    "  builtin_rules: true\n"
	    "  rules:\n"
	    "    - name: ask-someone\n"
	    "      state: unknown\n"
	    "      external_port: 7000\n");
	add("TCP", 7000, "192.168.1.2", 7000, "app", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	add("TCP", 7001, "192.168.1.2", 7001, "app", 0);	/* permanent */
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[UNKNOWN] ask-someone: TCP 7000 -> 192.168.1.2:7000");
	has("[WARNING] permanent-lease: TCP 7001");
	add("TCP", 7002, "192.168.1.2", 445, "files", 3600);
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("[UNKNOWN] ask-someone: TCP 7000");
}
END_TEST

static Suite *
judge_portmap_suite(void)
{
	Suite *s = suite_create("judge_portmap");

	verdict_tcase(s, "portmap", setup, teardown,
	    test_all_expected, test_canon_without_state, test_empty,
	    test_findings,
	    test_count_thresholds, test_incomplete, test_internal_port_zero,
	    test_quirks_named, test_changes,
	    test_changes_multiset, test_state_file_said, test_state_restart_held,
	    test_state_file_unusable, test_changed_state, test_event_log,
	    test_ok_lines_capped, test_context_survives_byte_budget,
	    test_keys_and_text, test_external_unknown, test_mac_rules,
	    test_mac_stale,
	    test_age_rules, test_unknown_rule_ranks_below_warning, NULL);
	return s;
}

int
main(void)
{
	return verdict_run(judge_portmap_suite());
}
