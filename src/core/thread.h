/* Threads started by library code: they never take a process signal. */
#ifndef FS_CORE_THREAD_H
#define FS_CORE_THREAD_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread, whatever the caller's mask: stop
 * signals are for the thread that waits for them (serve's sigwait), and a helper thread that
 * took SIGTERM would end the process at once. Returns pthread_create's result (0 when started). */
int fs_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

/* A thread that calls fn(arg) at once and then every interval_ms (from the end of one call to
 * the start of the next) until fs_periodic_stop: serve's background workers. */
#include <stdint.h>
struct fs_periodic;
/* 0, or an errno value when the thread could not be started. */
int fs_periodic_start(void (*fn)(void *), void *arg, int64_t interval_ms, struct fs_periodic **out);
/* Stops it, waiting for a call in progress to return. NULL is fine. */
void fs_periodic_stop(struct fs_periodic *p);

#endif
