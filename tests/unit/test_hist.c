/* Unit tests of hist: percentiles against exact sorted values within the
 * documented relative error (2^-sub_bits), on uniform and skewed data;
 * merge; the max-value clamp. */
#include "kptest.h"

#include <math.h>

#include "engine/hist.h"

#define N 100000

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

        return x < y ? -1 : x > y;
}

/* Percentiles as per-100000 ranks so the exact rank is an integer. */
static const double pcts[] = {0.001, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 99.999};

/* Every reported percentile v of hist h over the sorted values satisfies
 * exact <= v <= exact * (1 + 2^-sub_bits) and v <= max. */
static void check_against_exact(const kp_hist_t *h, uint64_t *vals, size_t n)
{
        double rel = 1.0 / (double)((uint64_t)1 << h->sub_bits);
        size_t i;

        qsort(vals, n, sizeof(vals[0]), cmp_u64);
        assert_int_equal(h->total, n);
        assert_true(h->min == vals[0]);
        assert_true(h->max == vals[n - 1]);
        assert_true(kp_hist_percentile(h, 100) == vals[n - 1]);
        for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
                uint64_t rank = (uint64_t)llround(pcts[i] * (double)n / 100.0);
                uint64_t exact = vals[rank - 1], v = kp_hist_percentile(h, pcts[i]);
                if (v < exact || (double)(v - exact) > rel * (double)exact)
                        fail_msg("p%g: reported %llu, exact %llu (relative error bound %g)",
                                 pcts[i], (unsigned long long)v, (unsigned long long)exact, rel);
        }
}

static void run_distribution(int sub_bits, uint64_t *vals, size_t n)
{
        kp_hist_t h;
        double sum = 0;
        size_t i;

        assert_int_equal(kp_hist_init(&h, sub_bits, (uint64_t)1 << 62), 0);
        for (i = 0; i < n; i++) {
                kp_hist_record(&h, vals[i]);
                sum += (double)vals[i];
        }
        assert_int_equal(h.clamped, 0);
        assert_true(fabs(kp_hist_mean(&h) - sum / (double)n) <= 1e-9 * (sum / (double)n));
        check_against_exact(&h, vals, n);
        kp_hist_release(&h);
}

static void test_uniform(void **state)
{
        uint64_t *vals = malloc(N * sizeof(*vals)), rng = 1;
        size_t i;
        int sb;

        (void)state;
        assert_non_null(vals);
        for (sb = 3; sb <= 10; sb += 7) {
                for (i = 0; i < N; i++)
                        vals[i] = 1000 + kpt_rand(&rng) % 10000000;
                run_distribution(sb, vals, N);
        }
        free(vals);
}

/* Heavy-tailed latencies: log-normal body plus rare huge outliers. */
static void test_skewed(void **state)
{
        uint64_t *vals = malloc(N * sizeof(*vals)), rng = 2;
        size_t i;

        (void)state;
        assert_non_null(vals);
        for (i = 0; i < N; i++) {
                double u1 = kpt_rand01(&rng) + 1e-12, u2 = kpt_rand01(&rng);
                double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
                double v = exp(11.5 + 1.2 * z); /* ~100 us median in ns */
                if (kpt_rand(&rng) % 1000 == 0)
                        v *= 1000; /* stalls */
                vals[i] = (uint64_t)v;
        }
        run_distribution(7, vals, N);
        /* Pareto-like: most values tiny, a long tail up to ~1e12. */
        for (i = 0; i < N; i++)
                vals[i] = (uint64_t)(50.0 / pow(kpt_rand01(&rng) + 1e-9, 1.3));
        run_distribution(7, vals, N);
        free(vals);
}

/* Values below 2^(sub_bits+1) are recorded exactly. */
static void test_small_values_exact(void **state)
{
        kp_hist_t h;
        uint64_t v;

        (void)state;
        assert_int_equal(kp_hist_init(&h, 7, 1000000), 0);
        for (v = 0; v < 256; v++)
                kp_hist_record(&h, v);
        for (v = 1; v <= 256; v++) {
                /* percentile at rank v is value v-1 */
                uint64_t got = kp_hist_percentile(&h, 100.0 * (double)v / 256.0);
                assert_true(got == v - 1 || (v == 256 && got == 255));
        }
        assert_true(kp_hist_percentile(&h, 0) == 0);
        kp_hist_release(&h);
}

/* Bucket boundaries: every value maps into a bucket whose highest value is
 * within the bound, and indices never decrease. */
static void test_bucket_index_monotonic(void **state)
{
        kp_hist_t h;
        uint64_t v, step = 1;
        int prev = -1, idx;

        (void)state;
        assert_int_equal(kp_hist_init(&h, 5, (uint64_t)1 << 40), 0);
        for (v = 0; v < ((uint64_t)1 << 40); v += step) {
                idx = kp_hist_index(&h, v);
                assert_true(idx >= prev);
                assert_true(idx < h.n_buckets);
                prev = idx;
                if (v > 4096)
                        step = v / 97 + 1;
        }
        kp_hist_release(&h);
}

static void test_single_and_empty(void **state)
{
        kp_hist_t h;

        (void)state;
        assert_int_equal(kp_hist_init(&h, 7, 1000000000), 0);
        assert_true(kp_hist_percentile(&h, 50) == 0);
        assert_true(kp_hist_mean(&h) == 0.0);
        kp_hist_record(&h, 123456);
        assert_true(kp_hist_percentile(&h, 0.1) == 123456);
        assert_true(kp_hist_percentile(&h, 50) == 123456);
        assert_true(kp_hist_percentile(&h, 100) == 123456);
        assert_true(kp_hist_mean(&h) == 123456.0);
        kp_hist_reset(&h);
        assert_int_equal(h.total, 0);
        assert_true(kp_hist_percentile(&h, 99) == 0);
        kp_hist_record(&h, 7);
        assert_true(h.min == 7 && h.max == 7);
        kp_hist_release(&h);
        kp_hist_release(NULL);
}

static void test_invalid_init(void **state)
{
        kp_hist_t h;

        (void)state;
        assert_int_equal(kp_hist_init(&h, 0, 1000), -1);
        assert_int_equal(kp_hist_init(&h, 17, 1000), -1);
        assert_int_equal(kp_hist_init(&h, 7, 1), -1);
        assert_int_equal(kp_hist_init(&h, 7, 2), 0);
        kp_hist_release(&h);
}

/* Recording into two histograms and merging equals recording into one. */
static void test_merge(void **state)
{
        kp_hist_t a, b, all, other;
        uint64_t rng = 3, v;
        int i;

        (void)state;
        assert_int_equal(kp_hist_init(&a, 7, 60000000000ULL), 0);
        assert_int_equal(kp_hist_init(&b, 7, 60000000000ULL), 0);
        assert_int_equal(kp_hist_init(&all, 7, 60000000000ULL), 0);
        for (i = 0; i < 50000; i++) {
                v = kpt_rand(&rng) % (i % 2 ? 1000000 : 100000000000ULL);
                kp_hist_record(i % 3 ? &a : &b, v);
                kp_hist_record(&all, v);
        }
        assert_int_equal(kp_hist_merge(&a, &b), 0);
        assert_int_equal(a.total, all.total);
        assert_int_equal(a.clamped, all.clamped);
        assert_true(all.clamped > 0);
        assert_true(a.min == all.min && a.max == all.max);
        assert_memory_equal(a.counts, all.counts, (size_t)a.n_buckets * sizeof(uint64_t));
        for (i = 1; i <= 1000; i++)
                assert_true(kp_hist_percentile(&a, i / 10.0) == kp_hist_percentile(&all, i / 10.0));

        /* Merging an empty histogram changes nothing; merging into an empty
         * one copies min as well. */
        kp_hist_reset(&b);
        assert_int_equal(kp_hist_merge(&a, &b), 0);
        assert_int_equal(a.total, all.total);
        assert_int_equal(kp_hist_merge(&b, &all), 0);
        assert_true(b.min == all.min && b.max == all.max && b.total == all.total);

        /* Different layouts refuse to merge. */
        assert_int_equal(kp_hist_init(&other, 6, 60000000000ULL), 0);
        assert_int_equal(kp_hist_merge(&other, &a), -1);
        kp_hist_release(&other);
        assert_int_equal(kp_hist_init(&other, 7, 1000), 0);
        assert_int_equal(kp_hist_merge(&other, &a), -1);
        assert_int_equal(other.total, 0);
        kp_hist_release(&other);
        kp_hist_release(&a);
        kp_hist_release(&b);
        kp_hist_release(&all);
}

/* Values above max_value are clamped to it and counted. */
static void test_max_clamp(void **state)
{
        kp_hist_t h;

        (void)state;
        assert_int_equal(kp_hist_init(&h, 7, 1000000), 0);
        kp_hist_record(&h, 10);
        kp_hist_record(&h, 999999);
        kp_hist_record(&h, 5000000);
        kp_hist_record(&h, UINT64_MAX);
        assert_int_equal(h.clamped, 2);
        assert_int_equal(h.total, 4);
        assert_true(h.max == 1000000);
        assert_true(kp_hist_percentile(&h, 100) == 1000000);
        assert_true(kp_hist_percentile(&h, 75) <= 1000000);
        assert_true(kp_hist_percentile(&h, 75) >= 999999);
        assert_true(kp_hist_percentile(&h, 25) == 10);
        kp_hist_release(&h);

        /* The whole 64-bit range as the limit. */
        assert_int_equal(kp_hist_init(&h, 7, UINT64_MAX), 0);
        kp_hist_record(&h, UINT64_MAX);
        kp_hist_record(&h, 1);
        assert_int_equal(h.clamped, 0);
        assert_true(kp_hist_percentile(&h, 100) == UINT64_MAX);
        assert_true(kp_hist_percentile(&h, 99) == UINT64_MAX);
        assert_true(kp_hist_percentile(&h, 50) == 1);
        kp_hist_release(&h);
}

/* Fixed memory: the size depends on the layout only, not on the count. */
static void test_fixed_memory(void **state)
{
        kp_hist_t h;
        size_t before;
        int i;

        (void)state;
        assert_int_equal(kp_hist_init(&h, 7, 3600000000000ULL), 0);
        before = kp_hist_bytes(&h);
        assert_int_equal(before, sizeof(h) + (size_t)h.n_buckets * sizeof(uint64_t));
        assert_true(before < 64 * 1024);
        for (i = 0; i < 100000; i++)
                kp_hist_record(&h, (uint64_t)i * 36000000ULL);
        assert_int_equal(kp_hist_bytes(&h), before);
        kp_hist_release(&h);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_uniform),
            cmocka_unit_test(test_skewed),
            cmocka_unit_test(test_small_values_exact),
            cmocka_unit_test(test_bucket_index_monotonic),
            cmocka_unit_test(test_single_and_empty),
            cmocka_unit_test(test_invalid_init),
            cmocka_unit_test(test_merge),
            cmocka_unit_test(test_max_clamp),
            cmocka_unit_test(test_fixed_memory),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
