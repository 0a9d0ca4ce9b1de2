/*
 * revocation.key-manager: The platform's key is customer-managed and usable
 * (KMS DescribeKey: manager, state, origin, spec).
 */
#include <string.h>

#include "revocation.h"
#include "util/buf.h"
#include "adapters/keypolicy.h"

void rev_check_key_manager(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        const char *cols[] = {"field", "value"};
        kp_table_t *t;
        kp_kms_key_t *k;
        kp_buf_t aliases;
        size_t n_aliases = 0;
        kp_err_t err;

        if (rev_precheck(ctx, c, 0) < 0)
                return;
        k = &st->key;
        kp_buf_init(&aliases, 1 << 20);
        if (kp_kms_list_aliases(st->kms, k->key_id, &aliases, &n_aliases, &err) < 0)
                kp_check_note(c, "ListAliases failed: %s", err.msg);
        t = kp_check_table(c, "Key evidence (KMS DescribeKey)", cols, 2);
#define ROW(name, val)                                                                             \
        do {                                                                                       \
                const char *r_[] = {(name), (val)};                                                \
                kp_table_row(t, r_);                                                               \
        } while (0)
        ROW("configured key", ctx->plat->target->kms.key);
        ROW("key id", k->key_id);
        ROW("arn", k->arn);
        ROW("key manager", k->manager);
        ROW("state", k->state);
        ROW("origin", k->origin);
        ROW("spec", k->spec);
        ROW("usage", k->usage);
        ROW("account", k->account);
        ROW("multi-region", k->multi_region ? "yes" : "no");
        ROW("description", k->description);
        {
                char *p;
                for (p = aliases.data; p && *p; p++)
                        if (*p == '\n')
                                *p = p[1] ? ' ' : '\0';
                ROW("aliases", kp_buf_cstr(&aliases));
        }
        ROW("kms endpoint",
            ctx->plat->target->kms.endpoint ? ctx->plat->target->kms.endpoint : "AWS");
#undef ROW
        kp_check_measure(c, "aliases", (double)n_aliases, "aliases");
        kp_check_measure(c, "customer_managed", strcmp(k->manager, "CUSTOMER") == 0, "bool");
        kp_check_measure(c, "key_enabled", strcmp(k->state, "Enabled") == 0, "bool");
        kp_buf_free(&aliases);
        if (strcmp(k->manager, "CUSTOMER") != 0)
                kp_check_fail(c, "key %s is managed by %s, not by the customer", k->key_id,
                              k->manager[0] ? k->manager : "an unknown party");
        else if (strcmp(k->state, "Enabled") != 0)
                kp_check_fail(c, "key %s is customer-managed but in state %s", k->key_id, k->state);
        else
                kp_check_pass(c, "key %s is customer-managed (%s, %s, origin %s), state Enabled",
                              k->key_id, k->spec, k->usage, k->origin);
}
