/* Unit tests of signals: SIGINT and SIGTERM raise the stop flag (an atomic
 * read by every thread) instead of ending the process, with SA_RESTART so
 * a write in progress (the undo journal's) is not failed with EINTR; a
 * second signal restores the default action for the one after. */
#include "kptest.h"

#include <signal.h>

#include "util/signals.h"

static void test_flag_and_restart(void **state)
{
        struct sigaction sa;

        (void)state;
        kp_signals_install();
        kp_stop_reset();
        assert_int_equal(sigaction(SIGINT, NULL, &sa), 0);
        assert_true(sa.sa_flags & SA_RESTART);
        assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
        assert_true(sa.sa_flags & SA_RESTART);
        assert_false(kp_stop_requested());
        raise(SIGTERM);
        assert_true(kp_stop_requested());
        assert_int_equal(kp_stop_signal(), SIGTERM);
        /* the second one leaves the default action to the next */
        raise(SIGTERM);
        assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
        assert_true(sa.sa_handler == SIG_DFL);
        kp_stop_reset();
        kp_signals_install();
        assert_false(kp_stop_requested());
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_flag_and_restart),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
