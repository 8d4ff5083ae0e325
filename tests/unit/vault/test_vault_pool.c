/* Unit tests of the vault's worker pool: results collected in submission order whatever order
 * the workers finish in, a worker's error reaching the caller, cancellation of queued tasks, the
 * one-thread pool that runs tasks in the caller. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vault/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

struct job {
  struct vault_task t;   /* first */
  unsigned n;            /* input */
  unsigned long out;     /* written by the worker */
  atomic_int *ran;       /* counts runs when set */
  pthread_mutex_t *gate; /* held by the test to keep a worker busy */
};

static void nap_us(long us)
{
  struct timespec ts = {.tv_sec = 0, .tv_nsec = us * 1000};
  nanosleep(&ts, NULL);
}

static int square(struct vault_task *t, struct fs_err *err)
{
  (void)err;
  struct job *j = (struct job *)t;
  /* Earlier tasks take longer, so later ones tend to finish first. */
  nap_us((long)(j->n % 4 == 0 ? 3000 : 100));
  j->out = (unsigned long)j->n * j->n;
  if (j->ran)
    atomic_fetch_add(j->ran, 1);
  return FS_OK;
}

static int fail_on_7(struct vault_task *t, struct fs_err *err)
{
  struct job *j = (struct job *)t;
  if (j->n == 7)
    return fs_err_set(err, FS_ERR_CORRUPT, "task 7", "damaged on purpose");
  return square(t, err);
}

static int gated(struct vault_task *t, struct fs_err *err)
{
  struct job *j = (struct job *)t;
  pthread_mutex_lock(j->gate);
  pthread_mutex_unlock(j->gate);
  return square(t, err);
}

/* Waits for the oldest task of the ring and checks that it is the next input's result. */
static int collect(struct vault_pool *p, struct job ring[5], unsigned *next_out, struct fs_err *err)
{
  struct job *j = &ring[*next_out % 5];
  int rc = vault_pool_wait(p, &j->t, err);
  if (rc)
    return rc;
  assert_int_equal(j->n, *next_out);
  assert_int_equal(j->out, (unsigned long)*next_out * *next_out);
  (*next_out)++;
  return FS_OK;
}

/* A ring of 5 tasks over 200 inputs with 3 workers: the caller collects the oldest before it
 * reuses a slot, and the results come out in input order. */
static void run_ring(int threads, vault_task_fn fn, unsigned *first_error_at)
{
  struct vault_pool *p;
  struct fs_err err;
  assert_int_equal(vault_pool_new(threads, &p, &err), FS_OK);
  struct job ring[5];
  memset(ring, 0, sizeof(ring));
  unsigned next_out = 0, n = 200;
  *first_error_at = 0;
  int rc = FS_OK;
  for (unsigned i = 0; i < n && !rc; i++) {
    struct job *j = &ring[i % 5];
    if (i >= 5 && (rc = collect(p, ring, &next_out, &err))) {
      *first_error_at = next_out;
      break;
    }
    j->n = i;
    j->out = 0;
    j->t.fn = fn;
    vault_pool_submit(p, &j->t);
  }
  while (!rc && next_out < n)
    if ((rc = collect(p, ring, &next_out, &err)))
      *first_error_at = next_out;
  if (rc) {
    assert_int_equal(rc, FS_ERR_CORRUPT);
    assert_string_equal(err.where, "task 7");
    assert_string_equal(err.msg, "damaged on purpose");
  }
  /* Whatever is still out is withdrawn before the ring goes away. */
  for (int k = 0; k < 5; k++)
    vault_pool_cancel(p, &ring[k].t);
  vault_pool_free(p);
  if (!rc)
    assert_int_equal(next_out, n);
}

static void test_results_in_submission_order(void **state)
{
  (void)state;
  unsigned at;
  run_ring(3, square, &at);
  run_ring(2, square, &at);
  run_ring(1, square, &at); /* no workers: tasks run in the caller */
  run_ring(0, square, &at); /* one per CPU */
}

static void test_worker_error_reaches_caller(void **state)
{
  (void)state;
  for (int threads = 1; threads <= 4; threads++) {
    unsigned at = 0;
    run_ring(threads, fail_on_7, &at);
    assert_int_equal(at, 7);
  }
}

static void test_cancel_drops_queued_tasks(void **state)
{
  (void)state;
  struct vault_pool *p;
  struct fs_err err;
  assert_int_equal(vault_pool_new(2, &p, &err), FS_OK);
  assert_int_equal(vault_pool_threads(p), 2);
  pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
  atomic_int ran;
  atomic_init(&ran, 0);
  struct job jobs[10];
  memset(jobs, 0, sizeof(jobs));
  pthread_mutex_lock(&gate);
  for (unsigned i = 0; i < 10; i++) {
    jobs[i].n = i;
    jobs[i].ran = &ran;
    jobs[i].gate = &gate;
    jobs[i].t.fn = gated;
    vault_pool_submit(p, &jobs[i].t);
  }
  /* Both workers are stuck at the gate with (at most) two tasks; the last eight are still
   * queued, whatever the workers have picked up so far. */
  int dropped = 0;
  for (int i = 9; i >= 2; i--)
    dropped += vault_pool_cancel(p, &jobs[i].t);
  assert_int_equal(dropped, 8);
  pthread_mutex_unlock(&gate);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(vault_pool_wait(p, &jobs[i].t, &err), FS_OK);
    assert_int_equal(jobs[i].out, (unsigned long)i * i);
  }
  assert_int_equal(atomic_load(&ran), 2);
  for (int i = 2; i < 10; i++)
    assert_int_equal(jobs[i].out, 0);
  /* A cancelled task can be submitted again, and cancelling a running or finished one waits. */
  jobs[5].t.fn = square;
  vault_pool_submit(p, &jobs[5].t);
  if (vault_pool_cancel(p, &jobs[5].t))
    assert_int_equal(jobs[5].out, 0); /* dropped before it ran */
  else
    assert_int_equal(jobs[5].out, 25); /* it had started: cancel waited for it */
  jobs[6].t.fn = square;
  vault_pool_submit(p, &jobs[6].t);
  assert_int_equal(vault_pool_wait(p, &jobs[6].t, &err), FS_OK);
  assert_int_equal(jobs[6].out, 36);
  assert_false(vault_pool_cancel(p, &jobs[6].t)); /* idle: nothing to drop */
  vault_pool_free(p);
  pthread_mutex_destroy(&gate);
}

static void test_order_largest_first(void **state)
{
  (void)state;
  struct vault_order o[] = {{5, 0}, {900, 1}, {5, 2}, {0, 3}, {77, 4}};
  vault_order_sort(o, 5);
  static const size_t want[] = {1, 4, 0, 2, 3}; /* equal sizes keep their order */
  for (int i = 0; i < 5; i++)
    assert_int_equal(o[i].job, want[i]);
  vault_order_sort(o, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_results_in_submission_order),
      cmocka_unit_test(test_worker_error_reaches_caller),
      cmocka_unit_test(test_cancel_drops_queued_tasks),
      cmocka_unit_test(test_order_largest_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
