/*
 * location.zones: the brokers' racks are declared zones, and the replicas of
 * every partition (the suite's topic and the topics the scenario names) are
 * spread over as many zones as the replication factor and the zones in use
 * allow.
 */
#include <stdio.h>
#include <string.h>

#include "location.h"

static int declared(const kp_deployment_cfg_t *d, const char *zone)
{
        size_t i;

        for (i = 0; i < d->n_zones; i++)
                if (!strcmp(d->zones[i], zone))
                        return 1;
        return 0;
}

typedef struct zone_tally {
        int partitions, underspread;
        char first_bad[600];
} zone_tally_t;

/* Judges the replica placement of one topic; -1 with c set when its
 * topology cannot be read. */
static int judge_topic(kp_check_t *c, loc_state_t *st, const char *topic, int zones_in_use,
                       kp_table_t *tb, zone_tally_t *t)
{
        kp_topology_t topo;
        kp_err_t err = {0};
        int p, k, j;

        if (kp_topo_fetch(st->topo_cl, topic, &topo, &err) < 0 ||
            kp_topo_client_racks(st->topo_cl, &topo, &err) < 0) {
                kp_check_error(c, "replica placement of %s: %s", topic, err.msg);
                kp_topology_release(&topo);
                return -1;
        }
        for (p = 0; p < topo.n_partitions; p++) {
                const kp_topo_partition_t *tp = &topo.partitions[p];
                const char *zs[KP_TOPO_MAX_REPLICAS];
                char replicas[256] = "", zones[512] = "", pid[16], spread[32];
                size_t rl = 0, zl = 0;
                int distinct, want;
                const char *cells[5];
                for (k = 0; k < tp->n_replicas; k++) {
                        const char *z = kp_topology_rack(&topo, tp->replicas[k]);
                        zs[k] = z && *z ? z : "?";
                        rl += (size_t)snprintf(replicas + rl,
                                               rl < sizeof(replicas) ? sizeof(replicas) - rl : 0,
                                               "%s%d", k ? "," : "", tp->replicas[k]);
                        for (j = 0; j < k; j++)
                                if (!strcmp(zs[j], zs[k]))
                                        break;
                        if (j == k)
                                zl += (size_t)snprintf(zones + zl,
                                                       zl < sizeof(zones) ? sizeof(zones) - zl : 0,
                                                       "%s%s", zl ? "," : "", zs[k]);
                }
                want = loc_zone_spread(zs, tp->n_replicas, zones_in_use, &distinct);
                snprintf(pid, sizeof(pid), "%d", tp->id);
                snprintf(spread, sizeof(spread), "%d of %d", distinct, want);
                cells[0] = topic;
                cells[1] = pid;
                cells[2] = replicas;
                cells[3] = zones;
                cells[4] = spread;
                kp_table_row(tb, cells);
                t->partitions++;
                if (distinct < want) {
                        t->underspread++;
                        if (!t->first_bad[0])
                                snprintf(t->first_bad, sizeof(t->first_bad),
                                         "%s [%d] has replicas %s in zones %s: %d zones for "
                                         "replication factor %d with %d zones in use",
                                         topic, tp->id, replicas, zones, distinct, tp->n_replicas,
                                         zones_in_use);
                }
        }
        kp_topology_release(&topo);
        return 0;
}

void loc_check_zones(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const bcols[] = {"broker", "rack", "declared zone"};
        static const char *const pcols[] = {"topic", "partition", "replicas", "zones",
                                            "zones spanned"};
        const kp_deployment_cfg_t *d = &ctx->plat->target->deployment;
        const loc_options_t *o = loc_opts(ctx);
        char bad_broker[400] = "", used[KP_TOPO_MAX_BROKERS][64];
        int known, i, j, outside = 0, norack = 0, n_used = 0;
        zone_tally_t t = {0};
        kp_topology_t topo;
        kp_err_t err = {0};
        kp_table_t *tb;
        loc_state_t *st;
        size_t k;

        if (!d->n_zones) {
                kp_check_skip(c, "the target declares no deployment.zones");
                return;
        }
        if (!(st = loc_observe(ctx, c)))
                return;
        if (kp_topo_fetch(st->topo_cl, NULL, &topo, &err) < 0 ||
            (known = kp_topo_client_racks(st->topo_cl, &topo, &err)) < 0) {
                kp_check_error(c, "broker racks: %s", err.msg);
                kp_topology_release(&topo);
                return;
        }
        if (known == 0) {
                kp_check_skip(c, "no broker reports a rack (broker.rack), so zones cannot be "
                                 "placed");
                kp_topology_release(&topo);
                return;
        }
        tb = kp_check_table(c, "Broker racks against the declared zones", bcols, 3);
        for (i = 0; i < topo.n_brokers; i++) {
                char id[16];
                const char *rack = topo.racks[i];
                const char *cells[3];
                int ok = *rack && declared(d, rack);
                snprintf(id, sizeof(id), "%d", topo.broker_ids[i]);
                cells[0] = id;
                cells[1] = *rack ? rack : "(none)";
                cells[2] = ok ? "yes" : "no";
                kp_table_row(tb, cells);
                if (!*rack)
                        norack++;
                else if (!ok)
                        outside++;
                if (!ok && !bad_broker[0] && *rack)
                        snprintf(bad_broker, sizeof(bad_broker),
                                 "broker %d is in rack %s, which is not a declared zone",
                                 topo.broker_ids[i], rack);
                else if (!ok && !bad_broker[0])
                        snprintf(bad_broker, sizeof(bad_broker), "broker %d reports no rack",
                                 topo.broker_ids[i]);
                if (ok) {
                        for (j = 0; j < n_used; j++)
                                if (!strcmp(used[j], rack))
                                        break;
                        if (j == n_used)
                                snprintf(used[n_used++], sizeof(used[0]), "%s", rack);
                }
        }
        kp_topology_release(&topo);
        tb = kp_check_table(c, "Replica placement per partition", pcols, 5);
        if (judge_topic(c, st, st->topic, n_used, tb, &t) < 0)
                return;
        for (k = 0; k < o->n_topics; k++)
                if (judge_topic(c, st, o->topics[k], n_used, tb, &t) < 0)
                        return;
        kp_check_measure(c, "zones_declared", (double)d->n_zones, "zones");
        kp_check_measure(c, "zones_in_use", n_used, "zones");
        kp_check_measure(c, "brokers_outside_zones", outside, "brokers");
        kp_check_measure(c, "brokers_without_rack", norack, "brokers");
        kp_check_measure(c, "partitions_checked", t.partitions, "partitions");
        kp_check_measure(c, "partitions_underspread", t.underspread, "partitions");
        if (outside || norack) {
                kp_check_fail(c, "%d brokers in undeclared racks, %d without a rack: %s", outside,
                              norack, bad_broker);
                return;
        }
        if (t.underspread) {
                kp_check_fail(c,
                              "%d of %d partitions have replicas in fewer zones than they "
                              "could; first: %s",
                              t.underspread, t.partitions, t.first_bad);
                return;
        }
        kp_check_answer(c,
                        "brokers in %d of %zu declared zones; replicas of %d partitions spread "
                        "across zones",
                        n_used, d->n_zones, t.partitions);
        kp_check_pass(c,
                      "every broker is in a declared zone (%d of %zu zones in use) and the "
                      "replicas of all %d partitions span as many zones as replication factor "
                      "and zones allow",
                      n_used, d->n_zones, t.partitions);
}
