#include "platform/identity.h"

#include <stdio.h>
#include <stdlib.h>

#include "platform/apiversions.h"
#include "platform/kafka.h"
#include "util/log.h"

cJSON *kp_identity_collect(const kp_kvlist_t *props, int timeout_ms, kp_err_t *err)
{
        kp_kafka_cluster_info_t *info = calloc(1, sizeof(*info));
        kp_apiversions_t *av = calloc(1, sizeof(*av));
        const char *no_probe = kp_apiversions_unsupported(props);
        cJSON *o = NULL, *brokers;
        int i;

        if (!info || !av) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        if (kp_kafka_cluster_info(props, timeout_ms, info, err) < 0)
                goto out;
        o = cJSON_CreateObject();
        if (info->cluster_id[0])
                cJSON_AddStringToObject(o, "cluster_id", info->cluster_id);
        else
                cJSON_AddNullToObject(o, "cluster_id");
        cJSON_AddNumberToObject(o, "controller_id", info->controller_id);
        cJSON_AddNumberToObject(o, "broker_count", info->brokers);
        brokers = cJSON_AddArrayToObject(o, "brokers");
        for (i = 0; i < info->brokers && i < 64; i++) {
                cJSON *b = cJSON_CreateObject();
                kp_err_t perr;
                cJSON_AddNumberToObject(b, "id", info->broker_ids[i]);
                cJSON_AddStringToObject(b, "endpoint", info->broker_hosts[i]);
                if (no_probe) {
                        cJSON_AddStringToObject(b, "api_versions_error", no_probe);
                } else if (kp_apiversions_query(info->broker_hosts[i], timeout_ms, av, &perr) < 0) {
                        cJSON_AddStringToObject(b, "api_versions_error", perr.msg);
                        kp_warn("platform identity: broker %d: %s", info->broker_ids[i], perr.msg);
                } else {
                        cJSON_AddItemToObject(b, "api_versions", kp_apiversions_json(av));
                }
                cJSON_AddItemToArray(brokers, b);
        }
out:
        free(info);
        free(av);
        return o;
}
