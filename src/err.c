#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int kp_err_set(kp_err_t *err, kp_code_t code, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return -1;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        return -1;
}

int kp_err_prefix(kp_err_t *err, const char *fmt, ...)
{
        char prefix[256];
        char old[sizeof(err->msg)];
        va_list ap;

        if (!err)
                return -1;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
        return -1;
}

void kp_err_clear(kp_err_t *err)
{
        if (!err)
                return;
        err->code = KP_OK;
        err->msg[0] = '\0';
}

int kp_err_exit_code(kp_code_t code)
{
        switch (code) {
        case KP_OK:
                return KP_EXIT_OK;
        case KP_EUSAGE:
        case KP_EINVAL:
                return KP_EXIT_INVALID;
        default:
                return KP_EXIT_INFRA;
        }
}

const char *kp_code_name(kp_code_t code)
{
        static const char *const names[] = {
            [KP_OK] = "ok",
            [KP_EUSAGE] = "usage",
            [KP_EINVAL] = "invalid",
            [KP_EINFRA] = "infra",
            [KP_EIO] = "io",
            [KP_ENOMEM] = "nomem",
            [KP_EINTR] = "interrupted",
            [KP_EUNSUPPORTED] = "unsupported",
        };
        if ((size_t)code < sizeof(names) / sizeof(names[0]) && names[code])
                return names[code];
        return "unknown";
}
