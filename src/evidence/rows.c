#include "evidence/rows.h"

#include <string.h>

const kp_row_t kp_rows[] = {
    {"key-authority", "Key authority",
     "Which key protects durable data, who controls its policy and rotation, and what happens "
     "when it is revoked?"},
    {"data-plane-location", "Data-plane location",
     "Do brokers, storage and network paths stay inside the declared boundary?"},
    {"kafka-semantics", "Kafka semantics",
     "Do producers, consumers, offsets, transactions and tooling behave as Kafka clients expect?"},
    {"scaling-behavior", "Scaling behavior",
     "Does adding capacity move data or only metadata, how long does it take, what disruption?"},
    {"recovery-behavior", "Recovery behavior",
     "After broker or zone loss: was acknowledged data lost or duplicated, how long unavailable?"},
    {"cost-model", "Cost model",
     "What does this platform cost for this workload, by driver (compute, storage, WAL, requests, "
     "network, KMS)?"},
    {"migration-rollback", "Migration and rollback",
     "Can data and consumer progress move in and back out with offsets preserved?"},
    {"observability", "Observability",
     "Can the operator prove key usage, storage access and admin changes?"},
};

const size_t kp_n_rows = sizeof(kp_rows) / sizeof(kp_rows[0]);

const kp_row_t *kp_row_find(const char *id)
{
        size_t i;

        for (i = 0; i < kp_n_rows; i++)
                if (strcmp(kp_rows[i].id, id) == 0)
                        return &kp_rows[i];
        return NULL;
}
