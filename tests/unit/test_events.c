/* Unit tests of events: events.jsonl lines are JSON objects with ts, t_ms
 * and type, written whole from many threads, redacted, and dropped when no
 * sink is open. */
#include "kptest.h"

#include <pthread.h>

#include <cjson/cJSON.h>

#include "evidence/events.h"
#include "util/secret.h"
#include "util/timeutil.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("events", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        kp_events_close();
        kp_secret_clear();
        return kp_rm_rf(tmpdir);
}

#define THREADS 4
#define PER     250

static void *emitter(void *arg)
{
        int id = (int)(intptr_t)arg, i;

        for (i = 0; i < PER; i++) {
                kp_event_t *e = kp_event_new("probe");
                kp_event_int(e, "thread", id);
                kp_event_int(e, "i", i);
                kp_event_num(e, "x", 0.5);
                kp_event_bool(e, "ok", i % 2);
                kp_event_str(e, "pad", "................................................");
                kp_event_str(e, "null", NULL);
                kp_event_emit(e);
        }
        return NULL;
}

static void test_lines(void **state)
{
        const char *secret = "events-secret-42xy";
        char path[1200], *line, *nl;
        int seen[THREADS][PER];
        pthread_t th[THREADS];
        kp_buf_t b;
        kp_err_t err;
        int i, n = 0, msgs = 0;

        (void)state;
        memset(seen, 0, sizeof(seen));
        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, "events.jsonl"), 0);
        assert_int_equal(kp_events_open(path, kp_mono_ns() - 2500 * KP_NS_PER_MS, &err), 0);
        assert_int_equal(kp_secret_add(secret), 0);
        kp_event_msg("note", "semantics.x", "connected as %s", secret);
        for (i = 0; i < THREADS; i++)
                assert_int_equal(pthread_create(&th[i], NULL, emitter, (void *)(intptr_t)i), 0);
        for (i = 0; i < THREADS; i++)
                pthread_join(th[i], NULL);
        assert_true(kp_events_count() == 1 + THREADS * PER);
        kp_events_close();
        /* without a sink nothing is built or written */
        assert_null(kp_event_new("late"));
        kp_event_msg("late", NULL, "dropped");
        kp_event_emit(NULL);

        kp_buf_init(&b, 0);
        assert_int_equal(kp_read_file(path, 1 << 24, &b, &err), 0);
        assert_not_contains(kp_buf_cstr(&b), secret);
        for (line = b.data; line && *line; line = nl ? nl + 1 : NULL) {
                cJSON *o;
                const cJSON *type, *tms;

                nl = strchr(line, '\n');
                if (!nl)
                        fail_msg("last line not terminated: %s", line);
                *nl = '\0';
                o = cJSON_Parse(line);
                if (!o)
                        fail_msg("not JSON: %s", line);
                type = cJSON_GetObjectItem(o, "type");
                tms = cJSON_GetObjectItem(o, "t_ms");
                assert_true(cJSON_IsString(cJSON_GetObjectItem(o, "ts")));
                assert_int_equal(strlen(cJSON_GetObjectItem(o, "ts")->valuestring), 24);
                assert_true(cJSON_IsNumber(tms) && tms->valuedouble >= 2500);
                assert_true(cJSON_IsString(type));
                if (strcmp(type->valuestring, "note") == 0) {
                        assert_string_equal(cJSON_GetObjectItem(o, "message")->valuestring,
                                            "connected as ***");
                        assert_string_equal(cJSON_GetObjectItem(o, "check")->valuestring,
                                            "semantics.x");
                        msgs++;
                } else {
                        int t = cJSON_GetObjectItem(o, "thread")->valueint;
                        int k = cJSON_GetObjectItem(o, "i")->valueint;
                        assert_string_equal(type->valuestring, "probe");
                        assert_in_range(t, 0, THREADS - 1);
                        assert_in_range(k, 0, PER - 1);
                        assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(o, "ok")), k % 2);
                        assert_null(cJSON_GetObjectItem(o, "null"));
                        seen[t][k]++;
                }
                cJSON_Delete(o);
                n++;
        }
        kp_buf_free(&b);
        assert_int_equal(n, 1 + THREADS * PER);
        assert_int_equal(msgs, 1);
        for (i = 0; i < THREADS * PER; i++)
                assert_int_equal(seen[i / PER][i % PER], 1);
        kp_secret_clear();
}

static void test_open_error(void **state)
{
        kp_err_t err;

        (void)state;
        assert_int_equal(kp_events_open("/nonexistent-kproof-dir/events.jsonl", 0, &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_contains(err.msg, "/nonexistent-kproof-dir/events.jsonl");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_lines),
            cmocka_unit_test(test_open_error),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
