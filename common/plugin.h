/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plugin: the Nagios/Monitoring Plugins conventions shared by every check.
 *
 * States and exit codes, range thresholds, performance data, sanitising of
 * text that came from a device, and the assembly of one verdict:
 *
 *   IGD <CHECK> <STATE> - summary
 *   long output line (one per subcheck)
 *   ...
 *   | perfdata perfdata ...
 *
 * All perfdata goes after a single '|' at the very end (on the first line when
 * there is no long output, otherwise on the last long-output line, as the
 * Nagios 3+ format allows).  Nothing here prints or exits; plugin_out_render()
 * fills a caller's buffer and main() writes it.
 */
#ifndef CHECK_IGD_PLUGIN_H
#define CHECK_IGD_PLUGIN_H

#include <stddef.h>

enum plugin_state {
	PLUGIN_OK = 0,
	PLUGIN_WARNING = 1,
	PLUGIN_CRITICAL = 2,
	PLUGIN_UNKNOWN = 3
};

/* Size limits of the output, in bytes. */
#define PLUGIN_LINE_MAX     512	/* one summary or long-output line */
#define PLUGIN_TEXT_MAX     4000	/* the whole rendered output */
#define PLUGIN_LABEL_MAX    64	/* one perfdata label */
#define PLUGIN_MAX_LINES    64	/* long-output lines kept (more are counted) */
#define PLUGIN_MAX_PERF     128	/* perfdata items kept (a WAN device
				   with 8 WANs and 32 connections: 123) */

/* "OK", "WARNING", "CRITICAL" or "UNKNOWN"; "UNKNOWN" for an invalid value. */
const char *plugin_state_name(enum plugin_state s);

/*
 * Parse a state name (case-insensitive, "OK", "WARNING", "CRITICAL",
 * "UNKNOWN", also "WARN", "CRIT") or digit 0-3.  Returns 0 and sets *out, or -1.
 */
int plugin_state_parse(const char *s, enum plugin_state *out);

/* The worse of two states: CRITICAL > WARNING > UNKNOWN > OK. */
enum plugin_state plugin_state_worst(enum plugin_state a, enum plugin_state b);

/*
 * A range in the Monitoring Plugins syntax: "10" (alert outside 0..10),
 * "10:" (outside 10..inf), "~:10" (outside -inf..10), "10:20", "@10:20"
 * (alert inside 10..20).  Endpoints are inclusive.
 */
struct plugin_range {
	double start;
	double end;
	int start_infinite;	/* start is -infinity ("~") */
	int end_infinite;	/* end is +infinity ("10:") */
	int inside;		/* '@': alert when inside */
	char text[48];		/* the range as given, for perfdata */
};

/* Parse s into *r.  Returns 0, or -1 for a malformed or impossible range
 * (start > end, empty, trailing garbage, NaN, "inf"). */
int plugin_range_parse(const char *s, struct plugin_range *r);

/* 1 when value v raises an alert under r, 0 otherwise. */
int plugin_range_alert(const struct plugin_range *r, double v);

/* Warning and critical ranges; either may be unset. */
struct plugin_thresholds {
	int has_warn;
	int has_crit;
	struct plugin_range warn;
	struct plugin_range crit;
};

/* Critical is evaluated before warning; OK when neither alerts or is set. */
enum plugin_state plugin_thresholds_eval(const struct plugin_thresholds *t,
    double v);

/*
 * Copy device text into out (outlen bytes, always NUL-terminated) so that it
 * is safe in plugin output: '|' becomes '!', control bytes (including CR, LF,
 * TAB, ESC, DEL, C1) and invisible format characters (zero-width, bidi
 * overrides and isolates, BOM) become ' ', invalid UTF-8 becomes '?', runs of spaces
 * collapse, and at most maxchars characters are kept ("..." marks a cut).
 * in may hold inlen bytes with no NUL.  Returns the length written.
 */
size_t plugin_sanitize(char *out, size_t outlen, const char *in, size_t inlen,
    size_t maxchars);

/*
 * Format a number for perfdata with '.' whatever the locale: integers without
 * a fraction, others with up to 6 significant decimals, no exponent for
 * values below 1e15.  Returns 0, or -1 when buf is too small or v not finite.
 */
int plugin_format_number(double v, char *buf, size_t len);

/* One verdict under construction (opaque). */
struct plugin_out;

/* check is the upper-case check name shown after "IGD ", e.g. "PRESENT".
 * Returns NULL when out of memory.  Free with plugin_out_free(). */
struct plugin_out *plugin_out_new(const char *check);

/* Accepts NULL. */
void plugin_out_free(struct plugin_out *o);

/* Set the summary shown on the first line (printf format; the result is
 * sanitised as a whole).  A later call replaces it. */
void plugin_out_summary(struct plugin_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add a subcheck: its state joins the overall state (worst wins) and the
 * line is shown in the long output, prefixed "[STATE] ".  The long output
 * lists CRITICAL, then WARNING, then UNKNOWN subchecks, then OK ones and
 * plain lines, each group in the order added; past PLUGIN_MAX_LINES the
 * least severe lines are the ones left out. */
void plugin_out_sub(struct plugin_out *o, enum plugin_state st,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Set the summary so that it names the worst finding: the text of the first
 * subcheck of the worst state added so far, then in parentheses how many
 * other subchecks are CRITICAL, WARNING, UNKNOWN ("+1 critical, 100
 * warning") and the printf text given, e.g. "rule: TCP 5555 -> ... (+100
 * warning; 101 mappings)".  With no finding other than OK, or
 * when the overall state is not that finding's (plugin_out_set_state), the
 * summary is the given text alone.
 */
void plugin_out_summary_worst(struct plugin_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add a long-output line that carries no state (identity, details). */
void plugin_out_info(struct plugin_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Raise the overall state without a line (worst wins). */
void plugin_out_raise(struct plugin_out *o, enum plugin_state st);

/* Replace the overall state whatever it was (e.g. the timeout state). */
void plugin_out_set_state(struct plugin_out *o, enum plugin_state st);

enum plugin_state plugin_out_state(const struct plugin_out *o);

/*
 * Add a perfdata item: 'label'=value[uom];warn;crit;min;max.  The label is
 * cleaned (no '=' or quote, bounded), quoted when it holds anything but
 * [A-Za-z0-9_.-], and made unique by appending "_2", "_3"...  uom may be
 * NULL or one of "", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c".
 * t, min and max may be NULL.  Returns 0, or -1 (bad uom, non-finite value,
 * or too many items; the item is dropped).
 */
int plugin_out_perf(struct plugin_out *o, const char *label, double value,
    const char *uom, const struct plugin_thresholds *t, const double *min,
    const double *max);

/*
 * Add a perfdata item whose value cannot be known in this run (a rate on a
 * first run, a counter the device did not give): 'label'=U;warn;crit;min;max
 * (no unit with U).  Printing the label on every run keeps graphs (PNP4Nagios,
 * Graphite) from breaking when the value appears.  As plugin_out_perf().
 */
int plugin_out_perf_u(struct plugin_out *o, const char *label,
    const struct plugin_thresholds *t, const double *min, const double *max);

/*
 * Put the perfdata items named in labels (n of them) first, in that order,
 * adding 'label'=U;;;0; for each one not added (a value this run could not
 * give); other items follow in the order they were added.  A plugin calls
 * it once, before its last items (time), so that every run prints the same
 * labels in the same order: PNP4Nagios keys its data sources by position.
 * Returns 0, or -1 when an item could not be added.
 */
int plugin_out_perf_canon(struct plugin_out *o, const char *const *labels,
    size_t n);

/* ---- JSON (--format json) ----
 *
 * The same verdict as one JSON document (schema/output.schema.json): the
 * state, the status line, the text output as the text format prints it,
 * every subcheck as a finding (with the rule that made it and the fact it
 * concerns), every plain line as a note, the perfdata as numbers, and the
 * facts the plugin read (written by the judges into plugin_out_facts()).
 * Nothing is kept for JSON unless plugin_out_want_json() was called.
 */
struct json;

#define PLUGIN_FACTS_MAX (12 * 1024 * 1024)	/* bytes of facts kept */
#define PLUGIN_RULE_MAX  64			/* one finding's rule */

/* Keep what the JSON document needs from now on.  0, or -1 when out of
 * memory (then the document says the facts were lost). */
int plugin_out_want_json(struct plugin_out *o);

/* 1 when plugin_out_want_json() was called. */
int plugin_out_is_json(const struct plugin_out *o);

/*
 * The facts object: an open JSON object to which judges add members
 * (json_key, json_*), or NULL when JSON was not asked for (every json_*
 * call then must be skipped: test for NULL).  Left open or half-written
 * members are closed when rendered; past PLUGIN_FACTS_MAX the facts are
 * replaced by null and facts_complete is false.
 */
struct json *plugin_out_facts(struct plugin_out *o);

/*
 * As plugin_out_sub(), and the finding names the rule that made it (a
 * policy rule name, or a policy key such as "wan.uptime"; NULL for none)
 * and the index of the fact it concerns in the facts' main list (the
 * mapping for portmap), or -1.
 */
void plugin_out_finding(struct plugin_out *o, enum plugin_state st,
    const char *rule, long item, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Why the run ended before a device was read ("options", "policy",
 * "memory", "timeout"), and the message; shown as "error" in JSON. */
void plugin_out_error(struct plugin_out *o, const char *stage,
    const char *message);

/*
 * Write the whole JSON document of the verdict into j (a fresh writer):
 * prog is the plugin's name ("check_igd_wan").  Returns the overall state;
 * json_done(j) says whether the document is whole.
 */
enum plugin_state plugin_out_render_json(const struct plugin_out *o,
    const char *prog, struct json *j);

/*
 * Render the verdict into buf (len bytes, NUL-terminated, ends with '\n').
 * The output is cut to fit (long-output lines first, then perfdata items,
 * never the status line) so it is always well-formed.  Sets *olen to the
 * length written.  Returns the overall state.
 */
enum plugin_state plugin_out_render(const struct plugin_out *o, char *buf,
    size_t len, size_t *olen);

/*
 * Length of the valid UTF-8 sequence at s (n bytes available), with *cp set
 * to its code point, or 0 when s does not start a valid sequence (overlong
 * forms, surrogates, values above U+10FFFF and cut sequences are invalid).
 * The sanitiser and the JSON escaper share it.
 */
size_t plugin_utf8_len(const unsigned char *s, size_t n, unsigned long *cp);

#endif
