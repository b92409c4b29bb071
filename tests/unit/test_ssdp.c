/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for common/ssdp.c's search loop, against a responder on
 * loopback (a child process; nothing leaves the machine): a search that
 * reads SSDP_DATAGRAMS_MAX datagrams and gets more says it stopped, so a
 * census never counts what it did not read as complete.
 */
#include <check.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ssdp.h"

#define OTHER "urn:schemas-upnp-org:device:MediaServer:1"
#define IGD2 "urn:schemas-upnp-org:device:InternetGatewayDevice:2"

/* One SSDP answer for st at location, into buf; its length. */
static size_t
answer(char *buf, size_t len, const char *st, const char *usn,
    const char *location)
{
	int n = snprintf(buf, len, "HTTP/1.1 200 OK\r\nCACHE-CONTROL: "
	    "max-age=120\r\nST: %s\r\nUSN: %s::%s\r\nEXT:\r\nSERVER: test "
	    "UPnP/1.1 test/1\r\nLOCATION: %s\r\n\r\n", st, usn, st, location);

	ck_assert(n > 0 && (size_t)n < len);
	return (size_t)n;
}

/*
 * The bytes waiting in the receive queue of the UDP socket bound to
 * port on 127.0.0.1 or any address (from /proc/net/udp), or -1 if there
 * is none.
 */
static long
rx_queue(unsigned port)
{
	FILE *f = fopen("/proc/net/udp", "r");
	char line[512];
	long q = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned addr, lport;
		unsigned long rx;

		if (sscanf(line, " %*u: %x:%x %*x:%*x %*x %*x:%lx", &addr,
		    &lport, &rx) == 3 && lport == port &&
		    (addr == htonl(INADDR_LOOPBACK) || addr == 0) &&
		    rx < 0x7fffffffUL)
			q = (long)rx;
	}
	fclose(f);
	return q;
}

/*
 * A responder on 127.0.0.1 (its port into *port): to the first M-SEARCH it
 * answers with an IGD, then count answers of another device type, then a
 * second IGD.  Returns its pid.  Paced so that loopback drops none however
 * slowly the search reads (a loaded machine): after every 50 answers it
 * waits, up to 2 s, until the searcher's receive queue is under 16 KiB.
 */
static pid_t
responder(unsigned count, unsigned *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char req[2048], buf[1024], loc[128];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		size_t n;

		if (recvfrom(fd, req, sizeof(req), 0, (struct sockaddr *)&from,
		    &fl) < 0)
			_exit(1);
		snprintf(loc, sizeof(loc), "http://127.0.0.1:%u/rootDesc.xml",
		    *port);
		n = answer(buf, sizeof(buf), IGD2, "uuid:first", loc);
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, fl);
		n = answer(buf, sizeof(buf), OTHER, "uuid:noise",
		    "http://127.0.0.1:1/other.xml");
		for (unsigned i = 0; i < count; i++) {
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, fl);
			if (i % 50 == 49) {
				for (int w = 0; w < 2000 &&
				    rx_queue(ntohs(from.sin_port)) > 16384; w++)
					usleep(1000);
			}
		}
		snprintf(loc, sizeof(loc), "http://127.0.0.1:%u/second.xml",
		    *port);
		n = answer(buf, sizeof(buf), IGD2, "uuid:second", loc);
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, fl);
		_exit(0);
	}
	close(fd);
	return pid;
}

/*
 * A census search of 127.0.0.1:port with a window of window_ms (the
 * deadline 2 s later); the result in *res.
 */
static void
census(unsigned port, unsigned window_ms, struct ssdp_result *res)
{
	struct ssdp_search s;
	struct deadline dl;
	char err[256] = "";

	memset(&s, 0, sizeof(s));
	s.unicast = "127.0.0.1";
	s.port = port;
	s.census = 1;
	s.window_ms = window_ms;
	deadline_init(&dl, (int64_t)window_ms + 2000);
	ck_assert_msg(ssdp_search(&s, &dl, res, err, sizeof(err)) == 0, "%s",
	    err);
}

/*
 * More datagrams than a search reads, the second IGD after them: the
 * search stops at SSDP_DATAGRAMS_MAX and says so (stopped), with the
 * first IGD kept.  Before, it stopped silently and a census judged one
 * IGD as the whole count.
 */
START_TEST(stops_after_datagram_cap)
{
	static struct ssdp_result res;
	unsigned port;
	pid_t pid = responder(SSDP_DATAGRAMS_MAX + 500, &port);
	int status;

	census(port, 20000, &res);	/* ends at the cap, not the window */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_assert_msg(res.stopped == 1, "not stopped: %u datagrams read",
	    (unsigned)res.datagrams);
	ck_assert_uint_eq(res.datagrams, SSDP_DATAGRAMS_MAX);
	ck_assert_uint_eq(res.n, 1);
}
END_TEST

/* Fewer than the cap: all read, both IGDs kept, not stopped (the test
 * above proves something only if this one holds). */
START_TEST(reads_all_under_cap)
{
	static struct ssdp_result res;
	unsigned port;
	pid_t pid = responder(300, &port);
	int status;

	census(port, 5000, &res);
	waitpid(pid, &status, 0);
	ck_assert_int_eq(res.stopped, 0);
	ck_assert_msg(res.n == 2, "n %u other %u datagrams %u",
	    (unsigned)res.n, (unsigned)res.other_types,
	    (unsigned)res.datagrams);
	ck_assert_uint_eq(res.other_types, 300);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ssdp");
	TCase *tc = tcase_create("search");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, stops_after_datagram_cap);
	tcase_add_test(tc, reads_all_under_cap);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
