/* The paths of a snapshot as a tree: how a path given to backup is stored, what would stop a
 * restore (unclean paths, two entries with one path, an entry below a file or link), and which
 * entries a restore --include or an ls PATH picks. Pure: no I/O. */
#include "vault/internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

bool vault_path_clean(const char *p)
{
  if (!*p || *p == '/' || strlen(p) > 4000)
    return false;
  for (const char *c = p;;) {
    const char *e = strchr(c, '/');
    size_t n = e ? (size_t)(e - c) : strlen(c);
    if (n == 2 && c[0] == '.' && c[1] == '.')
      return false;
    if (!e)
      return true;
    c = e + 1;
  }
}

int vault_backup_path(const char *given, char *stored, size_t cap, size_t *lead, struct fs_err *err)
{
  /* Components kept so far, as offsets into stored; ".." pops one, or is counted in `up` when
   * nothing is left to pop (it then climbs above the current folder and is not stored). */
  size_t len = 0, up = 0;
  stored[0] = '\0';
  for (const char *c = given; *c;) {
    while (*c == '/')
      c++;
    const char *e = strchr(c, '/');
    size_t n = e ? (size_t)(e - c) : strlen(c);
    if (!n)
      break;
    if (n == 1 && c[0] == '.') {
      /* nothing */
    } else if (n == 2 && c[0] == '.' && c[1] == '.') {
      if (len) {
        while (len && stored[len - 1] != '/')
          len--;
        if (len)
          len--; /* the '/' before it */
        stored[len] = '\0';
      } else if (given[0] != '/') {
        up++;
      }
    } else {
      if (len + (len ? 1 : 0) + n + 1 > cap)
        return fs_err_set(err, FS_ERR_TOO_LARGE, given, "path too long");
      if (len)
        stored[len++] = '/';
      memcpy(stored + len, c, n);
      len += n;
      stored[len] = '\0';
    }
    c += n;
  }
  *lead = up;
  return FS_OK;
}

/* Orders paths so that a folder comes right before what lies below it: '/' sorts first. */
static int path_cmp(const char *a, size_t an, const char *b, size_t bn)
{
  for (size_t i = 0; i < an && i < bn; i++) {
    unsigned x = a[i] == '/' ? 0 : (unsigned char)a[i], y = b[i] == '/' ? 0 : (unsigned char)b[i];
    if (x != y)
      return x < y ? -1 : 1;
  }
  return an < bn ? -1 : an > bn;
}

struct node {
  const char *path;
  size_t len;
  size_t i; /* entry index */
};

static int cmp_node(const void *a, const void *b)
{
  const struct node *x = a, *y = b;
  int c = path_cmp(x->path, x->len, y->path, y->len);
  return c ? c : x->i < y->i ? -1 : 1;
}

/* The entries sorted by path (ties in snapshot order); NULL when out of memory. */
static struct node *sorted(const struct vault_snapshot *s)
{
  struct node *ix = malloc((s->nfiles ? s->nfiles : 1) * sizeof(*ix));
  if (!ix)
    return NULL;
  for (size_t i = 0; i < s->nfiles; i++)
    ix[i] = (struct node){s->files[i].path, strlen(s->files[i].path), i};
  qsort(ix, s->nfiles, sizeof(*ix), cmp_node);
  return ix;
}

/* The first node whose path is p[0..n), or -1. */
static long find(const struct node *ix, size_t count, const char *p, size_t n)
{
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (path_cmp(ix[mid].path, ix[mid].len, p, n) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < count && ix[lo].len == n && !memcmp(ix[lo].path, p, n) ? (long)lo : -1;
}

static const char *type_word(char t)
{
  return t == 'f' ? "file" : t == 'd' ? "folder" : "link";
}

size_t vault_tree_check(const struct vault_snapshot *s, struct vault_problems *p)
{
  size_t found = 0;
  struct node *ix = sorted(s);
  if (!ix) {
    vault_problems_add(p, "snapshot %.16s: out of memory while checking its paths", s->id);
    return 1;
  }
  for (size_t k = 0; k < s->nfiles; k++) {
    const struct vault_file_entry *f = &s->files[ix[k].i];
    if (!vault_path_clean(f->path)) {
      vault_problems_add(p, "snapshot %.16s: path \"%s\" is not relative or climbs with \"..\"",
                         s->id, f->path);
      found++;
      continue;
    }
    if (k && !strcmp(ix[k - 1].path, f->path)) {
      const struct vault_file_entry *g = &s->files[ix[k - 1].i];
      if (f->type != 'd' || g->type != 'd') { /* the same folder twice restores fine */
        vault_problems_add(p,
                           "snapshot %.16s: two entries are stored as %s (a %s and a %s): a "
                           "restore cannot write both",
                           s->id, f->path, type_word(g->type), type_word(f->type));
        found++;
      }
      continue;
    }
    for (const char *sl = strchr(f->path, '/'); sl; sl = strchr(sl + 1, '/')) {
      long a = find(ix, s->nfiles, f->path, (size_t)(sl - f->path));
      if (a >= 0 && s->files[ix[a].i].type != 'd') {
        vault_problems_add(p,
                           "snapshot %.16s: %s lies below %.*s, which is a %s: a restore "
                           "cannot write it",
                           s->id, f->path, (int)(sl - f->path), f->path,
                           type_word(s->files[ix[a].i].type));
        found++;
        break;
      }
    }
  }
  free(ix);
  return found;
}

bool vault_path_under(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  return !n || (!strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/'));
}

/* Does a pattern pick this path: the path itself, a folder above it, or (a pattern without '/')
 * any one of its names? */
static bool picks(const char *pat, const char *path)
{
  while (*pat == '/')
    pat++;
  char pp[4096];
  size_t pn = strlen(pat);
  while (pn && pat[pn - 1] == '/')
    pn--;
  if (!pn || pn >= sizeof(pp))
    return !pn;
  memcpy(pp, pat, pn);
  pp[pn] = '\0';
  bool by_name = !memchr(pp, '/', pn);
  char buf[4096];
  size_t len = strlen(path);
  if (len >= sizeof(buf))
    return false;
  memcpy(buf, path, len + 1);
  for (size_t end = len;;) {
    char save = buf[end];
    buf[end] = '\0';
    bool hit = !fnmatch(pp, buf, FNM_PATHNAME);
    if (!hit && by_name) {
      const char *name = strrchr(buf, '/');
      hit = !fnmatch(pp, name ? name + 1 : buf, 0);
    }
    buf[end] = save;
    if (hit)
      return true;
    while (end && buf[end - 1] != '/')
      end--;
    if (!end)
      return false;
    end--; /* the folder above */
  }
}

size_t vault_tree_select(const struct vault_snapshot *s, const char *const *patterns, size_t n,
                         bool *sel)
{
  size_t hits = 0;
  for (size_t i = 0; i < s->nfiles; i++) {
    sel[i] = false;
    for (size_t k = 0; k < n && !sel[i]; k++)
      sel[i] = picks(patterns[k], s->files[i].path);
    hits += sel[i];
  }
  /* The folders above what is picked come too (their modes and times). */
  struct node *ix = hits ? sorted(s) : NULL;
  for (size_t i = 0; ix && i < s->nfiles; i++) {
    if (!sel[i])
      continue;
    const char *p = s->files[i].path;
    for (const char *sl = strchr(p, '/'); sl; sl = strchr(sl + 1, '/')) {
      size_t len = (size_t)(sl - p);
      for (long a = find(ix, s->nfiles, p, len);
           a >= 0 && (size_t)a < s->nfiles && ix[a].len == len && !memcmp(ix[a].path, p, len); a++)
        if (s->files[ix[a].i].type == 'd')
          sel[ix[a].i] = true;
    }
  }
  free(ix);
  return hits;
}
