/* The portal's files, embedded into the binary at build time (cmake/portal.cmake generates the
 * table): our own HTML, CSS and ES modules from web/app/ and the browser packages npm installed
 * (vendor/...). Internal to http/. */
#ifndef FS_HTTP_PORTAL_H
#define FS_HTTP_PORTAL_H

#include <stddef.h>

struct portal_file {
  const char *path; /* "index.html", "main.js", "pages/intel.js", "vendor/htm-preact.js" */
  const unsigned char *data;
  const size_t *len;
};

/* Terminated by an entry with path NULL. */
extern const struct portal_file portal_files[];

#endif
