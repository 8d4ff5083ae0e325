/* Host:port parsing. */
#include "core/net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fs_hostport_parse(const char *s, char *host, size_t host_size, uint16_t *port,
                      struct fs_err *err)
{
  const char *colon;
  const char *h = s;
  size_t hlen;
  if (s[0] == '[') {
    const char *end = strchr(s, ']');
    if (!end || end[1] != ':')
      return fs_err_set(err, FS_ERR_INVALID, s, "expected [IPv6]:PORT");
    h = s + 1;
    hlen = (size_t)(end - h);
    colon = end + 1;
  } else {
    colon = strrchr(s, ':');
    if (!colon)
      return fs_err_set(err, FS_ERR_INVALID, s, "expected ADDRESS:PORT");
    hlen = (size_t)(colon - s);
    if (memchr(s, ':', hlen))
      return fs_err_set(err, FS_ERR_INVALID, s, "IPv6 addresses go in brackets: [::1]:8443");
  }
  if (hlen == 0 || hlen >= host_size)
    return fs_err_set(err, FS_ERR_INVALID, s, "missing or overlong address");
  char *endp;
  long p = strtol(colon + 1, &endp, 10);
  if (!colon[1] || *endp || p < 0 || p > 65535)
    return fs_err_set(err, FS_ERR_INVALID, s, "port must be a number from 0 to 65535");
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  *port = (uint16_t)p;
  return FS_OK;
}

bool fs_host_is_loopback(const char *host)
{
  if (!strcmp(host, "localhost"))
    return true;
  struct in_addr a4;
  if (inet_pton(AF_INET, host, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  struct in6_addr a6;
  if (inet_pton(AF_INET6, host, &a6) == 1) {
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(a6.s6_addr, v4mapped, 12))
      return a6.s6_addr[12] == 127;
    return IN6_IS_ADDR_LOOPBACK(&a6);
  }
  return false;
}

void fs_client_key(const char *addr, char out[FS_CLIENT_KEY_MAX])
{
  struct in6_addr a6;
  static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (inet_pton(AF_INET6, addr, &a6) != 1) {
    snprintf(out, FS_CLIENT_KEY_MAX, "%s", addr);
    return;
  }
  if (!memcmp(a6.s6_addr, v4mapped, 12)) {
    inet_ntop(AF_INET, &a6.s6_addr[12], out, FS_CLIENT_KEY_MAX);
    return;
  }
  memset(&a6.s6_addr[8], 0, 8);
  char prefix[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &a6, prefix, sizeof(prefix));
  snprintf(out, FS_CLIENT_KEY_MAX, "%s/64", prefix);
}
