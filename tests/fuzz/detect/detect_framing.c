/* Fuzz target: the RFC 6587 framing decoder, fed whole and in uneven pieces; both must agree. */
#include "detect/framing.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sum {
  uint64_t h;
  size_t frames;
};

static int on_frame(void *arg, const char *p, size_t n)
{
  struct sum *s = arg;
  for (size_t i = 0; i < n; i++)
    s->h = s->h * 31 + (unsigned char)p[i];
  s->h = s->h * 31 + n;
  s->frames++;
  return 0;
}

static int run(const uint8_t *data, size_t size, size_t step, struct sum *s)
{
  struct detect_framer f;
  struct fs_err err;
  detect_framer_init(&f, 512);
  int rc = 0;
  for (size_t i = 0; i < size && !rc; i += step)
    rc = detect_framer_feed(&f, (const char *)data + i, step < size - i ? step : size - i, on_frame,
                            s, &err);
  if (!rc)
    rc = detect_framer_finish(&f, on_frame, s, &err);
  detect_framer_release(&f);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!size)
    return 0;
  struct sum a = {0}, b = {0};
  int ra = run(data, size, size, &a);
  int rb = run(data, size, 1 + data[0] % 7, &b);
  if (ra != rb || (!ra && (a.h != b.h || a.frames != b.frames)))
    __builtin_trap();
  return 0;
}
