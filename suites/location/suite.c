/*
 * The location suite definition: checks, workload defaults, options, and the
 * shared observation's lifetime.
 */
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "util/timeutil.h"

static const kp_check_def_t checks[] = {
    {.id = "location.broker-endpoints",
     .row = LOC_ROW,
     .title = "Every advertised broker and bootstrap address resolves inside the declared "
              "boundary; TLS certificates recorded",
     .fn = loc_check_broker_endpoints,
     .source = "suites/location/broker-endpoints.c",
     .pass_when = "every broker listed in any Metadata sample of the run and every bootstrap "
                  "address resolves only to addresses inside a declared cidr or host",
     .fail_when = "a broker or bootstrap address resolves to an address outside every declared "
                  "cidr and host (the reason names it and the rules)",
     .skip_when = "the target declares no deployment.boundary.cidrs or hosts",
     .error_when = "Metadata cannot be read, lists no broker, or an advertised host cannot be "
                   "resolved"},
    {.id = "location.client-paths",
     .row = LOC_ROW,
     .title = "The TCP peers the client really connected to are inside the declared boundary",
     .fn = loc_check_client_paths,
     .source = "suites/location/client-paths.c",
     .pass_when = "every peer address librdkafka's connect callback saw while producing to every "
                  "partition is inside a declared cidr or host, and the statistics show "
                  "successful connections",
     .fail_when = "the client connected a socket to an address outside the boundary (named with "
                  "its broker)",
     .skip_when = "the target declares no deployment.boundary.cidrs or hosts",
     .error_when = "the observation failed or no connection was seen"},
    {.id = "location.zones",
     .row = LOC_ROW,
     .title = "Broker racks are declared zones; each partition's replicas span the zones",
     .fn = loc_check_zones,
     .source = "suites/location/zones.c",
     .pass_when = "every broker's rack is one of deployment.zones and every partition's replicas "
                  "span min(replication factor, zones in use) zones",
     .fail_when = "a broker is in an undeclared rack or has none while others do, or a "
                  "partition's replicas share fewer zones than they could",
     .skip_when = "the target declares no deployment.zones or no broker reports a rack",
     .error_when = "metadata or broker configs cannot be read"},
    {.id = "location.kms",
     .row = LOC_ROW,
     .title = "The KMS key's region and account and the KMS endpoint are inside the boundary",
     .fn = loc_check_kms,
     .source = "suites/location/kms.c",
     .pass_when = "the key's ARN (DescribeKey) names a declared region and the declared account, "
                  "and the endpoint host is inside the boundary or an allowed endpoint, for "
                  "every rule the target declares",
     .fail_when = "the key is in another region or account, or the endpoint is outside the "
                  "boundary and not allowed (named)",
     .skip_when = "the target has no kms adapter or declares no boundary",
     .error_when = "DescribeKey fails or the endpoint host cannot be resolved"},
    {.id = "location.storage",
     .row = LOC_ROW,
     .title = "Where the durable bytes are: bucket region, owner, default encryption and public "
              "access, or the log directories' mounts and devices",
     .fn = loc_check_storage,
     .source = "suites/location/storage.c",
     .pass_when = "s3: the bucket is in a declared region, owned by the declared account (when "
                  "declared), encrypted by default with SSE-KMS under storage.expected_kms_key and "
                  "blocks public access; dir: every log directory's mount, filesystem and device "
                  "are recorded",
     .fail_when = "s3: the bucket is in another region or account, has no default encryption or "
                  "another key, or does not block public access (each named)",
     .skip_when = "the target has no storage adapter",
     .error_when = "the S3 API gives no answer, or no log directory exists"},
    {.id = "location.platform-egress",
     .row = LOC_ROW,
     .title = "The platform's own outbound connections (to storage, KMS, other brokers, anything "
              "else) stay inside the boundary",
     .fn = loc_check_platform_egress,
     .source = "suites/location/platform-egress.c",
     .pass_when = "every connection the control adapter's list_connections reports after the "
                  "suite's traffic goes to a peer inside a declared cidr or host or to an allowed "
                  "endpoint",
     .fail_when = "a process of the platform is connected to a peer outside the boundary (named "
                  "with the process)",
     .skip_when = "the control adapter cannot list connections, the target declares no boundary, "
                  "or the platform has no outbound connection",
     .error_when =
         "the command fails or prints a line that is not {\"process\",\"local\",\"peer\"}"},
};

static void defaults(kp_workload_cfg_t *w)
{
        w->partitions = 6;
        w->message_bytes = 64;
        w->rate = 100;
        w->duration_ns = 3 * KP_NS_PER_S;
}

static const loc_options_t default_opts = {
    .observe_ns = 2 * KP_NS_PER_S,
    .records_per_partition = 5,
};

const loc_options_t *loc_opts(const kp_ctx_t *ctx)
{
        return ctx->scfg->options ? ctx->scfg->options : &default_opts;
}

static void opts_free(void *p)
{
        loc_options_t *o = p;

        if (!o)
                return;
        kp_strv_free(o->topics, o->n_topics);
        free(o);
}

/* "options": {"observe": "2s", "records_per_partition": 5, "topics": ["orders"]} */
static int parse(kp_jv_t *jv, const cJSON *entry, kp_suite_cfg_t *cfg)
{
        const cJSON *o, *arr, *it;
        loc_options_t *lo;
        int64_t v;
        size_t m, i = 0;
        int r;

        if ((r = kp_jv_object(jv, entry, "options", 0, &o)) <= 0)
                return r;
        lo = calloc(1, sizeof(*lo));
        if (!lo)
                return kp_jv_fail_at(jv, "options", "out of memory");
        *lo = default_opts;
        cfg->options = lo;
        cfg->options_free = opts_free;
        m = kp_jv_push_key(jv, "options");
        if (kp_jv_duration(jv, o, "observe", 0, 0, 600 * KP_NS_PER_S, &lo->observe_ns) < 0)
                return -1;
        v = lo->records_per_partition;
        if (kp_jv_int(jv, o, "records_per_partition", 0, 1, 10000, &v) < 0)
                return -1;
        lo->records_per_partition = (int)v;
        if ((r = kp_jv_array(jv, o, "topics", 0, 1, &arr)) < 0)
                return -1;
        if (r == 1) {
                size_t mt = kp_jv_push_key(jv, "topics");
                lo->topics = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
                if (!lo->topics)
                        return kp_jv_fail(jv, "out of memory");
                cJSON_ArrayForEach(it, arr)
                {
                        size_t mi = kp_jv_push_index(jv, i);
                        if (!cJSON_IsString(it) || !*it->valuestring)
                                return kp_jv_expected(jv, NULL, it, "a topic name");
                        if (!(lo->topics[i] = strdup(it->valuestring)))
                                return kp_jv_fail(jv, "out of memory");
                        lo->n_topics = ++i;
                        kp_jv_pop(jv, mi);
                }
                kp_jv_pop(jv, mt);
        }
        if (kp_jv_no_unknown(jv, o) < 0)
                return -1;
        kp_jv_pop(jv, m);
        return 1;
}

static int setup(kp_ctx_t *ctx, kp_err_t *err)
{
        loc_state_t *st = calloc(1, sizeof(*st));

        if (!st)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        ctx->suite_state = st;
        return 0;
}

static void teardown(kp_ctx_t *ctx)
{
        loc_state_t *st = ctx->suite_state;
        kp_err_t err = {0};

        if (!st)
                return;
        if (st->topic_created)
                kp_platform_delete_topic(ctx->plat, st->topic, &err);
        kp_topo_client_free(st->topo_cl);
        kp_netobs_free(st->obs);
        free(st);
        ctx->suite_state = NULL;
}

const kp_suite_def_t kp_suite_location = {
    .name = "location",
    .title = "Data-plane location",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .workload_defaults = defaults,
    .parse = parse,
    .setup = setup,
    .teardown = teardown,
};
