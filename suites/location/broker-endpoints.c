/*
 * location.broker-endpoints: every broker the platform advertises in
 * Metadata (all samples of the run) and every bootstrap address resolves
 * inside the declared boundary; TLS certificates of the brokers recorded.
 */
#include <stdio.h>
#include <string.h>

#include "location.h"

typedef struct endpoint_tally {
        int total, outside, unresolved;
        char first_bad[600];
        int first_bad_is_error;
} endpoint_tally_t;

static void judge_row(const kp_deployment_cfg_t *d, kp_table_t *tb, const char *kind,
                      const char *id, const char *host, int port, endpoint_tally_t *t)
{
        char addrs[1024], why[512], hp[300], label[64];
        int r = loc_judge_host(d, host, addrs, sizeof(addrs), why, sizeof(why));
        const char *cells[6];

        snprintf(hp, sizeof(hp), port >= 0 ? "%s:%d" : "%s", host, port);
        snprintf(label, sizeof(label), "%s", r > 0 ? "inside" : r == 0 ? "outside" : "unresolved");
        cells[0] = kind;
        cells[1] = id;
        cells[2] = hp;
        cells[3] = addrs[0] ? addrs : "-";
        cells[4] = label;
        cells[5] = why;
        kp_table_row(tb, cells);
        t->total++;
        if (r > 0)
                return;
        if (r == 0)
                t->outside++;
        else
                t->unresolved++;
        if (!t->first_bad[0] || (r == 0 && t->first_bad_is_error)) {
                snprintf(t->first_bad, sizeof(t->first_bad), "%s %s %s: %s", kind, id, hp, why);
                t->first_bad_is_error = r < 0;
        }
}

static void record_certs(kp_check_t *c, loc_state_t *st)
{
        static const char *const cols[] = {"broker", "subject", "subject alt names", "issuer",
                                           "verified"};
        const kp_netobs_cert_t *certs;
        kp_table_t *tb;
        size_t n, i;

        if (!kp_netobs_tls(st->obs)) {
                kp_check_note(c, "certificates: not recorded, the target is plaintext "
                                 "(security.protocol has no TLS)");
                return;
        }
        if (!kp_netobs_tls_verify(st->obs)) {
                kp_check_note(c, "certificates: not recorded, the target disables certificate "
                                 "verification (enable.ssl.certificate.verification=false)");
                return;
        }
        certs = kp_netobs_certs(st->obs, &n);
        kp_check_measure(c, "tls_certificates_recorded", (double)n, "certificates");
        tb = kp_check_table(c, "Broker TLS certificates (leaf, as presented in the handshake)",
                            cols, 5);
        for (i = 0; i < n; i++) {
                const char *cells[5] = {certs[i].broker, certs[i].subject,
                                        certs[i].sans[0] ? certs[i].sans : "-", certs[i].issuer,
                                        certs[i].verified ? "yes" : "no"};
                kp_table_row(tb, cells);
        }
}

void loc_check_broker_endpoints(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"kind",     "id",     "advertised host:port",
                                           "resolved", "inside", "rule / reason"};
        const kp_deployment_cfg_t *d = &ctx->plat->target->deployment;
        const kp_netobs_broker_t *b;
        const char *bootstrap;
        endpoint_tally_t brokers = {0}, boot = {0};
        char rules[1100], list[4096], host[256], id[32];
        kp_table_t *tb;
        loc_state_t *st;
        size_t n, i;
        int later = 0, port;
        char *save = NULL, *tok;

        if (!(st = loc_observe_addresses(ctx, c, rules, sizeof(rules))))
                return;
        tb = kp_check_table(c, "Advertised brokers and bootstrap addresses against the boundary",
                            cols, 6);
        b = kp_netobs_brokers(st->obs, &n);
        for (i = 0; i < n; i++) {
                snprintf(id, sizeof(id), "%d", b[i].id);
                judge_row(d, tb, "broker", id, b[i].host, b[i].port, &brokers);
                if (b[i].first_seen > 0)
                        later++;
        }
        bootstrap = kp_kvlist_get(&ctx->plat->props, "bootstrap.servers");
        snprintf(list, sizeof(list), "%s", bootstrap ? bootstrap : "");
        for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                while (*tok == ' ')
                        tok++;
                if (!*tok)
                        continue;
                if (kp_hostport_split(tok, host, sizeof(host), &port) < 0) {
                        kp_check_error(c, "bootstrap address \"%s\" is not host:port", tok);
                        return;
                }
                judge_row(d, tb, "bootstrap", "-", host, port, &boot);
        }
        kp_check_measure(c, "brokers_advertised", brokers.total, "brokers");
        kp_check_measure(c, "brokers_outside", brokers.outside, "brokers");
        kp_check_measure(c, "brokers_unresolved", brokers.unresolved, "brokers");
        kp_check_measure(c, "brokers_seen_later", later, "brokers");
        kp_check_measure(c, "bootstrap_addresses", boot.total, "addresses");
        kp_check_measure(c, "bootstrap_outside", boot.outside + boot.unresolved, "addresses");
        kp_check_measure(c, "metadata_samples", kp_netobs_samples(st->obs), "samples");
        kp_check_note(c, "boundary: %s", rules);
        record_certs(c, st);
        if (brokers.total == 0) {
                kp_check_error(c, "Metadata listed no broker");
                return;
        }
        if (brokers.outside || boot.outside) {
                endpoint_tally_t *t = brokers.outside ? &brokers : &boot;
                kp_check_fail(c,
                              "%d of %d advertised brokers and %d of %d bootstrap addresses are "
                              "outside the boundary (%s); first: %s",
                              brokers.outside, brokers.total, boot.outside, boot.total, rules,
                              t->first_bad);
                return;
        }
        if (brokers.unresolved || boot.unresolved) {
                kp_check_error(c, "cannot place every endpoint: %s",
                               brokers.unresolved ? brokers.first_bad : boot.first_bad);
                return;
        }
        kp_check_answer(c,
                        "all %d advertised brokers and %d bootstrap addresses are inside the "
                        "boundary",
                        brokers.total, boot.total);
        kp_check_pass(c,
                      "all %d advertised brokers (%d Metadata samples, %d seen only later) and %d "
                      "bootstrap addresses resolve inside the boundary (%s)",
                      brokers.total, kp_netobs_samples(st->obs), later, boot.total, rules);
}
