/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz igd_soap_parse(): a SOAP answer envelope from a hostile device.
 * The first input byte picks the action whose answer is expected (index
 * into actions[], modulo its size; tests/fuzz/run.sh knows the order); the
 * rest is the envelope.
 */
#include "fuzz_common.h"
#include "igd.h"

static const char *const actions[] = {
	"GetExternalIPAddress",
	"GetStatusInfo",
	"GetGenericPortMappingEntry",
	"GetListOfPortMappings",
	"GetCommonLinkProperties",
	"GetTotalBytesReceived",
	"GetFirewallStatus",
	"",
	/* too long for the Response name buffer */
	"GetAnActionNameThatIsMuchTooLongToBeRealGetAnActionNameThatIsMuchTooLongToBeRealXXXXXXXXXXXXXX",
	"GetConnectionTypeInfo",
	"GetNATRSIPStatus",
	"GetTotalBytesSent",
	"GetSpecificPortMappingEntry",
	"GetPortMappingNumberOfEntries",
	"GetTotalPacketsReceived",
	"GetTotalPacketsSent",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igd_reply r;
	const char *action;
	char *xml;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	action = actions[data[0] % (sizeof(actions) / sizeof(*actions))];
	len = size - 1;
	xml = fuzz_strdup(data + 1, len);
	memset(&r, 0x5a, sizeof(r));
	rc = igd_soap_parse(xml, len, action, &r);
	FUZZ_ASSERT(r.n <= IGD_ARGS_MAX);
	FUZZ_CHECK_FIELD(r.error_desc);
	if (rc > 0)
		FUZZ_ASSERT(r.upnp_error == rc);
	for (size_t i = 0; i < r.n; i++) {
		const struct igd_arg *a = &r.args[i];

		FUZZ_CHECK_FIELD(a->name);
		FUZZ_ASSERT(a->value != NULL);
		FUZZ_ASSERT(a->len <= IGD_VALUE_MAX);
		FUZZ_ASSERT(a->value[a->len] == '\0');
		FUZZ_ASSERT(igd_reply_get(&r, a->name) != NULL);
	}
	(void)igd_reply_get(&r, "NewExternalIPAddress");
	igd_reply_free(&r);
	FUZZ_ASSERT(r.n == 0);
	free(xml);
	return 0;
}
