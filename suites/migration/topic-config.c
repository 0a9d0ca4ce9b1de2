/*
 * migration.topic-config: Partition count and topic configs (retention,
 * cleanup.policy, compression, max.message.bytes, min.insync.replicas) on the
 * destination match the source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "util/signals.h"
#include "util/timeutil.h"

void mig_check_topic_config(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"config", "source", "destination",
                                           "set on the destination topic"};
        static const char *const dflt[][2] = {
            {"retention.ms", "86400000"}, {"cleanup.policy", "delete"},
            {"compression.type", "lz4"},  {"max.message.bytes", "2097152"},
            {"min.insync.replicas", "1"},
        };
        const mig_options_t *o = mig_options(ctx);
        mig_state_t *st = ctx->suite_state;
        const kp_kvlist_t *tc = &ctx->scfg->workload.topic_config;
        kp_kvlist_t own = {0};
        char topic[512], (*sv)[256] = NULL, (*dv)[256] = NULL, diff[1024] = "";
        int *sdyn = NULL, *ddyn = NULL, parts = mig_partitions_of(ctx), dparts, mismatched = 0;
        int64_t t0, deadline;
        size_t i, len = 0;
        kp_table_t *t;
        kp_err_t err;

        if (mig_no_mirror(ctx, c, KP_CTL_START_MIRROR))
                return;
        if (tc->n == 0) {
                for (i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
                        kp_kvlist_set(&own, dflt[i][0], dflt[i][1]);
                tc = &own;
        }
        kp_ctx_topic(ctx, "mig-config", topic, sizeof(topic));
        sv = calloc(tc->n, sizeof(*sv));
        dv = calloc(tc->n, sizeof(*dv));
        sdyn = calloc(tc->n, sizeof(int));
        ddyn = calloc(tc->n, sizeof(int));
        if (!sv || !dv || !sdyn || !ddyn) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        if (kp_platform_create_topic(ctx->plat, topic, parts,
                                     ctx->scfg->workload.replication_factor, tc, &err) < 0) {
                kp_check_error(c, "cannot create topic %s on the source: %s", topic, err.msg);
                goto out;
        }
        if (mig_ensure_forward(ctx, c) < 0)
                goto out;
        t0 = kp_mono_ns();
        if (mig_wait_topic(ctx, st->dst, topic, 1, o->sync_timeout, &err) < 0) {
                kp_check_error(c, "the mirror did not create the topic: %s", err.msg);
                goto out;
        }
        if (mig_topic_configs(ctx->plat, topic, tc, sv, sdyn, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        deadline = t0 + o->sync_timeout;
        for (;;) {
                if (mig_topic_configs(st->dst, topic, tc, dv, ddyn, &err) < 0) {
                        kp_check_error(c, "%s", err.msg);
                        goto out;
                }
                mismatched = 0;
                for (i = 0; i < tc->n; i++)
                        mismatched += strcmp(sv[i], dv[i]) != 0;
                if (!mismatched || kp_mono_ns() >= deadline || kp_stop_requested())
                        break;
                kp_sleep_ms(1000);
        }
        if (!mismatched)
                kp_check_measure(c, "config_sync_s", (double)(kp_mono_ns() - t0) / 1e9, "s");
        dparts = mig_partitions(st->dst, topic, &err);
        kp_check_measure(c, "partitions_source", parts, "partitions");
        kp_check_measure(c, "partitions_destination", dparts, "partitions");
        kp_check_measure(c, "configs_compared", (double)tc->n, "configs");
        kp_check_measure(c, "configs_mismatched", mismatched, "configs");
        t = kp_check_table(c, "Topic configs (effective values)", cols, 4);
        for (i = 0; i < tc->n; i++) {
                const char *cells[4] = {tc->items[i].key, sv[i], dv[i],
                                        ddyn[i] ? "yes" : "no (a default)"};
                if (t)
                        kp_table_row(t, cells);
                if (strcmp(sv[i], dv[i]) != 0)
                        len += (size_t)snprintf(
                            diff + len, len < sizeof(diff) ? sizeof(diff) - len : 0,
                            "%s%s: source %s, destination %s", len ? "; " : "", tc->items[i].key,
                            sv[i], dv[i][0] ? dv[i] : "(none)");
        }
        kp_check_note(c, "ACLs not compared: the fixture's source has no authorizer and the "
                         "mirror does not sync ACLs (sync.topic.acls.enabled=false)");
        if (dparts != parts) {
                kp_check_fail(c, "partition count differs: source %d, destination %d%s%s", parts,
                              dparts, mismatched ? "; " : "", diff);
                goto out;
        }
        if (mismatched) {
                kp_check_fail(c, "%d of %zu config(s) differ after %.0f s: %s", mismatched, tc->n,
                              (double)o->sync_timeout / 1e9, diff);
                goto out;
        }
        kp_check_answer(c, "partitions and %zu topic configs match on the destination", tc->n);
        kp_check_pass(c, "%d partition(s) and all %zu compared configs match on the destination",
                      parts, tc->n);
out:
        kp_kvlist_clear(&own);
        free(sv);
        free(dv);
        free(sdyn);
        free(ddyn);
}
