/*
 * registry: the suites built into this kproof. The CLI hands this catalog
 * to the scenario loader and the runner; the core never names a suite.
 */
#ifndef KP_SUITES_REGISTRY_H
#define KP_SUITES_REGISTRY_H

#include "evidence/suite.h"

extern const kp_suite_catalog_t kp_builtin_suites;

#endif
