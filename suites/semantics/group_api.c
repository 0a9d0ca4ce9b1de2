/*
 * Group APIs clients rely on beyond join and commit: the metadata string of
 * an OffsetCommit is read back by committed(); ListGroups and DescribeGroups
 * show an empty group; OffsetDelete removes one partition's committed offset
 * and DeleteGroups the whole group; and the
 * KIP-848 consumer group protocol (group.protocol=consumer) assigns every
 * partition to a single member and rebalances when a second one joins and
 * leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"
#include "platform/kafka.h"
#include "platform/platform.h"
#include "util/timeutil.h"

#define GAPI_TIMEOUT_MS 30000

static rd_kafka_t *group_consumer(kp_ctx_t *ctx, kp_check_t *c, const char *group)
{
        kp_kvlist_t extra = {0};
        rd_kafka_t *rk;

        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "enable.auto.commit", "false");
        rk = sem_consumer(ctx, c, &extra);
        kp_kvlist_clear(&extra);
        return rk;
}

static void group_name(kp_ctx_t *ctx, kp_check_t *c, char *out, size_t size)
{
        snprintf(out, size, "kproof-%s-%s", ctx->run_id, kp_check_id(c));
}

/* Commits offsets (and metadata strings, NULL for none) of partitions 0..n-1
 * synchronously with a consumer that is no member (generation -1, as a
 * simple consumer or an admin tool commits). */
static rd_kafka_resp_err_t commit_offsets(rd_kafka_t *rk, const char *topic, const int64_t *offs,
                                          const char *const *meta, int n,
                                          rd_kafka_resp_err_t *part_err)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
        rd_kafka_resp_err_t e;
        int i;

        for (i = 0; i < n; i++) {
                rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(l, topic, i);
                tp->offset = offs[i];
                if (meta && meta[i]) {
                        tp->metadata = strdup(meta[i]);
                        tp->metadata_size = strlen(meta[i]);
                }
        }
        e = rd_kafka_commit(rk, l, 0);
        *part_err = RD_KAFKA_RESP_ERR_NO_ERROR;
        for (i = 0; i < l->cnt; i++)
                if (l->elems[i].err && !*part_err)
                        *part_err = l->elems[i].err;
        rd_kafka_topic_partition_list_destroy(l);
        return e;
}

/* Committed offsets of partitions 0..n-1 into offs (and a copy of each
 * metadata string into meta[i], caller frees, when meta is not NULL). */
static rd_kafka_resp_err_t read_committed(rd_kafka_t *rk, const char *topic, int n, int64_t *offs,
                                          char **meta)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
        rd_kafka_resp_err_t e;
        int i;

        for (i = 0; i < n; i++)
                rd_kafka_topic_partition_list_add(l, topic, i);
        e = rd_kafka_committed(rk, l, 10000);
        for (i = 0; i < n && !e; i++) {
                const rd_kafka_topic_partition_t *tp =
                    rd_kafka_topic_partition_list_find(l, topic, i);
                if (!tp || tp->err) {
                        e = tp ? tp->err : RD_KAFKA_RESP_ERR__FAIL;
                        break;
                }
                offs[i] = tp->offset;
                if (meta) {
                        meta[i] = malloc(tp->metadata_size + 1);
                        if (meta[i]) {
                                if (tp->metadata_size)
                                        memcpy(meta[i], tp->metadata, tp->metadata_size);
                                meta[i][tp->metadata_size] = '\0';
                        }
                }
        }
        rd_kafka_topic_partition_list_destroy(l);
        return e;
}

/* OffsetCommit with a metadata string (UTF-8, JSON-like, as stream
 * processors store their state there) on one partition and none on the
 * other; a new consumer of the group reads both back with committed(). */
void sem_check_commit_metadata(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const meta_in[2] = {
            "kproof {\"epoch\":7,\"note\":\"caf\xc3\xa9 \xe2\x9c\x93\"}", NULL};
        const int64_t offs_in[2] = {5, 11};
        rd_kafka_t *a = NULL, *b = NULL;
        rd_kafka_resp_err_t e, pe;
        char topic[256] = "", group[256];
        char *meta_out[2] = {NULL, NULL};
        int64_t offs_out[2] = {-1, -1};

        if (sem_topic(ctx, c, "commit-metadata", 2, NULL, topic, sizeof(topic)) < 0)
                goto out;
        group_name(ctx, c, group, sizeof(group));
        a = group_consumer(ctx, c, group);
        if (!a)
                goto out;
        e = commit_offsets(a, topic, offs_in, meta_in, 2, &pe);
        if (e || pe) {
                kp_check_fail(c, "OffsetCommit with metadata refused: %s",
                              rd_kafka_err2name(e ? e : pe));
                goto out;
        }
        b = group_consumer(ctx, c, group);
        if (!b)
                goto out;
        e = read_committed(b, topic, 2, offs_out, meta_out);
        if (e) {
                kp_check_fail(c, "OffsetFetch of the group failed: %s", rd_kafka_err2name(e));
                goto out;
        }
        kp_check_note(c,
                      "read back: [0] offset %lld metadata \"%s\"; [1] offset %lld metadata \"%s\"",
                      (long long)offs_out[0], meta_out[0] ? meta_out[0] : "(none)",
                      (long long)offs_out[1], meta_out[1] ? meta_out[1] : "(none)");
        if (offs_out[0] != offs_in[0] || offs_out[1] != offs_in[1])
                kp_check_fail(c,
                              "committed offsets read back as %lld and %lld (committed %lld and "
                              "%lld)",
                              (long long)offs_out[0], (long long)offs_out[1], (long long)offs_in[0],
                              (long long)offs_in[1]);
        else if (!meta_out[0] || strcmp(meta_out[0], meta_in[0]) != 0)
                kp_check_fail(c, "the commit metadata of partition 0 read back as \"%s\"",
                              meta_out[0] ? meta_out[0] : "(none)");
        else if (!meta_out[1] || meta_out[1][0] != '\0')
                kp_check_fail(c, "partition 1 was committed without metadata but reads back \"%s\"",
                              meta_out[1] ? meta_out[1] : "(out of memory)");
        else
                kp_check_pass(c,
                              "a new consumer of the group read back both committed offsets, the "
                              "%zu-byte UTF-8 metadata string byte-exact and no metadata where "
                              "none was committed",
                              strlen(meta_in[0]));
out:
        free(meta_out[0]);
        free(meta_out[1]);
        if (b)
                rd_kafka_destroy(b);
        if (a)
                rd_kafka_destroy(a);
        sem_topic_drop(ctx, c, topic);
}

/* The first error of a group result (the group's or a partition's). */
/* The answer of a group admin call on q: the event, or NULL with the request's
 * error in *code and msg (left as they are when there was no answer). */
static rd_kafka_event_t *group_answer(rd_kafka_queue_t *q, rd_kafka_event_type_t type,
                                      rd_kafka_resp_err_t *code, char *msg, size_t size)
{
        rd_kafka_event_t *ev = sem_admin_wait(q, type, GAPI_TIMEOUT_MS);

        if (ev && rd_kafka_event_error(ev)) {
                *code = rd_kafka_event_error(ev);
                snprintf(msg, size, "%s", rd_kafka_event_error_string(ev));
                rd_kafka_event_destroy(ev);
                return NULL;
        }
        return ev;
}

static rd_kafka_resp_err_t group_result_err(const rd_kafka_group_result_t *g, char *msg,
                                            size_t size)
{
        const rd_kafka_error_t *ge = rd_kafka_group_result_error(g);
        const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(g);
        int i;

        if (ge) {
                snprintf(msg, size, "%s", rd_kafka_error_string(ge));
                return rd_kafka_error_code(ge);
        }
        for (i = 0; parts && i < parts->cnt; i++)
                if (parts->elems[i].err) {
                        snprintf(msg, size, "partition %d: %s", (int)parts->elems[i].partition,
                                 rd_kafka_err2name(parts->elems[i].err));
                        return parts->elems[i].err;
                }
        msg[0] = '\0';
        return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* OffsetDelete of partition 0 of a group; the error code, a message in msg. */
static rd_kafka_resp_err_t offset_delete(rd_kafka_t *rk, const char *group, const char *topic,
                                         char *msg, size_t size)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_DeleteConsumerGroupOffsets_t *d;
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_group_result_t **gr;
        rd_kafka_event_t *ev;
        rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        size_t n;

        snprintf(msg, size, "no answer");
        rd_kafka_topic_partition_list_add(l, topic, 0);
        d = rd_kafka_DeleteConsumerGroupOffsets_new(group, l);
        rd_kafka_AdminOptions_set_request_timeout(opts, GAPI_TIMEOUT_MS, NULL, 0);
        rd_kafka_DeleteConsumerGroupOffsets(rk, &d, 1, opts, q);
        ev = group_answer(q, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT, &e, msg, size);
        if (ev) {
                gr = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
                    rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &n);
                e = n == 1 ? group_result_err(gr[0], msg, size) : RD_KAFKA_RESP_ERR__FAIL;
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_DeleteConsumerGroupOffsets_destroy(d);
        rd_kafka_topic_partition_list_destroy(l);
        return e;
}

static rd_kafka_resp_err_t group_delete(rd_kafka_t *rk, const char *group, char *msg, size_t size)
{
        rd_kafka_DeleteGroup_t *d = rd_kafka_DeleteGroup_new(group);
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETEGROUPS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_group_result_t **gr;
        rd_kafka_event_t *ev;
        rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        size_t n;

        snprintf(msg, size, "no answer");
        rd_kafka_AdminOptions_set_request_timeout(opts, GAPI_TIMEOUT_MS, NULL, 0);
        rd_kafka_DeleteGroups(rk, &d, 1, opts, q);
        ev = group_answer(q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT, &e, msg, size);
        if (ev) {
                gr =
                    rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
                e = n == 1 ? group_result_err(gr[0], msg, size) : RD_KAFKA_RESP_ERR__FAIL;
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_DeleteGroup_destroy(d);
        return e;
}

/* ListConsumerGroups: 1 with the group's state when `group` is listed, 0
 * when not, -1 on error (code in *code, message in msg). */
static int group_listed(rd_kafka_t *rk, const char *group, rd_kafka_consumer_group_state_t *state,
                        rd_kafka_resp_err_t *code, char *msg, size_t size)
{
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_event_t *ev;
        size_t n, ne, i;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR__TIMED_OUT;
        snprintf(msg, size, "no answer");
        rd_kafka_AdminOptions_set_request_timeout(opts, GAPI_TIMEOUT_MS, NULL, 0);
        rd_kafka_ListConsumerGroups(rk, opts, q);
        ev = group_answer(q, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT, code, msg, size);
        if (ev) {
                const rd_kafka_ListConsumerGroups_result_t *res =
                    rd_kafka_event_ListConsumerGroups_result(ev);
                const rd_kafka_error_t **errs = rd_kafka_ListConsumerGroups_result_errors(res, &ne);
                const rd_kafka_ConsumerGroupListing_t **gl =
                    rd_kafka_ListConsumerGroups_result_valid(res, &n);
                rc = 0;
                for (i = 0; i < n; i++)
                        if (strcmp(rd_kafka_ConsumerGroupListing_group_id(gl[i]), group) == 0) {
                                *state = rd_kafka_ConsumerGroupListing_state(gl[i]);
                                rc = 1;
                        }
                *code = RD_KAFKA_RESP_ERR_NO_ERROR;
                if (rc == 0 && ne > 0) {
                        /* a broker did not answer: the group may be on it */
                        *code = rd_kafka_error_code(errs[0]);
                        snprintf(msg, size, "%s", rd_kafka_error_string(errs[0]));
                        rc = -1;
                }
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        return rc;
}

/* DescribeConsumerGroups of one group: its state and member count, or the
 * error code (message in msg). */
static rd_kafka_resp_err_t group_describe(rd_kafka_t *rk, const char *group,
                                          rd_kafka_consumer_group_state_t *state, int *members,
                                          char *msg, size_t size)
{
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_ConsumerGroupDescription_t **gd;
        rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        rd_kafka_event_t *ev;
        size_t n;

        snprintf(msg, size, "no answer");
        rd_kafka_AdminOptions_set_request_timeout(opts, GAPI_TIMEOUT_MS, NULL, 0);
        rd_kafka_DescribeConsumerGroups(rk, &group, 1, opts, q);
        ev = group_answer(q, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, &e, msg, size);
        if (ev) {
                gd = rd_kafka_DescribeConsumerGroups_result_groups(
                    rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
                if (n != 1) {
                        e = RD_KAFKA_RESP_ERR__FAIL;
                        snprintf(msg, size, "%zu groups in the answer", n);
                } else if (rd_kafka_ConsumerGroupDescription_error(gd[0])) {
                        const rd_kafka_error_t *ge = rd_kafka_ConsumerGroupDescription_error(gd[0]);
                        e = rd_kafka_error_code(ge);
                        snprintf(msg, size, "%s", rd_kafka_error_string(ge));
                } else {
                        *state = rd_kafka_ConsumerGroupDescription_state(gd[0]);
                        *members = (int)rd_kafka_ConsumerGroupDescription_member_count(gd[0]);
                        e = RD_KAFKA_RESP_ERR_NO_ERROR;
                }
        }
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
        return e;
}

/* A group with committed offsets on two partitions and no member: OffsetDelete
 * of partition 0 removes that offset only; DeleteGroups removes the group
 * and with it the other offset. */
void sem_check_delete_groups(kp_ctx_t *ctx, kp_check_t *c)
{
        const int64_t offs_in[2] = {3, 4};
        rd_kafka_t *adm = NULL, *cons = NULL;
        rd_kafka_resp_err_t e, pe;
        char topic[256] = "", group[256], msg[512];
        int64_t after_od[2] = {-1, -1}, after_dg[2] = {-1, -1};
        rd_kafka_consumer_group_state_t list_state = RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
        rd_kafka_consumer_group_state_t desc_state = RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
        int listed, listed_after, members = -1;

        if (ctx->plat->no_admin_api) {
                kp_check_skip(c, "%s", ctx->plat->no_admin_api);
                return;
        }
        if (sem_topic(ctx, c, "delete-groups", 2, NULL, topic, sizeof(topic)) < 0)
                goto out;
        group_name(ctx, c, group, sizeof(group));
        cons = group_consumer(ctx, c, group);
        adm = cons ? sem_admin_client(ctx, c) : NULL;
        if (!adm)
                goto out;
        e = commit_offsets(cons, topic, offs_in, NULL, 2, &pe);
        if (e || pe) {
                kp_check_error(c, "setup OffsetCommit refused: %s", rd_kafka_err2name(e ? e : pe));
                goto out;
        }
        /* ListGroups and DescribeGroups show the group: empty, no member */
        listed = group_listed(adm, group, &list_state, &e, msg, sizeof(msg));
        if (listed < 0) {
                if (sem_api_unsupported(e))
                        kp_check_fail(c, "not supported by the platform: ListGroups (%s)", msg);
                else
                        kp_check_fail(c, "ListConsumerGroups failed: %s", msg);
                goto out;
        }
        e = group_describe(adm, group, &desc_state, &members, msg, sizeof(msg));
        if (e) {
                if (sem_api_unsupported(e))
                        kp_check_fail(c, "not supported by the platform: DescribeGroups (%s)", msg);
                else
                        kp_check_fail(c, "DescribeConsumerGroups of %s failed: %s", group, msg);
                goto out;
        }
        kp_check_note(c,
                      "before DeleteGroups: %s in ListConsumerGroups (%s); described %s with %d "
                      "member(s)",
                      listed ? "listed" : "not listed",
                      rd_kafka_consumer_group_state_name(list_state),
                      rd_kafka_consumer_group_state_name(desc_state), members);
        if (!listed || desc_state != RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY || members != 0) {
                kp_check_fail(c,
                              "the group with committed offsets and no member is %s by "
                              "ListConsumerGroups and described as %s with %d member(s) "
                              "(expected listed, Empty, 0)",
                              listed ? "listed" : "not listed",
                              rd_kafka_consumer_group_state_name(desc_state), members);
                goto out;
        }
        e = offset_delete(adm, group, topic, msg, sizeof(msg));
        if (e) {
                if (sem_api_unsupported(e))
                        kp_check_fail(c, "not supported by the platform: OffsetDelete (%s)", msg);
                else
                        kp_check_fail(c, "OffsetDelete of %s [0] in group %s failed: %s", topic,
                                      group, msg);
                goto out;
        }
        e = read_committed(cons, topic, 2, after_od, NULL);
        if (e) {
                kp_check_fail(c, "OffsetFetch after OffsetDelete failed: %s", rd_kafka_err2name(e));
                goto out;
        }
        e = group_delete(adm, group, msg, sizeof(msg));
        if (e) {
                if (sem_api_unsupported(e))
                        kp_check_fail(c, "not supported by the platform: DeleteGroups (%s)", msg);
                else
                        kp_check_fail(c, "DeleteGroups of %s failed: %s", group, msg);
                goto out;
        }
        e = read_committed(cons, topic, 2, after_dg, NULL);
        if (e) {
                kp_check_fail(c, "OffsetFetch after DeleteGroups failed: %s", rd_kafka_err2name(e));
                goto out;
        }
        listed_after = group_listed(adm, group, &list_state, &e, msg, sizeof(msg));
        if (listed_after < 0) {
                kp_check_fail(c, "ListConsumerGroups after DeleteGroups failed: %s", msg);
                goto out;
        }
        kp_check_note(c,
                      "committed [0]=%lld [1]=%lld; after OffsetDelete of [0]: %lld, %lld; after "
                      "DeleteGroups: %lld, %lld (%d = no committed offset)",
                      (long long)offs_in[0], (long long)offs_in[1], (long long)after_od[0],
                      (long long)after_od[1], (long long)after_dg[0], (long long)after_dg[1],
                      RD_KAFKA_OFFSET_INVALID);
        if (after_od[0] != RD_KAFKA_OFFSET_INVALID)
                kp_check_fail(c, "after OffsetDelete partition 0 still has committed offset %lld",
                              (long long)after_od[0]);
        else if (after_od[1] != offs_in[1])
                kp_check_fail(c,
                              "OffsetDelete of partition 0 changed partition 1's committed offset "
                              "to %lld",
                              (long long)after_od[1]);
        else if (after_dg[0] != RD_KAFKA_OFFSET_INVALID || after_dg[1] != RD_KAFKA_OFFSET_INVALID)
                kp_check_fail(c,
                              "after DeleteGroups the group still has committed offsets %lld "
                              "and %lld",
                              (long long)after_dg[0], (long long)after_dg[1]);
        else if (listed_after)
                kp_check_fail(c, "after DeleteGroups ListConsumerGroups still lists the group (%s)",
                              rd_kafka_consumer_group_state_name(list_state));
        else
                kp_check_pass(c,
                              "ListConsumerGroups and DescribeConsumerGroups showed the group "
                              "Empty with no member; OffsetDelete removed partition 0's "
                              "committed offset and kept partition 1's; DeleteGroups removed the "
                              "group (no longer listed) and its last committed offset");
out:
        if (cons)
                rd_kafka_destroy(cons);
        if (adm)
                rd_kafka_destroy(adm);
        sem_topic_drop(ctx, c, topic);
}

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
        rd_kafka_topic_partition_list_t *sub = NULL;
        rd_kafka_resp_err_t e;
        kip848_t st;
        sem_dr_t dr = {0};
        char topic[256] = "", group[256];
        uint32_t a1 = 0, a2 = 0, s1 = 0, s2 = 0;
        int64_t t0, join_ms = -1, split_ms = -1, leave_ms = -1, deadline;
        int i;

        memset(&st, 0, sizeof(st));
        st.c = c;
        if (sem_topic(ctx, c, "consumer-protocol", P, NULL, topic, sizeof(topic)) < 0)
                goto out;
        group_name(ctx, c, group, sizeof(group));
        kp_kvlist_set(&extra, "group.id", group);
        kp_kvlist_set(&extra, "group.protocol", "consumer");
        kp_kvlist_set(&extra, "auto.offset.reset", "earliest");
        m1 = sem_consumer(ctx, c, &extra);
        m2 = m1 ? sem_consumer(ctx, c, &extra) : NULL;
        if (!m2)
                goto out;
        sub = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
        t0 = kp_mono_ns();
        if ((e = rd_kafka_subscribe(m1, sub))) {
                kp_check_error(c, "subscribe: %s", rd_kafka_err2str(e));
                goto out;
        }
        deadline = t0 + (int64_t)GAPI_TIMEOUT_MS * KP_NS_PER_MS;
        while (kp_mono_ns() < deadline && (a1 = assigned_mask(m1)) != all) {
                poll_member(&st, m1, 0);
                if (st.first_err && (sem_api_unsupported(st.first_err) ||
                                     st.first_err == RD_KAFKA_RESP_ERR_UNSUPPORTED_ASSIGNOR ||
                                     st.first_err == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND ||
                                     rd_kafka_fatal_error(m1, st.first_msg, 0)))
                        break;
        }
        if (a1 != all) {
                if (st.first_err && sem_api_unsupported(st.first_err))
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
        if ((e = rd_kafka_subscribe(m2, sub))) {
                kp_check_error(c, "subscribe: %s", rd_kafka_err2str(e));
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
        if (sem_dr_init(&dr, N) < 0) {
                kp_check_error(c, "out of memory");
                goto out;
        }
        prod = sem_producer(ctx, c, NULL, &dr);
        if (!prod)
                goto out;
        for (i = 0; i < N; i++) {
                char v[32];
                int len = snprintf(v, sizeof(v), "kip848-%d", i);
                e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(i % P),
                                      RD_KAFKA_V_VALUE(v, (size_t)len),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_OPAQUE((void *)(uintptr_t)i), RD_KAFKA_V_END);
                if (e) {
                        kp_check_error(c, "produce: %s", rd_kafka_err2str(e));
                        goto out;
                }
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
        if (sub)
                rd_kafka_topic_partition_list_destroy(sub);
        if (prod)
                rd_kafka_destroy(prod);
        if (m2)
                rd_kafka_destroy(m2);
        if (m1) {
                rd_kafka_consumer_close(m1);
                rd_kafka_destroy(m1);
        }
        sem_topic_drop(ctx, c, topic);
        sem_dr_release(&dr);
        kp_kvlist_clear(&extra);
}
