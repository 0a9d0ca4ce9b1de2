/*
 * Unit tests of the S3 XML reader (expat): ListObjectsV2 pages as S3 and
 * moto write them (namespace, entities, CDATA, nested owner elements,
 * pagination fields after the objects), documents that are not a listing,
 * error documents (<Error>, <ErrorResponse><Error>, cut off, HTML), and that
 * neither external entities nor entity expansion get through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/aws.h"
#include "adapters/s3xml.h"
#include "util/buf.h"

static int listing(const char *xml, kp_s3_listing_t *l, kp_err_t *err)
{
        memset(l, 0, sizeof(*l));
        return kp_s3xml_listing(xml, strlen(xml), l, err);
}

static void test_listing_page(void **state)
{
        const char *xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Name>bucket</Name><Prefix>topic/</Prefix><KeyCount>3</KeyCount>"
            "<MaxKeys>1000</MaxKeys>"
            "<Contents><Key>topic/0/a&amp;b.log</Key><LastModified>2026-12-03T13:00:00.000Z"
            "</LastModified><ETag>&quot;abc&quot;</ETag><Size>1234</Size>"
            "<Owner><ID>x</ID><DisplayName>Key</DisplayName></Owner>"
            "<StorageClass>STANDARD</StorageClass></Contents>\n"
            "  <Contents>\n    <Key><![CDATA[topic/1/<odd>.log]]></Key>\n"
            "    <Size>0</Size>\n  </Contents>\n"
            "<Contents><Size>5</Size></Contents>"
            "<CommonPrefixes><Prefix>topic/2/</Prefix></CommonPrefixes>"
            "<IsTruncated>true</IsTruncated>"
            "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</"
            "NextContinuationToken>"
            "</ListBucketResult>";
        kp_s3_listing_t l;
        kp_err_t err;
        (void)state;

        assert_int_equal(listing(xml, &l, &err), 0);
        assert_int_equal(l.n_objects, 2);
        assert_string_equal(l.objects[0].key, "topic/0/a&b.log");
        assert_int_equal(l.objects[0].size, 1234);
        assert_string_equal(l.objects[0].last_modified, "2026-12-03T13:00:00.000Z");
        assert_string_equal(l.objects[1].key, "topic/1/<odd>.log");
        assert_int_equal(l.objects[1].size, 0);
        assert_string_equal(l.objects[1].last_modified, "");
        assert_true(l.is_truncated);
        assert_string_equal(l.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
        kp_s3_listing_free(&l);
}

static void test_listing_prefixed_and_empty(void **state)
{
        kp_s3_listing_t l;
        kp_err_t err;
        (void)state;

        assert_int_equal(listing("<s3:ListBucketResult xmlns:s3=\"urn:x\"><s3:Contents>"
                                 "<s3:Key>k</s3:Key><s3:Size>7</s3:Size></s3:Contents>"
                                 "<s3:IsTruncated>false</s3:IsTruncated>"
                                 "<s3:NextContinuationToken>t</s3:NextContinuationToken>"
                                 "</s3:ListBucketResult>",
                                 &l, &err),
                         0);
        assert_int_equal(l.n_objects, 1);
        assert_string_equal(l.objects[0].key, "k");
        assert_int_equal(l.objects[0].size, 7);
        assert_false(l.is_truncated);
        kp_s3_listing_free(&l);

        assert_int_equal(listing("<ListBucketResult><IsTruncated>false</IsTruncated>"
                                 "</ListBucketResult>",
                                 &l, &err),
                         0);
        assert_int_equal(l.n_objects, 0);
        assert_false(l.is_truncated);
        assert_string_equal(l.next_token, "");
        kp_s3_listing_free(&l);
}

/* A full page of 1000 objects grows the array several times. */
static void test_listing_many(void **state)
{
        kp_buf_t b;
        kp_s3_listing_t l;
        kp_err_t err;
        int i;
        (void)state;

        kp_buf_init(&b, 0);
        kp_buf_puts(&b, "<ListBucketResult>");
        for (i = 0; i < 1000; i++)
                kp_buf_printf(&b, "<Contents><Key>k/%04d</Key><Size>%d</Size></Contents>", i, i);
        kp_buf_puts(&b, "</ListBucketResult>");
        assert_int_equal(listing(kp_buf_cstr(&b), &l, &err), 0);
        assert_int_equal(l.n_objects, 1000);
        assert_string_equal(l.objects[999].key, "k/0999");
        assert_int_equal(l.objects[999].size, 999);
        kp_s3_listing_free(&l);
        kp_buf_free(&b);
}

static void test_listing_rejects(void **state)
{
        static const char *const bad[] = {
            "",
            "not xml",
            "<ListBucketResult><Contents><Key>a</Key></Contents>",
            "<ListBucketResult><Contents><Key>a</Contents></ListBucketResult>",
            "<Error><Code>AccessDenied</Code></Error>",
            "<ListAllMyBucketsResult></ListAllMyBucketsResult>",
            "<ListBucketResult>&undefined;</ListBucketResult>",
        };
        size_t i;
        (void)state;

        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                kp_s3_listing_t l;
                kp_err_t err;
                assert_int_equal(listing(bad[i], &l, &err), -1);
                assert_int_equal(err.code, KP_EINFRA);
                assert_non_null(strstr(err.msg, "ListObjectsV2 answer"));
                kp_s3_listing_free(&l);
        }
}

/* External entities are not loaded; nested entity expansion is refused. */
static void test_listing_entities(void **state)
{
        const char *ext = "<?xml version=\"1.0\"?>\n"
                          "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>\n"
                          "<ListBucketResult><Contents><Key>a&x;b</Key></Contents>"
                          "</ListBucketResult>";
        kp_buf_t b;
        kp_s3_listing_t l;
        kp_err_t err;
        int i;
        (void)state;

        assert_int_equal(listing(ext, &l, &err), 0);
        assert_int_equal(l.n_objects, 1);
        assert_string_equal(l.objects[0].key, "ab");
        kp_s3_listing_free(&l);

        kp_buf_init(&b, 0);
        kp_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY e0 \"lollollollol\">");
        for (i = 1; i < 10; i++)
                kp_buf_printf(&b, "<!ENTITY e%d \"&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;&e%d;\">", i,
                              i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        kp_buf_puts(&b, "]>\n<ListBucketResult><Contents><Key>&e9;</Key></Contents>"
                        "</ListBucketResult>");
        assert_int_equal(listing(kp_buf_cstr(&b), &l, &err), -1);
        kp_s3_listing_free(&l);
        kp_buf_free(&b);
}

static void test_error_documents(void **state)
{
        char code[128], msg[512], small[8];
        (void)state;

#define ERR(x) kp_s3xml_error(x, strlen(x), code, sizeof(code), msg, sizeof(msg))
        assert_int_equal(ERR("<Error><Code>NoSuchBucket</Code><Message>The bucket &lt;b&gt; "
                             "does not exist</Message><BucketName>b</BucketName></Error>"),
                         1);
        assert_string_equal(code, "NoSuchBucket");
        assert_string_equal(msg, "The bucket <b> does not exist");

        /* the query APIs' wrapper */
        assert_int_equal(ERR("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                             "<Error><Type>Sender</Type><Code>Throttling</Code>"
                             "<Message>Rate exceeded</Message></Error>"
                             "<RequestId>r</RequestId></ErrorResponse>"),
                         1);
        assert_string_equal(code, "Throttling");
        assert_string_equal(msg, "Rate exceeded");

        /* cut off after the code: what was complete counts */
        assert_int_equal(ERR("<Error><Code>InternalError</Code><Message>We encount"), 1);
        assert_string_equal(code, "InternalError");
        assert_string_equal(msg, "");

        /* an HTML page of a proxy, a document without a code */
        assert_int_equal(ERR("<html><body><h1>502 Bad Gateway</h1></body></html>"), 0);
        assert_string_equal(code, "");
        assert_int_equal(ERR("<Error><Message>m</Message></Error>"), 0);
        assert_string_equal(msg, "m");
#undef ERR
        /* text longer than the field is cut */
        assert_int_equal(kp_s3xml_error("<Error><Code>AccessDenied</Code></Error>", 39, small,
                                        sizeof(small), msg, sizeof(msg)),
                         1);
        assert_string_equal(small, "AccessD");
}

/* Through kp_aws_error_parse: blanks before the declaration, entities. */
static void test_aws_error_parse_xml(void **state)
{
        const char *body = "\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
                           "<Code>SlowDown</Code><Message>Reduce &amp; retry</Message></Error>";
        kp_aws_error_t e;
        (void)state;

        kp_aws_error_parse(503, body, strlen(body), NULL, &e);
        assert_string_equal(e.code, "SlowDown");
        assert_string_equal(e.message, "Reduce & retry");
        assert_true(e.throttled);
        kp_aws_error_parse(403, "<html>denied</html>", 19, NULL, &e);
        assert_string_equal(e.code, "HTTP403");
        assert_string_equal(e.message, "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_listing_page),
            cmocka_unit_test(test_listing_prefixed_and_empty),
            cmocka_unit_test(test_listing_many),
            cmocka_unit_test(test_listing_rejects),
            cmocka_unit_test(test_listing_entities),
            cmocka_unit_test(test_error_documents),
            cmocka_unit_test(test_aws_error_parse_xml),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
