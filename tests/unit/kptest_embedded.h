/*
 * kptest_embedded: a cmocka group fixture for unit tests that need a real
 * client against librdkafka's mock cluster — the shipped targets/embedded.json
 * loaded and opened once per group.
 */
#ifndef KP_TEST_EMBEDDED_H
#define KP_TEST_EMBEDDED_H

#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "platform/platform.h"
#include "util/log.h"

typedef struct kpt_embedded {
        kp_target_t *target;
        kp_platform_t *plat;
} kpt_embedded_t;

/* Group setup: *state becomes a kpt_embedded_t with the target open. */
static inline int kpt_embedded_setup(void **state)
{
        const char *src = getenv("KPROOF_SRC");
        kpt_embedded_t *f = calloc(1, sizeof(*f));
        char path[4096];
        kp_err_t err;

        kp_log_set_level(KP_LOG_WARN);
        snprintf(path, sizeof(path), "%s/targets/embedded.json", src ? src : ".");
        if (!f || kp_target_load(path, &f->target, &err) < 0 ||
            kp_platform_open(f->target, &f->plat, &err) < 0) {
                fprintf(stderr, "setup: %s\n", f ? err.msg : "out of memory");
                free(f);
                return -1;
        }
        *state = f;
        return 0;
}

static inline int kpt_embedded_teardown(void **state)
{
        kpt_embedded_t *f = *state;

        kp_platform_close(f->plat);
        kp_target_free(f->target);
        free(f);
        return 0;
}

#endif
