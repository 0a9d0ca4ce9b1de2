/*
 * s3xml: the XML answers of S3 read with expat: a ListObjectsV2 page (its
 * objects, IsTruncated and NextContinuationToken) and an error document
 * (<Error><Code>, <Message>). Elements are matched by local name, so a
 * namespace prefix does not matter; entities and CDATA are decoded. expat
 * loads no external entities and bounds entity expansion. Text longer than
 * a field is cut at the field's size.
 */
#ifndef KP_S3XML_H
#define KP_S3XML_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct kp_s3_object {
        char key[1025]; /* S3 keys are at most 1024 bytes */
        uint64_t size;
        char last_modified[64]; /* "2026-12-03T13:00:00.000Z"; "" when absent */
} kp_s3_object_t;

typedef struct kp_s3_listing {
        kp_s3_object_t *objects; /* in document order; Contents without a Key are left out */
        size_t n_objects, cap;
        int is_truncated;      /* <IsTruncated>true</IsTruncated> */
        char next_token[1024]; /* NextContinuationToken, "" when absent */
} kp_s3_listing_t;

/* Reads a ListObjectsV2 answer (root ListBucketResult) into out, which
 * must be zeroed; release with kp_s3_listing_free even on failure. -1 with
 * err (KP_EINFRA, KP_ENOMEM) when it is not well-formed XML or has another
 * root. */
int kp_s3xml_listing(const char *xml, size_t len, kp_s3_listing_t *out, kp_err_t *err);
void kp_s3_listing_free(kp_s3_listing_t *l);

/* The text of the first Code and the first Message element of an error
 * document, each "" when absent; what comes before a syntax error counts.
 * Returns 1 when a Code element was found. */
int kp_s3xml_error(const char *xml, size_t len, char *code, size_t code_size, char *message,
                   size_t message_size);

#endif
