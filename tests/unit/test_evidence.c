/* Unit tests of evidence: verdict precedence, measurements, gates, the
 * summary and exit code, row verdicts, and evidence.json as written (parsed
 * back with cJSON), including redaction of registered secrets. */
#include "kptest.h"

#include <math.h>

#include <cjson/cJSON.h>

#include "evidence/evidence.h"
#include "evidence/rows.h"
#include "util/secret.h"

static char tmpdir[1024];

static int group_setup(void **state)
{
        (void)state;
        kpt_tmpdir("evidence", tmpdir, sizeof(tmpdir));
        return 0;
}

static int group_teardown(void **state)
{
        (void)state;
        kp_secret_clear();
        return kp_rm_rf(tmpdir);
}

static kp_evidence_t *new_ev(void)
{
        kp_run_meta_t m = {
            .run_id = "run-1",
            .scenario_path = "scenarios/quickstart.json",
            .scenario_name = "quickstart",
            .scenario_sha256 = "aa",
            .target_path = "targets/embedded.json",
            .target_name = "embedded",
            .target_sha256 = "bb",
            .control_type = "embedded",
            .command_line = "kproof run x",
            .started_wall_ns = 1795890772LL * 1000000000LL,
        };
        kp_evidence_t *ev = kp_evidence_new(&m);

        assert_non_null(ev);
        return ev;
}

/* Writes ev to a file, checks it parses, returns the document and (when
 * text is not NULL) the raw bytes. */
static cJSON *write_and_parse(kp_evidence_t *ev, const char *name, kp_buf_t *text)
{
        char path[2048];
        kp_buf_t b;
        kp_err_t err;
        cJSON *root;

        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, name), 0);
        if (kp_evidence_write(ev, path, &err) != 0)
                fail_msg("write: %s", err.msg);
        kp_buf_init(&b, 0);
        assert_int_equal(kp_read_file(path, (size_t)64 << 20, &b, &err), 0);
        root = cJSON_Parse(kp_buf_cstr(&b));
        if (!root)
                fail_msg("%s does not parse as JSON", path);
        if (text)
                *text = b;
        else
                kp_buf_free(&b);
        return root;
}

static const cJSON *get(const cJSON *o, const char *k)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

        if (!v)
                fail_msg("missing key %s", k);
        return v;
}

static const char *get_str(const cJSON *o, const char *k)
{
        const cJSON *v = get(o, k);

        if (!cJSON_IsString(v))
                fail_msg("%s is not a string", k);
        return v->valuestring;
}

static double get_num(const cJSON *o, const char *k)
{
        const cJSON *v = get(o, k);

        if (!cJSON_IsNumber(v))
                fail_msg("%s is not a number", k);
        return v->valuedouble;
}

static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
        const cJSON *it;

        cJSON_ArrayForEach(it, arr)
        {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, key);
                if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
                        return it;
        }
        fail_msg("no element with %s=%s", key, value);
        return NULL;
}

typedef void (*verdict_fn)(kp_check_t *c, const char *fmt, ...);

static const verdict_fn setters[] = {NULL, kp_check_pass, kp_check_skip, kp_check_fail,
                                     kp_check_error};

/* Every sequence of up to four verdict calls ends with the most severe
 * verdict (error > fail > skip > pass) and the reason first given for it. */
static void test_verdict_precedence(void **state)
{
        kp_evidence_t *ev = new_ev();
        int len, code, k;

        (void)state;
        for (len = 1; len <= 4; len++) {
                int combos = 1;
                for (k = 0; k < len; k++)
                        combos *= 4;
                for (code = 0; code < combos; code++) {
                        kp_check_t *c = kp_evidence_check_begin(
                            ev, "semantics.x", "kafka-semantics", "semantics", NULL);
                        int rest = code, worst = 0, v;
                        char want[64] = "";
                        assert_non_null(c);
                        for (k = 0; k < len; k++) {
                                v = 1 + rest % 4;
                                rest /= 4;
                                setters[v](c, "reason %d of %s", k, kp_verdict_name(v));
                                if (v > worst) {
                                        worst = v;
                                        snprintf(want, sizeof(want), "reason %d of %s", k,
                                                 kp_verdict_name(v));
                                }
                        }
                        assert_int_equal(kp_check_verdict(c), worst);
                        assert_string_equal(kp_check_reason(c), want);
                }
        }
        kp_evidence_free(ev);
}

static void test_verdict_names(void **state)
{
        (void)state;
        assert_string_equal(kp_verdict_name(KP_VERDICT_PASS), "pass");
        assert_string_equal(kp_verdict_name(KP_VERDICT_SKIP), "skip");
        assert_string_equal(kp_verdict_name(KP_VERDICT_FAIL), "fail");
        assert_string_equal(kp_verdict_name(KP_VERDICT_ERROR), "error");
        assert_string_equal(kp_verdict_name(KP_VERDICT_NONE), "none");
}

/* A check that ends without a verdict is an error, with a reason. */
static void test_no_verdict_is_error(void **state)
{
        kp_evidence_t *ev = new_ev();
        kp_check_t *c = kp_evidence_check_begin(ev, "a.b", "kafka-semantics", "a", "title");

        (void)state;
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_NONE);
        assert_string_equal(kp_check_id(c), "a.b");
        kp_evidence_check_end(ev, c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_ERROR);
        assert_contains(kp_check_reason(c), "without a verdict");
        kp_evidence_free(ev);
}

static void test_measurements(void **state)
{
        kp_evidence_t *ev = new_ev();
        kp_check_t *c = kp_evidence_check_begin(ev, "m.x", "kafka-semantics", "m", NULL);
        kp_kvlist_t labels = {0};
        double v = -1;
        const cJSON *root, *chk, *ms, *m;
        int n = 0;

        (void)state;
        assert_int_equal(kp_kvlist_set(&labels, "partition", "3"), 0);
        kp_check_measure_ex(c, "latency_p99", 99.0, "us", &labels, NULL);
        kp_check_measure(c, "latency_p99", 12.5, "us");
        kp_check_measure_ex(c, "loss", 0, "records", NULL, "acked - consumed");
        kp_check_measure(c, "nan_value", NAN, NULL);
        assert_int_equal(kp_check_measurement(c, "latency_p99", &v), 0);
        assert_true(v == 12.5); /* the unlabelled one */
        assert_int_equal(kp_check_measurement(c, "loss", &v), 0);
        assert_true(v == 0);
        assert_int_equal(kp_check_measurement(c, "nan_value", &v), -1);
        assert_int_equal(kp_check_measurement(c, "absent", &v), -1);
        kp_check_pass(c, "ok");
        kp_evidence_check_end(ev, c);
        /* still readable after the check closed */
        v = -1;
        assert_int_equal(kp_check_measurement(c, "latency_p99", &v), 0);
        assert_true(v == 12.5);
        /* a closed check takes no more measurements */
        kp_check_measure(c, "late", 1, "x");
        assert_int_equal(kp_check_measurement(c, "late", &v), -1);
        kp_evidence_finish(ev, 1, NULL);

        root = write_and_parse(ev, "measurements.json", NULL);
        chk = find_by(get(root, "checks"), "id", "m.x");
        ms = get(chk, "measurements");
        cJSON_ArrayForEach(m, ms) n++;
        assert_int_equal(n, 4);
        m = find_by(ms, "name", "loss");
        assert_string_equal(get_str(m, "formula"), "acked - consumed");
        assert_string_equal(get_str(m, "unit"), "records");
        m = cJSON_GetArrayItem(ms, 0);
        assert_string_equal(get_str(get(m, "labels"), "partition"), "3");
        assert_true(get_num(m, "value") == 99.0);
        m = find_by(ms, "name", "nan_value");
        assert_true(cJSON_IsNull(get(m, "value")));
        assert_string_equal(get_str(m, "unit"), "");
        cJSON_Delete((cJSON *)root);
        kp_kvlist_clear(&labels);
        kp_evidence_free(ev);
}

/* Adds one closed check per verdict letter: p(ass) s(kip) f(ail) e(rror). */
static void add_checks(kp_evidence_t *ev, const char *row, const char *verdicts)
{
        static int serial;
        char id[64];
        const char *p;

        for (p = verdicts; *p; p++) {
                kp_check_t *c;
                snprintf(id, sizeof(id), "%s.%c%d", row, *p, serial++);
                c = kp_evidence_check_begin(ev, id, row, "suite", NULL);
                assert_non_null(c);
                switch (*p) {
                case 'p':
                        kp_check_pass(c, "passed");
                        break;
                case 's':
                        kp_check_skip(c, "skipped: not supported");
                        break;
                case 'f':
                        kp_check_fail(c, "failed");
                        break;
                case 'e':
                        kp_check_error(c, "errored");
                        break;
                }
                kp_evidence_check_end(ev, c);
        }
}

static int summary_exit(const char *verdicts, int complete, int n_gate_ok, int n_gate_miss,
                        int n_gate_nan, kp_evidence_summary_t *out)
{
        kp_evidence_t *ev = new_ev();
        kp_evidence_summary_t s;
        int i;

        add_checks(ev, "kafka-semantics", verdicts);
        for (i = 0; i < n_gate_ok; i++)
                kp_evidence_gate(ev, "c", "p99_latency_ms", "<=", 50, 20, "ms", 1, NULL);
        for (i = 0; i < n_gate_miss; i++)
                kp_evidence_gate(ev, "c", "loss", "<=", 0, 3, "records", 0, "lost records");
        for (i = 0; i < n_gate_nan; i++)
                kp_evidence_gate(ev, "c", "ttr", "<=", 10, NAN, "s", 1, "not measured");
        if (complete >= 0)
                kp_evidence_finish(ev, complete, complete ? NULL : "interrupted by SIGINT");
        kp_evidence_summarize(ev, &s);
        kp_evidence_free(ev);
        if (out)
                *out = s;
        return s.exit_code;
}

static void test_summary_exit_codes(void **state)
{
        kp_evidence_summary_t s;

        (void)state;
        assert_int_equal(summary_exit("pp", 1, 1, 0, 0, &s), KP_EXIT_OK);
        assert_int_equal(s.checks, 2);
        assert_int_equal(s.pass, 2);
        assert_int_equal(s.gates, 1);
        assert_int_equal(summary_exit("psps", 1, 0, 0, 0, NULL), KP_EXIT_OK);
        /* nothing verified is not success (verdict.h; test_verdict.c has the table) */
        assert_int_equal(summary_exit("", 1, 0, 0, 0, &s), KP_EXIT_FAIL);
        assert_int_equal(s.nothing_verified, 1);
        assert_int_equal(summary_exit("ss", 1, 0, 0, 0, &s), KP_EXIT_FAIL);
        assert_int_equal(s.rows_skipped, 1);
        /* a gate not evaluated makes the run exit 1 */
        assert_int_equal(summary_exit("p", 1, 0, 0, 2, &s), KP_EXIT_FAIL);
        assert_int_equal(s.gates_not_evaluated, 2);
        assert_int_equal(s.gates_missed, 0);
        /* fail or missed gate: 1 */
        assert_int_equal(summary_exit("pf", 1, 0, 0, 0, &s), KP_EXIT_FAIL);
        assert_int_equal(s.fail, 1);
        assert_int_equal(summary_exit("pp", 1, 1, 1, 0, &s), KP_EXIT_FAIL);
        assert_int_equal(s.gates_missed, 1);
        assert_int_equal(s.gates, 2);
        /* a failure outranks an error; an interrupted run proves nothing: 3 even with a
         * missed gate */
        assert_int_equal(summary_exit("fe", 1, 0, 0, 0, NULL), KP_EXIT_FAIL);
        assert_int_equal(summary_exit("p", 0, 0, 1, 0, NULL), KP_EXIT_INFRA);
        assert_int_equal(summary_exit("f", 0, 0, 0, 0, NULL), KP_EXIT_INFRA);
        /* error or incomplete: 3 */
        assert_int_equal(summary_exit("pe", 1, 0, 0, 0, &s), KP_EXIT_INFRA);
        assert_int_equal(s.error, 1);
        assert_int_equal(s.pass, 1);
        assert_int_equal(summary_exit("pp", 0, 0, 0, 0, NULL), KP_EXIT_INFRA);
        assert_int_equal(summary_exit("pp", -1, 0, 0, 0, NULL), KP_EXIT_INFRA); /* not finished */
        assert_int_equal(summary_exit("pfse", 1, 0, 0, 0, &s), KP_EXIT_FAIL);
        assert_int_equal(s.checks, 4);
        assert_int_equal(s.pass + s.fail + s.skip + s.error, 4);
}

/* A check begun but never ended counts as an error (and is freed). */
static void test_unended_check(void **state)
{
        kp_evidence_t *ev = new_ev();
        kp_check_t *c = kp_evidence_check_begin(ev, "x.y", "kafka-semantics", "x", NULL);
        kp_evidence_summary_t s;

        (void)state;
        kp_check_measure(c, "m", 1, "u");
        kp_check_note(c, "note");
        kp_check_anomaly(c, "loss", 1, 0, "d");
        kp_check_artifact(c, "a.txt", "text", NULL);
        kp_evidence_finish(ev, 1, NULL);
        kp_evidence_summarize(ev, &s);
        assert_int_equal(s.error, 1);
        assert_int_equal(s.exit_code, KP_EXIT_INFRA);
        kp_evidence_free(ev);
}

static const char *row_verdict(const cJSON *root, const char *row)
{
        return get_str(find_by(get(root, "rows"), "id", row), "verdict");
}

static void test_row_verdicts(void **state)
{
        kp_evidence_t *ev = new_ev();
        const cJSON *root, *row, *it;
        int n = 0;

        (void)state;
        add_checks(ev, "kafka-semantics", "pps");   /* PARTIAL */
        add_checks(ev, "key-authority", "pp");      /* PASS */
        add_checks(ev, "recovery-behavior", "pfs"); /* FAIL */
        add_checks(ev, "scaling-behavior", "ss");   /* SKIPPED */
        add_checks(ev, "cost-model", "pe");         /* ERROR */
        add_checks(ev, "observability", "e");       /* ERROR */
        add_checks(ev, "migration-rollback", "ef"); /* FAIL */
        kp_evidence_finish(ev, 1, NULL);
        root = write_and_parse(ev, "rows.json", NULL);
        assert_string_equal(row_verdict(root, "kafka-semantics"), "PARTIAL");
        assert_string_equal(row_verdict(root, "key-authority"), "PASS");
        assert_string_equal(row_verdict(root, "recovery-behavior"), "FAIL");
        assert_string_equal(row_verdict(root, "scaling-behavior"), "SKIPPED");
        assert_string_equal(row_verdict(root, "cost-model"), "ERROR");
        assert_string_equal(row_verdict(root, "observability"), "ERROR");
        assert_string_equal(row_verdict(root, "migration-rollback"), "FAIL");
        assert_string_equal(row_verdict(root, "data-plane-location"), "NOT TESTED");
        /* every checklist row is present, in order, with its counts */
        cJSON_ArrayForEach(it, get(root, "rows"))
        {
                assert_true((size_t)n < kp_n_rows);
                assert_string_equal(get_str(it, "id"), kp_rows[n].id);
                assert_string_equal(get_str(it, "question"), kp_rows[n].question);
                n++;
        }
        assert_int_equal(n, kp_n_rows);
        row = find_by(get(root, "rows"), "id", "kafka-semantics");
        assert_true(get_num(row, "pass") == 2);
        assert_true(get_num(row, "skip") == 1);
        assert_int_equal(cJSON_GetArraySize(get(row, "checks")), 3);
        cJSON_Delete((cJSON *)root);
        kp_evidence_free(ev);
}

/* The whole document as written: run metadata, checks with their parts,
 * gates and the summary; written twice, the second write includes checks
 * added in between and no duplicated keys. */
static void test_evidence_json(void **state)
{
        static const char *const cols[] = {"partition", "lost"};
        static const char *const row1[] = {"0", "2"};
        kp_evidence_t *ev = new_ev();
        kp_check_t *c;
        kp_anomaly_t *a;
        kp_table_t *t;
        const cJSON *root, *run, *chk, *g, *sum, *an;
        kp_ctl_req_t req;
        kp_ctl_res_t res;
        kp_err_t err;
        int i;

        (void)state;
        kp_evidence_run_fact(ev, "platform", "first");
        kp_evidence_run_fact(ev, "platform", "Apache Kafka");
        c = kp_evidence_check_begin(ev, "semantics.acks_all", "kafka-semantics", "semantics",
                                    "acks=all");
        kp_check_measure(c, "records", 1000, "records");
        for (i = 0; i < 600; i++)
                kp_check_note(c, "note %d", i);
        a = kp_check_anomaly(c, "lost", 2, 0, "acknowledged but never read");
        assert_non_null(a);
        for (i = 0; i < 30; i++)
                kp_anomaly_example(a, 0, 100 + i, 1, i, i ? NULL : "first");
        t = kp_check_table(c, "loss by partition", cols, 2);
        kp_table_row(t, row1);
        kp_check_artifact(c, "plots/latency.svg", "plot", "latency");
        memset(&req, 0, sizeof(req));
        req.op = KP_CTL_KILL_BROKER;
        req.broker = 2;
        req.partition = -1;
        req.offset = -1;
        memset(&res, 0, sizeof(res));
        res.duration_ns = 1500000000;
        kp_err_set(&err, KP_EINFRA, "broker 2 did not stop");
        kp_check_action(c, &req, &res, &err);
        kp_check_fail(c, "2 acknowledged records lost");
        kp_evidence_check_end(ev, c);
        kp_evidence_gate(ev, "semantics.acks_all", "lost", "<=", 0, 2, "records", 0, NULL);
        kp_evidence_gate(ev, "semantics.acks_all", "p99", "<=", 5, NAN, "ms", 1, "no data");
        kp_evidence_finish(ev, 1, NULL);

        root = write_and_parse(ev, "evidence.json", NULL);
        assert_true(get_num(root, "schema_version") == KP_EVIDENCE_SCHEMA_VERSION);
        run = get(root, "run");
        assert_string_equal(get_str(run, "id"), "run-1");
        assert_string_equal(get_str(run, "started_at"), "2026-11-28T18:32:52.000Z");
        assert_int_equal(strlen(get_str(run, "finished_at")), strlen("2026-11-28T18:32:52.000Z"));
        assert_true(cJSON_IsTrue(get(run, "complete")));
        get_str(run, "kproof_version");
        get_str(run, "git_commit");
        get_str(run, "host");
        assert_string_equal(get_str(get(run, "scenario"), "path"), "scenarios/quickstart.json");
        assert_string_equal(get_str(get(run, "scenario"), "sha256"), "aa");
        assert_string_equal(get_str(get(run, "target"), "name"), "embedded");
        assert_string_equal(get_str(get(run, "target"), "sha256"), "bb");
        assert_string_equal(get_str(get(run, "facts"), "platform"), "Apache Kafka");
        assert_int_equal(cJSON_GetArraySize(get(run, "facts")), 1);

        chk = find_by(get(root, "checks"), "id", "semantics.acks_all");
        assert_string_equal(get_str(chk, "row"), "kafka-semantics");
        assert_string_equal(get_str(chk, "title"), "acks=all");
        assert_string_equal(get_str(chk, "verdict"), "fail");
        assert_string_equal(get_str(chk, "reason"), "2 acknowledged records lost");
        assert_true(get_num(chk, "duration_ms") >= 0);
        get_str(chk, "started_at");
        /* notes are capped with a marker */
        assert_int_equal(cJSON_GetArraySize(get(chk, "notes")), 501);
        assert_string_equal(cJSON_GetArrayItem(get(chk, "notes"), 500)->valuestring,
                            "(further notes omitted)");
        an = cJSON_GetArrayItem(get(chk, "anomalies"), 0);
        assert_string_equal(get_str(an, "kind"), "lost");
        assert_true(get_num(an, "count") == 2);
        assert_true(cJSON_IsFalse(get(an, "allowed")));
        assert_int_equal(cJSON_GetArraySize(get(an, "examples")), 20);
        assert_string_equal(get_str(cJSON_GetArrayItem(get(an, "examples"), 0), "detail"), "first");
        assert_true(get_num(cJSON_GetArrayItem(get(an, "examples"), 19), "offset") == 119);
        assert_string_equal(
            cJSON_GetArrayItem(
                cJSON_GetArrayItem(get(cJSON_GetArrayItem(get(chk, "tables"), 0), "rows"), 0), 1)
                ->valuestring,
            "2");
        assert_string_equal(get_str(cJSON_GetArrayItem(get(chk, "artifacts"), 0), "path"),
                            "plots/latency.svg");
        g = cJSON_GetArrayItem(get(chk, "actions"), 0);
        assert_string_equal(get_str(g, "operation"), "kill_broker");
        assert_contains(get_str(g, "request"), "broker=2");
        assert_true(cJSON_IsFalse(get(g, "ok")));
        assert_string_equal(get_str(g, "error"), "broker 2 did not stop");
        assert_true(get_num(g, "duration_ms") == 1500);

        g = find_by(get(root, "gates"), "name", "lost");
        assert_true(get_num(g, "threshold") == 0);
        assert_true(get_num(g, "observed") == 2);
        assert_true(cJSON_IsFalse(get(g, "passed")));
        assert_string_equal(get_str(g, "check"), "semantics.acks_all");
        g = find_by(get(root, "gates"), "name", "p99");
        assert_true(cJSON_IsNull(get(g, "observed")));
        assert_true(cJSON_IsNull(get(g, "passed")));
        sum = get(root, "summary");
        assert_true(get_num(sum, "exit_code") == KP_EXIT_FAIL);
        assert_true(get_num(sum, "fail") == 1);
        assert_true(get_num(sum, "gates_missed") == 1);
        assert_true(get_num(sum, "gates_not_evaluated") == 1);
        cJSON_Delete((cJSON *)root);

        /* a second write after another check */
        add_checks(ev, "key-authority", "p");
        root = write_and_parse(ev, "evidence2.json", NULL);
        assert_int_equal(cJSON_GetArraySize(get(root, "checks")), 2);
        assert_int_equal(cJSON_GetArraySize(get(root, "gates")), 2);
        assert_true(get_num(get(root, "summary"), "checks") == 2);
        assert_string_equal(row_verdict(root, "key-authority"), "PASS");
        {
                int n_rows = 0, n_checks = 0;
                const cJSON *it;
                for (it = root->child; it; it = it->next) {
                        n_rows += strcmp(it->string, "rows") == 0;
                        n_checks += strcmp(it->string, "checks") == 0;
                }
                assert_int_equal(n_rows, 1);
                assert_int_equal(n_checks, 1);
        }
        cJSON_Delete((cJSON *)root);
        kp_evidence_free(ev);
}

/* An interrupted run says so, with its reason. */
static void test_incomplete_run(void **state)
{
        kp_evidence_t *ev = new_ev();
        const cJSON *root, *run;

        (void)state;
        add_checks(ev, "kafka-semantics", "p");
        kp_evidence_finish(ev, 0, "interrupted by SIGINT");
        root = write_and_parse(ev, "incomplete.json", NULL);
        run = get(root, "run");
        assert_true(cJSON_IsFalse(get(run, "complete")));
        assert_string_equal(get_str(run, "incomplete_reason"), "interrupted by SIGINT");
        assert_true(get_num(get(root, "summary"), "exit_code") == KP_EXIT_INFRA);
        cJSON_Delete((cJSON *)root);
        kp_evidence_free(ev);
}

/* Registered secrets never reach evidence.json, wherever they were put, and
 * values of sensitive client properties are masked even when unregistered. */
static void test_secrets_redacted(void **state)
{
        static const char *const cols[] = {"k"};
        const char *secret = "Zq9-evidence-secret-7731";
        const char *const cells[] = {secret};
        kp_evidence_t *ev;
        kp_kvlist_t props = {0};
        kp_check_t *c;
        kp_buf_t text;
        const cJSON *root, *cp;

        (void)state;
        assert_int_equal(kp_secret_add(secret), 0);
        ev = new_ev();
        assert_int_equal(kp_kvlist_set(&props, "bootstrap.servers", "localhost:9092"), 0);
        assert_int_equal(kp_kvlist_set(&props, "sasl.password", "plain-unregistered"), 0);
        assert_int_equal(kp_kvlist_set(&props, "sasl.username", secret), 0);
        kp_evidence_client_props(ev, &props);
        kp_evidence_run_fact(ev, "bootstrap", secret);
        c = kp_evidence_check_begin(ev, "s.x", "kafka-semantics", "s", NULL);
        kp_check_note(c, "connected with %s", secret);
        kp_check_measure(c, secret, 1, secret);
        kp_table_row(kp_check_table(c, secret, cols, 1), cells);
        kp_check_artifact(c, secret, "text", secret);
        kp_check_fail(c, "auth failed for password %s", secret);
        /* the reason is masked as soon as it is set */
        assert_not_contains(kp_check_reason(c), secret);
        assert_contains(kp_check_reason(c), "***");
        kp_evidence_check_end(ev, c);
        kp_evidence_gate(ev, secret, secret, "<=", 1, 0, secret, 1, secret);
        kp_evidence_finish(ev, 0, secret);
        root = write_and_parse(ev, "secret.json", &text);
        assert_not_contains(kp_buf_cstr(&text), secret);
        assert_not_contains(kp_buf_cstr(&text), "plain-unregistered");
        assert_contains(kp_buf_cstr(&text), "***");
        cp = get(get(root, "run"), "client_properties");
        assert_string_equal(get_str(cp, "sasl.password"), "***");
        assert_string_equal(get_str(cp, "bootstrap.servers"), "localhost:9092");
        assert_string_equal(get_str(cp, "sasl.username"), "***");
        cJSON_Delete((cJSON *)root);
        kp_buf_free(&text);
        kp_kvlist_clear(&props);
        kp_evidence_free(ev);
        kp_secret_clear();
}

/* A checkpoint reloaded by the supervisor after a crash: ended checks keep
 * their verdict, reason and measurements; a check that had begun but not
 * ended is dropped (what it set is not trusted); gates and run facts stay;
 * more checks can be added and the document written again. */
static void test_checkpoint_reload(void **state)
{
        kp_evidence_t *ev = new_ev(), *back;
        kp_evidence_summary_t s;
        kp_check_t *c;
        kp_err_t err;
        char path[2048];
        double v;
        cJSON *root;

        (void)state;
        kp_evidence_run_fact(ev, "platform", "mock");
        c = kp_evidence_check_begin(ev, "a.one", "kafka-semantics", "a", "one");
        kp_check_measure(c, "lost", 0, "records");
        kp_check_pass(c, "nothing lost");
        kp_evidence_check_end(ev, c);
        kp_evidence_gate(ev, "a.one", "max_lost", "<=", 0, 0, "records", 1, NULL);
        c = kp_evidence_check_begin(ev, "a.two", "kafka-semantics", "a", "two");
        kp_check_pass(c, "set before the crash");
        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, "checkpoint.json"), 0);
        assert_int_equal(kp_evidence_write(ev, path, &err), 0);
        kp_evidence_free(ev);

        back = kp_evidence_load(path, &err);
        assert_non_null(back);
        c = kp_evidence_find_check(back, "a.one");
        assert_non_null(c);
        assert_int_equal(kp_check_verdict(c), KP_VERDICT_PASS);
        assert_string_equal(kp_check_reason(c), "nothing lost");
        assert_int_equal(kp_check_measurement(c, "lost", &v), 0);
        assert_null(kp_evidence_find_check(back, "a.two"));
        c = kp_evidence_check_begin(back, "a.two", "kafka-semantics", "a", "two");
        kp_check_error(c, "crashed: SIGSEGV in a.two");
        kp_evidence_check_end(back, c);
        kp_evidence_finish(back, 0, "crashed: SIGSEGV in a.two");
        kp_evidence_summarize(back, &s);
        assert_int_equal(s.checks, 2);
        assert_int_equal(s.pass, 1);
        assert_int_equal(s.error, 1);
        assert_int_equal(s.gates, 1);
        assert_int_equal(s.exit_code, KP_EXIT_INFRA);
        root = write_and_parse(back, "reloaded.json", NULL);
        assert_string_equal(get_str(get(get(root, "run"), "facts"), "platform"), "mock");
        assert_string_equal(get_str(get(root, "run"), "incomplete_reason"),
                            "crashed: SIGSEGV in a.two");
        assert_int_equal(cJSON_GetArraySize(get(root, "checks")), 2);
        cJSON_Delete(root);
        kp_evidence_free(back);

        assert_null(kp_evidence_load("/nonexistent/evidence.json", &err));
}

static void test_write_error(void **state)
{
        kp_evidence_t *ev = new_ev();
        kp_err_t err;

        (void)state;
        kp_evidence_finish(ev, 1, NULL);
        assert_int_equal(kp_evidence_write(ev, "/nonexistent-dir-kproof/evidence.json", &err), -1);
        assert_int_equal(err.code, KP_EIO);
        assert_contains(err.msg, "/nonexistent-dir-kproof/evidence.json");
        kp_evidence_free(ev);
}

static kp_check_t *answered(kp_evidence_t *ev, const char *id, const char *row, char verdict,
                            const char *answer, const char *reason)
{
        kp_check_t *c = kp_evidence_check_begin(ev, id, row, "x", NULL);

        if (answer)
                kp_check_answer(c, "%s", answer);
        if (verdict == 'p')
                kp_check_pass(c, "%s", reason);
        else if (verdict == 'f')
                kp_check_fail(c, "%s", reason);
        else
                kp_check_skip(c, "%s", reason);
        kp_evidence_check_end(ev, c);
        return c;
}

/* Each row's one-line answer comes from its decisive checks: the passed
 * checks' answers (their reason when they set none) of a PASS row, with the
 * skips counted on a PARTIAL row; the failed checks' reasons of a FAIL row
 * (not the answer of a check a gate failed); at most three, then a count.
 * summary.verdict is the run's verdict; answers survive a checkpoint
 * reload and are redacted. */
static void test_row_answers(void **state)
{
        const char *secret = "Zq9-answer-secret-4410";
        kp_evidence_t *ev = new_ev(), *back;
        const cJSON *rows, *r, *from;
        char path[2048], answer[128];
        kp_buf_t text;
        kp_err_t err;
        cJSON *root;
        int i;

        (void)state;
        assert_int_equal(kp_secret_add(secret), 0);
        answered(ev, "r.write", "key-authority", 'p',
                 "writes stopped 1.2 s after the key was revoked (disable)", "long reason w");
        answered(ev, "r.read", "key-authority", 'p',
                 "old data stayed readable through cached keys for the whole 60 s window",
                 "FINDING (tolerated): long reason r");
        answered(ev, "s.ok", "kafka-semantics", 'p', "all 10 records intact", "ok");
        answered(ev, "s.gated", "kafka-semantics", 'f', "all 500 acknowledged records intact",
                 "gate max_p99_ack_ms missed: 15 ms, required <= 0.001");
        answered(ev, "f.noanswer", "recovery-behavior", 'p', NULL, "the reason stands in");
        answered(ev, "l.in", "data-plane-location", 'p', "inside the boundary", "l");
        answered(ev, "l.skip", "data-plane-location", 's', NULL, "no storage adapter");
        for (i = 0; i < 5; i++) {
                char id[16];
                snprintf(id, sizeof(id), "c.%d", i);
                snprintf(answer, sizeof(answer), "part %d for %s", i, i == 0 ? secret : "x");
                answered(ev, id, "cost-model", 'p', answer, "c");
        }
        kp_evidence_finish(ev, 1, NULL);
        root = write_and_parse(ev, "answers.json", &text);
        assert_not_contains(kp_buf_cstr(&text), secret);
        rows = get(root, "rows");
        assert_string_equal(get_str(get(root, "summary"), "verdict"), "FAIL");
        r = find_by(rows, "id", "key-authority");
        assert_string_equal(get_str(r, "answer"),
                            "writes stopped 1.2 s after the key was revoked (disable); old data "
                            "stayed readable through cached keys for the whole 60 s window");
        from = get(r, "answer_from");
        assert_int_equal(cJSON_GetArraySize(from), 2);
        assert_string_equal(cJSON_GetArrayItem(from, 1)->valuestring, "r.read");
        r = find_by(rows, "id", "kafka-semantics");
        assert_string_equal(get_str(r, "answer"),
                            "gate max_p99_ack_ms missed: 15 ms, required <= 0.001");
        assert_string_equal(cJSON_GetArrayItem(get(r, "answer_from"), 0)->valuestring, "s.gated");
        assert_int_equal(cJSON_GetArraySize(get(r, "answer_from")), 1);
        assert_string_equal(get_str(find_by(rows, "id", "recovery-behavior"), "answer"),
                            "the reason stands in");
        assert_string_equal(get_str(find_by(rows, "id", "data-plane-location"), "answer"),
                            "inside the boundary; 1 check skipped with a reason");
        r = find_by(rows, "id", "cost-model");
        assert_contains(get_str(r, "answer"), "part 0 for ***; part 1 for x; part 2 for x (and 2 "
                                              "more checks)");
        assert_int_equal(cJSON_GetArraySize(get(r, "answer_from")), 3);
        assert_null(
            cJSON_GetObjectItemCaseSensitive(find_by(rows, "id", "observability"), "answer"));
        assert_string_equal(get_str(find_by(get(root, "checks"), "id", "r.write"), "answer"),
                            "writes stopped 1.2 s after the key was revoked (disable)");
        assert_null(cJSON_GetObjectItemCaseSensitive(
            find_by(get(root, "checks"), "id", "f.noanswer"), "answer"));
        cJSON_Delete(root);
        kp_buf_free(&text);

        /* a reloaded checkpoint derives the same answers */
        assert_int_equal(kp_path_join(path, sizeof(path), tmpdir, "answers.json"), 0);
        back = kp_evidence_load(path, &err);
        assert_non_null(back);
        kp_evidence_finish(back, 1, NULL);
        root = write_and_parse(back, "answers2.json", NULL);
        assert_contains(get_str(find_by(get(root, "rows"), "id", "key-authority"), "answer"),
                        "old data stayed readable through cached keys");
        cJSON_Delete(root);
        kp_evidence_free(back);
        kp_evidence_free(ev);
        kp_secret_clear();
}

/* The effective client configuration per suite (secrets masked) and a
 * structured run record (run.platform) land in run. */
static void test_client_config_and_platform(void **state)
{
        kp_evidence_t *ev = new_ev();
        kp_kvlist_t prod = {0}, cons = {0};
        const cJSON *cc, *plat;
        cJSON *p, *root;

        (void)state;
        kp_kvlist_set(&prod, "acks", "all");
        kp_kvlist_set(&prod, "sasl.password", "hunter2-config");
        kp_kvlist_set(&cons, "isolation.level", "read_committed");
        kp_evidence_suite_client(ev, "failover", "safe", &prod, &cons);
        kp_evidence_suite_client(ev, "cost", "default", &cons, &cons);
        p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "cluster_id", "abc-123");
        kp_evidence_run_json(ev, "platform", p);
        kp_evidence_finish(ev, 1, NULL);
        root = write_and_parse(ev, "clients.json", NULL);
        cc = get(get(root, "run"), "client_config");
        assert_int_equal(cJSON_GetArraySize(cc), 2);
        assert_string_equal(get_str(cJSON_GetArrayItem(cc, 0), "suite"), "failover");
        assert_string_equal(get_str(cJSON_GetArrayItem(cc, 0), "profile"), "safe");
        assert_string_equal(get_str(get(cJSON_GetArrayItem(cc, 0), "producer"), "acks"), "all");
        assert_string_equal(get_str(get(cJSON_GetArrayItem(cc, 0), "producer"), "sasl.password"),
                            "***");
        assert_string_equal(get_str(get(cJSON_GetArrayItem(cc, 1), "consumer"), "isolation.level"),
                            "read_committed");
        plat = get(get(root, "run"), "platform");
        assert_string_equal(get_str(plat, "cluster_id"), "abc-123");
        cJSON_Delete(root);
        kp_kvlist_clear(&prod);
        kp_kvlist_clear(&cons);
        kp_evidence_free(ev);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_verdict_precedence),
            cmocka_unit_test(test_verdict_names),
            cmocka_unit_test(test_no_verdict_is_error),
            cmocka_unit_test(test_measurements),
            cmocka_unit_test(test_summary_exit_codes),
            cmocka_unit_test(test_unended_check),
            cmocka_unit_test(test_row_verdicts),
            cmocka_unit_test(test_evidence_json),
            cmocka_unit_test(test_incomplete_run),
            cmocka_unit_test(test_secrets_redacted),
            cmocka_unit_test(test_write_error),
            cmocka_unit_test(test_checkpoint_reload),
            cmocka_unit_test(test_row_answers),
            cmocka_unit_test(test_client_config_and_platform),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
