/*
 * apiversions: what a broker says about its own software — the Kafka
 * ApiVersions request (key 18) sent over a plain socket, because librdkafka
 * keeps the broker's answer to itself.
 *
 * The answer is the range of versions per API the broker serves and, from
 * v3 on, the features it supports and the feature levels the cluster has
 * finalized (metadata.version, kraft.version, ...): the closest the protocol
 * comes to naming the broker's release. kproof records it as the platform's
 * identity; it never decides a verdict from it.
 *
 * The probe speaks PLAINTEXT (also before SASL authentication, which Kafka
 * allows for ApiVersions); a TLS listener is reported as not queried.
 */
#ifndef KP_APIVERSIONS_H
#define KP_APIVERSIONS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/err.h"
#include "util/kvlist.h"

#define KP_APIVERSIONS_MAX_APIS     256
#define KP_APIVERSIONS_MAX_FEATURES 32

typedef struct kp_api_range {
        int16_t key, min, max;
} kp_api_range_t;

typedef struct kp_feature {
        char name[64];
        int16_t min, max; /* finalized features: min and max version level */
} kp_feature_t;

typedef struct kp_apiversions {
        int32_t correlation_id;
        int version;        /* the response version parsed (the request's) */
        int16_t error_code; /* 0, or the broker's error (35: version unsupported) */
        size_t n_apis;
        kp_api_range_t apis[KP_APIVERSIONS_MAX_APIS];
        size_t n_supported, n_finalized;
        kp_feature_t supported[KP_APIVERSIONS_MAX_FEATURES];
        kp_feature_t finalized[KP_APIVERSIONS_MAX_FEATURES];
        int64_t finalized_epoch; /* -1 when not sent */
} kp_apiversions_t;

/* Writes an ApiVersions request frame (size prefix included) of version 0
 * or 3 into out; returns its length, 0 when out is too small. */
size_t kp_apiversions_request(uint8_t *out, size_t size, int version, int32_t correlation_id,
                              const char *client_id);

/* Parses a response frame without its size prefix (correlation id, then the
 * body) to a request of request_version (0 or 3). A broker that does not
 * serve that version answers error 35 (UNSUPPORTED_VERSION); its ranges are
 * then not parsed (Kafka writes them in the v0 layout, librdkafka's mock
 * cluster in another) and the caller asks again in v0. -1 with err naming
 * the byte offset on malformed input. */
int kp_apiversions_parse(const uint8_t *buf, size_t len, int request_version, kp_apiversions_t *out,
                         kp_err_t *err);

/* Asks one broker ("host:port") within timeout_ms: v3, then v0 when the
 * broker does not serve v3. KP_EINFRA when it cannot be reached. */
int kp_apiversions_query(const char *endpoint, int timeout_ms, kp_apiversions_t *out,
                         kp_err_t *err);

/* The API's protocol name ("Produce", "Fetch", ...), "Api<key>" when unknown. */
const char *kp_api_name(int key, char *buf, size_t size);

/* One line: the number of APIs, the ranges of the main ones and the
 * finalized feature levels, e.g. "74 APIs; Produce v3-13, Fetch v4-18, ...;
 * finalized metadata.version=27". */
void kp_apiversions_summary(const kp_apiversions_t *av, char *out, size_t size);

/* The answer as JSON: request_version, error_code, summary, apis [{key,
 * name, min, max}], supported_features, finalized_features, finalized_epoch. */
cJSON *kp_apiversions_json(const kp_apiversions_t *av);

/* Whether the raw probe can speak to a target with these client
 * properties; NULL if so, else why not (a TLS listener). */
const char *kp_apiversions_unsupported(const kp_kvlist_t *props);

#endif
