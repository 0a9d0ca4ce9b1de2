/* Unit tests of boundary (CIDRs, host patterns, host:port) and of the
 * location suite's zone-spread rule. */
#include "kptest.h"

#include <sys/socket.h>

#include "platform/boundary.h"
#include "suites/location/location.h"

static int in_cidr(const char *cidr, const char *addr)
{
        kp_cidr_t c;
        uint8_t a[16];
        int fam;
        char why[128];

        assert_int_equal(kp_cidr_parse(cidr, &c, why, sizeof(why)), 0);
        assert_int_equal(kp_addr_parse(addr, &fam, a), 0);
        return kp_cidr_contains(&c, fam, a);
}

static void test_cidr_contains(void **state)
{
        (void)state;
        assert_true(in_cidr("127.0.0.0/8", "127.0.0.2"));
        assert_true(in_cidr("127.0.0.0/8", "127.255.255.255"));
        assert_false(in_cidr("127.0.0.0/8", "128.0.0.1"));
        assert_true(in_cidr("127.0.0.1/32", "127.0.0.1"));
        assert_false(in_cidr("127.0.0.1/32", "127.0.0.2"));
        assert_true(in_cidr("10.16.0.0/12", "10.31.255.1"));
        assert_false(in_cidr("10.16.0.0/12", "10.32.0.1"));
        assert_true(in_cidr("0.0.0.0/0", "8.8.8.8"));
        assert_true(in_cidr("fd00::/8", "fd12:3456::1"));
        assert_false(in_cidr("fd00::/8", "fe80::1"));
        assert_false(in_cidr("::/0", "10.0.0.1")); /* families never mix */
        assert_true(in_cidr("192.168.1.7", "192.168.1.7"));
        /* an IPv4-mapped IPv6 address (dual-stack socket) is its IPv4 address */
        assert_true(in_cidr("127.0.0.0/8", "::ffff:127.0.0.2"));
        assert_false(in_cidr("fd00::/8", "::ffff:127.0.0.2"));
}

static void test_cidr_rejects(void **state)
{
        static const char *const bad[] = {
            "10.0.0.0/33", "10.0.0.1/8", "10.0.0/8",   "10.0.0.0/",   "10.0.0.0/x",
            "kafka/8",     "/8",         "fd00::/129", "10.0.0.0/-1", ""};
        kp_cidr_t c;
        char why[128];
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(kp_cidr_parse(bad[i], &c, why, sizeof(why)), -1);
        kp_cidr_parse("10.0.0.1/8", &c, why, sizeof(why));
        assert_contains(why, "host bits set");
        kp_cidr_parse("10.0.0.0/33", &c, why, sizeof(why));
        assert_contains(why, "prefix length from 0 to 32");
}

static void test_hosts(void **state)
{
        char *hosts[] = {"*.internal.example.com", "b1.example.com", "192.0.2.10"};
        char *cidrs[] = {"127.0.0.0/8"};
        char *eps[] = {"kms.eu-west-1.amazonaws.com"};
        kp_deployment_cfg_t d = {0};
        char why[128];

        (void)state;
        d.boundary_hosts = hosts;
        d.n_boundary_hosts = 3;
        d.boundary_cidrs = cidrs;
        d.n_boundary_cidrs = 1;
        d.boundary_endpoints = eps;
        d.n_boundary_endpoints = 1;
        assert_true(kp_host_matches("*.example.com", "a.b.EXAMPLE.com"));
        assert_false(kp_host_matches("*.example.com", "example.com"));
        assert_false(kp_host_matches("*.example.com", "badexample.com"));
        assert_true(
            kp_boundary_admits(&d, "x.internal.example.com", "203.0.113.1", why, sizeof(why)));
        assert_string_equal(why, "host *.internal.example.com");
        assert_true(kp_boundary_admits(&d, "b1.example.com", NULL, why, sizeof(why)));
        assert_false(kp_boundary_admits(&d, "b2.example.com", "203.0.113.1", why, sizeof(why)));
        assert_true(kp_boundary_admits(&d, "b2.example.com", "127.0.0.2", why, sizeof(why)));
        assert_string_equal(why, "cidr 127.0.0.0/8");
        assert_true(kp_boundary_admits(&d, NULL, "192.0.2.10", why, sizeof(why)));
        assert_false(kp_boundary_admits(&d, NULL, "192.0.2.11", why, sizeof(why)));
        assert_true(kp_boundary_allows_endpoint(&d, "KMS.eu-west-1.amazonaws.com"));
        assert_false(kp_boundary_allows_endpoint(&d, "kms.us-east-1.amazonaws.com"));
}

static void test_hostport(void **state)
{
        char h[64];
        int port;

        (void)state;
        assert_int_equal(kp_hostport_split("127.0.0.1:19092", h, sizeof(h), &port), 0);
        assert_string_equal(h, "127.0.0.1");
        assert_int_equal(port, 19092);
        assert_int_equal(
            kp_hostport_split("SASL_SSL://b-1.kafka.example.com:9096", h, sizeof(h), &port), 0);
        assert_string_equal(h, "b-1.kafka.example.com");
        assert_int_equal(port, 9096);
        assert_int_equal(kp_hostport_split("[::1]:9092", h, sizeof(h), &port), 0);
        assert_string_equal(h, "::1");
        assert_int_equal(port, 9092);
        assert_int_equal(kp_hostport_split("kafka", h, sizeof(h), &port), 0);
        assert_int_equal(port, -1);
        assert_int_equal(kp_hostport_split("kafka:99999", h, sizeof(h), &port), -1);
        assert_int_equal(kp_hostport_split(":9092", h, sizeof(h), &port), -1);
}

static void test_zone_spread(void **state)
{
        const char *abc[] = {"zone-a", "zone-b", "zone-c"};
        const char *aab[] = {"zone-a", "zone-a", "zone-b"};
        const char *aa[] = {"zone-a", "zone-a"};
        const char *unknown[] = {"?", "?"};
        int distinct;

        (void)state;
        assert_int_equal(loc_zone_spread(abc, 3, 3, &distinct), 3);
        assert_int_equal(distinct, 3);
        /* RF 3 over 2 zones in use: two zones are enough */
        assert_int_equal(loc_zone_spread(aab, 3, 2, &distinct), 2);
        assert_int_equal(distinct, 2);
        /* RF 3 with 3 zones in use but two replicas share zone-a: under-spread */
        assert_int_equal(loc_zone_spread(aab, 3, 3, &distinct), 3);
        assert_int_equal(distinct, 2);
        /* RF 2 in one zone while 3 are in use */
        assert_int_equal(loc_zone_spread(aa, 2, 3, &distinct), 2);
        assert_int_equal(distinct, 1);
        /* brokers without a zone count for none */
        assert_int_equal(loc_zone_spread(unknown, 2, 2, &distinct), 2);
        assert_int_equal(distinct, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_cidr_contains), cmocka_unit_test(test_cidr_rejects),
            cmocka_unit_test(test_hosts),         cmocka_unit_test(test_hostport),
            cmocka_unit_test(test_zone_spread),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
