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

#endif
