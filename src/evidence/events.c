#include "evidence/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "util/secret.h"
#include "util/utf8.h"
#include "util/timeutil.h"

struct kp_event {
        cJSON *obj;
};

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *ev_file;
static int64_t ev_start;
static uint64_t ev_count;

static int events_open(const char *path, const char *mode, int64_t run_start_mono_ns, kp_err_t *err)
{
        FILE *f = fopen(path, mode);

        if (!f)
                return kp_err_set(err, KP_EIO, "%s: cannot create: %s", path, strerror(errno));
        pthread_mutex_lock(&ev_lock);
        if (ev_file)
                fclose(ev_file);
        ev_file = f;
        ev_start = run_start_mono_ns;
        ev_count = 0;
        pthread_mutex_unlock(&ev_lock);
        return 0;
}

int kp_events_open(const char *path, int64_t run_start_mono_ns, kp_err_t *err)
{
        return events_open(path, "w", run_start_mono_ns, err);
}

int kp_events_append(const char *path, int64_t run_start_mono_ns, kp_err_t *err)
{
        return events_open(path, "a", run_start_mono_ns, err);
}

void kp_events_close(void)
{
        pthread_mutex_lock(&ev_lock);
        if (ev_file) {
                fflush(ev_file);
                fsync(fileno(ev_file));
                fclose(ev_file);
        }
        ev_file = NULL;
        pthread_mutex_unlock(&ev_lock);
}

uint64_t kp_events_count(void)
{
        uint64_t n;

        pthread_mutex_lock(&ev_lock);
        n = ev_count;
        pthread_mutex_unlock(&ev_lock);
        return n;
}

kp_event_t *kp_event_new(const char *type)
{
        kp_event_t *e;
        char ts[40];

        if (!ev_file)
                return NULL;
        e = malloc(sizeof(*e));
        if (!e)
                return NULL;
        e->obj = cJSON_CreateObject();
        if (!e->obj) {
                free(e);
                return NULL;
        }
        kp_time_iso(kp_wall_ns(), ts, sizeof(ts));
        cJSON_AddStringToObject(e->obj, "ts", ts);
        cJSON_AddNumberToObject(e->obj, "t_ms", (double)((kp_mono_ns() - ev_start) / KP_NS_PER_MS));
        cJSON_AddStringToObject(e->obj, "type", type);
        return e;
}

void kp_event_str(kp_event_t *e, const char *key, const char *value)
{
        if (e && value)
                cJSON_AddStringToObject(e->obj, key, value);
}

void kp_event_num(kp_event_t *e, const char *key, double value)
{
        if (e)
                cJSON_AddNumberToObject(e->obj, key, value);
}

void kp_event_int(kp_event_t *e, const char *key, int64_t value)
{
        if (e)
                cJSON_AddNumberToObject(e->obj, key, (double)value);
}

void kp_event_bool(kp_event_t *e, const char *key, int value)
{
        if (e)
                cJSON_AddBoolToObject(e->obj, key, value);
}

void kp_event_emit(kp_event_t *e)
{
        char *line;
        kp_buf_t red;
        int ok;

        if (!e)
                return;
        line = cJSON_PrintUnformatted(e->obj);
        cJSON_Delete(e->obj);
        free(e);
        if (!line)
                return;
        kp_buf_init(&red, 0);
        ok = kp_redact(line, strlen(line), &red) == 0;
        if (ok && kp_utf8_invalid_at(kp_buf_cstr(&red), red.len) < red.len) {
                kp_buf_t fixed;
                kp_buf_init(&fixed, 0);
                ok = kp_utf8_fix(kp_buf_cstr(&red), red.len, &fixed) == 0;
                kp_buf_free(&red);
                red = fixed;
        }
        if (ok) {
                pthread_mutex_lock(&ev_lock);
                if (ev_file) {
                        fwrite(kp_buf_cstr(&red), 1, red.len, ev_file);
                        fputc('\n', ev_file);
                        fflush(ev_file);
                        ev_count++;
                }
                pthread_mutex_unlock(&ev_lock);
        }
        kp_buf_free(&red);
        free(line);
}

void kp_event_msg(const char *type, const char *check, const char *fmt, ...)
{
        kp_event_t *e = kp_event_new(type);
        char msg[1024];
        va_list ap;

        if (!e)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        kp_event_str(e, "check", check);
        kp_event_str(e, "message", msg);
        kp_event_emit(e);
}
