/*
 * revocation.key-policy: Key policy: administrators listed; who may disable,
 * delete or use the key; no wildcard principal.
 */
#include "revocation.h"
#include "util/buf.h"
#include "adapters/keypolicy.h"

void rev_check_key_policy(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        const char *cols[] = {"principal", "may", "wildcard", "conditional"};
        kp_buf_t doc;
        kp_policy_t pol;
        kp_table_t *t;
        kp_err_t err;
        size_t i, admins = 0, disablers = 0, deleters = 0, users = 0, open_wild = 0;

        if (rev_precheck(ctx, c, 0) < 0)
                return;
        kp_buf_init(&doc, 1 << 20);
        if (kp_kms_get_key_policy(st->kms, st->key.key_id, &doc, &err) < 0) {
                if (err.code == KP_EUNSUPPORTED)
                        kp_check_skip(c, "the KMS does not implement GetKeyPolicy: %s", err.msg);
                else
                        kp_check_error(c, "%s", err.msg);
                kp_buf_free(&doc);
                return;
        }
        if (kp_rundir_write(ctx->rd, "revocation/key-policy.json", doc.data, doc.len, &err) == 0)
                kp_check_artifact(c, "revocation/key-policy.json", "json",
                                  "Key policy document (GetKeyPolicy)");
        if (kp_policy_analyse(kp_buf_cstr(&doc), &pol, &err) < 0) {
                kp_check_fail(c, "the key policy cannot be analysed: %s", err.msg);
                kp_buf_free(&doc);
                return;
        }
        t = kp_check_table(c, "Key policy: who may do what", cols, 4);
        for (i = 0; i < pol.n; i++) {
                const kp_policy_principal_t *p = &pol.principals[i];
                char caps[96];
                const char *row[4];
                kp_policy_caps_str(p->caps, caps, sizeof(caps));
                row[0] = p->name;
                row[1] = caps[0] ? caps : "-";
                row[2] = p->wildcard ? "YES" : "no";
                row[3] = p->conditional ? "yes" : "no";
                kp_table_row(t, row);
                admins += (p->caps & KP_POLICY_ADMIN) != 0;
                disablers += (p->caps & KP_POLICY_DISABLE) != 0;
                deleters += (p->caps & KP_POLICY_DELETE) != 0;
                users += (p->caps & KP_POLICY_USE) != 0;
                if (p->wildcard && !p->conditional && p->caps) {
                        kp_anomaly_t *a = kp_check_anomaly(
                            c, "wildcard-principal", 1, 0,
                            "a statement allows any principal (\"*\") without a condition");
                        kp_anomaly_example(a, -1, -1, -1, -1, caps);
                        open_wild++;
                }
        }
        kp_check_measure(c, "policy_statements", pol.statements, "statements");
        kp_check_measure(c, "policy_admins", (double)admins, "principals");
        kp_check_measure(c, "policy_may_disable", (double)disablers, "principals");
        kp_check_measure(c, "policy_may_delete", (double)deleters, "principals");
        kp_check_measure(c, "policy_may_use", (double)users, "principals");
        kp_check_measure(c, "wildcard_principals", (double)open_wild, "principals");
        if (admins == 0)
                kp_check_fail(c,
                              "no principal may change the key policy (no administrator listed)");
        else if (open_wild)
                kp_check_fail(
                    c,
                    "the policy allows any principal (\"*\") without a condition: %zu statement(s)",
                    open_wild);
        else
                kp_check_pass(c,
                              "%zu administrator(s), %zu may disable, %zu may schedule deletion, "
                              "%zu may use the key; no wildcard principal",
                              admins, disablers, deleters, users);
        kp_policy_release(&pol);
        kp_buf_free(&doc);
}
