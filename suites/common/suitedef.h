/*
 * suites/common/suitedef: what the builtin suites' definitions
 * (kp_suite_def_t, evidence/suite.h) share. It knows no suite.
 */
#ifndef KP_SUITES_COMMON_SUITEDEF_H
#define KP_SUITES_COMMON_SUITEDEF_H

#include "evidence/suite.h"

/* The number of rows of a static table. */
#define KP_SUITE_ROWS(table) (sizeof(table) / sizeof((table)[0]))

/* A static table of a suite file and its row count, as the designated
 * initializers of a kp_suite_def_t pointer and count pair:
 * KP_SUITE_TABLE(gates, gates) sets .gates and .n_gates. */
#define KP_SUITE_TABLE(field, table) .field = (table), .n_##field = KP_SUITE_ROWS(table)

/* The errors of a check that talks to the platform through a Kafka client:
 * the end of its error_when text (kp_check_def_t), alone or after the
 * check's own causes. */
#define KP_ERROR_WHEN_CALLS                                                                        \
        "a topic or client could not be created, a call failed outright (not a refusal the check " \
        "tests for) or the platform stopped answering"

#endif
