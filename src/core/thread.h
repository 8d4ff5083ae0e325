/* Threads started by library code: they never take a process signal. */
#ifndef FS_CORE_THREAD_H
#define FS_CORE_THREAD_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread, whatever the caller's mask: stop
 * signals are for the thread that waits for them (serve's sigwait), and a helper thread that
 * took SIGTERM would end the process at once. Returns pthread_create's result (0 when started). */
int fs_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
