/*
 * fsutil: files and directories. Every write goes through the secret
 * redaction and lands atomically (temporary file, fsync, rename), so a crash
 * never leaves a half-written file under its final name.
 */
#ifndef KP_FSUTIL_H
#define KP_FSUTIL_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

int kp_mkdir_p(const char *path, kp_err_t *err);
/* Writes data (redacted) to path atomically with the given mode. */
int kp_write_file(const char *path, const void *data, size_t len, int mode, kp_err_t *err);
/* Writes without redaction: only for bytes that cannot hold text from input
 * (signatures, key material written by keygen). */
int kp_write_file_raw(const char *path, const void *data, size_t len, int mode, kp_err_t *err);
/* Reads a whole file of at most limit bytes into out (appends). */
int kp_read_file(const char *path, size_t limit, kp_buf_t *out, kp_err_t *err);
int kp_path_exists(const char *path);
int kp_is_dir(const char *path);
/* True when path is a directory holding at least one entry. */
int kp_dir_nonempty(const char *path);
/* Removes a directory tree (used for temporary trees only). */
int kp_rm_rf(const char *path);
/* "a" + "/" + "b" into out (snprintf semantics; -1 when truncated). */
int kp_path_join(char *out, size_t size, const char *a, const char *b);
/* Last path component without extension, e.g. "scenarios/x.json" -> "x". */
void kp_path_stem(const char *path, char *out, size_t size);
/* The directory holding path, absolute when path resolves (realpath), e.g.
 * "/etc/kproof/t.json" -> "/etc/kproof", "t.json" -> the working directory;
 * "." for a NULL path. */
void kp_path_dir(const char *path, char *out, size_t size);

#endif
