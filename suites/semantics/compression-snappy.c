/*
 * semantics.compression-snappy: snappy-compressed batches round-trip byte-
 * exact.
 */
#include "semantics.h"

void sem_check_compression_snappy(kp_ctx_t *ctx, kp_check_t *c)
{
        sem_codec_check(ctx, c, "snappy");
}
