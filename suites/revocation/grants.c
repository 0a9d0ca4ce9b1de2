/*
 * revocation.grants: Grants on the key are listed (ListGrants).
 */
#include "revocation.h"
#include "adapters/keypolicy.h"

void rev_check_grants(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        const char *cols[] = {"grant id", "grantee", "operations"};
        kp_kms_grant_t grants[64];
        kp_table_t *t;
        size_t n = 0, i;
        kp_err_t err;

        if (rev_precheck(ctx, c, 0) < 0)
                return;
        if (kp_kms_list_grants(st->kms, st->key.key_id, grants, 64, &n, &err) < 0) {
                if (err.code == KP_EUNSUPPORTED)
                        kp_check_skip(c, "the KMS does not implement grants: %s", err.msg);
                else
                        kp_check_error(c, "%s", err.msg);
                return;
        }
        t = kp_check_table(c, "Grants on the key (ListGrants)", cols, 3);
        for (i = 0; i < n; i++) {
                const char *row[] = {grants[i].grant_id, grants[i].grantee, grants[i].operations};
                kp_table_row(t, row);
        }
        kp_check_measure(c, "grants", (double)n, "grants");
        kp_check_pass(c, "%zu grant(s) on key %s listed", n, st->key.key_id);
}
