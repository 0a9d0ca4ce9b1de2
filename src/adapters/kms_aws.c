/*
 * The aws-kms adapter: AWS KMS JSON API (TrentService) over aws.h. See kms.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "adapters/kms.h"
#include "util/log.h"

struct kp_kms {
        kp_aws_t *aws;
        uint64_t calls;
};

int kp_kms_new(const kp_kms_cfg_t *cfg, kp_kms_t **out, kp_err_t *err)
{
        kp_kms_t *k;
        kp_aws_cfg_t ac;
        char endpoint[512];

        *out = NULL;
        k = calloc(1, sizeof(*k));
        if (!k)
                return kp_err_set(err, KP_ENOMEM, "kms: out of memory");
        if (cfg->endpoint)
                snprintf(endpoint, sizeof(endpoint), "%s", cfg->endpoint);
        else
                snprintf(endpoint, sizeof(endpoint), "https://kms.%s.amazonaws.com/", cfg->region);
        memset(&ac, 0, sizeof(ac));
        ac.endpoint = endpoint;
        ac.region = cfg->region;
        ac.service = "kms";
        ac.access_key_id = cfg->access_key_id;
        ac.secret_access_key = cfg->secret_access_key;
        ac.session_token = cfg->session_token;
        ac.timeout_ns = cfg->timeout_ns;
        ac.max_attempts = cfg->max_attempts;
        if (kp_aws_new(&ac, &k->aws, err) < 0) {
                free(k);
                return kp_err_prefix(err, "kms");
        }
        *out = k;
        return 0;
}

void kp_kms_free(kp_kms_t *k)
{
        if (!k)
                return;
        kp_aws_free(k->aws);
        free(k);
}

const kp_aws_error_t *kp_kms_last_error(const kp_kms_t *k)
{
        return kp_aws_last_error(k->aws);
}

uint64_t kp_kms_calls(const kp_kms_t *k)
{
        return k->calls;
}

/* Calls op with body (a cJSON object, consumed) and parses the answer. */
static int call(kp_kms_t *k, const char *op, cJSON *body, cJSON **resp, kp_err_t *err)
{
        char target[96], *text = body ? cJSON_PrintUnformatted(body) : NULL;
        kp_buf_t out;
        int rc = -1;

        if (resp)
                *resp = NULL;
        cJSON_Delete(body);
        if (!text)
                return kp_err_set(err, KP_ENOMEM, "kms %s: out of memory", op);
        snprintf(target, sizeof(target), "TrentService.%s", op);
        kp_buf_init(&out, 16 << 20);
        k->calls++;
        if (kp_aws_json(k->aws, target, text, &out, err) < 0) {
                kp_err_prefix(err, "kms");
                goto out;
        }
        if (resp) {
                *resp = cJSON_ParseWithLength(out.data ? out.data : "{}", out.data ? out.len : 2);
                if (!*resp) {
                        kp_err_set(err, KP_EINFRA, "kms %s: answer is not JSON", op);
                        goto out;
                }
        }
        rc = 0;
out:
        free(text);
        kp_buf_free(&out);
        return rc;
}

static cJSON *key_body(const char *key_id)
{
        cJSON *b = cJSON_CreateObject();

        if (b && !cJSON_AddStringToObject(b, "KeyId", key_id)) {
                cJSON_Delete(b);
                return NULL;
        }
        return b;
}

static void str_field(const cJSON *o, const char *name, char *out, size_t size)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

        if (cJSON_IsString(v))
                snprintf(out, size, "%s", v->valuestring);
}

int kp_kms_describe_key(kp_kms_t *k, const char *key, kp_kms_key_t *out, kp_err_t *err)
{
        cJSON *resp = NULL;
        const cJSON *md, *v;

        memset(out, 0, sizeof(*out));
        if (call(k, "DescribeKey", key_body(key), &resp, err) < 0)
                return -1;
        md = cJSON_GetObjectItemCaseSensitive(resp, "KeyMetadata");
        if (!cJSON_IsObject(md)) {
                cJSON_Delete(resp);
                return kp_err_set(err, KP_EINFRA,
                                  "kms DescribeKey %s: no KeyMetadata in the answer", key);
        }
        str_field(md, "KeyId", out->key_id, sizeof(out->key_id));
        str_field(md, "Arn", out->arn, sizeof(out->arn));
        str_field(md, "KeyState", out->state, sizeof(out->state));
        str_field(md, "KeyManager", out->manager, sizeof(out->manager));
        str_field(md, "Origin", out->origin, sizeof(out->origin));
        str_field(md, "KeySpec", out->spec, sizeof(out->spec));
        if (!out->spec[0])
                str_field(md, "CustomerMasterKeySpec", out->spec, sizeof(out->spec));
        str_field(md, "KeyUsage", out->usage, sizeof(out->usage));
        str_field(md, "Description", out->description, sizeof(out->description));
        str_field(md, "AWSAccountId", out->account, sizeof(out->account));
        v = cJSON_GetObjectItemCaseSensitive(md, "Enabled");
        out->enabled = cJSON_IsTrue(v);
        v = cJSON_GetObjectItemCaseSensitive(md, "MultiRegion");
        out->multi_region = cJSON_IsTrue(v);
        v = cJSON_GetObjectItemCaseSensitive(md, "DeletionDate");
        if (cJSON_IsNumber(v))
                out->deletion_date = v->valuedouble;
        cJSON_Delete(resp);
        if (!out->key_id[0])
                return kp_err_set(err, KP_EINFRA, "kms DescribeKey %s: no KeyId in the answer",
                                  key);
        return 0;
}

int kp_kms_rotation_status(kp_kms_t *k, const char *key_id, int *enabled, kp_err_t *err)
{
        cJSON *resp = NULL;

        if (call(k, "GetKeyRotationStatus", key_body(key_id), &resp, err) < 0)
                return -1;
        *enabled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "KeyRotationEnabled"));
        cJSON_Delete(resp);
        return 0;
}

int kp_kms_get_key_policy(kp_kms_t *k, const char *key_id, kp_buf_t *policy, kp_err_t *err)
{
        cJSON *b = key_body(key_id), *resp = NULL;
        const cJSON *p;
        int rc = 0;

        if (b)
                cJSON_AddStringToObject(b, "PolicyName", "default");
        if (call(k, "GetKeyPolicy", b, &resp, err) < 0)
                return -1;
        p = cJSON_GetObjectItemCaseSensitive(resp, "Policy");
        if (!cJSON_IsString(p))
                rc = kp_err_set(err, KP_EINFRA, "kms GetKeyPolicy %s: no Policy in the answer",
                                key_id);
        else if (kp_buf_puts(policy, p->valuestring) < 0)
                rc = kp_err_set(err, KP_ENOMEM, "kms GetKeyPolicy %s: policy too large", key_id);
        cJSON_Delete(resp);
        return rc;
}

int kp_kms_list_aliases(kp_kms_t *k, const char *key_id, kp_buf_t *out, size_t *n, kp_err_t *err)
{
        char marker[1024] = "";
        int pages = 0;

        *n = 0;
        do {
                cJSON *b = cJSON_CreateObject(), *resp = NULL;
                const cJSON *arr, *it, *next;
                if (b && key_id)
                        cJSON_AddStringToObject(b, "KeyId", key_id);
                if (b && marker[0])
                        cJSON_AddStringToObject(b, "Marker", marker);
                if (call(k, "ListAliases", b, &resp, err) < 0)
                        return -1;
                arr = cJSON_GetObjectItemCaseSensitive(resp, "Aliases");
                cJSON_ArrayForEach(it, arr)
                {
                        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "AliasName");
                        const cJSON *target = cJSON_GetObjectItemCaseSensitive(it, "TargetKeyId");
                        if (!cJSON_IsString(name))
                                continue;
                        /* Some KMS implementations ignore the KeyId filter. */
                        if (key_id && cJSON_IsString(target) &&
                            strcmp(target->valuestring, key_id) != 0)
                                continue;
                        kp_buf_printf(out, "%s\n", name->valuestring);
                        (*n)++;
                }
                marker[0] = '\0';
                next = cJSON_GetObjectItemCaseSensitive(resp, "NextMarker");
                if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "Truncated")) &&
                    cJSON_IsString(next))
                        snprintf(marker, sizeof(marker), "%s", next->valuestring);
                cJSON_Delete(resp);
        } while (marker[0] && ++pages < 100);
        return 0;
}

int kp_kms_disable_key(kp_kms_t *k, const char *key_id, kp_err_t *err)
{
        return call(k, "DisableKey", key_body(key_id), NULL, err);
}

int kp_kms_enable_key(kp_kms_t *k, const char *key_id, kp_err_t *err)
{
        return call(k, "EnableKey", key_body(key_id), NULL, err);
}

int kp_kms_schedule_deletion(kp_kms_t *k, const char *key_id, int days, kp_err_t *err)
{
        cJSON *b = key_body(key_id);

        if (b)
                cJSON_AddNumberToObject(b, "PendingWindowInDays", days);
        return call(k, "ScheduleKeyDeletion", b, NULL, err);
}

int kp_kms_cancel_deletion(kp_kms_t *k, const char *key_id, kp_err_t *err)
{
        return call(k, "CancelKeyDeletion", key_body(key_id), NULL, err);
}

int kp_kms_list_grants(kp_kms_t *k, const char *key_id, kp_kms_grant_t *grants, size_t max,
                       size_t *n, kp_err_t *err)
{
        cJSON *resp = NULL;
        const cJSON *arr, *it;

        *n = 0;
        if (call(k, "ListGrants", key_body(key_id), &resp, err) < 0)
                return -1;
        arr = cJSON_GetObjectItemCaseSensitive(resp, "Grants");
        cJSON_ArrayForEach(it, arr)
        {
                const cJSON *ops, *op;
                kp_kms_grant_t *g;
                size_t len = 0;
                if (*n >= max)
                        break;
                g = &grants[(*n)++];
                memset(g, 0, sizeof(*g));
                str_field(it, "GrantId", g->grant_id, sizeof(g->grant_id));
                str_field(it, "GranteePrincipal", g->grantee, sizeof(g->grantee));
                ops = cJSON_GetObjectItemCaseSensitive(it, "Operations");
                cJSON_ArrayForEach(op, ops)
                {
                        if (cJSON_IsString(op) && len < sizeof(g->operations))
                                len += (size_t)snprintf(g->operations + len,
                                                        sizeof(g->operations) - len, "%s%s",
                                                        len ? "," : "", op->valuestring);
                }
        }
        cJSON_Delete(resp);
        return 0;
}

int kp_kms_create_grant(kp_kms_t *k, const char *key_id, const char *grantee,
                        const char *operations_csv, char *grant_id, size_t size, kp_err_t *err)
{
        cJSON *b = key_body(key_id), *resp = NULL, *ops;
        const char *p = operations_csv;

        if (!b)
                return kp_err_set(err, KP_ENOMEM, "kms: out of memory");
        cJSON_AddStringToObject(b, "GranteePrincipal", grantee);
        ops = cJSON_AddArrayToObject(b, "Operations");
        while (ops && p && *p) {
                const char *e = strchr(p, ',');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                char *op = strndup(p, len);
                if (op)
                        cJSON_AddItemToArray(ops, cJSON_CreateString(op));
                free(op);
                p = e ? e + 1 : NULL;
        }
        if (call(k, "CreateGrant", b, &resp, err) < 0)
                return -1;
        if (grant_id && size) {
                grant_id[0] = '\0';
                str_field(resp, "GrantId", grant_id, size);
        }
        cJSON_Delete(resp);
        return 0;
}

int kp_kms_revoke_grant(kp_kms_t *k, const char *key_id, const char *grant_id, kp_err_t *err)
{
        cJSON *b = key_body(key_id);

        if (b)
                cJSON_AddStringToObject(b, "GrantId", grant_id);
        return call(k, "RevokeGrant", b, NULL, err);
}
