/*
 * semantics.acks-all: acks=all: every acknowledged record of a tracked
 * workload is consumed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "adapters/control.h"
#include "util/fsutil.h"
#include "platform/platform.h"
#include "engine/wlreport.h"
#include "engine/workload.h"

void sem_check_acks_all(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        kp_workload_spec_t spec;
        kp_workload_t *wl = NULL;
        kp_workload_results_t r;
        kp_kvlist_t pover = {0}, cover = {0};
        char topic[256], dir[4096];
        uint64_t lost;
        kp_err_t err;

        if (w->topic)
                snprintf(topic, sizeof(topic), "%s", w->topic);
        else
                kp_ctx_topic(ctx, "acks-all", topic, sizeof(topic));
        if (kp_platform_create_topic(ctx->plat, topic, w->partitions, w->replication_factor,
                                     &w->topic_config, &err) < 0) {
                kp_check_error(c, "cannot create topic %s: %s", topic, err.msg);
                return;
        }
        kp_kvlist_merge(&pover, &ctx->scfg->client.producer);
        kp_kvlist_merge(&cover, &ctx->scfg->client.consumer);
        /* This check is about acks=all: the profile is always safe. */
        kp_kvlist_set(&pover, "acks", "all");
        memset(&spec, 0, sizeof(spec));
        spec.cfg = w;
        spec.topic = topic;
        spec.profile = KP_PROFILE_SAFE;
        spec.producer_overrides = &pover;
        spec.consumer_overrides = &cover;
        wl = kp_workload_new(ctx->plat, &spec, &err);
        if (!wl) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        if (kp_workload_run(wl, &err) < 0) {
                kp_check_error(c, "workload: %s", err.msg);
                goto out;
        }
        lost = kp_wlreport_record(c, wl);
        kp_workload_results(wl, &r);
        if (kp_ctx_path(ctx, "plots", dir, sizeof(dir)) == 0 &&
            kp_wlreport_timeline(c, wl, dir, "plots", "semantics-acks-all-timeline",
                                 "acks=all workload: throughput and p99 latency", NULL, 0,
                                 &err) < 0)
                kp_check_note(c, "timeline plot not drawn: %s", err.msg);
        kp_check_note(c,
                      "topic %s, %d partitions, %d-byte records, %d producer(s), %d consumer(s), "
                      "profile safe (acks=all, idempotence, read_committed)",
                      topic, w->partitions, w->message_bytes, w->producers, w->consumers);
        if (r.ledger.acked == 0)
                kp_check_error(c, "no record was acknowledged: nothing to judge");
        else if (lost)
                kp_check_fail(c, "%llu of %llu acknowledged records were never consumed",
                              (unsigned long long)lost, (unsigned long long)r.ledger.acked);
        else if (r.other_offset)
                kp_check_fail(c, "%llu records were read at an offset other than acknowledged",
                              (unsigned long long)r.other_offset);
        else if (r.corrupt)
                kp_check_fail(c, "%llu records came back corrupted", (unsigned long long)r.corrupt);
        else if (w->consumers == 0)
                kp_check_error(c, "the workload has no consumer, so durability cannot be judged");
        else {
                kp_check_answer(c, "all %llu acknowledged records consumed intact",
                                (unsigned long long)r.ledger.acked);
                kp_check_pass(c,
                              "all %llu acknowledged records were consumed intact (%llu sent, "
                              "%llu delivery failures)",
                              (unsigned long long)r.ledger.acked, (unsigned long long)r.ledger.sent,
                              (unsigned long long)r.ledger.failed);
        }
out:
        kp_workload_free(wl);
        kp_kvlist_clear(&pover);
        kp_kvlist_clear(&cover);
}
