/*
 * s3xml: S3's XML answers through expat's streaming (SAX) interface. One
 * state per document: the depth of the open element and at most one field
 * whose text is being gathered (text of the field's own element only, not of
 * its children). See s3xml.h.
 */
#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/s3xml.h"

typedef struct doc {
        XML_Parser p;
        int depth; /* of the innermost open element; 1 for the root */
        char *field;
        size_t field_size, field_len;
        int field_depth;
        /* ListObjectsV2 */
        kp_s3_listing_t *list;
        int in_contents;
        kp_s3_object_t cur;
        char size_text[32], truncated_text[8];
        int bad_root, nomem;
        /* error document: 0 not seen, 1 open, 2 closed */
        char *code, *message;
        size_t code_size, message_size;
        int code_state, message_state;
} doc_t;

/* "s3:Contents" and "Contents" alike. */
static const char *local_name(const XML_Char *name)
{
        const char *c = strrchr(name, ':');
        return c ? c + 1 : name;
}

static void collect(doc_t *d, char *dst, size_t size)
{
        d->field = dst;
        d->field_size = size;
        d->field_len = 0;
        d->field_depth = d->depth;
        dst[0] = '\0';
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
        doc_t *d = ud;
        size_t n = (size_t)len, room;

        if (!d->field || d->depth != d->field_depth || len <= 0)
                return;
        room = d->field_size - 1 - d->field_len;
        if (n > room)
                n = room;
        memcpy(d->field + d->field_len, s, n);
        d->field_len += n;
        d->field[d->field_len] = '\0';
}

/* Ends the field of the element closing at the current depth; 1 if it was. */
static int end_field(doc_t *d)
{
        if (!d->field || d->depth != d->field_depth)
                return 0;
        d->field = NULL;
        return 1;
}

static void stop(doc_t *d)
{
        XML_StopParser(d->p, XML_FALSE);
}

/* Parses the whole document; 0 when it is well-formed, -1 otherwise with
 * the reason in why. */
static int parse(doc_t *d, XML_StartElementHandler start, XML_EndElementHandler end,
                 const char *xml, size_t len, char *why, size_t why_size)
{
        XML_Parser p = XML_ParserCreate(NULL);
        int rc = 0;

        if (!p) {
                d->nomem = 1;
                snprintf(why, why_size, "out of memory");
                return -1;
        }
        d->p = p;
        XML_SetUserData(p, d);
        XML_SetElementHandler(p, start, end);
        XML_SetCharacterDataHandler(p, on_text);
        do {
                size_t n = len < (size_t)INT_MAX ? len : (size_t)INT_MAX;
                if (XML_Parse(p, xml, (int)n, n == len) != XML_STATUS_OK) {
                        snprintf(why, why_size, "line %lu: %s",
                                 (unsigned long)XML_GetCurrentLineNumber(p),
                                 XML_ErrorString(XML_GetErrorCode(p)));
                        rc = -1;
                        break;
                }
                xml += n;
                len -= n;
        } while (len > 0);
        XML_ParserFree(p);
        return rc;
}

/* ------------------------------------------------------------ ListObjectsV2 */

static void XMLCALL list_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
        doc_t *d = ud;
        const char *n = local_name(name);
        (void)attrs;

        d->depth++;
        if (d->depth == 1) {
                if (strcmp(n, "ListBucketResult") != 0) {
                        d->bad_root = 1;
                        stop(d);
                }
        } else if (d->depth == 2) {
                if (strcmp(n, "Contents") == 0) {
                        memset(&d->cur, 0, sizeof(d->cur));
                        d->size_text[0] = '\0';
                        d->in_contents = 1;
                } else if (strcmp(n, "IsTruncated") == 0) {
                        collect(d, d->truncated_text, sizeof(d->truncated_text));
                } else if (strcmp(n, "NextContinuationToken") == 0) {
                        collect(d, d->list->next_token, sizeof(d->list->next_token));
                }
        } else if (d->depth == 3 && d->in_contents) {
                if (strcmp(n, "Key") == 0)
                        collect(d, d->cur.key, sizeof(d->cur.key));
                else if (strcmp(n, "Size") == 0)
                        collect(d, d->size_text, sizeof(d->size_text));
                else if (strcmp(n, "LastModified") == 0)
                        collect(d, d->cur.last_modified, sizeof(d->cur.last_modified));
        }
}

static int push_object(doc_t *d)
{
        kp_s3_listing_t *l = d->list;

        if (l->n_objects == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                kp_s3_object_t *o = realloc(l->objects, cap * sizeof(*o));
                if (!o)
                        return -1;
                l->objects = o;
                l->cap = cap;
        }
        d->cur.size = strtoull(d->size_text, NULL, 10);
        l->objects[l->n_objects++] = d->cur;
        return 0;
}

static void XMLCALL list_end(void *ud, const XML_Char *name)
{
        doc_t *d = ud;
        (void)name;

        end_field(d);
        if (d->depth == 2 && d->in_contents) {
                d->in_contents = 0;
                if (d->cur.key[0] && push_object(d) < 0) {
                        d->nomem = 1;
                        stop(d);
                }
        }
        d->depth--;
}

int kp_s3xml_listing(const char *xml, size_t len, kp_s3_listing_t *out, kp_err_t *err)
{
        doc_t *d = calloc(1, sizeof(*d));
        char why[256] = "";
        int rc;

        if (!d)
                return kp_err_set(err, KP_ENOMEM, "ListObjectsV2 answer: out of memory");
        d->list = out;
        rc = parse(d, list_start, list_end, xml, len, why, sizeof(why));
        if (d->nomem)
                rc = kp_err_set(err, KP_ENOMEM, "ListObjectsV2 answer: out of memory");
        else if (d->bad_root)
                rc = kp_err_set(err, KP_EINFRA, "ListObjectsV2 answer: not a ListBucketResult");
        else if (rc < 0)
                rc = kp_err_set(err, KP_EINFRA, "ListObjectsV2 answer: not well-formed XML (%s)",
                                why);
        else
                out->is_truncated = strcmp(d->truncated_text, "true") == 0;
        free(d);
        return rc;
}

void kp_s3_listing_free(kp_s3_listing_t *l)
{
        free(l->objects);
        memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------ error document */

static void XMLCALL error_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
        doc_t *d = ud;
        const char *n = local_name(name);
        (void)attrs;

        d->depth++;
        if (d->field)
                return;
        if (d->code_state == 0 && strcmp(n, "Code") == 0) {
                d->code_state = 1;
                collect(d, d->code, d->code_size);
        } else if (d->message_state == 0 && strcmp(n, "Message") == 0) {
                d->message_state = 1;
                collect(d, d->message, d->message_size);
        }
}

static void XMLCALL error_end(void *ud, const XML_Char *name)
{
        doc_t *d = ud;
        char *f = d->field;
        (void)name;

        if (end_field(d)) {
                if (f == d->code)
                        d->code_state = 2;
                else
                        d->message_state = 2;
        }
        d->depth--;
}

int kp_s3xml_error(const char *xml, size_t len, char *code, size_t code_size, char *message,
                   size_t message_size)
{
        doc_t d;
        char why[256];

        memset(&d, 0, sizeof(d));
        d.code = code;
        d.code_size = code_size;
        d.message = message;
        d.message_size = message_size;
        code[0] = '\0';
        message[0] = '\0';
        parse(&d, error_start, error_end, xml, len, why, sizeof(why));
        /* an element cut off by a syntax error does not count */
        if (d.code_state != 2)
                code[0] = '\0';
        if (d.message_state != 2)
                message[0] = '\0';
        return d.code_state == 2;
}
