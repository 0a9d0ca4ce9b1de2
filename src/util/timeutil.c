#include "util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/signals.h"

int64_t kp_mono_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * KP_NS_PER_S + ts.tv_nsec;
}

int64_t kp_wall_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * KP_NS_PER_S + ts.tv_nsec;
}

void kp_time_iso(int64_t wall_ns, char *out, size_t size)
{
        time_t sec = (time_t)(wall_ns / KP_NS_PER_S);
        char base[24];
        struct tm tm;

        gmtime_r(&sec, &tm);
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(out, size, "%s.%03dZ", base, (int)((wall_ns % KP_NS_PER_S) / KP_NS_PER_MS));
}

void kp_time_compact(int64_t wall_ns, char *out, size_t size)
{
        time_t sec = (time_t)(wall_ns / KP_NS_PER_S);
        struct tm tm;

        gmtime_r(&sec, &tm);
        strftime(out, size, "%Y%m%dT%H%M%SZ", &tm);
}

int kp_duration_parse(const char *s, int64_t *ns)
{
        static const struct {
                const char *unit;
                double mult;
        } units[] = {{"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
        const char *p;
        char *end;
        double v;
        size_t i;
        int dots = 0;

        if (!s || !*s || !(s[0] >= '0' && s[0] <= '9'))
                return -1;
        errno = 0;
        v = strtod(s, &end);
        if (errno || end == s || !isfinite(v) || v < 0)
                return -1;
        /* Plain decimals only: strtod would also take "0x10" and "1e3". */
        for (p = s; p < end; p++)
                if (!(*p >= '0' && *p <= '9') && !(*p == '.' && dots++ == 0))
                        return -1;
        for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                if (strcmp(end, units[i].unit) == 0) {
                        double r = v * units[i].mult;
                        if (r > 9.0e18)
                                return -1;
                        *ns = (int64_t)llround(r);
                        return 0;
                }
        }
        return -1;
}

void kp_duration_format(int64_t ns, char *out, size_t size)
{
        if (ns % (3600 * KP_NS_PER_S) == 0 && ns != 0)
                snprintf(out, size, "%lldh", (long long)(ns / (3600 * KP_NS_PER_S)));
        else if (ns % (60 * KP_NS_PER_S) == 0 && ns != 0)
                snprintf(out, size, "%lldm", (long long)(ns / (60 * KP_NS_PER_S)));
        else if (ns % KP_NS_PER_S == 0)
                snprintf(out, size, "%llds", (long long)(ns / KP_NS_PER_S));
        else if (ns % KP_NS_PER_MS == 0)
                snprintf(out, size, "%lldms", (long long)(ns / KP_NS_PER_MS));
        else
                snprintf(out, size, "%.6fms", (double)ns / 1e6);
}

void kp_sleep_until(int64_t deadline_ns)
{
        for (;;) {
                int64_t now = kp_mono_ns(), left = deadline_ns - now;
                struct timespec ts;

                if (left <= 0 || kp_stop_requested())
                        return;
                if (left > 100 * KP_NS_PER_MS)
                        left = 100 * KP_NS_PER_MS;
                ts.tv_sec = (time_t)(left / KP_NS_PER_S);
                ts.tv_nsec = (long)(left % KP_NS_PER_S);
                nanosleep(&ts, NULL);
        }
}

void kp_sleep_ms(int64_t ms)
{
        kp_sleep_until(kp_mono_ns() + ms * KP_NS_PER_MS);
}

static int digits(const char *s, size_t len, size_t at, int n, int *out)
{
        int v = 0, i;

        if (at + (size_t)n > len)
                return -1;
        for (i = 0; i < n; i++) {
                if (!isdigit((unsigned char)s[at + i]))
                        return -1;
                v = v * 10 + (s[at + i] - '0');
        }
        *out = v;
        return 0;
}

int kp_time_parse_iso(const char *s, size_t len, int64_t *ns)
{
        struct tm tm;
        int y, mo, d, h, mi, se, off_h = 0, off_m = 0, has_zone = 0, sign = 1;
        int64_t frac = 0, scale = KP_NS_PER_S;
        size_t i = 19;
        time_t sec;

        memset(&tm, 0, sizeof(tm));
        if (digits(s, len, 0, 4, &y) < 0 || len < 19 || s[4] != '-' ||
            digits(s, len, 5, 2, &mo) < 0 || s[7] != '-' || digits(s, len, 8, 2, &d) < 0 ||
            (s[10] != 'T' && s[10] != ' ') || digits(s, len, 11, 2, &h) < 0 || s[13] != ':' ||
            digits(s, len, 14, 2, &mi) < 0 || s[16] != ':' || digits(s, len, 17, 2, &se) < 0)
                return -1;
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
                return -1;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                if (i >= len || !isdigit((unsigned char)s[i]))
                        return -1;
                while (i < len && isdigit((unsigned char)s[i])) {
                        if (scale > 1) {
                                scale /= 10;
                                frac += (s[i] - '0') * scale;
                        }
                        i++;
                }
        }
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
                has_zone = 1;
                i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
                sign = s[i] == '-' ? -1 : 1;
                if (digits(s, len, i + 1, 2, &off_h) < 0)
                        return -1;
                i += 3;
                if (i < len && s[i] == ':')
                        i++;
                if (digits(s, len, i, 2, &off_m) < 0)
                        return -1;
                i += 2;
                has_zone = 1;
        }
        if (i != len)
                return -1;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = se;
        if (has_zone) {
                sec = timegm(&tm);
                sec -= sign * (off_h * 3600 + off_m * 60);
        } else {
                tm.tm_isdst = -1;
                sec = mktime(&tm);
        }
        if (sec == (time_t)-1 && !(y == 1969 || y == 1970))
                return -1;
        *ns = (int64_t)sec * KP_NS_PER_S + frac;
        return 0;
}
