/*
 * signals: the process-wide stop flag raised by SIGINT and SIGTERM.
 *
 * Long-running work (workloads, probes, waits) polls kp_stop_requested() and
 * winds down, so cleanup and undo run from the main flow, never from the
 * signal handler.
 */
#ifndef KP_SIGNALS_H
#define KP_SIGNALS_H

/* Installs the SIGINT/SIGTERM handlers (idempotent). */
void kp_signals_install(void);
int kp_stop_requested(void);
/* The signal that raised the flag, or 0. */
int kp_stop_signal(void);
/* Raises the flag from code (tests, fatal errors). */
void kp_stop_request(int sig);
/* Clears the flag (tests only). */
void kp_stop_reset(void);

#endif
