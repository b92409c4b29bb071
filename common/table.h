/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * table: a port-mapping table saved as YAML and loaded back, for
 * check_igd_portmap --save FILE (write the table read from a device) and
 * --table FILE (judge a saved, possibly hand-edited, table offline).
 *
 * FORMAT (version 1), exactly as table_save() writes it:
 *
 *   # check_igd saved port-mapping table
 *   version: 1
 *   location: "http://192.168.1.1:5000/rootDesc.xml"
 *   udn: "uuid:..."
 *   external_address: "11.22.33.44"
 *   complete: true
 *   mappings:
 *     - protocol: TCP
 *       external_port: 8080
 *       internal_client: "10.0.0.2"
 *       internal_port: 80
 *       remote_host: ""
 *       description: "any text"
 *       lease: 0
 *       enabled: true
 *       service: 1
 *
 * An empty table is written "mappings: []".  location and udn are left out
 * when the caller passes NULL.
 *
 * Keys (the loader is strict: an unknown key, a duplicate key, a wrong type
 * or a bad value is an error):
 *   version           required, the FIRST key, plain integer 1
 *   location          optional string (checked, not kept by table_load)
 *   udn               optional string, kept in t->udn when < IGD_STR_MAX
 *                     bytes (a longer one is left unknown, "")
 *   external_address  optional string, < 64 bytes ("")
 *   complete          required, true|false
 *   mappings          required, a list of at most IGD_TABLE_MAX mappings
 * In each mapping (any order):
 *   protocol          required, TCP|UDP (any case; kept upper case)
 *   external_port     required, plain integer 1..65535
 *   internal_client   required string, < 64 bytes (not checked as an address:
 *                     the table keeps what the device said)
 *   internal_port     required, plain integer 0..65535; 0 means the
 *                     device did not tell it (MiniUPnPd 2.3.6-2.3.7 answer
 *                     0 for every mapping, quirk internal-port-0):
 *                     table_save() writes it with a comment saying so,
 *                     table_load() sets that quirk in t->quirks, and the
 *                     mapping is judged as one read from such a device
 *                     (rules on the internal port cannot judge it)
 *   lease             required, plain integer 0..2^63-1 (0 = permanent)
 *   remote_host       optional string, < 64 bytes ("" = any)
 *   description       optional string ("")
 *   enabled           optional, true|false (true)
 *   service           optional, plain integer 1..IGD_SERVICES_MAX (1)
 * Integers must be plain (a quoted "80" is a string); booleans are
 * true/True/TRUE/false/False/FALSE; strings may be plain or quoted.
 * Refused outright: anchors, aliases, tags, more than one document, files
 * over TABLE_FILE_MAX bytes, invalid UTF-8, NUL characters in a string.
 *
 * STRINGS are written as YAML double-quoted scalars.  Printable ASCII is
 * kept except '"' and '\' (written \" and \\); newline, tab and CR are
 * written \n \t \r; every other control byte \xNN.  Valid UTF-8 is kept as
 * it is, except C1 controls, U+2028, U+2029, U+FEFF, U+FFFE and U+FFFF,
 * which are written \uNNNN (YAML would fold or refuse them raw).
 *
 * RAW BYTES.  A device may send a description that is not valid UTF-8, and
 * YAML text cannot hold such bytes: libyaml decodes the escape \xNN to the
 * code point U+00NN (two UTF-8 bytes for NN >= 80), not to the byte.  So a
 * byte 0xNN (80..FF) that is not part of a valid UTF-8 sequence is written
 * \uEFNN, a code point of the Private Use Area range U+EF80..U+EFFF, and the
 * loader turns every U+EF80..U+EFFF back into the single byte 0xNN (the
 * MirBSD "OPTU-8" convention).  A genuine U+EF80..U+EFFF character in a
 * string is written as its three bytes, each as \uEFNN, so every string
 * survives the round trip byte for byte.  By hand: write \uEFFF for the byte
 * 0xFF; "\xFF" means the character U+00FF ("ÿ").
 *
 * Nothing here prints or exits.
 */
#ifndef CHECK_IGD_TABLE_H
#define CHECK_IGD_TABLE_H

#include <stddef.h>
#include "igd.h"

#define TABLE_FILE_MAX   (64 * 1024 * 1024)	/* larger files are refused */
#define TABLE_VERSION    1
#define TABLE_METHOD     "saved table"		/* t->method after a load */

/*
 * Write t, and the device identity strings location and udn (either may be
 * NULL: the key is left out), to path atomically: a temporary file in the
 * same folder, fsync, rename over path.  Refuses (writing nothing) a table
 * that table_load() would refuse: more than IGD_TABLE_MAX mappings, a bad
 * protocol, port, lease or service, a string too long, or a file over
 * TABLE_FILE_MAX.  Returns 0, or -1 with a message in err.
 */
int table_save(const char *path, const struct igd_table *t,
    const char *location, const char *udn, char *err, size_t errlen);

/*
 * Load the table saved at path into *t (zeroed first).  t->complete and
 * t->external_address come from the file, t->method is TABLE_METHOD,
 * t->rc is 0 (a file does not say why a table was incomplete).  Returns 0
 * (free *t with igd_table_free()), or -1 with "FILE:LINE:COLUMN: message"
 * (or "FILE: message") in err and *t left empty (zeroed).
 */
int table_load(const char *path, struct igd_table *t, char *err,
    size_t errlen);

/* The same from a buffer of len bytes; name is used in messages. */
int table_load_buffer(const char *name, const char *buf, size_t len,
    struct igd_table *t, char *err, size_t errlen);

#endif
