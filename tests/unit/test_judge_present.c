/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/judge_present.c: the devices a search found,
 * judged without a network.  Devices are real descriptions (fixtures).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge_present.h"
#include "verdict.h"

#define LAB "http://10.197.0.1:5000/rootDesc.xml"
#define ROGUE "http://10.197.0.66:5000/rootDesc.xml"
#define LAB_UDN "uuid:4cf9d4f0-069f-c18f-b3fc-c0a50dceb852"

static struct igd_found found[4];
static size_t n;
static struct ssdp_result ssdp;
static struct cli_opts opts;
static struct plugin_thresholds th;
static struct judge_present_ctx ctx;

/* found[i] is the lab router (or another fixture) at location. */
static void
add(const char *fixture, const char *location, int64_t answer_ms)
{
	struct igd_found *f = &found[n++];

	memset(f, 0, sizeof(*f));
	load_device(fixture, location, &f->dev);
	f->answer_ms = answer_ms;
}

/* found[i] answered SSDP but its description could not be read. */
static void
add_broken(const char *location, int rc, const char *why)
{
	struct igd_found *f = &found[n++];

	memset(f, 0, sizeof(*f));
	snprintf(f->dev.location, sizeof(f->dev.location), "%s", location);
	f->rc = rc;
	snprintf(f->err, sizeof(f->err), "%s", why);
}

static void
setup(void)
{
	n = 0;
	memset(&ssdp, 0, sizeof(ssdp));
	memset(&th, 0, sizeof(th));
	memset(&ctx, 0, sizeof(ctx));
	cli_init(&opts);
	policy_setup();
	ctx.opts = &opts;
	ctx.th = &th;
	ctx.search_err = "";
}

static void
judge(void)
{
	struct plugin_out *o = verdict_new("PRESENT");

	judge_present(o, &pol->present, found, n, &ssdp, &ctx);
	verdict_take(o);
}

START_TEST(test_one)
{
	add("miniupnpd-2.3.1-igd2", LAB, 12);
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	first_line_is("IGD PRESENT OK - check_igd lab router (check_igd lab "
	    "LabGateway) at " LAB " answered in 0.012 s");
	has_line(LAB ": check_igd lab LabGateway 2.3.1-lab (check_igd lab "
	    "router), UDN " LAB_UDN ", IGD:2, 1 WAN connection service");
	has(" answer_time=0.012s;;;0; igds=1;;;0; refused_locations=0;;;0;");
}
END_TEST

START_TEST(test_nobody)
{
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	first_line_is("IGD PRESENT CRITICAL - no IGD answered the multicast "
	    "search within 10.0 s");
	has("igds=0;;;0;");
	opts.host = "10.197.0.1";
	pol->present.missing_state = PLUGIN_WARNING;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	first_line_is("IGD PRESENT WARNING - no IGD answered 10.197.0.1 within "
	    "10.0 s");
}
END_TEST

START_TEST(test_cannot_search)
{
	ctx.search_rc = IGD_EADDRESS;
	ctx.search_err = "no such interface 'eth9'";
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	first_line_is("IGD PRESENT UNKNOWN - cannot search: no such interface "
	    "'eth9'");
	has("igds=0;;;0;");
}
END_TEST

/* -u: nothing there is a missing IGD, a slow or broken one UNKNOWN. */
START_TEST(test_url_unusable)
{
	opts.url = LAB;
	add_broken(LAB, IGD_ECONNECT, "connection refused");
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	first_line_is("IGD PRESENT CRITICAL - no usable IGD at " LAB
	    ": connection refused");
	/* the same labels as any run; nothing answered: the answer time is
	 * unknown, not 0 */
	has(" answer_time=U;;;0; igds=0;;;0; refused_locations=0;;;0;");
	found[0].rc = IGD_ETIMEOUT;
	opts.timeout_state = PLUGIN_WARNING;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	found[0].rc = IGD_EPROTOCOL;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	/* the same from a search: UNKNOWN, the description is named */
	opts.url = NULL;
	found[0].rc = IGD_ECONNECT;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	first_line_is("IGD PRESENT UNKNOWN - " LAB " answered but its "
	    "description could not be read: connection refused");
}
END_TEST

/* The pinned device is shown even when another answered first. */
START_TEST(test_pinned_second)
{
	add("avm-fritzbox-7430", ROGUE, 3);
	add("miniupnpd-2.3.1-igd2", LAB, 20);
	snprintf(pol->present.udn, sizeof(pol->present.udn), "%s", LAB_UDN);
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	first_line_is("IGD PRESENT OK - check_igd lab router (check_igd lab "
	    "LabGateway) at " LAB " answered in 0.020 s");
	/* the other one is described, after the pinned one */
	ck_assert_ptr_nonnull(strstr(strstr(out, "UDN " LAB_UDN),
	    ROGUE ": AVM"));
}
END_TEST

/* No device matches the pins: each differing pin is a subcheck. */
START_TEST(test_pins_differ)
{
	add("avm-fritzbox-7430", ROGUE, 3);
	snprintf(pol->present.udn, sizeof(pol->present.udn), "%s", LAB_UDN);
	snprintf(pol->present.model, sizeof(pol->present.model), "LabGateway");
	snprintf(pol->present.location, sizeof(pol->present.location), LAB);
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] UDN is uuid:00000000-0000-0000-0000-000000000000, "
	    "policy expects " LAB_UDN);
	has_line("[CRITICAL] model is FRITZ!Box 7430, policy expects "
	    "LabGateway");
	has_line("[CRITICAL] location is " ROGUE ", policy expects " LAB);
	pol->present.mismatch_state = PLUGIN_WARNING;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	/* a pin that matches says nothing */
	pol->present.udn[0] = pol->present.location[0] = '\0';
	snprintf(pol->present.model, sizeof(pol->present.model),
	    "FRITZ!Box 7430");
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	ck_assert_int_eq(judge_present_pinned(&pol->present, &found[0].dev), 1);
}
END_TEST

/* Counts are judged when known: census, -u, -H; never on a first answer. */
START_TEST(test_counts)
{
	add("miniupnpd-2.3.1-igd2", LAB, 5);
	add("avm-fritzbox-7430", ROGUE, 9);
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	ctx.census = 1;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] 2 IGDs answered, policy expects 1");
	first_line_is("IGD PRESENT WARNING - 2 IGDs answered, policy expects 1 "
	    "(2 IGDs answered; check_igd lab router (check_igd lab "
	    "LabGateway) at " LAB " in 0.005 s)");
	has("igds=2;;;0;");
	pol->present.count_state = PLUGIN_CRITICAL;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	pol->present.expect_count = 2;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	pol->present.expect_count = 0;	/* any number */
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	/* one in a census */
	n = 1;
	pol->present.expect_count = 1;
	judge();
	first_line_is("IGD PRESENT OK - check_igd lab router (check_igd lab "
	    "LabGateway) at " LAB " answered in 0.005 s, 1 IGD");
	/* -H: the one that answered is counted */
	ctx.census = 0;
	opts.host = "10.197.0.1";
	pol->present.expect_count = 2;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	has_line("[CRITICAL] 1 IGDs answered, policy expects 2");
}
END_TEST

/* A second device whose description failed is an UNKNOWN subcheck. */
START_TEST(test_second_unreadable)
{
	add("miniupnpd-2.3.1-igd2", LAB, 5);
	add_broken(ROGUE, IGD_EPROTOCOL, "not XML");
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has_line("[UNKNOWN] " ROGUE ": description unreadable: not XML");
	has("igds=1;;;0;");
}
END_TEST

START_TEST(test_answer_time)
{
	add("miniupnpd-2.3.1-igd2", LAB, 1500);
	set_range(&th, "1", "2");
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has_line("[WARNING] answer time 1.500 s");
	has(" answer_time=1.5s;1;2;0;");
	found[0].answer_ms = 2500;
	judge();
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	found[0].answer_ms = 500;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
}
END_TEST

START_TEST(test_ssdp_statistics)
{
	add("miniupnpd-2.3.1-igd2", LAB, 5);
	ssdp.refused_location = 2;
	snprintf(ssdp.refused_example, sizeof(ssdp.refused_example),
	    "http://10.9.9.9/x.xml");
	ssdp.datagrams = 7;
	judge();
	has("refused_locations=2;;;0;");
	hasnt("refused 2 SSDP answers");
	opts.verbose = 2;
	judge();
	has_line("refused 2 SSDP answers whose LOCATION pointed to another "
	    "host (e.g. http://10.9.9.9/x.xml)");
	has("SSDP: 7 datagrams, 0 IGD answers");
	has_line("serial CIGD-0001, presentation URL http://10.197.0.1/, "
	    "server -");
	has("service urn:schemas-upnp-org:service:WANIPConnection:2 at ");
}
END_TEST

/* Blank identity fields print as "-"; a TR-064 box is named so, never
 * "IGD:1"; a device that is no IGD at all is a mismatch. */
START_TEST(test_identity_fields)
{
	add("miniupnpd-2.3.1-igd2", LAB, 3);
	found[0].dev.friendly_name[0] = found[0].dev.manufacturer[0] = '\0';
	found[0].dev.model_name[0] = found[0].dev.model_number[0] = '\0';
	found[0].dev.udn[0] = '\0';
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	first_line_is("IGD PRESENT OK - - (- -) at " LAB " answered in "
	    "0.003 s");
	has_line(LAB ": - - - (-), UDN -, IGD:2, 1 WAN connection service");
	hasnt("( )");
	hasnt("UDN ,");
	n = 0;
	add("huawei-hg531-v1", LAB, 3);
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
	has(", TR-064 IGD, 1 WAN connection service");
	hasnt("IGD:");
	n = 0;
	add("miniupnpd-2.3.1-igd2", LAB, 3);
	snprintf(found[0].dev.device_type, sizeof(found[0].dev.device_type),
	    "urn:schemas-upnp-org:device:MediaServer:1");
	found[0].dev.igd_version = 0;
	judge();
	ck_assert_int_eq(status, pol->present.mismatch_state);
	has("is not an Internet Gateway Device (root deviceType "
	    "urn:schemas-upnp-org:device:MediaServer:1)");
}
END_TEST

/* Nothing answered: the answer time is U, never 0 (which would graph as a
 * fast answer); "time", the run's elapsed time, is the plugin's (run.c). */
START_TEST(test_time_spent)
{
	ctx.spent_ms = 2904;
	judge();
	has(" answer_time=U;;;0; igds=0;;;0;");
	hasnt("answer_time=0");
	add_broken(LAB, IGD_ETIMEOUT, "timeout reading from 10.197.0.1");
	opts.url = LAB;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has(" answer_time=U;;;0; igds=0;;;0; refused_locations=0;;;0;");
}
END_TEST

/* A census past the devices found in full: every brief counts, and answers
 * left unread make the count unknown, never a wrong number. */
START_TEST(test_census_briefs)
{
	static struct igd_brief b[30];

	for (size_t i = 0; i < 3; i++)
		add("miniupnpd-2.3.1-igd2", LAB, 3);
	for (size_t i = 0; i < 30; i++) {
		memset(&b[i], 0, sizeof(b[i]));
		snprintf(b[i].location, sizeof(b[i].location),
		    "http://10.197.0.%zu:5000/rootDesc.xml", 10 + i);
		snprintf(b[i].udn, sizeof(b[i].udn), "uuid:brief-%zu", i);
		snprintf(b[i].kind, sizeof(b[i].kind), "IGD:2");
	}
	b[29].rc = IGD_EPROTOCOL;
	snprintf(b[29].err, sizeof(b[29].err), "malformed XML");
	ctx.census = 1;
	ctx.briefs = b;
	ctx.n_briefs = 30;
	judge();
	ck_assert_int_eq(status, PLUGIN_WARNING);
	has("[UNKNOWN] http://10.197.0.39:5000/rootDesc.xml: description "
	    "unreadable: malformed XML");
	/* worst first: the count, then the other findings and the device */
	first_line_is("IGD PRESENT WARNING - 32 IGDs answered, policy expects "
	    "1 (+1 unknown; 32 IGDs answered; check_igd lab router (check_igd "
	    "lab LabGateway) at " LAB " in 0.003 s)");
	has("[WARNING] 32 IGDs answered, policy expects 1");
	has("igds=32;;;0;");
	has_line("http://10.197.0.38:5000/rootDesc.xml: - - (-), UDN "
	    "uuid:brief-28, IGD:2");
	/* the pinned device may be one of the briefs */
	snprintf(pol->present.udn, sizeof(pol->present.udn), "uuid:brief-7");
	judge();
	has("at http://10.197.0.17:5000/rootDesc.xml in 0.000 s");
	hasnt("UDN is");
	pol->present.udn[0] = '\0';
	ctx.unread = 4;
	judge();
	has("[UNKNOWN] IGD count unknown: 4 answers not described before "
	    "the deadline");
	hasnt("policy expects 1");
}
END_TEST

/*
 * A census whose search kept SSDP_ANSWERS_MAX answers and saw more: the
 * count is unknown and said as "more than 1024", never as the number of
 * datagrams past the cap (repeats of one device are not devices).  A
 * search that stopped reading after SSDP_DATAGRAMS_MAX datagrams cannot
 * count either: before, it was judged as complete (one IGD: OK).
 */
START_TEST(test_census_past_caps)
{
	add("miniupnpd-2.3.1-igd2", LAB, 3);
	ctx.census = 1;
	ctx.ssdp = &ssdp;
	ssdp.over_cap = 3000;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has_line("[UNKNOWN] IGD count unknown: more than 1024 IGDs answered "
	    "(the search keeps 1024 and stopped counting)");
	first_line_is("IGD PRESENT UNKNOWN - IGD count unknown: more than 1024 "
	    "IGDs answered (the search keeps 1024 and stopped counting) (more "
	    "than 1024 IGDs answered; check_igd lab router (check_igd lab "
	    "LabGateway) at " LAB " in 0.003 s)");
	hasnt("3000");
	hasnt("policy expects");
	ssdp.over_cap = 0;
	ssdp.stopped = 1;
	judge();
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	has_line("[UNKNOWN] IGD count unknown: the search stopped reading "
	    "after 20000 datagrams");
	hasnt("policy expects");
	ssdp.over_cap = 1;
	ctx.unread = 1;
	judge();
	has_line("[UNKNOWN] IGD count unknown: more than 1024 IGDs answered "
	    "(the search keeps 1024 and stopped counting); the search stopped "
	    "reading after 20000 datagrams; 1 answer not described before "
	    "the deadline");
	/* without a census nothing is counted: the one device is judged */
	ctx.census = 0;
	ctx.unread = 0;
	judge();
	ck_assert_int_eq(status, PLUGIN_OK);
}
END_TEST

/* The SSDP answer of a device at location with USN uuid. */
static void
answer(const char *location, const char *uuid)
{
	struct ssdp_answer *a = &ssdp.answers[ssdp.n++];

	memset(a, 0, sizeof(*a));
	snprintf(a->location, sizeof(a->location), "%s", location);
	snprintf(a->usn, sizeof(a->usn), "%s::urn:schemas-upnp-org:device:"
	    "InternetGatewayDevice:1", uuid);
	snprintf(a->server, sizeof(a->server), "Linux/5.10 UPnP/1.1 "
	    "MiniUPnPd/2.3.1");
}

/* judge_present_device() with f (may be NULL) and the answers so far;
 * returns its code. */
static int
judge_device(const struct igd_found *f, int multicast)
{
	struct plugin_out *o = verdict_new("WAN");
	int rc;

	rc = judge_present_device(o, &pol->present, f, multicast ? &ssdp :
	    NULL, &opts);
	if (rc == 0)
		plugin_out_summary_worst(o, "judged");
	verdict_take(o);
	return rc;
}

/* A check of one device (wan, portmap) with pins, multicast: the pinned
 * device is judged, a rogue that answered first is named, never judged
 * (issue 8.2). */
START_TEST(test_device_pinned_multicast)
{
	answer(ROGUE, "uuid:00000000-0000-0000-0000-000000000000");
	answer(LAB, LAB_UDN);
	add("miniupnpd-2.3.1-igd2", LAB, 20);
	snprintf(pol->present.udn, sizeof(pol->present.udn), "%s", LAB_UDN);
	ck_assert_int_eq(judge_device(&found[0], 1), 0);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	first_line_is("IGD WAN WARNING - another IGD answered, not judged: "
	    ROGUE " (UDN uuid:00000000-0000-0000-0000-000000000000, Linux/5.10 "
	    "UPnP/1.1 MiniUPnPd/2.3.1) (judged)");
	hasnt(LAB " (UDN");
	/* the policy's count state, and expect_count 0 (any number) */
	pol->present.count_state = PLUGIN_CRITICAL;
	ck_assert_int_eq(judge_device(&found[0], 1), 0);
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	pol->present.expect_count = 0;
	ck_assert_int_eq(judge_device(&found[0], 1), 0);
	ck_assert_int_eq(status, PLUGIN_OK);
	has_line("another IGD answered, not judged: " ROGUE " (UDN uuid:0000"
	    "0000-0000-0000-0000-000000000000, Linux/5.10 UPnP/1.1 "
	    "MiniUPnPd/2.3.1)");
	/* without pins the first answer is judged and others only named */
	pol->present.expect_count = 1;
	pol->present.udn[0] = '\0';
	ck_assert_int_eq(judge_device(&found[0], 1), 0);
	ck_assert_int_eq(status, PLUGIN_OK);
}
END_TEST

/* Only the rogue answered: nothing is judged in the pinned one's place. */
START_TEST(test_device_pinned_absent)
{
	answer(ROGUE, "uuid:00000000-0000-0000-0000-000000000000");
	snprintf(pol->present.udn, sizeof(pol->present.udn), "%s", LAB_UDN);
	snprintf(pol->present.location, sizeof(pol->present.location), LAB);
	ck_assert_int_eq(judge_device(NULL, 1), -1);
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	first_line_is("IGD WAN CRITICAL - the pinned IGD (UDN " LAB_UDN
	    ", location " LAB ") did not answer within 10.0 s; 1 other IGD "
	    "answered, not judged");
	has_line("[WARNING] another IGD answered, not judged: " ROGUE
	    " (UDN uuid:00000000-0000-0000-0000-000000000000, Linux/5.10 "
	    "UPnP/1.1 MiniUPnPd/2.3.1)");
	pol->present.mismatch_state = PLUGIN_WARNING;
	ck_assert_int_eq(judge_device(NULL, 1), -1);
	ck_assert_int_eq(status, PLUGIN_WARNING);
	/* a policy that makes a mismatch ok (for check_igd_present's sake)
	 * never makes a check that judged nothing OK */
	pol->present.mismatch_state = PLUGIN_OK;
	ck_assert_int_eq(judge_device(NULL, 1), -1);
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	/* nobody at all: the timeout state, as before */
	ssdp.n = 0;
	ck_assert_int_eq(judge_device(NULL, 1), -1);
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	first_line_is("IGD WAN UNKNOWN - no IGD answered within 10.0 s");
}
END_TEST

/* -u and -H: a device that differs from a pin is the mismatch state and
 * is not judged; an unreadable description as before. */
START_TEST(test_device_pinned_unicast)
{
	add("avm-fritzbox-7430", ROGUE, 3);
	opts.url = ROGUE;
	snprintf(pol->present.model, sizeof(pol->present.model), "LabGateway");
	ck_assert_int_eq(judge_device(&found[0], 0), -1);
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	first_line_is("IGD WAN CRITICAL - " ROGUE " is not the pinned IGD "
	    "(model LabGateway), not judged");
	has_line("[CRITICAL] model is FRITZ!Box 7430, policy expects "
	    "LabGateway");
	/* a mismatch made ok by the policy: still nothing judged */
	pol->present.mismatch_state = PLUGIN_OK;
	ck_assert_int_eq(judge_device(&found[0], 0), -1);
	ck_assert_int_eq(status, PLUGIN_UNKNOWN);
	pol->present.mismatch_state = PLUGIN_CRITICAL;
	snprintf(pol->present.model, sizeof(pol->present.model),
	    "FRITZ!Box 7430");
	ck_assert_int_eq(judge_device(&found[0], 0), 0);
	ck_assert_int_eq(status, PLUGIN_OK);
	add_broken(LAB, IGD_ETIMEOUT, "timed out");
	opts.timeout_state = PLUGIN_CRITICAL;
	ck_assert_int_eq(judge_device(&found[1], 0), -1);
	ck_assert_int_eq(status, PLUGIN_CRITICAL);
	first_line_is("IGD WAN CRITICAL - cannot read the description at "
	    LAB ": timed out");
}
END_TEST

static Suite *
judge_present_suite(void)
{
	Suite *s = suite_create("judge_present");

	verdict_tcase(s, "present", setup, policy_teardown,
	    test_one, test_nobody, test_cannot_search, test_url_unusable,
	    test_pinned_second, test_pins_differ, test_counts,
	    test_second_unreadable, test_answer_time, test_ssdp_statistics,
	    test_identity_fields, test_time_spent, test_census_briefs,
	    test_census_past_caps,
	    test_device_pinned_multicast, test_device_pinned_absent,
	    test_device_pinned_unicast, NULL);
	return s;
}

int
main(void)
{
	return verdict_run(judge_present_suite());
}
