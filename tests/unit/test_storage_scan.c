/*
 * Unit tests of the canary matcher shared by the storage adapters: tokens
 * found anywhere, across chunk boundaries of any size, counted per token,
 * with their offsets; near misses ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "storage.h"

static const char *const toks[] = {"kpcanary:00000002ffffffff", "kpcanary:00000000aaaaaaaa",
                                   "kpcanary:00000001bbbbbbbb"};

static void scan_chunked(const char *data, size_t chunk, kp_storage_scan_t *res, uint32_t *hits)
{
        kp_tokscan_t *ts;
        kp_err_t err;
        size_t off;

        memset(res, 0, sizeof(*res));
        memset(hits, 0, 3 * sizeof(*hits));
        res->token_hits = hits;
        assert_int_equal(kp_tokscan_new(toks, 3, &ts, &err), 0);
        kp_tokscan_begin(ts, "mem");
        for (off = 0; off < strlen(data); off += chunk) {
                size_t n = strlen(data) - off < chunk ? strlen(data) - off : chunk;
                kp_tokscan_feed(ts, data + off, n, res);
        }
        kp_tokscan_free(ts);
}

static void test_find_across_chunks(void **state)
{
        const char *data = "xxkpcanary:00000000aaaaaaaa..kpcanary:00000001bbbbbbbZ"
                           "kpcanary:kpcanary:00000002ffffffffkpcanary:00000000aaaaaaaa";
        kp_storage_scan_t res;
        uint32_t hits[3];
        size_t chunk;
        (void)state;

        for (chunk = 1; chunk <= strlen(data); chunk++) {
                scan_chunked(data, chunk, &res, hits);
                assert_int_equal(res.hits, 3);
                assert_int_equal(hits[0], 1); /* ...02ffffffff */
                assert_int_equal(hits[1], 2); /* ...00aaaaaaaa twice */
                assert_int_equal(hits[2], 0); /* near miss */
                assert_int_equal(res.n_examples, 3);
                assert_int_equal(res.examples[0].offset, 2);
                assert_int_equal(res.examples[0].token, 1);
                assert_string_equal(res.examples[0].where, "mem");
        }
}

static void test_bad_tokens(void **state)
{
        const char *const short_prefix[] = {"abcX", "abdY"};
        const char *const uneven[] = {"kpcanary:1", "kpcanary:22"};
        kp_tokscan_t *ts;
        kp_err_t err;
        (void)state;

        assert_int_equal(kp_tokscan_new(short_prefix, 2, &ts, &err), -1);
        assert_int_equal(kp_tokscan_new(uneven, 2, &ts, &err), -1);
        assert_int_equal(kp_tokscan_new(toks, 0, &ts, &err), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_find_across_chunks),
            cmocka_unit_test(test_bad_tokens),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
