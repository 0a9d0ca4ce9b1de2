/*
 * progress: the live status line of `kproof run` on a terminal.
 *
 * One line on stderr, redrawn in place ("\r" + the line + erase to the end
 * of the line) at most four times a second by a thread of its own: the
 * suite and check running and how long each has run, records acknowledged
 * and consumed per second (sampled from the counters the workload engine
 * keeps anyway), the fault in force and how long it has been, and an
 * unavailability (a suite's own, e.g. "writes refused", or "no acks" when a
 * producing workload's acknowledgements stopped for more than a second).
 * Log lines clear the status line first (log.c); it is redrawn on the next
 * tick. After SIGINT/SIGTERM the line is ended with a newline and not drawn
 * again, so what the run prints while it winds down starts on a line of
 * its own.
 *
 * The module owns its state (copied strings in fixed-size buffers; a fault
 * or unavailability text is redacted when set, the only allocation, never
 * per record). Every setter may be called from any
 * thread, and is a cheap no-op when the line is off (not a terminal, -q,
 * TERM=dumb; see kp_progress_wanted). The render thread starts in the
 * process that runs the suites (after kproof run's fork) and is joined by
 * kp_progress_stop.
 */
#ifndef KP_PROGRESS_H
#define KP_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* 1 when stderr should get the live line: stderr is a terminal, quiet is
 * 0, and TERM is set and not "dumb" (the redraw needs the terminal's erase
 * to end of line). NO_COLOR does not turn it off: the line has no colour. */
int kp_progress_wanted(int quiet);
/* Starts the render thread; 0, or -1 when it could not (the run goes on
 * without the line). A second call while running is a no-op. */
int kp_progress_start(void);
/* Stops and joins the render thread and erases the line, or ends it with a
 * newline after a stop request (idempotent). */
void kp_progress_stop(void);

/* What runs now (copied). set_suite resets the check, the fault and the
 * unavailability; NULL clears. */
void kp_progress_set_suite(const char *suite);
void kp_progress_set_check(const char *check);
/* The fault in force since since_ns (monotonic), e.g. "kill_leader p0:
 * broker 2"; shown as "fault: TEXT (3.1 s)" until kp_progress_clear_fault. */
void kp_progress_set_fault(int64_t since_ns, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void kp_progress_clear_fault(void);
/* An unavailability the suite sees itself, e.g. "writes refused" since
 * since_ns; what == NULL clears it. */
void kp_progress_set_unavailable(int64_t since_ns, const char *what);

/* Where the acked/consumed rates come from: fn fills the counts so far
 * (monotonic per source) and whether the source is still producing (an
 * acknowledgement stall counts as unavailability only then). fn is called
 * from the render thread under the module's lock, so a source removed by
 * kp_progress_source_remove is never called again. At most 16 sources;
 * beyond that a source is not counted (-1). */
typedef struct kp_progress_counts {
        uint64_t acked;
        uint64_t consumed;
        int producing;
} kp_progress_counts_t;
typedef void (*kp_progress_counts_fn)(void *opaque, kp_progress_counts_t *out);
int kp_progress_source_add(kp_progress_counts_fn fn, void *opaque);
/* Removes every source registered with opaque (a no-op when none). */
void kp_progress_source_remove(void *opaque);

/* One status line's content, for the formatter. Strings may be NULL or "". */
typedef struct kp_progress_view {
        const char *suite;
        int64_t suite_ns; /* elapsed */
        const char *check;
        int64_t check_ns;
        int has_rates;
        double acked_per_s;
        double consumed_per_s;
        const char *fault;
        int64_t fault_ns;
        const char *unavailable;
        int64_t unavailable_ns;
} kp_progress_view_t;

/* Formats the line into out (NUL-terminated, no control characters): at
 * most width - 1 columns, so the terminal never wraps it. A line too wide
 * in full is made compact (fault and unavailability before the rates,
 * "ack"/"cons", no suite part beside a check), then cut: a line cut short
 * ends with "~" and never splits a UTF-8 character. Returns its length in
 * bytes. */
size_t kp_progress_format(const kp_progress_view_t *v, int width, char *out, size_t size);
/* A rate with its unit: "850/s", "12.3k/s", "1.25M/s". */
void kp_progress_rate(double per_s, char *out, size_t size);
/* An elapsed time: "0:07", "12:03", "1:02:03". */
void kp_progress_clock(int64_t ns, char *out, size_t size);
/* The terminal's width: TIOCGWINSZ of fd, else $COLUMNS, else 80. */
int kp_progress_columns(int fd);

#endif
