/* Unit tests of kvlist: ordered pairs, replacement, merge, delete. */
#include "kptest.h"

#include "util/kvlist.h"

static void test_set_get_replace(void **state)
{
        kp_kvlist_t l = {0};
        char key[16] = "acks", val[16] = "all";

        (void)state;
        assert_null(kp_kvlist_get(&l, "acks"));
        assert_null(kp_kvlist_get(NULL, "acks"));
        assert_int_equal(kp_kvlist_set(&l, key, val), 0);
        /* The list owns copies: changing the caller's strings changes nothing. */
        key[0] = 'X';
        val[0] = 'X';
        assert_string_equal(kp_kvlist_get(&l, "acks"), "all");
        assert_int_equal(kp_kvlist_set(&l, "linger.ms", "5"), 0);
        assert_int_equal(kp_kvlist_set(&l, "acks", "1"), 0);
        assert_int_equal(l.n, 2);
        assert_string_equal(kp_kvlist_get(&l, "acks"), "1");
        /* Replacement keeps the original position. */
        assert_string_equal(l.items[0].key, "acks");
        assert_string_equal(l.items[1].key, "linger.ms");
        assert_null(kp_kvlist_get(&l, "Acks"));
        kp_kvlist_clear(&l);
        assert_int_equal(l.n, 0);
        assert_null(l.items);
}

static void test_order_and_growth(void **state)
{
        kp_kvlist_t l = {0};
        char k[32], v[32];
        int i;

        (void)state;
        for (i = 0; i < 100; i++) {
                snprintf(k, sizeof(k), "k%03d", i);
                snprintf(v, sizeof(v), "v%d", i * 3);
                assert_int_equal(kp_kvlist_set(&l, k, v), 0);
        }
        assert_int_equal(l.n, 100);
        for (i = 0; i < 100; i++) {
                snprintf(k, sizeof(k), "k%03d", i);
                snprintf(v, sizeof(v), "v%d", i * 3);
                assert_string_equal(l.items[i].key, k);
                assert_string_equal(kp_kvlist_get(&l, k), v);
        }
        kp_kvlist_clear(&l);
}

static void test_delete(void **state)
{
        kp_kvlist_t l = {0};

        (void)state;
        assert_int_equal(kp_kvlist_del(&l, "a"), 0);
        assert_int_equal(kp_kvlist_set(&l, "a", "1"), 0);
        assert_int_equal(kp_kvlist_set(&l, "b", "2"), 0);
        assert_int_equal(kp_kvlist_set(&l, "c", "3"), 0);
        assert_int_equal(kp_kvlist_del(&l, "b"), 1);
        assert_int_equal(kp_kvlist_del(&l, "b"), 0);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.items[0].key, "a");
        assert_string_equal(l.items[1].key, "c");
        assert_null(kp_kvlist_get(&l, "b"));
        assert_int_equal(kp_kvlist_del(&l, "c"), 1);
        assert_int_equal(kp_kvlist_del(&l, "a"), 1);
        assert_int_equal(l.n, 0);
        assert_int_equal(kp_kvlist_set(&l, "d", "4"), 0);
        assert_string_equal(kp_kvlist_get(&l, "d"), "4");
        kp_kvlist_clear(&l);
}

/* merge: later values override, new keys are appended in src order. */
static void test_merge(void **state)
{
        kp_kvlist_t base = {0}, over = {0};

        (void)state;
        assert_int_equal(kp_kvlist_set(&base, "acks", "all"), 0);
        assert_int_equal(kp_kvlist_set(&base, "linger.ms", "5"), 0);
        assert_int_equal(kp_kvlist_set(&over, "linger.ms", "0"), 0);
        assert_int_equal(kp_kvlist_set(&over, "compression.type", "zstd"), 0);
        assert_int_equal(kp_kvlist_merge(&base, &over), 0);
        assert_int_equal(kp_kvlist_merge(&base, NULL), 0);
        assert_int_equal(base.n, 3);
        assert_string_equal(kp_kvlist_get(&base, "acks"), "all");
        assert_string_equal(kp_kvlist_get(&base, "linger.ms"), "0");
        assert_string_equal(base.items[2].key, "compression.type");
        /* src is untouched */
        assert_int_equal(over.n, 2);
        assert_string_equal(kp_kvlist_get(&over, "linger.ms"), "0");
        kp_kvlist_clear(&base);
        kp_kvlist_clear(&over);
}

static void test_empty_values(void **state)
{
        kp_kvlist_t l = {0};

        (void)state;
        assert_int_equal(kp_kvlist_set(&l, "k", ""), 0);
        assert_non_null(kp_kvlist_get(&l, "k"));
        assert_string_equal(kp_kvlist_get(&l, "k"), "");
        kp_kvlist_clear(&l);
        kp_kvlist_clear(&l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_set_get_replace), cmocka_unit_test(test_order_and_growth),
            cmocka_unit_test(test_delete),          cmocka_unit_test(test_merge),
            cmocka_unit_test(test_empty_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
