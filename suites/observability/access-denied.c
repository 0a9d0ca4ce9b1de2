/*
 * observability.access-denied: a second principal the target declares as
 * unauthorized (principals.unauthorized, its own credentials) tries to
 * produce, consume, create a topic and alter a topic config. Each attempt
 * must be refused with an authorization error — one that succeeds is
 * access-control evidence against the platform — and each refusal must
 * appear in the admin audit source as a denied decision of that principal.
 *
 * The attempts use distinct resources so their audit events cannot be
 * mistaken for each other: produce and alter-config a topic P (told apart
 * by the config actions), consume topic C (which holds a record, so a
 * consume that works is seen) in a fresh group G, create topic N.
 */
#include <stdio.h>
#include <string.h>

#include "observability.h"
#include "platform/platform.h"
#include "util/timeutil.h"

enum { D_PRODUCE, D_CONSUME, D_CREATE, D_ALTER, D_N };

#define OBS_CONSUME_MS 15000

void obs_check_access_denied(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_target_t *t = ctx->plat->target;
        const kp_audit_source_cfg_t *src = kp_audit_source_of_kind(t, KP_AUDIT_ADMIN);
        const kp_kvlist_t *pp = kp_audit_principal(t, "unauthorized");
        const obs_options_t *o = obs_opts(ctx);
        kp_kvlist_t admin = {0}, intruder = {0};
        obs_expect_t x[D_N];
        char tp[256], tc[256], tn[256], group[256], who[160], msg[512], missing[256];
        char succeeded[256] = "", results[D_N][300];
        int made_p = 0, made_c = 0, made_n = 0, i, rc, n_ok = 0, n_refused = 0;
        size_t len = 0;
        kp_err_t err = {0};
        static const char *const config_actions[] = {"AlterConfigs", "IncrementalAlterConfigs",
                                                     "DescribeConfigs", "CreateTopics"};

        if (!pp) {
                kp_check_skip(c, "the target declares no principals.unauthorized (a principal "
                                 "with its own credentials that should be refused)");
                return;
        }
        if (!src) {
                kp_check_skip(c, "the target declares no audit source of kind admin "
                                 "(audit.sources): refusals could not be found in a trail");
                return;
        }
        if (ctx->plat->no_admin_api) {
                kp_check_skip(c, "%s", ctx->plat->no_admin_api);
                return;
        }
        obs_props(ctx, NULL, &admin);
        obs_props(ctx, pp, &intruder);
        kp_audit_principal_of(&intruder, who, sizeof(who));
        kp_ctx_topic(ctx, "denied-p", tp, sizeof(tp));
        kp_ctx_topic(ctx, "denied-c", tc, sizeof(tc));
        kp_ctx_topic(ctx, "denied-new", tn, sizeof(tn));
        kp_ctx_topic(ctx, "denied-group", group, sizeof(group));

        /* what the intruder will attack, made by the target's principal */
        if ((rc = obs_create_topic(&admin, tp, msg, sizeof(msg))) == 0)
                made_p = 1;
        if (rc == 0 && (rc = obs_create_topic(&admin, tc, msg, sizeof(msg))) == 0)
                made_c = 1;
        if (rc == 0)
                rc = obs_produce_one(&admin, tc, msg, sizeof(msg));
        if (rc != 0) {
                kp_check_error(c,
                               "kproof could not prepare the topics as the target's principal: "
                               "%s",
                               msg);
                goto out;
        }
        memset(x, 0, sizeof(x));
        x[D_PRODUCE] = (obs_expect_t){.label = "produce", .hint = tp};
        memcpy(x[D_PRODUCE].exclude, config_actions, sizeof(config_actions));
        x[D_CONSUME] = (obs_expect_t){.label = "consume", .hint = tc, .hint2 = group};
        x[D_CREATE] = (obs_expect_t){.label = "create-topic", .hint = tn};
        x[D_ALTER] = (obs_expect_t){.label = "alter-config",
                                    .actions = {"AlterConfigs", "IncrementalAlterConfigs"},
                                    .hint = tp};
        kp_check_note(c,
                      "audit source %s; unauthorized principal %s; topics %s (produce, "
                      "alter-config), %s (consume, group %s), %s (create)",
                      src->name, who[0] ? who : "(unnamed)", tp, tc, group, tn);
        for (i = 0; i < D_N; i++) {
                x[i].outcome = "denied";
                snprintf(x[i].principal, sizeof(x[i].principal), "%s", who);
                x[i].start_ns = kp_wall_ns();
                switch (i) {
                case D_PRODUCE:
                        rc = obs_produce_one(&intruder, tp, msg, sizeof(msg));
                        break;
                case D_CONSUME:
                        rc =
                            obs_consume_one(&intruder, tc, group, OBS_CONSUME_MS, msg, sizeof(msg));
                        break;
                case D_CREATE:
                        rc = obs_create_topic(&intruder, tn, msg, sizeof(msg));
                        made_n = rc == 0;
                        break;
                default:
                        rc = obs_alter_topic_config(&intruder, tp, "retention.ms", "7200000", msg,
                                                    sizeof(msg));
                        break;
                }
                x[i].end_ns = kp_wall_ns();
                if (rc == 0) {
                        n_ok++;
                        snprintf(results[i], sizeof(results[i]), "succeeded");
                        len += (size_t)snprintf(succeeded + len, sizeof(succeeded) - len, "%s%s",
                                                len ? ", " : "", x[i].label);
                        if (len >= sizeof(succeeded))
                                len = sizeof(succeeded) - 1;
                } else if (rc > 0 && obs_is_authz_error(rc)) {
                        n_refused++;
                        x[i].active = 1;
                        snprintf(results[i], sizeof(results[i]), "refused: %s", msg);
                } else {
                        kp_check_error(c,
                                       "the %s attempt of %s was neither refused with an "
                                       "authorization error nor did it succeed: %s",
                                       x[i].label, who[0] ? who : "the unauthorized principal",
                                       msg);
                        goto out;
                }
        }
        {
                static const char *const cols[] = {"attempt", "result"};
                kp_table_t *tb =
                    kp_check_table(c, "Attempts of the unauthorized principal", cols, 2);
                for (i = 0; i < D_N; i++) {
                        const char *cells[2] = {x[i].label, results[i]};
                        kp_table_row(tb, cells);
                }
        }
        kp_check_measure(c, "attempts_refused", n_refused, "attempts");
        kp_check_measure(c, "attempts_succeeded", n_ok, "attempts");
        if (obs_trail_poll(ctx, src, x, D_N, kp_wall_ns() + o->wait_ns, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        obs_report(c, src, x, D_N, missing, sizeof(missing));
        if (n_ok)
                kp_check_fail(c, "the unauthorized principal %s was not refused: %s succeeded%s%s",
                              who[0] ? who : "(unnamed)", succeeded,
                              missing[0] ? "; refusals missing from the audit trail: " : "",
                              missing);
        else if (missing[0])
                kp_check_fail(c,
                              "every attempt of %s was refused, but audit source %s does not "
                              "show these refusals within %.0f s: %s",
                              who[0] ? who : "(unnamed)", src->name,
                              (double)o->wait_ns / KP_NS_PER_S, missing);
        else
                kp_check_pass(c,
                              "%s was refused produce, consume, create-topic and alter-config "
                              "with authorization errors, and audit source %s shows each "
                              "refusal",
                              who[0] ? who : "the unauthorized principal", src->name);
out : {
        kp_err_t e2 = {0};
        if (made_p)
                kp_platform_delete_topic(ctx->plat, tp, &e2);
        if (made_c)
                kp_platform_delete_topic(ctx->plat, tc, &e2);
        if (made_n)
                kp_platform_delete_topic(ctx->plat, tn, &e2);
}
        kp_kvlist_clear(&admin);
        kp_kvlist_clear(&intruder);
}
