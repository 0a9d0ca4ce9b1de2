/*
 * kproof report: renders report.html and junit.xml again from a run
 * directory's evidence.json (for example after upgrading kproof's
 * renderers). The evidence itself is never changed.
 */
#include <stdio.h>

#include "cli.h"
#include "opt.h"
#include "report/report.h"
#include "src/fsutil.h"

static const char *out_dir;

static const kp_opt_t opts[] = {
    {"out", 'o', KP_OPT_STRING, "DIR", "write the reports here instead of into RUN_DIR", &out_dir},
};

static const kp_cmd_spec_t spec = {
    "report", "RUN_DIR [--out DIR]", "Render report.html and junit.xml from RUN_DIR/evidence.json.",
    NULL, opts, sizeof(opts) / sizeof(opts[0]),
};

int kp_cmd_report(int argc, char **argv)
{
        const char *pos[1];
        char ev_path[4096], out[4096];
        const char *dir;
        size_t n;
        kp_err_t err;
        int rc = kp_opt_parse(&spec, argc, argv, pos, 1, &n, &err);

        if (rc == 1)
                return 0;
        if (rc < 0)
                return kp_cli_fail(&err);
        if (n != 1) {
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (kp_path_join(ev_path, sizeof(ev_path), pos[0], "evidence.json") < 0 ||
            !kp_path_exists(ev_path)) {
                kp_err_set(&err, KP_EINVAL, "%s: no evidence.json in this directory", pos[0]);
                return kp_cli_fail(&err);
        }
        dir = out_dir ? out_dir : pos[0];
        if (kp_mkdir_p(dir, &err) < 0)
                return kp_cli_fail(&err);
        kp_path_join(out, sizeof(out), dir, "report.html");
        if (kp_report_html(ev_path, out, &err) < 0)
                return kp_cli_fail(&err);
        printf("%s\n", out);
        kp_path_join(out, sizeof(out), dir, "junit.xml");
        if (kp_report_junit(ev_path, out, &err) < 0)
                return kp_cli_fail(&err);
        printf("%s\n", out);
        return 0;
}
