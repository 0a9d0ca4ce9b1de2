#include "registry.h"

#include "semantics/semantics.h"
#include "failover/failover.h"

static const kp_suite_def_t *const all[] = {
    &kp_suite_semantics,
    &kp_suite_failover,
};

const kp_suite_catalog_t kp_builtin_suites = {all, sizeof(all) / sizeof(all[0])};
