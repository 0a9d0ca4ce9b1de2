/*
 * location.kms: the platform's key lives in a declared region and account
 * (its ARN as the KMS API reports it), and the KMS endpoint kproof reaches is
 * inside the boundary or one of its allowed endpoints.
 */
#include <stdio.h>
#include <string.h>

#include "location.h"
#include "adapters/kms.h"

/* "arn:aws:kms:REGION:ACCOUNT:key/ID" -> region, account; -1 if not an ARN. */
static int arn_parts(const char *arn, char *region, size_t rsize, char *account, size_t asize)
{
        const char *f[6];
        const char *p = arn;
        int i;

        for (i = 0; i < 5; i++) {
                f[i] = p;
                p = strchr(p, ':');
                if (!p)
                        return -1;
                p++;
        }
        f[5] = p;
        if (strncmp(arn, "arn:", 4) != 0)
                return -1;
        snprintf(region, rsize, "%.*s", (int)(f[4] - f[3] - 1), f[3]);
        snprintf(account, asize, "%.*s", (int)(f[5] - f[4] - 1), f[4]);
        return 0;
}

void loc_check_kms(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"what", "observed", "declared", "inside",
                                           "rule / reason"};
        const kp_target_t *t = ctx->plat->target;
        const kp_deployment_cfg_t *d = &t->deployment;
        char endpoint[512], host[256], addrs[1024], why[512], region[64], account[64];
        char rules[1100], fails[1400] = "";
        const char *cells[5];
        kp_kms_t *kms = NULL;
        kp_kms_key_t key;
        kp_err_t err = {0};
        kp_table_t *tb;
        int port, r, judged = 0;
        size_t fl = 0;

        if (strcmp(t->kms_type, "aws-kms") != 0) {
                kp_check_skip(c, "the target has no kms adapter (kms.type is %s)", t->kms_type);
                return;
        }
        if (!kp_boundary_has_addresses(d) && !d->n_boundary_regions && !d->n_boundary_endpoints &&
            !(d->boundary_account && *d->boundary_account)) {
                kp_check_skip(c, "the target declares no deployment.boundary (cidrs, hosts, "
                                 "regions, account_id or allowed_endpoints)");
                return;
        }
        if (kp_kms_new(&t->kms, &kms, &err) < 0 ||
            kp_kms_describe_key(kms, t->kms.key, &key, &err) < 0) {
                kp_check_error(c, "DescribeKey of %s: %s", t->kms.key, err.msg);
                kp_kms_free(kms);
                return;
        }
        kp_kms_free(kms);
        tb = kp_check_table(c, "KMS key and endpoint against the boundary", cols, 5);
        if (arn_parts(key.arn, region, sizeof(region), account, sizeof(account)) < 0) {
                kp_check_error(c, "DescribeKey of %s returned no ARN (\"%s\")", t->kms.key,
                               key.arn);
                return;
        }
        kp_check_note(c, "key %s (%s)", key.arn, key.state);
        /* region */
        cells[0] = "key region";
        cells[1] = region;
        if (d->n_boundary_regions) {
                r = loc_in_list(d->boundary_regions, d->n_boundary_regions, region);
                judged++;
                cells[2] = "deployment.boundary.regions";
                cells[3] = r ? "inside" : "outside";
                cells[4] = r ? "declared region" : "region not declared";
                if (!r)
                        fl += (size_t)snprintf(fails + fl, sizeof(fails) - fl,
                                               "%skey %s is in region %s, not in "
                                               "deployment.boundary.regions",
                                               fl ? "; " : "", key.arn, region);
        } else {
                cells[2] = "-";
                cells[3] = "not judged";
                cells[4] = "no deployment.boundary.regions declared";
        }
        kp_table_row(tb, cells);
        /* account */
        cells[0] = "key account";
        cells[1] = account;
        if (d->boundary_account && *d->boundary_account) {
                r = !strcmp(account, d->boundary_account);
                judged++;
                cells[2] = d->boundary_account;
                cells[3] = r ? "inside" : "outside";
                cells[4] = r ? "declared account" : "another account";
                if (!r && fl < sizeof(fails))
                        fl +=
                            (size_t)snprintf(fails + fl, sizeof(fails) - fl,
                                             "%skey %s belongs to account %s, not the declared "
                                             "account_id %s",
                                             fl ? "; " : "", key.arn, account, d->boundary_account);
        } else {
                cells[2] = "-";
                cells[3] = "not judged";
                cells[4] = "no deployment.boundary.account_id declared";
        }
        kp_table_row(tb, cells);
        /* endpoint */
        if (t->kms.endpoint)
                snprintf(endpoint, sizeof(endpoint), "%s", t->kms.endpoint);
        else
                snprintf(endpoint, sizeof(endpoint), "https://kms.%s.amazonaws.com/",
                         t->kms.region);
        {
                char tmp[512], *slash;
                snprintf(tmp, sizeof(tmp), "%s", strstr(endpoint, "://") + 3);
                slash = strchr(tmp, '/');
                if (slash)
                        *slash = '\0';
                if (kp_hostport_split(tmp, host, sizeof(host), &port) < 0) {
                        kp_check_error(c, "KMS endpoint %s has no host", endpoint);
                        return;
                }
        }
        loc_rules_text(d, rules, sizeof(rules));
        cells[0] = "KMS endpoint";
        cells[1] = endpoint;
        cells[2] = rules;
        if (kp_boundary_allows_endpoint(d, host)) {
                judged++;
                cells[3] = "allowed";
                cells[4] = "deployment.boundary.allowed_endpoints";
        } else if (kp_boundary_has_addresses(d)) {
                judged++;
                r = loc_judge_host(d, host, addrs, sizeof(addrs), why, sizeof(why));
                cells[3] = r > 0 ? "inside" : r == 0 ? "outside" : "unresolved";
                cells[4] = why;
                if (r < 0) {
                        kp_table_row(tb, cells);
                        kp_check_error(c, "KMS endpoint host %s", why);
                        return;
                }
                if (!r && fl < sizeof(fails))
                        fl += (size_t)snprintf(fails + fl, sizeof(fails) - fl,
                                               "%sKMS endpoint %s: %s, outside the boundary (%s) "
                                               "and not an allowed endpoint",
                                               fl ? "; " : "", host, why, rules);
        } else {
                cells[3] = "not judged";
                cells[4] = "no deployment.boundary cidrs, hosts or allowed_endpoints";
        }
        kp_table_row(tb, cells);
        kp_check_measure(c, "rules_judged", judged, "rules");
        kp_check_measure(c, "rules_violated", fails[0] ? 1 : 0, "rules");
        if (fails[0]) {
                kp_check_fail(c, "%s", fails);
                return;
        }
        if (!judged) {
                kp_check_skip(c, "the boundary declares nothing the key or endpoint can be judged "
                                 "against");
                return;
        }
        kp_check_pass(c,
                      "key %s in region %s, account %s, reached at %s: every declared rule holds "
                      "(%d judged)",
                      key.arn, region, account, host, judged);
}
