/* wl_timeline.c: the per-thread timelines of the workload engine (counts and a
 * coarse latency histogram per slot) and the merge of every thread's timeline
 * and error counts into the workload's results. */
#include <stdlib.h>

#include "engine/workload_int.h"

int kp_wl_tl_init(thread_tl_t *tl, size_t n)
{
        size_t i;

        tl->counts = calloc(n, sizeof(*tl->counts));
        tl->hists = calloc(n, sizeof(*tl->hists));
        if (!tl->counts || !tl->hists)
                return -1;
        for (i = 0; i < n; i++)
                if (kp_hist_init(&tl->hists[i], SLOT_HIST_BITS, HIST_MAX_NS) < 0)
                        return -1;
        return 0;
}

void kp_wl_tl_release(thread_tl_t *tl, size_t n)
{
        size_t i;

        for (i = 0; tl->hists && i < n; i++)
                kp_hist_release(&tl->hists[i]);
        free(tl->hists);
        free(tl->counts);
}

void kp_wl_merge_tl(kp_workload_t *wl, const thread_tl_t *tl, kp_hist_t *slot_ack,
                    kp_hist_t *slot_e2e)
{
        size_t i;

        for (i = 0; i < wl->n_slots; i++) {
                wl->timeline[i].sent += tl->counts[i].sent;
                wl->timeline[i].acked += tl->counts[i].acked;
                wl->timeline[i].ack_errors += tl->counts[i].ack_errors;
                wl->timeline[i].consumed += tl->counts[i].consumed;
                if (slot_ack)
                        kp_hist_merge(&slot_ack[i], &tl->hists[i]);
                if (slot_e2e)
                        kp_hist_merge(&slot_e2e[i], &tl->hists[i]);
        }
}

void kp_wl_merge_errs(kp_workload_t *wl, const uint64_t *errs)
{
        size_t i, j;

        for (i = 0; i < ERR_SLOTS; i++) {
                if (!errs[i])
                        continue;
                for (j = 0; j < wl->n_errors; j++)
                        if (wl->errors[j].code == (int)i - ERR_BASE)
                                break;
                if (j == wl->n_errors) {
                        wl->errors[j].code = (int)i - ERR_BASE;
                        wl->errors[j].count = 0;
                        wl->n_errors++;
                }
                wl->errors[j].count += errs[i];
        }
}
