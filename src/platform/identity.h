/*
 * identity: who the platform under test says it is, for the report's first
 * page — cluster id, controller, brokers with their endpoints and, per
 * broker, its ApiVersions answer (apiversions.h). Facts only: nothing here
 * decides a verdict, and a broker that cannot be asked is recorded with the
 * reason, never left out silently.
 */
#ifndef KP_IDENTITY_H
#define KP_IDENTITY_H

#include <cjson/cJSON.h>

#include "util/err.h"
#include "util/kvlist.h"

/* The platform's identity as run.platform (see docs/reports.md): metadata
 * within timeout_ms, then one ApiVersions probe per broker. Returns a new
 * object (free with cJSON_Delete), or NULL with err set when the cluster
 * gives no metadata. */
cJSON *kp_identity_collect(const kp_kvlist_t *props, int timeout_ms, kp_err_t *err);

#endif
