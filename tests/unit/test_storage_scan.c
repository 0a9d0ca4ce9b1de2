/*
 * Unit tests of the canary matcher shared by the storage adapters: tokens
 * found anywhere, across chunk boundaries of any size, counted per token,
 * with their offsets; near misses ignored. And the dir adapter's choice of
 * directories: a broker's "<topic>-<partition>" and the remote tier's
 * "<topic>-<partition>-<topic id>", never another topic's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "adapters/storage.h"

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

static void put(const char *root, const char *dir, const char *data)
{
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", root, dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/%s/00000000000000000000.log", root, dir);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(data, f);
        fclose(f);
}

static void test_dir_layouts(void **state)
{
        char root[] = "/tmp/kproof-storage-dir-XXXXXX", cmd[600], tpath[600];
        char *dirs[1];
        kp_target_t t;
        kp_storage_t *st;
        kp_storage_scan_t res;
        uint32_t hits[3] = {0};
        kp_err_t err = {0};
        (void)state;

        assert_non_null(mkdtemp(root));
        put(root, "t-0", toks[0]);                                /* broker log dir */
        put(root, "t-12-AbCdEfGhIjKlMnOpQr_-9z", toks[1]);        /* remote tier */
        put(root, "t-1-short", toks[2]);                          /* not a topic id */
        put(root, "tt-0", toks[2]);                               /* another topic */
        put(root, "t-x", toks[2]);                                /* no partition */
        put(root, "t-3-AbCdEfGhIjKlMnOpQr_-9z.deleted", toks[2]); /* not a partition dir */
        memset(&t, 0, sizeof(t));
        snprintf(tpath, sizeof(tpath), "%s/target.json", root);
        t.path = tpath;
        t.storage_type = (char *)"dir";
        dirs[0] = root;
        t.storage.log_dirs = dirs;
        t.storage.n_log_dirs = 1;
        t.storage.max_scan_bytes = 1 << 20;
        assert_int_equal(kp_storage_new(&t, &st, &err), 0);
        memset(&res, 0, sizeof(res));
        res.token_hits = hits;
        assert_int_equal(kp_storage_scan(st, "t", toks, 3, &res, &err), 0);
        assert_int_equal(res.units, 2);
        assert_int_equal(hits[0], 1);
        assert_int_equal(hits[1], 1);
        assert_int_equal(hits[2], 0);
        kp_storage_free(st);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_find_across_chunks),
            cmocka_unit_test(test_bad_tokens),
            cmocka_unit_test(test_dir_layouts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
