/*
 * observability.admin-audit: kproof makes marked administrative changes —
 * creates a uniquely named topic, alters one of its configs, creates and
 * deletes an ACL (where the platform has ACLs), deletes the topic — and
 * finds each in the target's admin audit source with its principal and
 * time. The audit delay of an action is the time from its completion until
 * kproof's first read of the source that showed it (reads every 250 ms).
 */
#include <stdio.h>
#include <string.h>

#include "observability.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

enum { A_CREATE, A_ALTER, A_ACL_ADD, A_ACL_DEL, A_DELETE, A_N };

/* Waits after each action: a short one, so a trail that is slow or silent
 * costs one `wait` in total and not one per action. */
#define OBS_STEP_WAIT_NS (5 * KP_NS_PER_S)

void obs_check_admin_audit(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_target_t *t = ctx->plat->target;
        const kp_audit_source_cfg_t *src = kp_audit_source_of_kind(t, KP_AUDIT_ADMIN);
        const obs_options_t *o = obs_opts(ctx);
        obs_expect_t x[A_N];
        kp_kvlist_t props = {0};
        char topic[256], who[160], probe[64], msg[512], missing[256];
        int64_t step = o->wait_ns < OBS_STEP_WAIT_NS ? o->wait_ns : OBS_STEP_WAIT_NS;
        int created = 0, i, rc, no_acl = 0;
        kp_err_t err = {0};

        if (!src) {
                kp_check_skip(c, "the target declares no audit source of kind admin "
                                 "(audit.sources)");
                return;
        }
        if (ctx->plat->no_admin_api) {
                kp_check_skip(c, "%s", ctx->plat->no_admin_api);
                return;
        }
        obs_props(ctx, NULL, &props);
        kp_audit_principal_of(&props, who, sizeof(who));
        kp_ctx_topic(ctx, "audit", topic, sizeof(topic));
        snprintf(probe, sizeof(probe), "User:kproof-audit-probe");
        memset(x, 0, sizeof(x));
        x[A_CREATE] = (obs_expect_t){.label = "create-topic",
                                     .actions = {"CreateTopics", "CreateTopic"},
                                     .hint = topic,
                                     .cluster_ok = 1};
        x[A_ALTER] = (obs_expect_t){
            .label = "alter-config",
            .actions = {"AlterConfigs", "IncrementalAlterConfigs", "UpdateTopicConfig"},
            .hint = topic};
        x[A_ACL_ADD] = (obs_expect_t){.label = "create-acl",
                                      .actions = {"CreateAcls", "CreateAcl"},
                                      .hint = topic,
                                      .cluster_ok = 1};
        x[A_ACL_DEL] = (obs_expect_t){.label = "delete-acl",
                                      .actions = {"DeleteAcls", "DeleteAcl"},
                                      .hint = topic,
                                      .cluster_ok = 1};
        x[A_DELETE] = (obs_expect_t){.label = "delete-topic",
                                     .actions = {"DeleteTopics", "DeleteTopic"},
                                     .hint = topic,
                                     .cluster_ok = 1};
        for (i = 0; i < A_N; i++) {
                x[i].outcome = "allowed";
                snprintf(x[i].principal, sizeof(x[i].principal), "%s", who);
        }
        kp_check_note(c, "audit source %s (%s, %s); kproof acts as %s on topic %s", src->name,
                      kp_audit_format_names[src->format], src->exec ? "exec" : "file",
                      who[0] ? who : "an unnamed principal (any non-empty principal matches)",
                      topic);

        for (i = 0; i < A_N; i++) {
                x[i].start_ns = kp_wall_ns();
                switch (i) {
                case A_CREATE:
                        rc = obs_create_topic(&props, topic, msg, sizeof(msg));
                        created = rc == 0;
                        break;
                case A_ALTER:
                        rc = obs_alter_topic_config(&props, topic, "retention.ms", "3600000", msg,
                                                    sizeof(msg));
                        break;
                case A_ACL_ADD:
                case A_ACL_DEL:
                        if (no_acl) {
                                rc = 0;
                                break;
                        }
                        rc = obs_acl(&props, i == A_ACL_ADD, topic, probe, msg, sizeof(msg));
                        if (rc == RD_KAFKA_RESP_ERR_SECURITY_DISABLED && i == A_ACL_ADD) {
                                no_acl = 1;
                                kp_check_note(c,
                                              "the platform has no ACLs (%s): the ACL actions "
                                              "were not performed",
                                              msg);
                                rc = 0;
                        }
                        break;
                default: {
                        kp_err_t e2 = {0};
                        rc = kp_platform_delete_topic(ctx->plat, topic, &e2) < 0 ? -1 : 0;
                        if (rc)
                                snprintf(msg, sizeof(msg), "delete topic: %s", e2.msg);
                        else
                                created = 0;
                } break;
                }
                x[i].end_ns = kp_wall_ns();
                x[i].active = !((i == A_ACL_ADD || i == A_ACL_DEL) && no_acl);
                if (rc != 0) {
                        kp_check_error(c, "kproof could not perform %s as %s: %s", x[i].label,
                                       who[0] ? who : "the target's principal", msg);
                        goto out;
                }
                if (x[i].active &&
                    obs_trail_poll(ctx, src, x, (size_t)i + 1, x[i].end_ns + step, &err) < 0) {
                        kp_check_error(c, "%s", err.msg);
                        goto out;
                }
        }
        if (obs_trail_poll(ctx, src, x, A_N, x[A_N - 1].end_ns + o->wait_ns, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        obs_report(c, src, x, A_N, missing, sizeof(missing));
        if (missing[0])
                kp_check_fail(
                    c, "audit source %s does not show these admin actions of %s within %.0f s: %s",
                    src->name, who[0] ? who : "kproof", (double)o->wait_ns / KP_NS_PER_S, missing);
        else
                kp_check_pass(c,
                              "every admin action of %s appears in audit source %s with its "
                              "principal and time",
                              who[0] ? who : "kproof", src->name);
out:
        if (created) {
                kp_err_t e2 = {0};
                kp_platform_delete_topic(ctx->plat, topic, &e2);
        }
        kp_kvlist_clear(&props);
}
