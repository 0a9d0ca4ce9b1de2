/*
 * The exec control adapter: command templates from a target file, run with
 * placeholders quoted for the shell, evidence of every invocation (redacted
 * command, exit code, duration, stdout/stderr tails), failing commands and
 * timeouts reported as errors rather than crashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "adapters/control.h"
#include "config/config.h"
#include "util/secret.h"
#include "util/timeutil.h"

#define SECRET_VALUE "s3cr3t-Token-42"

typedef struct fx {
        char dir[512];
        char path[600];
        kp_target_t *t;
        kp_control_t *ctl;
} fx_t;

/* Writes a target with the given "commands" object body and timeout, loads it
 * and creates its control adapter. */
static int load_ex(fx_t *f, const char *commands, const char *timeout, const char *extra,
                   kp_err_t *err)
{
        FILE *fp = fopen(f->path, "w");

        assert_non_null(fp);
        fprintf(fp,
                "{\"name\": \"exec-test\", \"control\": {\"type\": \"exec\", \"timeout\": \"%s\", "
                "\"env\": {\"KP_EXEC_TEST_ENV\": \"from-target\"}, \"commands\": {%s}%s}, "
                "\"kafka\": {\"bootstrap.servers\": \"127.0.0.1:1\"}}\n",
                timeout, commands, extra);
        fclose(fp);
        if (kp_target_load(f->path, &f->t, err) < 0)
                return -1;
        return kp_control_new(f->t, &f->ctl, NULL, err);
}

static int load(fx_t *f, const char *commands, const char *timeout, kp_err_t *err)
{
        return load_ex(f, commands, timeout, "", err);
}

static int setup(void **state)
{
        fx_t *f = calloc(1, sizeof(*f));
        const char *tmp = getenv("KPROOF_TEST_TMP");

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "%s/control-exec-XXXXXX", tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/target.json", f->dir);
        setenv("KP_EXEC_TEST_SECRET", SECRET_VALUE, 1);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        fx_t *f = *state;

        kp_control_destroy(f->ctl);
        kp_target_free(f->t);
        unlink(f->path);
        rmdir(f->dir);
        free(f);
        kp_secret_clear();
        return 0;
}

static void test_success_records_evidence(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_KILL_BROKER);
        kp_ctl_res_t res;
        kp_err_t err;

        assert_int_equal(load(f,
                              "\"kill_broker\": \"echo killed {broker} $KP_EXEC_TEST_ENV; "
                              "echo note on stderr >&2\"",
                              "10s", &err),
                         0);
        req.broker = 2;
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), 0);
        assert_int_equal(res.exit_code, 0);
        assert_string_equal(res.command,
                            "echo killed '2' $KP_EXEC_TEST_ENV; echo note on stderr >&2");
        assert_non_null(strstr(res.output, "[stdout]\nkilled 2 from-target\n"));
        assert_non_null(strstr(res.output, "[stderr]\nnote on stderr\n"));
        assert_true(res.duration_ns > 0);
        assert_false(res.has_value);
}

static void test_value_from_last_stdout_line(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_LEADER);
        kp_ctl_res_t res;
        kp_err_t err;

        assert_int_equal(
            load(f,
                 "\"leader\": \"echo 7 >&2; echo leader of {topic}-{partition}; echo 3\", "
                 "\"controller\": \"echo not-a-number\"",
                 "10s", &err),
            0);
        req.topic = "t1";
        req.partition = 0;
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), 0);
        assert_true(res.has_value);
        assert_int_equal(res.value, 3);
        assert_string_equal(res.command, "echo 7 >&2; echo leader of 't1'-'0'; echo 3");

        req = kp_ctl_req(KP_CTL_CONTROLLER);
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
        assert_int_equal(err.code, KP_EINFRA);
        assert_non_null(strstr(err.msg, "expected a number"));
        assert_non_null(strstr(err.msg, "not-a-number"));
        assert_false(res.has_value);
}

static void test_failing_command_is_an_error_with_evidence(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_STOP_BROKER);
        kp_ctl_res_t res;
        kp_err_t err;

        assert_int_equal(load(f,
                              "\"stop_broker\": \"echo partial; echo first >&2; "
                              "echo broker {broker} is gone >&2; exit 3\"",
                              "10s", &err),
                         0);
        req.broker = 5;
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
        assert_int_equal(err.code, KP_EINFRA);
        assert_string_equal(err.msg, "stop_broker: command exited with status 3: broker 5 is gone");
        assert_int_equal(res.exit_code, 3);
        assert_non_null(strstr(res.command, "'5'"));
        assert_non_null(strstr(res.output, "[stdout]\npartial\n"));
        assert_non_null(strstr(res.output, "first\nbroker 5 is gone"));
}

static void test_timeout_kills_the_command(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_START_BROKER);
        kp_ctl_res_t res;
        kp_err_t err;
        int64_t t0;

        /* The background child must die with the command's process group. */
        assert_int_equal(load(f,
                              "\"start_broker\": \"echo starting {broker} >&2; sleep 60 & wait\"",
                              "1s", &err),
                         0);
        req.broker = 1;
        t0 = kp_mono_ns();
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
        assert_true(kp_mono_ns() - t0 < 12 * KP_NS_PER_S);
        assert_int_equal(err.code, KP_EINFRA);
        assert_non_null(strstr(err.msg, "start_broker: command timed out after 1 s"));
        assert_non_null(strstr(err.msg, "starting 1"));
        assert_int_equal(res.exit_code, -1);
        assert_true(res.duration_ns >= KP_NS_PER_S);
        assert_non_null(strstr(res.output, "starting 1"));
}

static void test_operation_timeout_overrides(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_KILL_BROKER);
        kp_ctl_res_t res;
        kp_err_t err;

        assert_int_equal(
            load_ex(f, "\"kill_broker\": \"sleep 30\", \"start_broker\": \"sleep 1.5; echo up\"",
                    "30s", ", \"timeouts\": {\"kill_broker\": \"1s\"}", &err),
            0);
        req.broker = 1;
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
        assert_non_null(strstr(err.msg, "kill_broker: command timed out after 1 s"));
        assert_true(res.duration_ns < 12 * KP_NS_PER_S);
        /* the other operations keep the target's 30 s */
        req = kp_ctl_req(KP_CTL_START_BROKER);
        req.broker = 1;
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), 0);
        assert_non_null(strstr(res.output, "up"));
}

static void test_timeout_for_unmapped_operation_rejected(void **state)
{
        fx_t *f = *state;
        kp_err_t err;
        char want[1024];

        assert_int_equal(load_ex(f, "\"kill_broker\": \"true\"", "30s",
                                 ", \"timeouts\": {\"start_broker\": \"5s\"}", &err),
                         -1);
        assert_int_equal(err.code, KP_EINVAL);
        snprintf(want, sizeof(want),
                 "%s: $.control.timeouts.start_broker: no command for this operation in "
                 "control.commands",
                 f->path);
        assert_string_equal(err.msg, want);
}

static void test_secrets_are_redacted(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_KILL_RACK);
        kp_ctl_res_t res;
        kp_err_t err;

        assert_int_equal(load(f,
                              "\"kill_rack\": \"echo token=${env:KP_EXEC_TEST_SECRET} rack={rack}; "
                              "echo ${env:KP_EXEC_TEST_SECRET} >&2; exit 1\"",
                              "10s", &err),
                         0);
        req.rack = "zone-b";
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
        assert_null(strstr(res.command, SECRET_VALUE));
        assert_null(strstr(res.output, SECRET_VALUE));
        assert_null(strstr(err.msg, SECRET_VALUE));
        assert_non_null(strstr(res.command, "token=" KP_REDACTED " rack='zone-b'"));
        assert_non_null(strstr(res.output, "token=" KP_REDACTED " rack=zone-b"));
}

static void test_placeholders_are_quoted(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_REBALANCE);
        kp_ctl_res_t res;
        kp_err_t err;

        /* {file} is one quoted word, whatever it holds. */
        assert_int_equal(
            load(f,
                 "\"rebalance\": \"test -n \\\"$HOME\\\" && printf '%s|' {file} "
                 "&& printf '%s' {target_dir} && printf '|%s' \\\"$KPROOF_TARGET_DIR\\\"\"",
                 "10s", &err),
            0);
        req.file = "a b'c;$(echo x)";
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), 0);
        {
                char want[2048];
                snprintf(want, sizeof(want), "[stdout]\na b'c;$(echo x)|%s|%s\n", f->dir, f->dir);
                assert_string_equal(res.output, want);
        }
}

/* partition and link_loss: {brokers} as a comma list, {scope}, {loss_pct};
 * the request's description names them for the evidence. */
static void test_network_fault_placeholders(void **state)
{
        fx_t *f = *state;
        const int32_t ids[] = {1, 3};
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_LINK_LOSS);
        kp_ctl_res_t res;
        kp_err_t err;
        char desc[256];

        assert_int_equal(
            load(f,
                 "\"partition\": \"printf 'cut %s %s' {brokers} {scope}\", "
                 "\"link_loss\": \"printf 'loss %s %s %s' {brokers} {scope} {loss_pct}\"",
                 "10s", &err),
            0);
        req.brokers = ids;
        req.n_brokers = 2;
        req.scope = "all";
        req.loss_pct = 20;
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), 0);
        assert_string_equal(res.output, "[stdout]\nloss 1,3 all 20\n");
        kp_ctl_req_describe(&req, desc, sizeof(desc));
        assert_string_equal(desc, "link_loss brokers=1,3 scope=all loss_pct=20");
        req = kp_ctl_req(KP_CTL_PARTITION);
        req.brokers = ids + 1;
        req.n_brokers = 1;
        req.scope = "brokers";
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), 0);
        assert_string_equal(res.output, "[stdout]\ncut 3 brokers\n");
        /* no command for heal_partition: unsupported */
        assert_int_equal(kp_control_supports(f->ctl, KP_CTL_HEAL_PARTITION, NULL), 0);
}

static void test_missing_value_and_unsupported_op(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_KILL_BROKER);
        kp_ctl_res_t res;
        const char *reason = NULL;
        kp_err_t err;

        assert_int_equal(load(f, "\"kill_broker\": \"echo {broker}\"", "10s", &err), 0);
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
        assert_int_equal(err.code, KP_EINVAL);
        assert_non_null(strstr(err.msg, "uses {broker} but the request gives no broker"));

        assert_true(kp_control_supports(f->ctl, KP_CTL_KILL_BROKER, NULL));
        assert_false(kp_control_supports(f->ctl, KP_CTL_ADD_BROKER, &reason));
        assert_non_null(reason);
        assert_non_null(strstr(reason, "control.commands"));
        req = kp_ctl_req(KP_CTL_ADD_BROKER);
        req.broker = 4;
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
        assert_int_equal(err.code, KP_EUNSUPPORTED);
}

static void test_unknown_placeholder_rejected_at_load(void **state)
{
        fx_t *f = *state;
        kp_err_t err;
        char want[1024];

        assert_int_equal(load(f, "\"kill_broker\": \"kill {brokr}\"", "10s", &err), -1);
        assert_int_equal(err.code, KP_EINVAL);
        snprintf(want, sizeof(want),
                 "%s: $.control.commands.kill_broker: unknown placeholder {brokr} in command",
                 f->path);
        assert_string_equal(err.msg, want);
}

/* A secret holding placeholder syntax is substituted as opaque text after the
 * template is parsed: {topic} inside it is not expanded, {x} inside it is
 * not an unknown placeholder, and no piece of it shows in the command. */
static void test_secret_with_placeholders_is_opaque(void **state)
{
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_KILL_RACK);
        kp_ctl_res_t res;
        kp_err_t err;
        char out[700], got[128] = "";
        FILE *fp;

        setenv("KP_EXEC_TEST_PH", "pre-{topic}-mid-{x}-post-tail", 1);
        snprintf(out, sizeof(out), "%s/secret.out", f->dir);
        {
                char cmds[1024];
                snprintf(cmds, sizeof(cmds),
                         "\"kill_rack\": \"printf '%%s' '${env:KP_EXEC_TEST_PH}' >'%s'; "
                         "echo rack={rack}\"",
                         out);
                assert_int_equal(load(f, cmds, "10s", &err), 0);
        }
        req.rack = "zone-a";
        req.topic = "TOPIC";
        assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), 0);
        fp = fopen(out, "r");
        assert_non_null(fp);
        assert_non_null(fgets(got, sizeof(got), fp));
        fclose(fp);
        assert_string_equal(got, "pre-{topic}-mid-{x}-post-tail");
        assert_null(strstr(res.command, "pre-"));
        assert_null(strstr(res.command, "-post"));
        assert_null(strstr(res.command, "TOPIC"));
        assert_non_null(strstr(res.command, KP_REDACTED));
}

/* True when text holds any n-byte piece of secret. */
static int has_piece(const char *text, const char *secret, size_t n)
{
        size_t i, len = strlen(secret);

        for (i = 0; i + n <= len; i++) {
                char piece[64];
                snprintf(piece, sizeof(piece), "%.*s", (int)n, secret + i);
                if (strstr(text, piece))
                        return 1;
        }
        return 0;
}

/* A failing command prints a secret across every cut: the 512-byte error
 * line, the stdout and stderr tails and the output field. Whatever the
 * position, no piece of 8 bytes survives in the command, the output or the
 * error. */
static void test_secret_across_cuts(void **state)
{
        static const char secret[] = "LEAKY0123456789abcdefghijklmnopqrstuvwxyz";
        fx_t *f = *state;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_KILL_RACK);
        kp_ctl_res_t res;
        kp_err_t err;
        char pad[16];
        int p;

        setenv("KP_EXEC_TEST_LONG", secret, 1);
        assert_int_equal(load(f,
                              "\"kill_rack\": \"S='${env:KP_EXEC_TEST_LONG}'; P={rack}; "
                              "printf \\\"%s%0*d\\\\n\\\" \\\"$S\\\" $P 0 >&2; "
                              "printf \\\"%0*d%s\\\\n\\\" $P 0 \\\"$S\\\" >&2; "
                              "printf \\\"%s%0*d\\\\n\\\" \\\"$S\\\" $((P+200)) 0; exit 3\"",
                              "10s", &err),
                         0);
        for (p = 455; p <= 565; p++) {
                snprintf(pad, sizeof(pad), "%d", p);
                req.rack = pad;
                assert_int_equal(kp_control_do(f->ctl, &req, &res, &err), -1);
                if (has_piece(res.output, secret, 8) || has_piece(err.msg, secret, 8) ||
                    has_piece(res.command, secret, 8))
                        fail_msg("a piece of the secret survives with pad %d:\n%s\n%s", p,
                                 res.output, err.msg);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_success_records_evidence, setup, teardown),
            cmocka_unit_test_setup_teardown(test_value_from_last_stdout_line, setup, teardown),
            cmocka_unit_test_setup_teardown(test_failing_command_is_an_error_with_evidence, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_timeout_kills_the_command, setup, teardown),
            cmocka_unit_test_setup_teardown(test_operation_timeout_overrides, setup, teardown),
            cmocka_unit_test_setup_teardown(test_timeout_for_unmapped_operation_rejected, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_secrets_are_redacted, setup, teardown),
            cmocka_unit_test_setup_teardown(test_placeholders_are_quoted, setup, teardown),
            cmocka_unit_test_setup_teardown(test_missing_value_and_unsupported_op, setup, teardown),
            cmocka_unit_test_setup_teardown(test_network_fault_placeholders, setup, teardown),
            cmocka_unit_test_setup_teardown(test_secret_with_placeholders_is_opaque, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_secret_across_cuts, setup, teardown),
            cmocka_unit_test_setup_teardown(test_unknown_placeholder_rejected_at_load, setup,
                                            teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
