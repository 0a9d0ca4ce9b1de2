/*
 * semantics.group-rebalance: Consumer group: when a member leaves its
 * partitions move, no record lost or held by two members.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

#define RB_PARTITIONS 6

#define RB_RECORDS 1200

#define RB_PHASE1 300

#define RB_MEMBERS 2

/* One member of the rebalance check. */
typedef struct rb_member {
        rd_kafka_t *rk;
        int id;
        int owned[RB_PARTITIONS]; /* partitions assigned now */
        int assignments;          /* assign events seen */
        int revocations;
        int consumed;
        int closed;
        int commits_refused; /* partitions whose offset commit the cluster refused */
        rd_kafka_resp_err_t refusal;
} rb_member_t;

typedef struct rb_state {
        rb_member_t m[RB_MEMBERS];
        int8_t by[RB_RECORDS];     /* member id + 1 that consumed record i first */
        uint8_t times[RB_RECORDS]; /* deliveries of record i */
        int to_other_member;       /* records delivered to a second member */
        int overlap_samples;       /* samples with a partition owned by two members */
        int commit_errors;
        int not_owned; /* records from a partition the member did not own */
} rb_state_t;

/* Rebalance callback: commit what was consumed before giving partitions
 * up, so that the next owner starts exactly after it. */
static void rb_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t *parts, void *opaque)
{
        rb_member_t *mb = opaque;
        int i;

        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                for (i = 0; i < parts->cnt; i++)
                        if (parts->elems[i].partition >= 0 &&
                            parts->elems[i].partition < RB_PARTITIONS)
                                mb->owned[parts->elems[i].partition] = 1;
                mb->assignments++;
                rd_kafka_assign(rk, parts);
        } else {
                /* commit the consumed positions synchronously, then let go */
                rd_kafka_commit(rk, NULL, 0);
                memset(mb->owned, 0, sizeof(mb->owned));
                mb->revocations++;
                rd_kafka_assign(rk, NULL);
        }
}

/* Commit results: a refused commit makes redelivery legitimate
 * (at-least-once), so refusals are counted. */
static void rb_commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
        rb_member_t *mb = opaque;
        int i;

        (void)rk;
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
                return;
        for (i = 0; offsets && i < offsets->cnt; i++) {
                rd_kafka_resp_err_t e = err ? err : offsets->elems[i].err;
                if (e) {
                        mb->commits_refused++;
                        mb->refusal = e;
                }
        }
}

static rd_kafka_t *rb_consumer(kp_ctx_t *ctx, kp_check_t *c, const char *group, rb_member_t *mb)
{
        kp_kvlist_t props = {0};
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        kp_err_t err;

        kp_platform_client_props(ctx->plat, KP_PROFILE_DEFAULT, 0, NULL, &props);
        kp_kvlist_set(&props, "group.id", group);
        kp_kvlist_set(&props, "enable.auto.commit", "false");
        kp_kvlist_set(&props, "auto.offset.reset", "earliest");
        kp_kvlist_set(&props, "enable.partition.eof", "false");
        kp_kvlist_set(&props, "partition.assignment.strategy", "range");
        kp_kvlist_set(&props, "session.timeout.ms", "10000");
        kp_kvlist_set(&props, "heartbeat.interval.ms", "500");
        conf = kp_kafka_conf_new(&props, &err);
        kp_kvlist_clear(&props);
        if (!conf) {
                kp_check_error(c, "%s", err.msg);
                return NULL;
        }
        rd_kafka_conf_set_rebalance_cb(conf, rb_rebalance_cb);
        rd_kafka_conf_set_offset_commit_cb(conf, rb_commit_cb);
        rd_kafka_conf_set_opaque(conf, mb);
        rk = kp_kafka_new(RD_KAFKA_CONSUMER, conf, &err);
        if (!rk)
                kp_check_error(c, "%s", err.msg);
        else /* commit results are served by rd_kafka_consumer_poll() */
                rd_kafka_poll_set_consumer(rk);
        return rk;
}

/* Polls member mb once; records what it got. Each record is committed as
 * it is consumed (asynchronously; the revocation commits synchronously), so
 * the group's committed offsets follow consumption exactly. */
static void rb_poll(rb_state_t *st, rb_member_t *mb, kp_check_t *c, int timeout_ms)
{
        rd_kafka_message_t *m = rd_kafka_consumer_poll(mb->rk, timeout_ms);
        int i, p;

        if (!m)
                return;
        if (!m->err) {
                i = sem_value_index(m);
                p = m->partition;
                if (p < 0 || p >= RB_PARTITIONS || !mb->owned[p])
                        st->not_owned++;
                if (i >= 0 && i < RB_RECORDS) {
                        if (st->times[i] < 255)
                                st->times[i]++;
                        if (!st->by[i])
                                st->by[i] = (int8_t)(mb->id + 1);
                        else if (st->by[i] != mb->id + 1)
                                st->to_other_member++;
                }
                mb->consumed++;
                if (rd_kafka_commit_message(mb->rk, m, 1))
                        st->commit_errors++;
        }
        rd_kafka_message_destroy(m);
        (void)c;
}

/* Two members never own the same partition at the same time. */
static void rb_sample(rb_state_t *st)
{
        int p;

        for (p = 0; p < RB_PARTITIONS; p++)
                if (!st->m[0].closed && !st->m[1].closed && st->m[0].owned[p] && st->m[1].owned[p])
                        st->overlap_samples++;
}

static int rb_owned_count(const rb_member_t *mb)
{
        int p, n = 0;

        for (p = 0; p < RB_PARTITIONS; p++)
                n += mb->owned[p];
        return n;
}

void sem_check_group_rebalance(kp_ctx_t *ctx, kp_check_t *c)
{
        rb_state_t *st = calloc(1, sizeof(*st));
        char topic[256], group[300];
        int i, total = 0, lost = 0, redelivered = 0, k, both_owned = 0;
        int a_owned_before = 0, b_owned_before = 0, b_owned_after = 0, refused;
        rd_kafka_resp_err_t refusal;
        int64_t deadline, t_leave = 0, t_taken_over = -1, close_ms = -1;

        if (!st) {
                kp_check_error(c, "out of memory");
                return;
        }
        if (sem_topic(ctx, c, "group-rebalance", RB_PARTITIONS, NULL, topic, sizeof(topic)) < 0)
                goto out;
        if (sem_produce_range(ctx, c, topic, 0, RB_RECORDS, RB_PARTITIONS, 0, 0) < 0)
                goto out;
        snprintf(group, sizeof(group), "kproof-%s-rebalance", ctx->run_id);
        for (k = 0; k < RB_MEMBERS; k++) {
                st->m[k].id = k;
                st->m[k].rk = rb_consumer(ctx, c, group, &st->m[k]);
                if (!st->m[k].rk || kp_kc_subscribe(st->m[k].rk, topic, NULL) < 0) {
                        kp_check_error(c, "member %d could not subscribe", k + 1);
                        goto out;
                }
        }
        /* phase 1: both members share the partitions; each record is
         * committed as it is consumed */
        deadline = kp_mono_ns() + 60 * KP_NS_PER_S;
        while (kp_mono_ns() < deadline) {
                rb_poll(st, &st->m[0], c, 20);
                rb_poll(st, &st->m[1], c, 20);
                rb_sample(st);
                if (rb_owned_count(&st->m[0]) && rb_owned_count(&st->m[1]))
                        both_owned = 1;
                total = st->m[0].consumed + st->m[1].consumed;
                /* the shared phase ends once both have consumed records */
                if (both_owned && st->m[0].consumed > 0 && st->m[1].consumed > 0 &&
                    total >= RB_PHASE1)
                        break;
        }
        a_owned_before = rb_owned_count(&st->m[0]);
        b_owned_before = rb_owned_count(&st->m[1]);
        if (!both_owned || !st->m[0].consumed || !st->m[1].consumed) {
                kp_check_fail(c,
                              "the two members never shared the partitions (member 1 consumed %d, "
                              "member 2 %d records in 60 s)",
                              st->m[0].consumed, st->m[1].consumed);
                goto out;
        }
        /* phase 2: member 1 leaves; member 2 must take over everything */
        t_leave = kp_mono_ns();
        rd_kafka_consumer_close(st->m[0].rk);
        close_ms = (kp_mono_ns() - t_leave) / KP_NS_PER_MS;
        st->m[0].closed = 1;
        memset(st->m[0].owned, 0, sizeof(st->m[0].owned));
        deadline = kp_mono_ns() + 60 * KP_NS_PER_S;
        while (kp_mono_ns() < deadline) {
                rb_poll(st, &st->m[1], c, 50);
                if (t_taken_over < 0 && rb_owned_count(&st->m[1]) == RB_PARTITIONS)
                        t_taken_over = (kp_mono_ns() - t_leave) / KP_NS_PER_MS;
                total = 0;
                for (i = 0; i < RB_RECORDS; i++)
                        total += st->times[i] > 0;
                if (total == RB_RECORDS)
                        break;
        }
        /* a short quiet period would reveal redeliveries */
        for (i = 0; i < 10; i++)
                rb_poll(st, &st->m[1], c, 50);
        b_owned_after = rb_owned_count(&st->m[1]);
        for (i = 0; i < RB_RECORDS; i++) {
                if (!st->times[i])
                        lost++;
                else if (st->times[i] > 1)
                        redelivered += st->times[i] - 1;
        }
        kp_check_measure(c, "records", RB_RECORDS, "records");
        kp_check_measure(c, "member1_consumed", st->m[0].consumed, "records");
        kp_check_measure(c, "member2_consumed", st->m[1].consumed, "records");
        kp_check_measure(c, "member1_partitions_before_leave", a_owned_before, "partitions");
        kp_check_measure(c, "member2_partitions_before_leave", b_owned_before, "partitions");
        kp_check_measure(c, "member2_partitions_after_leave", b_owned_after, "partitions");
        kp_check_measure(c, "leave_ms", (double)close_ms, "ms");
        kp_check_measure(c, "takeover_ms", (double)t_taken_over, "ms");
        kp_check_measure(c, "records_missing", lost, "records");
        kp_check_measure(c, "records_redelivered", redelivered, "records");
        kp_check_measure(c, "records_to_two_members", st->to_other_member, "records");
        kp_check_measure(c, "ownership_overlaps", st->overlap_samples, "samples");
        kp_check_measure(c, "records_from_unowned_partition", st->not_owned, "records");
        kp_check_note(c,
                      "group %s, %d partitions, range assignor, commit per record and on "
                      "revocation; member 1: %d assignment(s), %d revocation(s); member 2: %d "
                      "assignment(s), %d revocation(s)",
                      group, RB_PARTITIONS, st->m[0].assignments, st->m[0].revocations,
                      st->m[1].assignments, st->m[1].revocations);
        refused = st->m[0].commits_refused + st->m[1].commits_refused;
        refusal = st->m[0].commits_refused ? st->m[0].refusal : st->m[1].refusal;
        kp_check_measure(c, "commits_refused", refused, "partition commits");
        if (st->commit_errors)
                kp_check_note(c, "%d commit(s) could not be queued", st->commit_errors);
        if (refused)
                kp_check_note(c,
                              "the cluster refused %d partition offset commit(s), last with %s: "
                              "records after the refused offsets are legitimately delivered again "
                              "(at-least-once)",
                              refused, rd_kafka_err2name(refusal));
        if (b_owned_after != RB_PARTITIONS)
                kp_check_fail(c, "after member 1 left, member 2 owns %d of %d partitions",
                              b_owned_after, RB_PARTITIONS);
        else if (lost)
                kp_check_fail(c, "%d of %d records were never delivered", lost, RB_RECORDS);
        else if (st->overlap_samples || st->not_owned)
                kp_check_fail(c,
                              "%d samples showed a partition owned by both members at once, %d "
                              "records came from a partition the member did not own",
                              st->overlap_samples, st->not_owned);
        else if ((redelivered || st->to_other_member) && !refused && !st->commit_errors)
                kp_check_fail(c,
                              "%d records were delivered again (%d of them to the other member) "
                              "although every consumed record was committed before its partition "
                              "was revoked",
                              redelivered, st->to_other_member);
        else if (redelivered > refused + st->commit_errors)
                kp_check_fail(
                    c,
                    "%d records were delivered again, more than the %d offset commits the "
                    "cluster refused",
                    redelivered, refused + st->commit_errors);
        else if (redelivered)
                kp_check_pass(c,
                              "member 1 (%d partitions) and member 2 (%d) never owned a partition "
                              "at the same time; after member 1 left, member 2 took all %d over in "
                              "%lld ms and all %d records were delivered; %d were delivered again "
                              "after the cluster refused %d offset commits (%s), as at-least-once "
                              "delivery allows",
                              a_owned_before, b_owned_before, RB_PARTITIONS,
                              (long long)t_taken_over, RB_RECORDS, redelivered, refused,
                              rd_kafka_err2name(refusal));
        else
                kp_check_pass(c,
                              "member 1 (%d partitions) and member 2 (%d) shared the %d "
                              "partitions; when member 1 left, member 2 took all %d over in %lld "
                              "ms and each of the %d records was delivered exactly once, to one "
                              "member",
                              a_owned_before, b_owned_before, RB_PARTITIONS, RB_PARTITIONS,
                              (long long)t_taken_over, RB_RECORDS);
out:
        for (k = 0; k < RB_MEMBERS; k++)
                kp_kc_close(st->m[k].rk);
        free(st);
}
