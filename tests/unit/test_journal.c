/*
 * Unit tests of the undo journal: intents without an undo are pending, an
 * undone entry is not, a torn last line is ignored, phases keep the entry's
 * fields, and revoke refuses non-fixture keys without --allow-destructive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fsutil.h"
#include "evidence/journal.h"
#include "adapters/revoke.h"

static void path_for(const char *name, char *out, size_t size)
{
        const char *tmp = getenv("KPROOF_TEST_TMP");

        snprintf(out, size, "%s/journal-%d/%s", tmp ? tmp : "/tmp", (int)getpid(), name);
        unlink(out);
}

static void entry(kp_journal_entry_t *e, const char *id, const char *key)
{
        memset(e, 0, sizeof(*e));
        snprintf(e->id, sizeof(e->id), "%s", id);
        snprintf(e->action, sizeof(e->action), "disable_key");
        snprintf(e->undo, sizeof(e->undo), "enable_key");
        snprintf(e->key_id, sizeof(e->key_id), "%s", key);
        snprintf(e->target, sizeof(e->target), "/t.json");
}

static void test_pending(void **state)
{
        char path[4096];
        kp_journal_t *j;
        kp_journal_entry_t a, b, *v = NULL;
        kp_err_t err;
        size_t n = 0;
        FILE *f;
        (void)state;

        path_for("j.jsonl", path, sizeof(path));
        assert_int_equal(kp_journal_pending(path, &v, &n, &err), 0); /* missing file */
        assert_int_equal(n, 0);
        assert_int_equal(kp_journal_open(path, &j, &err), 0);
        entry(&a, "run1/1", "key-a");
        entry(&b, "run1/2", "key-b");
        assert_int_equal(kp_journal_append(j, &a, "intent", &err), 0);
        assert_int_equal(kp_journal_append(j, &b, "intent", &err), 0);
        assert_int_equal(kp_journal_append(j, &a, "done", &err), 0);
        assert_int_equal(kp_journal_append(j, &b, "done", &err), 0);
        assert_int_equal(kp_journal_append(j, &a, "undone", &err), 0);
        kp_journal_close(j);
        f = fopen(path, "a");
        assert_non_null(f);
        fputs("{\"id\":\"run1/3\",\"phase\":\"int", f); /* torn by a crash */
        fclose(f);
        assert_int_equal(kp_journal_pending(path, &v, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(v[0].id, "run1/2");
        assert_string_equal(v[0].key_id, "key-b");
        assert_string_equal(v[0].phase, "done");
        assert_string_equal(v[0].undo, "enable_key");
        free(v);
}

static void test_permitted(void **state)
{
        kp_target_t t;
        kp_err_t err;
        (void)state;

        memset(&t, 0, sizeof(t));
        t.path = "targets/x.json";
        t.kms.key = "alias/prod";
        kp_safety_set(0, 0, "/tmp/unused");
        assert_int_equal(kp_revoke_permitted(&t, &err), -1);
        assert_int_equal(err.code, KP_EUSAGE);
        assert_non_null(strstr(err.msg, "--allow-destructive"));
        t.kms.fixture = 1;
        assert_int_equal(kp_revoke_permitted(&t, &err), 0);
        t.kms.fixture = 0;
        kp_safety_set(1, 0, "/tmp/unused");
        assert_int_equal(kp_revoke_permitted(&t, &err), 0);
}

static void test_owner(void **state)
{
        char self[64], parent[64];
        kp_journal_entry_t e;
        (void)state;

        kp_journal_self_owner(self, sizeof(self));
        assert_false(kp_journal_owner_alive(self));  /* our own entries are ours */
        assert_false(kp_journal_owner_alive("1:1")); /* pid 1, but another start time */
        assert_false(kp_journal_owner_alive(""));
        assert_false(kp_journal_owner_alive("junk"));
        /* The parent runs: build its owner string the way the journal does. */
        entry(&e, "x/1", "k");
        snprintf(parent, sizeof(parent), "%ld:", (long)getppid());
        {
                char path[64], buf[1024], *p;
                int i;
                FILE *f;
                snprintf(path, sizeof(path), "/proc/%ld/stat", (long)getppid());
                f = fopen(path, "r");
                assert_non_null(f);
                assert_non_null(fgets(buf, sizeof(buf), f));
                fclose(f);
                p = strrchr(buf, ')') + 1;
                for (i = 3; i < 22; i++)
                        p = strchr(p + 1, ' ');
                snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "%llu",
                         strtoull(p + 1, NULL, 10));
        }
        assert_true(kp_journal_owner_alive(parent));
}

/* A killed kproof that is still a zombie (not yet reaped) owns nothing: its
 * pending entries are undone by recover. */
static void test_owner_zombie(void **state)
{
        char owner[64] = "";
        int fds[2], status, i;
        pid_t pid;

        (void)state;
        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char own[64];
                kp_journal_self_owner(own, sizeof(own));
                if (write(fds[1], own, strlen(own) + 1) < 0)
                        _exit(1);
                _exit(0);
        }
        close(fds[1]);
        assert_true(read(fds[0], owner, sizeof(owner) - 1) > 0);
        close(fds[0]);
        for (i = 0; i < 500; i++) { /* until it is a zombie: exited, not reaped */
                char path[64], buf[512], *p;
                FILE *f;
                snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
                f = fopen(path, "r");
                assert_non_null(f);
                p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
                fclose(f);
                if (p && p[2] == 'Z')
                        break;
                usleep(10000);
        }
        assert_true(i < 500);
        assert_false(kp_journal_owner_alive(owner));
        assert_int_equal(waitpid(pid, &status, 0), pid);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_pending),
            cmocka_unit_test(test_permitted),
            cmocka_unit_test(test_owner),
            cmocka_unit_test(test_owner_zombie),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
