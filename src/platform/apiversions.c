#include "platform/apiversions.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/timeutil.h"

#define RESPONSE_LIMIT          ((size_t)1 << 20)
#define ERR_UNSUPPORTED_VERSION 35

/* Protocol names of the API keys, from the Kafka protocol guide. */
static const char *const api_names[] = {"Produce",
                                        "Fetch",
                                        "ListOffsets",
                                        "Metadata",
                                        "LeaderAndIsr",
                                        "StopReplica",
                                        "UpdateMetadata",
                                        "ControlledShutdown",
                                        "OffsetCommit",
                                        "OffsetFetch",
                                        "FindCoordinator",
                                        "JoinGroup",
                                        "Heartbeat",
                                        "LeaveGroup",
                                        "SyncGroup",
                                        "DescribeGroups",
                                        "ListGroups",
                                        "SaslHandshake",
                                        "ApiVersions",
                                        "CreateTopics",
                                        "DeleteTopics",
                                        "DeleteRecords",
                                        "InitProducerId",
                                        "OffsetForLeaderEpoch",
                                        "AddPartitionsToTxn",
                                        "AddOffsetsToTxn",
                                        "EndTxn",
                                        "WriteTxnMarkers",
                                        "TxnOffsetCommit",
                                        "DescribeAcls",
                                        "CreateAcls",
                                        "DeleteAcls",
                                        "DescribeConfigs",
                                        "AlterConfigs",
                                        "AlterReplicaLogDirs",
                                        "DescribeLogDirs",
                                        "SaslAuthenticate",
                                        "CreatePartitions",
                                        "CreateDelegationToken",
                                        "RenewDelegationToken",
                                        "ExpireDelegationToken",
                                        "DescribeDelegationToken",
                                        "DeleteGroups",
                                        "ElectLeaders",
                                        "IncrementalAlterConfigs",
                                        "AlterPartitionReassignments",
                                        "ListPartitionReassignments",
                                        "OffsetDelete",
                                        "DescribeClientQuotas",
                                        "AlterClientQuotas",
                                        "DescribeUserScramCredentials",
                                        "AlterUserScramCredentials",
                                        "Vote",
                                        "BeginQuorumEpoch",
                                        "EndQuorumEpoch",
                                        "DescribeQuorum",
                                        "AlterPartition",
                                        "UpdateFeatures",
                                        "Envelope",
                                        "FetchSnapshot",
                                        "DescribeCluster",
                                        "DescribeProducers",
                                        "BrokerRegistration",
                                        "BrokerHeartbeat",
                                        "UnregisterBroker",
                                        "DescribeTransactions",
                                        "ListTransactions",
                                        "AllocateProducerIds",
                                        "ConsumerGroupHeartbeat",
                                        "ConsumerGroupDescribe",
                                        "ControllerRegistration",
                                        "GetTelemetrySubscriptions",
                                        "PushTelemetry",
                                        "AssignReplicasToDirs"};

/* The APIs a client depends on most, in the one-line summary. */
static const int summary_keys[] = {0, 1, 2, 3, 8, 10, 11, 22, 26, 32, 68};

const char *kp_api_name(int key, char *buf, size_t size)
{
        if (key >= 0 && (size_t)key < sizeof(api_names) / sizeof(api_names[0]))
                return api_names[key];
        snprintf(buf, size, "Api%d", key);
        return buf;
}

/* A bounded reader over the response bytes; the first overrun sets bad. */
typedef struct rd {
        const uint8_t *p;
        size_t len, pos;
        int bad;
} rd_t;

static int need(rd_t *r, size_t n)
{
        if (r->bad || r->len - r->pos < n) {
                r->bad = 1;
                return 0;
        }
        return 1;
}

static int64_t be(rd_t *r, size_t n)
{
        uint64_t v = 0;
        size_t i;

        if (!need(r, n))
                return 0;
        for (i = 0; i < n; i++)
                v = v << 8 | r->p[r->pos + i];
        r->pos += n;
        if (n == 2)
                return (int16_t)v;
        if (n == 4)
                return (int32_t)v;
        return (int64_t)v;
}

static uint64_t uvarint(rd_t *r)
{
        uint64_t v = 0;
        int shift;

        for (shift = 0; shift < 64; shift += 7) {
                uint8_t b;
                if (!need(r, 1))
                        return 0;
                b = r->p[r->pos++];
                v |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80))
                        return v;
        }
        r->bad = 1;
        return 0;
}

static void skip(rd_t *r, uint64_t n)
{
        if (n > r->len - r->pos) {
                r->bad = 1;
                return;
        }
        r->pos += (size_t)n;
}

/* Skips a tagged-field section. */
static void skip_tags(rd_t *r)
{
        uint64_t n = uvarint(r), i;

        for (i = 0; i < n && !r->bad; i++) {
                uvarint(r);
                skip(r, uvarint(r));
        }
}

static void compact_string(rd_t *r, char *out, size_t size)
{
        uint64_t n = uvarint(r);
        size_t len;

        out[0] = '\0';
        if (n == 0 || r->bad)
                return; /* null */
        len = (size_t)(n - 1);
        if (!need(r, len))
                return;
        snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1),
                 (const char *)r->p + r->pos);
        r->pos += len;
}

/* A compact array of features (tag 0: name, min, max; tag 2: name, max
 * level, min level), each with its own tagged fields. */
static void features(rd_t *r, kp_feature_t *out, size_t *n_out, int finalized)
{
        uint64_t n = uvarint(r), i;

        *n_out = 0;
        if (n == 0)
                return;
        for (i = 0; i < n - 1 && !r->bad; i++) {
                kp_feature_t f;
                int16_t a, b;
                compact_string(r, f.name, sizeof(f.name));
                a = (int16_t)be(r, 2);
                b = (int16_t)be(r, 2);
                f.min = finalized ? b : a;
                f.max = finalized ? a : b;
                skip_tags(r);
                if (!r->bad && *n_out < KP_APIVERSIONS_MAX_FEATURES)
                        out[(*n_out)++] = f;
        }
}

int kp_apiversions_parse(const uint8_t *buf, size_t len, int request_version, kp_apiversions_t *out,
                         kp_err_t *err)
{
        rd_t r = {.p = buf, .len = len};
        int flexible;
        uint64_t n, i;

        memset(out, 0, sizeof(*out));
        out->finalized_epoch = -1;
        out->correlation_id = (int32_t)be(&r, 4);
        out->error_code = (int16_t)be(&r, 2);
        out->version = request_version;
        if (!r.bad && out->error_code == ERR_UNSUPPORTED_VERSION && request_version > 0)
                return 0; /* the body's layout varies by implementation: ask v0 */
        flexible = out->version >= 3;
        if (flexible) {
                n = uvarint(&r);
                n = n ? n - 1 : 0;
        } else {
                int64_t s = be(&r, 4);
                n = s < 0 ? 0 : (uint64_t)s;
        }
        if (!r.bad && n > (r.len - r.pos) / 6)
                r.bad = 1; /* more entries claimed than bytes left */
        for (i = 0; i < n && !r.bad; i++) {
                kp_api_range_t a;
                a.key = (int16_t)be(&r, 2);
                a.min = (int16_t)be(&r, 2);
                a.max = (int16_t)be(&r, 2);
                if (flexible)
                        skip_tags(&r);
                if (!r.bad && out->n_apis < KP_APIVERSIONS_MAX_APIS)
                        out->apis[out->n_apis++] = a;
        }
        if (out->version >= 1)
                be(&r, 4); /* throttle_time_ms */
        if (flexible && !r.bad) {
                uint64_t tags = uvarint(&r), t;
                for (t = 0; t < tags && !r.bad; t++) {
                        uint64_t tag = uvarint(&r), size = uvarint(&r);
                        size_t end = r.pos + (size_t)size;
                        if (r.bad || size > r.len - r.pos) {
                                r.bad = 1;
                                break;
                        }
                        if (tag == 0)
                                features(&r, out->supported, &out->n_supported, 0);
                        else if (tag == 1)
                                out->finalized_epoch = be(&r, 8);
                        else if (tag == 2)
                                features(&r, out->finalized, &out->n_finalized, 1);
                        if (!r.bad && r.pos > end)
                                r.bad = 1;
                        r.pos = r.bad ? r.pos : end;
                }
        }
        if (r.bad)
                return kp_err_set(err, KP_EIO,
                                  "ApiVersions v%d response: malformed or cut short at byte %zu "
                                  "of %zu",
                                  out->version, r.pos, len);
        return 0;
}

static void put16(uint8_t *p, int v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, int32_t v)
{
        p[0] = (uint8_t)((uint32_t)v >> 24);
        p[1] = (uint8_t)((uint32_t)v >> 16);
        p[2] = (uint8_t)((uint32_t)v >> 8);
        p[3] = (uint8_t)v;
}

size_t kp_apiversions_request(uint8_t *out, size_t size, int version, int32_t correlation_id,
                              const char *client_id)
{
        static const char sw_name[] = "kproof", sw_version[] = "1";
        size_t cid = strlen(client_id), n = 4;

        /* header: key, version, correlation id, client id (int16 string) */
        if (cid > 200 || size < 4 + 10 + cid + 2 + sizeof(sw_name) + sizeof(sw_version) + 2)
                return 0;
        put16(out + n, 18);
        put16(out + n + 2, version);
        put32(out + n + 4, correlation_id);
        put16(out + n + 8, (int)cid);
        memcpy(out + n + 10, client_id, cid);
        n += 10 + cid;
        if (version >= 3) {
                out[n++] = 0;                        /* header tagged fields */
                out[n++] = (uint8_t)sizeof(sw_name); /* compact string: length + 1 */
                memcpy(out + n, sw_name, sizeof(sw_name) - 1);
                n += sizeof(sw_name) - 1;
                out[n++] = (uint8_t)sizeof(sw_version);
                memcpy(out + n, sw_version, sizeof(sw_version) - 1);
                n += sizeof(sw_version) - 1;
                out[n++] = 0; /* body tagged fields */
        }
        put32(out, (int32_t)(n - 4));
        return n;
}

/* Splits "host:port" (or "[v6]:port"). */
static int split_endpoint(const char *ep, char *host, size_t hsize, char *port, size_t psize)
{
        const char *colon = strrchr(ep, ':');
        size_t hl;

        if (!colon || !colon[1])
                return -1;
        hl = (size_t)(colon - ep);
        if (hl >= 2 && ep[0] == '[' && ep[hl - 1] == ']') {
                ep++;
                hl -= 2;
        }
        if (hl == 0 || hl >= hsize || strlen(colon + 1) >= psize)
                return -1;
        memcpy(host, ep, hl);
        host[hl] = '\0';
        snprintf(port, psize, "%s", colon + 1);
        return 0;
}

static int wait_fd(int fd, short events, int64_t deadline)
{
        struct pollfd pfd = {.fd = fd, .events = events};
        int64_t left = (deadline - kp_mono_ns()) / KP_NS_PER_MS;
        int rc;

        if (left <= 0)
                return 0;
        do
                rc = poll(&pfd, 1, (int)left);
        while (rc < 0 && errno == EINTR);
        return rc > 0;
}

static int connect_to(const char *endpoint, int64_t deadline, kp_err_t *err)
{
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
        char host[256], port[16];
        int fd = -1, rc;

        if (split_endpoint(endpoint, host, sizeof(host), port, sizeof(port)) < 0)
                return kp_err_set(err, KP_EINFRA, "%s: not a host:port endpoint", endpoint);
        rc = getaddrinfo(host, port, &hints, &res);
        if (rc != 0)
                return kp_err_set(err, KP_EINFRA, "%s: %s", endpoint, gai_strerror(rc));
        for (ai = res; ai; ai = ai->ai_next) {
                int soerr = 0;
                socklen_t sl = sizeof(soerr);
                fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            ai->ai_protocol);
                if (fd < 0)
                        continue;
                if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
                    (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) &&
                     getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0))
                        break;
                close(fd);
                fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0)
                return kp_err_set(err, KP_EINFRA, "%s: cannot connect", endpoint);
        return fd;
}

static int send_all(int fd, const uint8_t *p, size_t n, int64_t deadline)
{
        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
                if (w > 0) {
                        p += w;
                        n -= (size_t)w;
                } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
                        if (!wait_fd(fd, POLLOUT, deadline))
                                return -1;
                } else {
                        return -1;
                }
        }
        return 0;
}

static int recv_all(int fd, uint8_t *p, size_t n, int64_t deadline)
{
        while (n > 0) {
                ssize_t r = recv(fd, p, n, 0);
                if (r > 0) {
                        p += r;
                        n -= (size_t)r;
                } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
                        if (!wait_fd(fd, POLLIN, deadline))
                                return -1;
                } else {
                        return -1; /* closed: e.g. a TLS listener or an old broker */
                }
        }
        return 0;
}

/* One request and its response on a fresh connection. */
static int ask(const char *endpoint, int version, int64_t deadline, kp_apiversions_t *out,
               kp_err_t *err)
{
        uint8_t req[256], hdr[4], *resp = NULL;
        size_t n = kp_apiversions_request(req, sizeof(req), version, 1, "kproof-apiversions");
        uint32_t size;
        int fd, rc = -1;

        fd = connect_to(endpoint, deadline, err);
        if (fd < 0)
                return -1;
        if (send_all(fd, req, n, deadline) < 0 || recv_all(fd, hdr, 4, deadline) < 0) {
                kp_err_set(err, KP_EINFRA, "%s: no ApiVersions v%d answer", endpoint, version);
                goto out;
        }
        size = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
        if (size < 6 || size > RESPONSE_LIMIT || !(resp = malloc(size))) {
                kp_err_set(err, KP_EIO, "%s: ApiVersions answer of %u bytes", endpoint, size);
                goto out;
        }
        if (recv_all(fd, resp, size, deadline) < 0) {
                kp_err_set(err, KP_EINFRA, "%s: ApiVersions answer cut short", endpoint);
                goto out;
        }
        rc = kp_apiversions_parse(resp, size, version, out, err);
        if (rc == 0 && out->correlation_id != 1)
                rc = kp_err_set(err, KP_EIO, "%s: ApiVersions answer to another request", endpoint);
out:
        free(resp);
        close(fd);
        return rc;
}

int kp_apiversions_query(const char *endpoint, int timeout_ms, kp_apiversions_t *out, kp_err_t *err)
{
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;

        if (ask(endpoint, 3, deadline, out, err) < 0)
                return -1;
        if (out->error_code == ERR_UNSUPPORTED_VERSION)
                return ask(endpoint, 0, deadline, out, err);
        return 0;
}

static const kp_api_range_t *find_api(const kp_apiversions_t *av, int key)
{
        size_t i;

        for (i = 0; i < av->n_apis; i++)
                if (av->apis[i].key == key)
                        return &av->apis[i];
        return NULL;
}

void kp_apiversions_summary(const kp_apiversions_t *av, char *out, size_t size)
{
        kp_buf_t b;
        size_t i;
        char nb[16];

        kp_buf_init(&b, 4096);
        kp_buf_printf(&b, "%zu APIs (v%d answer)", av->n_apis, av->version);
        if (av->error_code && av->error_code != ERR_UNSUPPORTED_VERSION)
                kp_buf_printf(&b, ", error %d", av->error_code);
        for (i = 0; i < sizeof(summary_keys) / sizeof(summary_keys[0]); i++) {
                const kp_api_range_t *a = find_api(av, summary_keys[i]);
                if (a)
                        kp_buf_printf(&b, "%s %s v%d-%d", i ? "," : ";",
                                      kp_api_name(a->key, nb, sizeof(nb)), a->min, a->max);
        }
        for (i = 0; i < av->n_finalized; i++)
                kp_buf_printf(&b, "%s %s=%d", i ? "," : "; finalized", av->finalized[i].name,
                              av->finalized[i].max);
        snprintf(out, size, "%s", kp_buf_cstr(&b));
        kp_buf_free(&b);
}

static cJSON *features_json(const kp_feature_t *f, size_t n, int finalized)
{
        cJSON *arr = cJSON_CreateArray();
        size_t i;

        for (i = 0; i < n; i++) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", f[i].name);
                cJSON_AddNumberToObject(o, finalized ? "min_level" : "min_version", f[i].min);
                cJSON_AddNumberToObject(o, finalized ? "max_level" : "max_version", f[i].max);
                cJSON_AddItemToArray(arr, o);
        }
        return arr;
}

cJSON *kp_apiversions_json(const kp_apiversions_t *av)
{
        cJSON *o = cJSON_CreateObject(), *apis;
        char line[1024], nb[16];
        size_t i;

        cJSON_AddNumberToObject(o, "response_version", av->version);
        cJSON_AddNumberToObject(o, "error_code", av->error_code);
        kp_apiversions_summary(av, line, sizeof(line));
        cJSON_AddStringToObject(o, "summary", line);
        apis = cJSON_AddArrayToObject(o, "apis");
        for (i = 0; i < av->n_apis; i++) {
                cJSON *a = cJSON_CreateObject();
                cJSON_AddNumberToObject(a, "key", av->apis[i].key);
                cJSON_AddStringToObject(a, "name", kp_api_name(av->apis[i].key, nb, sizeof(nb)));
                cJSON_AddNumberToObject(a, "min", av->apis[i].min);
                cJSON_AddNumberToObject(a, "max", av->apis[i].max);
                cJSON_AddItemToArray(apis, a);
        }
        if (av->version >= 3) {
                cJSON_AddItemToObject(o, "supported_features",
                                      features_json(av->supported, av->n_supported, 0));
                cJSON_AddItemToObject(o, "finalized_features",
                                      features_json(av->finalized, av->n_finalized, 1));
                if (av->finalized_epoch >= 0)
                        cJSON_AddNumberToObject(o, "finalized_epoch", (double)av->finalized_epoch);
        }
        return o;
}

const char *kp_apiversions_unsupported(const kp_kvlist_t *props)
{
        const char *sp = kp_kvlist_get(props, "security.protocol");

        if (sp && (strcasecmp(sp, "ssl") == 0 || strcasecmp(sp, "sasl_ssl") == 0))
                return "not queried: the listener speaks TLS (security.protocol) and the "
                       "ApiVersions probe speaks plaintext only";
        return NULL;
}
