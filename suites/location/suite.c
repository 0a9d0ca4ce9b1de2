/*
 * The location suite definition: checks, workload defaults, options, and the
 * shared observation's lifetime.
 */
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "suites/common/suitedef.h"
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

static const kp_option_def_t options[] = {
    {.name = "observe",
     .type = KP_OPTION_DURATION,
     .lo = 0,
     .hi = 600 * KP_NS_PER_S,
     .def = 2 * KP_NS_PER_S,
     .help = "how long metadata is sampled after producing"},
    {.name = "records_per_partition",
     .type = KP_OPTION_INT,
     .lo = 1,
     .hi = 10000,
     .def = 5,
     .help = "records produced to each partition"},
    {.name = "topics",
     .type = KP_OPTION_LIST,
     .lo = 1,
     .what = "a topic name",
     .help = "existing topics whose replica placement is checked too"},
};

const loc_options_t *loc_opts(const kp_ctx_t *ctx, loc_options_t *o)
{
        const kp_options_t *v = &ctx->scfg->options;

        o->observe_ns = kp_option_duration(v, "observe");
        o->records_per_partition = (int)kp_option_int(v, "records_per_partition");
        o->topics = kp_option_list(v, "topics", &o->n_topics);
        return o;
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

/* The measurements the checks record and which way is better (evidence.json
   "better"; the comparison page marks the best value). */
static const kp_measure_def_t measurements[] = {
    {"bootstrap_addresses", "addresses", KP_BETTER_NONE},
    {"bootstrap_outside", "addresses", KP_BETTER_LOWER},
    {"brokers_advertised", "brokers", KP_BETTER_NONE},
    {"brokers_connected", "brokers", KP_BETTER_NONE},
    {"brokers_outside", "brokers", KP_BETTER_LOWER},
    {"brokers_outside_zones", "brokers", KP_BETTER_LOWER},
    {"brokers_seen_later", "brokers", KP_BETTER_NONE},
    {"brokers_unresolved", "brokers", KP_BETTER_LOWER},
    {"brokers_without_rack", "brokers", KP_BETTER_LOWER},
    {"connect_calls", "connections", KP_BETTER_NONE},
    {"connections", "connections", KP_BETTER_NONE},
    {"connections_outside", "connections", KP_BETTER_LOWER},
    {"distinct_peers", "peers", KP_BETTER_NONE},
    {"log_dirs", "directories", KP_BETTER_NONE},
    {"log_dirs_on_dm_crypt", "directories", KP_BETTER_NONE},
    {"metadata_samples", "samples", KP_BETTER_NONE},
    {"partitions_checked", "partitions", KP_BETTER_NONE},
    {"partitions_underspread", "partitions", KP_BETTER_LOWER},
    {"peers", "addresses", KP_BETTER_NONE},
    {"peers_outside", "addresses", KP_BETTER_LOWER},
    {"records_acked", "records", KP_BETTER_NONE},
    {"rules_judged", "rules", KP_BETTER_NONE},
    {"rules_violated", "rules", KP_BETTER_LOWER},
    {"tls_certificates_recorded", "certificates", KP_BETTER_NONE},
    {"zones_declared", "zones", KP_BETTER_NONE},
    {"zones_in_use", "zones", KP_BETTER_NONE},
};

const kp_suite_def_t kp_suite_location = {
    .name = "location",
    .title = "Data-plane location",
    KP_SUITE_TABLE(checks, checks),
    KP_SUITE_TABLE(measurements, measurements),
    .workload_defaults = defaults,
    KP_SUITE_TABLE(options, options),
    .setup = setup,
    .teardown = teardown,
};
