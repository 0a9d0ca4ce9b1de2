/*
 * revocation.recovery: After the key is restored, writes and reads recover in
 * bounded time.
 */
#include <time.h>

#include "revocation.h"
#include "util/timeutil.h"

void rev_check_recovery(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        int64_t rec;

        if (rev_precheck(ctx, c, 1) < 0)
                return;
        if (!st->flow_done || !st->restored) {
                kp_check_error(c, "revocation.write-effect did not run to a result: no "
                                  "revocation and restore whose recovery could be measured");
                return;
        }
        if (st->write_recovery_ns >= 0)
                kp_check_measure(c, "write_recovery_s", (double)st->write_recovery_ns / 1e9, "s");
        if (st->read_recovery_ns >= 0)
                kp_check_measure(c, "read_recovery_s", (double)st->read_recovery_ns / 1e9, "s");
        if (st->write_recovery_ns < 0 || st->read_recovery_ns < 0) {
                kp_check_measure(c, "recovery_s", (double)st->opts.recovery_timeout_ns / 1e9, "s");
                kp_check_fail(c, "%s did not recover within %lld s after the key was restored",
                              st->write_recovery_ns < 0 && st->read_recovery_ns < 0
                                  ? "writes and reads"
                              : st->write_recovery_ns < 0 ? "writes"
                                                          : "reads",
                              (long long)(st->opts.recovery_timeout_ns / KP_NS_PER_S));
                return;
        }
        rec = st->write_recovery_ns > st->read_recovery_ns ? st->write_recovery_ns
                                                           : st->read_recovery_ns;
        kp_check_measure(c, "recovery_s", (double)rec / 1e9, "s");
        kp_check_pass(c, "writes recovered %.2f s and reads %.2f s after the key was restored",
                      (double)st->write_recovery_ns / 1e9, (double)st->read_recovery_ns / 1e9);
}
