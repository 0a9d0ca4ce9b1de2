/*
 * kptest: helpers shared by the unit test programs (cmocka includes, a
 * substring assertion, scratch directories under KPROOF_TEST_TMP and a
 * seeded random generator so failures reproduce).
 */
#ifndef KP_TEST_H
#define KP_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fsutil.h"

/* Fails the test unless haystack contains needle; prints both. */
#define assert_contains(haystack, needle)                                                          \
        kpt_assert_contains((haystack), (needle), 1, __FILE__, __LINE__)
#define assert_not_contains(haystack, needle)                                                      \
        kpt_assert_contains((haystack), (needle), 0, __FILE__, __LINE__)

static inline void kpt_assert_contains(const char *haystack, const char *needle, int want,
                                       const char *file, int line)
{
        int found = haystack && strstr(haystack, needle) != NULL;

        if (found != want) {
                print_error("%s:%d: \"%s\" %s \"%s\"\n", file, line, haystack ? haystack : "(null)",
                            want ? "does not contain" : "contains", needle);
                _fail(file, line);
        }
}

/* Creates a fresh directory KPROOF_TEST_TMP/unit-<name>-XXXXXX (or under
 * /tmp when the variable is unset) and writes its path to out. */
static inline void kpt_tmpdir(const char *name, char *out, size_t size)
{
        const char *base = getenv("KPROOF_TEST_TMP");
        kp_err_t err;

        if (!base || !*base)
                base = "/tmp";
        assert_int_equal(kp_mkdir_p(base, &err), 0);
        assert_true((size_t)snprintf(out, size, "%s/unit-%s-XXXXXX", base, name) < size);
        assert_non_null(mkdtemp(out));
}

/* xorshift64*: deterministic pseudo-random numbers for property tests. */
static inline uint64_t kpt_rand(uint64_t *state)
{
        uint64_t x = *state;

        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform double in [0, 1). */
static inline double kpt_rand01(uint64_t *state)
{
        return (double)(kpt_rand(state) >> 11) / 9007199254740992.0;
}

#endif
