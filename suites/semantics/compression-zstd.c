/*
 * semantics.compression-zstd: zstd-compressed batches round-trip byte-exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "util/digest.h"
#include "util/timeutil.h"

void sem_check_compression_zstd(kp_ctx_t *ctx, kp_check_t *c)
{
        sem_codec_check(ctx, c, "zstd");
}
