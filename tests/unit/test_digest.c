/* Unit tests of digest: SHA-256 known answers for buffers and files, and
 * random bytes. */
#include "kptest.h"

#include "util/digest.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("digest", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        return kp_rm_rf(tmpdir);
}

static void test_sha256_buffers(void **state)
{
        char hex[KP_SHA256_HEX];

        (void)state;
        kp_sha256_hex("", 0, hex);
        assert_string_equal(hex,
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        kp_sha256_hex("abc", 3, hex);
        assert_string_equal(hex,
                            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        kp_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
        assert_string_equal(hex,
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A file larger than the read chunk hashes like the same bytes in memory. */
static void test_sha256_file(void **state)
{
        size_t n = 200000, i;
        char *data = malloc(n), path[1200], a[KP_SHA256_HEX], b[KP_SHA256_HEX];
        kp_err_t err;

        (void)state;
        assert_non_null(data);
        for (i = 0; i < n; i++)
                data[i] = (char)(i * 31 + 7);
        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, "blob"), 0);
        assert_int_equal(kp_write_file_raw(path, data, n, 0644, &err), 0);
        kp_sha256_hex(data, n, a);
        assert_int_equal(kp_sha256_file(path, b, &err), 0);
        assert_string_equal(a, b);
        assert_int_equal(strlen(a), 64);
        free(data);

        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, "absent"), 0);
        assert_int_equal(kp_sha256_file(path, b, &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_contains(err.msg, "absent");
}

static void test_random_bytes(void **state)
{
        unsigned char a[32], b[32];

        (void)state;
        memset(a, 0, sizeof(a));
        memset(b, 0, sizeof(b));
        assert_int_equal(kp_random_bytes(a, sizeof(a)), 0);
        assert_int_equal(kp_random_bytes(b, sizeof(b)), 0);
        assert_memory_not_equal(a, b, sizeof(a));
}

/* RFC 9562 version 5 against Python's uuid.uuid5 (DNS namespace). */
static void test_uuid_v5(void **state)
{
        char u[KP_UUID_STR];

        (void)state;
        kp_uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", u);
        assert_string_equal(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
        kp_uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org.", u);
        assert_string_not_equal(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_sha256_buffers),
            cmocka_unit_test(test_sha256_file),
            cmocka_unit_test(test_random_bytes),
            cmocka_unit_test(test_uuid_v5),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
