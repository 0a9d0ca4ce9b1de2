/*
 * location.client-paths: the TCP peers the client really connected its
 * sockets to (librdkafka's connect callback) all lie inside the boundary;
 * librdkafka's per-broker statistics (configured or learned, state,
 * successful connects) are recorded next to them.
 */
#include <stdio.h>
#include <string.h>

#include "location.h"

/* Host part of a librdkafka broker name "host:port/id". */
static void broker_host(const char *name, char *host, size_t size)
{
        char tmp[300];
        char *slash;
        int port;

        snprintf(tmp, sizeof(tmp), "%s", name);
        slash = strrchr(tmp, '/');
        if (slash)
                *slash = '\0';
        if (kp_hostport_split(tmp, host, size, &port) < 0)
                host[0] = '\0';
}

static void stats_table(kp_check_t *c, loc_state_t *st, int *connected)
{
        static const char *const cols[] = {"broker", "host:port", "source", "state", "connects"};
        const kp_netobs_stat_t *s;
        size_t n, i;
        kp_table_t *tb;

        s = kp_netobs_stats(st->obs, &n);
        tb = kp_check_table(c, "librdkafka statistics per broker", cols, 5);
        *connected = 0;
        for (i = 0; i < n; i++) {
                char connects[32];
                const char *cells[5];
                snprintf(connects, sizeof(connects), "%lld", (long long)s[i].connects);
                cells[0] = s[i].name;
                cells[1] = s[i].nodename;
                cells[2] = s[i].source;
                cells[3] = s[i].state;
                cells[4] = connects;
                kp_table_row(tb, cells);
                if (s[i].connects > 0)
                        (*connected)++;
        }
}

void loc_check_client_paths(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"peer address", "port",   "broker",
                                           "connects",     "inside", "rule / reason"};
        const kp_deployment_cfg_t *d = &ctx->plat->target->deployment;
        const kp_netobs_peer_t *p;
        char rules[1100], first_bad[600] = "";
        int outside = 0, attempts = 0, connected = 0;
        kp_table_t *tb;
        loc_state_t *st;
        size_t n, i;

        if (!(st = loc_observe_addresses(ctx, c, rules, sizeof(rules))))
                return;
        p = kp_netobs_peers(st->obs, &n);
        tb = kp_check_table(c, "TCP peers the client connected to", cols, 6);
        for (i = 0; i < n; i++) {
                char host[256], why[320], port[16], cnt[16];
                const char *cells[6];
                int in;
                broker_host(p[i].broker, host, sizeof(host));
                in = kp_boundary_admits(d, host[0] ? host : NULL, p[i].addr, why, sizeof(why));
                if (!in) {
                        snprintf(why, sizeof(why), "%s is in no declared cidr or host", p[i].addr);
                        outside++;
                        if (!first_bad[0])
                                snprintf(first_bad, sizeof(first_bad), "%s:%d (broker %s): %s",
                                         p[i].addr, p[i].port, p[i].broker, why);
                }
                snprintf(port, sizeof(port), "%d", p[i].port);
                snprintf(cnt, sizeof(cnt), "%d", p[i].attempts);
                cells[0] = p[i].addr;
                cells[1] = port;
                cells[2] = p[i].broker;
                cells[3] = cnt;
                cells[4] = in ? "inside" : "outside";
                cells[5] = why;
                kp_table_row(tb, cells);
                attempts += p[i].attempts;
        }
        stats_table(c, st, &connected);
        kp_check_measure(c, "peers", (double)n, "addresses");
        kp_check_measure(c, "peers_outside", outside, "addresses");
        kp_check_measure(c, "connect_calls", attempts, "connections");
        kp_check_measure(c, "brokers_connected", connected, "brokers");
        kp_check_measure(c, "records_acked", st->acked, "records");
        kp_check_note(c,
                      "observed while producing %d records to %d partitions of %s (%d "
                      "acknowledged); boundary: %s",
                      st->sent, st->partitions, st->topic, st->acked, rules);
        if (n == 0) {
                kp_check_error(c, "the client made no connection the connect callback saw");
                return;
        }
        if (outside) {
                kp_check_fail(c,
                              "%d of %zu peer addresses the client connected to are outside "
                              "the boundary (%s); first: %s",
                              outside, n, rules, first_bad);
                return;
        }
        if (connected == 0) {
                kp_check_error(c, "librdkafka's statistics show no successful connection");
                return;
        }
        kp_check_answer(c, "the client connected only inside the boundary (%zu peer addresses)", n);
        kp_check_pass(c,
                      "all %zu peer addresses the client connected to (%d connections, %d brokers "
                      "connected per librdkafka's statistics) are inside the boundary (%s)",
                      n, attempts, connected, rules);
}
