/*
 * revocation.key-rotation: Automatic rotation is enabled on the key
 * (GetKeyRotationStatus).
 */
#include "revocation.h"
#include "adapters/keypolicy.h"

void rev_check_key_rotation(kp_ctx_t *ctx, kp_check_t *c)
{
        rev_state_t *st = rev_state(ctx);
        int enabled = 0;
        kp_err_t err;

        if (rev_precheck(ctx, c, 0) < 0)
                return;
        if (kp_kms_rotation_status(st->kms, st->key.key_id, &enabled, &err) < 0) {
                if (err.code == KP_EUNSUPPORTED)
                        kp_check_skip(c, "the KMS does not implement GetKeyRotationStatus: %s",
                                      err.msg);
                else
                        kp_check_error(c, "%s", err.msg);
                return;
        }
        kp_check_measure(c, "rotation_enabled", enabled, "bool");
        if (enabled)
                kp_check_pass(c, "automatic rotation is enabled on key %s", st->key.key_id);
        else
                kp_check_fail(c, "automatic rotation is disabled on key %s", st->key.key_id);
}
