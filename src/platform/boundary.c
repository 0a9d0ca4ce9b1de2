/*
 * Boundary tests: see boundary.h.
 */
#include "platform/boundary.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

int kp_addr_parse(const char *text, int *family, uint8_t addr[16])
{
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

        memset(addr, 0, 16);
        if (inet_pton(AF_INET, text, addr) == 1) {
                *family = AF_INET;
                return 0;
        }
        if (inet_pton(AF_INET6, text, addr) == 1) {
                *family = AF_INET6;
                /* ::ffff:a.b.c.d is the IPv4 address a.b.c.d (dual-stack sockets) */
                if (memcmp(addr, mapped, 12) == 0) {
                        memmove(addr, addr + 12, 4);
                        memset(addr + 4, 0, 12);
                        *family = AF_INET;
                }
                return 0;
        }
        return -1;
}

int kp_cidr_parse(const char *text, kp_cidr_t *out, char *why, size_t why_size)
{
        char ip[64];
        const char *slash = strchr(text, '/');
        size_t len = slash ? (size_t)(slash - text) : strlen(text);
        int max, i;
        long prefix;
        char *end;

        memset(out, 0, sizeof(*out));
        if (len == 0 || len >= sizeof(ip)) {
                snprintf(why, why_size, "expected a CIDR like \"10.0.0.0/8\", got \"%s\"", text);
                return -1;
        }
        memcpy(ip, text, len);
        ip[len] = '\0';
        if (kp_addr_parse(ip, &out->family, out->addr) < 0) {
                snprintf(why, why_size, "expected a CIDR like \"10.0.0.0/8\", got \"%s\"", text);
                return -1;
        }
        max = out->family == AF_INET ? 32 : 128;
        prefix = max;
        if (slash) {
                if (!slash[1] || slash[1] < '0' || slash[1] > '9') {
                        snprintf(why, why_size, "expected a CIDR like \"10.0.0.0/8\", got \"%s\"",
                                 text);
                        return -1;
                }
                prefix = strtol(slash + 1, &end, 10);
                if (*end || prefix > max) {
                        snprintf(why, why_size, "expected a prefix length from 0 to %d in \"%s\"",
                                 max, text);
                        return -1;
                }
        }
        out->prefix = (int)prefix;
        for (i = 0; i < max; i++) {
                if (i >= out->prefix && (out->addr[i / 8] & (0x80 >> (i % 8)))) {
                        snprintf(why, why_size, "\"%s\" has host bits set (not a network address)",
                                 text);
                        return -1;
                }
        }
        return 0;
}

int kp_cidr_contains(const kp_cidr_t *c, int family, const uint8_t addr[16])
{
        int i;

        if (c->family != family)
                return 0;
        for (i = 0; i < c->prefix; i++)
                if ((c->addr[i / 8] ^ addr[i / 8]) & (0x80 >> (i % 8)))
                        return 0;
        return 1;
}

int kp_host_matches(const char *pattern, const char *host)
{
        size_t pl, hl;

        if (strncmp(pattern, "*.", 2) != 0)
                return strcasecmp(pattern, host) == 0;
        pl = strlen(pattern + 1); /* ".example.com" */
        hl = strlen(host);
        return hl > pl && strcasecmp(host + hl - pl, pattern + 1) == 0;
}

int kp_boundary_admits(const kp_deployment_cfg_t *d, const char *host, const char *addr, char *why,
                       size_t why_size)
{
        uint8_t a[16], b[16];
        int fam = 0, fb = 0;
        size_t i;

        if (host) {
                for (i = 0; i < d->n_boundary_hosts; i++) {
                        if (kp_host_matches(d->boundary_hosts[i], host)) {
                                snprintf(why, why_size, "host %s", d->boundary_hosts[i]);
                                return 1;
                        }
                }
        }
        if (!addr || kp_addr_parse(addr, &fam, a) < 0)
                return 0;
        for (i = 0; i < d->n_boundary_cidrs; i++) {
                kp_cidr_t c;
                char tmp[8];
                if (kp_cidr_parse(d->boundary_cidrs[i], &c, tmp, sizeof(tmp)) == 0 &&
                    kp_cidr_contains(&c, fam, a)) {
                        snprintf(why, why_size, "cidr %s", d->boundary_cidrs[i]);
                        return 1;
                }
        }
        /* A literal address in the host list admits exactly that address. */
        for (i = 0; i < d->n_boundary_hosts; i++) {
                if (kp_addr_parse(d->boundary_hosts[i], &fb, b) == 0 && fb == fam &&
                    memcmp(a, b, 16) == 0) {
                        snprintf(why, why_size, "host %s", d->boundary_hosts[i]);
                        return 1;
                }
        }
        return 0;
}

int kp_boundary_allows_endpoint(const kp_deployment_cfg_t *d, const char *host)
{
        size_t i;

        for (i = 0; i < d->n_boundary_endpoints; i++)
                if (kp_host_matches(d->boundary_endpoints[i], host))
                        return 1;
        return 0;
}

int kp_boundary_has_addresses(const kp_deployment_cfg_t *d)
{
        return d->n_boundary_cidrs > 0 || d->n_boundary_hosts > 0;
}

int kp_hostport_split(const char *text, char *host, size_t host_size, int *port)
{
        const char *p = strstr(text, "://"), *colon, *end;
        size_t len;

        p = p ? p + 3 : text;
        *port = -1;
        if (*p == '[') {
                end = strchr(p, ']');
                if (!end)
                        return -1;
                len = (size_t)(end - p - 1);
                p++;
                colon = end[1] == ':' ? end + 1 : NULL;
        } else {
                colon = strrchr(p, ':');
                len = colon ? (size_t)(colon - p) : strlen(p);
        }
        if (len == 0 || len >= host_size)
                return -1;
        memcpy(host, p, len);
        host[len] = '\0';
        if (colon) {
                char *e;
                long v = strtol(colon + 1, &e, 10);
                if (*e || v < 0 || v > 65535)
                        return -1;
                *port = (int)v;
        }
        return 0;
}
