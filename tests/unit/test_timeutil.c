/* Unit tests of timeutil: the duration syntax of scenario files, duration
 * and timestamp formatting, clocks and interruptible sleeps. */
#include "kptest.h"

#include "util/signals.h"
#include "util/timeutil.h"

static void test_duration_valid(void **state)
{
        static const struct {
                const char *text;
                int64_t ns;
        } cases[] = {
            {"250ms", 250 * KP_NS_PER_MS},
            {"5s", 5 * KP_NS_PER_S},
            {"2m", 120 * KP_NS_PER_S},
            {"1h", 3600 * KP_NS_PER_S},
            {"30s", 30 * KP_NS_PER_S},
            {"1.5s", 1500 * KP_NS_PER_MS},
            {"0.5ms", 500000},
            {"0s", 0},
            {"0ms", 0},
            {"90m", 5400 * KP_NS_PER_S},
            {"24h", 86400 * KP_NS_PER_S},
            {"100000h", 360000000 * KP_NS_PER_S},
            {"007s", 7 * KP_NS_PER_S},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t ns = -42;
                if (kp_duration_parse(cases[i].text, &ns) != 0)
                        fail_msg("\"%s\" was rejected", cases[i].text);
                if (ns != cases[i].ns)
                        fail_msg("\"%s\" parsed as %lld, want %lld", cases[i].text, (long long)ns,
                                 (long long)cases[i].ns);
        }
}

static void test_duration_invalid(void **state)
{
        static const char *const bad[] = {
            "30x",   "",      "-1s",          "5",        "s",
            "ms",    " 5s",   "5s ",          "5 s",      "5sec",
            "5S",    "5ms5",  "+5s",          ".5s",      "inf",
            "nan",   "1e30h", "99999999999h", "2562048h", "9223372037s",
            "0x10s", "1e3ms", "5.s5",         "1..5s",    "5ss",
            "h",
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int64_t ns = -42;
                if (kp_duration_parse(bad[i], &ns) == 0)
                        fail_msg("\"%s\" was accepted as %lld ns", bad[i], (long long)ns);
                /* The output is untouched on failure. */
                assert_int_equal(ns, -42);
        }
        assert_int_equal(kp_duration_parse(NULL, &(int64_t){0}), -1);
}

static void test_duration_format(void **state)
{
        static const struct {
                int64_t ns;
                const char *text;
        } cases[] = {
            {30 * KP_NS_PER_S, "30s"},
            {250 * KP_NS_PER_MS, "250ms"},
            {120 * KP_NS_PER_S, "2m"},
            {3600 * KP_NS_PER_S, "1h"},
            {90 * KP_NS_PER_S, "90s"},
            {5400 * KP_NS_PER_S, "90m"},
            {1500 * KP_NS_PER_MS, "1500ms"},
            {0, "0s"},
            {1500, "0.001500ms"},
        };
        char out[64];
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                kp_duration_format(cases[i].ns, out, sizeof(out));
                assert_string_equal(out, cases[i].text);
        }
        /* Truncation keeps the output a terminated string. */
        kp_duration_format(250 * KP_NS_PER_MS, out, 3);
        assert_string_equal(out, "25");
}

/* format then parse gives back the same value (milli- and nanosecond
 * granularity, random magnitudes). */
static void test_duration_round_trip(void **state)
{
        uint64_t rng = 12345;
        char out[64];
        int i;

        (void)state;
        for (i = 0; i < 20000; i++) {
                int64_t unit = (i % 4 == 0)   ? 1
                               : (i % 4 == 1) ? KP_NS_PER_MS
                               : (i % 4 == 2) ? KP_NS_PER_S
                                              : 60 * KP_NS_PER_S;
                int64_t ns = (int64_t)(kpt_rand(&rng) % 1000000) * unit, back = -1;
                kp_duration_format(ns, out, sizeof(out));
                if (kp_duration_parse(out, &back) != 0 || back != ns)
                        fail_msg("%lld -> \"%s\" -> %lld", (long long)ns, out, (long long)back);
        }
}

static void test_timestamps(void **state)
{
        char out[40];
        int64_t t = 1795890772LL * KP_NS_PER_S + 123456789;

        (void)state;
        kp_time_iso(t, out, sizeof(out));
        assert_string_equal(out, "2026-11-28T18:32:52.123Z");
        kp_time_compact(t, out, sizeof(out));
        assert_string_equal(out, "20261128T183252Z");
        kp_time_iso(0, out, sizeof(out));
        assert_string_equal(out, "1970-01-01T00:00:00.000Z");
        kp_time_iso(951782400LL * KP_NS_PER_S + 999 * KP_NS_PER_MS, out, sizeof(out));
        assert_string_equal(out, "2000-02-29T00:00:00.999Z");
        /* the wall clock is after this code was written */
        assert_true(kp_wall_ns() > 1764000000LL * KP_NS_PER_S);
}

static void test_parse_iso(void **state)
{
        int64_t ns;

        (void)state;
        assert_int_equal(kp_time_parse_iso("2026-12-03T16:04:34,823+00:00", 29, &ns), 0);
        assert_true(ns == 1796313874823LL * KP_NS_PER_MS);
        assert_int_equal(kp_time_parse_iso("2026-12-03T17:04:34.823+01:00", 29, &ns), 0);
        assert_true(ns == 1796313874823LL * KP_NS_PER_MS);
        assert_int_equal(kp_time_parse_iso("2025-05-20T20:46:16Z", 20, &ns), 0);
        assert_true(ns == 1747773976LL * KP_NS_PER_S);
        assert_int_equal(kp_time_parse_iso("2025-05-20T20:46:16+0000", 24, &ns), 0);
        assert_true(ns == 1747773976LL * KP_NS_PER_S);
        assert_int_equal(kp_time_parse_iso("2025-05-20 20:46:16", 19, &ns), 0);
        assert_int_equal(kp_time_parse_iso("2025-13-20T20:46:16Z", 20, &ns), -1);
        assert_int_equal(kp_time_parse_iso("yesterday", 9, &ns), -1);
        assert_int_equal(kp_time_parse_iso("2025-05-20T20:46:16Zjunk", 24, &ns), -1);
}

static void test_clocks_and_sleep(void **state)
{
        int64_t a, b, c;

        (void)state;
        kp_stop_reset();
        a = kp_mono_ns();
        kp_sleep_ms(30);
        b = kp_mono_ns();
        assert_true(b - a >= 30 * KP_NS_PER_MS);
        assert_true(b - a < 5 * KP_NS_PER_S);
        /* A deadline in the past returns at once. */
        kp_sleep_until(a);
        c = kp_mono_ns();
        assert_true(c >= b);
        assert_true(c - b < KP_NS_PER_S);
}

/* A raised stop flag ends a long sleep early. */
static void test_sleep_interrupted(void **state)
{
        int64_t a, b;

        (void)state;
        kp_stop_request(0);
        assert_true(kp_stop_requested());
        a = kp_mono_ns();
        kp_sleep_ms(20000);
        b = kp_mono_ns();
        kp_stop_reset();
        assert_false(kp_stop_requested());
        assert_true(b - a < 2 * KP_NS_PER_S);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_duration_valid),   cmocka_unit_test(test_duration_invalid),
            cmocka_unit_test(test_duration_format),  cmocka_unit_test(test_duration_round_trip),
            cmocka_unit_test(test_timestamps),       cmocka_unit_test(test_parse_iso),
            cmocka_unit_test(test_clocks_and_sleep), cmocka_unit_test(test_sleep_interrupted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
