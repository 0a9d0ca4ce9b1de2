/*
 * semantics.delete-groups: Group admin: list and describe an empty group,
 * OffsetDelete one partition's offset, DeleteGroups the group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"

/* The answer of a group admin call on q: the event, or NULL with the request's
 * error in *code and msg (left as they are when there was no answer). */
static rd_kafka_event_t *group_answer(rd_kafka_queue_t *q, rd_kafka_event_type_t type,
                                      rd_kafka_resp_err_t *code, char *msg, size_t size)
{
        rd_kafka_event_t *ev = kp_kc_admin_wait(q, type, GAPI_TIMEOUT_MS);

        if (ev && rd_kafka_event_error(ev)) {
                *code = rd_kafka_event_error(ev);
                snprintf(msg, size, "%s", rd_kafka_event_error_string(ev));
                rd_kafka_event_destroy(ev);
                return NULL;
        }
        return ev;
}

/* The options (request timeout GAPI_TIMEOUT_MS) and reply queue of a group
 * admin request of type op; msg says "no answer" until one comes. End it
 * with kp_kc_admin_end. */
static rd_kafka_queue_t *group_request(rd_kafka_t *rk, rd_kafka_admin_op_t op,
                                       rd_kafka_AdminOptions_t **opts, char *msg, size_t size)
{
        *opts = rd_kafka_AdminOptions_new(rk, op);
        rd_kafka_AdminOptions_set_request_timeout(*opts, GAPI_TIMEOUT_MS, NULL, 0);
        snprintf(msg, size, "no answer");
        return rd_kafka_queue_new(rk);
}

/* The first error of a group result (the group's or a partition's). */
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
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_queue_t *q =
            group_request(rk, RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, &opts, msg, size);
        const rd_kafka_group_result_t **gr;
        rd_kafka_event_t *ev;
        rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        size_t n;

        rd_kafka_topic_partition_list_add(l, topic, 0);
        d = rd_kafka_DeleteConsumerGroupOffsets_new(group, l);
        rd_kafka_DeleteConsumerGroupOffsets(rk, &d, 1, opts, q);
        ev = group_answer(q, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT, &e, msg, size);
        if (ev) {
                gr = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
                    rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &n);
                e = n == 1 ? group_result_err(gr[0], msg, size) : RD_KAFKA_RESP_ERR__FAIL;
        }
        kp_kc_admin_end(ev, q, opts);
        rd_kafka_DeleteConsumerGroupOffsets_destroy(d);
        rd_kafka_topic_partition_list_destroy(l);
        return e;
}

static rd_kafka_resp_err_t group_delete(rd_kafka_t *rk, const char *group, char *msg, size_t size)
{
        rd_kafka_DeleteGroup_t *d = rd_kafka_DeleteGroup_new(group);
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_queue_t *q = group_request(rk, RD_KAFKA_ADMIN_OP_DELETEGROUPS, &opts, msg, size);
        const rd_kafka_group_result_t **gr;
        rd_kafka_event_t *ev;
        rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        size_t n;

        rd_kafka_DeleteGroups(rk, &d, 1, opts, q);
        ev = group_answer(q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT, &e, msg, size);
        if (ev) {
                gr =
                    rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
                e = n == 1 ? group_result_err(gr[0], msg, size) : RD_KAFKA_RESP_ERR__FAIL;
        }
        kp_kc_admin_end(ev, q, opts);
        rd_kafka_DeleteGroup_destroy(d);
        return e;
}

/* ListConsumerGroups: 1 with the group's state when `group` is listed, 0
 * when not, -1 on error (code in *code, message in msg). */
static int group_listed(rd_kafka_t *rk, const char *group, rd_kafka_consumer_group_state_t *state,
                        rd_kafka_resp_err_t *code, char *msg, size_t size)
{
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_queue_t *q =
            group_request(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, &opts, msg, size);
        rd_kafka_event_t *ev;
        size_t n, ne, i;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR__TIMED_OUT;
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
        kp_kc_admin_end(ev, q, opts);
        return rc;
}

/* DescribeConsumerGroups of one group: its state and member count, or the
 * error code (message in msg). */
static rd_kafka_resp_err_t group_describe(rd_kafka_t *rk, const char *group,
                                          rd_kafka_consumer_group_state_t *state, int *members,
                                          char *msg, size_t size)
{
        rd_kafka_AdminOptions_t *opts;
        rd_kafka_queue_t *q =
            group_request(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, &opts, msg, size);
        const rd_kafka_ConsumerGroupDescription_t **gd;
        rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        rd_kafka_event_t *ev;
        size_t n;

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
        kp_kc_admin_end(ev, q, opts);
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
        sem_group_name(ctx, c, group, sizeof(group));
        cons = sem_group_consumer(ctx, c, group);
        adm = cons ? sem_admin_client(ctx, c) : NULL;
        if (!adm)
                goto out;
        e = sem_commit_offsets(cons, topic, offs_in, NULL, 2, &pe);
        if (e || pe) {
                kp_check_error(c, "setup OffsetCommit refused: %s", rd_kafka_err2name(e ? e : pe));
                goto out;
        }
        /* ListGroups and DescribeGroups show the group: empty, no member */
        listed = group_listed(adm, group, &list_state, &e, msg, sizeof(msg));
        if (listed < 0) {
                if (!sem_api_unsupported(c, e, "ListGroups", msg))
                        kp_check_fail(c, "ListConsumerGroups failed: %s", msg);
                goto out;
        }
        e = group_describe(adm, group, &desc_state, &members, msg, sizeof(msg));
        if (e) {
                if (!sem_api_unsupported(c, e, "DescribeGroups", msg))
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
                if (!sem_api_unsupported(c, e, "OffsetDelete", msg))
                        kp_check_fail(c, "OffsetDelete of %s [0] in group %s failed: %s", topic,
                                      group, msg);
                goto out;
        }
        e = sem_read_committed(cons, topic, 2, after_od, NULL);
        if (e) {
                kp_check_fail(c, "OffsetFetch after OffsetDelete failed: %s", rd_kafka_err2name(e));
                goto out;
        }
        e = group_delete(adm, group, msg, sizeof(msg));
        if (e) {
                if (!sem_api_unsupported(c, e, "DeleteGroups", msg))
                        kp_check_fail(c, "DeleteGroups of %s failed: %s", group, msg);
                goto out;
        }
        e = sem_read_committed(cons, topic, 2, after_dg, NULL);
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
        kp_kc_close(cons);
        kp_kc_close(adm);
        sem_topic_drop(ctx, c, topic);
}
