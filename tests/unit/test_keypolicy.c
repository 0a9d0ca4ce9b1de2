/*
 * Unit tests of the key policy analysis: capabilities per principal,
 * wildcard actions and principals, NotAction, conditions, Deny statements,
 * and the fixture policies of fixtures/kms/policies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "adapters/keypolicy.h"

static const kp_policy_principal_t *find(const kp_policy_t *p, const char *name)
{
        size_t i;

        for (i = 0; i < p->n; i++)
                if (strcmp(p->principals[i].name, name) == 0)
                        return &p->principals[i];
        return NULL;
}

static void test_action_match(void **state)
{
        (void)state;
        assert_true(kp_policy_action_match("kms:*", "kms:DisableKey"));
        assert_true(kp_policy_action_match("*", "kms:DisableKey"));
        assert_true(kp_policy_action_match("kms:Disable*", "kms:DisableKey"));
        assert_true(kp_policy_action_match("KMS:disablekey", "kms:DisableKey"));
        assert_true(kp_policy_action_match("kms:Generate*", "kms:GenerateDataKey"));
        assert_true(kp_policy_action_match("kms:?isableKey", "kms:DisableKey"));
        assert_false(kp_policy_action_match("kms:Enable*", "kms:DisableKey"));
        assert_false(kp_policy_action_match("kms:Disable", "kms:DisableKey"));
        assert_false(kp_policy_action_match("s3:*", "kms:Decrypt"));
}

static void load_fixture(const char *name, kp_buf_t *b)
{
        char path[4096];
        kp_err_t err;
        const char *src = getenv("KPROOF_SRC");

        snprintf(path, sizeof(path), "%s/fixtures/kms/policies/%s", src ? src : ".", name);
        kp_buf_init(b, 1 << 20);
        assert_int_equal(kp_read_file(path, 1 << 20, b, &err), 0);
}

static void test_fixture_kek(void **state)
{
        kp_policy_t p;
        kp_buf_t b;
        kp_err_t err;
        const kp_policy_principal_t *admin, *proxy;
        (void)state;

        load_fixture("kek.json", &b);
        assert_int_equal(kp_policy_analyse(kp_buf_cstr(&b), &p, &err), 0);
        assert_int_equal(p.statements, 2);
        assert_int_equal(p.wildcard_statements, 0);
        admin = find(&p, "arn:aws:iam::111122223333:role/kproof-key-admin");
        proxy = find(&p, "arn:aws:iam::111122223333:role/kproof-kroxylicious");
        assert_non_null(admin);
        assert_non_null(proxy);
        assert_int_equal(admin->caps,
                         KP_POLICY_ADMIN | KP_POLICY_DISABLE | KP_POLICY_DELETE | KP_POLICY_GRANT);
        assert_int_equal(proxy->caps, KP_POLICY_USE);
        kp_policy_release(&p);
        kp_buf_free(&b);
}

static void test_fixture_wildcard(void **state)
{
        kp_policy_t p;
        kp_buf_t b;
        kp_err_t err;
        const kp_policy_principal_t *any;
        (void)state;

        load_fixture("kproof-test.json", &b);
        assert_int_equal(kp_policy_analyse(kp_buf_cstr(&b), &p, &err), 0);
        assert_int_equal(p.wildcard_statements, 1);
        any = find(&p, "*");
        assert_non_null(any);
        assert_true(any->wildcard);
        assert_int_equal(any->caps, KP_POLICY_USE);
        kp_policy_release(&p);
        kp_buf_free(&b);
}

static void test_shapes(void **state)
{
        const char *doc =
            "{\"Statement\": ["
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Condition\":{"
            "\"StringEquals\":{}}},"
            "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:a\",\"arn:b\"],\"Service\":\"logs."
            "amazonaws.com\"},"
            " \"Action\":\"kms:Decrypt\"},"
            "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:c\"},\"NotAction\":[\"kms:"
            "Decrypt\",\"kms:Encrypt\","
            " \"kms:GenerateDataKey\"]},"
            "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:a\"},\"Action\":\"kms:*\"}]}";
        kp_policy_t p;
        kp_err_t err;
        const kp_policy_principal_t *x;
        char caps[64];
        (void)state;

        assert_int_equal(kp_policy_analyse(doc, &p, &err), 0);
        assert_int_equal(p.statements, 4);
        assert_int_equal(p.deny_statements, 1);
        assert_int_equal(p.wildcard_statements, 1);
        assert_int_equal(p.not_action_statements, 1);
        x = find(&p, "*");
        assert_non_null(x);
        assert_true(x->conditional);
        assert_int_equal(x->caps, 31u);
        x = find(&p, "service:logs.amazonaws.com");
        assert_non_null(x);
        assert_int_equal(x->caps, KP_POLICY_USE);
        assert_non_null(find(&p, "arn:b"));
        x = find(&p, "arn:c");
        assert_non_null(x);
        kp_policy_caps_str(x->caps, caps, sizeof(caps));
        assert_string_equal(caps, "admin,disable,delete,grant");
        kp_policy_release(&p);
}

static void test_single_statement_and_errors(void **state)
{
        kp_policy_t p;
        kp_err_t err;
        (void)state;

        assert_int_equal(
            kp_policy_analyse(
                "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:x\"},"
                "\"Action\":[\"kms:PutKeyPolicy\"]}}",
                &p, &err),
            0);
        assert_int_equal(p.n, 1);
        assert_int_equal(p.principals[0].caps, KP_POLICY_ADMIN);
        kp_policy_release(&p);
        assert_int_equal(kp_policy_analyse("[1]", &p, &err), -1);
        assert_int_equal(kp_policy_analyse("{\"Version\":\"x\"}", &p, &err), -1);
        assert_non_null(strstr(err.msg, "Statement"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_action_match),
            cmocka_unit_test(test_fixture_kek),
            cmocka_unit_test(test_fixture_wildcard),
            cmocka_unit_test(test_shapes),
            cmocka_unit_test(test_single_statement_and_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
