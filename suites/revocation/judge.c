/*
 * Judging the revocation probes: an effect counts only when the last
 * REV_CONFIRM_PROBES probes of a kind failed, each with an error the
 * revocation explains; old data that stays readable while writes fail is a
 * finding that fails unless the scenario tolerates it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "revocation.h"

/* Errors a platform returns when it cannot encrypt or decrypt with the
 * revoked key (a broker's storage layer, a proxy's record encryption). */
static const rd_kafka_resp_err_t proof_codes[] = {
    RD_KAFKA_RESP_ERR_UNKNOWN, /* UNKNOWN_SERVER_ERROR */
    RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
    RD_KAFKA_RESP_ERR_INVALID_RECORD,
    RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
    RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
    RD_KAFKA_RESP_ERR__BAD_MSG, /* read probe: the record came back, not intact */
};

/* Timeouts: proof only while the platform answered otherwise. */
static const rd_kafka_resp_err_t timeout_codes[] = {
    RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
    RD_KAFKA_RESP_ERR__TIMED_OUT,
    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
};

static int in(const rd_kafka_resp_err_t *codes, size_t n, int code)
{
        size_t i;

        for (i = 0; i < n; i++)
                if ((int)codes[i] == code)
                        return 1;
        return 0;
}

int rev_probe_is_proof(const rev_probe_t *p)
{
        if (p->ok != 0)
                return 0;
        if (in(proof_codes, sizeof(proof_codes) / sizeof(proof_codes[0]), p->err))
                return 1;
        return p->alive &&
               in(timeout_codes, sizeof(timeout_codes) / sizeof(timeout_codes[0]), p->err);
}

const char *rev_proof_codes(void)
{
        return "UNKNOWN (UNKNOWN_SERVER_ERROR), KAFKA_STORAGE_ERROR, INVALID_RECORD, "
               "POLICY_VIOLATION, "
               "TOPIC_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED, _BAD_MSG (a read "
               "returned the record altered), or _MSG_TIMED_OUT/_TIMED_OUT/REQUEST_TIMED_OUT "
               "while the platform answered a metadata request in the same probe round";
}

int rev_proven_run(const rev_state_t *st, char kind, int64_t *first_ns)
{
        int n = 0;
        size_t i;

        *first_ns = -1;
        for (i = st->n_probes; i-- > 0;) {
                const rev_probe_t *p = &st->probes[i];
                if (p->kind != kind || p->phase != 'b' || p->ok < 0)
                        continue;
                if (!rev_probe_is_proof(p))
                        break;
                n++;
                *first_ns = p->t_ns;
        }
        return n;
}

int rev_trailing_failures(const rev_state_t *st, char kind, char phase)
{
        int n = 0;
        size_t i;

        for (i = st->n_probes; i-- > 0;) {
                const rev_probe_t *p = &st->probes[i];
                if (p->kind != kind || p->phase != phase || p->ok < 0)
                        continue;
                if (p->ok)
                        break;
                n++;
        }
        return n;
}

/* The last decided probe of kind before the restore (NULL: none). */
static const rev_probe_t *last_decided(const rev_state_t *st, char kind)
{
        size_t i;

        for (i = st->n_probes; i-- > 0;)
                if (st->probes[i].kind == kind && st->probes[i].phase == 'b' &&
                    st->probes[i].ok >= 0)
                        return &st->probes[i];
        return NULL;
}

/* Why the trailing failures of kind are not proof, for a reason. */
static void unproven_reason(const rev_state_t *st, char kind, char *buf, size_t size)
{
        const rev_probe_t *p = last_decided(st, kind);
        int fails = rev_trailing_failures(st, kind, 'b');
        int64_t first;
        int run = rev_proven_run(st, kind, &first);

        snprintf(buf, size,
                 "the last %d %s probe(s) failed, but only %d of them with an error the "
                 "revocation explains (last: %s%s); proof needs %d consecutive failures with %s",
                 fails, kind == 'w' ? "write" : "read", run,
                 p ? rd_kafka_err2name((rd_kafka_resp_err_t)p->err) : "-",
                 p && !p->alive && !rev_probe_is_proof(p) ? ", the platform did not answer "
                                                            "metadata either"
                                                          : "",
                 REV_CONFIRM_PROBES, rev_proof_codes());
}

void rev_judge_write_effect(rev_state_t *st, kp_check_t *c)
{
        int64_t first;
        int run = rev_proven_run(st, 'w', &first);
        const rev_probe_t *last = last_decided(st, 'w');
        char why[1024];

        st->write_effect_ns = -1;
        if (run >= REV_CONFIRM_PROBES) {
                st->write_outcome = 'p';
                st->write_effect_ns = first;
                kp_check_measure(c, "write_time_to_effect_s", (double)first / 1e9, "s");
                kp_check_measure(c, "write_effect_probes", run, "probes");
                kp_check_answer(c, "writes stopped %.1f s after the key was revoked (%s)",
                                (double)first / 1e9, kp_revoke_mode_names[st->opts.mode]);
                kp_check_pass(c,
                              "writes failed for good %.1f s after the key was revoked (%s): the "
                              "last %d write probes failed with %s%s",
                              (double)first / 1e9, kp_revoke_mode_names[st->opts.mode], run,
                              rd_kafka_err2name((rd_kafka_resp_err_t)last->err),
                              last->alive ? " while the platform answered metadata" : "");
                return;
        }
        if (!last) {
                st->write_outcome = 'u';
                kp_check_error(c,
                               "no write probe came to a result in the %.1f s after the "
                               "revocation",
                               (double)st->window_ns / 1e9);
                return;
        }
        if (last->ok) {
                st->write_outcome = 'f';
                kp_check_measure(c, "write_time_to_effect_s", (double)st->window_ns / 1e9, "s");
                kp_check_anomaly(c, "revocation-without-effect", 1, 0,
                                 "produce still succeeded at the end of the probing window");
                kp_check_answer(c, "writes still succeeded %.1f s after the key was revoked (%s)",
                                (double)st->window_ns / 1e9, kp_revoke_mode_names[st->opts.mode]);
                kp_check_fail(c,
                              "revocation had no effect on writes: produce still succeeded %.1f s "
                              "after the key was revoked",
                              (double)st->window_ns / 1e9);
                return;
        }
        st->write_outcome = 'u';
        unproven_reason(st, 'w', why, sizeof(why));
        kp_check_error(c, "writes failed after the revocation but not provably because of it: %s",
                       why);
}

void rev_judge_old_data(rev_state_t *st, kp_check_t *c)
{
        const rev_probe_t *last = last_decided(st, 'r');
        double tol = st->opts.max_old_data_readable_s;
        int64_t first, last_ok = -1;
        int run, decided = 0;
        size_t i;
        char why[1024];

        if (st->write_outcome != 'p' && st->write_outcome != 'f') {
                kp_check_error(c, "%s",
                               st->write_outcome == 'u'
                                   ? "revocation.write-effect could not establish whether writes "
                                     "failed: nothing to compare old data with"
                                   : "revocation.write-effect did not run to a result: there are "
                                     "no probes after a revocation to report");
                return;
        }
        for (i = 0; i < st->n_probes; i++) {
                const rev_probe_t *p = &st->probes[i];
                if (p->kind != 'r' || p->phase != 'b' || p->ok < 0)
                        continue;
                decided++;
                if (p->ok && p->done_ns > last_ok)
                        last_ok = p->done_ns;
        }
        kp_check_measure(c, "read_probes", decided, "probes");
        run = rev_proven_run(st, 'r', &first);
        if (run >= REV_CONFIRM_PROBES) {
                st->read_effect_ns = first;
                kp_check_measure(c, "read_time_to_effect_s", (double)first / 1e9, "s");
                kp_check_answer(c, "old data became unreadable %.1f s after the revocation",
                                (double)first / 1e9);
                if (tol >= 0 && (double)first / 1e9 > tol) {
                        kp_check_fail(c,
                                      "old data stayed readable until %.1f s after the revocation, "
                                      "longer than the tolerated %.1f s (max_old_data_readable_s)",
                                      (double)first / 1e9, tol);
                        return;
                }
                kp_check_pass(
                    c,
                    "a fresh consumer could no longer read old data %.1f s after the revocation "
                    "(the last %d read probes failed with %s)",
                    (double)first / 1e9, run, rd_kafka_err2name((rd_kafka_resp_err_t)last->err));
                return;
        }
        if (!last) {
                kp_check_error(c, "no read probe came to a result after the revocation");
                return;
        }
        if (!last->ok) {
                unproven_reason(st, 'r', why, sizeof(why));
                kp_check_error(c,
                               "reads failed after the revocation but not provably because of "
                               "it: %s",
                               why);
                return;
        }
        /* Old data was still readable when the probing ended. */
        kp_check_measure(c, "old_data_readable_s", (double)last_ok / 1e9, "s");
        if (st->write_outcome == 'f')
                kp_check_answer(c,
                                "old data stayed readable for the whole %.1f s window after the "
                                "revocation",
                                (double)st->window_ns / 1e9);
        else if (last_ok + (int64_t)2e9 >= st->window_ns)
                kp_check_answer(c,
                                "old data stayed readable through cached keys for the whole "
                                "%.0f s window",
                                (double)st->window_ns / 1e9);
        else
                kp_check_answer(c,
                                "old data stayed readable through cached keys until %.1f s after "
                                "the revocation",
                                (double)last_ok / 1e9);
        if (st->write_outcome == 'f') {
                kp_check_fail(c,
                              "old data stayed readable for the whole %.1f s window after the "
                              "revocation: the key does not protect it",
                              (double)st->window_ns / 1e9);
                return;
        }
        if (tol >= 0 && (double)last_ok / 1e9 <= tol) {
                kp_check_anomaly(
                    c, "old-data-readable-after-revocation", 1, 1,
                    "old data stayed readable after the revocation although writes failed: the "
                    "platform serves it with data keys it decrypted before (a cache)");
                kp_check_pass(c,
                              "FINDING (tolerated): old data was still read by a fresh consumer "
                              "%.1f s after the revocation, when probing ended (writes failed "
                              "after %.1f s; cached data keys), within the tolerated %.1f s "
                              "(max_old_data_readable_s)",
                              (double)last_ok / 1e9, (double)st->write_effect_ns / 1e9, tol);
                return;
        }
        kp_check_anomaly(c, "old-data-readable-after-revocation", 1, 0,
                         "old data stayed readable after the revocation although writes failed: "
                         "the platform serves it with data keys it decrypted before (a cache)");
        if (tol >= 0)
                kp_check_fail(c,
                              "old data was still read by a fresh consumer %.1f s after the "
                              "revocation (writes failed after %.1f s; cached data keys), longer "
                              "than the tolerated %.1f s (max_old_data_readable_s)",
                              (double)last_ok / 1e9, (double)st->write_effect_ns / 1e9, tol);
        else
                kp_check_fail(c,
                              "old data was still read by a fresh consumer %.1f s after the "
                              "revocation, when probing ended (writes failed after %.1f s; "
                              "cached data keys); the scenario tolerates none "
                              "(max_old_data_readable_s)",
                              (double)last_ok / 1e9, (double)st->write_effect_ns / 1e9);
}
