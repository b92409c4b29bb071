/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * policy: the YAML policy that says what is expected of an IGD.
 *
 * Loaded with libyaml into plain structs, validated strictly (unknown keys,
 * duplicate keys, wrong types, bad values, aliases are errors reported as
 * "FILE:LINE:COLUMN: message"), and evaluated against facts the igd module
 * gathered.  A default policy (policies/default.yaml) is compiled in.
 * Nothing here prints or exits.
 */
#ifndef CHECK_IGD_POLICY_H
#define CHECK_IGD_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <regex.h>
#include "igd.h"
#include "plugin.h"

#define POLICY_FILE_MAX   (1024 * 1024)	/* larger policy files are refused */
#define POLICY_DEPTH_MAX  16		/* deepest nesting accepted */
#define POLICY_NAME_MAX   64
#define POLICY_STR_MAX    256
#define POLICY_RULES_MAX  1024
#define POLICY_LIST_MAX   256		/* items in any one list */
#define POLICY_HOLD_MAX   31536000	/* portmap.changes.hold: a year, seconds */
#define POLICY_STATE_UNSET ((enum plugin_state)-1)	/* while loading only */

/* The compiled-in default policy (generated from policies/default.yaml). */
extern const char policy_default_yaml[];
extern const size_t policy_default_yaml_len;

/* An address prefix, IPv4 or IPv6 (a plain address is a full-length prefix). */
struct policy_prefix {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
};

/* An inclusive port range; a single port has lo == hi. */
struct policy_ports {
	unsigned lo, hi;
};

/* present: section. Empty strings mean "not pinned". */
struct policy_present {
	int expect_count;		/* default 1; 0 = any number */
	enum plugin_state count_state;	/* more/fewer IGDs than expected; default WARNING */
	enum plugin_state missing_state; /* none answered; default CRITICAL */
	char udn[POLICY_STR_MAX];
	char model[POLICY_STR_MAX];	/* compared with modelName */
	char location[POLICY_STR_MAX];	/* compared with the description URL */
	enum plugin_state mismatch_state; /* a pin differs; default CRITICAL */
};

/* wan: section. */
struct policy_wan {
	char status[32];		/* expected ConnectionStatus, default "Connected" */
	enum plugin_state status_state;	/* default CRITICAL */
	char external_address[64];	/* pinned external address, "" = any */
	enum plugin_state external_mismatch_state; /* default CRITICAL */
	enum plugin_state private_state; /* RFC1918/RFC6598/other non-public external
					    address (double NAT); default WARNING */
	enum plugin_state unused_state;	/* a connection Unconfigured, or refusing
					   every action, beside one that works:
					   default OK */
	struct plugin_thresholds uptime;	/* seconds */
	struct plugin_thresholds rx_rate;	/* bytes/s received */
	struct plugin_thresholds tx_rate;	/* bytes/s sent */
	struct plugin_thresholds link_up;	/* Layer1UpstreamMaxBitRate, bit/s */
	struct plugin_thresholds link_down;	/* Layer1DownstreamMaxBitRate, bit/s */
};

/* A MAC address or a prefix of one (internal_mac): the first octets of
 * mac are compared.  octets 0 is the word "unknown": a client whose MAC
 * address the run does not know. */
struct policy_mac {
	unsigned char mac[6];
	unsigned octets;		/* 3..6, or 0 for "unknown" */
};

/* What a rule matches on; a field whose has_* flag is 0 matches anything. */
struct policy_rule {
	char name[POLICY_NAME_MAX];
	enum plugin_state state;
	unsigned protocols;		/* POLICY_PROTO_* bits; 0 = any */
	struct policy_ports *ext_ports;	/* n_ext_ports == 0: any */
	size_t n_ext_ports;
	struct policy_ports *int_ports;
	size_t n_int_ports;
	struct policy_prefix *clients;	/* internal_client */
	size_t n_clients;
	int client_outside_lan;		/* 1: matches a client outside portmap.lan */
	int client_is_external;		/* 1: matches client == the WAN external address */
	struct policy_prefix *remotes;	/* remote_host prefixes */
	size_t n_remotes;
	int remote_set;			/* -1 any, 1 matches a non-empty remote host, 0 an empty one */
	int has_description;
	regex_t description;		/* POSIX ERE, REG_EXTENDED|REG_NOSUB */
	int permanent;			/* -1 any, 1 lease == 0, 0 lease != 0 */
	long long lease_above;		/* -1 any; else matches lease 0 or > value */
	long long max_lease;		/* -1 any; else matches 0 < lease <= value */
	int enabled;			/* -1 any, 0 or 1 */
	int builtin;			/* came from the compiled-in threat rules */
	struct policy_mac *macs;	/* internal_mac; n_macs == 0: any */
	size_t n_macs;
	long long older_than;		/* -1 any; else age >= N seconds */
	long long newer_than;		/* -1 any; else age < N seconds */
};

#define POLICY_PROTO_TCP 1u
#define POLICY_PROTO_UDP 2u

/* portmap: section. */
struct policy_portmap {
	struct policy_prefix *lan;	/* default: 10/8, 172.16/12, 192.168/16, fc00::/7, fe80::/10 */
	size_t n_lan;
	enum plugin_state default_state; /* no rule matched; default OK */
	enum plugin_state unjudged_state; /* a rule could not be judged: the
					  * device does not tell the internal
					  * port (quirk internal-port-0);
					  * default WARNING */
	struct plugin_thresholds max_entries;
	enum plugin_state new_state;	/* appeared since the last run; default WARNING */
	enum plugin_state changed_state; /* other client, port or description in
					  * the same slot; default: new_state */
	enum plugin_state gone_state;	/* vanished since the last run; default OK */
	long long hold;			/* seconds a change stays an alarm;
					   default MAPCHG_HOLD_DEFAULT */
	enum igd_list_method list_method; /* default IGD_LIST_AUTO */
	struct policy_rule *rules;	/* first match wins */
	size_t n_rules;
};

struct policy {
	char source[POLICY_STR_MAX];	/* file name, or "(default)" */
	enum plugin_state state_unusable; /* state: unusable: a state file
					   * that cannot be read, trusted or
					   * saved; default WARNING */
	struct policy_present present;
	struct policy_wan wan;
	struct policy_portmap portmap;
};

/*
 * Load and validate a policy file.  On success returns 0 and sets *out (free
 * with policy_free()).  On failure returns -1 and writes
 * "FILE:LINE:COLUMN: message" (or "FILE: message") into err.
 */
int policy_load_file(const char *path, struct policy **out, char *err,
    size_t errlen);

/* The same from a buffer; name is used in messages. */
int policy_load_buffer(const char *name, const char *buf, size_t len,
    struct policy **out, char *err, size_t errlen);

/* The compiled-in default policy. */
int policy_load_default(struct policy **out, char *err, size_t errlen);

/* Accepts NULL. */
void policy_free(struct policy *p);

/* Parse "a.b.c.d", "a.b.c.d/n", IPv6 and IPv6/n into *p.  0 or -1. */
int policy_prefix_parse(const char *s, struct policy_prefix *p);

/* 1 when the textual address addr lies in p, 0 otherwise (or unparsable). */
int policy_prefix_contains(const struct policy_prefix *p, const char *addr);

/* 1 when addr lies in any LAN prefix of the policy. */
int policy_in_lan(const struct policy *p, const char *addr);

/*
 * What the run knows of a mapping beside the device's own facts (struct
 * igd_mapping).  A zeroed struct, or NULL where one is asked for, means
 * nothing is known.
 */
struct policy_facts {
	const char *external_address;	/* WAN address of the mapping's
					   connection; NULL or "": unknown */
	int have_mac;			/* 1: the client has this one MAC
					   address (neighbour table); 0:
					   unknown (no entry, ambiguous, not
					   looked up) */
	unsigned char mac[6];
	int mac_unconfirmed;		/* have_mac 0 because the only entry
					   is one the kernel no longer
					   confirms (stale, delay, probe) */
	int have_age;			/* 1: age is known (state file) */
	int64_t age;			/* seconds since the mapping was first
					   seen with its facts, >= 0 */
};

/* Facts a rule can need that a run may not have (policy_rule_needs). */
#define POLICY_NEED_PORT 1u	/* the internal port (the device said 0) */
#define POLICY_NEED_MAC  2u	/* the client's MAC address */
#define POLICY_NEED_AGE  4u	/* the mapping's age */

/*
 * The first rule of the portmap section that matches m, or NULL when none
 * does (then the state is portmap.default_state).  f (may be NULL) is what
 * else is known of m.
 */
const struct policy_rule *policy_match(const struct policy *p,
    const struct igd_mapping *m, const struct policy_facts *f);

/*
 * policy_match() where a rule may need a fact the run does not have: the
 * internal port the device did not tell (internal_port 0, quirk
 * internal-port-0), the client's MAC address (internal_mac without
 * "unknown"), the mapping's age (older_than, newer_than).  policy_match()
 * takes such a rule as not matching; here a rule that needs a missing fact
 * and matches on everything else cannot be judged.  Returns the first
 * rule that matches for certain (NULL: none, the default state);
 * *unjudged is, of the rules before it that could not be judged, the one
 * of the worst state (the first on a tie; NULL: none).  When its state is
 * worse than the returned rule's (or the default), the unknown fact could
 * hide that state: the finding takes portmap.unjudged_state at the least.
 * When every fact a rule asks for is known, the same as policy_match().
 */
const struct policy_rule *policy_match_unjudged(const struct policy *p,
    const struct igd_mapping *m, const struct policy_facts *f,
    const struct policy_rule **unjudged);

/* The facts r asks for that m and f (may be NULL) lack: POLICY_NEED_*
 * bits, 0 when r can be judged. */
unsigned policy_rule_needs(const struct policy_rule *r,
    const struct igd_mapping *m, const struct policy_facts *f);

#endif
