/*
 * Network observations of a Kafka client: see netobs.h.
 */
#include "platform/netobs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "platform/kafka.h"
#include "util/timeutil.h"

struct kp_netobs {
        rd_kafka_t *rk;
        pthread_mutex_t lock;
        int tls, tls_verify;
        int samples;
        int acked, done;
        kp_netobs_broker_t brokers[KP_NETOBS_MAX];
        size_t n_brokers;
        kp_netobs_peer_t peers[KP_NETOBS_MAX];
        size_t n_peers;
        kp_netobs_stat_t stats[KP_NETOBS_MAX];
        size_t n_stats;
        kp_netobs_cert_t certs[KP_NETOBS_MAX];
        size_t n_certs;
        /* snapshots handed to the caller */
        kp_netobs_peer_t snap_peers[KP_NETOBS_MAX];
        kp_netobs_stat_t snap_stats[KP_NETOBS_MAX];
        kp_netobs_cert_t snap_certs[KP_NETOBS_MAX];
};

static void copy_str(char *dst, size_t size, const char *src)
{
        snprintf(dst, size, "%s", src ? src : "");
}

/* Connects the socket as librdkafka would (non-blocking, EINPROGRESS is
 * success) and records the peer address. */
static int connect_cb(int fd, const struct sockaddr *addr, int addrlen, const char *id,
                      void *opaque)
{
        kp_netobs_t *o = opaque;
        char text[64] = "";
        int port = -1, r = 0;
        size_t i;

        if (connect(fd, addr, (socklen_t)addrlen) == -1 && errno != EINPROGRESS)
                r = errno;
        if (addr->sa_family == AF_INET) {
                const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)addr;
                inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
                port = ntohs(s4->sin_port);
        } else if (addr->sa_family == AF_INET6) {
                const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)addr;
                inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
                port = ntohs(s6->sin6_port);
        } else {
                copy_str(text, sizeof(text), "(non-IP socket)");
        }
        pthread_mutex_lock(&o->lock);
        for (i = 0; i < o->n_peers; i++)
                if (!strcmp(o->peers[i].addr, text) && o->peers[i].port == port &&
                    !strcmp(o->peers[i].broker, id ? id : ""))
                        break;
        if (i == o->n_peers && o->n_peers < KP_NETOBS_MAX) {
                kp_netobs_peer_t *p = &o->peers[o->n_peers++];
                memset(p, 0, sizeof(*p));
                copy_str(p->addr, sizeof(p->addr), text);
                p->port = port;
                copy_str(p->broker, sizeof(p->broker), id);
        }
        if (i < o->n_peers) {
                o->peers[i].attempts++;
                if (r)
                        o->peers[i].failed++;
        }
        pthread_mutex_unlock(&o->lock);
        return r;
}

static void name_text(X509_NAME *n, char *out, size_t size)
{
        if (!n || !X509_NAME_oneline(n, out, (int)size))
                copy_str(out, size, "");
}

static void sans_text(X509 *x, char *out, size_t size)
{
        GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
        size_t len = 0;
        int i;

        out[0] = '\0';
        for (i = 0; gens && i < sk_GENERAL_NAME_num(gens) && len + 1 < size; i++) {
                const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
                char v[64] = "";
                if (g->type == GEN_DNS) {
                        const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
                        len +=
                            (size_t)snprintf(out + len, size - len, "%sDNS:%.*s", len ? ", " : "",
                                             ASN1_STRING_length(g->d.dNSName), d);
                } else if (g->type == GEN_IPADD) {
                        int l = ASN1_STRING_length(g->d.iPAddress);
                        const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
                        inet_ntop(l == 16 ? AF_INET6 : AF_INET, d, v, sizeof(v));
                        len +=
                            (size_t)snprintf(out + len, size - len, "%sIP:%s", len ? ", " : "", v);
                }
        }
        if (len >= size)
                out[size - 1] = '\0';
        GENERAL_NAMES_free(gens);
}

/* Records the leaf certificate of each broker; keeps librdkafka's own
 * verification result (a failed verification still fails). */
static int cert_cb(rd_kafka_t *rk, const char *broker, int32_t id, int *x509_error, int depth,
                   const char *buf, size_t size, char *errstr, size_t errstr_size, void *opaque)
{
        kp_netobs_t *o = opaque;
        const unsigned char *p = (const unsigned char *)buf;
        X509 *x;
        size_t i;
        (void)rk;
        (void)id;

        if (depth == 0 && (x = d2i_X509(NULL, &p, (long)size))) {
                pthread_mutex_lock(&o->lock);
                for (i = 0; i < o->n_certs; i++)
                        if (!strcmp(o->certs[i].broker, broker))
                                break;
                if (i == o->n_certs && o->n_certs < KP_NETOBS_MAX)
                        o->n_certs++;
                if (i < o->n_certs) {
                        kp_netobs_cert_t *c = &o->certs[i];
                        copy_str(c->broker, sizeof(c->broker), broker);
                        name_text(X509_get_subject_name(x), c->subject, sizeof(c->subject));
                        name_text(X509_get_issuer_name(x), c->issuer, sizeof(c->issuer));
                        sans_text(x, c->sans, sizeof(c->sans));
                        c->verified = *x509_error == 0;
                }
                pthread_mutex_unlock(&o->lock);
                X509_free(x);
        }
        if (*x509_error) {
                copy_str(errstr, errstr_size, X509_verify_cert_error_string(*x509_error));
                return 0;
        }
        return 1;
}

static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
        kp_netobs_t *o = opaque;
        cJSON *root = cJSON_ParseWithLength(json, len), *brokers, *b;
        (void)rk;

        brokers = cJSON_GetObjectItemCaseSensitive(root, "brokers");
        pthread_mutex_lock(&o->lock);
        cJSON_ArrayForEach(b, brokers)
        {
                const cJSON *nn = cJSON_GetObjectItemCaseSensitive(b, "nodename");
                const cJSON *src = cJSON_GetObjectItemCaseSensitive(b, "source");
                const cJSON *st = cJSON_GetObjectItemCaseSensitive(b, "state");
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "nodeid");
                const cJSON *cn = cJSON_GetObjectItemCaseSensitive(b, "connects");
                kp_netobs_stat_t *s;
                size_t i;
                if (!cJSON_IsString(nn) || !*nn->valuestring || !cJSON_IsString(src) ||
                    (strcmp(src->valuestring, "configured") && strcmp(src->valuestring, "learned")))
                        continue;
                for (i = 0; i < o->n_stats; i++)
                        if (!strcmp(o->stats[i].name, b->string))
                                break;
                if (i == o->n_stats) {
                        if (o->n_stats == KP_NETOBS_MAX)
                                continue;
                        o->n_stats++;
                }
                s = &o->stats[i];
                copy_str(s->name, sizeof(s->name), b->string);
                copy_str(s->nodename, sizeof(s->nodename), nn->valuestring);
                copy_str(s->source, sizeof(s->source), src->valuestring);
                copy_str(s->state, sizeof(s->state), cJSON_IsString(st) ? st->valuestring : "");
                s->nodeid = cJSON_IsNumber(id) ? (int32_t)id->valuedouble : -1;
                if (cJSON_IsNumber(cn) && (int64_t)cn->valuedouble > s->connects)
                        s->connects = (int64_t)cn->valuedouble;
        }
        pthread_mutex_unlock(&o->lock);
        cJSON_Delete(root);
        return 0;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        kp_netobs_t *o = opaque;
        (void)rk;

        if (!m->err)
                o->acked++;
        o->done++;
}

kp_netobs_t *kp_netobs_new(kp_platform_t *p, const kp_kvlist_t *overrides, kp_err_t *err)
{
        kp_netobs_t *o = calloc(1, sizeof(*o));
        kp_kvlist_t props = {0}, extra = {0};
        rd_kafka_conf_t *conf;
        const char *proto, *verify;

        if (!o) {
                kp_err_set(err, KP_ENOMEM, "out of memory");
                return NULL;
        }
        pthread_mutex_init(&o->lock, NULL);
        if (overrides)
                kp_kvlist_merge(&extra, overrides);
        kp_kvlist_set(&extra, "statistics.interval.ms", "500");
        kp_kvlist_set(&extra, "linger.ms", "0");
        /* connect to every known broker, not only the leaders it needs */
        kp_kvlist_set(&extra, "enable.sparse.connections", "false");
        kp_kvlist_set(&extra, "message.timeout.ms", "20000");
        kp_platform_client_props(p, KP_PROFILE_DEFAULT, 1, &extra, &props);
        kp_kvlist_clear(&extra);
        proto = kp_kvlist_get(&props, "security.protocol");
        o->tls = proto && (!strcasecmp(proto, "ssl") || !strcasecmp(proto, "sasl_ssl"));
        verify = kp_kvlist_get(&props, "enable.ssl.certificate.verification");
        o->tls_verify = o->tls && !(verify && !strcasecmp(verify, "false"));
        conf = kp_kafka_conf_new(&props, err);
        kp_kvlist_clear(&props);
        if (!conf) {
                pthread_mutex_destroy(&o->lock);
                free(o);
                return NULL;
        }
        rd_kafka_conf_set_opaque(conf, o);
        rd_kafka_conf_set_connect_cb(conf, connect_cb);
        rd_kafka_conf_set_stats_cb(conf, stats_cb);
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        if (o->tls_verify)
                rd_kafka_conf_set_ssl_cert_verify_cb(conf, cert_cb);
        o->rk = kp_kafka_new(RD_KAFKA_PRODUCER, conf, err);
        if (!o->rk) {
                pthread_mutex_destroy(&o->lock);
                free(o);
                return NULL;
        }
        return o;
}

void kp_netobs_free(kp_netobs_t *o)
{
        if (!o)
                return;
        if (o->rk) {
                rd_kafka_flush(o->rk, 5000);
                rd_kafka_destroy(o->rk);
        }
        pthread_mutex_destroy(&o->lock);
        free(o);
}

int kp_netobs_sample(kp_netobs_t *o, kp_err_t *err)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(o->rk, 0, NULL, &md, 10000);
        int i;
        size_t j;

        rd_kafka_poll(o->rk, 0);
        if (e)
                return kp_err_set(err, KP_EINFRA, "metadata: %s", rd_kafka_err2str(e));
        for (i = 0; i < md->broker_cnt; i++) {
                const rd_kafka_metadata_broker_t *b = &md->brokers[i];
                for (j = 0; j < o->n_brokers; j++)
                        if (o->brokers[j].id == b->id && !strcmp(o->brokers[j].host, b->host) &&
                            o->brokers[j].port == b->port)
                                break;
                if (j == o->n_brokers) {
                        if (o->n_brokers == KP_NETOBS_MAX)
                                continue;
                        memset(&o->brokers[j], 0, sizeof(o->brokers[j]));
                        o->brokers[j].id = b->id;
                        copy_str(o->brokers[j].host, sizeof(o->brokers[j].host), b->host);
                        o->brokers[j].port = b->port;
                        o->brokers[j].first_seen = o->samples;
                        o->n_brokers++;
                }
                o->brokers[j].samples++;
        }
        o->samples++;
        rd_kafka_metadata_destroy(md);
        return 0;
}

int kp_netobs_produce(kp_netobs_t *o, const char *topic, int partitions, int n, int timeout_ms,
                      kp_err_t *err)
{
        int p, i, sent = 0;
        int64_t deadline = kp_mono_ns() + (int64_t)timeout_ms * KP_NS_PER_MS;
        char value[32];

        o->acked = o->done = 0;
        for (p = 0; p < partitions; p++) {
                for (i = 0; i < n; i++) {
                        rd_kafka_resp_err_t e;
                        int len = snprintf(value, sizeof(value), "kproof-location-%d-%d", p, i);
                        e = rd_kafka_producev(
                            o->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(p),
                            RD_KAFKA_V_VALUE(value, (size_t)len),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
                        if (e)
                                return kp_err_set(err, KP_EINFRA, "produce to %s [%d]: %s", topic,
                                                  p, rd_kafka_err2str(e));
                        sent++;
                }
        }
        while (o->done < sent && kp_mono_ns() < deadline)
                rd_kafka_poll(o->rk, 100);
        rd_kafka_poll(o->rk, 0);
        return o->acked;
}

void kp_netobs_poll(kp_netobs_t *o, int ms)
{
        int64_t end = kp_mono_ns() + (int64_t)ms * KP_NS_PER_MS;

        do
                rd_kafka_poll(o->rk, 100);
        while (kp_mono_ns() < end);
}

const kp_netobs_broker_t *kp_netobs_brokers(kp_netobs_t *o, size_t *n)
{
        *n = o->n_brokers;
        return o->brokers;
}

const kp_netobs_peer_t *kp_netobs_peers(kp_netobs_t *o, size_t *n)
{
        pthread_mutex_lock(&o->lock);
        memcpy(o->snap_peers, o->peers, o->n_peers * sizeof(o->peers[0]));
        *n = o->n_peers;
        pthread_mutex_unlock(&o->lock);
        return o->snap_peers;
}

const kp_netobs_stat_t *kp_netobs_stats(kp_netobs_t *o, size_t *n)
{
        pthread_mutex_lock(&o->lock);
        memcpy(o->snap_stats, o->stats, o->n_stats * sizeof(o->stats[0]));
        *n = o->n_stats;
        pthread_mutex_unlock(&o->lock);
        return o->snap_stats;
}

const kp_netobs_cert_t *kp_netobs_certs(kp_netobs_t *o, size_t *n)
{
        pthread_mutex_lock(&o->lock);
        memcpy(o->snap_certs, o->certs, o->n_certs * sizeof(o->certs[0]));
        *n = o->n_certs;
        pthread_mutex_unlock(&o->lock);
        return o->snap_certs;
}

int kp_netobs_samples(const kp_netobs_t *o)
{
        return o->samples;
}

int kp_netobs_tls(const kp_netobs_t *o)
{
        return o->tls;
}

int kp_netobs_tls_verify(const kp_netobs_t *o)
{
        return o->tls_verify;
}
