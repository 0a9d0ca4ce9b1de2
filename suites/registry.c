#include "registry.h"

#include "revocation/revocation.h"
#include "semantics/semantics.h"
#include "failover/failover.h"
#include "scaling/scaling.h"
#include "cost/cost.h"
#include "location/location.h"
#include "observability/observability.h"
#include "migration/migration.h"

static const kp_suite_def_t *const all[] = {
    &kp_suite_semantics, &kp_suite_revocation, &kp_suite_failover,      &kp_suite_scaling,
    &kp_suite_cost,      &kp_suite_location,   &kp_suite_observability, &kp_suite_migration,
};

const kp_suite_catalog_t kp_builtin_suites = {all, sizeof(all) / sizeof(all[0])};
