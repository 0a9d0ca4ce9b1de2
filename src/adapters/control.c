#include "adapters/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "evidence/events.h"
#include "util/log.h"
#include "util/timeutil.h"

const char *const kp_ctl_op_names[] = {
    [KP_CTL_KILL_BROKER] = "kill_broker",
    [KP_CTL_STOP_BROKER] = "stop_broker",
    [KP_CTL_START_BROKER] = "start_broker",
    [KP_CTL_ADD_BROKER] = "add_broker",
    [KP_CTL_REMOVE_BROKER] = "remove_broker",
    [KP_CTL_SET_LEADER] = "set_leader",
    [KP_CTL_SET_RTT] = "set_rtt",
    [KP_CTL_PUSH_ERRORS] = "push_errors",
    [KP_CTL_REBALANCE] = "rebalance",
    [KP_CTL_STORAGE_BYTES] = "storage_bytes",
    [KP_CTL_LEADER] = "leader",
    [KP_CTL_CONTROLLER] = "controller",
    [KP_CTL_CREATE_TOPIC] = "create_topic",
    [KP_CTL_KILL_RACK] = "kill_rack",
    [KP_CTL_DELETE_RECORDS] = "delete_records",
    [KP_CTL_PENDING_ERRORS] = "pending_errors",
    [KP_CTL_LIST_CONNECTIONS] = "list_connections",
    [KP_CTL_START_MIRROR] = "start_mirror",
    [KP_CTL_STOP_MIRROR] = "stop_mirror",
    [KP_CTL_START_REVERSE_MIRROR] = "start_reverse_mirror",
    [KP_CTL_STOP_REVERSE_MIRROR] = "stop_reverse_mirror",
    [KP_CTL_MIRROR_STATUS] = "mirror_status",
    [KP_CTL_PAUSE_BROKER] = "pause_broker",
    [KP_CTL_RESUME_BROKER] = "resume_broker",
    [KP_CTL_CORRUPT_SEGMENT] = "corrupt_segment",
    [KP_CTL_WIPE_BROKER] = "wipe_broker",
    [KP_CTL_PARTITION] = "partition",
    [KP_CTL_HEAL_PARTITION] = "heal_partition",
    [KP_CTL_LINK_LOSS] = "link_loss",
    [KP_CTL_LINK_DELAY] = "link_delay",
    [KP_CTL_HEAL_LINK] = "heal_link",
    [KP_CTL__COUNT] = NULL,
};

int kp_ctl_op_from_name(const char *name)
{
        int i;

        for (i = 0; i < KP_CTL__COUNT; i++)
                if (strcmp(kp_ctl_op_names[i], name) == 0)
                        return i;
        return -1;
}

kp_ctl_req_t kp_ctl_req(kp_ctl_op_t op)
{
        kp_ctl_req_t r;

        memset(&r, 0, sizeof(r));
        r.op = op;
        r.broker = -1;
        r.partition = -1;
        r.offset = -1;
        return r;
}

int kp_ctl_brokers_list(const kp_ctl_req_t *r, struct kp_buf *out)
{
        size_t i;

        for (i = 0; i < r->n_brokers; i++)
                if (kp_buf_printf(out, "%s%d", i ? "," : "", r->brokers[i]) < 0)
                        return -1;
        return 0;
}

void kp_ctl_req_describe(const kp_ctl_req_t *r, char *out, size_t size)
{
        kp_buf_t b;
        size_t i;

        kp_buf_init(&b, 4096);
        kp_buf_puts(&b, kp_ctl_op_names[r->op]);
        if (r->broker >= 0)
                kp_buf_printf(&b, " broker=%d", r->broker);
        if (r->rack)
                kp_buf_printf(&b, " rack=%s", r->rack);
        if (r->topic)
                kp_buf_printf(&b, " topic=%s", r->topic);
        if (r->partition >= 0)
                kp_buf_printf(&b, " partition=%d", r->partition);
        if (r->offset >= 0)
                kp_buf_printf(&b, " offset=%lld", (long long)r->offset);
        if (r->file)
                kp_buf_printf(&b, " file=%s", r->file);
        if (r->op == KP_CTL_SET_RTT)
                kp_buf_printf(&b, " rtt_ms=%d", r->rtt_ms);
        if (r->op == KP_CTL_PUSH_ERRORS) {
                kp_buf_printf(&b, " api_key=%d errors=", r->api_key);
                for (i = 0; i < r->n_errors; i++)
                        kp_buf_printf(&b, "%s%d", i ? "," : "", r->errors[i]);
                if (r->error_rtts_ms) {
                        kp_buf_printf(&b, " rtts_ms=");
                        for (i = 0; i < r->n_errors; i++)
                                kp_buf_printf(&b, "%s%d", i ? "," : "", r->error_rtts_ms[i]);
                }
        }
        if (r->op == KP_CTL_CREATE_TOPIC)
                kp_buf_printf(&b, " partitions=%d replication_factor=%d", r->partitions,
                              r->replication_factor);
        if (r->n_brokers) {
                kp_buf_puts(&b, " brokers=");
                kp_ctl_brokers_list(r, &b);
        }
        if (r->scope)
                kp_buf_printf(&b, " scope=%s", r->scope);
        if (r->op == KP_CTL_LINK_LOSS)
                kp_buf_printf(&b, " loss_pct=%d", r->loss_pct);
        if (r->op == KP_CTL_LINK_DELAY)
                kp_buf_printf(&b, " delay_ms=%d jitter_ms=%d", r->delay_ms, r->jitter_ms);
        snprintf(out, size, "%s", kp_buf_cstr(&b));
        kp_buf_free(&b);
}

/* control type "none": every operation is unsupported. */
static int none_supports(kp_control_t *ctl, kp_ctl_op_t op, const char **reason)
{
        (void)ctl;
        (void)op;
        *reason = "the target declares no control adapter (control.type \"none\")";
        return 0;
}

static int none_invoke(kp_control_t *ctl, const kp_ctl_req_t *req, kp_ctl_res_t *res, kp_err_t *err)
{
        (void)ctl;
        (void)res;
        return kp_err_set(err, KP_EUNSUPPORTED, "%s: the target has no control adapter",
                          kp_ctl_op_names[req->op]);
}

static void none_destroy(kp_control_t *ctl)
{
        (void)ctl;
}

static const kp_control_ops_t none_ops = {"none", none_supports, none_invoke, none_destroy};

int kp_control_none_new(kp_control_t **out, kp_err_t *err)
{
        kp_control_t *ctl = calloc(1, sizeof(*ctl));

        if (!ctl)
                return kp_err_set(err, KP_ENOMEM, "out of memory");
        ctl->ops = &none_ops;
        *out = ctl;
        return 0;
}

int kp_control_new(const kp_target_t *t, kp_control_t **out, const char **bootstrap, kp_err_t *err)
{
        *out = NULL;
        if (bootstrap)
                *bootstrap = NULL;
        switch (t->control.type) {
        case KP_CONTROL_EMBEDDED:
                return kp_control_embedded_new(t, out, bootstrap, err);
        case KP_CONTROL_EXEC:
                return kp_control_exec_new(t, out, err);
        default:
                return kp_control_none_new(out, err);
        }
}

void kp_control_destroy(kp_control_t *ctl)
{
        if (!ctl)
                return;
        ctl->ops->destroy(ctl);
        free(ctl);
}

int kp_control_supports(kp_control_t *ctl, kp_ctl_op_t op, const char **reason)
{
        const char *dummy;

        return ctl->ops->supports(ctl, op, reason ? reason : &dummy);
}

void kp_control_set_observer(kp_control_t *ctl, kp_ctl_observer_fn fn, void *opaque)
{
        ctl->observer = fn;
        ctl->observer_opaque = opaque;
}

int kp_control_do(kp_control_t *ctl, const kp_ctl_req_t *req, kp_ctl_res_t *res, kp_err_t *err)
{
        kp_ctl_res_t local;
        const char *reason = NULL;
        char desc[512];
        kp_event_t *ev;
        int64_t t0;
        int rc;

        if (!res)
                res = &local;
        memset(res, 0, sizeof(*res));
        res->exit_code = 0;
        kp_err_clear(err);
        kp_ctl_req_describe(req, desc, sizeof(desc));
        if (ctl->observer)
                ctl->observer(ctl->observer_opaque, req, NULL, NULL);
        ev = kp_event_new("control.begin");
        kp_event_str(ev, "adapter", ctl->ops->type);
        kp_event_str(ev, "operation", kp_ctl_op_names[req->op]);
        kp_event_str(ev, "request", desc);
        kp_event_emit(ev);

        t0 = kp_mono_ns();
        if (!ctl->ops->supports(ctl, req->op, &reason))
                rc = kp_err_set(err, KP_EUNSUPPORTED, "%s: not supported by this target: %s", desc,
                                reason ? reason : "no reason given");
        else
                rc = ctl->ops->invoke(ctl, req, res, err);
        res->duration_ns = kp_mono_ns() - t0;

        ev = kp_event_new("control.end");
        kp_event_str(ev, "adapter", ctl->ops->type);
        kp_event_str(ev, "operation", kp_ctl_op_names[req->op]);
        kp_event_str(ev, "request", desc);
        kp_event_int(ev, "duration_ms", res->duration_ns / KP_NS_PER_MS);
        kp_event_bool(ev, "ok", rc == 0);
        if (res->command[0]) {
                kp_event_str(ev, "command", res->command);
                kp_event_int(ev, "exit_code", res->exit_code);
        }
        if (res->output[0])
                kp_event_str(ev, "output_tail", res->output);
        if (res->has_value)
                kp_event_int(ev, "value", res->value);
        if (rc < 0 && err)
                kp_event_str(ev, "error", err->msg);
        kp_event_emit(ev);
        if (rc < 0)
                kp_info("control %s failed: %s", desc, err ? err->msg : "");
        else
                kp_debug("control %s ok (%lld ms)", desc,
                         (long long)(res->duration_ns / KP_NS_PER_MS));
        if (ctl->observer)
                ctl->observer(ctl->observer_opaque, req, res, rc < 0 ? err : NULL);
        return rc;
}
