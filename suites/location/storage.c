/*
 * location.storage: where the platform's durable bytes are. For s3: the
 * bucket's region (GetBucketLocation) against the declared regions, its owner
 * (GetBucketAcl; with a declared account the service itself confirms it
 * through x-amz-expected-bucket-owner), its default encryption
 * (GetBucketEncryption) under the declared KMS key, and its public access
 * block (GetPublicAccessBlock). For dir: the mount point, filesystem and
 * device of every log directory, and whether the device is dm-crypt.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "location.h"
#include "adapters/aws.h"
#include "adapters/storage.h"

/* Text of the first <tag ...>...</tag> in xml ("" when absent or <tag/>);
 * 1 when found. S3 puts attributes on some elements (xmlns). */
static int xml_text(const char *xml, const char *tag, char *out, size_t size)
{
        char open[64], close[64];
        const char *a = xml, *b;
        size_t tl;

        out[0] = '\0';
        snprintf(open, sizeof(open), "<%s", tag);
        snprintf(close, sizeof(close), "</%s>", tag);
        tl = strlen(open);
        while (a && (a = strstr(a, open))) {
                if (a[tl] == '>' || a[tl] == ' ' || a[tl] == '/')
                        break;
                a += tl;
        }
        if (!a || !(a = strchr(a, '>')))
                return 0;
        if (a[-1] == '/')
                return 1;
        a++;
        if (!(b = strstr(a, close)))
                return 0;
        snprintf(out, size, "%.*s", (int)(b - a), a);
        return 1;
}

/* Same key when equal or when one is an ARN ending in "/<the other>". */
static int same_key(const char *a, const char *b)
{
        size_t al = strlen(a), bl = strlen(b);

        if (!strcmp(a, b))
                return 1;
        if (al > bl && a[al - bl - 1] == '/' && !strcmp(a + al - bl, b))
                return 1;
        return bl > al && b[bl - al - 1] == '/' && !strcmp(b + bl - al, a);
}

typedef struct s3_get {
        long status;
        char code[128];
        char body[8192];
} s3_get_t;

/* GET /bucket?sub with optional extra header; -1 with c set to error when no
 * HTTP answer came. */
static int s3_sub(kp_aws_t *aws, kp_check_t *c, const char *bucket, const char *sub,
                  const char *hname, const char *hval, s3_get_t *out)
{
        kp_kvlist_t q = {0}, h = {0};
        kp_aws_resp_t resp;
        kp_err_t err = {0};
        char path[512];
        int rc;

        snprintf(path, sizeof(path), "/%s", bucket);
        kp_kvlist_set(&q, sub, "");
        if (hname)
                kp_kvlist_set(&h, hname, hval);
        kp_aws_resp_init(&resp);
        rc = kp_aws_call(aws, "GET", path, &q, hname ? &h : NULL, NULL, 0, &resp, &err);
        kp_kvlist_clear(&q);
        kp_kvlist_clear(&h);
        if (rc < 0) {
                kp_check_error(c, "s3 GET /%s?%s: %s", bucket, sub, err.msg);
                kp_aws_resp_release(&resp);
                return -1;
        }
        out->status = resp.status;
        snprintf(out->body, sizeof(out->body), "%.*s", (int)resp.body.len, kp_buf_cstr(&resp.body));
        snprintf(out->code, sizeof(out->code), "%s", kp_aws_last_error(aws)->code);
        kp_aws_resp_release(&resp);
        return 0;
}

#define FAIL_ADD(...)                                                                              \
        do {                                                                                       \
                if (fl < sizeof(fails))                                                            \
                        fl += (size_t)snprintf(fails + fl, sizeof(fails) - fl, "%s",               \
                                               fl ? "; " : "");                                    \
                if (fl < sizeof(fails))                                                            \
                        fl += (size_t)snprintf(fails + fl, sizeof(fails) - fl, __VA_ARGS__);       \
                n_fail++;                                                                          \
        } while (0)

static void row(kp_table_t *tb, const char *what, const char *observed, const char *declared,
                const char *verdict)
{
        const char *cells[4] = {what, observed, declared, verdict};
        kp_table_row(tb, cells);
}

static void check_s3(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"what", "observed", "declared", "verdict"};
        static const char *const pab[] = {"BlockPublicAcls", "IgnorePublicAcls",
                                          "BlockPublicPolicy", "RestrictPublicBuckets"};
        const kp_target_t *t = ctx->plat->target;
        const kp_storage_cfg_t *sc = &t->storage;
        const kp_deployment_cfg_t *d = &t->deployment;
        const char *want_key = sc->expected_kms_key ? sc->expected_kms_key : NULL;
        char region[128], owner[256], name[256], alg[64], key[512], v[32];
        char fails[2048] = "", regions[512] = "";
        size_t fl = 0, i, rl = 0;
        int n_fail = 0, judged = 0;
        kp_aws_t *aws = NULL;
        kp_err_t err = {0};
        kp_table_t *tb;
        s3_get_t *g = calloc(1, sizeof(*g));

        if (!g) {
                kp_check_error(c, "out of memory");
                return;
        }
        if (kp_storage_s3_client(sc, 2, &aws, &err) < 0) {
                kp_check_error(c, "s3 client: %s", err.msg);
                goto out;
        }
        tb = kp_check_table(c, "Bucket facts against the boundary", cols, 4);
        for (i = 0; i < d->n_boundary_regions && rl < sizeof(regions); i++)
                rl += (size_t)snprintf(regions + rl, sizeof(regions) - rl, "%s%s", i ? ", " : "",
                                       d->boundary_regions[i]);
        /* region */
        if (s3_sub(aws, c, sc->bucket, "location", NULL, NULL, g) < 0)
                goto out;
        if (g->status != 200) {
                kp_check_error(c, "GetBucketLocation of %s: HTTP %ld %s", sc->bucket, g->status,
                               g->code);
                goto out;
        }
        xml_text(g->body, "LocationConstraint", region, sizeof(region));
        if (!region[0])
                snprintf(region, sizeof(region), "us-east-1"); /* S3's empty constraint */
        if (d->n_boundary_regions) {
                int ok = loc_in_list(d->boundary_regions, d->n_boundary_regions, region);
                judged++;
                row(tb, "region (GetBucketLocation)", region, regions, ok ? "inside" : "outside");
                if (!ok)
                        FAIL_ADD("bucket %s is in region %s, not in deployment.boundary.regions "
                                 "(%s)",
                                 sc->bucket, region, regions);
        } else {
                row(tb, "region (GetBucketLocation)", region, "-",
                    "not judged: no deployment.boundary.regions");
        }
        /* owner */
        if (s3_sub(aws, c, sc->bucket, "acl", NULL, NULL, g) < 0)
                goto out;
        xml_text(g->body, "ID", owner, sizeof(owner));
        xml_text(g->body, "DisplayName", name, sizeof(name));
        {
                char o[600];
                snprintf(o, sizeof(o), "%s%s%s%s", g->status == 200 ? owner : "unreadable",
                         name[0] ? " (" : "", name, name[0] ? ")" : "");
                row(tb, "owner (GetBucketAcl)", o, "-", "recorded");
        }
        if (d->boundary_account && *d->boundary_account) {
                if (s3_sub(aws, c, sc->bucket, "location", "x-amz-expected-bucket-owner",
                           d->boundary_account, g) < 0)
                        goto out;
                judged++;
                row(tb, "owner account (x-amz-expected-bucket-owner)",
                    g->status == 200 ? "accepted by the service" : g->code, d->boundary_account,
                    g->status == 200 ? "inside" : "outside");
                if (g->status != 200)
                        FAIL_ADD("bucket %s is not owned by the declared account_id %s (S3 "
                                 "answered HTTP %ld %s to x-amz-expected-bucket-owner)",
                                 sc->bucket, d->boundary_account, g->status, g->code);
        }
        /* default encryption */
        if (s3_sub(aws, c, sc->bucket, "encryption", NULL, NULL, g) < 0)
                goto out;
        judged++;
        if (g->status == 404 ||
            (g->status == 200 && !xml_text(g->body, "SSEAlgorithm", alg, sizeof(alg)))) {
                row(tb, "default encryption (GetBucketEncryption)", "none",
                    want_key ? want_key : "SSE-KMS", "fail");
                FAIL_ADD("bucket %s has no default encryption (GetBucketEncryption: %s)",
                         sc->bucket, g->code[0] ? g->code : "no rule");
        } else if (g->status != 200) {
                kp_check_error(c, "GetBucketEncryption of %s: HTTP %ld %s", sc->bucket, g->status,
                               g->code);
                goto out;
        } else {
                char o[700];
                xml_text(g->body, "KMSMasterKeyID", key, sizeof(key));
                snprintf(o, sizeof(o), "%s%s%s", alg, key[0] ? " " : "", key);
                if (strncmp(alg, "aws:kms", 7) != 0) {
                        row(tb, "default encryption (GetBucketEncryption)", o,
                            want_key ? want_key : "SSE-KMS", "fail");
                        FAIL_ADD("bucket %s encrypts by default with %s, not SSE-KMS under a "
                                 "customer key",
                                 sc->bucket, alg);
                } else if (want_key && !(key[0] && same_key(key, want_key))) {
                        row(tb, "default encryption (GetBucketEncryption)", o, want_key, "fail");
                        FAIL_ADD("bucket %s encrypts by default under %s, not the declared "
                                 "storage.expected_kms_key %s",
                                 sc->bucket, key[0] ? key : "the AWS managed key", want_key);
                } else {
                        row(tb, "default encryption (GetBucketEncryption)", o,
                            want_key ? want_key : "SSE-KMS (no expected_kms_key declared)", "pass");
                }
        }
        /* public access block */
        if (s3_sub(aws, c, sc->bucket, "publicAccessBlock", NULL, NULL, g) < 0)
                goto out;
        judged++;
        if (g->status == 404) {
                row(tb, "public access block (GetPublicAccessBlock)", "none", "all four true",
                    "fail");
                FAIL_ADD("bucket %s has no public access block (%s)", sc->bucket, g->code);
        } else if (g->status != 200) {
                kp_check_error(c, "GetPublicAccessBlock of %s: HTTP %ld %s", sc->bucket, g->status,
                               g->code);
                goto out;
        } else {
                char o[256] = "";
                size_t ol = 0;
                const char *off = NULL;
                for (i = 0; i < 4; i++) {
                        xml_text(g->body, pab[i], v, sizeof(v));
                        ol += (size_t)snprintf(o + ol, ol < sizeof(o) ? sizeof(o) - ol : 0,
                                               "%s%s=%s", i ? " " : "", pab[i], v[0] ? v : "?");
                        if (strcmp(v, "true") != 0 && !off)
                                off = pab[i];
                }
                row(tb, "public access block (GetPublicAccessBlock)", o, "all four true",
                    off ? "fail" : "pass");
                if (off)
                        FAIL_ADD("bucket %s does not block public access (%s is not true)",
                                 sc->bucket, off);
        }
        kp_check_measure(c, "rules_judged", judged, "rules");
        kp_check_measure(c, "rules_violated", n_fail, "rules");
        if (n_fail) {
                kp_check_fail(c, "%s", fails);
                goto out;
        }
        kp_check_pass(c,
                      "bucket %s in region %s, default encryption %s%s%s, public access blocked "
                      "(%d rules judged)",
                      sc->bucket, region, alg, key[0] ? " under " : "", key, judged);
out:
        kp_aws_free(aws);
        free(g);
}

/* The mount (longest mount point that prefixes path) from /proc/self/mountinfo. */
static int mount_of(const char *path, char *mnt, size_t msize, char *fstype, size_t fsize,
                    char *source, size_t ssize, char *majmin, size_t mmsize)
{
        FILE *f = fopen("/proc/self/mountinfo", "r");
        char line[4096];
        size_t best = 0;

        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f)) {
                char mm[32], mp[1024], fs[64], src[1024];
                const char *sep = strstr(line, " - ");
                size_t l;
                if (!sep || sscanf(line, "%*s %*s %31s %*s %1023s", mm, mp) != 2 ||
                    sscanf(sep + 3, "%63s %1023s", fs, src) != 2)
                        continue;
                l = strlen(mp);
                if (strncmp(path, mp, l) != 0 || (l > 1 && path[l] && path[l] != '/'))
                        continue;
                if (l >= best) {
                        best = l;
                        snprintf(mnt, msize, "%s", mp);
                        snprintf(fstype, fsize, "%s", fs);
                        snprintf(source, ssize, "%s", src);
                        snprintf(majmin, mmsize, "%s", mm);
                }
        }
        fclose(f);
        return best ? 0 : -1;
}

/* "dm-crypt" when the block device (or one it is built on) is a dm-crypt
 * mapping, "no" when Linux shows it is not, "unknown" without a block device. */
static const char *dm_crypt(const char *majmin)
{
        char p[256], uuid[256];
        FILE *f;
        struct stat sb;

        snprintf(p, sizeof(p), "/sys/dev/block/%s", majmin);
        if (stat(p, &sb) != 0)
                return "unknown (no block device)";
        snprintf(p, sizeof(p), "/sys/dev/block/%s/dm/uuid", majmin);
        f = fopen(p, "r");
        if (!f)
                return "no";
        uuid[0] = '\0';
        if (!fgets(uuid, sizeof(uuid), f))
                uuid[0] = '\0';
        fclose(f);
        return strncmp(uuid, "CRYPT-", 6) == 0 ? "dm-crypt" : "no (device-mapper, not crypt)";
}

static void check_dir(kp_ctx_t *ctx, kp_check_t *c)
{
        static const char *const cols[] = {"log dir", "mount point", "filesystem", "device",
                                           "encrypted device"};
        const kp_target_t *t = ctx->plat->target;
        char target_dir[4096], pattern[8192];
        int dirs = 0, crypt = 0;
        kp_table_t *tb;
        size_t i, j;
        const char *slash = strrchr(t->path, '/');

        snprintf(target_dir, sizeof(target_dir), "%.*s", slash ? (int)(slash - t->path) : 1,
                 slash ? t->path : ".");
        tb = kp_check_table(c, "Log directories: mount, filesystem and device", cols, 5);
        for (i = 0; i < t->storage.n_log_dirs; i++) {
                glob_t gl;
                const char *ld = t->storage.log_dirs[i];
                if (ld[0] == '/')
                        snprintf(pattern, sizeof(pattern), "%s", ld);
                else
                        snprintf(pattern, sizeof(pattern), "%s/%s", target_dir, ld);
                if (glob(pattern, 0, NULL, &gl) != 0)
                        continue;
                for (j = 0; j < gl.gl_pathc; j++) {
                        char real[4096], mnt[1024], fs[64], src[1024], mm[32];
                        const char *enc, *cells[5];
                        if (!realpath(gl.gl_pathv[j], real) ||
                            mount_of(real, mnt, sizeof(mnt), fs, sizeof(fs), src, sizeof(src), mm,
                                     sizeof(mm)) < 0)
                                continue;
                        enc = dm_crypt(mm);
                        cells[0] = real;
                        cells[1] = mnt;
                        cells[2] = fs;
                        cells[3] = src;
                        cells[4] = enc;
                        kp_table_row(tb, cells);
                        dirs++;
                        if (!strcmp(enc, "dm-crypt"))
                                crypt++;
                }
                globfree(&gl);
        }
        kp_check_measure(c, "log_dirs", dirs, "directories");
        kp_check_measure(c, "log_dirs_on_dm_crypt", crypt, "directories");
        if (!dirs) {
                kp_check_error(c, "no log directory of storage.log_dirs exists here");
                return;
        }
        kp_check_pass(c,
                      "%d log directories recorded with mount point, filesystem and device "
                      "(%d on dm-crypt); they are local to the broker hosts that "
                      "location.broker-endpoints places",
                      dirs, crypt);
}

void loc_check_storage(kp_ctx_t *ctx, kp_check_t *c)
{
        const kp_target_t *t = ctx->plat->target;

        if (!strcmp(t->storage_type, "s3"))
                check_s3(ctx, c);
        else if (!strcmp(t->storage_type, "dir"))
                check_dir(ctx, c);
        else
                kp_check_skip(c, "the target has no storage adapter (storage.type is %s)",
                              t->storage_type);
}
