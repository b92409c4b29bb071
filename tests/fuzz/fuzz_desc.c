/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz igd_desc_parse(): a root description from a hostile device. */
#include "fuzz_common.h"
#include "igd.h"

static void
check_device(const struct igd_device *d)
{
	FUZZ_CHECK_FIELD(d->location);
	FUZZ_CHECK_FIELD(d->server);
	FUZZ_CHECK_FIELD(d->device_type);
	FUZZ_CHECK_FIELD(d->friendly_name);
	FUZZ_CHECK_FIELD(d->manufacturer);
	FUZZ_CHECK_FIELD(d->model_name);
	FUZZ_CHECK_FIELD(d->model_number);
	FUZZ_CHECK_FIELD(d->serial);
	FUZZ_CHECK_FIELD(d->udn);
	FUZZ_CHECK_FIELD(d->presentation_url);
	FUZZ_CHECK_FIELD(d->url_base);
	FUZZ_ASSERT(d->n_services <= IGD_SERVICES_MAX);
	for (size_t i = 0; i < d->n_services; i++) {
		const struct igd_service *s = &d->services[i];
		struct http_url u;

		FUZZ_CHECK_FIELD(s->type);
		FUZZ_CHECK_FIELD(s->control_url);
		FUZZ_ASSERT(s->kind >= IGD_SVC_WANIP && s->kind <= IGD_SVC_V6FW);
		/* the contract: control URLs are absolute (and usable) */
		FUZZ_ASSERT(http_url_parse(s->control_url, &u) == 0);
	}
	for (int k = IGD_SVC_WANIP; k <= IGD_SVC_V6FW; k++) {
		size_t from = 0, seen = 0;

		while (igd_service_next(d, (enum igd_service_kind)k, &from) != NULL) {
			FUZZ_ASSERT(from <= d->n_services);
			FUZZ_ASSERT(++seen <= d->n_services);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const locations[] = {
		"http://192.168.1.1:5000/rootDesc.xml",
		"http://[fe80::1]:49152/a/b/../gatedesc.xml?x=1",
	};
	struct igd_device *dev = malloc(sizeof(*dev));
	char err[160];
	/* the body as the HTTP client hands it over: NUL-terminated */
	char *xml = fuzz_strdup(data, size);

	if (dev == NULL)
		abort();
	for (size_t i = 0; i < sizeof(locations) / sizeof(*locations); i++) {
		memset(dev, 0xa5, sizeof(*dev));
		err[0] = '\0';
		if (igd_desc_parse(xml, size, locations[i], dev, err,
		    sizeof(err)) == 0)
			check_device(dev);
		else
			FUZZ_CHECK_FIELD(err);
	}
	free(xml);
	free(dev);
	return 0;
}
