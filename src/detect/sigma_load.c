/* The Sigma loader: rules from YAML text, files and folders, placeholders for `expand`, and the
 * hand-over to the compiler. */
#include "detect/sigma_int.h"

#include "core/buf.h"
#include "core/file.h"
#include "core/vec.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_RULE_FILE (4u << 20)
#define MAX_DIR_DEPTH 16

struct detect_sigma_loader *detect_sigma_loader_new(void)
{
  struct detect_sigma_loader *l = calloc(1, sizeof(*l));
  if (!l || !(l->set = calloc(1, sizeof(*l->set)))) {
    free(l);
    return NULL;
  }
  fs_arena_init(&l->set->arena, 256 * 1024, 0);
  if (sigma_field_id(l->set, "", 0, true) != 0) { /* id 0: keywords, every value */
    detect_sigma_loader_free(l);
    return NULL;
  }
  return l;
}

void detect_sigma_loader_free(struct detect_sigma_loader *l)
{
  if (!l)
    return;
  detect_sigma_set_free(l->set);
  free(l->ph);
  free(l);
}

int detect_sigma_loader_placeholder(struct detect_sigma_loader *l, const char *name,
                                    const char *const *values, size_t n)
{
  struct fs_arena *a = &l->set->arena;
  if (FS_VEC_GROW(l->ph, l->nph, l->cap_ph, 4))
    return FS_ERR_NOMEM;
  struct sigma_placeholder *p = &l->ph[l->nph];
  p->name = fs_arena_strdup(a, name);
  p->values = fs_arena_calloc(a, (n + 1) * sizeof(char *));
  p->n = n;
  if (!p->name || !p->values)
    return FS_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    if (!(p->values[i] = fs_arena_strdup(a, values[i])))
      return FS_ERR_NOMEM;
  l->nph++;
  return FS_OK;
}

static int placeholder_text(struct detect_sigma_loader *l, const char *assignment,
                            struct fs_err *err)
{
  const char *eq = strchr(assignment, '=');
  if (!eq || eq == assignment || eq - assignment >= 128 || strlen(eq + 1) >= 4096)
    return fs_err_set(err, FS_ERR_INVALID, "--placeholder",
                      "expected NAME=VALUE[,VALUE...], not \"%.100s\"", assignment);
  char name[128], values[4096];
  snprintf(name, sizeof(name), "%.*s", (int)(eq - assignment), assignment);
  snprintf(values, sizeof(values), "%s", eq + 1);
  const char *list[256];
  size_t n = 0;
  for (char *p = values, *save = NULL, *tok; n < 256 && (tok = strtok_r(p, ",", &save)); p = NULL)
    list[n++] = tok;
  if (detect_sigma_loader_placeholder(l, name, list, n))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  return FS_OK;
}

int detect_sigma_loader_placeholder_texts(struct detect_sigma_loader *l,
                                          const char *const *assignments, size_t n,
                                          struct fs_err *err)
{
  for (size_t i = 0; i < n; i++) {
    int rc = placeholder_text(l, assignments[i], err);
    if (rc)
      return rc;
  }
  return FS_OK;
}

static void report(detect_sigma_problem_fn fn, void *arg, const char *file, unsigned line,
                   const struct sy_node *doc, const struct fs_err *why)
{
  if (!fn)
    return;
  const struct sy_node *id = sy_get(doc, "id"), *title = sy_get(doc, "title");
  struct detect_sigma_problem p = {file,
                                   line,
                                   id && id->kind == SY_SCALAR ? id->s : NULL,
                                   title && title->kind == SY_SCALAR ? title->s : NULL,
                                   why->msg,
                                   fs_err_msg(why, true)};
  fn(arg, &p);
}

int detect_sigma_loader_add_text(struct detect_sigma_loader *l, const char *text, size_t len,
                                 const char *name, detect_sigma_problem_fn fn, void *arg,
                                 size_t *added, struct fs_err *err)
{
  struct fs_arena tmp;
  struct sy_node **docs;
  size_t ndocs;
  *added = 0;
  fs_arena_init(&tmp, 64 * 1024, 64u << 20);
  int rc = sy_parse(text, len, &tmp, &docs, &ndocs, err);
  if (rc) {
    fs_err_wrap_where(err, name);
    fs_arena_release(&tmp);
    return rc;
  }
  for (size_t i = 0; i < ndocs; i++) {
    struct fs_err why;
    if (sy_is_null(docs[i]))
      continue; /* an empty document ("---" at the end) */
    rc = sigma_rule_from_yaml(l, docs[i], name, &why);
    if (rc == FS_ERR_NOMEM) {
      fs_arena_release(&tmp);
      return fs_err_set(err, rc, name, "out of memory");
    }
    if (rc) {
      report(fn, arg, name, docs[i]->line, docs[i], &why);
      continue;
    }
    (*added)++;
  }
  fs_arena_release(&tmp);
  return FS_OK;
}

static int add_file(struct detect_sigma_loader *l, const char *path, detect_sigma_problem_fn fn,
                    void *arg, size_t *added, struct fs_err *err)
{
  struct fs_buf b;
  fs_buf_init(&b, MAX_RULE_FILE);
  size_t n = 0;
  int rc = fs_file_read_all(path, &b, err);
  if (!rc)
    rc = detect_sigma_loader_add_text(l, b.data ? b.data : "", b.len, path, fn, arg, &n, err);
  fs_buf_release(&b);
  *added += n;
  if (rc && rc != FS_ERR_NOMEM && fn) { /* a file that is not YAML: a problem, not the end */
    struct fs_err why = *err;
    if (err->where[0])
      fs_err_set(&why, err->code, "", "%s: %s", err->where, err->msg);
    struct detect_sigma_problem p = {path, 0, NULL, NULL, why.msg, fs_err_msg(&why, true)};
    fn(arg, &p);
    return FS_OK;
  }
  return rc;
}

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *n)
{
  size_t len = strlen(n);
  return (len > 4 && !strcmp(n + len - 4, ".yml")) || (len > 5 && !strcmp(n + len - 5, ".yaml"));
}

static int add_dir(struct detect_sigma_loader *l, const char *dir, int depth,
                   detect_sigma_problem_fn fn, void *arg, size_t *added, struct fs_err *err)
{
  if (depth > MAX_DIR_DEPTH)
    return fs_err_set(err, FS_ERR_INVALID, dir, "folders nested deeper than %d", MAX_DIR_DEPTH);
  DIR *d = opendir(dir);
  if (!d)
    return fs_err_set(err, FS_ERR_IO, dir, "cannot open the folder");
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  int rc = FS_OK;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (FS_VEC_GROW(names, n, cap, 64)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, dir, "out of memory");
      break;
    }
    if (!(names[n] = strdup(e->d_name))) {
      rc = fs_err_set(err, FS_ERR_NOMEM, dir, "out of memory");
      break;
    }
    n++;
  }
  closedir(d);
  if (!rc && n)
    qsort(names, n, sizeof(*names), cmp_names);
  for (size_t i = 0; i < n && !rc; i++) {
    char path[4096];
    struct stat st;
    if (fs_path_join(path, sizeof(path), dir, names[i]) || stat(path, &st))
      continue;
    if (S_ISDIR(st.st_mode))
      rc = add_dir(l, path, depth + 1, fn, arg, added, err);
    else if (S_ISREG(st.st_mode) && yaml_name(names[i]))
      rc = add_file(l, path, fn, arg, added, err);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc;
}

int detect_sigma_loader_add_path(struct detect_sigma_loader *l, const char *path,
                                 detect_sigma_problem_fn fn, void *arg, size_t *added,
                                 struct fs_err *err)
{
  struct stat st;
  *added = 0;
  if (stat(path, &st))
    return fs_err_set(err, FS_ERR_NOT_FOUND, path, "no such file or folder");
  if (S_ISDIR(st.st_mode))
    return add_dir(l, path, 0, fn, arg, added, err);
  return add_file(l, path, fn, arg, added, err);
}

struct detect_sigma_set *detect_sigma_compile(struct detect_sigma_loader *l,
                                              detect_sigma_problem_fn fn, void *arg,
                                              struct fs_err *err)
{
  struct detect_sigma_set *s = l->set;
  l->set = NULL;
  detect_sigma_loader_free(l);
  if (sigma_compile_set(s, fn, arg, err)) {
    detect_sigma_set_free(s);
    return NULL;
  }
  return s;
}
