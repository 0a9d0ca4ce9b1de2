/*
 * semantics.consumer-protocol: KIP-848 consumer group protocol
 * (group.protocol=consumer): join, split, leave.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

/* Partitions currently assigned to rk as a bit mask (partitions < 32). */
static uint32_t assigned_mask(rd_kafka_t *rk)
{
        rd_kafka_topic_partition_list_t *l = NULL;
        uint32_t mask = 0;
        int i;

        if (rd_kafka_assignment(rk, &l) || !l)
                return 0;
        for (i = 0; i < l->cnt; i++)
                if (l->elems[i].partition >= 0 && l->elems[i].partition < 32)
                        mask |= 1u << l->elems[i].partition;
        rd_kafka_topic_partition_list_destroy(l);
        return mask;
}

typedef struct kip848 {
        kp_check_t *c;
        rd_kafka_resp_err_t first_err;
        char first_msg[256];
        long records[2];
        uint32_t read_from[2];
} kip848_t;

/* Polls one consumer once: records count towards member i; errors are kept. */
static void poll_member(kip848_t *st, rd_kafka_t *rk, int i)
{
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 50);

        if (!m)
                return;
        if (m->err) {
                if (!st->first_err) {
                        st->first_err = m->err;
                        snprintf(st->first_msg, sizeof(st->first_msg), "%s",
                                 rd_kafka_message_errstr(m));
                        /* a fatal error wraps the broker's: judge by that one */
                        if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
                                char why[256];
                                rd_kafka_resp_err_t under =
                                    rd_kafka_fatal_error(rk, why, sizeof(why));
                                if (under)
                                        st->first_err = under;
                        }
                }
        } else {
                st->records[i]++;
                if (m->partition >= 0 && m->partition < 32)
                        st->read_from[i] |= 1u << m->partition;
        }
        rd_kafka_message_destroy(m);
}

/* The KIP-848 consumer group protocol: one member gets all 4 partitions; a
 * second member joins and the partitions are split between them with none
 * owned twice; records produced then are each read once, by the owner of
 * their partition; when the second member leaves the first owns all again. */
void sem_check_consumer_protocol(kp_ctx_t *ctx, kp_check_t *c)
{
        enum { P = 4, N = 40 };
        const uint32_t all = (1u << P) - 1;
        kp_kvlist_t extra = {0};
        rd_kafka_t *m1 = NULL, *m2 = NULL, *prod = NULL;
        kip848_t st;
        kp_err_t err;
        kp_kc_dr_t dr = {0};
        char topic[256] = "", group[256];
        uint32_t a1 = 0, a2 = 0, s1 = 0, s2 = 0;
        int64_t t0, join_ms = -1, split_ms = -1, leave_ms = -1, deadline;
        int i;

        memset(&st, 0, sizeof(st));
        st.c = c;
        if (sem_topic(ctx, c, "consumer-protocol", P, NULL, topic, sizeof(topic)) < 0)
                goto out;
        sem_group_name(ctx, c, group, sizeof(group));
        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "group.protocol", "consumer");
        kp_kvlist_set(&extra, "auto.offset.reset", "earliest");
        m1 = sem_consumer(ctx, c, &extra);
        m2 = m1 ? sem_consumer(ctx, c, &extra) : NULL;
        if (!m2)
                goto out;
        t0 = kp_mono_ns();
        if (kp_kc_subscribe(m1, topic, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        deadline = t0 + (int64_t)GAPI_TIMEOUT_MS * KP_NS_PER_MS;
        while (kp_mono_ns() < deadline && (a1 = assigned_mask(m1)) != all) {
                poll_member(&st, m1, 0);
                if (st.first_err && (kp_kc_api_unsupported(st.first_err) ||
                                     st.first_err == RD_KAFKA_RESP_ERR_UNSUPPORTED_ASSIGNOR ||
                                     st.first_err == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND ||
                                     rd_kafka_fatal_error(m1, st.first_msg, 0)))
                        break;
        }
        if (a1 != all) {
                if (st.first_err && kp_kc_api_unsupported(st.first_err))
                        kp_check_skip(c,
                                      "the platform refuses the KIP-848 consumer group protocol "
                                      "(group.protocol=consumer): %s: %s",
                                      rd_kafka_err2name(st.first_err), st.first_msg);
                else
                        kp_check_fail(c,
                                      "with group.protocol=consumer the only member owns "
                                      "partitions 0x%x of 0x%x after %d ms%s%s",
                                      a1, all, GAPI_TIMEOUT_MS,
                                      st.first_err ? "; first error: " : "",
                                      st.first_err ? st.first_msg : "");
                goto out;
        }
        join_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        kp_check_note(c, "member 1 owns all %d partitions after %lld ms (rebalance protocol %s)", P,
                      (long long)join_ms, rd_kafka_rebalance_protocol(m1));
        t0 = kp_mono_ns();
        if (kp_kc_subscribe(m2, topic, &err) < 0) {
                kp_check_error(c, "%s", err.msg);
                goto out;
        }
        deadline = t0 + (int64_t)GAPI_TIMEOUT_MS * KP_NS_PER_MS;
        while (kp_mono_ns() < deadline) {
                poll_member(&st, m1, 0);
                poll_member(&st, m2, 1);
                a1 = assigned_mask(m1);
                a2 = assigned_mask(m2);
                if (a1 & a2) {
                        kp_check_fail(c, "partitions 0x%x were owned by both members at once",
                                      a1 & a2);
                        goto out;
                }
                if (a1 && a2 && (a1 | a2) == all)
                        break;
        }
        if (!a1 || !a2 || (a1 | a2) != all) {
                kp_check_fail(c,
                              "%d ms after a second member joined the assignment is 0x%x and "
                              "0x%x (expected the %d partitions split between both)",
                              GAPI_TIMEOUT_MS, a1, a2, P);
                goto out;
        }
        split_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        s1 = a1;
        s2 = a2;
        kp_check_note(c, "after the second member joined: member 1 owns 0x%x, member 2 owns 0x%x",
                      a1, a2);
        /* records produced now are read once, by the owner of their partition */
        prod = sem_tracked_producer(ctx, c, NULL, &dr, N);
        if (!prod)
                goto out;
        for (i = 0; i < N; i++) {
                char v[32];
                int len = snprintf(v, sizeof(v), "kip848-%d", i);
                if (sem_produce(prod, c, topic, i % P, v, (size_t)len, 0, (size_t)i) < 0)
                        goto out;
        }
        if (sem_flush(prod, c, GAPI_TIMEOUT_MS) < 0)
                goto out;
        if (dr.failed) {
                kp_check_error(c, "%zu of %d records failed delivery", dr.failed, N);
                goto out;
        }
        deadline = kp_mono_ns() + 15 * KP_NS_PER_S;
        while (kp_mono_ns() < deadline && st.records[0] + st.records[1] < N) {
                poll_member(&st, m1, 0);
                poll_member(&st, m2, 1);
        }
        /* a little longer: a record read twice would show now */
        for (i = 0; i < 10; i++) {
                poll_member(&st, m1, 0);
                poll_member(&st, m2, 1);
        }
        kp_check_measure(c, "join_ms", (double)join_ms, "ms");
        kp_check_measure(c, "second_member_rebalance_ms", (double)split_ms, "ms");
        kp_check_measure(c, "records_member_1", (double)st.records[0], "records");
        kp_check_measure(c, "records_member_2", (double)st.records[1], "records");
        if (st.records[0] + st.records[1] != N) {
                kp_check_fail(c, "the two members read %ld and %ld of %d records", st.records[0],
                              st.records[1], N);
                goto out;
        }
        if ((st.read_from[0] & ~a1) || (st.read_from[1] & ~a2)) {
                kp_check_fail(c, "a member read partitions it does not own (0x%x, 0x%x)",
                              st.read_from[0], st.read_from[1]);
                goto out;
        }
        /* the second member leaves: the first owns everything again */
        t0 = kp_mono_ns();
        rd_kafka_consumer_close(m2);
        deadline = t0 + (int64_t)GAPI_TIMEOUT_MS * KP_NS_PER_MS;
        while (kp_mono_ns() < deadline && (a1 = assigned_mask(m1)) != all)
                poll_member(&st, m1, 0);
        if (a1 != all) {
                kp_check_fail(c, "%d ms after the second member left the first owns 0x%x",
                              GAPI_TIMEOUT_MS, a1);
                goto out;
        }
        leave_ms = (kp_mono_ns() - t0) / KP_NS_PER_MS;
        kp_check_measure(c, "leave_rebalance_ms", (double)leave_ms, "ms");
        kp_check_pass(c,
                      "with group.protocol=consumer one member got all %d partitions in %lld ms; "
                      "a second member joined and the partitions were split 0x%x/0x%x in %lld ms "
                      "with none owned twice; the %d records were read once each (%ld/%ld) by the "
                      "owner of their partition; after the second member left the first owned all "
                      "again in %lld ms",
                      P, (long long)join_ms, s1, s2, (long long)split_ms, N, st.records[0],
                      st.records[1], (long long)leave_ms);
out:
        kp_kc_close(prod);
        kp_kc_close(m2);
        kp_kc_close(m1);
        sem_topic_drop(ctx, c, topic);
        kp_kc_dr_release(&dr);
        kp_kvlist_clear(&extra);
}
