#include "report_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/jsonv.h"

int kp_report_load(const char *evidence_path, cJSON **root, kp_err_t *err)
{
        if (kp_jv_load_file(evidence_path, (size_t)1 << 30, root, err) < 0)
                return -1;
        if (!cJSON_IsObject(*root) || !cJSON_GetObjectItemCaseSensitive(*root, "checks")) {
                cJSON_Delete(*root);
                *root = NULL;
                return kp_err_set(err, KP_EINVAL, "%s: not a kproof evidence file", evidence_path);
        }
        return 0;
}

void kp_report_esc(kp_buf_t *b, const char *s)
{
        const char *p;

        if (!s)
                return;
        for (p = s; *p; p++) {
                switch (*p) {
                case '&':
                        kp_buf_puts(b, "&amp;");
                        break;
                case '<':
                        kp_buf_puts(b, "&lt;");
                        break;
                case '>':
                        kp_buf_puts(b, "&gt;");
                        break;
                case '"':
                        kp_buf_puts(b, "&quot;");
                        break;
                case '\'':
                        kp_buf_puts(b, "&#39;");
                        break;
                default:
                        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                                kp_buf_putc(b, ' ');
                        else
                                kp_buf_putc(b, *p);
                }
        }
}

const char *kp_report_str(const cJSON *o, const char *key, const char *dflt)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        return cJSON_IsString(v) ? v->valuestring : dflt;
}

double kp_report_num(const cJSON *o, const char *key, double dflt)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

void kp_report_fmt_num(double v, char *out, size_t size)
{
        if (!isfinite(v))
                snprintf(out, size, "-");
        else if (v == floor(v) && fabs(v) < 1e15)
                snprintf(out, size, "%.0f", v);
        else if (fabs(v) >= 0.01 && fabs(v) < 1e6)
                snprintf(out, size, "%.3f", v);
        else
                snprintf(out, size, "%.4g", v);
        /* trim trailing zeros of fixed notation */
        if (strchr(out, '.') && !strchr(out, 'e')) {
                size_t n = strlen(out);
                while (n > 1 && out[n - 1] == '0')
                        out[--n] = '\0';
                if (n > 1 && out[n - 1] == '.')
                        out[--n] = '\0';
        }
}
