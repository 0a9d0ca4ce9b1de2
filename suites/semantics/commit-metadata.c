/*
 * semantics.commit-metadata: OffsetCommit metadata is read back byte-exact by
 * committed().
 */
#include <stdlib.h>
#include <string.h>

#include "semantics.h"

/* OffsetCommit with a metadata string (UTF-8, JSON-like, as stream
 * processors store their state there) on one partition and none on the
 * other; a new consumer of the group reads both back with committed(). */
void sem_check_commit_metadata(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const meta_in[2] = {
            "kproof {\"epoch\":7,\"note\":\"caf\xc3\xa9 \xe2\x9c\x93\"}", NULL};
        const int64_t offs_in[2] = {5, 11};
        rd_kafka_t *a = NULL, *b = NULL;
        rd_kafka_resp_err_t e, pe;
        char topic[256] = "", group[256];
        char *meta_out[2] = {NULL, NULL};
        int64_t offs_out[2] = {-1, -1};

        if (sem_topic(ctx, c, "commit-metadata", 2, NULL, topic, sizeof(topic)) < 0)
                goto out;
        sem_group_name(ctx, c, group, sizeof(group));
        a = sem_group_consumer(ctx, c, group);
        if (!a)
                goto out;
        e = sem_commit_offsets(a, topic, offs_in, meta_in, 2, &pe);
        if (e || pe) {
                kp_check_fail(c, "OffsetCommit with metadata refused: %s",
                              rd_kafka_err2name(e ? e : pe));
                goto out;
        }
        b = sem_group_consumer(ctx, c, group);
        if (!b)
                goto out;
        e = sem_read_committed(b, topic, 2, offs_out, meta_out);
        if (e) {
                kp_check_fail(c, "OffsetFetch of the group failed: %s", rd_kafka_err2name(e));
                goto out;
        }
        kp_check_note(c,
                      "read back: [0] offset %lld metadata \"%s\"; [1] offset %lld metadata \"%s\"",
                      (long long)offs_out[0], meta_out[0] ? meta_out[0] : "(none)",
                      (long long)offs_out[1], meta_out[1] ? meta_out[1] : "(none)");
        if (offs_out[0] != offs_in[0] || offs_out[1] != offs_in[1])
                kp_check_fail(c,
                              "committed offsets read back as %lld and %lld (committed %lld and "
                              "%lld)",
                              (long long)offs_out[0], (long long)offs_out[1], (long long)offs_in[0],
                              (long long)offs_in[1]);
        else if (!meta_out[0] || strcmp(meta_out[0], meta_in[0]) != 0)
                kp_check_fail(c, "the commit metadata of partition 0 read back as \"%s\"",
                              meta_out[0] ? meta_out[0] : "(none)");
        else if (!meta_out[1] || meta_out[1][0] != '\0')
                kp_check_fail(c, "partition 1 was committed without metadata but reads back \"%s\"",
                              meta_out[1] ? meta_out[1] : "(out of memory)");
        else
                kp_check_pass(c,
                              "a new consumer of the group read back both committed offsets, the "
                              "%zu-byte UTF-8 metadata string byte-exact and no metadata where "
                              "none was committed",
                              strlen(meta_in[0]));
out:
        free(meta_out[0]);
        free(meta_out[1]);
        kp_kc_close(b);
        kp_kc_close(a);
        sem_topic_drop(ctx, c, topic);
}
