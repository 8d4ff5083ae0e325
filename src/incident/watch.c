/* The clock policy in force for a running hub: read at start, read again when the file changes,
 * and an invalid edit logged once while the last good policy stays in force. */
#include "incident/incident.h"

#include "auth/org.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What tells that the file changed: an edit in place changes the size or the time, a
 * replacement (editors, os.replace) the inode; a removal is a change too. */
struct file_sig {
  bool exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
};

struct incident_policy_watch {
  char path[FS_CONFIG_PATH_MAX + 64];
  struct fs_log *log;
  pthread_mutex_t lock;
  struct file_sig sig;           /* of the file last read, good or not */
  struct incident_policy policy; /* the last good one */
};

static void sig_of(const char *path, struct file_sig *s)
{
  struct stat st;
  memset(s, 0, sizeof(*s));
  if (!path[0] || stat(path, &st))
    return;
  s->exists = true;
  s->dev = st.st_dev;
  s->ino = st.st_ino;
  s->size = st.st_size;
  s->mtime = st.st_mtim;
}

static bool sig_same(const struct file_sig *a, const struct file_sig *b)
{
  return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

int incident_policy_watch_open(const char *path, struct fs_log *log,
                               struct incident_policy_watch **out, struct fs_err *err)
{
  struct incident_policy_watch *w = calloc(1, sizeof(*w));
  if (!w)
    return fs_err_set(err, FS_ERR_NOMEM, "incident", "out of memory");
  snprintf(w->path, sizeof(w->path), "%s", path ? path : "");
  w->log = log;
  sig_of(w->path, &w->sig);
  int rc = incident_policy_load(w->path, org_industry_names, &w->policy, err);
  if (rc) {
    free(w);
    return rc;
  }
  pthread_mutex_init(&w->lock, NULL);
  *out = w;
  return FS_OK;
}

void incident_policy_watch_close(struct incident_policy_watch *w)
{
  if (!w)
    return;
  pthread_mutex_destroy(&w->lock);
  free(w);
}

void incident_policy_watch_get(struct incident_policy_watch *w, struct incident_policy *out)
{
  struct file_sig now;
  sig_of(w->path, &now);
  pthread_mutex_lock(&w->lock);
  if (!sig_same(&now, &w->sig)) {
    /* Read each version of the file once: a bad one is logged once, and kept out. */
    w->sig = now;
    struct incident_policy *p = malloc(sizeof(*p));
    struct fs_err err;
    fs_err_clear(&err);
    int rc = p ? incident_policy_load(w->path, org_industry_names, p, &err)
               : fs_err_set(&err, FS_ERR_NOMEM, "incident", "out of memory");
    if (!rc) {
      w->policy = *p;
      FS_LOG(w->log, FS_LOG_INFO, "incident.policy_read", FS_KV_STR("file", w->path),
             FS_KV_STR("msg", now.exists ? "clock policy read again"
                                         : "no policy file: the legal defaults apply"));
    } else {
      FS_LOG(
          w->log, FS_LOG_ERROR, "incident.policy_invalid", FS_KV_STR("where", err.where),
          FS_KV_STR("msg", err.msg),
          FS_KV_STR("kept", "the last good clock policy stays in force until the file is fixed"));
    }
    free(p);
  }
  *out = w->policy;
  pthread_mutex_unlock(&w->lock);
}
