/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * errors: the error codes every check_igd module returns.
 *
 * 0 is success.  Negative values are local errors (below).  Positive values
 * are UPnP error codes exactly as the device sent them (401, 606, 713, ...).
 * igd_strerror() in igd.h turns either kind into text.
 */
#ifndef CHECK_IGD_ERRORS_H
#define CHECK_IGD_ERRORS_H

#define IGD_ETIMEOUT   (-1)	/* the run's deadline passed */
#define IGD_ECONNECT   (-2)	/* could not connect */
#define IGD_EPROTOCOL  (-3)	/* malformed HTTP, SSDP or XML from the device */
#define IGD_ETOOBIG    (-4)	/* an answer exceeded its size cap */
#define IGD_ENOMEM     (-5)	/* out of memory */
#define IGD_ESOCKET    (-6)	/* a local socket call failed */
#define IGD_EADDRESS   (-7)	/* a bad URL, address or interface */
#define IGD_EHTTP      (-8)	/* an HTTP status other than 200 without a UPnP error */
#define IGD_ENOTFOUND  (-9)	/* no IGD answered, or a needed service is absent */
#define IGD_ECLOSED    (-10)	/* the device closed the connection early */
#define IGD_ELIMIT     (-11)	/* a hard cap was reached (entries, answers) */
#define IGD_EORDER     (-12)	/* list pages not in port order: cannot page */
#define IGD_EAUTH      (-13)	/* HTTP 401: the device demands authentication */
#define IGD_EBUDGET    (-14)	/* the memory budget of a table was reached */

#endif
