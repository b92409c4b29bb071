/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz ssdp_parse(): one datagram from anybody on the LAN. */
#include "fuzz_common.h"
#include "ssdp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssdp_answer a;

	/* straight from the socket buffer: no NUL after the datagram */
	memset(&a, 0x5a, sizeof(a));
	strcpy(a.sender, "192.168.1.1");
	if (ssdp_parse((const char *)data, size, &a) == 0) {
		FUZZ_CHECK_FIELD(a.location);
		FUZZ_CHECK_FIELD(a.st);
		FUZZ_CHECK_FIELD(a.usn);
		FUZZ_CHECK_FIELD(a.server);
		FUZZ_ASSERT(a.location[0] != '\0');
		FUZZ_ASSERT(strcmp(a.sender, "192.168.1.1") == 0);
		(void)ssdp_is_igd(&a);
		(void)ssdp_location_is_sender(&a);
		strcpy(a.sender, "fe80::1");
		(void)ssdp_location_is_sender(&a);
	}
	return 0;
}
