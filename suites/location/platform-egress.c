/*
 * location.platform-egress: the platform's own outbound connections
 * (brokers to storage, KMS, other brokers, anything else), listed by the
 * control adapter's list_connections operation after the suite's traffic,
 * all go to peers inside the boundary or to allowed endpoints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "location.h"
#include "util/buf.h"

#define EGRESS_MAX_ROWS 256

typedef struct egress_row {
        char process[128];
        char peer[128];
        int count;
        int inside;
        char why[320];
} egress_row_t;

/* Judges one peer "host:port": inside by a cidr or host, or an allowed
 * endpoint; -1 when it is not host:port or its name does not resolve. */
static int judge_peer(const kp_deployment_cfg_t *d, const char *peer, char *why, size_t size)
{
        char host[256], addrs[512];
        int port, fam;
        uint8_t a[16];

        if (kp_hostport_split(peer, host, sizeof(host), &port) < 0) {
                snprintf(why, size, "\"%s\" is not host:port", peer);
                return -1;
        }
        if (kp_boundary_allows_endpoint(d, host)) {
                snprintf(why, size, "allowed endpoint %s", host);
                return 1;
        }
        if (kp_addr_parse(host, &fam, a) == 0) {
                if (kp_boundary_admits(d, NULL, host, why, size))
                        return 1;
                snprintf(why, size, "%s is in no declared cidr or host and no allowed endpoint",
                         host);
                return 0;
        }
        return loc_judge_host(d, host, addrs, sizeof(addrs), why, size);
}

void loc_check_platform_egress(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"process", "peer", "connections", "inside",
                                           "rule / reason"};
        const kp_deployment_cfg_t *d = &ctx->plat->target->deployment;
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_LIST_CONNECTIONS);
        egress_row_t *rows = NULL;
        size_t n_rows = 0, i, lineno = 0;
        char rules[1100], first_bad[600] = "";
        int total = 0, outside = 0;
        const char *reason = NULL, *p, *nl;
        kp_err_t err = {0};
        kp_table_t *tb;
        kp_buf_t out;

        if (!kp_control_supports(ctx->plat->control, KP_CTL_LIST_CONNECTIONS, &reason)) {
                kp_check_skip(c, "the platform's connections cannot be listed: %s", reason);
                return;
        }
        if (!kp_boundary_has_addresses(d) && !d->n_boundary_endpoints) {
                kp_check_skip(c, "the target declares no deployment.boundary cidrs, hosts or "
                                 "allowed_endpoints");
                return;
        }
        /* The suite's own traffic first, so replication and fetch paths are live. */
        if (!loc_observe(ctx, c))
                return;
        kp_buf_init(&out, (size_t)4 << 20);
        req.output = &out;
        if (kp_control_do(ctx->plat->control, &req, NULL, &err) < 0) {
                kp_check_error(c, "list_connections: %s", err.msg);
                goto out;
        }
        rows = calloc(EGRESS_MAX_ROWS, sizeof(*rows));
        if (!rows) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        for (p = kp_buf_cstr(&out); p && *p; p = nl ? nl + 1 : NULL) {
                char line[1024];
                const cJSON *pr, *pe, *lo;
                cJSON *j;
                size_t len;
                nl = strchr(p, '\n');
                len = nl ? (size_t)(nl - p) : strlen(p);
                lineno++;
                if (len == 0)
                        continue;
                snprintf(line, sizeof(line), "%.*s", (int)len, p);
                j = cJSON_Parse(line);
                pr = cJSON_GetObjectItemCaseSensitive(j, "process");
                lo = cJSON_GetObjectItemCaseSensitive(j, "local");
                pe = cJSON_GetObjectItemCaseSensitive(j, "peer");
                if (!cJSON_IsString(pr) || !cJSON_IsString(lo) || !cJSON_IsString(pe)) {
                        kp_check_error(c,
                                       "line %zu of list_connections output is not "
                                       "{\"process\",\"local\",\"peer\"}: %.200s",
                                       lineno, line);
                        cJSON_Delete(j);
                        goto out;
                }
                total++;
                for (i = 0; i < n_rows; i++)
                        if (!strcmp(rows[i].process, pr->valuestring) &&
                            !strcmp(rows[i].peer, pe->valuestring))
                                break;
                if (i == n_rows && n_rows < EGRESS_MAX_ROWS) {
                        egress_row_t *r = &rows[n_rows++];
                        int v;
                        snprintf(r->process, sizeof(r->process), "%s", pr->valuestring);
                        snprintf(r->peer, sizeof(r->peer), "%s", pe->valuestring);
                        v = judge_peer(d, r->peer, r->why, sizeof(r->why));
                        if (v < 0) {
                                kp_check_error(c, "list_connections peer of %s: %s", r->process,
                                               r->why);
                                cJSON_Delete(j);
                                goto out;
                        }
                        r->inside = v;
                }
                if (i < n_rows) {
                        rows[i].count++;
                        if (!rows[i].inside) {
                                outside++;
                                if (!first_bad[0])
                                        snprintf(first_bad, sizeof(first_bad), "%s -> %s: %s",
                                                 rows[i].process, rows[i].peer, rows[i].why);
                        }
                }
                cJSON_Delete(j);
        }
        loc_rules_text(d, rules, sizeof(rules));
        tb = kp_check_table(c, "The platform's outbound connections (list_connections)", cols, 5);
        for (i = 0; i < n_rows; i++) {
                char cnt[16];
                const char *cells[5];
                snprintf(cnt, sizeof(cnt), "%d", rows[i].count);
                cells[0] = rows[i].process;
                cells[1] = rows[i].peer;
                cells[2] = cnt;
                cells[3] = rows[i].inside ? "inside" : "outside";
                cells[4] = rows[i].why;
                kp_table_row(tb, cells);
        }
        kp_check_measure(c, "connections", total, "connections");
        kp_check_measure(c, "distinct_peers", (double)n_rows, "peers");
        kp_check_measure(c, "connections_outside", outside, "connections");
        if (outside) {
                kp_check_fail(c,
                              "%d of %d outbound connections of the platform go outside the "
                              "boundary (%s) and its allowed endpoints; first: %s",
                              outside, total, rules, first_bad);
                goto out;
        }
        if (!total) {
                kp_check_skip(c, "list_connections listed no outbound connection of the platform");
                goto out;
        }
        kp_check_pass(c,
                      "all %d outbound connections of the platform (%zu process/peer pairs) go to "
                      "peers inside the boundary (%s) or allowed endpoints",
                      total, n_rows, rules);
out:
        free(rows);
        kp_buf_free(&out);
}
