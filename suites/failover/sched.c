/*
 * Over 600 lines: every fault action's apply and heal sits beside the others so the journal and
 * heal paths stay symmetric.
 *
 * The fault scheduler: applies the scenario's faults at their times through
 * the control adapter and heals them after heal_after, recording when each
 * step began and ended. Whatever a fault took down is remembered until it is
 * healed, so fo_sched_restore() can undo it at the end of the check or after
 * an interrupt; every control action is journaled as an event before it is
 * sent (control.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "platform/kafka.h"
#include "util/log.h"
#include "platform/platform.h"
#include "util/progress.h"
#include "util/signals.h"
#include "util/timeutil.h"

typedef struct step {
        int64_t at_ns;
        size_t run;
        int heal;
} step_t;

/* The control operations a fault needs. */
static int fault_ops(const kp_fault_t *f, kp_ctl_op_t *ops)
{
        switch (f->action) {
        case KP_FAULT_KILL_LEADER:
        case KP_FAULT_KILL_BROKER:
        case KP_FAULT_KILL_CONTROLLER:
                ops[0] = KP_CTL_KILL_BROKER;
                ops[1] = KP_CTL_START_BROKER;
                return f->heal_after_ns > 0 ? 2 : 1;
        case KP_FAULT_STOP_BROKER:
                ops[0] = KP_CTL_STOP_BROKER;
                ops[1] = KP_CTL_START_BROKER;
                return f->heal_after_ns > 0 ? 2 : 1;
        case KP_FAULT_KILL_ZONE:
                ops[0] = KP_CTL_KILL_RACK;
                ops[1] = KP_CTL_START_BROKER;
                return f->heal_after_ns > 0 ? 2 : 1;
        case KP_FAULT_ROLLING_RESTART:
                ops[0] = KP_CTL_STOP_BROKER;
                ops[1] = KP_CTL_START_BROKER;
                return 2;
        case KP_FAULT_MOVE_LEADER:
                ops[0] = KP_CTL_SET_LEADER;
                return 1;
        case KP_FAULT_ADD_RTT:
                ops[0] = KP_CTL_SET_RTT;
                return 1;
        case KP_FAULT_WIPE_BROKER:
                ops[0] = KP_CTL_WIPE_BROKER;
                ops[1] = KP_CTL_START_BROKER;
                return 2;
        case KP_FAULT_CORRUPT_SEGMENT:
                /* start_broker: the restore when the command left it down */
                ops[0] = KP_CTL_CORRUPT_SEGMENT;
                ops[1] = KP_CTL_START_BROKER;
                return 2;
        case KP_FAULT_PAUSE_BROKER:
                /* resume is needed even without heal_after: the end of the
                 * check and an interrupt resume what is still paused */
                ops[0] = KP_CTL_PAUSE_BROKER;
                ops[1] = KP_CTL_RESUME_BROKER;
                return 2;
        case KP_FAULT_PUSH_ERRORS:
                ops[0] = KP_CTL_PUSH_ERRORS;
                return 1;
        case KP_FAULT_PARTITION:
        case KP_FAULT_HEAL_PARTITION:
                /* the heal is needed even without heal_after: the end of the
                 * check and an interrupt remove what is still in force */
                ops[0] = KP_CTL_HEAL_PARTITION;
                ops[1] = KP_CTL_PARTITION;
                return f->action == KP_FAULT_PARTITION ? 2 : 1;
        case KP_FAULT_LINK_LOSS:
        case KP_FAULT_LINK_DELAY:
                ops[0] = f->action == KP_FAULT_LINK_LOSS ? KP_CTL_LINK_LOSS : KP_CTL_LINK_DELAY;
                ops[1] = KP_CTL_HEAL_LINK;
                return 2;
        default:
                return 0;
        }
}

const char *fo_faults_unsupported(kp_ctx_t *ctx, char *buf, size_t size)
{
        const kp_suite_cfg_t *sc = ctx->scfg;
        size_t i;
        int k, n;

        for (i = 0; i < sc->n_faults; i++) {
                const kp_fault_t *f = &sc->faults[i];
                kp_ctl_op_t ops[2];
                const char *why = NULL;
                if (f->action == KP_FAULT_DELETE_RECORDS) {
                        /* through the adapter when it can, else the Kafka admin API */
                        if (!kp_control_supports(ctx->plat->control, KP_CTL_DELETE_RECORDS, &why) &&
                            ctx->plat->no_admin_api) {
                                snprintf(buf, size, "fault %zu (delete_records): %s", i + 1,
                                         ctx->plat->no_admin_api);
                                return buf;
                        }
                        continue;
                }
                n = fault_ops(f, ops);
                for (k = 0; k < n; k++) {
                        if (!kp_control_supports(ctx->plat->control, ops[k], &why)) {
                                snprintf(buf, size, "fault %zu (%s) needs %s: %s", i + 1,
                                         kp_fault_action_names[f->action], kp_ctl_op_names[ops[k]],
                                         why ? why : "not supported by this target");
                                return buf;
                        }
                }
        }
        return NULL;
}

/* Current metadata of the topic (caller destroys), or NULL. */
static const struct rd_kafka_metadata *topic_md(rd_kafka_t *rk, const char *topic, int all,
                                                const rd_kafka_metadata_topic_t **t)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, all, rkt, &md, 5000);
        int i;

        rd_kafka_topic_destroy(rkt);
        *t = NULL;
        if (e || !md)
                return NULL;
        for (i = 0; i < md->topic_cnt; i++)
                if (strcmp(md->topics[i].topic, topic) == 0)
                        *t = &md->topics[i];
        return md;
}

static int32_t leader_of(rd_kafka_t *rk, const char *topic, int32_t partition)
{
        const rd_kafka_metadata_topic_t *t;
        const struct rd_kafka_metadata *md = topic_md(rk, topic, 0, &t);
        int32_t leader = -1;
        int i;

        if (!md)
                return -1;
        for (i = 0; t && i < t->partition_cnt; i++)
                if (t->partitions[i].id == partition)
                        leader = t->partitions[i].leader;
        rd_kafka_metadata_destroy(md);
        return leader;
}

int fo_wait_healthy(rd_kafka_t *rk, const char *topic, int partitions, int64_t timeout_ns,
                    kp_err_t *err)
{
        int64_t deadline = kp_mono_ns() + timeout_ns;
        char why[200] = "no metadata";

        while (!kp_stop_requested()) {
                const rd_kafka_metadata_topic_t *t;
                const struct rd_kafka_metadata *md = topic_md(rk, topic, 0, &t);
                int ok = 0, i;

                if (md && t && !t->err && t->partition_cnt >= partitions) {
                        ok = 1;
                        for (i = 0; i < t->partition_cnt; i++) {
                                const rd_kafka_metadata_partition_t *p = &t->partitions[i];
                                if (p->leader < 0 || p->err) {
                                        snprintf(why, sizeof(why), "partition %d has no leader",
                                                 p->id);
                                        ok = 0;
                                } else if (p->isr_cnt < p->replica_cnt) {
                                        snprintf(why, sizeof(why),
                                                 "partition %d has %d of %d replicas in sync",
                                                 p->id, p->isr_cnt, p->replica_cnt);
                                        ok = 0;
                                }
                        }
                }
                if (md)
                        rd_kafka_metadata_destroy(md);
                if (ok)
                        return 0;
                if (kp_mono_ns() >= deadline)
                        break;
                kp_sleep_ms(500);
        }
        return kp_err_set(err, KP_EINFRA, "topic %s not healthy within %lld s: %s", topic,
                          (long long)(timeout_ns / KP_NS_PER_S), why);
}

/* Broker ids of the cluster from metadata, ascending. */
static int broker_ids(rd_kafka_t *rk, int32_t *ids, int max)
{
        const struct rd_kafka_metadata *md = NULL;
        int n = 0, i, j;

        if (rd_kafka_metadata(rk, 0, NULL, &md, 5000) || !md)
                return 0;
        for (i = 0; i < md->broker_cnt && n < max; i++)
                ids[n++] = md->brokers[i].id;
        rd_kafka_metadata_destroy(md);
        for (i = 1; i < n; i++)
                for (j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
                        int32_t x = ids[j];
                        ids[j] = ids[j - 1];
                        ids[j - 1] = x;
                }
        return n;
}

/* The active controller: from the control adapter when it can tell (KRaft
 * metadata names any broker as controller), else from metadata. */
static int32_t controller_of(fo_sched_t *s, kp_err_t *err)
{
        kp_platform_t *plat = s->ctx->plat;
        kp_kafka_cluster_info_t ci;

        if (kp_control_supports(plat->control, KP_CTL_CONTROLLER, NULL)) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_CONTROLLER);
                kp_ctl_res_t res;
                if (kp_control_do(plat->control, &req, &res, err) < 0)
                        return -1;
                return res.has_value ? (int32_t)res.value : -1;
        }
        if (kp_kafka_cluster_info(&plat->props, 10000, &ci, err) < 0)
                return -1;
        if (ci.controller_id < 0)
                return kp_err_set(err, KP_EINFRA, "metadata names no controller");
        return ci.controller_id;
}

static int do_ctl(fo_sched_t *s, kp_ctl_req_t *req, kp_ctl_res_t *res, kp_err_t *err)
{
        return kp_control_do(s->ctx->plat->control, req, res, err);
}

static void remember_down(fo_fault_run_t *r, int32_t broker)
{
        int i;

        for (i = 0; i < r->n_down; i++)
                if (r->down[i] == broker)
                        return;
        if (r->n_down < FO_MAX_DOWN)
                r->down[r->n_down++] = broker;
}

/* Broker ids printed on stdout by an exec command (one per line). */
static void ids_from_output(fo_fault_run_t *r, const char *out)
{
        const char *p = strstr(out, "[stdout]\n");
        const char *end;

        if (!p)
                return;
        p += 9;
        end = strstr(p, "[stderr]");
        while (*p && (!end || p < end)) {
                char *q;
                long v = strtol(p, &q, 10);
                if (q != p && (*q == '\n' || *q == '\0') && v >= 0 && v < 1000000)
                        remember_down(r, (int32_t)v);
                p = strchr(p, '\n');
                if (!p)
                        break;
                p++;
        }
}

/* Starts a broker; a failed start is retried twice, 2 s apart (a fixture
 * may lose a race with a JVM that is still coming up), each retry noted. */
static int start_broker(fo_sched_t *s, int32_t broker, kp_err_t *err)
{
        kp_ctl_req_t req = kp_ctl_req(KP_CTL_START_BROKER);
        int attempt;

        req.broker = broker;
        for (attempt = 1;; attempt++) {
                if (do_ctl(s, &req, NULL, err) == 0)
                        return 0;
                if (attempt == 3 || kp_stop_requested())
                        return -1;
                kp_check_note(s->c, "start_broker %d failed (attempt %d of 3): %s; retrying",
                              broker, attempt, err->msg);
                kp_sleep_ms(2000);
        }
}

static int rolling_restart(fo_sched_t *s, fo_fault_run_t *r, kp_err_t *err)
{
        int32_t ids[64];
        int n = broker_ids(s->meta, ids, 64), i;
        size_t len;

        if (n == 0)
                return kp_err_set(err, KP_EINFRA, "rolling_restart: no brokers in metadata");
        len = strlen(r->what);
        snprintf(r->what + len, sizeof(r->what) - len, ": brokers");
        for (i = 0; i < n && !kp_stop_requested(); i++) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_STOP_BROKER);
                len = strlen(r->what);
                snprintf(r->what + len, sizeof(r->what) - len, " %d", ids[i]);
                req.broker = ids[i];
                remember_down(r, ids[i]);
                if (do_ctl(s, &req, NULL, err) < 0)
                        return -1;
                if (start_broker(s, ids[i], err) < 0)
                        return -1;
                r->n_down = 0;
                if (fo_wait_healthy(s->meta, s->topic, s->partitions, s->healthy_timeout_ns, err) <
                    0)
                        return kp_err_prefix(err, "rolling_restart after broker %d", ids[i]);
        }
        return 0;
}

/* DeleteRecords through the Kafka admin API: every record of the
 * partition(s) below the current high watermark. */
static int delete_records_admin(fo_sched_t *s, fo_fault_run_t *r, kp_err_t *err)
{
        rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(s->partitions);
        rd_kafka_DeleteRecords_t *del;
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_queue_t *q;
        rd_kafka_event_t *ev = NULL;
        int64_t deadline;
        int p, rc = -1;
        size_t len;

        for (p = 0; p < s->partitions; p++) {
                int64_t lo, hi;
                if (r->partition >= 0 && p != r->partition)
                        continue;
                if (kp_kafka_watermarks(s->meta, s->topic, p, &lo, &hi, 10000, err) < 0) {
                        rd_kafka_topic_partition_list_destroy(offs);
                        return -1;
                }
                rd_kafka_topic_partition_list_add(offs, s->topic, p)->offset = hi;
                len = strlen(r->what);
                snprintf(r->what + len, sizeof(r->what) - len, "%s p%d<%lld",
                         len && r->what[len - 1] == ':' ? "" : ",", p, (long long)hi);
        }
        del = rd_kafka_DeleteRecords_new(offs);
        rd_kafka_topic_partition_list_destroy(offs);
        q = rd_kafka_queue_new(s->meta);
        opts = rd_kafka_AdminOptions_new(s->meta, RD_KAFKA_ADMIN_OP_DELETERECORDS);
        rd_kafka_AdminOptions_set_operation_timeout(opts, 30000, NULL, 0);
        rd_kafka_DeleteRecords(s->meta, &del, 1, opts, q);
        deadline = kp_mono_ns() + 40 * KP_NS_PER_S;
        while (kp_mono_ns() < deadline) {
                ev = rd_kafka_queue_poll(q, 500);
                if (ev && rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DELETERECORDS_RESULT)
                        break;
                if (ev)
                        rd_kafka_event_destroy(ev);
                ev = NULL;
        }
        if (!ev) {
                kp_err_set(err, KP_EINFRA, "delete_records: no answer within 40 s");
        } else if (rd_kafka_event_error(ev)) {
                kp_err_set(err, KP_EINFRA, "delete_records: %s", rd_kafka_event_error_string(ev));
        } else {
                const rd_kafka_DeleteRecords_result_t *res =
                    rd_kafka_event_DeleteRecords_result(ev);
                const rd_kafka_topic_partition_list_t *out =
                    rd_kafka_DeleteRecords_result_offsets(res);
                int i;
                rc = 0;
                for (i = 0; out && i < out->cnt; i++)
                        if (out->elems[i].err) {
                                rc = kp_err_set(err, KP_EINFRA, "delete_records %s[%d]: %s",
                                                out->elems[i].topic, out->elems[i].partition,
                                                rd_kafka_err2name(out->elems[i].err));
                                break;
                        }
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_DeleteRecords_destroy(del);
        rd_kafka_queue_destroy(q);
        return rc;
}

static int delete_records(fo_sched_t *s, fo_fault_run_t *r, kp_err_t *err)
{
        int p;

        snprintf(r->what, sizeof(r->what), "delete_records below the high watermark:");
        if (!kp_control_supports(s->ctx->plat->control, KP_CTL_DELETE_RECORDS, NULL))
                return delete_records_admin(s, r, err);
        for (p = 0; p < s->partitions; p++) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_DELETE_RECORDS);
                int64_t lo, hi;
                size_t len;
                if (r->partition >= 0 && p != r->partition)
                        continue;
                if (kp_kafka_watermarks(s->meta, s->topic, p, &lo, &hi, 10000, err) < 0)
                        return -1;
                req.topic = s->topic;
                req.partition = p;
                req.offset = hi;
                if (do_ctl(s, &req, NULL, err) < 0)
                        return -1;
                len = strlen(r->what);
                snprintf(r->what + len, sizeof(r->what) - len, " p%d<%lld", p, (long long)hi);
        }
        return 0;
}

int fo_run_pending(const fo_fault_run_t *r)
{
        return r->n_down > 0 || r->rtt_set || r->n_paused > 0 || r->partitioned || r->lossy;
}

/* The brokers a partition or link fault acts on: listed, one, a zone's, or
 * the leader of its partition; r->what says which. */
static int net_brokers(fo_sched_t *s, fo_fault_run_t *r, kp_err_t *err)
{
        const kp_fault_t *f = r->f;
        const kp_target_t *t = s->ctx->plat->target;
        const char *name = kp_fault_action_names[f->action];
        size_t i, len;

        r->n_cut = 0;
        if (f->n_brokers > 0) {
                for (i = 0; i < (size_t)f->n_brokers; i++)
                        r->cut[r->n_cut++] = f->brokers[i];
                snprintf(r->what, sizeof(r->what), "%s (%s): brokers", name,
                         kp_net_scope_names[f->scope]);
        } else if (f->broker >= 0) {
                r->cut[r->n_cut++] = f->broker;
                snprintf(r->what, sizeof(r->what), "%s (%s): broker", name,
                         kp_net_scope_names[f->scope]);
        } else if (f->zone) {
                for (i = 0; i < t->control.n_racks && r->n_cut < KP_FAULT_MAX_BROKERS; i++)
                        if (strcmp(t->control.racks[i], f->zone) == 0)
                                r->cut[r->n_cut++] = (int32_t)i + 1;
                if (r->n_cut == 0)
                        return kp_err_set(err, KP_EINVAL,
                                          "%s: the target names no broker in zone %s (control "
                                          "racks)",
                                          name, f->zone);
                snprintf(r->what, sizeof(r->what), "%s (%s): zone %s, brokers", name,
                         kp_net_scope_names[f->scope], f->zone);
        } else {
                r->partition = f->partition >= 0 ? f->partition : 0;
                r->cut[0] = leader_of(s->meta, s->topic, r->partition);
                if (r->cut[0] < 0)
                        return kp_err_set(err, KP_EINFRA, "%s: partition %d has no leader", name,
                                          r->partition);
                r->n_cut = 1;
                snprintf(r->what, sizeof(r->what), "%s (%s): leader of p%d, broker", name,
                         kp_net_scope_names[f->scope], r->partition);
        }
        for (i = 0; i < (size_t)r->n_cut; i++) {
                len = strlen(r->what);
                snprintf(r->what + len, sizeof(r->what) - len, " %d", r->cut[i]);
        }
        len = strlen(r->what);
        if (f->action == KP_FAULT_LINK_LOSS)
                snprintf(r->what + len, sizeof(r->what) - len, ", %d %% loss", f->loss_pct);
        else if (f->action == KP_FAULT_LINK_DELAY)
                snprintf(r->what + len, sizeof(r->what) - len, ", +%d ms (+-%d ms) each way",
                         f->delay_ms, f->jitter_ms);
        return 0;
}

/* partition and link_loss: remembered before the call (an answer lost to a
 * timeout may still have put the rules in place). */
static int apply_net(fo_sched_t *s, fo_fault_run_t *r, kp_err_t *err)
{
        const kp_fault_t *f = r->f;
        kp_ctl_req_t req;

        if (net_brokers(s, r, err) < 0)
                return -1;
        req = kp_ctl_req(f->action == KP_FAULT_PARTITION   ? KP_CTL_PARTITION
                         : f->action == KP_FAULT_LINK_LOSS ? KP_CTL_LINK_LOSS
                                                           : KP_CTL_LINK_DELAY);
        req.brokers = r->cut;
        req.n_brokers = (size_t)r->n_cut;
        req.scope = kp_net_scope_names[f->scope];
        req.loss_pct = f->loss_pct;
        req.delay_ms = f->delay_ms;
        req.jitter_ms = f->jitter_ms;
        if (f->action == KP_FAULT_PARTITION)
                r->partitioned = 1;
        else
                r->lossy = 1;
        return do_ctl(s, &req, NULL, err);
}

/* heal_partition and link heals end every such fault in force. */
static int heal_net(fo_sched_t *s, kp_ctl_op_t op, kp_err_t *err)
{
        kp_ctl_req_t req = kp_ctl_req(op);
        size_t i;

        if (do_ctl(s, &req, NULL, err) < 0)
                return -1;
        for (i = 0; i < s->n_runs; i++) {
                if (op == KP_CTL_HEAL_PARTITION)
                        s->runs[i].partitioned = 0;
                else
                        s->runs[i].lossy = 0;
        }
        return 0;
}

static int apply(fo_sched_t *s, fo_fault_run_t *r, kp_err_t *err)
{
        const kp_fault_t *f = r->f;
        kp_ctl_req_t req;
        kp_ctl_res_t res;
        int32_t broker = f->broker;
        const char *name = kp_fault_action_names[f->action];

        snprintf(r->what, sizeof(r->what), "%s", name);
        switch (f->action) {
        case KP_FAULT_KILL_LEADER:
                r->partition = f->partition >= 0 ? f->partition : 0;
                broker = leader_of(s->meta, s->topic, r->partition);
                if (broker < 0)
                        return kp_err_set(err, KP_EINFRA, "kill_leader: partition %d has no leader",
                                          r->partition);
                snprintf(r->what, sizeof(r->what), "kill_leader p%d: broker %d", r->partition,
                         broker);
                req = kp_ctl_req(KP_CTL_KILL_BROKER);
                req.broker = broker;
                remember_down(r, broker);
                return do_ctl(s, &req, NULL, err);
        case KP_FAULT_KILL_CONTROLLER:
                broker = controller_of(s, err);
                if (broker < 0)
                        return -1;
                snprintf(r->what, sizeof(r->what), "kill_controller: broker %d", broker);
                req = kp_ctl_req(KP_CTL_KILL_BROKER);
                req.broker = broker;
                remember_down(r, broker);
                return do_ctl(s, &req, NULL, err);
        case KP_FAULT_KILL_BROKER:
        case KP_FAULT_STOP_BROKER:
                snprintf(r->what, sizeof(r->what), "%s: broker %d", name, broker);
                req = kp_ctl_req(f->action == KP_FAULT_KILL_BROKER ? KP_CTL_KILL_BROKER
                                                                   : KP_CTL_STOP_BROKER);
                req.broker = broker;
                remember_down(r, broker);
                return do_ctl(s, &req, NULL, err);
        case KP_FAULT_KILL_ZONE: {
                const kp_target_t *t = s->ctx->plat->target;
                size_t i;
                int rc;
                req = kp_ctl_req(KP_CTL_KILL_RACK);
                req.rack = f->zone;
                rc = do_ctl(s, &req, &res, err);
                ids_from_output(r, res.output);
                for (i = 0; r->n_down == 0 && i < t->control.n_racks; i++)
                        if (strcmp(t->control.racks[i], f->zone) == 0)
                                remember_down(r, (int32_t)i + 1);
                snprintf(r->what, sizeof(r->what), "kill_zone %s: brokers", f->zone);
                for (i = 0; i < (size_t)r->n_down; i++) {
                        size_t len = strlen(r->what);
                        snprintf(r->what + len, sizeof(r->what) - len, " %d", r->down[i]);
                }
                return rc;
        }
        case KP_FAULT_ROLLING_RESTART:
                return rolling_restart(s, r, err);
        case KP_FAULT_MOVE_LEADER:
                r->partition = f->partition >= 0 ? f->partition : 0;
                snprintf(r->what, sizeof(r->what), "move_leader p%d: to broker %d", r->partition,
                         f->to_broker);
                req = kp_ctl_req(KP_CTL_SET_LEADER);
                req.topic = s->topic;
                req.partition = r->partition;
                req.broker = f->to_broker;
                return do_ctl(s, &req, NULL, err);
        case KP_FAULT_PAUSE_BROKER:
                snprintf(r->what, sizeof(r->what), "pause_broker: broker %d", broker);
                req = kp_ctl_req(KP_CTL_PAUSE_BROKER);
                req.broker = broker;
                /* remembered before the call: a pause whose answer was lost
                 * (timeout) may still have frozen the broker */
                r->paused[r->n_paused++] = broker;
                return do_ctl(s, &req, NULL, err);
        case KP_FAULT_WIPE_BROKER:
                snprintf(r->what, sizeof(r->what), "wipe_broker: broker %d", broker);
                req = kp_ctl_req(KP_CTL_WIPE_BROKER);
                req.broker = broker;
                remember_down(r, broker);
                return do_ctl(s, &req, NULL, err);
        case KP_FAULT_CORRUPT_SEGMENT: {
                int rc;
                r->partition = f->partition >= 0 ? f->partition : 0;
                snprintf(r->what, sizeof(r->what), "corrupt_segment p%d: broker %d", r->partition,
                         broker);
                req = kp_ctl_req(KP_CTL_CORRUPT_SEGMENT);
                req.broker = broker;
                req.topic = s->topic;
                req.partition = r->partition;
                /* the command stops the broker first: until it says the broker
                 * is back, the restore must start it */
                remember_down(r, broker);
                rc = do_ctl(s, &req, NULL, err);
                if (rc == 0)
                        r->n_down--;
                return rc;
        }
        case KP_FAULT_ADD_RTT:
                snprintf(r->what, sizeof(r->what), "add_rtt: broker %d +%d ms", broker, f->rtt_ms);
                req = kp_ctl_req(KP_CTL_SET_RTT);
                req.broker = broker;
                req.rtt_ms = f->rtt_ms;
                r->rtt_set = 1;
                return do_ctl(s, &req, NULL, err);
        case KP_FAULT_PUSH_ERRORS: {
                int code = kp_kafka_err_from_name(f->error);
                int *errs;
                int i, rc;
                if (code < 0)
                        return kp_err_set(err, KP_EINVAL, "push_errors: unknown error name %s",
                                          f->error);
                errs = malloc((size_t)f->count * sizeof(int));
                if (!errs)
                        return kp_err_set(err, KP_ENOMEM, "out of memory");
                for (i = 0; i < f->count; i++)
                        errs[i] = code;
                snprintf(r->what, sizeof(r->what), "push_errors: %d x %s", f->count, f->error);
                req = kp_ctl_req(KP_CTL_PUSH_ERRORS);
                req.broker = broker;
                req.api_key = 0;
                req.errors = errs;
                req.n_errors = (size_t)f->count;
                rc = do_ctl(s, &req, NULL, err);
                free(errs);
                return rc;
        }
        case KP_FAULT_DELETE_RECORDS:
                r->partition = f->partition;
                return delete_records(s, r, err);
        case KP_FAULT_PARTITION:
        case KP_FAULT_LINK_LOSS:
        case KP_FAULT_LINK_DELAY:
                return apply_net(s, r, err);
        case KP_FAULT_HEAL_PARTITION:
                return heal_net(s, KP_CTL_HEAL_PARTITION, err);
        default:
                return kp_err_set(err, KP_EUNSUPPORTED, "fault %s is not implemented", name);
        }
}

/* Heals one fault: restarts what it took down, removes latency. */
static int heal(fo_sched_t *s, fo_fault_run_t *r, kp_err_t *err)
{
        int rc = 0;

        while (r->n_paused > 0) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_RESUME_BROKER);
                req.broker = r->paused[r->n_paused - 1];
                if (do_ctl(s, &req, NULL, err) < 0) {
                        rc = -1;
                        break;
                }
                r->n_paused--;
        }

        while (r->n_down > 0) {
                int32_t b = r->down[r->n_down - 1];
                if (start_broker(s, b, err) < 0) {
                        rc = -1;
                        break;
                }
                r->n_down--;
        }
        if (r->partitioned && heal_net(s, KP_CTL_HEAL_PARTITION, err) < 0)
                rc = -1;
        if (r->lossy && heal_net(s, KP_CTL_HEAL_LINK, err) < 0)
                rc = -1;
        if (r->rtt_set) {
                kp_ctl_req_t req = kp_ctl_req(KP_CTL_SET_RTT);
                req.broker = r->f->broker;
                req.rtt_ms = 0;
                if (do_ctl(s, &req, NULL, err) < 0)
                        rc = -1;
                else
                        r->rtt_set = 0;
        }
        return rc;
}

int fo_sched_init(fo_sched_t *s, kp_ctx_t *ctx, kp_check_t *c, const char *topic, int partitions,
                  rd_kafka_t *meta)
{
        size_t i;

        memset(s, 0, sizeof(*s));
        s->ctx = ctx;
        s->c = c;
        s->topic = topic;
        s->partitions = partitions;
        s->meta = meta;
        s->healthy_timeout_ns = fo_options(ctx, &(fo_options_t){0})->healthy_timeout_ns;
        s->n_runs = ctx->scfg->n_faults;
        s->runs = calloc(s->n_runs ? s->n_runs : 1, sizeof(*s->runs));
        if (!s->runs)
                return -1;
        for (i = 0; i < s->n_runs; i++) {
                s->runs[i].f = &ctx->scfg->faults[i];
                s->runs[i].index = (int)i;
                s->runs[i].partition = -1;
        }
        return 0;
}

/* The live status line's fault: the latest applied fault whose heal is
 * still to come (something down, latency added) and how many more are in
 * force, else none. */
static void show_fault(const fo_sched_t *s)
{
        const fo_fault_run_t *latest = NULL;
        size_t i, n = 0;

        for (i = 0; i < s->n_runs; i++) {
                const fo_fault_run_t *r = &s->runs[i];
                if (!r->applied_ns || !fo_run_pending(r))
                        continue;
                n++;
                if (!latest || r->applied_ns >= latest->applied_ns)
                        latest = r;
        }
        if (latest && n > 1)
                kp_progress_set_fault(latest->applied_ns, "%s, +%zu more", latest->what, n - 1);
        else if (latest)
                kp_progress_set_fault(latest->applied_ns, "%s", latest->what);
        else
                kp_progress_clear_fault();
}

static int cmp_step(const void *a, const void *b)
{
        const step_t *x = a, *y = b;

        if (x->at_ns != y->at_ns)
                return x->at_ns < y->at_ns ? -1 : 1;
        if (x->run != y->run)
                return x->run < y->run ? -1 : 1;
        return x->heal - y->heal;
}

void fo_sched_run(fo_sched_t *s, int64_t start_ns)
{
        step_t *steps = calloc(2 * s->n_runs + 1, sizeof(*steps));
        size_t n = 0, i;

        if (!steps)
                return;
        for (i = 0; i < s->n_runs; i++) {
                const kp_fault_t *f = s->runs[i].f;
                steps[n++] = (step_t){f->at_ns, i, 0};
                if (f->heal_after_ns > 0 && f->action != KP_FAULT_ROLLING_RESTART)
                        steps[n++] = (step_t){f->at_ns + f->heal_after_ns, i, 1};
        }
        qsort(steps, n, sizeof(*steps), cmp_step);
        for (i = 0; i < n && !kp_stop_requested(); i++) {
                fo_fault_run_t *r = &s->runs[steps[i].run];
                kp_err_t err;
                int rc;
                /* a heal waits heal_after from when its fault was really
                 * applied (an earlier step may have delayed the fault) */
                if (steps[i].heal && r->applied_ns &&
                    r->applied_end_ns + r->f->heal_after_ns > start_ns + steps[i].at_ns)
                        kp_sleep_until(r->applied_end_ns + r->f->heal_after_ns);
                else
                        kp_sleep_until(start_ns + steps[i].at_ns);
                if (kp_stop_requested())
                        break;
                kp_err_clear(&err);
                if (!steps[i].heal) {
                        r->applied_ns = kp_mono_ns();
                        kp_progress_set_fault(r->applied_ns, "%s",
                                              kp_fault_action_names[r->f->action]);
                        rc = apply(s, r, &err);
                        show_fault(s);
                        r->applied_end_ns = kp_mono_ns();
                        kp_info("failover: fault %d at %.1f s: %s%s%s", r->index + 1,
                                (double)(r->applied_ns - start_ns) / 1e9, r->what,
                                rc < 0 ? " FAILED: " : "", rc < 0 ? err.msg : "");
                        kp_check_note(s->c, "fault %d applied at %.3f s (took %.3f s): %s",
                                      r->index + 1, (double)(r->applied_ns - start_ns) / 1e9,
                                      (double)(r->applied_end_ns - r->applied_ns) / 1e9, r->what);
                } else {
                        if (r->applied_ns == 0 || r->failed)
                                continue;
                        r->healed_ns = kp_mono_ns();
                        rc = heal(s, r, &err);
                        show_fault(s);
                        /* the next fault meets a healthy cluster, not a compound one */
                        if (rc == 0)
                                rc = fo_wait_healthy(s->meta, s->topic, s->partitions,
                                                     s->healthy_timeout_ns, &err);
                        r->healed_end_ns = kp_mono_ns();
                        kp_info("failover: heal of fault %d at %.1f s%s%s", r->index + 1,
                                (double)(r->healed_ns - start_ns) / 1e9, rc < 0 ? " FAILED: " : "",
                                rc < 0 ? err.msg : "");
                        kp_check_note(s->c,
                                      "fault %d healed at %.3f s (healthy again after %.3f s)",
                                      r->index + 1, (double)(r->healed_ns - start_ns) / 1e9,
                                      (double)(r->healed_end_ns - r->healed_ns) / 1e9);
                }
                if (rc < 0 && !r->failed) {
                        r->failed = 1;
                        snprintf(r->error, sizeof(r->error), "%s%s", steps[i].heal ? "heal: " : "",
                                 err.msg);
                }
        }
        free(steps);
}

void fo_sched_restore(fo_sched_t *s)
{
        size_t i;
        int any = 0;

        for (i = 0; i < s->n_runs; i++) {
                fo_fault_run_t *r = &s->runs[i];
                kp_err_t err;
                if (!fo_run_pending(r))
                        continue;
                any = 1;
                kp_info("failover: restoring what fault %d left behind (%s)", r->index + 1,
                        r->what);
                kp_err_clear(&err);
                if (heal(s, r, &err) < 0) {
                        kp_check_error(s->c, "could not restore after fault %d (%s): %s",
                                       r->index + 1, r->what, err.msg);
                        kp_error("failover: restore after fault %d failed: %s", r->index + 1,
                                 err.msg);
                } else {
                        kp_check_note(s->c, "restored what fault %d left behind", r->index + 1);
                }
        }
        show_fault(s);
        if (any && !kp_stop_requested()) {
                kp_err_t err;
                if (fo_wait_healthy(s->meta, s->topic, s->partitions, s->healthy_timeout_ns, &err) <
                    0)
                        kp_check_note(s->c, "after restore: %s", err.msg);
        }
}

void fo_sched_release(fo_sched_t *s)
{
        free(s->runs);
        s->runs = NULL;
}
