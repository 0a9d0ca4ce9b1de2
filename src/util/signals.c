#include "util/signals.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* Raised in the signal handler, read by every thread: a lock-free atomic is
 * both async-signal-safe and free of data races. */
static atomic_int stop_sig;

static void on_signal(int sig)
{
        if (stop_sig) {
                /* A second signal: the user insists; leave the default action
                 * to the next one so a stuck undo can still be broken. */
                signal(sig, SIG_DFL);
        }
        stop_sig = sig;
}

void kp_signals_install(void)
{
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        /* SA_RESTART: a signal does not make a write (the undo journal's, an
         * artifact's) fail with EINTR; waits that must wake poll the flag. */
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
}

int kp_stop_requested(void)
{
        return stop_sig != 0;
}

int kp_stop_signal(void)
{
        return stop_sig;
}

void kp_stop_request(int sig)
{
        stop_sig = sig ? sig : SIGTERM;
}

void kp_stop_reset(void)
{
        stop_sig = 0;
}
