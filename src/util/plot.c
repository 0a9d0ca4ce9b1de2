#include "util/plot.h"

#include <string.h>

#include "util/buf.h"
#include "util/proc.h"
#include "util/timeutil.h"

#ifndef KP_GNUPLOT
#define KP_GNUPLOT "gnuplot"
#endif

int kp_plot_svg(const char *script, const char *svg_path, int width, int height, kp_err_t *err)
{
        const char *argv[] = {KP_GNUPLOT, "-", NULL};
        kp_proc_result_t res;
        kp_proc_opts_t o;
        kp_buf_t full;
        int rc = -1;

        if (strchr(svg_path, '\'') || strchr(svg_path, '\n'))
                return kp_err_set(err, KP_EINVAL, "%s: unsupported character in plot path",
                                  svg_path);
        kp_buf_init(&full, 16 << 20);
        kp_buf_printf(&full,
                      "set terminal svg size %d,%d dynamic font 'sans,11' background '#ffffff'\n"
                      "set output '%s'\n%s\nunset output\n",
                      width, height, svg_path, script);
        memset(&o, 0, sizeof(o));
        o.argv = argv;
        o.stdin_data = kp_buf_cstr(&full);
        o.stdin_len = full.len;
        o.timeout_ns = 60 * KP_NS_PER_S;
        o.output_limit = 4096;
        if (kp_proc_run(&o, &res, err) < 0)
                goto out;
        if (res.timed_out || res.exit_code != 0) {
                kp_err_set(err, KP_EINFRA, "gnuplot failed for %s (exit %d%s): %s", svg_path,
                           res.exit_code, res.timed_out ? ", timed out" : "",
                           kp_buf_cstr(&res.output));
        } else {
                rc = 0;
        }
        kp_buf_free(&res.output);
out:
        kp_buf_free(&full);
        return rc;
}
