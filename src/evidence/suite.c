#include "evidence/suite.h"

#include <fnmatch.h>
#include <string.h>

const kp_suite_def_t *kp_suite_find(const kp_suite_catalog_t *cat, const char *name)
{
        size_t i;

        for (i = 0; cat && i < cat->n; i++)
                if (strcmp(cat->suites[i]->name, name) == 0)
                        return cat->suites[i];
        return NULL;
}

const kp_check_def_t *kp_suite_check(const kp_suite_def_t *s, const char *check_id)
{
        size_t i;

        for (i = 0; i < s->n_checks; i++)
                if (strcmp(s->checks[i].id, check_id) == 0)
                        return &s->checks[i];
        return NULL;
}

const kp_gate_def_t *kp_suite_gate(const kp_suite_def_t *s, const char *gate_name)
{
        size_t i;

        for (i = 0; i < s->n_gates; i++)
                if (strcmp(s->gates[i].name, gate_name) == 0)
                        return &s->gates[i];
        return NULL;
}

const kp_measure_def_t *kp_suite_measure(const kp_suite_def_t *s, const char *name)
{
        size_t i;

        for (i = 0; i < s->n_measurements; i++)
                if (strcmp(s->measurements[i].name, name) == 0)
                        return &s->measurements[i];
        for (i = 0; i < s->n_measurements; i++)
                if (fnmatch(s->measurements[i].name, name, 0) == 0)
                        return &s->measurements[i];
        return NULL;
}

const char *kp_better_name(kp_better_t b)
{
        return b == KP_BETTER_LOWER ? "lower" : b == KP_BETTER_HIGHER ? "higher" : "none";
}
