/*
 * The Kafka client layer (platform/kclient) on librdkafka's mock cluster:
 * delivery tracking (counts, offsets, first error), reading a partition to
 * a count and to its high watermark, subscribing until assigned, the admin
 * requests and cleanup.
 */
#include "kptest.h"
#include "kptest_embedded.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "adapters/control.h"
#include "config/config.h"
#include "platform/kafka.h"
#include "platform/kclient.h"
#include "platform/platform.h"
#include "util/log.h"
#include "util/timeutil.h"

typedef kpt_embedded_t fixture_t;

static void make_topic(fixture_t *f, const char *topic, int partitions)
{
        kp_err_t err;

        assert_int_equal(kp_platform_create_topic(f->plat, topic, partitions, 0, NULL, &err), 0);
}

/* n records "v<i>" round-robin over `partitions` partitions, flushed. */
static void produce_n(rd_kafka_t *prod, const char *topic, int partitions, size_t n)
{
        kp_err_t err;
        size_t i;

        for (i = 0; i < n; i++) {
                char v[32];
                int len = snprintf(v, sizeof(v), "v%zu", i);
                assert_int_equal(kp_kc_produce(prod, topic, (int32_t)(i % (size_t)partitions), NULL,
                                               0, v, (size_t)len, 0, i, &err),
                                 0);
        }
        assert_int_equal(kp_kc_flush(prod, 30000, &err), 0);
}

typedef struct seen {
        long n;
        int64_t next; /* expected offset */
        long gaps;
        char first[32];
} seen_t;

static int seen_cb(void *opaque, const rd_kafka_message_t *m)
{
        seen_t *s = opaque;

        if (s->n == 0) {
                size_t len = m->len < sizeof(s->first) - 1 ? m->len : sizeof(s->first) - 1;
                memcpy(s->first, m->payload, len);
                s->first[len] = '\0';
                s->next = m->offset;
        }
        if (m->offset != s->next)
                s->gaps++;
        s->next = m->offset + 1;
        s->n++;
        return 0;
}

static void test_produce_and_read(void **state)
{
        fixture_t *f = *state;
        const char *topic = "kc-produce";
        kp_kvlist_t props = {0};
        rd_kafka_t *prod, *cons;
        kp_kc_dr_t dr;
        kp_err_t err;
        seen_t s = {0};
        int64_t high = -1;
        size_t i;

        make_topic(f, topic, 2);
        assert_int_equal(kp_kc_dr_init(&dr, 100, &err), 0);
        prod = kp_kc_producer(&f->plat->props, &dr, &err);
        assert_non_null(prod);
        produce_n(prod, topic, 2, 100);
        assert_int_equal(dr.delivered, 100);
        assert_int_equal(dr.failed, 0);
        for (i = 0; i < 100; i++) {
                assert_int_equal(dr.err[i], RD_KAFKA_RESP_ERR_NO_ERROR);
                assert_int_equal(dr.partition[i], (int32_t)(i % 2));
                assert_int_equal(dr.offset[i], (int64_t)(i / 2));
        }
        kp_kc_close(prod);

        kp_kvlist_merge(&props, &f->plat->props);
        kp_kvlist_set(&props, "group.id", "kc-produce-group");
        cons = kp_kc_consumer(&props, &err);
        assert_non_null(cons);
        /* to the high watermark: all 50 records of partition 1, in order */
        assert_int_equal(kp_kc_read_to_high(cons, topic, 1, 10000, seen_cb, &s, &high, &err), 50);
        assert_int_equal(high, 50);
        assert_int_equal(s.n, 50);
        assert_int_equal(s.gaps, 0);
        assert_string_equal(s.first, "v1");
        /* to a count from an offset */
        memset(&s, 0, sizeof(s));
        assert_int_equal(kp_kc_read_partition(cons, topic, 0, 10, 5, 10000, seen_cb, &s), 5);
        assert_string_equal(s.first, "v20");
        /* an empty partition is read at once */
        kp_kc_close(cons);
        kp_kc_dr_release(&dr);
        kp_kvlist_clear(&props);
}

static void test_read_to_high_empty_and_unknown(void **state)
{
        fixture_t *f = *state;
        kp_kvlist_t props = {0};
        rd_kafka_t *cons;
        kp_err_t err;
        int64_t high = -1;

        make_topic(f, "kc-empty", 1);
        kp_kvlist_merge(&props, &f->plat->props);
        kp_kvlist_set(&props, "group.id", "kc-empty-group");
        cons = kp_kc_consumer(&props, &err);
        assert_non_null(cons);
        assert_int_equal(kp_kc_read_to_high(cons, "kc-empty", 0, 5000, NULL, NULL, &high, &err), 0);
        assert_int_equal(high, 0);
        assert_int_equal(kp_kc_read_to_high(cons, "kc-empty", 7, 2000, NULL, NULL, NULL, &err), -1);
        assert_contains(err.msg, "kc-empty");
        kp_kc_close(cons);
        kp_kvlist_clear(&props);
}

static void test_delivery_failure(void **state)
{
        fixture_t *f = *state;
        rd_kafka_mock_cluster_t *mc = kp_control_embedded_mock(f->plat->control);
        const char *topic = "kc-fail";
        kp_kvlist_t props = {0};
        rd_kafka_t *prod;
        kp_kc_dr_t dr;
        kp_err_t err;

        assert_non_null(mc);
        make_topic(f, topic, 1);
        kp_kvlist_merge(&props, &f->plat->props);
        kp_kvlist_set(&props, "enable.idempotence", "false");
        kp_kvlist_set(&props, "retries", "0");
        kp_kvlist_set(&props, "linger.ms", "0");
        assert_int_equal(kp_kc_dr_init(&dr, 3, &err), 0);
        prod = kp_kc_producer(&props, &dr, &err);
        assert_non_null(prod);
        /* a first record so metadata is known, then one refused */
        produce_n(prod, topic, 1, 1);
        rd_kafka_mock_push_request_errors(mc, 0 /* Produce */, 1,
                                          RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        assert_int_equal(kp_kc_produce(prod, topic, 0, "k", 1, "x", 1, 0, 1, &err), 0);
        assert_int_equal(kp_kc_produce(prod, topic, 0, NULL, 0, "y", 1, 0, 9, &err), 0);
        assert_int_equal(kp_kc_flush(prod, 30000, &err), 0);
        /* index 9 is beyond the tracking capacity: delivered, not counted */
        assert_int_equal(dr.delivered, 2);
        assert_int_equal(dr.failed, 1);
        assert_int_equal(dr.first_failed, 1);
        assert_int_equal(dr.first_err, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        assert_int_equal(dr.err[1], RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        assert_int_equal(dr.err[2], RD_KAFKA_RESP_ERR__IN_PROGRESS);
        assert_int_equal(dr.offset[2], -1);
        /* an unknown partition is refused at once */
        assert_int_equal(kp_kc_produce(prod, topic, 42, NULL, 0, "z", 1, 0, 2, &err), -1);
        assert_contains(err.msg, "produce to kc-fail [42]");
        kp_kc_close(prod);
        kp_kc_dr_release(&dr);
        kp_kvlist_clear(&props);
}

static void test_subscribe_wait(void **state)
{
        fixture_t *f = *state;
        const char *topic = "kc-sub";
        kp_kvlist_t props = {0};
        rd_kafka_t *prod, *cons;
        kp_err_t err;
        seen_t s = {0};
        int64_t deadline;

        make_topic(f, topic, 1);
        prod = kp_kc_producer(&f->plat->props, NULL, &err);
        assert_non_null(prod);
        produce_n(prod, topic, 1, 3);
        kp_kc_close(prod);
        kp_kvlist_merge(&props, &f->plat->props);
        kp_kvlist_set(&props, "group.id", "kc-sub-group");
        kp_kvlist_set(&props, "auto.offset.reset", "earliest");
        cons = kp_kc_consumer(&props, &err);
        assert_non_null(cons);
        assert_int_equal(kp_kc_subscribe_wait(cons, topic, 30000, seen_cb, &s, &err), 0);
        deadline = kp_mono_ns() + 10 * KP_NS_PER_S;
        while (s.n < 3 && kp_mono_ns() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(cons, 100);
                if (m && !m->err)
                        seen_cb(&s, m);
                if (m)
                        rd_kafka_message_destroy(m);
        }
        assert_int_equal(s.n, 3);
        assert_string_equal(s.first, "v0");
        kp_kc_close(cons);
        kp_kvlist_clear(&props);

        /* a consumer without a group cannot subscribe */
        cons = kp_kc_consumer(&f->plat->props, &err);
        assert_non_null(cons);
        assert_int_equal(kp_kc_subscribe_wait(cons, topic, 1000, NULL, NULL, &err), -1);
        assert_contains(err.msg, "kc-sub");
        kp_kc_close(cons);
}

static void test_admin(void **state)
{
        fixture_t *f = *state;
        const char *topic = "kc-admin";
        kp_kvlist_t ops = {0};
        rd_kafka_t *adm, *prod;
        rd_kafka_resp_err_t code;
        kp_err_t err;
        int64_t low = -1, high = -1, off = -2, t0;
        size_t i;

        make_topic(f, topic, 2);
        adm = kp_kc_admin(&f->plat->props, &err);
        assert_non_null(adm);
        t0 = kp_wall_ns() / KP_NS_PER_MS;
        prod = kp_kc_producer(&f->plat->props, NULL, &err);
        assert_non_null(prod);
        for (i = 0; i < 10; i++)
                assert_int_equal(
                    kp_kc_produce(prod, topic, 0, NULL, 0, "r", 1, t0 + (int64_t)i * 1000, i, &err),
                    0);
        assert_int_equal(kp_kc_flush(prod, 30000, &err), 0);
        kp_kc_close(prod);

        assert_int_equal(kp_kc_watermarks_settled(adm, topic, 0, 5000, &low, &high), 0);
        assert_int_equal(low, 0);
        assert_int_equal(high, 10);
        /* the mock keeps no time index: it answers every timestamp with -1
         * (real Kafka: semantics.list-offsets-time) */
        assert_int_equal(kp_kc_offset_for_time(adm, topic, 0, t0 + 4500, 10000, &off, &code, &err),
                         0);
        assert_int_equal(code, RD_KAFKA_RESP_ERR_NO_ERROR);
        assert_true(off == 5 || off == -1);
        assert_int_equal(kp_kc_offset_for_time(adm, "kc-none", 0, t0, 3000, &off, &code, &err), -1);
        assert_contains(err.msg, "kc-none");

        /* the mock implements no admin API: DeleteRecords is refused as not
         * supported (and librdkafka 2.8 then leaks a queue of the client),
         * CreatePartitions and the config APIs wait for a controller it does
         * not have (real Kafka: semantics.delete-records,
         * semantics.create-partitions, semantics.admin-configs); here they
         * are run only where they fail before any request */
        assert_int_equal(kp_kc_create_partitions(adm, topic, 0, 3000, &code, &err), -1);
        assert_int_equal(code, RD_KAFKA_RESP_ERR__FAIL);
        assert_contains(err.msg, "CreatePartitions kc-admin");
        kp_kvlist_set(&ops, "", "1");
        assert_int_equal(kp_kc_alter_topic_configs(adm, topic, &ops,
                                                   RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, 3000, &code,
                                                   &err),
                         -1);
        assert_contains(err.msg, "IncrementalAlterConfigs kc-admin");
        assert_true(kp_kc_api_unsupported(RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION));
        assert_true(kp_kc_api_unsupported(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE));
        assert_false(kp_kc_api_unsupported(RD_KAFKA_RESP_ERR_INVALID_CONFIG));
        kp_kc_close(adm);
        kp_kc_close(NULL);
        kp_kvlist_clear(&ops);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_produce_and_read),
            cmocka_unit_test(test_read_to_high_empty_and_unknown),
            cmocka_unit_test(test_delivery_failure),
            cmocka_unit_test(test_subscribe_wait),
            cmocka_unit_test(test_admin),
        };
        return cmocka_run_group_tests(tests, kpt_embedded_setup, kpt_embedded_teardown);
}
