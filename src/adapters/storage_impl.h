/*
 * storage_impl: the adapter vtable behind storage.h (storage_dir.c,
 * storage_s3.c). Not for suites.
 */
#ifndef KP_STORAGE_IMPL_H
#define KP_STORAGE_IMPL_H

#include "adapters/storage.h"

typedef struct kp_storage_ops {
        const char *type;
        int (*scan)(kp_storage_t *st, const char *topic, kp_tokscan_t *ts, kp_storage_scan_t *res,
                    kp_err_t *err);
        void (*destroy)(kp_storage_t *st);
} kp_storage_ops_t;

struct kp_storage {
        const kp_storage_ops_t *ops;
        const kp_storage_cfg_t *cfg; /* borrowed from the target */
        void *impl;
};

/* Relative log_dirs are taken from base_dir (the target file's directory). */
int kp_storage_dir_new(const kp_storage_cfg_t *cfg, const char *base_dir, kp_storage_t **out,
                       kp_err_t *err);
int kp_storage_s3_new(const kp_storage_cfg_t *cfg, kp_storage_t **out, kp_err_t *err);

#endif
