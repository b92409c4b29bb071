/* SPDX-License-Identifier: GPL-3.0-or-later */
/* igd: discovery, description, SOAP and typed facts (see igd.h). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <miniupnpc/upnperrors.h>

#include "igd.h"
#include "msg.h"
#include "xml.h"

const char *
igd_strerror(int code, char *buf, size_t len)
{
	const char *s;

	switch (code) {
	case 0: return "success";
	case IGD_ETIMEOUT: return "timed out";
	case IGD_ECONNECT: return "connection failed";
	case IGD_EPROTOCOL: return "malformed answer";
	case IGD_ETOOBIG: return "answer too large";
	case IGD_ENOMEM: return "out of memory";
	case IGD_ESOCKET: return "socket error";
	case IGD_EADDRESS: return "bad address";
	case IGD_EHTTP: return "HTTP error";
	case IGD_ENOTFOUND: return "not found";
	case IGD_ECLOSED: return "connection closed early";
	case IGD_ELIMIT: return "limit reached";
	case IGD_EAUTH: return "authentication required (HTTP 401)";
	case IGD_EBUDGET: return "memory budget for the table reached";
	default: break;
	}
	if (code > 0) {
		s = strupnperror(code);
		if (s != NULL)
			return s;
		if (buf == NULL || len == 0)
			return "UPnP error";
		msg_set(buf, len, "UPnP error %d", code);
		return buf;
	}
	return "unknown error";
}

/* Copy decoded text into a fixed field, trimming surrounding whitespace. */
static void
set_field(char *dst, size_t dstlen, const char *src)
{
	const char *e;
	size_t n;

	while (*src == ' ' || *src == '\t' || *src == '\r' || *src == '\n')
		src++;
	e = src + strlen(src);
	while (e > src && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		e--;
	n = (size_t)(e - src);
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int
type_version(const char *type)
{
	const char *c = strrchr(type, ':');

	if (c == NULL || c[1] < '1' || c[1] > '9')
		return 0;
	return c[1] - '0';
}

/* 1 when type is a well-formed service type URN,
 * urn:DOMAIN:service:NAME:VERSION, and nothing else: the type goes into the
 * SOAPAction header, so a device must not smuggle anything in with it. */
static int
service_type_ok(const char *type)
{
	static const char pfx[] = "urn:";
	const char *p = type, *svc;
	size_t n;

	if (strncmp(p, pfx, sizeof(pfx) - 1) != 0)
		return 0;
	p += sizeof(pfx) - 1;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-");
	if (n == 0 || strncmp(p + n, ":service:", 9) != 0)
		return 0;
	svc = p + n + 9;
	n = strspn(svc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-");
	if (n == 0 || svc[n] != ':')
		return 0;
	p = svc + n + 1;
	n = strspn(p, "0123456789");
	return n > 0 && n < 4 && p[n] == '\0';
}

static int
classify(const char *type, enum igd_service_kind *kind)
{
	static const struct {
		const char *prefix;
		enum igd_service_kind kind;
	} known[] = {
		{ "urn:schemas-upnp-org:service:WANIPConnection:", IGD_SVC_WANIP },
		{ "urn:schemas-upnp-org:service:WANPPPConnection:", IGD_SVC_WANPPP },
		{ "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:",
		    IGD_SVC_COMMON },
		{ "urn:schemas-upnp-org:service:WANIPv6FirewallControl:",
		    IGD_SVC_V6FW },
		/* TR-064 (ISP gateways, FRITZ!Box tr64desc.xml): the same
		 * query actions under the DSL Forum's namespace */
		{ "urn:dslforum-org:service:WANIPConnection:", IGD_SVC_WANIP },
		{ "urn:dslforum-org:service:WANPPPConnection:", IGD_SVC_WANPPP },
		{ "urn:dslforum-org:service:WANCommonInterfaceConfig:",
		    IGD_SVC_COMMON },
	};

	if (!service_type_ok(type))
		return 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
		if (strncmp(type, known[i].prefix, strlen(known[i].prefix)) == 0) {
			*kind = known[i].kind;
			return 1;
		}
	}
	return 0;
}

/* Count a WAN service that cannot be used, and name the first few. */
static void
note_dropped(struct igd_device *dev, const char *type, const char *url,
    const char *why)
{
	const char *name = strstr(type, ":service:");

	if (dev->services_dropped < IGD_DROPPED_MAX) {
		char *d = dev->dropped[dev->services_dropped];

		if (url[0] != '\0')
			msg_set(d, sizeof(dev->dropped[0]), "%.40s at %.100s: "
			    "%s", name ? name + 9 : type, url, why);
		else
			msg_set(d, sizeof(dev->dropped[0]), "%.40s: %s",
			    name ? name + 9 : type, why);
	}
	dev->services_dropped++;
}

void
igd_service_label(const struct igd_service *svc, char *buf, size_t len)
{
	snprintf(buf, len, "%s%u.%u", svc->kind == IGD_SVC_WANPPP ? "PPP" :
	    svc->kind == IGD_SVC_WANIP ? "IP" : "WAN", svc->wan_device,
	    svc->conn_device);
}

void
igd_device_kind(const struct igd_device *dev, char *buf, size_t len)
{
	if (dev->tr064)
		snprintf(buf, len, "TR-064 IGD");
	else if (dev->igd_version > 0)
		snprintf(buf, len, "IGD:%d", dev->igd_version);
	else
		snprintf(buf, len, "not an IGD");
}

int
igd_desc_parse(const char *xml, size_t len, const char *location,
    struct igd_device *dev, char *err, size_t errlen)
{
	struct xml_reader r;
	struct xml_token t;
	/* names of open elements, and per device level its WAN indices */
	char names[XML_DEPTH_MAX][24];
	unsigned dev_wan[XML_DEPTH_MAX], dev_conn[XML_DEPTH_MAX];
	int devdepth = 0;		/* how many <device> are open */
	unsigned wan_count = 0, conn_count = 0;	/* conn_count: in this WAN */
	char text[HTTP_URL_MAX];
	size_t tlen = 0;
	char svc_type[128] = "", svc_ctl[HTTP_URL_MAX] = "";
	int in_service = 0, root_seen = 0;

	memset(dev, 0, sizeof(*dev));
	set_field(dev->location, sizeof(dev->location), location);
	memset(dev_wan, 0, sizeof(dev_wan));
	memset(dev_conn, 0, sizeof(dev_conn));
	text[0] = '\0';
	xml_init(&r, xml, len);
	for (;;) {
		enum xml_tok k = xml_next(&r, &t);
		const char *parent;

		if (k == XML_EOF)
			break;
		if (k == XML_ERROR) {
			msg_set(err, errlen, "malformed XML in the description "
			    "at byte %zu", (size_t)(r.p - xml));
			return IGD_EPROTOCOL;
		}
		if (k == XML_TEXT || k == XML_CDATA) {
			xml_decode_append(text, sizeof(text), &tlen, t.text,
			    t.text_len, k == XML_CDATA);
			continue;
		}
		if (k == XML_OPEN) {
			size_t n = t.name_len < sizeof(names[0]) - 1 ?
			    t.name_len : sizeof(names[0]) - 1;

			memcpy(names[t.depth - 1], t.name, n);
			names[t.depth - 1][n] = '\0';
			if (t.depth == 1) {
				if (!xml_name_is(&t, "root")) {
					msg_set(err, errlen, "the description's "
					    "root element is not <root>");
					return IGD_EPROTOCOL;
				}
				root_seen = 1;
			}
			if (xml_name_is(&t, "device")) {
				devdepth++;
				dev_wan[devdepth] = dev_wan[devdepth - 1];
				dev_conn[devdepth] = dev_conn[devdepth - 1];
			} else if (xml_name_is(&t, "service")) {
				in_service = 1;
				svc_type[0] = svc_ctl[0] = '\0';
			}
			tlen = 0;
			text[0] = '\0';
			continue;
		}
		/* XML_CLOSE */
		parent = t.depth >= 2 ? names[t.depth - 2] : "";
		if (xml_name_is(&t, "device")) {
			devdepth--;
		} else if (xml_name_is(&t, "URLBase") && t.depth == 2) {
			set_field(dev->url_base, sizeof(dev->url_base), text);
		} else if (strcmp(parent, "device") == 0 && devdepth == 1 &&
		    t.depth == 3) {
			/* the root device's own fields */
			static const struct {
				const char *name;
				size_t off;
			} fields[] = {
				{ "deviceType", offsetof(struct igd_device, device_type) },
				{ "friendlyName", offsetof(struct igd_device, friendly_name) },
				{ "manufacturer", offsetof(struct igd_device, manufacturer) },
				{ "modelName", offsetof(struct igd_device, model_name) },
				{ "modelNumber", offsetof(struct igd_device, model_number) },
				{ "serialNumber", offsetof(struct igd_device, serial) },
				{ "UDN", offsetof(struct igd_device, udn) },
				{ "presentationURL", offsetof(struct igd_device, presentation_url) },
			};

			for (size_t i = 0; i < sizeof(fields) / sizeof(*fields);
			    i++) {
				if (xml_name_is(&t, fields[i].name))
					set_field((char *)dev + fields[i].off,
					    IGD_STR_MAX, text);
			}
		}
		if (xml_name_is(&t, "deviceType") &&
		    strcmp(parent, "device") == 0 && devdepth > 0) {
			if (strstr(text, ":device:WANDevice:") != NULL) {
				/* connection devices are numbered within
				 * their WANDevice: the second WAN's first
				 * connection is x2.1 */
				dev_wan[devdepth] = ++wan_count;
				conn_count = 0;
			} else if (strstr(text, ":device:WANConnectionDevice:")) {
				dev_conn[devdepth] = ++conn_count;
			}
		} else if (in_service && strcmp(parent, "service") == 0) {
			if (xml_name_is(&t, "serviceType"))
				set_field(svc_type, sizeof(svc_type), text);
			else if (xml_name_is(&t, "controlURL"))
				set_field(svc_ctl, sizeof(svc_ctl), text);
		} else if (xml_name_is(&t, "service") && in_service) {
			enum igd_service_kind kind;

			in_service = 0;
			if (classify(svc_type, &kind)) {
				if (svc_ctl[0] == '\0') {
					note_dropped(dev, svc_type, "",
					    "no control URL");
				} else if (dev->n_services >= IGD_SERVICES_MAX) {
					char why[48];

					snprintf(why, sizeof(why), "over the "
					    "cap of %d services",
					    IGD_SERVICES_MAX);
					note_dropped(dev, svc_type, svc_ctl,
					    why);
				} else {
					struct igd_service *s =
					    &dev->services[dev->n_services++];

					s->kind = kind;
					s->version = type_version(svc_type);
					memcpy(s->type, svc_type, sizeof(s->type));
					/* resolved below, once URLBase is known */
					memcpy(s->control_url, svc_ctl,
					    sizeof(s->control_url));
					s->wan_device = dev_wan[devdepth];
					s->conn_device = dev_conn[devdepth];
					s->tr064 = strncmp(svc_type,
					    "urn:dslforum-org:", 17) == 0;
				}
			}
		}
		tlen = 0;
		text[0] = '\0';
	}
	if (!root_seen) {
		msg_set(err, errlen, "the description holds no <root> element");
		return IGD_EPROTOCOL;
	}
	dev->wan_devices = wan_count;
	dev->tr064 = strncmp(dev->device_type,
	    "urn:dslforum-org:device:InternetGatewayDevice:", 46) == 0;
	dev->igd_version = !dev->tr064 && strncmp(dev->device_type,
	    "urn:schemas-upnp-org:device:InternetGatewayDevice:", 50) == 0 ?
	    type_version(dev->device_type) : 0;

	/* resolve control URLs; drop services whose URL cannot be used, or
	 * that point to another host than the description came from (a
	 * device must not send the monitor's requests elsewhere) */
	{
		const char *base = dev->url_base[0] ? dev->url_base : location;
		struct http_url lu;
		size_t kept = 0;

		if (http_url_parse(location, &lu) != 0)
			lu.host[0] = '\0';
		for (size_t i = 0; i < dev->n_services; i++) {
			char abs[HTTP_URL_MAX];
			struct http_url cu;

			if (http_url_resolve(base, dev->services[i].control_url,
			    abs, sizeof(abs)) != 0 &&
			    http_url_resolve(location,
			    dev->services[i].control_url, abs, sizeof(abs)) != 0) {
				note_dropped(dev, dev->services[i].type,
				    dev->services[i].control_url,
				    "not a usable URL");
				continue;
			}
			if (http_url_parse(abs, &cu) != 0 ||
			    strcasecmp(cu.host, lu.host) != 0) {
				note_dropped(dev, dev->services[i].type, abs,
				    "on another host than the description");
				continue;
			}
			dev->services[kept] = dev->services[i];
			memcpy(dev->services[kept].control_url, abs, sizeof(abs));
			kept++;
		}
		dev->n_services = kept;
	}
	return 0;
}

int
igd_desc_fetch(const char *location, const struct deadline *dl,
    struct igd_device *dev, char *err, size_t errlen)
{
	struct http_body b;
	int rc;

	rc = http_request("GET", location, NULL, NULL, 0, IGD_DESC_MAX, dl, &b,
	    err, errlen);
	if (rc != 0)
		return rc;
	if (b.status != 200) {
		msg_set(err, errlen, "HTTP %d for the description", b.status);
		http_body_free(&b);
		return IGD_EHTTP;
	}
	rc = igd_desc_parse(b.data, b.len, location, dev, err, errlen);
	if (rc == 0)
		memcpy(dev->server, b.server, sizeof(dev->server));
	http_body_free(&b);
	return rc;
}

int
igd_discover(const struct igd_target *t, const struct deadline *dl,
    struct igd_found *found, size_t max, size_t *n,
    struct ssdp_result *ssdp, char *err, size_t errlen)
{
	struct ssdp_result *res = ssdp;
	int64_t start = deadline_now_ms();
	int rc;

	*n = 0;
	if (max == 0)
		return IGD_ELIMIT;
	if (t->url != NULL) {
		struct igd_found *f = &found[0];

		memset(f, 0, sizeof(*f));
		f->rc = igd_desc_fetch(t->url, dl, &f->dev, f->err,
		    sizeof(f->err));
		set_field(f->dev.location, sizeof(f->dev.location), t->url);
		f->answer_ms = deadline_now_ms() - start;
		*n = 1;
		return 0;
	}
	if (res == NULL) {
		res = malloc(sizeof(*res));
		if (res == NULL)
			return IGD_ENOMEM;
	}
	{
		/* keep time to read the descriptions of what answered: a
		 * census, or a wait for a pinned device, may use the rest */
		int left = deadline_left_ms(dl);
		int reserve = left / 3 < 1000 ? left / 3 : 1000;
		struct deadline sdl = deadline_within(dl, left - reserve);

		rc = ssdp_search(&t->ssdp, &sdl, res, err, errlen);
	}
	if (rc == 0) {
		for (size_t i = 0; i < res->n && *n < max; i++) {
			struct igd_found *f = &found[*n];

			if (t->wanted_only &&
			    !ssdp_is_wanted(&t->ssdp, &res->answers[i]))
				continue;	/* another IGD: left in res */

			memset(f, 0, sizeof(*f));
			f->answer_ms = res->answers[i].elapsed_ms;
			f->rc = igd_desc_fetch(res->answers[i].location, dl,
			    &f->dev, f->err, sizeof(f->err));
			set_field(f->dev.location, sizeof(f->dev.location),
			    res->answers[i].location);
			/* the SSDP SERVER header names the firmware best */
			if (res->answers[i].server[0] != '\0')
				set_field(f->dev.server, sizeof(f->dev.server),
				    res->answers[i].server);
			(*n)++;
		}
	}
	if (res != ssdp)
		free(res);
	return rc;
}

int
igd_describe_rest(const struct ssdp_result *res, size_t from,
    const struct deadline *dl, struct igd_brief *out, size_t max, size_t *n)
{
	struct igd_device *d = malloc(sizeof(*d));

	*n = 0;
	if (d == NULL)
		return IGD_ENOMEM;
	for (size_t i = from; i < res->n && *n < max; i++) {
		const struct ssdp_answer *a = &res->answers[i];
		struct igd_brief *b = &out[*n];

		if (deadline_left_ms(dl) == 0) {
			free(d);
			return IGD_ETIMEOUT;
		}
		memset(b, 0, sizeof(*b));
		b->answer_ms = a->elapsed_ms;
		set_field(b->location, sizeof(b->location), a->location);
		b->rc = igd_desc_fetch(a->location, dl, d, b->err,
		    sizeof(b->err));
		if (b->rc == IGD_ETIMEOUT) {
			free(d);
			return IGD_ETIMEOUT;
		}
		if (b->rc == 0) {
			memcpy(b->udn, d->udn, sizeof(b->udn));
			memcpy(b->friendly_name, d->friendly_name,
			    sizeof(b->friendly_name));
			memcpy(b->manufacturer, d->manufacturer,
			    sizeof(b->manufacturer));
			memcpy(b->model_name, d->model_name,
			    sizeof(b->model_name));
			igd_device_kind(d, b->kind, sizeof(b->kind));
		}
		(*n)++;
	}
	free(d);
	return 0;
}

const struct igd_service *
igd_service_next(const struct igd_device *dev, enum igd_service_kind kind,
    size_t *from)
{
	for (size_t i = *from; i < dev->n_services; i++) {
		if (dev->services[i].kind == kind) {
			*from = i + 1;
			return &dev->services[i];
		}
	}
	*from = dev->n_services;
	return NULL;
}

void
igd_reply_free(struct igd_reply *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->args[i].value);
	memset(r, 0, sizeof(*r));
}

const char *
igd_reply_get(const struct igd_reply *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->args[i].name, name) == 0)
			return r->args[i].value;
	return NULL;
}

/* Append raw text to a growing value, decoding unless raw_copy. */
static int
value_append(struct igd_arg *a, size_t *cap, const char *raw, size_t rawlen,
    int literal)
{
	size_t need;

	if (a->truncated)
		return 0;
	need = a->len + rawlen + 1;
	if (need > IGD_VALUE_MAX) {
		a->truncated = 1;
		return 0;
	}
	if (need > *cap) {
		size_t ncap = *cap ? *cap : 64;
		char *nv;

		while (ncap < need)
			ncap *= 2;
		nv = realloc(a->value, ncap);
		if (nv == NULL)
			return IGD_ENOMEM;
		a->value = nv;
		*cap = ncap;
	}
	if (literal) {
		memcpy(a->value + a->len, raw, rawlen);
		a->len += rawlen;
		a->value[a->len] = '\0';
	} else {
		/* decoding never makes text longer, so it always fits */
		xml_decode_append(a->value, *cap, &a->len, raw, rawlen, 0);
	}
	return 0;
}

int
igd_soap_parse(const char *xml, size_t len, const char *action,
    struct igd_reply *r)
{
	struct xml_reader rd;
	struct xml_token t;
	char resp[96];
	int body_depth = 0, in_resp = 0, in_fault = 0, rc = IGD_EPROTOCOL;
	struct igd_arg *cur = NULL;
	size_t cap = 0;
	int cur_depth = 0, nested = 0;
	const char *inner = NULL;
	char fcode[16] = "", ftext[128] = "", *fdst = NULL;
	size_t flen = 0, fdstlen = 0;

	memset(r, 0, sizeof(*r));
	if (snprintf(resp, sizeof(resp), "%sResponse", action) >= (int)sizeof(resp))
		return IGD_EPROTOCOL;
	xml_init(&rd, xml, len);
	for (;;) {
		enum xml_tok k = xml_next(&rd, &t);

		if (k == XML_EOF)
			break;
		if (k == XML_ERROR)
			return IGD_EPROTOCOL;
		if (k == XML_TEXT || k == XML_CDATA) {
			if (cur != NULL && !nested) {
				if (value_append(cur, &cap, t.text, t.text_len,
				    k == XML_CDATA) != 0)
					return IGD_ENOMEM;
			} else if (fdst != NULL) {
				xml_decode_append(fdst, fdstlen, &flen, t.text,
				    t.text_len, k == XML_CDATA);
			}
			continue;
		}
		if (k == XML_OPEN) {
			if (body_depth == 0 && xml_name_is(&t, "Body") &&
			    t.depth == 2) {
				body_depth = t.depth;
			} else if (body_depth && t.depth == body_depth + 1) {
				if (t.name_len == strlen(resp) &&
				    memcmp(t.name, resp, t.name_len) == 0)
					in_resp = 1;
				else if (xml_name_is(&t, "Fault"))
					in_fault = 1;
			} else if (in_resp && t.depth == body_depth + 2) {
				size_t n = t.name_len;

				if (r->n >= IGD_ARGS_MAX) {
					cur = NULL;
					continue;
				}
				cur = &r->args[r->n++];
				if (n >= sizeof(cur->name))
					n = sizeof(cur->name) - 1;
				memcpy(cur->name, t.name, n);
				cur->name[n] = '\0';
				cap = 0;
				cur_depth = t.depth;
				nested = 0;
				inner = t.after;
				if (value_append(cur, &cap, "", 0, 1) != 0)
					return IGD_ENOMEM;
			} else if (cur != NULL && t.depth > cur_depth) {
				/* unescaped XML inside a value: keep it raw */
				nested = 1;
			} else if (in_fault && xml_name_is(&t, "errorCode")) {
				fdst = fcode;
				fdstlen = sizeof(fcode);
				flen = 0;
				fcode[0] = '\0';
			} else if (in_fault &&
			    xml_name_is(&t, "errorDescription")) {
				fdst = ftext;
				fdstlen = sizeof(ftext);
				flen = 0;
				ftext[0] = '\0';
			}
			continue;
		}
		/* XML_CLOSE */
		if (cur != NULL && t.depth == cur_depth) {
			if (nested) {
				cur->len = 0;
				cur->value[0] = '\0';
				if (value_append(cur, &cap, inner,
				    (size_t)(t.at - inner), 1) != 0)
					return IGD_ENOMEM;
			}
			cur = NULL;
		} else if (fdst != NULL &&
		    (xml_name_is(&t, "errorCode") ||
		    xml_name_is(&t, "errorDescription"))) {
			fdst = NULL;
		} else if (body_depth && t.depth == body_depth + 1) {
			if (in_resp)
				rc = 0;
			in_resp = 0;
			in_fault = 0;
		}
	}
	if (fcode[0] != '\0') {
		uint64_t code;

		set_field(r->error_desc, sizeof(r->error_desc), ftext);
		if (igd_parse_u64(fcode, &code) != 0 || code == 0 ||
		    code > 9999)
			return IGD_EPROTOCOL;
		r->upnp_error = (int)code;
		return (int)code;
	}
	return rc;
}

/* Append s XML-escaped to buf. */
static int
put_escaped(char *buf, size_t len, size_t *pos, const char *s)
{
	for (; *s; s++) {
		const char *e = NULL;
		size_t el;

		switch (*s) {
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '&': e = "&amp;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&apos;"; break;
		default: break;
		}
		el = e ? strlen(e) : 1;
		if (*pos + el >= len)
			return -1;
		memcpy(buf + *pos, e ? e : s, el);
		*pos += el;
	}
	buf[*pos] = '\0';
	return 0;
}

static int
put_raw(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n >= len)
		return -1;
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return 0;
}

int
igd_soap_call(const struct igd_service *svc, const char *action,
    const char *const *args, size_t max_body, const struct deadline *dl,
    struct igd_reply *r, char *err, size_t errlen)
{
	char body[4096], soapaction[256], eb[IGD_STRERROR_MAX];
	size_t pos = 0;
	struct http_body b;
	int rc;

	memset(r, 0, sizeof(*r));
	/* read-only, by construction */
	if (strncmp(action, "Get", 3) != 0) {
		msg_set(err, errlen, "refusing non-query action %.64s", action);
		return IGD_EADDRESS;
	}
	for (const char *c = action; *c; c++) {
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || *c == '_'))
			return IGD_EADDRESS;
	}
	if (put_raw(body, sizeof(body), &pos, "<?xml version=\"1.0\"?>\r\n"
	    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
	    " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
	    "<s:Body><u:") || put_raw(body, sizeof(body), &pos, action) ||
	    put_raw(body, sizeof(body), &pos, " xmlns:u=\"") ||
	    put_escaped(body, sizeof(body), &pos, svc->type) ||
	    put_raw(body, sizeof(body), &pos, "\">"))
		return IGD_EADDRESS;
	for (size_t i = 0; args != NULL && args[i] != NULL &&
	    args[i + 1] != NULL; i += 2) {
		if (put_raw(body, sizeof(body), &pos, "<") ||
		    put_raw(body, sizeof(body), &pos, args[i]) ||
		    put_raw(body, sizeof(body), &pos, ">") ||
		    put_escaped(body, sizeof(body), &pos, args[i + 1]) ||
		    put_raw(body, sizeof(body), &pos, "</") ||
		    put_raw(body, sizeof(body), &pos, args[i]) ||
		    put_raw(body, sizeof(body), &pos, ">"))
			return IGD_EADDRESS;
	}
	if (put_raw(body, sizeof(body), &pos, "</u:") ||
	    put_raw(body, sizeof(body), &pos, action) ||
	    put_raw(body, sizeof(body), &pos, "></s:Body></s:Envelope>\r\n"))
		return IGD_EADDRESS;
	rc = snprintf(soapaction, sizeof(soapaction), "%s#%s", svc->type,
	    action);
	if (rc < 0 || (size_t)rc >= sizeof(soapaction))
		return IGD_EADDRESS;

	rc = http_request("POST", svc->control_url, soapaction, body, pos,
	    max_body, dl, &b, err, errlen);
	if (rc != 0)
		return rc;
	rc = igd_soap_parse(b.data, b.len, action, r);
	if (b.status == 401) {
		/* TR-064 devices protect actions with HTTP digest auth; a
		 * monitor has no credentials and says so */
		igd_reply_free(r);
		msg_set(err, errlen, "%s: the device demands authentication "
		    "(HTTP 401)", action);
		rc = IGD_EAUTH;
	} else if (rc < 0 && b.status != 200) {
		msg_set(err, errlen, "%s: HTTP %d", action, b.status);
		rc = IGD_EHTTP;
	} else if (rc < 0) {
		msg_set(err, errlen, "%s: %s", action, igd_strerror(rc, eb,
		    sizeof(eb)));
	} else if (rc > 0) {
		msg_set(err, errlen, "%s: UPnP error %d (%s)", action, rc,
		    r->error_desc[0] ? r->error_desc : igd_strerror(rc, eb,
		    sizeof(eb)));
	}
	http_body_free(&b);
	return rc;
}

/* A decimal number of at most max (no sign, no space); *p moves past it. */
static int
uptime_number(const char **p, int64_t max, int64_t *v)
{
	int64_t x = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		x = x * 10 + (*s - '0');
		if (x > max)
			return -1;
	}
	*p = s;
	*v = x;
	return 0;
}

int
igd_parse_uptime(const char *s, int64_t *secs)
{
	int64_t d = 0, h, m, sec;
	uint64_t plain;

	if (igd_parse_u64(s, &plain) == 0) {
		if (plain > INT64_MAX)
			return -1;
		*secs = (int64_t)plain;
		return 0;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	/* "D Days, HH:MM:SS" (or "1 Day, ..."), or "HH:MM:SS" alone */
	if (strchr(s, ',') != NULL) {
		if (uptime_number(&s, 1000000, &d) != 0)
			return -1;
		while (*s == ' ')
			s++;
		if (strncasecmp(s, "days", 4) == 0)
			s += 4;
		else if (strncasecmp(s, "day", 3) == 0)
			s += 3;
		else
			return -1;
		if (*s++ != ',')
			return -1;
		while (*s == ' ')
			s++;
	}
	if (uptime_number(&s, 1000000, &h) != 0 || *s++ != ':' ||
	    uptime_number(&s, 59, &m) != 0 || *s++ != ':' ||
	    uptime_number(&s, 59, &sec) != 0)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return -1;
	*secs = d * 86400 + h * 3600 + m * 60 + sec;
	return 0;
}

int
igd_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
		digits++;
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (digits == 0 || *s != '\0')
		return -1;
	*v = x;
	return 0;
}

static int64_t
get_i64(const struct igd_reply *r, const char *name)
{
	const char *v = igd_reply_get(r, name);
	uint64_t x;

	if (v == NULL || igd_parse_u64(v, &x) != 0 || x > INT64_MAX)
		return -1;
	return (int64_t)x;
}

static void
get_str(const struct igd_reply *r, const char *name, char *dst, size_t len)
{
	const char *v = igd_reply_get(r, name);

	set_field(dst, len, v ? v : "");
}

static int
get_bool(const struct igd_reply *r, const char *name)
{
	const char *v = igd_reply_get(r, name);

	if (v == NULL)
		return -1;
	while (*v == ' ')
		v++;
	if (v[0] == '1' || v[0] == 't' || v[0] == 'T' || v[0] == 'y' ||
	    v[0] == 'Y')
		return 1;
	if (v[0] == '0' || v[0] == 'f' || v[0] == 'F' || v[0] == 'n' ||
	    v[0] == 'N')
		return 0;
	return -1;
}

/* One query; returns its code, and tells when the deadline passed. */
static int
query(const struct igd_service *svc, const char *action,
    const struct deadline *dl, struct igd_reply *r, int *timed_out)
{
	int rc;

	if (deadline_left_ms(dl) == 0) {
		*timed_out = 1;
		memset(r, 0, sizeof(*r));
		return IGD_ETIMEOUT;
	}
	rc = igd_soap_call(svc, action, NULL, IGD_SOAP_MAX, dl, r, NULL, 0);
	if (rc == IGD_ETIMEOUT)
		*timed_out = 1;
	return rc;
}

int
igd_wan_query(const struct igd_device *dev, const struct deadline *dl,
    struct igd_wan *w)
{
	struct igd_reply r;

	memset(w, 0, sizeof(*w));
	w->v6fw.enabled = w->v6fw.inbound_allowed = -1;
	w->common.up_bps = w->common.down_bps = -1;
	for (size_t i = 0; i < dev->n_services && w->n_conns < IGD_CONNS_MAX;
	    i++) {
		const struct igd_service *svc = &dev->services[i];
		struct igd_conn *c;

		if (svc->kind != IGD_SVC_WANIP && svc->kind != IGD_SVC_WANPPP)
			continue;
		c = &w->conns[w->n_conns++];
		c->service = i;
		c->uptime = -1;
		c->rsip_available = c->nat_enabled = -1;

		c->status_rc = query(svc, "GetStatusInfo", dl, &r, &w->timed_out);
		/* an answer without the fact asked for is a failed query */
		if (c->status_rc == 0 &&
		    igd_reply_get(&r, "NewConnectionStatus") == NULL)
			c->status_rc = IGD_EPROTOCOL;
		if (c->status_rc == 0) {
			get_str(&r, "NewConnectionStatus", c->status,
			    sizeof(c->status));
			get_str(&r, "NewLastConnectionError", c->last_error,
			    sizeof(c->last_error));
			const char *up = igd_reply_get(&r, "NewUptime");

			if (up == NULL || igd_parse_uptime(up, &c->uptime) != 0)
				c->uptime = -1;
		}
		igd_reply_free(&r);
		c->extip_rc = query(svc, "GetExternalIPAddress", dl, &r,
		    &w->timed_out);
		if (c->extip_rc == 0 &&
		    igd_reply_get(&r, "NewExternalIPAddress") == NULL)
			c->extip_rc = IGD_EPROTOCOL;
		if (c->extip_rc == 0)
			get_str(&r, "NewExternalIPAddress", c->external_ip,
			    sizeof(c->external_ip));
		igd_reply_free(&r);
		c->type_rc = query(svc, "GetConnectionTypeInfo", dl, &r,
		    &w->timed_out);
		if (c->type_rc == 0) {
			get_str(&r, "NewConnectionType", c->conn_type,
			    sizeof(c->conn_type));
			get_str(&r, "NewPossibleConnectionTypes",
			    c->possible_types, sizeof(c->possible_types));
		}
		igd_reply_free(&r);
		c->nat_rc = query(svc, "GetNATRSIPStatus", dl, &r, &w->timed_out);
		if (c->nat_rc == 0) {
			c->rsip_available = get_bool(&r, "NewRSIPAvailable");
			c->nat_enabled = get_bool(&r, "NewNATEnabled");
		}
		igd_reply_free(&r);
	}
	/* every WANDevice's WANCommonInterfaceConfig: each WAN has its own
	 * link and counters */
	for (size_t i = 0; i < dev->n_services; i++) {
		static const char *const counters[4][2] = {
			{ "GetTotalBytesSent", "NewTotalBytesSent" },
			{ "GetTotalBytesReceived", "NewTotalBytesReceived" },
			{ "GetTotalPacketsSent", "NewTotalPacketsSent" },
			{ "GetTotalPacketsReceived", "NewTotalPacketsReceived" },
		};
		const struct igd_service *svc = &dev->services[i];
		struct igd_common *cm;

		if (svc->kind != IGD_SVC_COMMON)
			continue;
		if (w->n_commons >= IGD_WANS_MAX) {
			w->commons_skipped++;
			continue;
		}
		cm = &w->commons[w->n_commons++];
		cm->present = 1;
		cm->service = i;
		cm->wan_device = svc->wan_device;
		cm->up_bps = cm->down_bps = -1;
		cm->link_rc = query(svc, "GetCommonLinkProperties", dl, &r,
		    &w->timed_out);
		if (cm->link_rc == 0) {
			get_str(&r, "NewWANAccessType", cm->access_type,
			    sizeof(cm->access_type));
			cm->up_bps = get_i64(&r, "NewLayer1UpstreamMaxBitRate");
			cm->down_bps = get_i64(&r,
			    "NewLayer1DownstreamMaxBitRate");
			get_str(&r, "NewPhysicalLinkStatus", cm->link_status,
			    sizeof(cm->link_status));
		}
		igd_reply_free(&r);
		for (int k = 0; k < 4; k++) {
			const char *v;

			cm->counter_rc[k] = query(svc, counters[k][0], dl, &r,
			    &w->timed_out);
			if (cm->counter_rc[k] == 0) {
				v = igd_reply_get(&r, counters[k][1]);
				if (v == NULL ||
				    igd_parse_u64(v, &cm->counter[k]) != 0)
					cm->counter_rc[k] = IGD_EPROTOCOL;
			}
			igd_reply_free(&r);
		}
	}
	if (w->n_commons > 0)
		w->common = w->commons[0];
	for (size_t i = 0; i < dev->n_services; i++) {
		const struct igd_service *svc = &dev->services[i];

		if (svc->kind != IGD_SVC_V6FW || w->v6fw.present)
			continue;
		w->v6fw.present = 1;
		w->v6fw.rc = query(svc, "GetFirewallStatus", dl, &r,
		    &w->timed_out);
		if (w->v6fw.rc == 0) {
			w->v6fw.enabled = get_bool(&r, "FirewallEnabled");
			w->v6fw.inbound_allowed = get_bool(&r,
			    "InboundPinholeAllowed");
		}
		igd_reply_free(&r);
	}
	return w->timed_out ? IGD_ETIMEOUT : 0;
}

enum igd_addr_class
igd_addr_classify(const char *addr)
{
	unsigned char a[16];
	char buf[64];

	set_field(buf, sizeof(buf), addr);
	if (buf[0] == '\0')
		return IGD_ADDR_UNSET;
	if (inet_pton(AF_INET, buf, a) == 1) {
		if (a[0] == 0)
			return IGD_ADDR_UNSET;
		if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168))
			return IGD_ADDR_PRIVATE;
		if (a[0] == 100 && (a[1] & 0xc0) == 64)
			return IGD_ADDR_SHARED;
		if (a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 192 && a[1] == 0 && a[2] == 2) ||
		    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		    (a[0] == 203 && a[1] == 0 && a[2] == 113) ||
		    (a[0] == 198 && (a[1] & 0xfe) == 18) ||
		    (a[0] == 192 && a[1] == 0 && a[2] == 0) || a[0] >= 224)
			return IGD_ADDR_RESERVED;
		return IGD_ADDR_PUBLIC;
	}
	if (inet_pton(AF_INET6, buf, a) == 1) {
		static const unsigned char zero[16];

		if (memcmp(a, zero, 16) == 0)
			return IGD_ADDR_UNSET;
		if ((a[0] & 0xfe) == 0xfc)
			return IGD_ADDR_PRIVATE;
		if ((a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0xff ||
		    (memcmp(a, zero, 15) == 0 && a[15] == 1) ||
		    (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d &&
		    a[3] == 0xb8))
			return IGD_ADDR_RESERVED;
		return IGD_ADDR_PUBLIC;
	}
	return IGD_ADDR_INVALID;
}

const char *
igd_addr_class_name(enum igd_addr_class c)
{
	switch (c) {
	case IGD_ADDR_PUBLIC: return "public";
	case IGD_ADDR_PRIVATE: return "private (RFC 1918/ULA)";
	case IGD_ADDR_SHARED: return "shared (RFC 6598, carrier-grade NAT)";
	case IGD_ADDR_RESERVED: return "reserved (not routable)";
	case IGD_ADDR_UNSET: return "unset";
	case IGD_ADDR_INVALID: return "not an address";
	}
	return "unknown";
}

/* Room for one more mapping whose description takes desc bytes: grows the
 * array within the budget.  0, IGD_ELIMIT, IGD_EBUDGET or IGD_ENOMEM. */
static int
table_reserve(struct igd_table *t, size_t desc)
{
	if (t->n >= IGD_TABLE_MAX)
		return IGD_ELIMIT;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 32;
		struct igd_mapping *nm;

		if (ncap > IGD_TABLE_MAX)
			ncap = IGD_TABLE_MAX;
		if (t->bytes + (ncap - t->cap) * sizeof(*nm) + desc >
		    IGD_TABLE_BUDGET)
			return IGD_EBUDGET;
		nm = realloc(t->m, ncap * sizeof(*nm));
		if (nm == NULL)
			return IGD_ENOMEM;
		t->bytes += (ncap - t->cap) * sizeof(*nm);
		t->m = nm;
		t->cap = ncap;
	}
	if (t->bytes + desc > IGD_TABLE_BUDGET)
		return IGD_EBUDGET;
	return 0;
}

/* Append m to t taking its description (m->description is NULL after a
 * success; on failure m still owns it). */
static int
table_take(struct igd_table *t, struct igd_mapping *m)
{
	size_t desc = (m->description ? strlen(m->description) : 0) + 1;
	int rc = table_reserve(t, desc);

	if (rc != 0)
		return rc;
	t->m[t->n] = *m;
	if (m->description == NULL) {
		t->m[t->n].description = strdup("");
		if (t->m[t->n].description == NULL)
			return IGD_ENOMEM;
	}
	m->description = NULL;
	t->bytes += desc;
	t->n++;
	return 0;
}

int
igd_table_add(struct igd_table *t, const struct igd_mapping *m)
{
	struct igd_mapping c = *m;
	int rc;

	c.description = strdup(m->description ? m->description : "");
	if (c.description == NULL)
		return IGD_ENOMEM;
	rc = table_take(t, &c);
	free(c.description);
	return rc;
}

/* Drop the mappings of t from index from on. */
static void
table_truncate(struct igd_table *t, size_t from)
{
	for (size_t k = from; k < t->n; k++) {
		t->bytes -= strlen(t->m[k].description) + 1;
		free(t->m[k].description);
	}
	if (from < t->n)
		t->n = from;
}

void
igd_table_free(struct igd_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->m[i].description);
	free(t->m);
	memset(t, 0, sizeof(*t));
}

#define IGD_DESCRIPTION_MAX (16 * 1024)	/* longer descriptions are cut */
#define IGD_PORT_UNSET UINT32_MAX		/* internal_port not (yet) sent */

/* 1 when a mapping read from a device has every field a verdict needs.
 * An internal port of 0 is kept: the device does not tell it (quirk
 * internal-port-0), the rest of the mapping can still be judged. */
static int
mapping_complete(const struct igd_mapping *m)
{
	return m->protocol[0] != '\0' && m->external_port != 0 &&
	    m->internal_port != IGD_PORT_UNSET && m->internal_client[0] != '\0';
}

/* A mapping about to be filled from a device's answer. */
static void
mapping_init(struct igd_mapping *m, unsigned service)
{
	memset(m, 0, sizeof(*m));
	m->enabled = 1;
	m->service = service;
	m->internal_port = IGD_PORT_UNSET;
}

/* Fill one field of a mapping from its element name and decoded text.
 * Returns 1 when the field was known, 0 otherwise, -1 for a bad value. */
static int
mapping_field(struct igd_mapping *m, const char *name, const char *text)
{
	uint64_t v;

	if (strcmp(name, "NewRemoteHost") == 0) {
		set_field(m->remote_host, sizeof(m->remote_host), text);
	} else if (strcmp(name, "NewExternalPort") == 0) {
		if (igd_parse_u64(text, &v) != 0 || v > 65535)
			return -1;
		m->external_port = (unsigned)v;
	} else if (strcmp(name, "NewInternalPort") == 0) {
		if (igd_parse_u64(text, &v) != 0 || v > 65535)
			return -1;
		m->internal_port = (unsigned)v;
	} else if (strcmp(name, "NewProtocol") == 0) {
		char p[8];

		set_field(p, sizeof(p), text);
		for (char *c = p; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		if (strcmp(p, "TCP") != 0 && strcmp(p, "UDP") != 0)
			return -1;
		memcpy(m->protocol, p, 4);
	} else if (strcmp(name, "NewInternalClient") == 0) {
		set_field(m->internal_client, sizeof(m->internal_client), text);
	} else if (strcmp(name, "NewEnabled") == 0) {
		m->enabled = (text[0] == '1' || text[0] == 't' || text[0] == 'T' ||
		    text[0] == 'y' || text[0] == 'Y') ? 1 : 0;
	} else if (strcmp(name, "NewDescription") == 0 ||
	    strcmp(name, "NewPortMappingDescription") == 0) {
		size_t n = strlen(text);

		/* the same cap whichever way the table is read */
		if (n >= IGD_DESCRIPTION_MAX) {
			n = IGD_DESCRIPTION_MAX - 1;
			while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
				n--;
		}
		free(m->description);
		m->description = strndup(text, n);
		if (m->description == NULL)
			return -1;
	} else if (strcmp(name, "NewLeaseTime") == 0 ||
	    strcmp(name, "NewLeaseDuration") == 0) {
		if (igd_parse_u64(text, &v) != 0 || v > INT64_MAX)
			return -1;
		m->lease = (int64_t)v;
	} else {
		return 0;
	}
	return 1;
}

int
igd_listing_parse(const char *xml, size_t len, unsigned service,
    struct igd_table *t, size_t *n_added)
{
	struct xml_reader r;
	struct xml_token tok;
	struct igd_mapping m;
	char *text, field[64];
	size_t tlen = 0;
	int in_entry = 0, in_field = 0, rc = 0, seen_list = 0;

	*n_added = 0;
	text = malloc(IGD_DESCRIPTION_MAX);
	if (text == NULL)
		return IGD_ENOMEM;
	text[0] = '\0';
	mapping_init(&m, service);
	xml_init(&r, xml, len);
	for (;;) {
		enum xml_tok k = xml_next(&r, &tok);

		if (k == XML_EOF)
			break;
		if (k == XML_ERROR) {
			rc = IGD_EPROTOCOL;
			break;
		}
		if (k == XML_TEXT || k == XML_CDATA) {
			if (in_field)
				xml_decode_append(text, IGD_DESCRIPTION_MAX, &tlen,
				    tok.text, tok.text_len, k == XML_CDATA);
			continue;
		}
		if (k == XML_OPEN) {
			if (tok.depth == 1) {
				if (!xml_name_is(&tok, "PortMappingList")) {
					rc = IGD_EPROTOCOL;
					break;
				}
				seen_list = 1;
			} else if (tok.depth == 2 &&
			    xml_name_is(&tok, "PortMappingEntry")) {
				free(m.description);
				mapping_init(&m, service);
				in_entry = 1;
			} else if (tok.depth == 3 && in_entry) {
				size_t n = tok.name_len < sizeof(field) - 1 ?
				    tok.name_len : sizeof(field) - 1;

				memcpy(field, tok.name, n);
				field[n] = '\0';
				in_field = 1;
				tlen = 0;
				text[0] = '\0';
			} else if (tok.depth > 3) {
				rc = IGD_EPROTOCOL;
				break;
			}
			continue;
		}
		/* close */
		if (tok.depth == 3 && in_field) {
			in_field = 0;
			if (mapping_field(&m, field, text) < 0) {
				rc = IGD_EPROTOCOL;
				break;
			}
		} else if (tok.depth == 2 && in_entry) {
			in_entry = 0;
			if (!mapping_complete(&m)) {
				rc = IGD_EPROTOCOL;
				break;
			}
			rc = table_take(t, &m);
			if (rc != 0)
				break;
			(*n_added)++;
		}
	}
	if (rc == 0 && !seen_list)
		rc = IGD_EPROTOCOL;
	free(m.description);
	free(text);
	return rc;
}

#define IGD_WALK_MAX   4096	/* index walk hard cap (a table that never ends) */
#define IGD_PAGE_SAFE  128	/* entries per page, and in total, for a
				 * device whose list action can crash */
#define IGD_RANGE_MARGIN 16	/* mappings a device may gain between the
				 * end check and a range's list (ranges) */
#define IGD_PAGE_MAX   1000	/* entries asked per page otherwise
				 * (miniupnpd's own default) */
#define IGD_PAGE_MIN   16	/* the smallest page asked (answers over
				 * IGD_LISTING_MAX make pages smaller) */
#define IGD_SPLIT_MAX  40	/* split depth: every split keeps at most
				 * 3/4 of a range, 65536 ports need 39 */
#define IGD_DENIED_MAX 64	/* 606 answers tolerated in one walk */

/* One table read in progress. */
struct reader {
	const struct deadline *dl;
	struct igd_table *t;
	unsigned known;		/* quirks the device is known for */
	unsigned pages;		/* list pages asked of the current service */
	/* the keys of the current service's list (indices + 1 into t->m,
	 * 0 empty), open addressing: a device cannot make merging pages
	 * quadratic */
	size_t *slot;
	size_t nslots, nkeys, first;
};

static int
reader_call(struct reader *rd, const struct igd_service *svc,
    const char *action, const char *const *args, size_t max,
    struct igd_reply *r)
{
	rd->t->calls++;
	if (deadline_left_ms(rd->dl) == 0) {
		memset(r, 0, sizeof(*r));
		return IGD_ETIMEOUT;
	}
	return igd_soap_call(svc, action, args, max, rd->dl, r, NULL, 0);
}

/* The key of a mapping: service, protocol, external port, remote host. */
static size_t
key_hash(const struct igd_mapping *m)
{
	uint64_t h = 1469598103934665603u;
	const char *s;

	h = (h ^ m->service) * 1099511628211u;
	h = (h ^ (unsigned char)m->protocol[0]) * 1099511628211u;
	h = (h ^ m->external_port) * 1099511628211u;
	for (s = m->remote_host; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)(h ^ (h >> 29));
}

static int
key_eq(const struct igd_mapping *a, const struct igd_mapping *b)
{
	return a->external_port == b->external_port &&
	    a->service == b->service &&
	    strcmp(a->protocol, b->protocol) == 0 &&
	    strcmp(a->remote_host, b->remote_host) == 0;
}

/* The index in t->m of a mapping with m's key listed in this service, or
 * (size_t)-1. */
static size_t
key_find(const struct reader *rd, const struct igd_mapping *m)
{
	size_t mask = rd->nslots - 1, i;

	if (rd->nslots == 0)
		return (size_t)-1;
	for (i = key_hash(m) & mask; rd->slot[i] != 0; i = (i + 1) & mask)
		if (key_eq(&rd->t->m[rd->slot[i] - 1], m))
			return rd->slot[i] - 1;
	return (size_t)-1;
}

/* Remember t->m[idx] as listed. */
static int
key_add(struct reader *rd, size_t idx)
{
	size_t mask, i;

	if ((rd->nkeys + 1) * 2 > rd->nslots) {
		size_t n = rd->nslots ? rd->nslots * 2 : 256;
		size_t *ns = calloc(n, sizeof(*ns));

		if (ns == NULL)
			return IGD_ENOMEM;
		for (size_t k = 0; k < rd->nslots; k++) {
			if (rd->slot[k] == 0)
				continue;
			for (i = key_hash(&rd->t->m[rd->slot[k] - 1]) & (n - 1);
			    ns[i] != 0; i = (i + 1) & (n - 1))
				;
			ns[i] = rd->slot[k];
		}
		free(rd->slot);
		rd->slot = ns;
		rd->nslots = n;
	}
	mask = rd->nslots - 1;
	for (i = key_hash(&rd->t->m[idx]) & mask; rd->slot[i] != 0;
	    i = (i + 1) & mask)
		;
	rd->slot[i] = idx + 1;
	rd->nkeys++;
	return 0;
}

static void
keys_reset(struct reader *rd)
{
	free(rd->slot);
	rd->slot = NULL;
	rd->nslots = rd->nkeys = 0;
	rd->first = rd->t->n;
}

/* *m from a GetGenericPortMappingEntry answer whose code is rc; returns
 * the code (IGD_EPROTOCOL for an entry without its fields).  m's
 * description is the caller's to free when 0 is returned. */
static int
entry_from_reply(int rc, const struct igd_reply *r, unsigned service,
    struct igd_mapping *m)
{
	mapping_init(m, service);
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		if (mapping_field(m, r->args[i].name,
		    r->args[i].value ? r->args[i].value : "") < 0)
			rc = IGD_EPROTOCOL;
	if (rc == 0 && !mapping_complete(m))
		rc = IGD_EPROTOCOL;
	if (rc != 0) {
		free(m->description);
		m->description = NULL;
	}
	return rc;
}

/* One GetGenericPortMappingEntry: *m filled (its description owned by the
 * caller, free it) when the answer is 0. */
static int
generic_entry(struct reader *rd, const struct igd_service *svc,
    unsigned service, unsigned idx, struct igd_mapping *m)
{
	char ibuf[16];
	const char *args[] = { "NewPortMappingIndex", ibuf, NULL };
	struct igd_reply r;
	int rc;

	snprintf(ibuf, sizeof(ibuf), "%u", idx);
	rc = reader_call(rd, svc, "GetGenericPortMappingEntry", args,
	    IGD_SOAP_MAX, &r);
	rc = entry_from_reply(rc, &r, service, m);
	igd_reply_free(&r);
	return rc;
}

/*
 * One query run beside the table read, on a thread of its own when one can
 * be started (else at once): the device answers both while the run waits
 * once, a round trip saved.  Only igd_soap_call() runs on the thread; the
 * reader's state is touched by the caller alone.
 */
struct side_call {
	const struct igd_service *svc;
	const char *action;
	char arg[24];			/* NewPortMappingIndex, "" for none */
	const char *largs[11];		/* a list page's arguments, or NULL */
	char lbuf[3][12];		/* their start, end and page size */
	unsigned per;			/* the page size asked */
	size_t max;			/* answer size cap */
	const struct deadline *dl;
	struct igd_reply r;
	int rc;
	int threaded;
	pthread_t th;
};

static void *
side_run(void *p)
{
	struct side_call *c = p;
	const char *args[] = { "NewPortMappingIndex", c->arg, NULL };

	c->rc = igd_soap_call(c->svc, c->action, c->largs[0] ? c->largs :
	    c->arg[0] ? args : NULL, c->max ? c->max : IGD_SOAP_MAX, c->dl,
	    &c->r, NULL, 0);
	return NULL;
}

static void side_go(struct reader *rd, struct side_call *c);

static void
side_start(struct reader *rd, struct side_call *c,
    const struct igd_service *svc, const char *action, long idx)
{
	memset(c, 0, sizeof(*c));
	c->svc = svc;
	c->action = action;
	c->dl = rd->dl;
	if (idx >= 0)
		snprintf(c->arg, sizeof(c->arg), "%ld", idx);
	side_go(rd, c);
}

/* Start c, set up by the caller. */
static void
side_go(struct reader *rd, struct side_call *c)
{
	rd->t->calls++;
	if (deadline_left_ms(rd->dl) == 0) {
		c->rc = IGD_ETIMEOUT;
		return;
	}
	if (pthread_create(&c->th, NULL, side_run, c) == 0)
		c->threaded = 1;
	else
		side_run(c);
}

/* Wait for c; its code.  Free c->r with igd_reply_free() after. */
static int
side_join(struct side_call *c)
{
	if (c->threaded)
		pthread_join(c->th, NULL);
	c->threaded = 0;
	return c->rc;
}

/* What a 402 at index 0 of a walk means: an empty table on a device known
 * to answer it so (quirk index0-402), a guess (WARNING) elsewhere. */
static void
idx0_402(struct reader *rd)
{
	rd->t->quirks |= QUIRK_BIT(QUIRK_IDX0_402);
	if (!(rd->known & QUIRK_BIT(QUIRK_IDX0_402)))
		rd->t->suspect |= QUIRK_BIT(QUIRK_IDX0_402);
}

/* Walk GetGenericPortMappingEntry from index 0 until 713/714. */
static int
walk_service(struct reader *rd, const struct igd_service *svc,
    unsigned service)
{
	for (unsigned idx = 0; idx < IGD_WALK_MAX; idx++) {
		struct igd_mapping m;
		int rc;

		rc = generic_entry(rd, svc, service, idx, &m);
		if (rc == 713 || rc == 714)
			return 0;	/* past the end */
		if (rc == 402 && idx == 0) {
			idx0_402(rd);
			return 0;
		}
		if (rc == 606) {
			/* not authorised for this entry: not the end */
			if (++rd->t->denied > IGD_DENIED_MAX)
				return 606;
			continue;
		}
		if (rc != 0)
			return rc;
		rc = table_take(rd->t, &m);
		free(m.description);
		if (rc != 0)
			return rc;
	}
	return IGD_ELIMIT;
}

/* One GetListOfPortMappings call for proto in [lo, hi] asking for at most
 * per entries, parsed into *page (zeroed first; free with
 * igd_table_free).  A page costs its decoded answer (at most
 * IGD_LISTING_MAX) plus its parsed entries while it is merged. */
/* The arguments of a GetListOfPortMappings call for proto in [lo, hi],
 * at most per entries, into args (11) with their numbers in buf. */
static void
list_args(const char **args, char buf[3][12], const char *proto,
    unsigned lo, unsigned hi, unsigned per)
{
	snprintf(buf[0], sizeof(buf[0]), "%u", lo);
	snprintf(buf[1], sizeof(buf[1]), "%u", hi);
	snprintf(buf[2], sizeof(buf[2]), "%u", per);
	args[0] = "NewStartPort";
	args[1] = buf[0];
	args[2] = "NewEndPort";
	args[3] = buf[1];
	args[4] = "NewProtocol";
	args[5] = proto;
	args[6] = "NewManage";
	args[7] = "1";
	args[8] = "NewNumberOfPorts";
	args[9] = buf[2];
	args[10] = NULL;
}

/* The page a GetListOfPortMappings answer r (code rc) holds, parsed into
 * *page (zeroed first; free with igd_table_free); r is freed. */
static int
list_reply(int rc, struct igd_reply *r, unsigned service,
    struct igd_table *page)
{
	const char *listing;
	size_t added = 0;

	memset(page, 0, sizeof(*page));
	if (rc == 730 || rc == 714 || rc == 713) {
		igd_reply_free(r);
		return 0;	/* nothing in the range */
	}
	if (rc != 0) {
		igd_reply_free(r);
		return rc;
	}
	listing = igd_reply_get(r, "NewPortListing");
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->args[i].name, "NewPortListing") == 0 &&
		    r->args[i].truncated)
			rc = IGD_ETOOBIG;
	if (rc == 0)
		rc = listing == NULL ? IGD_EPROTOCOL :
		    igd_listing_parse(listing, strlen(listing), service, page,
		    &added);
	igd_reply_free(r);
	return rc;
}

static int
list_page(struct reader *rd, const struct igd_service *svc, unsigned service,
    const char *proto, unsigned lo, unsigned hi, unsigned per,
    struct igd_table *page)
{
	const char *args[11];
	char buf[3][12];
	struct igd_reply r;
	int rc;

	list_args(args, buf, proto, lo, hi, per);
	rc = reader_call(rd, svc, "GetListOfPortMappings", args,
	    IGD_LISTING_MAX, &r);
	rd->pages++;
	return list_reply(rc, &r, service, page);
}

/* The first page of proto over every port asked beside other calls (a
 * round trip saved); list_range() takes it as its first page. */
static void
list_side(struct reader *rd, struct side_call *c,
    const struct igd_service *svc, const char *proto, unsigned per)
{
	memset(c, 0, sizeof(*c));
	c->svc = svc;
	c->action = "GetListOfPortMappings";
	c->dl = rd->dl;
	c->max = IGD_LISTING_MAX;
	c->per = per;
	list_args(c->largs, c->lbuf, proto, 0, 65535, per);
	rd->pages++;
	side_go(rd, c);
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every proto mapping in [lo, hi].  Nothing is inferred from the order of
 * a page (miniupnpd 2.3.4 and later answer in rule order, and a page in
 * rule order may ascend by accident).  A page that comes back with fewer
 * entries than asked is taken as the rest of its range, to be confirmed by
 * the count check of the caller; a full page (or one over the size cap)
 * keeps its entries and splits the range at the median of its ports
 * (clamped to the middle half, so depth stays under IGD_SPLIT_MAX) until
 * every part comes back short.  Entries of another protocol, outside the
 * asked range or already listed are dropped.
 */
static int
list_range(struct reader *rd, const struct igd_service *svc,
    unsigned service, const char *proto, unsigned lo, unsigned hi,
    unsigned *per, int depth, struct side_call *pre)
{
	struct igd_table page;
	unsigned *ports = NULL, nports = 0, w, s, q, top, asked = *per;
	int rc, full;

	if (pre != NULL) {
		/* the first page, already asked (list_side) */
		asked = pre->per;
		rc = list_reply(side_join(pre), &pre->r, service, &page);
	} else {
		rc = list_page(rd, svc, service, proto, lo, hi, *per, &page);
	}
	while (rc == IGD_ETOOBIG && *per > IGD_PAGE_MIN) {
		/* answers this large: ask fewer entries from now on */
		*per = (asked < *per ? asked : *per) / 2 > IGD_PAGE_MIN ?
		    (asked < *per ? asked : *per) / 2 : IGD_PAGE_MIN;
		asked = *per;
		rc = list_page(rd, svc, service, proto, lo, hi, *per, &page);
	}
	if (rc == IGD_ETOOBIG) {
		full = 1;	/* too much in this range: split it */
		rc = 0;
	} else if (rc != 0) {
		igd_table_free(&page);
		return rc;
	} else {
		full = page.n >= asked;
		if (page.n > 0) {
			ports = malloc(page.n * sizeof(*ports));
			if (ports == NULL) {
				igd_table_free(&page);
				return IGD_ENOMEM;
			}
		}
	}
	for (size_t i = 0; i < page.n; i++) {
		struct igd_mapping *m = &page.m[i];

		if (i > 0 && m->external_port < page.m[i - 1].external_port)
			rd->t->quirks |= QUIRK_BIT(QUIRK_RULE_ORDER);
		if (strcmp(m->protocol, proto) != 0 ||
		    m->external_port < lo || m->external_port > hi)
			continue;
		ports[nports++] = m->external_port;
		if (key_find(rd, m) != (size_t)-1)
			continue;
		rc = table_take(rd->t, m);
		if (rc == 0)
			rc = key_add(rd, rd->t->n - 1);
		if (rc != 0)
			break;
	}
	igd_table_free(&page);
	if (rc != 0 || !full) {
		free(ports);
		return rc;
	}
	if (lo == hi || depth >= IGD_SPLIT_MAX) {
		free(ports);
		return IGD_ELIMIT;	/* a full page on a single port */
	}
	w = hi - lo;
	s = lo + w / 2;
	top = hi;
	if (nports > 0) {
		qsort(ports, nports, sizeof(*ports), cmp_uint);
		s = ports[nports / 2];
		top = ports[nports - 1];
	}
	free(ports);
	q = w / 4;
	if (s < lo + q)
		s = lo + q;
	if (s > hi - 1 - q)
		s = hi - 1 - q;
	/* three parts: up to the median, up to the highest port the page
	 * gave, and above it (a device that sorts gave the lowest ports: the
	 * first two then come back short at once, the third goes on) */
	rc = list_range(rd, svc, service, proto, lo, s, per, depth + 1, NULL);
	if (rc == 0 && top > s && top < hi) {
		rc = list_range(rd, svc, service, proto, s + 1, top, per,
		    depth + 1, NULL);
		s = top;
	}
	if (rc == 0)
		rc = list_range(rd, svc, service, proto, s + 1, hi, per,
		    depth + 1, NULL);
	return rc;
}

/*
 * The evidence that a list read is whole: the index walk ends where the
 * list's count says (entry n-1 exists and is one the list gave, entry n
 * gives 713/714).  Returns 0 when it agrees, 1 when it does not, or the
 * code of a failed call.
 */
static int
list_confirm(struct reader *rd, const struct igd_service *svc,
    unsigned service, size_t n)
{
	struct side_call prev;
	struct igd_mapping m;
	int rc, prc = 0;

	/* entries n-1 and n asked at once */
	if (n > 0)
		side_start(rd, &prev, svc, "GetGenericPortMappingEntry",
		    (long)n - 1);
	rc = generic_entry(rd, svc, service, (unsigned)n, &m);
	free(m.description);
	if (n > 0) {
		prc = entry_from_reply(side_join(&prev), &prev.r, service, &m);
		igd_reply_free(&prev.r);
		if (prc == 0) {
			size_t at = key_find(rd, &m);

			free(m.description);
			if (at == (size_t)-1)
				return 1;	/* an entry the list did not give */
		} else if (prc == 713 || prc == 714 || prc == 402) {
			return 1;		/* fewer entries than listed */
		} else {
			return prc;
		}
	}
	if (rc == 713 || rc == 714)
		return 0;
	if (rc == 402 && n == 0) {
		idx0_402(rd);
		return 0;
	}
	if (rc == 0 || rc == 606)
		return 1;			/* more entries than listed */
	return rc;
}

/* 1 when rc ends a read whatever the method: the deadline, memory. */
static int
read_fatal(int rc)
{
	return rc == IGD_ETIMEOUT || rc == IGD_ENOMEM || rc == IGD_EBUDGET;
}

/* The integer square root of v. */
static unsigned
isqrt_u(unsigned v)
{
	unsigned r = 0;

	while ((r + 1) * (r + 1) <= v)
		r++;
	return r;
}

/* Where the index walk ended: entry end-1 was last, entry end gave 713/714. */
struct walk_end {
	unsigned end;
	struct igd_mapping last;	/* description not kept */
};

/*
 * The table still ends where it did: entry end-1 is the same mapping and
 * entry end gives 713/714.  Asked before every range is listed, because
 * the bound on a range counts the entries not walked, and a table that
 * grew since (a burst of new mappings, seconds into a long read) could put
 * more than IGD_PAGE_SAFE in one range and kill the device.  Returns 0, 1
 * when the table moved (the caller walks) or the code of a fatal failure.
 */
static int
end_holds(struct reader *rd, const struct igd_service *svc, unsigned service,
    const struct walk_end *we)
{
	struct igd_mapping m;
	int rc = generic_entry(rd, svc, service, we->end, &m);

	if (rc == 0) {
		free(m.description);
		return 1;
	}
	if (rc != 713 && rc != 714)
		return read_fatal(rc) ? rc : 1;
	rc = generic_entry(rd, svc, service, we->end - 1, &m);
	if (rc != 0)
		return read_fatal(rc) ? rc : 1;
	rc = key_eq(&m, &we->last) ? 0 : 1;
	free(m.description);
	return rc;
}

/* One range listed (pages of at most IGD_PAGE_SAFE) once the end holds. */
static int
list_checked(struct reader *rd, const struct igd_service *svc,
    unsigned service, const char *proto, unsigned lo, unsigned hi,
    const struct walk_end *we, unsigned *ranges)
{
	unsigned per = IGD_PAGE_SAFE;
	int rc = end_holds(rd, svc, service, we);

	if (rc != 0)
		return rc;
	(*ranges)++;
	return list_range(rd, svc, service, proto, lo, hi, &per, 0, NULL);
}

/*
 * Every proto mapping walked (t->m[from..]) cut into port ranges that each
 * hold at most room of them, each range then listed: with at most
 * IGD_PAGE_SAFE - IGD_RANGE_MARGIN - room mappings not walked, and the
 * table's end checked before each list, no asked range can hold more than
 * IGD_PAGE_SAFE mappings of proto unless the device gains more than
 * IGD_RANGE_MARGIN within one call.  *ranges counts the ranges.
 */
static int
list_cut(struct reader *rd, const struct igd_service *svc, unsigned service,
    const char *proto, size_t from, unsigned room, const struct walk_end *we,
    unsigned *ranges)
{
	struct igd_table *t = rd->t;
	unsigned *ports, n = 0, start = 0, cnt = 0, i = 0;
	int rc = 0;

	ports = malloc((t->n - from + 1) * sizeof(*ports));
	if (ports == NULL)
		return IGD_ENOMEM;
	for (size_t k = from; k < t->n; k++)
		if (strcmp(t->m[k].protocol, proto) == 0)
			ports[n++] = t->m[k].external_port;
	qsort(ports, n, sizeof(*ports), cmp_uint);
	while (rc == 0 && i < n) {
		unsigned p = ports[i], g = 0;

		while (i + g < n && ports[i + g] == p)
			g++;
		if (g > room) {
			rc = 1;		/* one port holds too many: walk */
			break;
		}
		if (cnt + g > room) {
			rc = list_checked(rd, svc, service, proto, start,
			    p - 1, we, ranges);
			start = p;
			cnt = 0;
		}
		cnt += g;
		i += g;
	}
	if (rc == 0)
		rc = list_checked(rd, svc, service, proto, start, 65535, we,
		    ranges);
	free(ports);
	return rc;
}

/*
 * A table of more than IGD_PAGE_SAFE entries on a device whose list action
 * can crash (quirk list-crash), read by port ranges that cannot hold more
 * than IGD_PAGE_SAFE mappings of one protocol rather than entry by entry.
 * probe is entry IGD_PAGE_SAFE (it exists).  The evidence, in order:
 *  1. the end of the index walk, end (entry end-1 exists, entry end gives
 *     713/714), found by doubling from index IGD_PAGE_SAFE, then halving;
 *  2. entries 0 .. k-1 by index, k = end - S + s with S = IGD_PAGE_SAFE -
 *     IGD_RANGE_MARGIN and s the square root of end - S (few entries
 *     walked, few ranges listed): at most end - (distinct entries walked)
 *     are not walked;
 *  3. per protocol, the ports cut into ranges each holding at most room of
 *     the walked mappings, room = S - (the entries not walked): whatever
 *     those are, no asked range holds more than IGD_PAGE_SAFE mappings of
 *     the asked protocol, even with IGD_RANGE_MARGIN more added; before
 *     each range is listed the end is asked again (end_holds: a table that
 *     grew or shrank since step 1 is walked instead); each range listed in
 *     pages of at most IGD_PAGE_SAFE (a full page splits its range);
 *  4. the table is whole when walked and listed mappings make exactly end
 *     distinct ones, entry end-1 among them.
 * Returns 0 (how it was read in buf), 1 when the evidence does not come
 * together or a call fails (the caller drops what was read from before on
 * and walks, as before this path existed), or the code of a failure no
 * walk gets past (deadline, memory; what was read is kept).
 */
static int
read_ranges(struct reader *rd, const struct igd_service *svc,
    unsigned service, const struct igd_mapping *probe, char *buf, size_t len)
{
	struct igd_table *t = rd->t;
	struct igd_mapping m, last = *probe;
	struct walk_end we;
	unsigned lo = IGD_PAGE_SAFE, hi = 2 * IGD_PAGE_SAFE, end, k, room;
	const unsigned safe = IGD_PAGE_SAFE - IGD_RANGE_MARGIN;
	unsigned ranges = 0;
	size_t before = t->n, known;
	int rc, found = 0;

	last.description = NULL;
	/* 1. lo exists; hi is asked until it gives 713/714 (doubling),
	 * then the gap between them halved */
	for (;;) {
		unsigned at = found ? lo + (hi - lo) / 2 : hi;

		if (found && hi - lo <= 1)
			break;
		rc = generic_entry(rd, svc, service, at, &m);
		if (rc == 713 || rc == 714) {
			hi = at;
			found = 1;
			continue;
		}
		if (rc != 0)
			return read_fatal(rc) ? rc : 1;
		free(m.description);
		last = m;
		last.description = NULL;
		lo = at;
		if (!found && at >= IGD_WALK_MAX)
			return 1;	/* a table that never ends: walk */
		if (!found)
			hi = at * 2 > IGD_WALK_MAX ? IGD_WALK_MAX : at * 2;
	}
	end = hi;
	/* 2. the first k entries */
	k = end - safe + isqrt_u(end - safe);
	keys_reset(rd);
	rd->pages = 0;
	for (unsigned i = 0; i < k; i++) {
		rc = generic_entry(rd, svc, service, i, &m);
		if (rc != 0)
			return read_fatal(rc) ? rc : 1;
		if (key_find(rd, &m) != (size_t)-1) {
			free(m.description);	/* listed twice by index */
			continue;
		}
		rc = table_take(t, &m);
		free(m.description);
		if (rc == 0)
			rc = key_add(rd, t->n - 1);
		if (rc != 0)
			return read_fatal(rc) ? rc : 1;
	}
	known = t->n - before;
	if (end - known >= safe)
		return 1;
	room = safe - (unsigned)(end - known);
	/* 3. the ranges of each protocol, the end asked again before each */
	we.end = end;
	we.last = last;
	rc = list_cut(rd, svc, service, "TCP", before, room, &we, &ranges);
	if (rc == 0)
		rc = list_cut(rd, svc, service, "UDP", before, room, &we,
		    &ranges);
	if (rc != 0)
		return read_fatal(rc) ? rc : 1;
	/* 4. the count against the walk end */
	if (t->n - before != end || key_find(rd, &last) == (size_t)-1)
		return 1;
	snprintf(buf, len, "ranges (quirk list-crash: %zu entries by index, "
	    "%u port ranges of at most %d mappings of a protocol, %u page%s; "
	    "count confirmed by the index walk)", known, ranges,
	    IGD_PAGE_SAFE, rd->pages, rd->pages == 1 ? "" : "s");
	return 0;
}

/* Append text to t->method (cut if it does not fit). */
static void
method_add(struct igd_table *t, const char *text)
{
	size_t l = strlen(t->method);

	if (l < sizeof(t->method) - 1)
		snprintf(t->method + l, sizeof(t->method) - l, "%s", text);
}

/* Read one connection service into rd->t; method text appended. */
static int
read_service(struct reader *rd, const struct igd_service *svc,
    unsigned service, enum igd_list_method method)
{
	struct igd_table *t = rd->t;
	enum igd_list_method m = method;
	const char *why = "";
	unsigned per = IGD_PAGE_MAX;
	size_t before = t->n;
	char buf[224], wbuf[200];
	int rc;

	if (svc->version < 2) {
		m = IGD_LIST_WALK;	/* IGD:1 has no list action */
		why = method == IGD_LIST_LIST ? " (IGD:1 device)" : "";
	} else if (m == IGD_LIST_AUTO) {
		m = IGD_LIST_LIST;
		if (rd->known & QUIRK_BIT(QUIRK_LIST_CRASH)) {
			/* at most 128 entries in all, or no list at all:
			 * is there an entry at index 128? */
			struct igd_mapping pm;

			per = IGD_PAGE_SAFE;
			rc = generic_entry(rd, svc, service, IGD_PAGE_SAFE, &pm);
			free(pm.description);
			pm.description = NULL;
			if (rc != 713 && rc != 714) {
				m = IGD_LIST_WALK;
				if (rc == 0 || rc == 606) {
					why = " (over 128 entries on a device "
					    "whose list action can crash: quirk "
					    "list-crash)";
					t->quirks |= QUIRK_BIT(QUIRK_LIST_CRASH);
				}
			}
			if (rc == 0) {
				/* over 128: by ranges that cannot hold more */
				rc = read_ranges(rd, svc, service, &pm, buf,
				    sizeof(buf));
				if (rc != 1) {
					keys_reset(rd);
					method_add(t, rc == 0 ? buf : "ranges");
					return rc;
				}
				table_truncate(t, before);
				keys_reset(rd);
				why = " (over 128 entries on a device whose "
				    "list action can crash: quirk list-crash; "
				    "reading by port ranges gave no evidence "
				    "of a whole table)";
			}
		}
	}
	if (m == IGD_LIST_LIST) {
		struct side_call udp;

		keys_reset(rd);
		rd->pages = 0;
		/* UDP's first page asked beside TCP's: one round trip less
		 * (on a list-crash device only once index 128 showed at most
		 * 128 entries in all) */
		list_side(rd, &udp, svc, "UDP", per);
		rc = list_range(rd, svc, service, "TCP", 0, 65535, &per, 0,
		    NULL);
		if (rc == 0) {
			rc = list_range(rd, svc, service, "UDP", 0, 65535, &per,
			    0, &udp);
		} else {
			side_join(&udp);
			igd_reply_free(&udp.r);
		}
		if (rc == 401 || rc == 602 || rc == 501) {
			/* no list action after all: walk instead */
			table_truncate(t, before);
			m = IGD_LIST_WALK;
			why = " (list action refused)";
		} else if (rc == 0) {
			rc = list_confirm(rd, svc, service, t->n - before);
			if (rc == 1) {
				snprintf(buf, sizeof(buf), " (the list gave %zu "
				    "entries, the index walk disagrees: quirk "
				    "list-short)", t->n - before);
				table_truncate(t, before);
				t->quirks |= QUIRK_BIT(QUIRK_LIST_SHORT);
				m = IGD_LIST_WALK;
				why = buf;
				rc = 0;
			} else if (rc == 0) {
				snprintf(buf, sizeof(buf), "list, %u page%s, "
				    "count confirmed by the index walk",
				    rd->pages, rd->pages == 1 ? "" : "s");
				method_add(t, buf);
			}
		}
		if (rc != 0) {
			snprintf(buf, sizeof(buf), "list, %u page%s",
			    rd->pages, rd->pages == 1 ? "" : "s");
			method_add(t, buf);
		}
		keys_reset(rd);
		if (m == IGD_LIST_LIST)
			return rc;
	}
	rc = walk_service(rd, svc, service);
	snprintf(wbuf, sizeof(wbuf), "walk%.190s", why);
	method_add(t, wbuf);
	return rc;
}

/* 1 when rc is the device refusing an action (a UPnP error that is not
 * one a working table answers with, or an HTTP error). */
static int
table_refusal(int rc)
{
	return (rc > 0 && rc != 713 && rc != 714 && rc != 402 && rc != 606) ||
	    rc == IGD_EHTTP;
}

/*
 * svc gave no entry and its read ended on rc: 1 when it refuses every
 * action (GetStatusInfo asked too), then named in t->unusable_text and
 * its text in t->method from mlen on replaced by saying so.
 */
static int
service_unusable(struct reader *rd, const struct igd_service *svc, int rc,
    size_t mlen)
{
	struct igd_table *t = rd->t;
	struct igd_reply r;
	char label[32], eb[IGD_STRERROR_MAX], buf[120];
	size_t l = strlen(t->unusable_text);
	int src;

	if (!table_refusal(rc))
		return 0;
	src = reader_call(rd, svc, "GetStatusInfo", NULL, IGD_SOAP_MAX, &r);
	igd_reply_free(&r);
	if (!table_refusal(src))
		return 0;
	igd_service_label(svc, label, sizeof(label));
	t->unusable++;
	if (l < sizeof(t->unusable_text) - 1)
		snprintf(t->unusable_text + l, sizeof(t->unusable_text) - l,
		    "%s%s (%s)", l ? ", " : "", label,
		    igd_strerror(rc, eb, sizeof(eb)));
	t->method[mlen] = '\0';
	snprintf(buf, sizeof(buf), "%s refuses every action (%s): not read",
	    label, igd_strerror(rc, eb, sizeof(eb)));
	method_add(t, buf);
	return 1;
}

int
igd_table_read(const struct igd_device *dev, enum igd_list_method method,
    const struct deadline *dl, struct igd_table *t)
{
	struct quirk_device qd;
	struct reader rd;
	struct side_call ext;
	unsigned service = 0, conns = 0, read_whole = 0;
	int rc = 0, ext_asked, refused_rc = 0;
	char buf[48];

	memset(t, 0, sizeof(*t));
	memset(&rd, 0, sizeof(rd));
	qd.server = dev->server;
	qd.manufacturer = dev->manufacturer;
	qd.model_name = dev->model_name;
	qd.friendly_name = dev->friendly_name;
	rd.dl = dl;
	rd.t = t;
	rd.known = quirk_known(&qd);
	for (size_t i = 0; i < dev->n_services; i++)
		conns += dev->services[i].kind == IGD_SVC_WANIP ||
		    dev->services[i].kind == IGD_SVC_WANPPP;
	for (size_t i = 0; i < dev->n_services; i++) {
		const struct igd_service *svc = &dev->services[i];
		size_t before = t->n, mlen;

		if (svc->kind != IGD_SVC_WANIP && svc->kind != IGD_SVC_WANPPP)
			continue;
		if (service++ > 0)
			method_add(t, "; ");
		mlen = strlen(t->method);
		if (conns > 1) {
			/* several services: say which one each text is */
			igd_service_label(svc, buf, sizeof(buf));
			method_add(t, buf);
			method_add(t, ": ");
		}
		/* the external address, for judging, asked beside the
		 * first calls of the read */
		ext_asked = t->external_address[0] == '\0';
		if (ext_asked)
			side_start(&rd, &ext, svc, "GetExternalIPAddress", -1);
		rc = read_service(&rd, svc, service, method);
		if (ext_asked) {
			int erc = side_join(&ext);

			/* an answer without the address is a failed query */
			if (erc == 0 && igd_reply_get(&ext.r,
			    "NewExternalIPAddress") == NULL)
				erc = IGD_EPROTOCOL;
			if (erc == 0)
				get_str(&ext.r, "NewExternalIPAddress",
				    t->external_address,
				    sizeof(t->external_address));
			t->external_rc = erc;
			igd_reply_free(&ext.r);
		}
		/* a service declared but not in use (DD-WRT, NETGEAR: a PPP
		 * one beside the IP one that works) is not a table missing:
		 * it refuses everything, so nothing can be mapped through it */
		if (rc != 0 && conns > 1 && t->n == before &&
		    service_unusable(&rd, svc, rc, mlen)) {
			refused_rc = rc;
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		read_whole++;
	}
	/* refused by every service: nothing shows a table was read */
	if (rc == 0 && read_whole == 0 && refused_rc != 0)
		rc = refused_rc;
	free(rd.slot);
	for (size_t i = 0; i < t->n; i++)
		if (t->m[i].internal_port == 0)
			t->quirks |= QUIRK_BIT(QUIRK_IPORT_ZERO);
	snprintf(buf, sizeof(buf), "; %u SOAP call%s", t->calls,
	    t->calls == 1 ? "" : "s");
	method_add(t, buf);
	if (service == 0)
		rc = IGD_ENOTFOUND;
	if (rc == 0 && t->denied > 0)
		rc = 606;
	t->rc = rc;
	t->complete = rc == 0;
	return rc;
}
