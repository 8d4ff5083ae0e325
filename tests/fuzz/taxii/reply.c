/* Fuzz target: what the TAXII client reads of a server's replies (taxii/reply.h), each function on
 * the same bytes: a header line, an error body, a page of objects, a status resource. */
#include "taxii/reply.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  struct fs_err err;
  char last[64] = "";
  if (taxii_reply_header(text, size, last) && strlen(last) >= sizeof(last))
    __builtin_trap();
  taxii_reply_error(size % 600, text, size, "https://partner.example/taxii2/hub/", &err);
  struct taxii_page p;
  if (taxii_reply_page(text, size, &p, &err) == FS_OK) {
    if (p.more && (!p.next[0] || strlen(p.next) >= sizeof(p.next)))
      __builtin_trap();
    taxii_page_release(&p);
  }
  size_t ok, refused;
  taxii_reply_status(text, size, &ok, &refused, &err);
  return 0;
}
