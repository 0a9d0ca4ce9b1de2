/*
 * kproof keygen: creates the Ed25519 key pair kproof signs run directories
 * with: FILE (private, PEM PKCS#8, mode 0600) and FILE.pub (public, PEM).
 */
#include <stdio.h>

#include "cli.h"
#include "opt.h"
#include "sign/sign.h"

static const char *out_path;
static int force;

static const kp_opt_t opts[] = {
    {"out", 'o', KP_OPT_STRING, "FILE", "private key file to create (FILE.pub gets the public key)",
     &out_path},
    {"force", 'f', KP_OPT_FLAG, NULL, "replace an existing key", &force},
};

static const kp_cmd_spec_t spec = {
    "keygen",
    "--out FILE [--force]",
    "Create an Ed25519 signing key pair for run directories.",
    "Sign runs with it through 'kproof run --sign-key FILE' or KPROOF_SIGN_KEY=FILE, and give\n"
    "FILE.pub to whoever verifies ('kproof verify RUN_DIR --pubkey FILE.pub'). The fingerprint\n"
    "printed is the SHA-256 of the DER public key, which is also the keyid in every envelope:\n"
    "  openssl pkey -pubin -in FILE.pub -outform DER | sha256sum",
    opts,
    sizeof(opts) / sizeof(opts[0]),
};

int kp_cmd_keygen(int argc, char **argv)
{
        char fp[KP_SHA256_HEX];
        size_t n_pos = 0;
        kp_err_t err;
        int rc;

        out_path = NULL;
        force = 0;
        if (kp_cli_parse(&spec, argc, argv, NULL, 0, &n_pos, &rc))
                return rc;
        if (!out_path) {
                fprintf(stderr, "kproof keygen: --out FILE is required\n\n");
                kp_opt_help(&spec, stderr);
                return KP_EXIT_INVALID;
        }
        if (kp_key_generate(out_path, force, fp, &err) < 0)
                return kp_cli_fail(&err);
        fprintf(stderr, "kproof: wrote private key %s (mode 0600) and public key %s.pub\n",
                out_path, out_path);
        printf("%s\n", fp);
        return 0;
}
