/*
 * semantics.compression-gzip: gzip-compressed batches round-trip byte-exact.
 */
#include "semantics.h"

void sem_check_compression_gzip(kp_ctx_t *ctx, kp_check_t *c)
{
        sem_codec_check(ctx, c, "gzip");
}
