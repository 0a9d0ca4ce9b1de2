/*
 * semantics.compression-lz4: lz4-compressed batches round-trip byte-exact.
 */
#include "semantics.h"

void sem_check_compression_lz4(kp_ctx_t *ctx, kp_check_t *c)
{
        sem_codec_check(ctx, c, "lz4");
}
