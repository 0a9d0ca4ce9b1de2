/*
 * The audit adapter's parsers on recorded real-format samples: Kafka 4.1
 * StandardAuthorizer lines written by the fixture's secured cluster
 * (tests/unit/data/audit/kafka-authorizer.log), CloudTrail records in the
 * layout AWS documents (cloudtrail.json), kproof's jsonl;
 * the target's audit and principals sections; reading file and exec
 * sources, including the ways they fail.
 */
#include "kptest.h"

#include <sys/stat.h>

#include "adapters/audit.h"
#include "util/buf.h"
#include "config/config.h"
#include "util/secret.h"
#include "util/timeutil.h"

static char *slurp(const char *rel, size_t *len)
{
        char path[1024];
        kp_buf_t b;
        kp_err_t err = {0};

        snprintf(path, sizeof(path), "%s/tests/unit/data/audit/%s", getenv("KPROOF_SRC"), rel);
        kp_buf_init(&b, 1 << 24);
        assert_int_equal(kp_read_file(path, 1 << 24, &b, &err), 0);
        *len = b.len;
        return kp_buf_detach(&b);
}

static void test_kafka_authorizer(void **state)
{
        kp_audit_log_t log = {0};
        kp_err_t err = {0};
        size_t len, i, denied = 0;
        char *text = slurp("kafka-authorizer.log", &len);
        const kp_audit_event_t *e;

        (void)state;
        assert_int_equal(kp_audit_parse_kafka_authorizer("a", text, len, 0, &log, &err), 0);
        assert_int_equal(log.n, 10);
        assert_int_equal(log.skipped, 0);
        e = &log.ev[0];
        assert_string_equal(e->principal, "User:admin");
        assert_string_equal(e->action, "CreateTopics");
        assert_string_equal(e->resource, "Cluster:LITERAL:kafka-cluster");
        assert_string_equal(e->outcome, "allowed");
        assert_string_equal(e->detail, "operation=CREATE host=127.0.0.1");
        assert_true(e->time_ns == 1796313874823LL * KP_NS_PER_MS);
        assert_string_equal(log.ev[2].action, "IncrementalAlterConfigs");
        assert_string_equal(log.ev[2].resource, "Topic:LITERAL:probe1");
        assert_string_equal(log.ev[3].action, "CreateAcls");
        assert_string_equal(log.ev[4].action, "DeleteAcls");
        for (i = 0; i < log.n; i++) {
                if (strcmp(log.ev[i].outcome, "denied") != 0)
                        continue;
                denied++;
                assert_string_equal(log.ev[i].principal, "User:intruder");
                assert_string_equal(log.ev[i].action, "CreateTopics");
                assert_string_equal(log.ev[i].resource, "Topic:LITERAL:probe2");
        }
        assert_int_equal(denied, 1);
        assert_string_equal(log.ev[6].action, "DeleteTopics");
        /* since drops older decisions */
        kp_audit_log_release(&log);
        assert_int_equal(kp_audit_parse_kafka_authorizer(
                             "a", text, len, 1796313885000LL * KP_NS_PER_MS, &log, &err),
                         0);
        assert_int_equal(log.n, 3);
        kp_audit_log_release(&log);
        free(text);
}

static void test_kafka_authorizer_other_lines(void **state)
{
        static const char txt[] =
            "[2026-12-03 16:04:34,823] INFO Principal = User:alice is Denied Operation = Write "
            "from host = 10.0.0.1 on resource = Topic:LITERAL:t for request = Produce with "
            "resourceRefCount = 1 (kafka.authorizer.logger)\n"
            "java.lang.RuntimeException: boom\n"
            "\tat Foo.bar(Foo.java:1)\n"
            "[2026-12-03 16:04:35,000] INFO something else (kafka.server.KafkaServer)\n";
        kp_audit_log_t log = {0};
        kp_err_t err = {0};

        (void)state;
        assert_int_equal(kp_audit_parse_kafka_authorizer("a", txt, strlen(txt), 0, &log, &err), 0);
        assert_int_equal(log.n, 1);
        assert_int_equal(log.skipped, 3);
        assert_string_equal(log.ev[0].principal, "User:alice");
        assert_string_equal(log.ev[0].action, "Produce");
        assert_string_equal(log.ev[0].outcome, "denied");
        assert_string_equal(log.ev[0].detail, "operation=Write host=10.0.0.1");
        kp_audit_log_release(&log);
}

static void test_cloudtrail(void **state)
{
        kp_audit_log_t log = {0};
        kp_err_t err = {0};
        size_t len;
        char *text = slurp("cloudtrail.json", &len);

        (void)state;
        assert_int_equal(kp_audit_parse_cloudtrail("ct", text, len, 0, &log, &err), 0);
        assert_int_equal(log.n, 3);
        assert_string_equal(log.ev[0].action, "GenerateDataKey");
        assert_string_equal(log.ev[0].principal, "arn:aws:iam::111122223333:user/Alice");
        assert_string_equal(log.ev[0].resource, "arn:aws:kms:us-west-2:111122223333:key/"
                                                "1234abcd-12ab-34cd-56ef-1234567890ab");
        assert_string_equal(log.ev[0].outcome, "allowed");
        assert_string_equal(log.ev[0].detail, "kms.amazonaws.com");
        assert_true(log.ev[0].time_ns == 1747773976LL * KP_NS_PER_S);
        assert_string_equal(log.ev[1].action, "Decrypt");
        assert_string_equal(log.ev[1].outcome, "denied");
        assert_contains(log.ev[1].detail, "errorCode=AccessDeniedException");
        assert_string_equal(log.ev[2].principal, "kafka.amazonaws.com");
        assert_string_equal(log.ev[2].resource, "kproof-data/topic-0/00000000000000000000.log");
        assert_true(log.ev[2].time_ns == 1747774110250LL * KP_NS_PER_MS);
        kp_audit_log_release(&log);
        free(text);
}

static void test_cloudtrail_layouts(void **state)
{
        static const char lines[] =
            "{\"eventTime\":\"2025-05-20T20:46:16Z\",\"eventName\":\"DescribeKey\","
            "\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/"
            "k\"},\"errorCode\":\"NotFoundException\"}\n"
            "\n"
            "{\"eventTime\":\"2025-05-20T20:46:17Z\",\"eventName\":\"Encrypt\"}\n";
        static const char lookup[] =
            "{\"Events\":[{\"EventId\":\"x\",\"CloudTrailEvent\":\"{\\\"eventTime\\\":"
            "\\\"2025-05-20T20:46:16Z\\\",\\\"eventName\\\":\\\"DisableKey\\\"}\"}]}";
        static const char bad[] = "{\"Records\":[{\"eventName\":\"Decrypt\"}]}";
        kp_audit_log_t log = {0};
        kp_err_t err = {0};

        (void)state;
        assert_int_equal(kp_audit_parse_cloudtrail("ct", lines, strlen(lines), 0, &log, &err), 0);
        assert_int_equal(log.n, 2);
        assert_string_equal(log.ev[0].outcome, "failed");
        assert_string_equal(log.ev[1].action, "Encrypt");
        assert_int_equal(kp_audit_parse_cloudtrail("ct", lookup, strlen(lookup), 0, &log, &err), 0);
        assert_int_equal(log.n, 3);
        assert_string_equal(log.ev[2].action, "DisableKey");
        assert_int_equal(kp_audit_parse_cloudtrail("ct", bad, strlen(bad), 0, &log, &err), -1);
        assert_contains(err.msg, "audit source ct: $.Records[] item 0 has no eventTime");
        assert_int_equal(kp_audit_parse_cloudtrail("ct", "nope\n", 5, 0, &log, &err), -1);
        assert_contains(err.msg, "line 1: expected CloudTrail records");
        kp_audit_log_release(&log);
}

static void test_jsonl(void **state)
{
        static const char ok[] =
            "{\"time\":\"2026-12-03T16:04:34.823Z\",\"principal\":\"arn:x\",\"action\":"
            "\"GenerateDataKey\",\"resource\":\"key/1\",\"outcome\":\"allowed\"}\n"
            "{\"time\":1796313875,\"principal\":\"p\",\"action\":\"GetObject\",\"outcome\":"
            "\"denied\",\"detail\":\"moto\"}\n"
            /* as fixtures/kms/kms.sh audit prints local-kms's log: a trail without caller */
            "{\"time\":\"2026-12-03T15:58:29.602+00:00\",\"principal\":null,\"action\":"
            "\"Decrypt\",\"resource\":\"arn:aws:kms:eu-west-1:111122223333:key/"
            "4b50524f-0000-4000-8000-000000000002\",\"outcome\":\"allowed\",\"source\":"
            "\"local-kms\"}\n";
        static const char *const bad[][2] = {
            {"[1]\n", "line 1: expected a JSON object"},
            {"\n{\"principal\":\"p\",\"action\":\"a\",\"outcome\":\"allowed\"}\n",
             "line 2: time is missing"},
            {"{\"time\":\"soon\",\"principal\":\"p\",\"action\":\"a\",\"outcome\":\"allowed\"}",
             "line 1: time is not an RFC 3339 time"},
            {"{\"time\":1,\"principal\":\"p\",\"action\":\"a\",\"outcome\":\"maybe\"}",
             "line 1: outcome is not allowed, denied or failed"},
            {"{\"time\":1,\"principal\":\"p\",\"action\":7,\"outcome\":\"allowed\"}",
             "line 1: action is not a string"},
            {"{\"time\":1,\"action\":\"a\",\"outcome\":\"allowed\"}",
             "line 1: principal is missing"},
            {"{\"time\":1,\"principal\":3,\"action\":\"a\",\"outcome\":\"allowed\"}",
             "line 1: principal is not a string"},
            {"{\"time\":1,\"principal\":\"p\",\"action\":\"\",\"outcome\":\"allowed\"}",
             "line 1: action is empty"},
        };
        kp_audit_log_t log = {0};
        kp_err_t err = {0};
        kp_buf_t out;
        size_t i;

        (void)state;
        assert_int_equal(kp_audit_parse_jsonl("j", ok, strlen(ok), 0, &log, &err), 0);
        assert_int_equal(log.n, 3);
        assert_string_equal(log.ev[1].resource, "");
        assert_string_equal(log.ev[2].principal, "");
        assert_string_equal(log.ev[2].action, "Decrypt");
        assert_true(log.ev[2].time_ns == (int64_t)1796313509602 * 1000000);
        assert_string_equal(log.ev[1].detail, "moto");
        assert_true(log.ev[1].time_ns == 1796313875LL * KP_NS_PER_S);
        kp_buf_init(&out, 1 << 16);
        assert_int_equal(kp_audit_event_jsonl(&log.ev[0], "kms-log", &out), 0);
        assert_string_equal(kp_buf_cstr(&out),
                            "{\"time\":\"2026-12-03T16:04:34.823Z\",\"principal\":\"arn:x\","
                            "\"action\":\"GenerateDataKey\",\"resource\":\"key/1\",\"outcome\":"
                            "\"allowed\",\"source\":\"kms-log\"}\n");
        kp_buf_free(&out);
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(
                    kp_audit_parse_jsonl("j", bad[i][0], strlen(bad[i][0]), 0, &log, &err), -1);
                assert_contains(err.msg, bad[i][1]);
                assert_contains(err.msg, "audit source j: ");
        }
        kp_audit_log_release(&log);
}

/* Writes a target file into the scratch dir and loads it. */
static int load_target(const char *body, kp_target_t **t, kp_err_t *err, char *path, size_t size)
{
        const char *tmp = getenv("KPROOF_TEST_TMP") ? getenv("KPROOF_TEST_TMP") : "/tmp";
        kp_err_t e2 = {0};

        snprintf(path, size, "%s/audit-target-%d.json", tmp, (int)getpid());
        assert_int_equal(kp_write_file_raw(path, body, strlen(body), 0600, &e2), 0);
        return kp_target_load(path, t, err);
}

#define TGT(extra) "{\"name\":\"t\",\"kafka\":{\"bootstrap.servers\":\"127.0.0.1:1\"}" extra "}"

static void test_target_sections(void **state)
{
        static const char *const bad[][2] = {
            {TGT(",\"audit\":{\"sources\":[{\"name\":\"a\",\"kind\":\"admin\",\"type\":\"file\","
                 "\"path\":\"x\",\"format\":\"syslog\"}]}"),
             "$.audit.sources[0].format: expected one of"},
            {TGT(",\"audit\":{\"sources\":[{\"name\":\"a\",\"kind\":\"ops\",\"type\":\"file\","
                 "\"path\":\"x\",\"format\":\"jsonl\"}]}"),
             "$.audit.sources[0].kind"},
            {TGT(",\"audit\":{\"sources\":[{\"name\":\"a\",\"kind\":\"admin\",\"type\":\"exec\","
                 "\"format\":\"jsonl\"}]}"),
             "$.audit.sources[0].command: required field is missing"},
            {TGT(",\"audit\":{\"sources\":[{\"name\":\"a\",\"kind\":\"admin\",\"type\":\"exec\","
                 "\"command\":\"x {broker}\",\"format\":\"jsonl\"}]}"),
             "$.audit.sources[0].command: "},
            {TGT(",\"audit\":{\"sources\":[{\"name\":\"a\",\"kind\":\"admin\",\"type\":\"file\","
                 "\"path\":\"x\",\"format\":\"jsonl\",\"command\":\"y\"}]}"),
             "$.audit.sources[0].command: a source of type file has no command"},
            {TGT(",\"audit\":{\"sources\":[{\"name\":\"a\",\"kind\":\"admin\",\"type\":\"file\","
                 "\"path\":\"x\",\"format\":\"jsonl\"},{\"name\":\"a\",\"kind\":\"key\","
                 "\"type\":\"file\",\"path\":\"y\",\"format\":\"jsonl\"}]}"),
             "$.audit.sources[1].name: source name \"a\" is used twice"},
            {TGT(",\"audit\":{\"sources\":[{\"name\":\"a\",\"kind\":\"admin\",\"type\":\"file\","
                 "\"path\":\"x\",\"format\":\"jsonl\",\"colour\":1}]}"),
             "$.audit.sources[0].colour: unknown key"},
            {TGT(",\"principals\":{\"unauthorized\":{}}"), "$.principals.unauthorized: expected"},
            {TGT(",\"principals\":{\"unauthorized\":{\"sasl.password\":\"${env:KP_AUDIT_NOPE}\"}}"),
             "$.principals.unauthorized[\"sasl.password\"]: environment variable KP_AUDIT_NOPE"},
        };
        kp_target_t *t = NULL;
        kp_err_t err = {0};
        char path[1024];
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(load_target(bad[i][0], &t, &err, path, sizeof(path)), -1);
                assert_int_equal(err.code, KP_EINVAL);
                assert_contains(err.msg, path);
                assert_contains(err.msg, bad[i][1]);
        }
        setenv("KP_AUDIT_SECRET", "intruder-pass-4711", 1);
        assert_int_equal(
            load_target(TGT(",\"audit\":{\"sources\":[{\"name\":\"k\",\"kind\":\"key\","
                            "\"type\":\"exec\",\"command\":\"echo ${env:KP_AUDIT_SECRET} "
                            "{since}\",\"format\":\"jsonl\",\"timeout\":\"5s\"}]},"
                            "\"principals\":{\"unauthorized\":{\"sasl.username\":\"intruder\","
                            "\"sasl.password\":\"${env:KP_AUDIT_SECRET}\"}}"),
                        &t, &err, path, sizeof(path)),
            0);
        assert_int_equal(t->n_audit, 1);
        assert_int_equal(t->audit[0].kind, KP_AUDIT_KEY);
        assert_true(t->audit[0].exec);
        assert_true(t->audit[0].timeout_ns == 5 * KP_NS_PER_S);
        assert_non_null(kp_audit_source_of_kind(t, KP_AUDIT_KEY));
        assert_null(kp_audit_source_of_kind(t, KP_AUDIT_ADMIN));
        {
                char p[64];
                kp_audit_principal_of(kp_audit_principal(t, "unauthorized"), p, sizeof(p));
                assert_string_equal(p, "User:intruder");
                assert_null(kp_audit_principal(t, "nobody"));
        }
        {
                char *red = kp_redact_dup("x intruder-pass-4711 y");
                assert_string_equal(red, "x *** y");
                free(red);
        }
        kp_target_free(t);
}

static void test_read_sources(void **state)
{
        const char *tmp = getenv("KPROOF_TEST_TMP") ? getenv("KPROOF_TEST_TMP") : "/tmp";
        kp_target_t *t = NULL;
        kp_audit_log_t log = {0};
        kp_err_t err = {0};
        kp_buf_t jl;
        char path[1024], body[4096], dir[1024], f1[1200];
        static const char ev[] =
            "{\"time\":\"2026-12-03T16:04:34Z\",\"principal\":\"p\",\"action\":\"A\","
            "\"outcome\":\"allowed\"}\n";

        (void)state;
        snprintf(dir, sizeof(dir), "%s/audit-src-%d", tmp, (int)getpid());
        snprintf(f1, sizeof(f1), "%s/n1", dir);
        assert_int_equal(kp_mkdir_p(f1, &err), 0);
        snprintf(f1, sizeof(f1), "%s/n1/trail.jsonl", dir);
        assert_int_equal(kp_write_file_raw(f1, ev, strlen(ev), 0600, &err), 0);
        setenv("KP_AUDIT_SECRET", "intruder-pass-4711", 1);
        snprintf(body, sizeof(body),
                 TGT(",\"audit\":{\"sources\":["
                     "{\"name\":\"files\",\"kind\":\"admin\",\"type\":\"file\",\"path\":"
                     "\"%s/n*/trail.jsonl\",\"format\":\"jsonl\"},"
                     "{\"name\":\"none\",\"kind\":\"admin\",\"type\":\"file\",\"path\":"
                     "\"%s/nothing-*.log\",\"format\":\"jsonl\"},"
                     "{\"name\":\"cmd\",\"kind\":\"key\",\"type\":\"exec\",\"command\":"
                     "\"printf '%%s\\\\n' '{\\\"time\\\":{since},\\\"principal\\\":\\\"p\\\","
                     "\\\"action\\\":\\\"B\\\",\\\"outcome\\\":\\\"denied\\\"}'\","
                     "\"format\":\"jsonl\"},"
                     "{\"name\":\"fails\",\"kind\":\"key\",\"type\":\"exec\",\"command\":"
                     "\"echo ${env:KP_AUDIT_SECRET} >&2; exit 3\",\"format\":\"jsonl\"},"
                     "{\"name\":\"garbage\",\"kind\":\"key\",\"type\":\"exec\",\"command\":"
                     "\"echo hello\",\"format\":\"cloudtrail\"}]}"),
                 dir, dir);
        assert_int_equal(load_target(body, &t, &err, path, sizeof(path)), 0);
        kp_buf_init(&jl, 1 << 20);
        assert_int_equal(kp_audit_read(t, &t->audit[0], 0, &log, &jl, &err), 0);
        assert_int_equal(log.n, 1);
        assert_contains(kp_buf_cstr(&jl), "\"source\":\"files\"");
        /* since after the event: nothing */
        assert_int_equal(
            kp_audit_read(t, &t->audit[0], 1796313875LL * KP_NS_PER_S, &log, NULL, &err), 0);
        assert_int_equal(log.n, 1);
        assert_int_equal(kp_audit_read(t, &t->audit[1], 0, &log, NULL, &err), -1);
        assert_int_equal(err.code, KP_EINFRA);
        assert_contains(err.msg, "audit source none: no file matches");
        assert_int_equal(
            kp_audit_read(t, &t->audit[2], 1796313800LL * KP_NS_PER_S, &log, &jl, &err), 0);
        assert_int_equal(log.n, 2);
        assert_true(log.ev[1].time_ns == 1796313800LL * KP_NS_PER_S);
        assert_string_equal(log.ev[1].outcome, "denied");
        assert_int_equal(kp_audit_read(t, &t->audit[3], 0, &log, NULL, &err), -1);
        assert_int_equal(err.code, KP_EINFRA);
        assert_contains(err.msg, "audit source fails: command `echo *** >&2; exit 3` exited with "
                                 "status 3: ***");
        assert_not_contains(err.msg, "intruder-pass-4711");
        assert_int_equal(kp_audit_read(t, &t->audit[4], 0, &log, NULL, &err), -1);
        assert_contains(err.msg, "audit source garbage: line 1: expected CloudTrail records");
        /* an unreadable file */
        assert_int_equal(chmod(f1, 0), 0);
        if (access(f1, R_OK) != 0) {
                assert_int_equal(kp_audit_read(t, &t->audit[0], 0, &log, NULL, &err), -1);
                assert_int_equal(err.code, KP_EINFRA);
                assert_contains(err.msg, "audit source files: ");
                assert_contains(err.msg, "cannot open");
        }
        kp_buf_free(&jl);
        kp_audit_log_release(&log);
        kp_target_free(t);
        kp_rm_rf(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_kafka_authorizer),
            cmocka_unit_test(test_kafka_authorizer_other_lines),
            cmocka_unit_test(test_cloudtrail),
            cmocka_unit_test(test_cloudtrail_layouts),
            cmocka_unit_test(test_jsonl),
            cmocka_unit_test(test_target_sections),
            cmocka_unit_test(test_read_sources),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
