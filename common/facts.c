/* SPDX-License-Identifier: GPL-3.0-or-later */
/* facts: device facts as JSON values (see facts.h). */
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include "neigh.h"
#include "rdns.h"

/* A string member, null when the device left it empty. */
static void
kstr_or_null(struct json *j, const char *key, const char *s)
{
	json_kstr(j, key, s != NULL && s[0] != '\0' ? s : NULL);
}

void
facts_code(struct json *j, int rc)
{
	char eb[IGD_STRERROR_MAX];

	if (j == NULL)
		return;
	if (rc == 0) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_kint(j, "code", rc);
	json_kstr(j, "text", igd_strerror(rc, eb, sizeof(eb)));
	json_obj_end(j);
}

static const char *
service_kind(enum igd_service_kind k)
{
	switch (k) {
	case IGD_SVC_WANIP:
		return "WANIPConnection";
	case IGD_SVC_WANPPP:
		return "WANPPPConnection";
	case IGD_SVC_COMMON:
		return "WANCommonInterfaceConfig";
	case IGD_SVC_V6FW:
		return "WANIPv6FirewallControl";
	}
	return "other";
}

void
facts_device(struct json *j, const struct igd_device *d)
{
	char kind[32];

	if (j == NULL)
		return;
	igd_device_kind(d, kind, sizeof(kind));
	json_obj_begin(j);
	json_kstr(j, "location", d->location);
	kstr_or_null(j, "server", d->server);
	json_kstr(j, "kind", kind);
	kstr_or_null(j, "device_type", d->device_type);
	kstr_or_null(j, "friendly_name", d->friendly_name);
	kstr_or_null(j, "manufacturer", d->manufacturer);
	kstr_or_null(j, "model_name", d->model_name);
	kstr_or_null(j, "model_number", d->model_number);
	kstr_or_null(j, "serial", d->serial);
	kstr_or_null(j, "udn", d->udn);
	kstr_or_null(j, "presentation_url", d->presentation_url);
	json_kint(j, "wan_devices", d->wan_devices);
	json_key(j, "services");
	json_arr_begin(j);
	for (size_t i = 0; i < d->n_services; i++) {
		const struct igd_service *s = &d->services[i];

		json_obj_begin(j);
		json_kstr(j, "kind", service_kind(s->kind));
		json_kstr(j, "type", s->type);
		json_kstr(j, "control_url", s->control_url);
		json_kint(j, "wan_device", s->wan_device);
		json_kint(j, "connection_device", s->conn_device);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_kint(j, "services_dropped", d->services_dropped);
	json_key(j, "dropped");
	json_arr_begin(j);
	for (unsigned i = 0; i < d->services_dropped && i < IGD_DROPPED_MAX; i++)
		json_str(j, d->dropped[i]);
	json_arr_end(j);
	json_obj_end(j);
}

/* A number the device may not have given (-1: null). */
static void
kint_known(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	if (v < 0)
		json_null(j);
	else
		json_int(j, v);
}

static void
conn_json(struct json *j, const struct igd_device *d, const struct igd_conn *c)
{
	char label[32] = "";

	if (c->service < d->n_services)
		igd_service_label(&d->services[c->service], label,
		    sizeof(label));
	json_obj_begin(j);
	json_kstr(j, "label", label);
	json_kstr(j, "service", c->service < d->n_services ?
	    d->services[c->service].type : NULL);
	json_key(j, "status_error");
	facts_code(j, c->status_rc);
	kstr_or_null(j, "status", c->status);
	kstr_or_null(j, "last_error", c->last_error);
	kint_known(j, "uptime", c->uptime);
	json_key(j, "external_address_error");
	facts_code(j, c->extip_rc);
	kstr_or_null(j, "external_address", c->external_ip);
	if (c->extip_rc == 0)
		json_kstr(j, "external_address_class", igd_addr_class_name(
		    igd_addr_classify(c->external_ip)));
	json_key(j, "type_error");
	facts_code(j, c->type_rc);
	kstr_or_null(j, "connection_type", c->conn_type);
	kstr_or_null(j, "possible_types", c->possible_types);
	json_key(j, "nat_error");
	facts_code(j, c->nat_rc);
	json_key(j, "nat_enabled");
	if (c->nat_enabled < 0)
		json_null(j);
	else
		json_bool(j, c->nat_enabled);
	json_key(j, "rsip_available");
	if (c->rsip_available < 0)
		json_null(j);
	else
		json_bool(j, c->rsip_available);
	json_obj_end(j);
}

static void
common_json(struct json *j, const struct igd_common *cm)
{
	static const char *const names[4] = {
		"tx_bytes", "rx_bytes", "tx_packets", "rx_packets"
	};

	json_obj_begin(j);
	json_kint(j, "wan_device", cm->wan_device);
	json_key(j, "link_error");
	facts_code(j, cm->link_rc);
	kstr_or_null(j, "access_type", cm->access_type);
	kint_known(j, "upstream_bps", cm->up_bps);
	kint_known(j, "downstream_bps", cm->down_bps);
	kstr_or_null(j, "physical_link_status", cm->link_status);
	json_key(j, "counters");
	json_obj_begin(j);
	for (int k = 0; k < 4; k++) {
		json_key(j, names[k]);
		if (cm->counter_rc[k] == 0)
			json_uint(j, cm->counter[k]);
		else
			json_null(j);
	}
	json_obj_end(j);
	/* why a counter is null: each WAN's refusals said, not guessed */
	json_key(j, "counter_errors");
	json_obj_begin(j);
	for (int k = 0; k < 4; k++) {
		json_key(j, names[k]);
		facts_code(j, cm->counter_rc[k]);
	}
	json_obj_end(j);
	json_obj_end(j);
}

void
facts_wan(struct json *j, const struct igd_device *d, const struct igd_wan *w)
{
	if (j == NULL)
		return;
	json_obj_begin(j);
	json_key(j, "connections");
	json_arr_begin(j);
	for (size_t i = 0; i < w->n_conns; i++)
		conn_json(j, d, &w->conns[i]);
	json_arr_end(j);
	json_key(j, "interfaces");
	json_arr_begin(j);
	for (size_t i = 0; i < w->n_commons; i++)
		common_json(j, &w->commons[i]);
	json_arr_end(j);
	json_kint(j, "interfaces_skipped", w->commons_skipped);
	json_key(j, "ipv6_firewall");
	if (!w->v6fw.present) {
		json_null(j);
	} else {
		json_obj_begin(j);
		json_key(j, "error");
		facts_code(j, w->v6fw.rc);
		json_key(j, "enabled");
		if (w->v6fw.enabled < 0)
			json_null(j);
		else
			json_bool(j, w->v6fw.enabled);
		json_key(j, "inbound_allowed");
		if (w->v6fw.inbound_allowed < 0)
			json_null(j);
		else
			json_bool(j, w->v6fw.inbound_allowed);
		json_obj_end(j);
	}
	json_kbool(j, "timed_out", w->timed_out);
	json_obj_end(j);
}

void
facts_ssdp(struct json *j, const struct ssdp_result *r)
{
	if (j == NULL)
		return;
	json_obj_begin(j);
	json_kint(j, "datagrams", r->datagrams);
	json_kint(j, "igd_answers", (int64_t)r->n);
	json_kint(j, "duplicates", r->duplicates);
	json_kint(j, "other_types", r->other_types);
	json_kint(j, "malformed", r->malformed);
	json_kint(j, "foreign", r->foreign);
	json_kint(j, "refused_locations", r->refused_location);
	kstr_or_null(j, "refused_example", r->refused_example);
	json_kint(j, "over_cap", r->over_cap);
	json_kbool(j, "stopped_reading", r->stopped);
	json_key(j, "answers");
	json_arr_begin(j);
	for (size_t i = 0; i < r->n && i < SSDP_ANSWERS_MAX; i++) {
		const struct ssdp_answer *a = &r->answers[i];

		json_obj_begin(j);
		json_kstr(j, "location", a->location);
		json_kstr(j, "st", a->st);
		json_kstr(j, "usn", a->usn);
		kstr_or_null(j, "server", a->server);
		json_kstr(j, "sender", a->sender);
		json_kint(j, "elapsed_ms", a->elapsed_ms);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

void
facts_mapping_members(struct json *j, const struct igd_mapping *m)
{
	size_t dl;

	if (j == NULL)
		return;
	dl = strlen(m->description);
	json_kstr(j, "protocol", m->protocol);
	json_kint(j, "external_port", m->external_port);
	json_kstr(j, "internal_client", m->internal_client);
	json_kint(j, "internal_port", m->internal_port);
	kstr_or_null(j, "remote_host", m->remote_host);
	json_kbool(j, "enabled", m->enabled);
	json_kint(j, "lease", m->lease);
	json_key(j, "description");
	json_strn(j, m->description, dl < FACTS_DESC_MAX ? dl : FACTS_DESC_MAX);
	json_kbool(j, "description_cut", dl > FACTS_DESC_MAX);
	json_kint(j, "service", m->service);
}

void
facts_host(struct json *j, const struct hostid_entry *e, int registry_ok)
{
	char mac[NEIGH_MAC_TEXT], text[HOSTID_TEXT_MAX];

	if (j == NULL)
		return;
	if (e == NULL) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_kbool(j, "this_host", e->local);
	json_kstr(j, "mac_status", e->found == NEIGH_FOUND ? "found" :
	    e->found == NEIGH_AMBIGUOUS ? "ambiguous" :
	    e->found == NEIGH_BADADDR ? "not an address" : "unknown");
	json_key(j, "mac");
	if (e->found == NEIGH_FOUND &&
	    neigh_mac_format(e->mac, mac, sizeof(mac)) == 0)
		json_str(j, mac);
	else
		json_null(j);
	/* whether the kernel confirms the entry now (a policy uses only
	 * reachable and permanent ones) */
	kstr_or_null(j, "mac_state", e->found == NEIGH_FOUND && !e->local ?
	    neigh_kind_name(e->kind) : NULL);
	kstr_or_null(j, "vendor", e->vendor_bits > 0 ? e->vendor : NULL);
	json_key(j, "name");
	if (e->named && (e->name_status == RDNS_CONFIRMED ||
	    e->name_status == RDNS_UNCONFIRMED))
		json_str(j, e->name);
	else
		json_null(j);
	json_key(j, "name_status");
	if (e->named)
		json_str(j, rdns_status_text(e->name_status));
	else
		json_null(j);
	hostid_text(e, registry_ok, text, sizeof(text));
	json_kstr(j, "text", text);
	json_obj_end(j);
}

void
facts_restart(struct json *j, const struct state_restart *r, int64_t hold)
{
	if (j == NULL)
		return;
	if (r == NULL || !r->held) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_kint(j, "since", r->since);
	json_kstr(j, "reason", r->why);
	json_kbool(j, "fresh", r->fresh);
	json_kint(j, "held_until", r->since + hold);
	json_obj_end(j);
}
