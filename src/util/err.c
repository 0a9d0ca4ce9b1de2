#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/secret.h"

int kp_err_set(kp_err_t *err, kp_code_t code, const char *fmt, ...)
{
        kp_buf_t b;
        va_list ap;

        if (!err)
                return -1;
        err->code = code;
        /* The message is redacted before it is cut to size, so the cut
         * never leaves a piece of a secret behind. */
        kp_buf_init(&b, (size_t)1 << 20);
        va_start(ap, fmt);
        kp_buf_vprintf(&b, fmt, ap);
        va_end(ap);
        kp_redact_copy(err->msg, sizeof(err->msg), kp_buf_cstr(&b), b.len, 0);
        kp_buf_free(&b);
        return -1;
}

int kp_err_prefix(kp_err_t *err, const char *fmt, ...)
{
        char prefix[256];
        char old[sizeof(err->msg)];
        kp_buf_t b;
        va_list ap;

        if (!err)
                return -1;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        kp_buf_init(&b, sizeof(prefix) + sizeof(old) + 8);
        kp_buf_printf(&b, "%s: %s", prefix, old);
        kp_redact_copy(err->msg, sizeof(err->msg), kp_buf_cstr(&b), b.len, 0);
        kp_buf_free(&b);
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
