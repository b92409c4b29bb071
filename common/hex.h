/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hex: the value of one hexadecimal digit, for the parsers that read MAC
 * addresses, OUI prefixes and escaped state-file fields.  Nothing here
 * prints or exits.
 */
#ifndef CHECK_IGD_HEX_H
#define CHECK_IGD_HEX_H

/* 0..15 for [0-9a-fA-F], -1 for any other byte. */
static inline int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
