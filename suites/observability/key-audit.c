/*
 * observability.key-audit: kproof writes and reads records through the
 * platform on a topic protected by the target's customer key, and asks the
 * KMS for the key itself (DescribeKey); then it looks for both in the
 * target's key audit source: the platform's use of the key (data key
 * generation or encryption while kproof wrote, decryption while it read)
 * and kproof's own key administration, each with the caller's identity.
 */
#include <stdio.h>
#include <string.h>

#include "observability.h"
#include "platform/kafka.h"
#include "adapters/kms.h"
#include "platform/platform.h"
#include "util/timeutil.h"

enum { K_WRITE, K_READ, K_DESCRIBE, K_N };

#define KEY_AUDIT_RECORDS 5
#define KEY_AUDIT_GAP_MS  400
#define KEY_AUDIT_READ_MS 15000

static int write_and_read(kp_ctx_t *ctx, const kp_kvlist_t *props, const char *topic,
                          obs_expect_t *x, char *msg, size_t size)
{
        char group[300];
        int i, rc;

        x[K_WRITE].start_ns = kp_wall_ns();
        for (i = 0; i < KEY_AUDIT_RECORDS; i++) {
                if ((rc = obs_produce_one(props, topic, msg, size)) != 0)
                        return rc;
                if (i + 1 < KEY_AUDIT_RECORDS)
                        kp_sleep_ms(KEY_AUDIT_GAP_MS);
        }
        x[K_WRITE].end_ns = kp_wall_ns();
        kp_ctx_topic(ctx, "key-audit-reader", group, sizeof(group));
        x[K_READ].start_ns = kp_wall_ns();
        rc = obs_consume_one(props, topic, group, KEY_AUDIT_READ_MS, msg, size);
        x[K_READ].end_ns = kp_wall_ns();
        return rc;
}

void obs_check_key_audit(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_target_t *t = ctx->plat->target;
        const kp_audit_source_cfg_t *src = kp_audit_source_of_kind(t, KP_AUDIT_KEY);
        const obs_options_t *o = obs_opts(ctx);
        obs_expect_t x[K_N];
        kp_kvlist_t props = {0};
        kp_kms_t *kms = NULL;
        kp_kms_key_t key = {0};
        char topic[256], msg[512], missing[512];
        int own_topic = 0, rc, used;
        kp_err_t err = {0};

        if (!src) {
                kp_check_skip(c, "the target declares no audit source of kind key "
                                 "(audit.sources)");
                return;
        }
        if (!t->kms_type || strcmp(t->kms_type, "aws-kms") != 0) {
                kp_check_skip(c, "the target declares no customer key (kms section): there is "
                                 "no key whose use could be audited");
                return;
        }
        obs_props(ctx, NULL, &props);
        if (ctx->scfg->workload.topic) {
                snprintf(topic, sizeof(topic), "%s", ctx->scfg->workload.topic);
        } else {
                kp_ctx_topic(ctx, "key-audit", topic, sizeof(topic));
                own_topic = 1;
        }
        memset(x, 0, sizeof(x));
        x[K_WRITE] = (obs_expect_t){
            .label = "platform key use while kproof wrote",
            .actions = {"GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "Encrypt"}};
        x[K_READ] = (obs_expect_t){.label = "platform decryption while kproof read",
                                   .actions = {"Decrypt"}};
        x[K_DESCRIBE] = (obs_expect_t){.label = "kproof's DescribeKey", .actions = {"DescribeKey"}};

        if (obs_topic_ready(ctx, topic, own_topic, &err) < 0) {
                kp_check_error(c, "cannot create topic %s: %s", topic, err.msg);
                own_topic = 0;
                goto out;
        }
        if (kp_kms_new(&t->kms, &kms, &err) < 0) {
                kp_check_error(c, "KMS adapter: %s", err.msg);
                goto out;
        }
        x[K_DESCRIBE].start_ns = kp_wall_ns();
        if (kp_kms_describe_key(kms, t->kms.key, &key, &err) < 0) {
                kp_check_error(c, "DescribeKey %s: %s", t->kms.key, err.msg);
                goto out;
        }
        x[K_DESCRIBE].end_ns = kp_wall_ns();
        for (rc = 0; rc < K_N; rc++) {
                x[rc].outcome = "allowed";
                x[rc].hint = key.key_id;
                x[rc].hint2 = key.arn[0] ? key.arn : NULL;
                x[rc].active = 1;
        }
        kp_check_note(c,
                      "audit source %s (%s, %s); key %s (%s); kproof writes %d records to and "
                      "reads from topic %s",
                      src->name, kp_audit_format_names[src->format], src->exec ? "exec" : "file",
                      t->kms.key, key.arn[0] ? key.arn : key.key_id, KEY_AUDIT_RECORDS, topic);
        if ((rc = write_and_read(ctx, &props, topic, x, msg, sizeof(msg))) != 0) {
                kp_check_error(c, "kproof could not write and read records on %s: %s", topic, msg);
                goto out;
        }
        if (obs_trail_poll(ctx, src, x, K_N, x[K_READ].end_ns + o->wait_ns, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        obs_report(c, src, x, K_N, missing, sizeof(missing));
        used = x[K_WRITE].found || x[K_READ].found;
        if (!(x[K_WRITE].found || x[K_WRITE].anon) && !(x[K_READ].found || x[K_READ].anon))
                kp_check_fail(c,
                              "key source %s shows no use of key %s by the platform (data key "
                              "generation, encryption or decryption) while kproof wrote and read "
                              "topic %s within %.0f s",
                              src->name, key.key_id, topic, (double)o->wait_ns / KP_NS_PER_S);
        else if (!x[K_DESCRIBE].found && !x[K_DESCRIBE].anon)
                kp_check_fail(c, "key source %s does not show kproof's DescribeKey of key %s",
                              src->name, key.key_id);
        else if (!used || !x[K_DESCRIBE].found)
                kp_check_fail(c,
                              "key source %s logs the key operations but not who called them: "
                              "%s. The operator cannot prove from it which principal used the key",
                              src->name, missing);
        else
                kp_check_pass(c,
                              "key source %s shows the platform's use of key %s (%s%s%s) and "
                              "kproof's DescribeKey, each with the caller's identity",
                              src->name, key.key_id, x[K_WRITE].found ? x[K_WRITE].ev.action : "",
                              x[K_WRITE].found && x[K_READ].found ? ", " : "",
                              x[K_READ].found ? x[K_READ].ev.action : "");
out:
        if (own_topic) {
                kp_err_t e2 = {0};
                kp_platform_delete_topic(ctx->plat, topic, &e2);
        }
        kp_kms_free(kms);
        kp_kvlist_clear(&props);
}
