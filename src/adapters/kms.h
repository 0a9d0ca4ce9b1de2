/*
 * kms: the key-management adapter — what the revocation suite asks of the
 * KMS that holds the platform's key: key metadata, rotation, policy,
 * aliases, grants, and the destructive operations (disable/enable, schedule
 * and cancel deletion, revoke grants) that kproof undoes.
 *
 * The only adapter is `aws-kms` (kms_aws.c): the AWS KMS JSON API over
 * libcurl with SigV4, which local-kms also speaks. Every call has a timeout
 * and bounded retries on throttling (aws.h). Operations the KMS does not
 * implement fail with KP_EUNSUPPORTED so checks can report `skip` with the
 * KMS's own answer as the reason. Errors carry the normalised AWS error in
 * the message; kp_kms_last_error() gives it structured.
 */
#ifndef KP_KMS_H
#define KP_KMS_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/aws.h"
#include "util/buf.h"
#include "config/config.h"
#include "util/err.h"

typedef struct kp_kms kp_kms_t;

typedef struct kp_kms_key {
        char key_id[128];
        char arn[512];
        char state[48];   /* Enabled, Disabled, PendingDeletion, ... */
        char manager[24]; /* CUSTOMER or AWS */
        char origin[32];  /* AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE */
        char spec[48];    /* SYMMETRIC_DEFAULT, ... */
        char usage[48];   /* ENCRYPT_DECRYPT, ... */
        char description[256];
        char account[32];
        int enabled;
        int multi_region;
        double deletion_date; /* epoch seconds, 0 when none */
} kp_kms_key_t;

typedef struct kp_kms_grant {
        char grant_id[256];
        char grantee[512];
        char operations[512]; /* comma-separated */
} kp_kms_grant_t;

/* Creates the adapter for the target's kms section (type aws-kms). */
int kp_kms_new(const kp_kms_cfg_t *cfg, kp_kms_t **out, kp_err_t *err);
void kp_kms_free(kp_kms_t *kms);

int kp_kms_describe_key(kp_kms_t *kms, const char *key, kp_kms_key_t *out, kp_err_t *err);
int kp_kms_rotation_status(kp_kms_t *kms, const char *key_id, int *enabled, kp_err_t *err);
/* The policy document (JSON text) named "default". */
int kp_kms_get_key_policy(kp_kms_t *kms, const char *key_id, kp_buf_t *policy, kp_err_t *err);
/* Alias names pointing at key_id (all aliases when key_id is NULL), one per
 * line in out. Follows pagination. */
int kp_kms_list_aliases(kp_kms_t *kms, const char *key_id, kp_buf_t *out, size_t *n, kp_err_t *err);

int kp_kms_disable_key(kp_kms_t *kms, const char *key_id, kp_err_t *err);
int kp_kms_enable_key(kp_kms_t *kms, const char *key_id, kp_err_t *err);
int kp_kms_schedule_deletion(kp_kms_t *kms, const char *key_id, int days, kp_err_t *err);
int kp_kms_cancel_deletion(kp_kms_t *kms, const char *key_id, kp_err_t *err);

/* Grants (KP_EUNSUPPORTED where the KMS lacks them). list_grants fills up
 * to max grants and sets *n to the number returned. */
int kp_kms_list_grants(kp_kms_t *kms, const char *key_id, kp_kms_grant_t *grants, size_t max,
                       size_t *n, kp_err_t *err);
int kp_kms_create_grant(kp_kms_t *kms, const char *key_id, const char *grantee,
                        const char *operations_csv, char *grant_id, size_t size, kp_err_t *err);
int kp_kms_revoke_grant(kp_kms_t *kms, const char *key_id, const char *grant_id, kp_err_t *err);

/* The normalised error of the last failed call. */
const kp_aws_error_t *kp_kms_last_error(const kp_kms_t *kms);
/* Number of KMS API calls made (for cost and evidence). */
uint64_t kp_kms_calls(const kp_kms_t *kms);

#endif
