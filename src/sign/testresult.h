/*
 * testresult: the predicate of a run's in-toto test-result attestation
 * (predicateType https://in-toto.io/attestation/test-result/v0.1), computed
 * from the run's evidence.json alone, so `kproof verify` can recompute it
 * and hold the signed one to the evidence.
 *
 * The predicate has the spec's fields only: result (PASSED, WARNED or
 * FAILED, by kp_verdict_test_result from the run's exit code, check
 * verdicts and gates), configuration (the scenario and the target file as
 * in-toto ResourceDescriptors: name = the path the run was given, digest
 * sha256, annotations role and name), passedTests, warnedTests and
 * failedTests (check ids, in the run's order; kp_verdict_test_of_check
 * says which list). No url: a run directory has no canonical address.
 * The caller owns the result; free it with cJSON_Delete().
 */
#ifndef KP_TESTRESULT_H
#define KP_TESTRESULT_H

#include <cjson/cJSON.h>

#define KP_TESTRESULT_PREDICATE_TYPE "https://in-toto.io/attestation/test-result/v0.1"

/* The predicate of the run whose parsed evidence.json is ev. A NULL or
 * malformed ev gives result FAILED with empty lists. NULL when out of
 * memory. */
cJSON *kp_testresult_predicate(const cJSON *ev);

#endif
