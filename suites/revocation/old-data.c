/*
 * revocation.old-data: After revocation, old data is unreadable by a fresh
 * consumer (served from a cache: a finding that fails unless the scenario
 * tolerates it).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "revocation.h"
#include "util/digest.h"
#include "evidence/events.h"
#include "util/fsutil.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "util/plot.h"
#include "util/progress.h"
#include "util/signals.h"
#include "adapters/storage.h"
#include "util/timeutil.h"

void rev_check_old_data(kp_ctx_t *ctx, kp_check_t *c)
{
        if (rev_precheck(ctx, c, 1) < 0)
                return;
        rev_judge_old_data(rev_state(ctx), c);
}
