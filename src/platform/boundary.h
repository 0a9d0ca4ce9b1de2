/*
 * boundary: the declared data-plane boundary of a target (deployment.boundary)
 * and the tests the location suite applies to what it observes.
 *
 * A boundary is a list of CIDR blocks, a list of host names (exact, or
 * "*.suffix" for a whole domain; a literal IP is treated as a /32 or /128), the
 * endpoints allowed outside it (a KMS or VPC endpoint) and the regions and
 * account the platform's cloud resources must be in. Nothing here allocates:
 * the caller owns every string.
 */
#ifndef KP_BOUNDARY_H
#define KP_BOUNDARY_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

typedef struct kp_cidr {
        int family;       /* AF_INET or AF_INET6 */
        uint8_t addr[16]; /* network address, host bits cleared */
        int prefix;       /* 0..32 or 0..128 */
} kp_cidr_t;

/* Parses "10.0.0.0/8" or "fd00::/8" (a bare address is a single host).
 * Returns 0, or -1 with a reason in why (e.g. "prefix 33 is out of range").
 * Host bits that are set are an error: "10.0.0.1/8" is not a network. */
int kp_cidr_parse(const char *text, kp_cidr_t *out, char *why, size_t why_size);

/* Parses a numeric IPv4 or IPv6 address into family and addr. */
int kp_addr_parse(const char *text, int *family, uint8_t addr[16]);

int kp_cidr_contains(const kp_cidr_t *c, int family, const uint8_t addr[16]);

/* Whether a host name matches a pattern ("kafka.example.com" or
 * "*.example.com"), case-insensitive. */
int kp_host_matches(const char *pattern, const char *host);

/* Why an address or host is inside, written to why ("10.0.0.0/8", "host
 * b1.example.com"); 0 when it is outside. addr may be NULL (host only). */
int kp_boundary_admits(const kp_deployment_cfg_t *d, const char *host, const char *addr, char *why,
                       size_t why_size);

/* Whether host is one of deployment.boundary.allowed_endpoints. */
int kp_boundary_allows_endpoint(const kp_deployment_cfg_t *d, const char *host);

/* Whether the target declares any address rule (cidrs or hosts). */
int kp_boundary_has_addresses(const kp_deployment_cfg_t *d);

/* Splits "host:port", "[v6]:port" or "PROTO://host:port" into host and port
 * (port -1 when missing). Returns -1 when host does not fit. */
int kp_hostport_split(const char *text, char *host, size_t host_size, int *port);

#endif
