/*
 * Key policy analysis: see keypolicy.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "adapters/keypolicy.h"

static const struct {
        unsigned cap;
        const char *action;
} cap_actions[] = {
    {KP_POLICY_ADMIN, "kms:PutKeyPolicy"},
    {KP_POLICY_DISABLE, "kms:DisableKey"},
    {KP_POLICY_DELETE, "kms:ScheduleKeyDeletion"},
    {KP_POLICY_GRANT, "kms:CreateGrant"},
    {KP_POLICY_USE, "kms:Encrypt"},
    {KP_POLICY_USE, "kms:Decrypt"},
    {KP_POLICY_USE, "kms:GenerateDataKey"},
};

int kp_policy_action_match(const char *p, const char *s)
{
        /* Iterative glob with backtracking to the last '*'. */
        const char *star = NULL, *ss = NULL;

        while (*s) {
                if (*p == '*') {
                        star = p++;
                        ss = s;
                } else if (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*s)) {
                        p++;
                        s++;
                } else if (star) {
                        p = star + 1;
                        s = ++ss;
                } else {
                        return 0;
                }
        }
        while (*p == '*')
                p++;
        return *p == '\0';
}

void kp_policy_caps_str(unsigned caps, char *out, size_t size)
{
        static const char *const names[] = {"admin", "disable", "delete", "grant", "use"};
        size_t i, len = 0;

        out[0] = '\0';
        for (i = 0; i < 5 && len < size; i++)
                if (caps & (1u << i))
                        len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "",
                                                names[i]);
}

/* Caps granted by an Action (or NotAction) value: a string or an array. */
static unsigned caps_of(const cJSON *actions, int negate)
{
        unsigned caps = 0;
        size_t i;

        for (i = 0; i < sizeof(cap_actions) / sizeof(cap_actions[0]); i++) {
                const cJSON *a;
                int hit = 0;
                if (cJSON_IsString(actions))
                        hit = kp_policy_action_match(actions->valuestring, cap_actions[i].action);
                else
                        cJSON_ArrayForEach(
                            a, actions) if (cJSON_IsString(a) &&
                                            kp_policy_action_match(a->valuestring,
                                                                   cap_actions[i].action)) hit = 1;
                if (hit != negate)
                        caps |= cap_actions[i].cap;
        }
        return caps;
}

static int add(kp_policy_t *p, const char *name, unsigned caps, int conditional)
{
        size_t i;
        kp_policy_principal_t *np;

        for (i = 0; i < p->n; i++) {
                if (strcmp(p->principals[i].name, name) == 0) {
                        p->principals[i].caps |= caps;
                        p->principals[i].conditional |= conditional;
                        return 0;
                }
        }
        np = realloc(p->principals, (p->n + 1) * sizeof(*np));
        if (!np)
                return -1;
        p->principals = np;
        np = &p->principals[p->n++];
        memset(np, 0, sizeof(*np));
        snprintf(np->name, sizeof(np->name), "%s", name);
        np->caps = caps;
        np->wildcard = strcmp(name, "*") == 0;
        np->conditional = conditional;
        return 0;
}

static int add_values(kp_policy_t *p, const char *prefix, const cJSON *v, unsigned caps, int cond,
                      int *wild)
{
        const cJSON *it;
        char name[512];

        if (cJSON_IsString(v)) {
                if (strcmp(v->valuestring, "*") == 0) {
                        *wild = 1;
                        return add(p, "*", caps, cond);
                }
                snprintf(name, sizeof(name), "%s%s", prefix, v->valuestring);
                return add(p, name, caps, cond);
        }
        cJSON_ArrayForEach(it, v) if (add_values(p, prefix, it, caps, cond, wild) < 0) return -1;
        return 0;
}

int kp_policy_analyse(const char *json, kp_policy_t *out, kp_err_t *err)
{
        cJSON *doc = cJSON_Parse(json);
        const cJSON *stmts, *st;
        int rc = -1;

        memset(out, 0, sizeof(*out));
        if (!doc || !cJSON_IsObject(doc)) {
                kp_err_set(err, KP_EINVAL, "key policy: not a JSON object");
                goto out;
        }
        stmts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
        if (cJSON_IsObject(stmts)) {
                /* A single statement may be written without the array. */
                st = stmts;
                goto one;
        }
        if (!cJSON_IsArray(stmts)) {
                kp_err_set(err, KP_EINVAL, "key policy: no Statement array");
                goto out;
        }
        cJSON_ArrayForEach(st, stmts)
        {
        one:;
                const cJSON *eff = cJSON_GetObjectItemCaseSensitive(st, "Effect");
                const cJSON *act = cJSON_GetObjectItemCaseSensitive(st, "Action");
                const cJSON *nact = cJSON_GetObjectItemCaseSensitive(st, "NotAction");
                const cJSON *pr = cJSON_GetObjectItemCaseSensitive(st, "Principal");
                int cond = cJSON_GetObjectItemCaseSensitive(st, "Condition") != NULL;
                int wild = 0;
                unsigned caps;

                out->statements++;
                if (!cJSON_IsString(eff) || strcmp(eff->valuestring, "Allow") != 0) {
                        out->deny_statements++;
                        goto next;
                }
                if (nact) {
                        out->not_action_statements++;
                        caps = caps_of(nact, 1);
                } else {
                        caps = caps_of(act, 0);
                }
                if (!pr)
                        goto next;
                if (cJSON_IsString(pr)) {
                        if (add_values(out, "", pr, caps, cond, &wild) < 0)
                                goto oom;
                } else {
                        const cJSON *m;
                        cJSON_ArrayForEach(m, pr)
                        {
                                const char *prefix = strcmp(m->string, "AWS") == 0 ? ""
                                                     : strcmp(m->string, "Service") == 0
                                                         ? "service:"
                                                         : "federated:";
                                if (add_values(out, prefix, m, caps, cond, &wild) < 0)
                                        goto oom;
                        }
                }
                if (wild)
                        out->wildcard_statements++;
        next:
                if (st == stmts)
                        break;
        }
        rc = 0;
        goto out;
oom:
        kp_err_set(err, KP_ENOMEM, "key policy: out of memory");
out:
        if (rc < 0)
                kp_policy_release(out);
        cJSON_Delete(doc);
        return rc;
}

void kp_policy_release(kp_policy_t *p)
{
        free(p->principals);
        memset(p, 0, sizeof(*p));
}
