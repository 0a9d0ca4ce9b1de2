#include "platform/kclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/kafka.h"
#include "util/timeutil.h"

int kp_kc_dr_init(kp_kc_dr_t *dr, size_t cap, kp_err_t *err)
{
        size_t i;

        memset(dr, 0, sizeof(*dr));
        dr->cap = cap;
        dr->err = calloc(cap ? cap : 1, sizeof(*dr->err));
        dr->partition = calloc(cap ? cap : 1, sizeof(*dr->partition));
        dr->offset = calloc(cap ? cap : 1, sizeof(*dr->offset));
        if (!dr->err || !dr->partition || !dr->offset) {
                kp_kc_dr_release(dr);
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        }
        for (i = 0; i < cap; i++) {
                dr->err[i] = RD_KAFKA_RESP_ERR__IN_PROGRESS;
                dr->offset[i] = -1;
                dr->partition[i] = -1;
        }
        return 0;
}

void kp_kc_dr_release(kp_kc_dr_t *dr)
{
        free(dr->stats);
        free(dr->err);
        free(dr->partition);
        free(dr->offset);
        memset(dr, 0, sizeof(*dr));
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        kp_kc_dr_t *dr = opaque;
        size_t i = (size_t)(uintptr_t)m->_private;
        (void)rk;

        if (!dr || i >= dr->cap)
                return;
        dr->err[i] = m->err;
        dr->partition[i] = m->partition;
        dr->offset[i] = m->offset;
        dr->delivered++;
        if (m->err && dr->failed++ == 0) {
                dr->first_err = m->err;
                dr->first_failed = i;
        }
}

static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
        kp_kc_dr_t *dr = opaque;
        char *copy = malloc(len + 1);
        (void)rk;

        if (copy) {
                memcpy(copy, json, len);
                copy[len] = '\0';
                free(dr->stats);
                dr->stats = copy;
        }
        return 0;
}

rd_kafka_t *kp_kc_producer(const kp_kvlist_t *props, kp_kc_dr_t *dr, kp_err_t *err)
{
        rd_kafka_conf_t *conf = kp_kafka_conf_new(props, err);

        if (!conf)
                return NULL;
        if (dr) {
                rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
                rd_kafka_conf_set_stats_cb(conf, stats_cb);
                rd_kafka_conf_set_opaque(conf, dr);
        }
        return kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
}

rd_kafka_t *kp_kc_consumer(const kp_kvlist_t *props, kp_err_t *err)
{
        kp_kvlist_t all = {0};
        rd_kafka_conf_t *conf;

        kp_kvlist_set(&all, "enable.partition.eof", "false");
        kp_kvlist_merge(&all, props);
        conf = kp_kafka_conf_new(&all, err);
        kp_kvlist_clear(&all);
        return conf ? kp_kafka_new(RD_KAFKA_CONSUMER, conf, err) : NULL;
}

rd_kafka_t *kp_kc_reader(const kp_kvlist_t *props, const char *group, kp_err_t *err)
{
        kp_kvlist_t all = {0};
        rd_kafka_t *rk;

        kp_kvlist_merge(&all, props);
        kp_kvlist_set(&all, "group.id", group);
        kp_kvlist_set(&all, "enable.auto.commit", "false");
        kp_kvlist_set(&all, "auto.offset.reset", "earliest");
        rk = kp_kc_consumer(&all, err);
        kp_kvlist_clear(&all);
        return rk;
}

rd_kafka_t *kp_kc_admin(const kp_kvlist_t *props, kp_err_t *err)
{
        return kp_kc_producer(props, NULL, err);
}

void kp_kc_close(rd_kafka_t *rk)
{
        if (!rk)
                return;
        if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER && !rd_kafka_consumer_closed(rk))
                rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
}

int kp_kc_produce(rd_kafka_t *rk, const char *topic, int32_t partition, const void *key,
                  size_t key_len, const void *value, size_t value_len, int64_t ts, size_t idx,
                  kp_err_t *err)
{
        rd_kafka_resp_err_t e;

        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                      RD_KAFKA_V_KEY(key, key ? key_len : 0),
                                      RD_KAFKA_V_VALUE((void *)value, value_len),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_TIMESTAMP(ts),
                                      RD_KAFKA_V_OPAQUE((void *)(uintptr_t)idx), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 10);
        if (e) {
                if (partition == RD_KAFKA_PARTITION_UA)
                        return kp_err_set(err, KP_EINFRA, "produce to %s: %s", topic,
                                          rd_kafka_err2str(e));
                return kp_err_set(err, KP_EINFRA, "produce to %s [%d]: %s", topic, (int)partition,
                                  rd_kafka_err2str(e));
        }
        rd_kafka_poll(rk, 0);
        return 0;
}

int kp_kc_flush(rd_kafka_t *rk, int timeout_ms, kp_err_t *err)
{
        rd_kafka_resp_err_t e = rd_kafka_flush(rk, timeout_ms);

        if (e)
                return kp_err_set(err, KP_EINFRA,
                                  "producer flush: %d message(s) still in flight after %d ms (%s)",
                                  rd_kafka_outq_len(rk), timeout_ms, rd_kafka_err2name(e));
        return 0;
}

long kp_kc_read_partition(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t offset,
                          long n, int timeout_ms, kp_kc_msg_fn fn, void *opaque)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        int64_t deadline;
        long got = 0;

        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
        while (got < n && kp_mono_ns() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                int stop = 0;
                if (!m)
                        continue;
                if (!m->err) {
                        got++;
                        deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
                        if (fn)
                                stop = fn(opaque, m);
                }
                rd_kafka_message_destroy(m);
                if (stop)
                        break;
        }
        rd_kafka_assign(rk, NULL);
        return got;
}

typedef struct to_high {
        int64_t high, last;
        kp_kc_msg_fn fn;
        void *opaque;
} to_high_t;

static int to_high_cb(void *opaque, const rd_kafka_message_t *m)
{
        to_high_t *t = opaque;
        int stop = t->fn ? t->fn(t->opaque, m) : 0;

        t->last = m->offset;
        return stop || m->offset + 1 >= t->high;
}

long kp_kc_read_to_high(rd_kafka_t *rk, const char *topic, int32_t partition, int timeout_ms,
                        kp_kc_msg_fn fn, void *opaque, int64_t *high, kp_err_t *err)
{
        to_high_t t = {0, -1, fn, opaque};
        int64_t low;
        long got;

        if (kp_kafka_watermarks(rk, topic, partition, &low, &t.high, timeout_ms, err) < 0)
                return -1;
        if (high)
                *high = t.high;
        if (t.high <= low)
                return 0;
        /* at most high - low records; reading stops at offset high - 1 */
        got = kp_kc_read_partition(rk, topic, partition, low, t.high - low, timeout_ms, to_high_cb,
                                   &t);
        if (t.last + 1 < t.high && got < t.high - low) {
                kp_err_set(err, KP_EINFRA,
                           "%s [%d]: read %ld record(s) up to offset %lld of high watermark %lld, "
                           "then nothing for %d ms",
                           topic, (int)partition, got, (long long)t.last, (long long)t.high,
                           timeout_ms);
                return -1;
        }
        return got;
}

int kp_kc_subscribe(rd_kafka_t *rk, const char *topic, kp_err_t *err)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_resp_err_t e;

        rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
        e = rd_kafka_subscribe(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        if (e)
                return kp_err_set(err, KP_EINFRA, "subscribe to %s: %s", topic,
                                  rd_kafka_err2name(e));
        return 0;
}

static int assigned(rd_kafka_t *rk)
{
        rd_kafka_topic_partition_list_t *l = NULL;
        int n = 0;

        if (rd_kafka_assignment(rk, &l) == RD_KAFKA_RESP_ERR_NO_ERROR && l)
                n = l->cnt;
        if (l)
                rd_kafka_topic_partition_list_destroy(l);
        return n;
}

int kp_kc_poll(rd_kafka_t *rk, int timeout_ms, kp_kc_msg_fn fn, void *opaque)
{
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;

        while (kp_mono_ns() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                int stop;
                if (!m)
                        continue;
                stop = !m->err && fn(opaque, m);
                rd_kafka_message_destroy(m);
                if (stop)
                        return 1;
        }
        return 0;
}

int kp_kc_subscribe_wait(rd_kafka_t *rk, const char *topic, int timeout_ms, kp_kc_msg_fn fn,
                         void *opaque, kp_err_t *err)
{
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;

        if (kp_kc_subscribe(rk, topic, err) < 0)
                return -1;
        while (!assigned(rk)) {
                rd_kafka_message_t *m;
                if (kp_mono_ns() >= deadline)
                        return kp_err_set(err, KP_EINFRA,
                                          "subscribed to %s: no partition assigned within %d ms",
                                          topic, timeout_ms);
                m = rd_kafka_consumer_poll(rk, 100);
                if (!m)
                        continue;
                if (!m->err && fn)
                        fn(opaque, m);
                rd_kafka_message_destroy(m);
        }
        return 0;
}

void kp_kc_admin_end(rd_kafka_event_t *ev, rd_kafka_queue_t *q, rd_kafka_AdminOptions_t *opts)
{
        if (ev)
                rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_AdminOptions_destroy(opts);
}

rd_kafka_event_t *kp_kc_admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t type, int timeout_ms)
{
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;

        while (kp_mono_ns() < deadline) {
                rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 200);
                if (!ev)
                        continue;
                if (rd_kafka_event_type(ev) == type)
                        return ev;
                rd_kafka_event_destroy(ev);
        }
        return NULL;
}

rd_kafka_event_t *kp_kc_admin_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type,
                                     int timeout_ms, const char *what, const char *subject,
                                     rd_kafka_resp_err_t *code, kp_err_t *err)
{
        rd_kafka_event_t *ev = kp_kc_admin_wait(q, type, timeout_ms);

        if (!ev) {
                kp_err_set(err, KP_EINFRA, "%s %s: no answer", what, subject);
                return NULL;
        }
        if (rd_kafka_event_error(ev)) {
                if (code)
                        *code = rd_kafka_event_error(ev);
                kp_err_set(err, KP_EINFRA, "%s %s: %s", what, subject,
                           rd_kafka_event_error_string(ev));
                rd_kafka_event_destroy(ev);
                return NULL;
        }
        return ev;
}

int kp_kc_api_unsupported(rd_kafka_resp_err_t code)
{
        return code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
               code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION;
}

int kp_kc_describe_topic_configs(rd_kafka_t *rk, const char *topic, int timeout_ms,
                                 kp_kvlist_t *values, kp_kvlist_t *sources,
                                 rd_kafka_resp_err_t *code, kp_err_t *err)
{
        rd_kafka_ConfigResource_t *res =
            rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_ConfigResource_t **rres;
        const rd_kafka_ConfigEntry_t **entries;
        rd_kafka_event_t *ev;
        size_t n, ne, i;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_DescribeConfigs(rk, &res, 1, opts, q);
        ev = kp_kc_admin_result(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, timeout_ms,
                                "DescribeConfigs", topic, NULL, err);
        if (!ev)
                goto out;
        rres = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev),
                                                         &n);
        if (n == 1)
                *code = rd_kafka_ConfigResource_error(rres[0]);
        if (n != 1 || rd_kafka_ConfigResource_error(rres[0])) {
                kp_err_set(err, KP_EINFRA, "DescribeConfigs %s: %s", topic,
                           n == 1 ? rd_kafka_err2name(rd_kafka_ConfigResource_error(rres[0]))
                                  : "no resource in the answer");
                goto out;
        }
        entries = rd_kafka_ConfigResource_configs(rres[0], &ne);
        for (i = 0; i < ne; i++) {
                const char *name = rd_kafka_ConfigEntry_name(entries[i]);
                const char *value = rd_kafka_ConfigEntry_value(entries[i]);
                kp_kvlist_set(values, name, value ? value : "");
                kp_kvlist_set(sources, name,
                              rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(entries[i])));
        }
        rc = 0;
out:
        kp_kc_admin_end(ev, q, opts);
        rd_kafka_ConfigResource_destroy(res);
        return rc;
}

int kp_kc_alter_topic_configs(rd_kafka_t *rk, const char *topic, const kp_kvlist_t *ops,
                              rd_kafka_AlterConfigOpType_t op, int timeout_ms,
                              rd_kafka_resp_err_t *code, kp_err_t *err)
{
        rd_kafka_ConfigResource_t *res =
            rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_ConfigResource_t **rres;
        rd_kafka_event_t *ev = NULL;
        size_t n, i;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR_NO_ERROR;
        for (i = 0; i < ops->n; i++) {
                rd_kafka_error_t *e = rd_kafka_ConfigResource_add_incremental_config(
                    res, ops->items[i].key, op,
                    op == RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE ? NULL : ops->items[i].value);
                if (e) {
                        kp_err_set(err, KP_EINFRA, "IncrementalAlterConfigs %s: %s: %s", topic,
                                   ops->items[i].key, rd_kafka_error_string(e));
                        rd_kafka_error_destroy(e);
                        goto out;
                }
        }
        rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_IncrementalAlterConfigs(rk, &res, 1, opts, q);
        ev = kp_kc_admin_result(q, RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT, timeout_ms,
                                "IncrementalAlterConfigs", topic, code, err);
        if (!ev)
                goto out;
        rres = rd_kafka_IncrementalAlterConfigs_result_resources(
            rd_kafka_event_IncrementalAlterConfigs_result(ev), &n);
        if (n == 1 && rd_kafka_ConfigResource_error(rres[0])) {
                const char *es = rd_kafka_ConfigResource_error_string(rres[0]);
                *code = rd_kafka_ConfigResource_error(rres[0]);
                kp_err_set(err, KP_EINFRA, "IncrementalAlterConfigs %s: %s: %s", topic,
                           rd_kafka_err2name(*code), es ? es : "");
                goto out;
        }
        rc = 0;
out:
        kp_kc_admin_end(ev, q, opts);
        rd_kafka_ConfigResource_destroy(res);
        return rc;
}

int kp_kc_create_partitions(rd_kafka_t *rk, const char *topic, int total, int timeout_ms,
                            rd_kafka_resp_err_t *code, kp_err_t *err)
{
        char errstr[256];
        rd_kafka_NewPartitions_t *np =
            rd_kafka_NewPartitions_new(topic, (size_t)total, errstr, sizeof(errstr));
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_topic_result_t **res;
        rd_kafka_event_t *ev = NULL;
        size_t n;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR__FAIL;
        if (!np) {
                kp_err_set(err, KP_EINFRA, "CreatePartitions %s: %s", topic, errstr);
                goto out;
        }
        rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_CreatePartitions(rk, &np, 1, opts, q);
        ev = kp_kc_admin_result(q, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, timeout_ms,
                                "CreatePartitions", topic, code, err);
        if (!ev)
                goto out;
        res =
            rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
        if (n != 1 || rd_kafka_topic_result_error(res[0])) {
                const char *es = n == 1 ? rd_kafka_topic_result_error_string(res[0]) : NULL;
                *code = n == 1 ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR__FAIL;
                kp_err_set(err, KP_EINFRA, "CreatePartitions %s: %s%s%s", topic,
                           rd_kafka_err2name(*code), es ? ": " : "", es ? es : "");
                goto out;
        }
        *code = RD_KAFKA_RESP_ERR_NO_ERROR;
        rc = 0;
out:
        kp_kc_admin_end(ev, q, opts);
        if (np)
                rd_kafka_NewPartitions_destroy(np);
        return rc;
}

int kp_kc_delete_records(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t before,
                         int timeout_ms, int64_t *low, rd_kafka_resp_err_t *code, kp_err_t *err)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_DeleteRecords_t *dr;
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETERECORDS);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        const rd_kafka_topic_partition_list_t *res;
        rd_kafka_event_t *ev = NULL;
        int rc = -1;

        *code = RD_KAFKA_RESP_ERR__FAIL;
        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = before;
        dr = rd_kafka_DeleteRecords_new(l);
        rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_DeleteRecords(rk, &dr, 1, opts, q);
        ev = kp_kc_admin_result(q, RD_KAFKA_EVENT_DELETERECORDS_RESULT, timeout_ms, "DeleteRecords",
                                topic, code, err);
        if (!ev)
                goto out;
        res = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
        if (!res || res->cnt != 1 || res->elems[0].err) {
                *code = res && res->cnt == 1 ? res->elems[0].err : RD_KAFKA_RESP_ERR__FAIL;
                kp_err_set(err, KP_EINFRA, "DeleteRecords %s [%d]: %s", topic, (int)partition,
                           rd_kafka_err2name(*code));
                goto out;
        }
        *low = res->elems[0].offset;
        *code = RD_KAFKA_RESP_ERR_NO_ERROR;
        rc = 0;
out:
        kp_kc_admin_end(ev, q, opts);
        rd_kafka_DeleteRecords_destroy(dr);
        rd_kafka_topic_partition_list_destroy(l);
        return rc;
}

int kp_kc_offset_for_time(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t ts,
                          int timeout_ms, int64_t *offset, rd_kafka_resp_err_t *code, kp_err_t *err)
{
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_resp_err_t e;

        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = ts;
        e = rd_kafka_offsets_for_times(rk, l, timeout_ms);
        if (!e)
                e = l->elems[0].err;
        *offset = l->elems[0].offset;
        rd_kafka_topic_partition_list_destroy(l);
        *code = e;
        if (e)
                return kp_err_set(err, KP_EINFRA, "offset for time %lld in %s [%d]: %s",
                                  (long long)ts, topic, (int)partition, rd_kafka_err2name(e));
        return 0;
}

rd_kafka_resp_err_t kp_kc_watermarks_settled(rd_kafka_t *rk, const char *topic, int32_t partition,
                                             int settle_ms, int64_t *low, int64_t *high)
{
        int64_t deadline = kp_mono_ns() + (int64_t)settle_ms * KP_NS_PER_MS;
        rd_kafka_resp_err_t e;

        for (;;) {
                e = rd_kafka_query_watermark_offsets(rk, topic, partition, low, high, 10000);
                if ((e != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION &&
                     e != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
                     e != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE &&
                     e != RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION) ||
                    kp_mono_ns() >= deadline)
                        return e;
                kp_sleep_ms(200);
        }
}
