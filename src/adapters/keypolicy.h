/*
 * keypolicy: analysis of a KMS key policy document — who may change the
 * policy, disable the key, schedule its deletion, create grants or use it
 * for encryption and decryption — with wildcard principals flagged.
 *
 * The analysis reads Allow statements (Action and NotAction, with IAM-style
 * "*" and "?" wildcards, case-insensitive) and their principals (a string
 * "*", or AWS/Service/Federated members, strings or arrays). A statement
 * with a Condition is still counted and marked conditional. Deny statements
 * are counted, not subtracted: the analysis is an upper bound of who may act.
 * The result is owned by the caller: release with kp_policy_release().
 */
#ifndef KP_KEYPOLICY_H
#define KP_KEYPOLICY_H

#include <stddef.h>

#include "util/err.h"

enum {
        KP_POLICY_ADMIN = 1 << 0,   /* kms:PutKeyPolicy */
        KP_POLICY_DISABLE = 1 << 1, /* kms:DisableKey */
        KP_POLICY_DELETE = 1 << 2,  /* kms:ScheduleKeyDeletion */
        KP_POLICY_GRANT = 1 << 3,   /* kms:CreateGrant */
        KP_POLICY_USE = 1 << 4,     /* kms:Encrypt, kms:Decrypt or kms:GenerateDataKey */
};

typedef struct kp_policy_principal {
        char name[512];  /* "arn:aws:iam::1:role/x", "service:logs.amazonaws.com", "*" */
        unsigned caps;   /* KP_POLICY_* bits */
        int wildcard;    /* the principal is "*" (anyone) */
        int conditional; /* at least one granting statement has a Condition */
} kp_policy_principal_t;

typedef struct kp_policy {
        kp_policy_principal_t *principals;
        size_t n;
        int statements;
        int deny_statements;
        int wildcard_statements; /* Allow statements whose principal is "*" */
        int not_action_statements;
} kp_policy_t;

/* Parses and analyses a policy document (JSON text). */
int kp_policy_analyse(const char *json, kp_policy_t *out, kp_err_t *err);
void kp_policy_release(kp_policy_t *p);

/* "admin,disable,delete,grant,use" for a caps mask ("" for none). */
void kp_policy_caps_str(unsigned caps, char *out, size_t size);

/* IAM action pattern match ("kms:Disable*" matches "kms:DisableKey"). */
int kp_policy_action_match(const char *pattern, const char *action);

#endif
