/*
 * revocation.old-data: After revocation, old data is unreadable by a fresh
 * consumer (served from a cache: a finding that fails unless the scenario
 * tolerates it).
 */
#include "revocation.h"

void rev_check_old_data(kp_ctx_t *ctx, kp_check_t *c)
{
        if (rev_precheck(ctx, c, 1) < 0)
                return;
        rev_judge_old_data(rev_state(ctx), c);
}
