/*
 * What the location checks share: the observation of the client's network
 * paths, name resolution and judging a host against the boundary.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include "location.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "util/timeutil.h"

/* The observation: sample Metadata, create the suite's topic, produce to
 * every partition (the client connects to every partition leader), then keep
 * sampling Metadata for the observation window so brokers that appear later
 * in the run are seen too. */
loc_state_t *loc_observe(kp_ctx_t *ctx, kp_check_t *c)
{
        loc_state_t *st = ctx->suite_state;
        const loc_options_t *o = loc_opts(ctx, &(loc_options_t){0});
        const kp_workload_cfg_t *w = &ctx->scfg->workload;
        int64_t end;
        kp_err_t err = {0};

        if (!st) {
                kp_check_error(c, "location suite state missing");
                return NULL;
        }
        if (st->observed) {
                if (st->error[0]) {
                        kp_check_error(c, "%s", st->error);
                        return NULL;
                }
                return st;
        }
        st->observed = 1;
        st->obs = kp_netobs_new(ctx->plat, &ctx->scfg->client.producer, &err);
        if (!st->obs)
                goto fail;
        if (kp_netobs_sample(st->obs, &err) < 0)
                goto fail;
        if (w->topic)
                snprintf(st->topic, sizeof(st->topic), "%s", w->topic);
        else
                kp_ctx_topic(ctx, "location", st->topic, sizeof(st->topic));
        st->partitions = w->partitions;
        if (w->topic && !kp_control_supports(ctx->plat->control, KP_CTL_CREATE_TOPIC, NULL)) {
                /* A named topic may exist already (e.g. one with a KEK behind an encrypting
                 * proxy): use it as it is, and never delete it. */
                if (kp_kafka_admin_create_topic(&ctx->plat->props, st->topic, w->partitions,
                                                w->replication_factor, &w->topic_config, 1, 30000,
                                                &err) < 0)
                        goto fail;
        } else {
                if (kp_platform_create_topic(ctx->plat, st->topic, w->partitions,
                                             w->replication_factor, &w->topic_config, &err) < 0)
                        goto fail;
                st->topic_created = !w->topic;
        }
        st->sent = w->partitions * o->records_per_partition;
        st->acked = kp_netobs_produce(st->obs, st->topic, w->partitions, o->records_per_partition,
                                      20000, &err);
        if (st->acked < 0)
                goto fail;
        end = kp_mono_ns() + o->observe_ns;
        do {
                kp_netobs_poll(st->obs, 500);
                if (kp_netobs_sample(st->obs, &err) < 0)
                        goto fail;
        } while (kp_mono_ns() < end);
        st->topo_cl = kp_topo_client_new(ctx->plat, &err);
        if (!st->topo_cl)
                goto fail;
        kp_info("location: %d metadata samples, %d of %d records acknowledged on %s",
                kp_netobs_samples(st->obs), st->acked, st->sent, st->topic);
        return st;
fail:
        snprintf(st->error, sizeof(st->error), "observation of the client's paths failed: %s",
                 err.msg);
        kp_check_error(c, "%s", st->error);
        return NULL;
}

static void list_text(char **v, size_t n, char *out, size_t size)
{
        size_t i, len = 0;

        out[0] = '\0';
        if (!n) {
                snprintf(out, size, "none");
                return;
        }
        for (i = 0; i < n && len < size; i++)
                len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", v[i]);
}

loc_state_t *loc_observe_addresses(kp_ctx_t *ctx, kp_check_t *c, char *rules, size_t size)
{
        const kp_deployment_cfg_t *d = &ctx->plat->target->deployment;
        loc_state_t *st;

        if (!kp_boundary_has_addresses(d)) {
                kp_check_skip(c, "the target declares no deployment.boundary.cidrs or hosts");
                return NULL;
        }
        if (!(st = loc_observe(ctx, c)))
                return NULL;
        loc_rules_text(d, rules, size);
        return st;
}

void loc_rules_text(const kp_deployment_cfg_t *d, char *out, size_t size)
{
        char cidrs[512], hosts[512];

        list_text(d->boundary_cidrs, d->n_boundary_cidrs, cidrs, sizeof(cidrs));
        list_text(d->boundary_hosts, d->n_boundary_hosts, hosts, sizeof(hosts));
        snprintf(out, size, "cidrs %s; hosts %s", cidrs, hosts);
}

int loc_resolve(const char *host, char addrs[][64], int max, char *msg, size_t msg_size)
{
        struct addrinfo hints, *res = NULL, *ai;
        int n = 0, r, i;

        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        r = getaddrinfo(host, NULL, &hints, &res);
        if (r) {
                snprintf(msg, msg_size, "%s", gai_strerror(r));
                return -1;
        }
        for (ai = res; ai && n < max; ai = ai->ai_next) {
                char text[64] = "";
                if (ai->ai_family == AF_INET)
                        inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr,
                                  text, sizeof(text));
                else if (ai->ai_family == AF_INET6)
                        inet_ntop(AF_INET6,
                                  &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr, text,
                                  sizeof(text));
                else
                        continue;
                for (i = 0; i < n; i++)
                        if (!strcmp(addrs[i], text))
                                break;
                if (i == n)
                        snprintf(addrs[n++], 64, "%s", text);
        }
        freeaddrinfo(res);
        if (!n)
                snprintf(msg, msg_size, "no IPv4 or IPv6 address");
        return n ? n : -1;
}

int loc_judge_host(const kp_deployment_cfg_t *d, const char *host, char *addrs_text,
                   size_t addrs_size, char *why, size_t why_size)
{
        char addrs[16][64], msg[256], rule[300];
        size_t len = 0;
        int n, i, by_host;

        addrs_text[0] = '\0';
        by_host = kp_boundary_admits(d, host, NULL, rule, sizeof(rule));
        n = loc_resolve(host, addrs, 16, msg, sizeof(msg));
        if (n < 0) {
                if (by_host) {
                        snprintf(why, why_size, "%s (not resolvable here: %s)", rule, msg);
                        return 1;
                }
                snprintf(why, why_size, "%s cannot be resolved: %s", host, msg);
                return -1;
        }
        for (i = 0; i < n && len < addrs_size; i++)
                len += (size_t)snprintf(addrs_text + len, addrs_size - len, "%s%s", i ? ", " : "",
                                        addrs[i]);
        if (by_host) {
                snprintf(why, why_size, "%s", rule);
                return 1;
        }
        for (i = 0; i < n; i++) {
                if (!kp_boundary_admits(d, host, addrs[i], rule, sizeof(rule))) {
                        snprintf(why, why_size, "%s is in no declared cidr or host", addrs[i]);
                        return 0;
                }
        }
        snprintf(why, why_size, "%s", rule);
        return 1;
}

int loc_in_list(char **v, size_t n, const char *s)
{
        size_t i;

        for (i = 0; i < n; i++)
                if (!strcmp(v[i], s))
                        return 1;
        return 0;
}

int loc_zone_spread(const char *const *zones, int n_replicas, int zones_in_use, int *distinct)
{
        int k, j;

        *distinct = 0;
        for (k = 0; k < n_replicas; k++) {
                for (j = 0; j < k; j++)
                        if (!strcmp(zones[j], zones[k]))
                                break;
                if (j == k && strcmp(zones[k], "?") != 0)
                        (*distinct)++;
        }
        return n_replicas < zones_in_use ? n_replicas : zones_in_use;
}
