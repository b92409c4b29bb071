/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * igd: everything check_igd knows about talking to an Internet Gateway
 * Device: finding it, reading its description, calling its SOAP actions and
 * returning typed facts.  The only module that includes miniupnpc.
 *
 * Transport (HTTP, SSDP) is our own bounded code: miniupnpc 2.2.4 has no
 * overall timeout and no size cap, cuts counters to 32 bits and strings to
 * 63/79 bytes.  From miniupnpc we take its UPnP error texts.
 *
 * Read-only: igd_soap_call() refuses every action that is not a query
 * (its name must start with "Get"), so no code path can change the device.
 *
 * Return codes: 0 ok, negative IGD_E* (errors.h), positive UPnP error codes
 * as the device sent them.  Nothing here prints or exits.
 */
#ifndef CHECK_IGD_IGD_H
#define CHECK_IGD_IGD_H

#include <stddef.h>
#include <stdint.h>
#include "deadline.h"
#include "errors.h"
#include "http.h"
#include "quirk.h"
#include "ssdp.h"

#define IGD_STR_MAX        256	/* identity strings from the description */
#define IGD_SERVICES_MAX   32	/* WAN services kept per device */
#define IGD_DROPPED_MAX    4	/* dropped services named per device */
#define IGD_WANS_MAX       8	/* WANCommonInterfaceConfig services queried */
#define IGD_DESC_MAX       (512 * 1024)	/* root description size cap */
#define IGD_SOAP_MAX       (256 * 1024)	/* ordinary SOAP answer cap */
#define IGD_LISTING_MAX    (1024 * 1024)	/* one GetListOfPortMappings page */
#define IGD_ARGS_MAX       16	/* output arguments kept per answer */
#define IGD_VALUE_MAX      (2 * 1024 * 1024)	/* one decoded argument value */

#define IGD_STRERROR_MAX   48	/* a buffer igd_strerror may fill */

/*
 * Text for a code: local errors, or the UPnP error's name (miniupnpc's).
 * Returns a constant string, or buf (len bytes, IGD_STRERROR_MAX is
 * enough) filled for a code without a name.  Reentrant.
 */
const char *igd_strerror(int code, char *buf, size_t len);

/* Service kinds, in the UPnP namespace (urn:schemas-upnp-org:) or, for
 * the first three, in TR-064's (urn:dslforum-org:), which defines the same
 * query actions. */
enum igd_service_kind {
	IGD_SVC_WANIP = 1,	/* WANIPConnection:1/2 */
	IGD_SVC_WANPPP,		/* WANPPPConnection:1 */
	IGD_SVC_COMMON,		/* WANCommonInterfaceConfig:1 */
	IGD_SVC_V6FW		/* WANIPv6FirewallControl:1 */
};

struct igd_service {
	enum igd_service_kind kind;
	int version;			/* the :N of the service type */
	char type[128];			/* full service type URN */
	char control_url[HTTP_URL_MAX];	/* absolute */
	unsigned wan_device;		/* 1-based WANDevice it sits in, 0 if none */
	unsigned conn_device;		/* 1-based WANConnectionDevice within that
					   WANDevice, 0 if none */
	int tr064;			/* a urn:dslforum-org: service type */
};

/* The label of a connection service, "IP1.1" or "PPP2.1" (WANDevice, then
 * WANConnectionDevice within it), into buf of len bytes. */
void igd_service_label(const struct igd_service *svc, char *buf, size_t len);

struct igd_device {
	char location[HTTP_URL_MAX];	/* root description URL */
	char server[HTTP_SERVER_MAX];	/* SSDP SERVER or HTTP Server header */
	char device_type[IGD_STR_MAX];
	int igd_version;		/* 1 or 2 (from the root deviceType), 0 unknown */
	int tr064;			/* root deviceType urn:dslforum-org:...
					   InternetGatewayDevice (TR-064) */
	char friendly_name[IGD_STR_MAX];
	char manufacturer[IGD_STR_MAX];
	char model_name[IGD_STR_MAX];
	char model_number[IGD_STR_MAX];
	char serial[IGD_STR_MAX];
	char udn[IGD_STR_MAX];
	char presentation_url[IGD_STR_MAX];
	char url_base[HTTP_URL_MAX];
	struct igd_service services[IGD_SERVICES_MAX];
	size_t n_services;
	unsigned services_dropped;	/* over the cap or with a bad URL */
	/* the first IGD_DROPPED_MAX of them: "WANIPConnection:1 at URL: why" */
	char dropped[IGD_DROPPED_MAX][200];
	unsigned wan_devices;		/* WANDevices in the description */
};

/* What kind of device dev is: "IGD:1", "IGD:2", "TR-064 IGD" or "not an
 * IGD" (a root deviceType that is neither), into buf of len bytes. */
void igd_device_kind(const struct igd_device *dev, char *buf, size_t len);

/*
 * Parse a root description (pure).  location is the URL it came from, used
 * to resolve relative URLs when there is no URLBase.  Returns 0 with *dev
 * filled (location copied, server left empty), or IGD_EPROTOCOL with err.
 */
int igd_desc_parse(const char *xml, size_t len, const char *location,
    struct igd_device *dev, char *err, size_t errlen);

/* Fetch and parse the description at location by dl.  Codes as above plus
 * the http_request() ones. */
int igd_desc_fetch(const char *location, const struct deadline *dl,
    struct igd_device *dev, char *err, size_t errlen);

/* How to find the device(s): url, or else the SSDP search described in
 * ssdp (unicast to ssdp.unicast, or multicast). */
struct igd_target {
	const char *url;		/* root description URL: no discovery */
	struct ssdp_search ssdp;	/* the search, when url is NULL */
	int wanted_only;		/* describe only the answers the search
					   waited for (ssdp_is_wanted), not
					   the other IGDs that answered */
};

/* One device found: its description, or why it could not be read. */
struct igd_found {
	int rc;				/* 0: dev is valid */
	char err[160];
	int64_t answer_ms;		/* SSDP answer (or description) time */
	struct igd_device dev;		/* location and server set even on error */
};

/*
 * Find IGDs and read their descriptions, by dl.  found holds max entries;
 * *n is set to how many were filled (descriptions that failed included, with
 * their rc; with t->wanted_only, only the answers the search waited for,
 * the other IGDs that answered being left in ssdp).  ssdp (may be NULL) receives the search statistics.  Returns 0
 * (even when none answered: *n == 0), or a code for a local error (bad
 * address or interface) with err set.
 */
int igd_discover(const struct igd_target *t, const struct deadline *dl,
    struct igd_found *found, size_t max, size_t *n,
    struct ssdp_result *ssdp, char *err, size_t errlen);

/* What a census keeps of a device past the ones described in full. */
struct igd_brief {
	int rc;				/* 0: the description was read */
	int64_t answer_ms;		/* SSDP answer time */
	char location[HTTP_URL_MAX];
	char udn[IGD_STR_MAX];
	char friendly_name[IGD_STR_MAX];
	char manufacturer[IGD_STR_MAX];
	char model_name[IGD_STR_MAX];
	char kind[16];			/* igd_device_kind() */
	char err[160];
};

/*
 * Read the descriptions of res->answers[from] onwards (the answers
 * igd_discover() had no room for) into out, at most max, by dl; *n is set
 * to how many were filled.  Returns 0, IGD_ETIMEOUT when the deadline left
 * answers unread (not counted in *n), or IGD_ENOMEM.
 */
int igd_describe_rest(const struct ssdp_result *res, size_t from,
    const struct deadline *dl, struct igd_brief *out, size_t max, size_t *n);

/* The first service of kind at or after index *from (then *from is set past
 * it), or NULL. */
const struct igd_service *igd_service_next(const struct igd_device *dev,
    enum igd_service_kind kind, size_t *from);

/* One SOAP answer: output arguments by name, or a UPnP fault. */
struct igd_arg {
	char name[64];
	char *value;		/* decoded, NUL-terminated, owned */
	size_t len;
	int truncated;		/* the value exceeded IGD_VALUE_MAX */
};

struct igd_reply {
	struct igd_arg args[IGD_ARGS_MAX];
	size_t n;
	int upnp_error;		/* errorCode of a fault, 0 otherwise */
	char error_desc[128];	/* errorDescription of a fault */
};

/* Free the values; accepts a zeroed reply. */
void igd_reply_free(struct igd_reply *r);

/* The value of argument name, or NULL. */
const char *igd_reply_get(const struct igd_reply *r, const char *name);

/*
 * Parse a SOAP answer envelope (pure).  Returns 0 when it holds
 * <ACTIONResponse> (arguments filled), the UPnP errorCode (> 0) for a fault,
 * or IGD_EPROTOCOL.  Free with igd_reply_free() in every case.
 */
int igd_soap_parse(const char *xml, size_t len, const char *action,
    struct igd_reply *r);

/*
 * Call a query action on svc: args is a NULL-terminated list of name,
 * value pairs (may be NULL).  The answer may be up to max_body bytes.
 * Returns as igd_soap_parse(), or a transport code; IGD_EADDRESS for an
 * action that is not a query.  Free *r with igd_reply_free() in every case.
 */
int igd_soap_call(const struct igd_service *svc, const char *action,
    const char *const *args, size_t max_body, const struct deadline *dl,
    struct igd_reply *r, char *err, size_t errlen);

/* Parse a decimal unsigned 64-bit value (surrounding space allowed). */
int igd_parse_u64(const char *s, uint64_t *v);

/*
 * Parse a NewUptime value as firmware sends it: plain seconds ("3600"),
 * "D Days, HH:MM:SS" ("0 Days, 01:00:00", also "1 Day, ..."), or
 * "HH:MM:SS".  Returns 0 with *secs set, or -1 for anything else ("n/a",
 * empty, minutes or seconds over 59): an unreadable uptime.
 */
int igd_parse_uptime(const char *s, int64_t *secs);

/* Facts of one WAN connection service.  *_rc are the codes of each call. */
struct igd_conn {
	size_t service;			/* index into dev->services */
	int status_rc;
	char status[32];		/* NewConnectionStatus */
	char last_error[64];		/* NewLastConnectionError */
	int64_t uptime;			/* NewUptime, seconds, -1 unknown */
	int extip_rc;
	char external_ip[64];		/* NewExternalIPAddress */
	int type_rc;
	char conn_type[32];		/* NewConnectionType */
	char possible_types[128];	/* NewPossibleConnectionTypes */
	int nat_rc;
	int rsip_available;		/* -1 unknown */
	int nat_enabled;		/* -1 unknown */
};

/* Facts of one WANCommonInterfaceConfig (one per WANDevice). */
struct igd_common {
	int present;
	size_t service;			/* index into dev->services */
	unsigned wan_device;		/* 1-based WANDevice, 0 if outside one */
	int link_rc;
	char access_type[32];		/* NewWANAccessType */
	int64_t up_bps;			/* Layer1UpstreamMaxBitRate, -1 unknown */
	int64_t down_bps;
	char link_status[32];		/* NewPhysicalLinkStatus */
	int counter_rc[4];		/* bytes sent, bytes received, packets sent, received */
	uint64_t counter[4];		/* full 64-bit values as sent */
};

/* Facts of WANIPv6FirewallControl. */
struct igd_v6fw {
	int present;
	int rc;
	int enabled;			/* -1 unknown */
	int inbound_allowed;		/* -1 unknown */
};

#define IGD_CONNS_MAX IGD_SERVICES_MAX	/* every kept connection service */

struct igd_wan {
	struct igd_conn conns[IGD_CONNS_MAX];
	size_t n_conns;
	struct igd_common common;	/* the first WANDevice's (= commons[0]) */
	struct igd_common commons[IGD_WANS_MAX];	/* every WANDevice's */
	size_t n_commons;
	unsigned commons_skipped;	/* more than IGD_WANS_MAX: not queried */
	struct igd_v6fw v6fw;
	int timed_out;			/* the deadline cut the queries short */
};

/*
 * Query every WAN connection service of dev, the common interface config
 * and the IPv6 firewall, by dl.  Individual failures are kept in the *_rc
 * fields; returns 0, or IGD_ETIMEOUT when the deadline cut the queries short
 * (the facts gathered so far are kept).
 */
int igd_wan_query(const struct igd_device *dev, const struct deadline *dl,
    struct igd_wan *w);

/* One port mapping, as read from the device (or a saved table). */
struct igd_mapping {
	char protocol[4];		/* "TCP" or "UDP" (upper case) */
	unsigned external_port;
	unsigned internal_port;
	char internal_client[64];
	char remote_host[64];		/* "" = any */
	int enabled;			/* 1, 0 */
	int64_t lease;			/* seconds left, 0 = permanent */
	char *description;		/* full, decoded, owned; never NULL */
	unsigned service;		/* 1-based WAN connection service it came from */
};
/* internal_port 0: the device did not tell it (MiniUPnPd 2.3.6-2.3.7
 * answer 0 in every read action, quirk internal-port-0); the mapping is
 * kept and judged on everything else. */

#define IGD_TABLE_MAX 16384		/* mappings kept; more marks the table incomplete */
/* Bytes a table may hold, its array and its strings together, whatever
 * the device sends: with the transient buffers of the answers in flight
 * (at most two list pages, TCP's and UDP's first, each at most
 * IGD_LISTING_MAX, decoded once, parsed once) the run stays under 16 MiB.
 * Past it the table is incomplete (IGD_EBUDGET). */
#define IGD_TABLE_BUDGET   (6 * 1024 * 1024)

enum igd_list_method { IGD_LIST_AUTO = 0, IGD_LIST_LIST, IGD_LIST_WALK };

/* A port-mapping table and how complete it is. */
struct igd_table {
	struct igd_mapping *m;
	size_t n, cap;
	size_t bytes;			/* held: the array and the descriptions */
	int complete;			/* 1 only when every service was read to its end */
	int rc;				/* why it is incomplete (a code), 0 if complete */
	unsigned denied;		/* 606 answers met during a walk */
	unsigned calls;			/* SOAP calls made to read it */
	unsigned quirks;		/* device quirks met and worked around
					 * (QUIRK_BIT() set, quirk.h) */
	unsigned suspect;		/* of those, quirks assumed on a device
					 * not known to have them: the table
					 * rests on a guess (at most WARNING) */
	/* connection services that refused every action (the table
	 * actions and GetStatusInfo) beside one whose table was read: a
	 * service the device declares but does not use; nothing read from
	 * them (their labels and the refusal in unusable_text) */
	unsigned unusable;
	char unusable_text[160];	/* "PPP1.1 (Invalid Action)", "" */
	char method[320];		/* how it was read, for the output */
	char external_address[64];	/* of the first connection, for judging */
	char udn[IGD_STR_MAX];		/* a saved table's: the UDN of the device
					   it was read from, as the file says
					   (table_load), "" unknown */
	int external_rc;		/* GetExternalIPAddress's code: 0 read
					   (empty: not connected), else the
					   address is unknown (never saved) */
};

/* Append a copy of m (description duplicated) to t.  0, IGD_ENOMEM,
 * IGD_ELIMIT (IGD_TABLE_MAX reached) or IGD_EBUDGET (IGD_TABLE_BUDGET
 * reached). */
int igd_table_add(struct igd_table *t, const struct igd_mapping *m);

/* Free every description and the array; accepts a zeroed table. */
void igd_table_free(struct igd_table *t);

/*
 * Parse the NewPortListing document of GetListOfPortMappings (pure): the
 * decoded text of the argument, an XML <PortMappingList> of
 * <PortMappingEntry> items.  Appends to t with service set.  Returns 0, or
 * IGD_EPROTOCOL for a malformed or truncated listing (entries parsed before
 * the fault are kept, and *n_added says how many).
 */
int igd_listing_parse(const char *xml, size_t len, unsigned service,
    struct igd_table *t, size_t *n_added);

/*
 * Read every port mapping of every WAN connection service of dev, by dl,
 * the way method says.  Fills *t; t->complete says whether the table is
 * whole, t->method how it was read (and how many SOAP calls it took),
 * t->quirks which device quirks were met.  Returns 0 when complete, else
 * the code that stopped it (IGD_ETIMEOUT, IGD_ELIMIT, IGD_EBUDGET, 606 ...).
 *
 * A table is complete only on evidence: the index walk up to its 713/714,
 * or list pages that all came back short of the size asked (a full page
 * splits its port range), their count then checked against the end of the
 * index walk (entry N-1 exists and was listed, entry N gives 713/714); a
 * disagreement means the walk.  On a device with several connection
 * services, one that refuses every action (no entry, its walk and its
 * GetStatusInfo refused with a UPnP error) beside one read to its end is
 * counted in t->unusable and named in t->unusable_text, the table is
 * complete for the others; refused alone, or beside nothing read, it
 * leaves the table incomplete.  auto never asks a device whose list action
 * can crash (quirk list-crash) for a range that could hold more than 128
 * mappings of one protocol; --list-method=list lifts that limit.
 */
int igd_table_read(const struct igd_device *dev, enum igd_list_method method,
    const struct deadline *dl, struct igd_table *t);

/* What kind of address a WAN connection reports. */
enum igd_addr_class {
	IGD_ADDR_PUBLIC = 0,
	IGD_ADDR_PRIVATE,	/* RFC 1918, or IPv6 ULA */
	IGD_ADDR_SHARED,	/* RFC 6598 100.64.0.0/10 (carrier-grade NAT) */
	IGD_ADDR_RESERVED,	/* loopback, link-local, documentation, ... */
	IGD_ADDR_UNSET,		/* empty or 0.0.0.0 */
	IGD_ADDR_INVALID	/* not an address */
};

/* Classify a textual IPv4 or IPv6 address. */
enum igd_addr_class igd_addr_classify(const char *addr);

/* "public", "private (RFC 1918)", "shared (RFC 6598, CGNAT)", ... */
const char *igd_addr_class_name(enum igd_addr_class c);

#endif
