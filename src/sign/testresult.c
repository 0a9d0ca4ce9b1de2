#include "sign/testresult.h"

#include "evidence/verdict.h"

static const cJSON *item(const cJSON *o, const char *key)
{
        return cJSON_GetObjectItemCaseSensitive(o, key);
}

static int inum(const cJSON *o, const char *key, int dflt)
{
        const cJSON *v = item(o, key);

        return cJSON_IsNumber(v) ? v->valueint : dflt;
}

/* One configuration file (run.scenario or run.target) as a
 * ResourceDescriptor; nothing when evidence.json does not describe it. */
static void add_config(cJSON *arr, const cJSON *run, const char *role)
{
        const cJSON *f = item(run, role), *path = item(f, "path"), *name = item(f, "name"),
                    *sha = item(f, "sha256");
        cJSON *rd, *o;

        if (!cJSON_IsObject(f))
                return;
        rd = cJSON_CreateObject();
        if (!rd)
                return;
        if (cJSON_IsString(path))
                cJSON_AddStringToObject(rd, "name", path->valuestring);
        else if (cJSON_IsString(name))
                cJSON_AddStringToObject(rd, "name", name->valuestring);
        if (cJSON_IsString(sha)) {
                o = cJSON_AddObjectToObject(rd, "digest");
                cJSON_AddStringToObject(o, "sha256", sha->valuestring);
        }
        o = cJSON_AddObjectToObject(rd, "annotations");
        cJSON_AddStringToObject(o, "role", role);
        if (cJSON_IsString(name))
                cJSON_AddStringToObject(o, "name", name->valuestring);
        cJSON_AddItemToArray(arr, rd);
}

cJSON *kp_testresult_predicate(const cJSON *ev)
{
        static const char *const lists[] = {"passedTests", "warnedTests", "failedTests"};
        const cJSON *run = item(ev, "run"), *sum = item(ev, "summary"), *c;
        cJSON *pred = cJSON_CreateObject(), *arr[3], *config;
        kp_tally_t t = {0};
        kp_test_result_t r;
        size_t i;

        if (!pred)
                return NULL;
        /* Field order as in the spec: result, configuration, then the lists. */
        cJSON_AddStringToObject(pred, "result", "");
        config = cJSON_AddArrayToObject(pred, "configuration");
        add_config(config, run, "scenario");
        add_config(config, run, "target");
        for (i = 0; i < 3; i++)
                arr[i] = cJSON_AddArrayToObject(pred, lists[i]);
        cJSON_ArrayForEach(c, item(ev, "checks"))
        {
                const cJSON *id = item(c, "id"), *verdict = item(c, "verdict");
                kp_verdict_t v = KP_VERDICT_NONE;
                if (cJSON_IsString(verdict))
                        kp_verdict_parse(verdict->valuestring, &v);
                kp_tally_add(&t, v);
                cJSON_AddItemToArray(arr[kp_verdict_test_of_check(v)],
                                     cJSON_CreateString(cJSON_IsString(id) ? id->valuestring : ""));
        }
        /* An evidence.json without an exit code proves nothing: FAILED. */
        r = kp_verdict_test_result(inum(sum, "exit_code", -1), &t,
                                   inum(sum, "gates_not_evaluated", 0));
        cJSON_ReplaceItemInObjectCaseSensitive(pred, "result",
                                               cJSON_CreateString(kp_test_result_name(r)));
        return pred;
}
