/* Unit tests of the ApiVersions probe: the parser on responses recorded from a
 * real Kafka 4.1.2 broker (tests/unit/data/apiversions, v3 and v0), the
 * request bytes kproof sends (the same ones the recording was made with),
 * malformed and cut-short input, a v0 fallback answer (error 35), and a live
 * query of librdkafka's mock cluster over a real socket. */
#include "kptest.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "platform/apiversions.h"

static kp_apiversions_t av;

static size_t load(const char *name, uint8_t *buf, size_t size)
{
        char path[4096];
        size_t n;
        FILE *f;

        snprintf(path, sizeof(path), "%s/tests/unit/data/apiversions/%s", getenv("KPROOF_SRC"),
                 name);
        f = fopen(path, "rb");
        if (!f)
                fail_msg("%s: cannot open", path);
        n = fread(buf, 1, size, f);
        fclose(f);
        return n;
}

static const kp_api_range_t *api(int key)
{
        size_t i;

        for (i = 0; i < av.n_apis; i++)
                if (av.apis[i].key == key)
                        return &av.apis[i];
        return NULL;
}

static void test_kafka_v3(void **state)
{
        uint8_t buf[4096];
        size_t n = load("kafka-4.1.2-v3.bin", buf, sizeof(buf));
        char line[1024];
        kp_err_t err;

        (void)state;
        assert_int_equal(n, 665);
        if (kp_apiversions_parse(buf, n, 3, &av, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(av.correlation_id, 1);
        assert_int_equal(av.version, 3);
        assert_int_equal(av.error_code, 0);
        assert_int_equal(av.n_apis, 73);
        assert_int_equal(api(0)->min, 0);
        assert_int_equal(api(0)->max, 13); /* Produce */
        assert_int_equal(api(1)->min, 4);
        assert_int_equal(api(1)->max, 18); /* Fetch */
        assert_int_equal(api(18)->max, 4); /* ApiVersions */
        assert_non_null(api(92));
        /* supported features: metadata.version 7-27 */
        assert_int_equal(av.n_supported, 1);
        assert_string_equal(av.supported[0].name, "metadata.version");
        assert_int_equal(av.supported[0].min, 7);
        assert_int_equal(av.supported[0].max, 27);
        /* finalized (epoch 23): group.version 1, transaction.version 2,
         * eligible.leader.replicas.version 1, metadata.version 27 */
        assert_int_equal(av.n_finalized, 4);
        assert_string_equal(av.finalized[1].name, "transaction.version");
        assert_int_equal(av.finalized[1].max, 2);
        assert_string_equal(av.finalized[3].name, "metadata.version");
        assert_int_equal(av.finalized[3].max, 27);
        assert_int_equal(av.finalized[3].min, 27);
        assert_int_equal(av.finalized_epoch, 23);
        kp_apiversions_summary(&av, line, sizeof(line));
        assert_contains(line, "73 APIs (v3 answer)");
        assert_contains(line, "Produce v0-13");
        assert_contains(line, "Fetch v4-18");
        assert_contains(line, "finalized group.version=1, transaction.version=2");
        assert_contains(line, "metadata.version=27");
}

static void test_kafka_v0(void **state)
{
        uint8_t buf[4096];
        size_t n = load("kafka-4.1.2-v0.bin", buf, sizeof(buf));
        kp_err_t err;

        (void)state;
        if (kp_apiversions_parse(buf, n, 0, &av, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(av.version, 0);
        assert_int_equal(av.n_apis, 73);
        assert_int_equal(api(1)->max, 18);
        assert_int_equal(av.n_finalized, 0);
        assert_int_equal(av.finalized_epoch, -1);
}

/* Every proper prefix of a recorded answer is an error naming the offset,
 * never a read past the end (the ASan build runs this too). */
static void test_cut_short(void **state)
{
        uint8_t buf[4096];
        size_t n = load("kafka-4.1.2-v3.bin", buf, sizeof(buf)), k;
        kp_err_t err;

        (void)state;
        for (k = 0; k < n; k++) {
                uint8_t *copy = malloc(k ? k : 1);
                memcpy(copy, buf, k);
                if (kp_apiversions_parse(copy, k, 3, &av, &err) == 0)
                        fail_msg("a %zu-byte prefix of %zu parsed", k, n);
                assert_contains(err.msg, "malformed or cut short");
                free(copy);
        }
}

/* A broker that does not serve v3 answers error 35: Kafka in the v0 layout,
 * librdkafka 2.8's mock cluster (recorded below) in its own; either way the
 * probe takes the error and asks again in v0. */
static void test_unsupported_version(void **state)
{
        static const uint8_t kafka[] = {0, 0, 0, 7, 0, 35, 0,  0, 0, 2, 0,
                                        0, 0, 0, 0, 9, 0,  18, 0, 0, 0, 2};
        static const uint8_t mock[] = {0, 0, 0, 1, 0, 0x23, 1, 0, 0x12, 0, 0, 0, 2, 0, 0, 0, 0};
        static const uint8_t huge[] = {0, 0, 0, 7, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0};
        kp_err_t err;

        (void)state;
        assert_int_equal(kp_apiversions_parse(kafka, sizeof(kafka), 3, &av, &err), 0);
        assert_int_equal(av.error_code, 35);
        assert_int_equal(av.n_apis, 0);
        assert_int_equal(kp_apiversions_parse(mock, sizeof(mock), 3, &av, &err), 0);
        assert_int_equal(av.error_code, 35);
        assert_int_equal(av.correlation_id, 1);
        /* an entry count larger than the bytes left is refused up front */
        assert_int_equal(kp_apiversions_parse(huge, sizeof(huge), 0, &av, &err), -1);
        assert_contains(err.msg, "at byte 10 of 12");
}

/* The request kproof sends is the one the recording answered. */
static void test_request_bytes(void **state)
{
        static const uint8_t want3[] = {0,   0,   0,   39,  0,   18,  0,   3,   0,   0,   0,
                                        1,   0,   18,  'k', 'p', 'r', 'o', 'o', 'f', '-', 'a',
                                        'p', 'i', 'v', 'e', 'r', 's', 'i', 'o', 'n', 's', 0,
                                        7,   'k', 'p', 'r', 'o', 'o', 'f', 2,   '1', 0};
        uint8_t out[256];
        size_t n;

        (void)state;
        n = kp_apiversions_request(out, sizeof(out), 3, 1, "kproof-apiversions");
        assert_int_equal(n, sizeof(want3));
        assert_memory_equal(out, want3, sizeof(want3));
        n = kp_apiversions_request(out, sizeof(out), 0, 1, "kproof-apiversions");
        assert_int_equal(n, 4 + 10 + 18);
        assert_int_equal(kp_apiversions_request(out, 10, 3, 1, "kproof-apiversions"), 0);
}

/* The mock cluster librdkafka ships answers the probe over a real socket. */
static void test_mock_cluster_live(void **state)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_mock_cluster_t *mc;
        char errstr[256], ep[256];
        const char *bs;
        rd_kafka_t *rk;
        kp_err_t err;

#ifdef __SANITIZE_THREAD__
        /* librdkafka starts its threads with C11 thrd_create, which ThreadSanitizer
         * does not register (see scripts/test.sh): the live probe runs in the
         * other builds. */
        rd_kafka_conf_destroy(conf);
        skip();
#endif

        (void)state;
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        assert_non_null(rk);
        mc = rd_kafka_mock_cluster_new(rk, 1);
        assert_non_null(mc);
        bs = rd_kafka_mock_cluster_bootstraps(mc);
        snprintf(ep, sizeof(ep), "%.*s", (int)strcspn(bs, ","), bs);
        if (kp_apiversions_query(ep, 5000, &av, &err) < 0)
                fail_msg("%s: %s", ep, err.msg);
        assert_int_equal(av.error_code == 0 || av.error_code == 35, 1);
        assert_non_null(api(0));
        assert_non_null(api(18));
        assert_true(av.n_apis >= 10);
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        /* nothing listens there any more */
        assert_int_equal(kp_apiversions_query(ep, 2000, &av, &err), -1);
        assert_int_equal(err.code, KP_EINFRA);
}

static void test_tls_not_probed(void **state)
{
        kp_kvlist_t props = {0};

        (void)state;
        assert_null(kp_apiversions_unsupported(&props));
        kp_kvlist_set(&props, "security.protocol", "SASL_PLAINTEXT");
        assert_null(kp_apiversions_unsupported(&props));
        kp_kvlist_set(&props, "security.protocol", "SSL");
        assert_non_null(kp_apiversions_unsupported(&props));
        kp_kvlist_clear(&props);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_kafka_v3),       cmocka_unit_test(test_kafka_v0),
            cmocka_unit_test(test_cut_short),      cmocka_unit_test(test_unsupported_version),
            cmocka_unit_test(test_request_bytes),  cmocka_unit_test(test_mock_cluster_live),
            cmocka_unit_test(test_tls_not_probed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
