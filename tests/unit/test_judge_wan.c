/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/judge_wan.c: WAN facts judged without a device.
 * The device is a real miniupnpd description (fixture); the facts of each
 * case are filled in here as igd_wan_query() would.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge_wan.h"
#include "json.h"
#include "verdict.h"

/* ---- helpers ---- */

static struct igd_device dev;
static struct igd_wan w;
static struct judge_wan_prev prev;
static struct judge_wan_ctx ctx;

/* The index of the first service of kind in dev. */
static size_t
service_of(enum igd_service_kind kind)
{
	for (size_t i = 0; i < dev.n_services; i++)
		if (dev.services[i].kind == kind)
			return i;
	ck_abort_msg("no such service in the fixture");
	return 0;
}

/* A healthy connection: Connected for a day, public address, counters. */
static void
setup(void)
{
	struct igd_conn *c = &w.conns[0];

	memset(&w, 0, sizeof(w));
	memset(&prev, 0, sizeof(prev));
	memset(&ctx, 0, sizeof(ctx));
	load_device("miniupnpd-2.3.1-igd2", "http://192.168.1.1:5000/rootDesc.xml",
	    &dev);
	policy_setup();
	w.n_conns = 1;
	c->service = service_of(IGD_SVC_WANIP);
	snprintf(c->status, sizeof(c->status), "Connected");
	snprintf(c->last_error, sizeof(c->last_error), "ERROR_NONE");
	c->uptime = 86400;
	snprintf(c->external_ip, sizeof(c->external_ip), "93.184.216.34");
	snprintf(c->conn_type, sizeof(c->conn_type), "IP_Routed");
	c->rsip_available = c->nat_enabled = -1;
	w.common.present = 1;
	snprintf(w.common.access_type, sizeof(w.common.access_type),
	    "Ethernet");
	snprintf(w.common.link_status, sizeof(w.common.link_status), "Up");
	w.common.up_bps = 100000000;
	w.common.down_bps = 1000000000;
	for (int k = 0; k < 4; k++)
		w.common.counter[k] = 1000;
	w.v6fw.present = 0;
	ctx.timeout_state = PLUGIN_UNKNOWN;
	ctx.now_ms = 1700000000000LL;
}

/* Judge the facts into out and status. */
static void
judge(void)
{
	struct plugin_out *o = verdict_new("WAN");

	judge_wan(o, &pol->wan, &dev, &w, &prev, &ctx);
	verdict_take(o);
}

/* A previous sample secs seconds ago, each counter at value. */
static void
prev_sample(int64_t secs, uint64_t uptime, uint64_t value)
{
	prev.path = "/state/file";
	prev.loaded = 1;
	prev.have = 1;
	prev.time_ms = (uint64_t)(ctx.now_ms - secs * 1000);
	prev.have_uptime = 1;
	prev.uptime = uptime;
	for (int k = 0; k < 4; k++) {
		prev.wans[0].have_counter[k] = 1;
		prev.wans[0].counter[k] = value;
	}
}

/* ---- connections ---- */

START_TEST(test_connected)
{
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	first_line_is("IGD WAN OK - Connected, external 93.184.216.34, up 1d 0h");
	has_line("[OK] IP1.1: Connected, up 1d 0h (IP_Routed)");
	has_line("IP1.1: external address 93.184.216.34 (public)");
	has_line("link Ethernet Up, 100.0/1000.0 Mbit/s up/down");
	has("uptime=86400s;;;0;");
	has("tx_bytes=1000c;;;0");
	has("link_up=100000000;;;0");
}
END_TEST

/* Every ConnectionStatus the specifications name but the expected one. */
START_TEST(test_every_status)
{
	static const char *const states[] = {
		"Unconfigured", "Connecting", "Authenticating",
		"PendingDisconnect", "Disconnecting", "Disconnected"
	};
	char line[160];

	snprintf(w.conns[0].last_error, sizeof(w.conns[0].last_error),
	    "ERROR_NO_CARRIER");
	snprintf(w.conns[0].external_ip, sizeof(w.conns[0].external_ip),
	    "0.0.0.0");
	for (size_t i = 0; i < sizeof(states) / sizeof(*states); i++) {
		snprintf(w.conns[0].status, sizeof(w.conns[0].status), "%s",
		    states[i]);
		judge();
		ck_assert_int_eq(status, PLUGIN_CRITICAL);
		snprintf(line, sizeof(line), "[CRITICAL] IP1.1: status %s "
		    "(expected Connected), last error ERROR_NO_CARRIER\n",
		    states[i]);
		has(line);
		/* an unset address while not connected is no double NAT */
		hasnt("double NAT");
	}
	/* the state is the policy's */
	pol->wan.status_state = PLUGIN_WARNING;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	/* a policy that expects another status */
	snprintf(pol->wan.status, sizeof(pol->wan.status), "Disconnected");
	judge();
	has("[OK] IP1.1: Disconnected, up 1d 0h (IP_Routed)");
}
END_TEST

START_TEST(test_status_unreadable)
{
	w.conns[0].status_rc = 401;
	w.conns[0].status[0] = '\0';
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] IP1.1: GetStatusInfo failed: ");
	first_line_is("IGD WAN UNKNOWN - IP1.1: GetStatusInfo failed: Invalid "
	    "Action (status unknown, external 93.184.216.34, up 1d 0h)");
	/* cut by the deadline: the timeout state */
	w.conns[0].status_rc = IGD_ETIMEOUT;
	ctx.timeout_state = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
}
END_TEST

START_TEST(test_no_connection)
{
	w.n_conns = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	first_line_is("IGD WAN UNKNOWN - check_igd lab router has no WAN "
	    "connection service");
}
END_TEST

START_TEST(test_two_connections)
{
	w.n_conns = 2;
	w.conns[1] = w.conns[0];
	w.conns[1].service = service_of(IGD_SVC_WANIP);
	snprintf(w.conns[1].status, sizeof(w.conns[1].status), "Disconnected");
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	/* the failing connection and why first */
	first_line_is("IGD WAN CRITICAL - IP1.1: status Disconnected (expected "
	    "Connected), last error ERROR_NONE (2 WAN connections; first "
	    "Connected, external 93.184.216.34, up 1d 0h)");
	has("c1_uptime=86400s");
	has("c2_uptime=86400s");
	has("status Disconnected (expected Connected)");
}
END_TEST

START_TEST(test_timed_out)
{
	ctx.query_rc = IGD_ETIMEOUT;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("the deadline cut the queries short");
	first_line_is("IGD WAN UNKNOWN - Connected, external 93.184.216.34, "
	    "up 1d 0h (timed out)");
	ctx.timeout_state = PLUGIN_WARNING;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
}
END_TEST

/* ---- external address ---- */

START_TEST(test_double_nat)
{
	static const struct {
		const char *addr;
		const char *kind;
	} cases[] = {
		{ "192.168.0.2", "private (RFC 1918" },
		{ "10.1.2.3", "private (RFC 1918" },
		{ "172.16.0.1", "private (RFC 1918" },
		{ "100.64.0.1", "carrier-grade NAT" },
		{ "100.127.255.254", "carrier-grade NAT" },
		{ "", "unset" },
		{ "0.0.0.0", "unset" },
	};
	char line[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		snprintf(w.conns[0].external_ip, sizeof(w.conns[0].external_ip),
		    "%s", cases[i].addr);
		judge();
		ck_assert_msg(status == PLUGIN_WARNING, "%s: %d", cases[i].addr,
		    status);
		snprintf(line, sizeof(line), "[WARNING] IP1.1: external address "
		    "%s is %s", cases[i].addr[0] ? cases[i].addr : "(none)",
		    igd_addr_class_name(igd_addr_classify(cases[i].addr)));
		has(line);
		has(": double NAT");
		ck_assert_msg(strstr(igd_addr_class_name(igd_addr_classify(
		    cases[i].addr)), cases[i].kind) != NULL, "%s", cases[i].addr);
	}
	/* the policy's state for it */
	pol->wan.private_state = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	/* just outside the shared range: public */
	snprintf(w.conns[0].external_ip, sizeof(w.conns[0].external_ip),
	    "100.128.0.1");
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
}
END_TEST

START_TEST(test_external_pin)
{
	snprintf(pol->wan.external_address, sizeof(pol->wan.external_address),
	    "1.2.3.4");
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] IP1.1: external address 93.184.216.34, expected "
	    "1.2.3.4");
	/* the status line says what is wrong (issue 8.6) */
	first_line_is("IGD WAN CRITICAL - IP1.1: external address "
	    "93.184.216.34, expected 1.2.3.4 (Connected, external "
	    "93.184.216.34, up 1d 0h)");
	snprintf(pol->wan.external_address, sizeof(pol->wan.external_address),
	    "93.184.216.34");
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	/* a pinned private address that matches is still double NAT, a
	 * subcheck of its own */
	snprintf(pol->wan.external_address, sizeof(pol->wan.external_address),
	    "192.168.0.2");
	snprintf(w.conns[0].external_ip, sizeof(w.conns[0].external_ip),
	    "192.168.0.2");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("is private (RFC 1918/ULA): double NAT");
	/* the state is the policy's */
	pol->wan.external_mismatch_state = PLUGIN_WARNING;
	snprintf(w.conns[0].external_ip, sizeof(w.conns[0].external_ip),
	    "192.168.0.3");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
}
END_TEST

START_TEST(test_external_unreadable)
{
	w.conns[0].extip_rc = 501;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] IP1.1: GetExternalIPAddress failed: ");
}
END_TEST

/* ---- uptime ---- */

START_TEST(test_uptime_thresholds)
{
	set_range(&pol->wan.uptime, "300:", "60:");
	w.conns[0].uptime = 100;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[WARNING] IP1.1: Connected, up 1m 40s (IP_Routed)");
	has("uptime=100s;300:;60:;0");
	w.conns[0].uptime = 30;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	w.conns[0].uptime = 300;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has("up 5m 0s");
	w.conns[0].uptime = 7260;
	judge();
	has("up 2h 1m");
}
END_TEST

/* Uptime as real firmware sends it; unreadable with a threshold is
 * UNKNOWN, never a skipped threshold (issue 8.5). */
START_TEST(test_uptime_formats)
{
	static const struct {
		const char *text;
		int ok;
		int64_t secs;
	} cases[] = {
		{ "3600", 1, 3600 }, { " 42 ", 1, 42 }, { "0", 1, 0 },
		{ "0 Days, 01:00:00", 1, 3600 }, { "1 Day, 00:00:05", 1, 86405 },
		{ "12 days, 23:59:59", 1, 12 * 86400 + 86399 },
		{ "01:02:03", 1, 3723 }, { "n/a", 0, 0 }, { "", 0, 0 },
		{ "-5", 0, 0 }, { "0 Days, 01:60:00", 0, 0 },
		{ "0 Days 01:00:00", 0, 0 }, { "1:2", 0, 0 },
		{ "0 Days, 01:00:00 extra", 0, 0 }, { "3600s", 0, 0 },
		{ "99999999999999999999", 0, 0 },
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		v = -7;
		ck_assert_msg((igd_parse_uptime(cases[i].text, &v) == 0) ==
		    cases[i].ok, "'%s'", cases[i].text);
		if (cases[i].ok)
			ck_assert_msg(v == cases[i].secs, "'%s': %lld",
			    cases[i].text, (long long)v);
	}
	/* unreadable: without a threshold it is said, with one UNKNOWN */
	w.conns[0].uptime = -1;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("[OK] IP1.1: Connected, up unknown (IP_Routed)");
	set_range(&pol->wan.uptime, NULL, "300:");
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has_line("[UNKNOWN] IP1.1: Connected, uptime unreadable: its "
	    "threshold is not judged");
}
END_TEST

/* A layer-1 rate the device did not give, with a threshold: UNKNOWN. */
START_TEST(test_link_rate_unreadable)
{
	w.common.down_bps = -1;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	set_range(&pol->wan.link_down, "1000000:", NULL);
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has_line("[UNKNOWN] downstream rate unreadable: its threshold is not "
	    "judged");
}
END_TEST

/* ---- link ---- */

START_TEST(test_link)
{
	snprintf(w.common.link_status, sizeof(w.common.link_status), "Down");
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("[CRITICAL] physical link Down");
	snprintf(w.common.link_status, sizeof(w.common.link_status), "Up");
	set_range(&pol->wan.link_down, "500000000:", NULL);
	w.common.down_bps = 100000000;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[WARNING] downstream rate 100000000 bit/s");
	set_range(&pol->wan.link_up, NULL, "1000000:");
	w.common.up_bps = 1000;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("[CRITICAL] upstream rate 1000 bit/s");
	/* unreadable properties with a threshold: UNKNOWN, never skipped */
	w.common.link_rc = 501;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("link rate thresholds not judged");
	/* no common interface at all */
	w.common.present = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("no WANCommonInterfaceConfig service: link and traffic "
	    "thresholds not judged");
	/* without thresholds it is only said */
	memset(&pol->wan.link_up, 0, sizeof(pol->wan.link_up));
	memset(&pol->wan.link_down, 0, sizeof(pol->wan.link_down));
	w.common.present = 1;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has("GetCommonLinkProperties failed: ");
}
END_TEST

/* ---- traffic rates ---- */

START_TEST(test_rates)
{
	/* 60 s ago every counter was 1000; now 61000 bytes: 1000 B/s */
	prev_sample(60, 86000, 1000);
	w.common.counter[0] = w.common.counter[1] = 61000;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has("tx_Bps=1000;;;0");
	has("rx_Bps=1000;;;0");
	has("tx_pps=0;;;0");
	set_range(&pol->wan.rx_rate, "500", NULL);
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] received 1000/s");
	set_range(&pol->wan.tx_rate, NULL, "~:2000");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	set_range(&pol->wan.tx_rate, NULL, "2000:");
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] sent 1000/s");
}
END_TEST

START_TEST(test_rates_wrap_and_reboot)
{
	/* a 32-bit counter wrapped: 4294967000 -> 704 is 1000 bytes */
	prev_sample(10, 86000, 4294967000ULL);
	w.common.counter[0] = 704;
	judge();
	has("tx_Bps=100;;;0");
	/* uptime went down: counted since the restart */
	prev_sample(10, 90000, 5000);
	w.common.counter[0] = 2000;
	judge();
	has("tx_Bps=200;;;0");
	has("uptime went down: counters restarted");
	/* a 64-bit counter going backwards without a reboot: no rate */
	prev_sample(10, 80000, 5000000000ULL);
	w.common.counter[0] = 5000000000ULL - 10;
	judge();
	has("tx_bytes went backwards (5000000000 to 4999999990): no rate");
	hasnt("tx_Bps=");
	ck_assert_int_eq(status, PLUGIN_OK);
	/* with a threshold on that rate: never skipped, UNKNOWN (issue 8.5:
	 * a device whose counters go backwards on every run) */
	set_range(&pol->wan.tx_rate, "1000", NULL);
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] tx_bytes went backwards (5000000000 to 4999999990): "
	    "no rate this run, its threshold is not judged");
}
END_TEST

START_TEST(test_rates_first_and_rerun)
{
	prev.path = "/state/file";
	prev.loaded = 1;
	judge();
	has("traffic rates from the next run on (state file /state/file)");
	ck_assert_int_eq(judge_wan_sample_due(&prev, ctx.now_ms), 1);
	/* an immediate rerun keeps the older sample and judges no rate */
	prev_sample(0, 86000, 1000);
	ck_assert_int_eq(judge_wan_sample_due(&prev, ctx.now_ms), 0);
	judge();
	hasnt("_Bps=");
	hasnt("traffic rates from the next run on");
	/* what went wrong with the state file is a subcheck with the
	 * policy's state.unusable (WARNING by default), never an info line */
	prev_sample(60, 86000, 1000);
	prev.unusable_state = PLUGIN_WARNING;
	snprintf(prev.load_err, sizeof(prev.load_err), "corrupt");
	snprintf(prev.save_err, sizeof(prev.save_err), "read-only");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[WARNING] corrupt; traffic rates start again");
	has("[WARNING] cannot save the state file: read-only; no traffic "
	    "rates next run");
	prev.unusable_state = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	/* no state file: no rates and nothing said */
	memset(&prev, 0, sizeof(prev));
	judge();
	hasnt("state file");
	hasnt("_Bps=");
	ck_assert_int_eq(status, PLUGIN_OK);
	/* ... unless a rate threshold was set: never skipped (issue 8.5) */
	set_range(&pol->wan.rx_rate, NULL, "1000000");
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] traffic rate thresholds not judged: no state file "
	    "(--no-state)");
	/* a state file that could not be read at all: the same */
	prev.path = "/state/file";
	prev.unusable_state = PLUGIN_WARNING;
	snprintf(prev.load_err, sizeof(prev.load_err), "out of memory");
	judge();
	/* WARNING outranks UNKNOWN (the field's order); both are said */
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[WARNING] out of memory; traffic rates start again");
	has("[UNKNOWN] traffic rate thresholds not judged: the state file "
	    "could not be read");
}
END_TEST

/*
 * Issue 8: a state file made unusable restarts the rates; the restart is
 * held (state.unusable) for the hold, not one run, on the runs after it
 * whose file reads well; then OK.
 */
START_TEST(test_rates_restart_held)
{
	int64_t now = ctx.now_ms / 1000;

	prev_sample(60, 86000, 1000);
	prev.unusable_state = PLUGIN_WARNING;
	prev.hold = 7200;
	prev.restart.held = 1;
	prev.restart.fresh = 1;
	prev.restart.since = now;
	snprintf(prev.restart.why, sizeof(prev.restart.why), "corrupt");
	snprintf(prev.load_err, sizeof(prev.load_err), "corrupt");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[WARNING] corrupt; traffic rates start again (held for 2h 0m, "
	    "or until --accept)");
	/* a later run: the file read well, the restart is still held */
	prev.load_err[0] = '\0';
	prev.restart.fresh = 0;
	prev.restart.since = now - 600;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[WARNING] traffic rates started again 10m 0s ago: corrupt (held "
	    "1h 50m more, or until --accept)");
	prev.unusable_state = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	/* no longer held: OK */
	prev.restart.held = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	hasnt("started again");
}
END_TEST

/*
 * A sample time the state file put anywhere in 64 bits: the age is
 * computed without overflow (the sanitizer build aborted on now - prev
 * with time_ms = 2^63), and a sample from the future gives no rate.
 */
START_TEST(test_sample_time_extremes)
{
	static const uint64_t times[] = {
		9223372036854775808ULL, UINT64_MAX, (uint64_t)INT64_MAX, 0,
	};

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		prev_sample(60, 86000, 1000);
		prev.time_ms = times[i];
		(void)judge_wan_sample_due(&prev, ctx.now_ms);
		(void)judge_wan_sample_due(&prev, INT64_MIN);
		judge();
		if (times[i] != 0)
			hasnt("_Bps=0;");
	}
	prev_sample(60, 86000, 1000);
	prev.time_ms = (uint64_t)ctx.now_ms + 30000;
	ck_assert_int_eq(judge_wan_sample_due(&prev, ctx.now_ms), 0);
}
END_TEST

START_TEST(test_counter_unreadable)
{
	prev_sample(60, 86000, 1000);
	w.common.counter_rc[1] = 401;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	hasnt("rx_bytes=");
	hasnt("rx_Bps=");
	/* with a threshold on it: UNKNOWN */
	set_range(&pol->wan.rx_rate, "500", NULL);
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] rx_bytes counter unreadable (");
	has("its rate threshold is not judged");
}
END_TEST

START_TEST(test_uptime_for_rates)
{
	ck_assert_int_eq(judge_wan_uptime(&pol->wan, &w), 86400);
	snprintf(w.conns[0].status, sizeof(w.conns[0].status), "Disconnected");
	ck_assert_int_eq(judge_wan_uptime(&pol->wan, &w), -1);
}
END_TEST

START_TEST(test_duration)
{
	char b[32];

	judge_wan_duration(-1, b, sizeof(b));
	ck_assert_str_eq(b, "unknown");
	judge_wan_duration(59, b, sizeof(b));
	ck_assert_str_eq(b, "0m 59s");
	judge_wan_duration(3600, b, sizeof(b));
	ck_assert_str_eq(b, "1h 0m");
	judge_wan_duration(3 * 86400 + 4 * 3600 + 5, b, sizeof(b));
	ck_assert_str_eq(b, "3d 4h");
}
END_TEST

/* A second connection service beside the connected one (DD-WRT's PPP):
 * Unconfigured is unused, refusing every action is unusable; both OK by
 * default (policy unused_state), UNKNOWN/CRITICAL when nothing else works. */
START_TEST(test_unused_connection)
{
	struct igd_conn *p = &w.conns[1];

	load_device("ddwrt-v24-generic-x86", "http://192.168.1.1:5431/x.xml",
	    &dev);
	w.conns[0].service = service_of(IGD_SVC_WANIP);
	w.n_conns = 2;
	memset(p, 0, sizeof(*p));
	p->service = service_of(IGD_SVC_WANPPP);
	snprintf(p->status, sizeof(p->status), "Unconfigured");
	snprintf(p->last_error, sizeof(p->last_error),
	    "ERROR_NOT_ENABLED_FOR_INTERNET");
	p->uptime = 0;
	p->rsip_available = p->nat_enabled = -1;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has("[OK] PPP1.1: unused (Unconfigured, last error "
	    "ERROR_NOT_ENABLED_FOR_INTERNET) while another connection is "
	    "Connected");
	pol->wan.unused_state = PLUGIN_WARNING;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	pol->wan.unused_state = PLUGIN_OK;
	/* nothing else works: the status is judged as usual */
	snprintf(w.conns[0].status, sizeof(w.conns[0].status), "Disconnected");
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("PPP1.1: status Unconfigured (expected Connected)");
	snprintf(w.conns[0].status, sizeof(w.conns[0].status), "Connected");
	/* refuses every action */
	p->status_rc = p->extip_rc = p->type_rc = p->nat_rc = 401;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has("[OK] PPP1.1: unusable, refuses every action (Invalid Action)");
	hasnt("GetStatusInfo failed");
	w.conns[0].status_rc = 401;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
}
END_TEST

/* ---- several WANDevices (MikroTik RouterOS: two, each with its own
 * WANCommonInterfaceConfig and WANIPConnection) ---- */

/* A healthy interface of WANDevice no, every counter at value. */
static void
two_wan_common(size_t i, unsigned no, uint64_t value)
{
	struct igd_common *cm = &w.commons[i];

	memset(cm, 0, sizeof(*cm));
	cm->present = 1;
	cm->wan_device = no;
	snprintf(cm->access_type, sizeof(cm->access_type), "Ethernet");
	snprintf(cm->link_status, sizeof(cm->link_status), "Up");
	cm->up_bps = 100000000;
	cm->down_bps = 1000000000;
	for (int k = 0; k < 4; k++)
		cm->counter[k] = value;
}

/* The MikroTik description, two connections Connected, two healthy
 * interfaces as igd_wan_query() orders them (commons[i] = WANDevice
 * i + 1; common = commons[0]). */
static void
setup_two_wans(void)
{
	setup();
	load_device("mikrotik-routeros-7.10",
	    "http://10.0.0.1:2828/gateway_description.xml", &dev);
	ck_assert_uint_eq(dev.wan_devices, 2);
	w.n_conns = 2;
	w.conns[1] = w.conns[0];
	w.conns[0].service = 1;		/* IP1.1 */
	w.conns[1].service = 3;		/* IP2.1 */
	snprintf(w.conns[1].external_ip, sizeof(w.conns[1].external_ip),
	    "93.184.216.35");
	w.n_commons = 2;
	two_wan_common(0, 1, 1000);
	w.commons[0].service = 0;
	two_wan_common(1, 2, 1000);
	w.commons[1].service = 2;
	w.common = w.commons[0];
}

/* Judge, then the perfdata in the order every run prints it. */
static void
judge_canon(void)
{
	struct plugin_out *o = verdict_new("WAN");

	judge_wan(o, &pol->wan, &dev, &w, &prev, &ctx);
	judge_wan_perf_canon(o, w.n_conns, dev.wan_devices);
	verdict_take(o);
}

/* A previous sample secs seconds ago: WAN i's counters at value[i]. */
static void
prev_two(int64_t secs, uint64_t v0, uint64_t v1)
{
	prev_sample(secs, 86000, v0);
	for (int k = 0; k < 4; k++) {
		prev.wans[1].have_counter[k] = 1;
		prev.wans[1].counter[k] = v1;
	}
}

START_TEST(test_two_wans)
{
	struct judge_wan_slot slots[IGD_WANS_MAX];

	ck_assert_uint_eq(judge_wan_slots(&dev, &w, slots), 2);
	ck_assert_uint_eq(slots[0].no, 1);
	ck_assert_int_eq(slots[0].common, 0);
	ck_assert_uint_eq(slots[1].no, 2);
	ck_assert_int_eq(slots[1].common, 1);
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("[OK] IP2.1: Connected, up 1d 0h (IP_Routed)");
	has("WAN1: link Ethernet Up");
	has("WAN2: link Ethernet Up");
	/* each WAN's counters under its own label, the unprefixed ones U */
	has("wan1_tx_bytes=1000c;;;0;");
	has("wan2_rx_packets=1000c;;;0;");
	has(" tx_bytes=U");
	has(" link_up=U");
	/* the second WAN's link down: CRITICAL, the WAN named first */
	snprintf(w.commons[1].link_status, sizeof(w.commons[1].link_status),
	    "Down");
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has("[CRITICAL] WAN2: physical link Down");
	ck_assert_msg(strncmp(out, "IGD WAN CRITICAL - WAN2: physical link "
	    "Down", 39) == 0, "%s", out);
	has("WAN1: link Ethernet Up");
	has("wan2_link_up=100000000;;;0;");
}
END_TEST

/* The labels: the same set, in the same order, whatever the run gave. */
START_TEST(test_two_wans_labels)
{
	static const char *const names[] = {
		"c1_uptime", "c2_uptime", "link_up", "link_down", "tx_bytes",
		"rx_bytes", "tx_packets", "rx_packets", "tx_Bps", "rx_Bps",
		"tx_pps", "rx_pps", "wan1_link_up", "wan1_link_down",
		"wan1_tx_bytes", "wan1_rx_bytes", "wan1_tx_packets",
		"wan1_rx_packets", "wan1_tx_Bps", "wan1_rx_Bps", "wan1_tx_pps",
		"wan1_rx_pps", "wan2_link_up", "wan2_link_down",
		"wan2_tx_bytes", "wan2_rx_bytes", "wan2_tx_packets",
		"wan2_rx_packets", "wan2_tx_Bps", "wan2_rx_Bps", "wan2_tx_pps",
		"wan2_rx_pps"
	};
	for (int run = 0; run < 2; run++) {
		const char *p = strchr(out, '|');
		size_t n = 0;

		if (run == 1) {
			/* a second run with rates, WAN2 refusing its link */
			prev_two(60, 500, 400);
			w.commons[1].link_rc = 401;
		}
		judge_canon();
		p = strchr(out, '|');
		ck_assert_ptr_nonnull(p);
		/* exactly those labels, in that order */
		for (p++; *p == ' '; ) {
			size_t len = strcspn(p + 1, "=");

			ck_assert_msg(n < sizeof(names) / sizeof(*names),
			    "more labels than expected: %s", out);
			ck_assert_msg(strlen(names[n]) == len &&
			    strncmp(p + 1, names[n], len) == 0,
			    "label %zu is not %s: %s", n, names[n], out);
			n++;
			p += 1 + strcspn(p + 1, " \n");
		}
		ck_assert_uint_eq(n, sizeof(names) / sizeof(*names));
	}
}
END_TEST

/* Rates per WAN, each from its own previous counters; thresholds apply to
 * every WAN and the line names the WAN over it. */
START_TEST(test_two_wans_rates)
{
	/* 60 s ago: WAN1 at 1000, WAN2 at 4000; now WAN1 61000 (1000/s),
	 * WAN2 34000 (500/s) */
	prev_two(60, 1000, 4000);
	w.common.counter[0] = w.common.counter[1] = 61000;
	w.commons[0] = w.common;
	w.commons[1].counter[0] = w.commons[1].counter[1] = 34000;
	w.commons[1].counter[2] = w.commons[1].counter[3] = 4000;
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_OK);
	has("wan1_tx_Bps=1000;;;0;");
	has("wan2_tx_Bps=500;;;0;");
	has("wan2_rx_Bps=500;;;0;");
	has("wan2_rx_pps=0;;;0;");
	has(" tx_Bps=U");
	hasnt("without a previous reading");
	/* a WAN the previous sample lacks (a state file from before the
	 * per-WAN keys, a WAN new to it): no rate, and said */
	memset(&prev.wans[1], 0, sizeof(prev.wans[1]));
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("WAN2: 4 counters without a previous reading in the state "
	    "file: their rates from the next run on");
	has(" wan2_tx_Bps=U");
	has("wan1_tx_Bps=1000;;;0;");
	/* one counter unreadable in the last run (its key removed) */
	prev_two(60, 1000, 4000);
	prev.wans[0].have_counter[3] = 0;
	judge_canon();
	has_line("WAN1: 1 counter without a previous reading in the state "
	    "file: its rate from the next run on");
	has(" wan1_rx_pps=U");
	has("wan1_tx_pps=0;;;0;");
	hasnt("WAN2: 4 counters");
	/* a warning range both exceed: each named */
	set_range(&pol->wan.rx_rate, "400", NULL);
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] WAN1: received 1000/s");
	has_line("[WARNING] WAN2: received 500/s");
	has("wan2_rx_Bps=500;400;;0;");
	/* only the second over it: the first line names WAN2 */
	set_range(&pol->wan.rx_rate, NULL, "~:1500");
	w.commons[1].counter[1] = 4000 + 60 * 2000;
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	first_line_is("IGD WAN CRITICAL - WAN2: received 2000/s (2 WAN "
	    "connections; first Connected, external 93.184.216.34, up 1d 0h)");
	hasnt("WAN1: received");
	/* WAN2's 64-bit counter going backwards: its threshold not judged,
	 * UNKNOWN naming it; WAN1 still judged */
	prev_two(60, 1000, 9000000000ULL);
	w.commons[1].counter[1] = 8000000000ULL;
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] WAN2: rx_bytes went backwards (9000000000 to "
	    "8000000000): no rate this run, its threshold is not judged");
	has("wan1_rx_Bps=1000;;~:1500;0;");
	has(" wan2_rx_Bps=U");
}
END_TEST

/* A WAN that cannot be judged is said, never skipped; UNKNOWN when a
 * threshold it needed was asked. */
START_TEST(test_two_wans_unjudged)
{
	/* WAN2's interface refuses every action */
	w.commons[1].link_rc = 401;
	for (int k = 0; k < 4; k++)
		w.commons[1].counter_rc[k] = 401;
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("[OK] WAN2: link not judged: GetCommonLinkProperties failed "
	    "(Invalid Action)");
	has_line("WAN2: traffic counters unreadable (Invalid Action): no "
	    "traffic rates");
	has(" wan2_tx_bytes=U");
	has("wan1_tx_bytes=1000c");
	set_range(&pol->wan.tx_rate, "1000000", NULL);
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] WAN2: tx_bytes counter unreadable (Invalid Action): "
	    "its rate threshold is not judged");
	hasnt("WAN1: tx_bytes counter unreadable");
	set_range(&pol->wan.link_up, "1000000:", NULL);
	judge_canon();
	has("[UNKNOWN] WAN2: GetCommonLinkProperties failed (Invalid Action): "
	    "link rate thresholds not judged");
	memset(&pol->wan.tx_rate, 0, sizeof(pol->wan.tx_rate));
	memset(&pol->wan.link_up, 0, sizeof(pol->wan.link_up));
	/* a WANDevice without the service: said, its labels U */
	w.n_commons = 1;
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("[OK] WAN2: not judged: its WANDevice has no "
	    "WANCommonInterfaceConfig service");
	has(" wan2_link_up=U");
	has("wan1_link_up=100000000");
	set_range(&pol->wan.rx_rate, NULL, "1000000");
	judge_canon();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has("[UNKNOWN] WAN2: not judged: its WANDevice has no "
	    "WANCommonInterfaceConfig service: link and traffic thresholds "
	    "not judged");
}
END_TEST

/* --format json: every WAN's rates and previous counters in the facts. */
START_TEST(test_two_wans_json)
{
	static char buf[1024 * 1024];
	struct plugin_out *o = verdict_new("WAN");
	const char *cs;
	struct json j;

	prev_two(60, 1000, 4000);
	for (int k = 0; k < 4; k++)
		w.commons[1].counter[k] = 4000;
	w.commons[1].counter[0] = 34000;
	w.commons[1].counter_rc[3] = 401;
	ck_assert_int_eq(plugin_out_want_json(o), 0);
	judge_wan(o, &pol->wan, &dev, &w, &prev, &ctx);
	judge_wan_perf_canon(o, w.n_conns, dev.wan_devices);
	json_init(&j, buf, sizeof(buf));
	plugin_out_render_json(o, "check_igd_wan", &j);
	ck_assert_int_eq(json_done(&j), 0);
	plugin_out_free(o);
	cs = strstr(buf, "\"counter_sample\"");
	ck_assert_ptr_nonnull(cs);
	ck_assert_msg(strstr(cs, "\"wans\":[{\"wan\":1,\"interface\":true,"
	    "\"previous\":{\"tx_bytes\":1000,") != NULL, "%.1000s", cs);
	ck_assert_msg(strstr(cs, "{\"wan\":2,\"interface\":true,"
	    "\"previous\":{\"tx_bytes\":4000,\"rx_bytes\":4000,"
	    "\"tx_packets\":4000,\"rx_packets\":4000},\"rates\":{"
	    "\"tx_Bps\":500,\"rx_Bps\":0,\"tx_pps\":0,\"rx_pps\":null}}]")
	    != NULL, "%.1000s", cs);
	/* why WAN2's packets received are null: its own refusal */
	ck_assert_msg(strstr(buf, "\"counter_errors\":{\"tx_bytes\":null,"
	    "\"rx_bytes\":null,\"tx_packets\":null,\"rx_packets\":{\"code\":"
	    "401,") != NULL, "%.2000s", strstr(buf, "\"interfaces\""));
}
END_TEST

static Suite *
judge_wan_suite(void)
{
	Suite *s = suite_create("judge_wan");

	verdict_tcase(s, "connections", setup, policy_teardown,
	    test_connected, test_every_status, test_status_unreadable,
	    test_no_connection, test_two_connections, test_timed_out,
	    test_double_nat, test_external_pin, test_external_unreadable,
	    test_uptime_thresholds, test_uptime_formats,
	    test_uptime_for_rates, test_duration, NULL);
	verdict_tcase(s, "link and rates", setup, policy_teardown,
	    test_link, test_link_rate_unreadable, test_rates,
	    test_rates_wrap_and_reboot, test_rates_first_and_rerun, test_rates_restart_held,
	    test_sample_time_extremes, test_counter_unreadable,
	    test_unused_connection, NULL);
	verdict_tcase(s, "several WANs", setup_two_wans, policy_teardown,
	    test_two_wans, test_two_wans_labels, test_two_wans_rates,
	    test_two_wans_unjudged, test_two_wans_json, NULL);
	return s;
}

int
main(void)
{
	return verdict_run(judge_wan_suite());
}
