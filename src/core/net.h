/* Host and port strings ("127.0.0.1:8443", "[::1]:8443", "hub.example:443") and loopback checks. */
#ifndef FS_CORE_NET_H
#define FS_CORE_NET_H

#include "core/base.h"
#include "core/err.h"

/* Splits s into host (without brackets) and port (0 means "any free port"). FS_ERR_INVALID with a
 * message otherwise. */
int fs_hostport_parse(const char *s, char *host, size_t host_size, uint16_t *port,
                      struct fs_err *err);
/* True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost". */
bool fs_host_is_loopback(const char *host);

/* The client a limit counts (rate limits, failed authentications, login lock-outs) for the
 * address addr: an IPv6 address's /64 as "PREFIX::/64", because one host is given a whole /64 and
 * may change its address within it at will; an IPv4 address, or an IPv4-mapped IPv6 one, as the
 * IPv4 address; anything else as it is. out is at least FS_CLIENT_KEY_MAX bytes. */
#define FS_CLIENT_KEY_MAX 64
void fs_client_key(const char *addr, char out[FS_CLIENT_KEY_MAX]);

#endif
