#include "dist/shardwork.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/history.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "engine/workload.h"

#define PLAN_NAME "plan.json"

int kp_shardwork_plan_put(kp_shardstore_t *st, const kp_shard_plan_t *plan, kp_err_t *err)
{
        kp_buf_t b;
        int rc;

        kp_buf_init(&b, 1 << 16);
        rc = kp_shard_plan_encode(plan, &b, err);
        if (rc == 0)
                rc = kp_shardstore_put(st, PLAN_NAME, b.data, b.len, err);
        kp_buf_free(&b);
        return rc;
}

int kp_shardwork_plan_get(kp_shardstore_t *st, int64_t wait_ns, kp_shard_plan_t *plan,
                          kp_err_t *err)
{
        int64_t deadline = kp_mono_ns() + wait_ns;
        char where[1200];
        kp_buf_t b;
        int rc;

        snprintf(where, sizeof(where), "%s/%s", kp_shardstore_url(st), PLAN_NAME);
        kp_buf_init(&b, 1 << 16);
        for (;;) {
                kp_buf_reset(&b);
                rc = kp_shardstore_get(st, PLAN_NAME, &b, err);
                if (rc < 0)
                        break;
                if (rc == 0) {
                        rc = kp_shard_plan_decode(kp_buf_cstr(&b), b.len, where, plan, err);
                        break;
                }
                if (kp_mono_ns() >= deadline || kp_stop_requested()) {
                        rc = kp_err_set(err, KP_EINFRA, "%s: no plan after %lld s", where,
                                        (long long)(wait_ns / KP_NS_PER_S));
                        break;
                }
                kp_sleep_ms(200);
        }
        kp_buf_free(&b);
        return rc;
}

static void put_error(kp_shardstore_t *st, int index, const char *msg)
{
        char name[64];
        kp_err_t e2;

        kp_shard_name(index, "error", name, sizeof(name));
        if (kp_shardstore_put(st, name, msg, strlen(msg), &e2) < 0)
                kp_warn("worker %d: cannot report its error: %s", index, e2.msg);
}

int kp_shardwork_run(kp_platform_t *plat, const kp_suite_cfg_t *sc, const kp_shard_plan_t *plan,
                     int index, kp_shardstore_t *st, kp_err_t *err)
{
        const kp_workload_cfg_t *w = &sc->workload;
        kp_workload_cfg_t wc;
        kp_shard_split_t sp;
        kp_shard_result_t meta;
        kp_workload_spec_t spec;
        kp_workload_t *wl = NULL;
        kp_history_t *h = NULL;
        kp_buf_t out;
        uint64_t per_producer, max_events;
        int64_t wall_minus_mono;
        char name[64];
        int rc = -1;

        kp_buf_init(&out, (size_t)64 << 30);
        memset(&wc, 0, sizeof(wc));
        if (index < 0 || index >= plan->workers) {
                kp_err_set(err, KP_EUSAGE, "worker index %d: the plan has %d workers (0..%d)",
                           index, plan->workers, plan->workers - 1);
                goto out;
        }
        if (plan->workers > w->producers) {
                kp_err_set(err, KP_EINVAL,
                           "the plan's %d workers exceed the workload's %d producers",
                           plan->workers, w->producers);
                goto out;
        }
        kp_shard_split(w, plan->workers, index, &sp);
        if (kp_workload_cfg_copy(&wc, w) < 0) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                goto out;
        }
        wc.producers = sp.producers;
        wc.consumers = sp.consumers;
        wc.rate = sp.rate;
        wc.partitions = plan->partitions;
        per_producer =
            (uint64_t)(w->rate / w->producers * ((double)w->duration_ns / 1e9) * 1.05) + 1000;
        max_events = per_producer * (uint64_t)w->producers * 4 + 100000;
        h = kp_history_new(sp.producers, sp.consumers, plan->partitions, max_events, err);
        if (!h)
                goto out;
        wall_minus_mono = kp_wall_ns() - kp_mono_ns();
        memset(&spec, 0, sizeof(spec));
        spec.cfg = &wc;
        spec.topic = plan->topic;
        spec.profile = sc->client.profile;
        spec.producer_overrides = &sc->client.producer;
        spec.consumer_overrides = &sc->client.consumer;
        spec.history = h;
        spec.shard = 1;
        spec.producer_base = sp.producer_base;
        spec.nonce = plan->nonce;
        spec.start_at_ns = plan->start_wall_ns - wall_minus_mono;
        spec.clock_offset_ns = wall_minus_mono;
        kp_info("worker %d/%d: producers %d..%d, %d consumer(s), %.0f records/s, topic %s, start "
                "in %.1f s",
                index, plan->workers, sp.producer_base, sp.producer_base + sp.producers - 1,
                sp.consumers, sp.rate, plan->topic,
                (double)(spec.start_at_ns - kp_mono_ns()) / 1e9);
        wl = kp_workload_new(plat, &spec, err);
        if (!wl)
                goto out;
        if (kp_workload_start(wl, err) < 0)
                goto out;
        kp_workload_wait_produced(wl);
        kp_workload_drain(wl, w->drain_timeout_ns);
        kp_workload_stop(wl);
        if (kp_stop_requested()) {
                kp_err_set(err, KP_EINTR, "worker %d: interrupted", index);
                goto out;
        }
        memset(&meta, 0, sizeof(meta));
        meta.index = index;
        meta.workers = plan->workers;
        meta.producer_base = sp.producer_base;
        meta.consumer_base = sp.consumer_base;
        meta.start_wall_ns = plan->start_wall_ns;
        {
                kp_workload_results_t wr;
                const kp_workload_slot_t *tl;
                size_t n_slots;
                int64_t slot_ns;
                kp_workload_results(wl, &wr);
                tl = kp_workload_timeline(wl, &n_slots, &slot_ns);
                if (kp_shard_result_encode(&meta, &wr, tl, n_slots, slot_ns, h, &out, err) < 0)
                        goto out;
        }
        kp_shard_name(index, "kps", name, sizeof(name));
        if (kp_shardstore_put(st, name, out.data, out.len, err) < 0)
                goto out;
        kp_info("worker %d/%d: result %s (%.1f MiB) in %s", index, plan->workers, name,
                (double)out.len / 1048576.0, kp_shardstore_url(st));
        rc = 0;
out:
        if (rc < 0 && index >= 0 && index < KP_SHARD_MAX)
                put_error(st, index, err->msg);
        kp_buf_free(&out);
        kp_workload_free(wl);
        kp_history_free(h);
        kp_workload_cfg_release(&wc);
        return rc;
}

int kp_shardwork_launch(const char *const *argv_tail, int n, const char *log_dir,
                        kp_shardwork_child_t *kids, kp_err_t *err)
{
        char idx[16], logp[4096];
        const char *argv[128];
        size_t k = 0;
        int i;

        argv[k++] = "kproof";
        argv[k++] = "worker";
        while (argv_tail[k - 2] && k < 120) {
                argv[k] = argv_tail[k - 2];
                k++;
        }
        argv[k++] = "--index";
        argv[k++] = idx;
        argv[k] = NULL;
        for (i = 0; i < n; i++) {
                pid_t pid;
                int fd = -1;
                snprintf(idx, sizeof(idx), "%d", i);
                kids[i].pid = 0;
                kids[i].done = 0;
                kids[i].status = 0;
                if (log_dir) {
                        snprintf(logp, sizeof(logp), "%s/worker-%d.log", log_dir, i);
                        fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                }
                pid = fork();
                if (pid < 0) {
                        if (fd >= 0)
                                close(fd);
                        return kp_err_set(err, KP_EINFRA, "cannot start worker %d: %s", i,
                                          strerror(errno));
                }
                if (pid == 0) {
                        /* Only async-signal-safe calls until exec. */
                        if (fd >= 0) {
                                dup2(fd, 1);
                                dup2(fd, 2);
                        }
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        execv("/proc/self/exe", (char *const *)argv);
                        _exit(127);
                }
                if (fd >= 0)
                        close(fd);
                kids[i].pid = pid;
        }
        return 0;
}

int kp_shardwork_wait(kp_shardwork_child_t *kids, int n, int64_t deadline_ns)
{
        int i, left = n, exited = 0;

        while (left > 0) {
                left = 0;
                for (i = 0; i < n; i++) {
                        int st;
                        if (kids[i].done || kids[i].pid <= 0)
                                continue;
                        if (waitpid(kids[i].pid, &st, WNOHANG) == kids[i].pid) {
                                kids[i].done = 1;
                                kids[i].status = st;
                                exited++;
                        } else {
                                left++;
                        }
                }
                if (left == 0 || kp_mono_ns() >= deadline_ns || kp_stop_requested())
                        break;
                kp_sleep_ms(100);
        }
        for (i = 0; i < n; i++) {
                if (kids[i].done || kids[i].pid <= 0)
                        continue;
                kill(kids[i].pid, SIGKILL);
                waitpid(kids[i].pid, &kids[i].status, 0);
                kids[i].done = 1;
        }
        return exited;
}

int kp_shardwork_wait_store(kp_shardstore_t *st, int n, int64_t deadline_ns)
{
        kp_buf_t b;
        kp_err_t err;
        int i, reported = 0;

        kp_buf_init(&b, (size_t)64 << 30);
        for (;;) {
                reported = 0;
                for (i = 0; i < n; i++) {
                        char name[64];
                        int got = 0;
                        /* A small marker would be cheaper; results are read
                         * once more by kp_shardwork_load. */
                        kp_shard_name(i, "error", name, sizeof(name));
                        kp_buf_reset(&b);
                        if (kp_shardstore_get(st, name, &b, &err) == 0)
                                got = 1;
                        if (!got) {
                                kp_shard_name(i, "kps", name, sizeof(name));
                                kp_buf_reset(&b);
                                if (kp_shardstore_get(st, name, &b, &err) == 0)
                                        got = 1;
                        }
                        reported += got;
                }
                if (reported == n || kp_mono_ns() >= deadline_ns || kp_stop_requested())
                        break;
                kp_sleep_ms(1000);
        }
        kp_buf_free(&b);
        return reported;
}

static void describe_exit(const kp_shardwork_child_t *k, char *out, size_t size)
{
        if (!k || !k->done)
                snprintf(out, size, "never reported");
        else if (WIFSIGNALED(k->status))
                snprintf(out, size, "its worker (pid %d) died of signal %d (%s) without a result",
                         (int)k->pid, WTERMSIG(k->status), strsignal(WTERMSIG(k->status)));
        else
                snprintf(out, size, "its worker (pid %d) exited with status %d without a result",
                         (int)k->pid, WEXITSTATUS(k->status));
}

int kp_shardwork_load(kp_shardstore_t *st, int n, const kp_shardwork_child_t *kids,
                      kp_shard_result_t **out, kp_err_t *err)
{
        kp_buf_t why;
        int i, bad = 0;

        kp_buf_init(&why, 8192);
        for (i = 0; i < n; i++)
                out[i] = NULL;
        for (i = 0; i < n; i++) {
                char name[64], where[1200], reason[600];
                kp_buf_t b;
                kp_err_t e;
                int rc;

                kp_shard_name(i, "kps", name, sizeof(name));
                snprintf(where, sizeof(where), "%s/%s", kp_shardstore_url(st), name);
                kp_buf_init(&b, (size_t)64 << 30);
                rc = kp_shardstore_get(st, name, &b, &e);
                if (rc == 0) {
                        size_t len = b.len;
                        if (kp_shard_result_decode((uint8_t *)kp_buf_detach(&b), len, where,
                                                   &out[i], &e) == 0)
                                continue;
                        snprintf(reason, sizeof(reason), "%s", e.msg);
                } else if (rc < 0) {
                        snprintf(reason, sizeof(reason), "%s", e.msg);
                } else {
                        kp_shard_name(i, "error", name, sizeof(name));
                        kp_buf_reset(&b);
                        if (kp_shardstore_get(st, name, &b, &e) == 0)
                                snprintf(reason, sizeof(reason), "the worker reported: %.500s",
                                         kp_buf_cstr(&b));
                        else
                                describe_exit(kids ? &kids[i] : NULL, reason, sizeof(reason));
                }
                kp_buf_free(&b);
                kp_buf_printf(&why, "%sshard %d of %d: %s", bad ? "; " : "", i, n, reason);
                bad++;
        }
        if (bad) {
                kp_err_set(err, KP_EINFRA, "%d of %d shard(s) without a usable result: %s", bad, n,
                           kp_buf_cstr(&why));
                for (i = 0; i < n; i++) {
                        kp_shard_result_free(out[i]);
                        out[i] = NULL;
                }
        }
        kp_buf_free(&why);
        return bad ? -1 : 0;
}
