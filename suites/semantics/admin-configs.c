/*
 * semantics.admin-configs: Admin API: describe topic configs, alter them and
 * read them back; invalid values refused.
 */
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

/* How long DescribeConfigs may answer UNKNOWN_TOPIC_OR_PART for a topic that
 * exists. A broker answers it for topics its metadata cache does not hold yet,
 * and brokers learn new topics from the controller asynchronously (Kafka 3.9
 * and 4.x alike; seen on 3.9 right after CreateTopics): that is propagation,
 * not a config answer. */
#define DESCRIBE_PROPAGATION_MS 10000

/* describe_once, again while the answer is UNKNOWN_TOPIC_OR_PART and
 * DESCRIBE_PROPAGATION_MS have not passed since the first try; the retries
 * and the time they took are noted on the check. */
static int describe_topic(kp_check_t *c, rd_kafka_t *rk, const char *topic, kp_kvlist_t *values,
                          kp_kvlist_t *sources, kp_err_t *err)
{
        int64_t t0 = kp_mono_ns();
        int64_t deadline = t0 + (int64_t)DESCRIBE_PROPAGATION_MS * KP_NS_PER_MS;
        rd_kafka_resp_err_t rerr;
        int rc, tries = 0;

        for (;;) {
                rerr = RD_KAFKA_RESP_ERR_NO_ERROR;
                tries++;
                rc = kp_kc_describe_topic_configs(rk, topic, ADM_TIMEOUT_MS, values, sources, &rerr,
                                                  err);
                if (rc == 0 || rerr != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                    kp_mono_ns() >= deadline)
                        break;
                rd_kafka_poll(rk, 250);
        }
        if (tries > 1)
                kp_check_note(c,
                              "DescribeConfigs %s answered UNKNOWN_TOPIC_OR_PART %d time(s) while "
                              "the topic reached the brokers' metadata; %s after %lld ms",
                              topic, rc == 0 ? tries - 1 : tries,
                              rc == 0 ? "answered" : "still unknown",
                              (long long)((kp_mono_ns() - t0) / KP_NS_PER_MS));
        return rc;
}

static const char *or_str(const char *s, const char *fallback)
{
        return s ? s : fallback;
}

static int value_is(const kp_kvlist_t *l, const char *key, const char *want)
{
        const char *v = kp_kvlist_get(l, key);

        return v && strcmp(v, want) == 0;
}

/* An accepted alteration is visible in a DescribeConfigs answer. */
typedef int (*cfg_visible_fn)(const kp_kvlist_t *values, const kp_kvlist_t *sources);

static int set_visible(const kp_kvlist_t *v, const kp_kvlist_t *s)
{
        (void)s;
        return value_is(v, "retention.ms", "7200000") && value_is(v, "max.message.bytes", "500000");
}

static int delete_visible(const kp_kvlist_t *v, const kp_kvlist_t *s)
{
        return !value_is(s, "max.message.bytes", "DYNAMIC_TOPIC_CONFIG") &&
               !value_is(v, "max.message.bytes", "500000");
}

/* describe_topic after an accepted alteration, again until `visible` holds or
 * DESCRIBE_PROPAGATION_MS have passed: the controller commits the change and
 * the broker that answers applies it asynchronously (Kafka 3.9 answered with
 * the old values for a moment). The last answer is left in values/sources for
 * the verdict; the time until it was visible is measured as MEASURE (if not
 * NULL). */
static int describe_until(kp_check_t *c, rd_kafka_t *rk, const char *topic, cfg_visible_fn visible,
                          const char *what, const char *measure, kp_kvlist_t *values,
                          kp_kvlist_t *sources, kp_err_t *err)
{
        int64_t t0 = kp_mono_ns();
        int64_t deadline = t0 + (int64_t)DESCRIBE_PROPAGATION_MS * KP_NS_PER_MS;
        int reads = 0, ok;
        long long ms;

        for (;;) {
                kp_kvlist_clear(values);
                kp_kvlist_clear(sources);
                reads++;
                if (describe_topic(c, rk, topic, values, sources, err) < 0)
                        return -1;
                ok = visible(values, sources);
                if (ok || kp_mono_ns() >= deadline)
                        break;
                rd_kafka_poll(rk, 200);
        }
        ms = (long long)((kp_mono_ns() - t0) / KP_NS_PER_MS);
        if (ok && measure)
                kp_check_measure(c, measure, (double)ms, "ms");
        if (reads > 1)
                kp_check_note(c, "%s: %s after %lld ms and %d DescribeConfigs", what,
                              ok ? "visible" : "still not visible", ms, reads);
        return 0;
}

void sem_check_admin_configs(kp_ctx_t *ctx, kp_check_t *c)
{
        kp_kvlist_t create = {0}, v1 = {0}, s1 = {0}, v2 = {0}, s2 = {0}, v3 = {0}, s3 = {0};
        kp_kvlist_t v4 = {0}, s4 = {0}, set = {0}, bad = {0}, del = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk = NULL;
        rd_kafka_resp_err_t code, bad_code = RD_KAFKA_RESP_ERR_NO_ERROR;
        kp_err_t err, bad_err;
        char topic[256];
        int bad_refused;

        if (sem_admin_unsupported(ctx, c))
                return;
        kp_kvlist_set(&create, "retention.ms", "3600000");
        kp_kvlist_set(&create, "cleanup.policy", "delete");
        if (sem_topic(ctx, c, "admin-configs", 1, &create, topic, sizeof(topic)) < 0)
                goto out;
        conf = kp_kafka_conf_new(&ctx->plat->props, &err);
        rk = conf ? kp_kafka_new(RD_KAFKA_PRODUCER, conf, &err) : NULL;
        if (!rk) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        if (describe_topic(c, rk, topic, &v1, &s1, &err) < 0) {
                kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        kp_check_note(c,
                      "DescribeConfigs after create: retention.ms=%s (%s), cleanup.policy=%s (%s), "
                      "min.insync.replicas=%s (%s), max.message.bytes=%s (%s); %zu configs in all",
                      or_str(kp_kvlist_get(&v1, "retention.ms"), "-"),
                      or_str(kp_kvlist_get(&s1, "retention.ms"), "-"),
                      or_str(kp_kvlist_get(&v1, "cleanup.policy"), "-"),
                      or_str(kp_kvlist_get(&s1, "cleanup.policy"), "-"),
                      or_str(kp_kvlist_get(&v1, "min.insync.replicas"), "-"),
                      or_str(kp_kvlist_get(&s1, "min.insync.replicas"), "-"),
                      or_str(kp_kvlist_get(&v1, "max.message.bytes"), "-"),
                      or_str(kp_kvlist_get(&s1, "max.message.bytes"), "-"), v1.n);
        if (!value_is(&v1, "retention.ms", "3600000") ||
            !value_is(&s1, "retention.ms", "DYNAMIC_TOPIC_CONFIG")) {
                kp_check_fail(
                    c,
                    "DescribeConfigs does not show retention.ms=3600000 as set at creation "
                    "(got %s from %s)",
                    or_str(kp_kvlist_get(&v1, "retention.ms"), "nothing"),
                    or_str(kp_kvlist_get(&s1, "retention.ms"), "-"));
                goto out;
        }
        /* SET: change one config and add another; cleanup.policy is untouched */
        kp_kvlist_set(&set, "retention.ms", "7200000");
        kp_kvlist_set(&set, "max.message.bytes", "500000");
        if (kp_kc_alter_topic_configs(rk, topic, &set, RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET,
                                      ADM_TIMEOUT_MS, &code, &err) < 0) {
                kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        if (describe_until(c, rk, topic, set_visible, "IncrementalAlterConfigs SET",
                           "set_visible_ms", &v2, &s2, &err) < 0) {
                kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        /* an invalid value must be refused and change nothing */
        kp_kvlist_set(&bad, "retention.ms", "not-a-number");
        bad_refused = kp_kc_alter_topic_configs(rk, topic, &bad, RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET,
                                                ADM_TIMEOUT_MS, &code, &bad_err) < 0 &&
                      code != 0;
        bad_code = code;
        if (describe_until(c, rk, topic, set_visible, "after the refused alteration", NULL, &v3,
                           &s3, &err) < 0) {
                kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        /* DELETE: max.message.bytes returns to its default, the others stay */
        kp_kvlist_set(&del, "max.message.bytes", "");
        if (kp_kc_alter_topic_configs(rk, topic, &del, RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE,
                                      ADM_TIMEOUT_MS, &code, &err) < 0) {
                kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        if (describe_until(c, rk, topic, delete_visible, "IncrementalAlterConfigs DELETE",
                           "delete_visible_ms", &v4, &s4, &err) < 0) {
                kp_check_fail(c, "%s", err.msg);
                goto out;
        }
        kp_check_note(c, "IncrementalAlterConfigs SET retention.ms=not-a-number: %s",
                      bad_refused ? bad_err.msg : "accepted");
        kp_check_note(c, "after DELETE max.message.bytes: %s (%s)",
                      or_str(kp_kvlist_get(&v4, "max.message.bytes"), "-"),
                      or_str(kp_kvlist_get(&s4, "max.message.bytes"), "-"));
        kp_check_measure(c, "configs_described", (double)v1.n, "configs");
        if (!value_is(&v2, "retention.ms", "7200000") ||
            !value_is(&v2, "max.message.bytes", "500000"))
                kp_check_fail(c,
                              "after IncrementalAlterConfigs SET the topic reads back "
                              "retention.ms=%s, max.message.bytes=%s (expected 7200000 and 500000)",
                              or_str(kp_kvlist_get(&v2, "retention.ms"), "-"),
                              or_str(kp_kvlist_get(&v2, "max.message.bytes"), "-"));
        else if (!value_is(&v2, "cleanup.policy", "delete") ||
                 !value_is(&s2, "cleanup.policy", "DYNAMIC_TOPIC_CONFIG"))
                kp_check_fail(c,
                              "the untouched dynamic config cleanup.policy did not survive an "
                              "incremental alteration of two others (%s from %s)",
                              or_str(kp_kvlist_get(&v2, "cleanup.policy"), "-"),
                              or_str(kp_kvlist_get(&s2, "cleanup.policy"), "-"));
        else if (!bad_refused)
                kp_check_fail(c, "IncrementalAlterConfigs accepted retention.ms=not-a-number");
        else if (!value_is(&v3, "retention.ms", "7200000"))
                kp_check_fail(c, "the refused alteration changed retention.ms to %s",
                              or_str(kp_kvlist_get(&v3, "retention.ms"), "-"));
        else if (value_is(&s4, "max.message.bytes", "DYNAMIC_TOPIC_CONFIG") ||
                 value_is(&v4, "max.message.bytes", "500000"))
                kp_check_fail(c,
                              "DELETE of max.message.bytes left it at %s (%s) instead of the "
                              "default",
                              or_str(kp_kvlist_get(&v4, "max.message.bytes"), "-"),
                              or_str(kp_kvlist_get(&s4, "max.message.bytes"), "-"));
        else if (!value_is(&v4, "retention.ms", "7200000") ||
                 !value_is(&v4, "cleanup.policy", "delete"))
                kp_check_fail(c,
                              "DELETE of max.message.bytes also changed retention.ms=%s, "
                              "cleanup.policy=%s",
                              or_str(kp_kvlist_get(&v4, "retention.ms"), "-"),
                              or_str(kp_kvlist_get(&v4, "cleanup.policy"), "-"));
        else
                kp_check_pass(c,
                              "DescribeConfigs showed the creation configs; "
                              "IncrementalAlterConfigs SET retention.ms=7200000 and "
                              "max.message.bytes=500000, both read back with cleanup.policy kept; "
                              "an invalid value was refused (%s) and changed nothing; DELETE "
                              "returned max.message.bytes to %s (%s)",
                              rd_kafka_err2name(bad_code),
                              or_str(kp_kvlist_get(&v4, "max.message.bytes"), "-"),
                              or_str(kp_kvlist_get(&s4, "max.message.bytes"), "-"));
out:
        if (rk) {
                kp_err_t derr;
                if (kp_platform_delete_topic(ctx->plat, topic, &derr) < 0)
                        kp_check_note(c, "topic not deleted: %s", derr.msg);
                kp_kc_close(rk);
        }
        kp_kvlist_clear(&create);
        kp_kvlist_clear(&v1);
        kp_kvlist_clear(&s1);
        kp_kvlist_clear(&v2);
        kp_kvlist_clear(&s2);
        kp_kvlist_clear(&v3);
        kp_kvlist_clear(&s3);
        kp_kvlist_clear(&v4);
        kp_kvlist_clear(&s4);
        kp_kvlist_clear(&del);
        kp_kvlist_clear(&set);
        kp_kvlist_clear(&bad);
}
