/*
 * report.pdf: the same document as report.html, printed to PDF by headless
 * Chromium (Debian package "chromium"). kproof draws no PDF itself: the
 * HTML renderer produces the page and a real layout engine paginates it.
 *
 * Rendering is offline by construction: the HTML is self-contained, the
 * browser gets a throw-away profile and HOME in a private temporary
 * directory, background services are off and every host name resolves to
 * nothing, so a stray URL could never reach the network.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/kvlist.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/timeutil.h"

#define PDF_TIMEOUT_S 180

static int in_path(const char *name, char *out, size_t size)
{
        const char *path = getenv("PATH");
        char dir[4096];

        if (strchr(name, '/')) {
                snprintf(out, size, "%s", name);
                return access(out, X_OK) == 0;
        }
        while (path && *path) {
                const char *colon = strchr(path, ':');
                size_t n = colon ? (size_t)(colon - path) : strlen(path);
                if (n > 0 && n < sizeof(dir)) {
                        memcpy(dir, path, n);
                        dir[n] = '\0';
                        if (kp_path_join(out, size, dir, name) == 0 && access(out, X_OK) == 0)
                                return 1;
                }
                path = colon ? colon + 1 : NULL;
        }
        return 0;
}

int kp_report_browser(char *out, size_t size, kp_err_t *err)
{
        static const char *const names[] = {"chromium", "chromium-browser", "google-chrome-stable",
                                            "google-chrome"};
        const char *env = getenv("KPROOF_CHROMIUM");
        size_t i;

        if (env && *env) {
                if (in_path(env, out, size))
                        return 0;
                return kp_err_set(err, KP_EINFRA, "KPROOF_CHROMIUM=%s: not an executable", env);
        }
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (in_path(names[i], out, size))
                        return 0;
        return kp_err_set(err, KP_EINFRA,
                          "no headless Chromium found in PATH (install the Debian package "
                          "'chromium', run scripts/setup.sh, or set KPROOF_CHROMIUM)");
}

/* Keeps the last line of the browser's output that says something useful,
 * skipping the D-Bus chatter a headless browser prints without a session. */
static void last_words(const char *out, char *msg, size_t size)
{
        const char *p = out, *best = NULL, *nl;
        size_t n;

        msg[0] = '\0';
        while (*p) {
                nl = strchr(p, '\n');
                n = nl ? (size_t)(nl - p) : strlen(p);
                if (n > 0 && !memmem(p, n, "dbus", 4) && !memmem(p, n, "DBus", 4))
                        best = p;
                p += n;
                if (*p)
                        p++;
        }
        if (!best)
                return;
        nl = strchr(best, '\n');
        n = nl ? (size_t)(nl - best) : strlen(best);
        if (n >= size)
                n = size - 1;
        memcpy(msg, best, n);
        msg[n] = '\0';
}

static int complete_pdf(const kp_buf_t *b)
{
        size_t tail = b->len < 64 ? b->len : 64;

        return b->len > 5 && memcmp(b->data, "%PDF-", 5) == 0 &&
               memmem(b->data + b->len - tail, tail, "%%EOF", 5) != NULL;
}

int kp_report_html_to_pdf(const char *html_path, const char *out_path, kp_err_t *err)
{
        char browser[4096], tmp[] = "/tmp/kproof-pdf.XXXXXX", profile[4200], pdf[4200],
                            abs_html[4096], url[8300], print_arg[4300], prof_arg[4300], why[600];
        kp_proc_result_t res;
        kp_proc_opts_t o;
        kp_kvlist_t env;
        kp_buf_t bytes;
        int rc = -1;

        memset(&env, 0, sizeof(env));
        memset(&res, 0, sizeof(res));
        kp_buf_init(&bytes, (size_t)1 << 30);
        if (kp_report_browser(browser, sizeof(browser), err) < 0)
                return -1;
        if (!realpath(html_path, abs_html))
                return kp_err_set(err, KP_EIO, "%s: %s", html_path, strerror(errno));
        if (strpbrk(abs_html, "#?%"))
                return kp_err_set(err, KP_EINVAL, "%s: unsupported character in path", abs_html);
        if (!mkdtemp(tmp))
                return kp_err_set(err, KP_EIO, "cannot create a temporary directory: %s",
                                  strerror(errno));
        snprintf(profile, sizeof(profile), "%s/profile", tmp);
        snprintf(pdf, sizeof(pdf), "%s/out.pdf", tmp);
        snprintf(url, sizeof(url), "file://%s", abs_html);
        snprintf(print_arg, sizeof(print_arg), "--print-to-pdf=%s", pdf);
        snprintf(prof_arg, sizeof(prof_arg), "--user-data-dir=%s", profile);
        {
                const char *argv[] = {browser,
                                      "--headless",
                                      "--no-sandbox",
                                      "--disable-gpu",
                                      "--disable-dev-shm-usage",
                                      "--no-first-run",
                                      "--no-default-browser-check",
                                      "--disable-extensions",
                                      "--disable-background-networking",
                                      "--disable-component-update",
                                      "--disable-sync",
                                      "--disable-breakpad",
                                      "--disable-domain-reliability",
                                      "--host-resolver-rules=MAP * ~NOTFOUND",
                                      "--allow-file-access-from-files",
                                      "--no-pdf-header-footer",
                                      prof_arg,
                                      print_arg,
                                      url,
                                      NULL};
                memset(&o, 0, sizeof(o));
                o.argv = argv;
                o.timeout_ns = PDF_TIMEOUT_S * KP_NS_PER_S;
                o.output_limit = 16384;
                kp_kvlist_set(&env, "HOME", tmp);
                kp_kvlist_set(&env, "XDG_CONFIG_HOME", profile);
                kp_kvlist_set(&env, "XDG_CACHE_HOME", profile);
                o.env = &env;
                o.cwd = tmp;
                if (kp_proc_run(&o, &res, err) < 0)
                        goto out;
        }
        /* A complete PDF counts even when the browser then hung or exited
         * badly (headless helpers sometimes linger); anything less is an
         * error that says what the browser said. */
        if (!kp_path_exists(pdf) || kp_read_file(pdf, (size_t)1 << 30, &bytes, NULL) < 0 ||
            !complete_pdf(&bytes)) {
                last_words(kp_buf_cstr(&res.output), why, sizeof(why));
                if (!res.timed_out && res.exit_code == 0)
                        snprintf(why, sizeof(why), "it wrote no complete PDF");
                kp_err_set(err, KP_EINFRA, "%s could not print %s to PDF (%s%d%s): %s", browser,
                           html_path, res.timed_out ? "timed out after " : "exit code ",
                           res.timed_out ? PDF_TIMEOUT_S : res.exit_code, res.timed_out ? " s" : "",
                           why[0] ? why : "no output");
                goto out;
        }
        if (res.timed_out || res.exit_code != 0)
                kp_warn("%s printed %s but then %s; the PDF is complete and kept", browser,
                        html_path, res.timed_out ? "did not exit" : "exited with an error");
        rc = kp_write_file_raw(out_path, bytes.data, bytes.len, 0644, err);
out:
        kp_buf_free(&res.output);
        kp_buf_free(&bytes);
        kp_kvlist_clear(&env);
        kp_rm_rf(tmp);
        return rc;
}

int kp_report_pdf(const char *evidence_path, const char *out_path, kp_err_t *err)
{
        char tmp[] = "/tmp/kproof-pdfsrc.XXXXXX", html[4200];
        int rc;

        if (!mkdtemp(tmp))
                return kp_err_set(err, KP_EIO, "cannot create a temporary directory: %s",
                                  strerror(errno));
        snprintf(html, sizeof(html), "%s/report.html", tmp);
        rc = kp_report_html(evidence_path, html, err);
        if (rc == 0)
                rc = kp_report_html_to_pdf(html, out_path, err);
        kp_rm_rf(tmp);
        return rc;
}
