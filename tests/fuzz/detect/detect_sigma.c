/* Fuzz target: Sigma rules from YAML text (loader, modifiers, condition grammar, compiler), then
 * matching a few fixed events against whatever compiled. */
#include "detect/sigma.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const events[] = {
    "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"},"
    "\"EventData\":{\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":\"cmd /c "
    "whoami\",\"ParentImage\":\"C:\\\\x.exe\",\"DestinationIp\":\"10.1.2.3\"}}}",
    "<13>1 2026-01-02T03:04:05Z host sshd 12 - - Failed password for root from 10.0.0.1",
    "{\"process\":{\"executable\":\"/bin/sh\"},\"event\":{\"category\":\"process\"}}",
};

static int on_hit(void *arg, const struct detect_sigma_hit *h)
{
  (void)arg;
  (void)h;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 8192) /* compiling is the slow part; small rule files find the same bugs */
    return 0;
  static struct detect_event *ev;
  if (!ev && !(ev = malloc(sizeof(*ev))))
    return 0;
  struct detect_sigma_loader *l = detect_sigma_loader_new();
  if (!l)
    return 0;
  size_t added;
  struct fs_err err;
  if (detect_sigma_loader_add_text(l, (const char *)data, size, "fuzz", NULL, NULL, &added, &err)) {
    detect_sigma_loader_free(l);
    return 0;
  }
  struct detect_sigma_set *s = detect_sigma_compile(l, NULL, NULL, &err);
  if (!s)
    return 0;
  struct detect_sigma_thread *t = detect_sigma_thread_new();
  struct detect_sigma_corr *c = detect_sigma_corr_new(16);
  for (size_t i = 0; t && i < sizeof(events) / sizeof(events[0]); i++)
    if (detect_parse_record(DETECT_FMT_AUTO, events[i], strlen(events[i]), ev, &err) == FS_OK)
      detect_sigma_match(s, t, ev, on_hit, NULL);
  detect_sigma_corr_free(c);
  detect_sigma_thread_free(t);
  detect_sigma_set_free(s);
  return 0;
}
