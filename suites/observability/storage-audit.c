/*
 * observability.storage-audit: kproof writes records through the platform
 * and reads them back with a fresh consumer, then looks for the durable
 * writes (and reads) they caused in the target's storage audit source:
 * object puts and gets, or file writes and reads where the platform keeps
 * a file-access trail. An event counts for kproof's records when its
 * resource names kproof's topic (options.storage_match "topic", the
 * default: tiered Kafka and per-topic object layouts) or, with "window",
 * when it happened at or after the start of kproof's writes (object stores whose objects
 * mix topics).
 */
#include <stdio.h>
#include <string.h>

#include "observability.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

enum { S_WRITE, S_READ, S_N };

#define STORAGE_AUDIT_RECORDS 5
#define STORAGE_AUDIT_READ_MS 15000

void obs_check_storage_audit(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_target_t *t = ctx->plat->target;
        const kp_audit_source_cfg_t *src = kp_audit_source_of_kind(t, KP_AUDIT_STORAGE);
        const obs_options_t *o = obs_opts(ctx);
        obs_expect_t x[S_N];
        kp_kvlist_t props = {0};
        char topic[256], group[300], msg[512], missing[512];
        int own_topic = 0, i, rc;
        kp_err_t err = {0};

        if (!src) {
                kp_check_skip(c, "the target declares no audit source of kind storage "
                                 "(audit.sources): no trail of the platform's durable writes "
                                 "and reads to look in");
                return;
        }
        obs_props(ctx, NULL, &props);
        if (ctx->scfg->workload.topic) {
                snprintf(topic, sizeof(topic), "%s", ctx->scfg->workload.topic);
        } else {
                kp_ctx_topic(ctx, "storage-audit", topic, sizeof(topic));
                own_topic = 1;
        }
        memset(x, 0, sizeof(x));
        x[S_WRITE] = (obs_expect_t){
            .label = "durable write of kproof's records",
            .actions = {"PutObject", "UploadPart", "CompleteMultipartUpload", "write"}};
        x[S_READ] = (obs_expect_t){.label = "storage read for kproof's consumer",
                                   .actions = {"GetObject", "read"}};
        for (i = 0; i < S_N; i++) {
                x[i].outcome = "allowed";
                x[i].hint = o->storage_match_window ? NULL : topic;
                x[i].active = 1;
        }
        if (obs_topic_ready(ctx, topic, own_topic, &err) < 0) {
                kp_check_error(c, "cannot create topic %s: %s", topic, err.msg);
                own_topic = 0;
                goto out;
        }
        kp_check_note(c,
                      "audit source %s (%s, %s); kproof writes %d records to topic %s and reads "
                      "them back; an event counts when %s",
                      src->name, kp_audit_format_names[src->format], src->exec ? "exec" : "file",
                      STORAGE_AUDIT_RECORDS, topic,
                      o->storage_match_window
                          ? "it happened at or after the start of kproof's writes"
                          : "its resource names the topic");
        x[S_WRITE].start_ns = kp_wall_ns();
        for (i = 0; i < STORAGE_AUDIT_RECORDS; i++)
                if ((rc = obs_produce_one(&props, topic, msg, sizeof(msg))) != 0) {
                        kp_check_error(c, "kproof could not write to %s: %s", topic, msg);
                        goto out;
                }
        x[S_WRITE].end_ns = kp_wall_ns();
        kp_ctx_topic(ctx, "storage-audit-reader", group, sizeof(group));
        x[S_READ].start_ns = kp_wall_ns();
        if ((rc = obs_consume_one(&props, topic, group, STORAGE_AUDIT_READ_MS, msg, sizeof(msg))) !=
            0) {
                kp_check_error(c, "kproof could not read back from %s: %s", topic, msg);
                goto out;
        }
        x[S_READ].end_ns = kp_wall_ns();
        if (obs_trail_poll(ctx, src, x, S_N, x[S_READ].end_ns + o->wait_ns, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        obs_report(c, src, x, S_N, missing, sizeof(missing));
        if (!x[S_WRITE].found)
                kp_check_fail(c,
                              "storage source %s does not show the durable write of kproof's "
                              "records to %s within %.0f s%s",
                              src->name, topic, (double)o->wait_ns / KP_NS_PER_S,
                              x[S_WRITE].anon ? " with the caller's identity (the trail names "
                                                "no principal)"
                                              : "");
        else
                kp_check_pass(c,
                              "storage source %s shows the durable write of kproof's records "
                              "(%s by %s)%s",
                              src->name, x[S_WRITE].ev.action, x[S_WRITE].ev.principal,
                              x[S_READ].found ? " and the read for kproof's consumer"
                                              : "; the read was served without a storage read "
                                                "in the trail (e.g. from a cache or local "
                                                "disk), which is not a finding");
out:
        if (own_topic) {
                kp_err_t e2 = {0};
                kp_platform_delete_topic(ctx->plat, topic, &e2);
        }
        kp_kvlist_clear(&props);
}
