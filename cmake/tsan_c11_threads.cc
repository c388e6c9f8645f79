// ThreadSanitizer builds only (FOLIO_TSAN): C11 threads over pthreads.
//
// librdkafka (Debian's, uninstrumented) creates its threads and takes its
// locks with C11 <threads.h> (thrd_create, mtx_lock, cnd_wait, ...). GCC 12's
// and Clang 14's TSan runtimes intercept the pthread functions but not these,
// so a thread librdkafka starts is unknown to TSan, and the first intercepted
// call on it (a malloc) crashes the process ("SEGV ... nested bug"): every
// Kafka test died that way. Defined here in the executable, these win over
// glibc's for librdkafka too, and call the pthread functions TSan does see.
// glibc's C11 types are its pthread types underneath (thrd_t is pthread_t;
// mtx_t and cnd_t have pthread_mutex_t's and pthread_cond_t's size and
// layout: glibc's own mtx_lock is __pthread_mutex_lock on the same bytes).
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

static_assert(sizeof(thrd_t) == sizeof(pthread_t));
static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));

namespace {

struct Start {
  thrd_start_t fn;
  void* arg;
};

void* Run(void* p) {
  Start s = *static_cast<Start*>(p);
  free(p);
  return reinterpret_cast<void*>(static_cast<intptr_t>(s.fn(s.arg)));
}

int Result(int rc) {
  if (rc == 0) return thrd_success;
  if (rc == ENOMEM) return thrd_nomem;
  if (rc == EBUSY) return thrd_busy;
  if (rc == ETIMEDOUT) return thrd_timedout;
  return thrd_error;
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t fn, void* arg) {
  auto* s = static_cast<Start*>(malloc(sizeof(Start)));
  if (s == nullptr) return thrd_nomem;
  *s = Start{fn, arg};
  pthread_t t;
  const int rc = pthread_create(&t, nullptr, Run, s);
  if (rc != 0) {
    free(s);
    return Result(rc);
  }
  *thr = t;
  return thrd_success;
}

int thrd_join(thrd_t thr, int* res) {
  void* out = nullptr;
  const int rc = pthread_join(thr, &out);
  if (rc == 0 && res != nullptr) *res = static_cast<int>(reinterpret_cast<intptr_t>(out));
  return Result(rc);
}

int thrd_detach(thrd_t thr) { return Result(pthread_detach(thr)); }

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  const int rc = pthread_mutex_init(reinterpret_cast<pthread_mutex_t*>(m), &a);
  pthread_mutexattr_destroy(&a);
  return Result(rc);
}
void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(reinterpret_cast<pthread_mutex_t*>(m)); }
int mtx_lock(mtx_t* m) { return Result(pthread_mutex_lock(reinterpret_cast<pthread_mutex_t*>(m))); }
int mtx_trylock(mtx_t* m) {
  return Result(pthread_mutex_trylock(reinterpret_cast<pthread_mutex_t*>(m)));
}
int mtx_unlock(mtx_t* m) {
  return Result(pthread_mutex_unlock(reinterpret_cast<pthread_mutex_t*>(m)));
}

int cnd_init(cnd_t* c) {
  return Result(pthread_cond_init(reinterpret_cast<pthread_cond_t*>(c), nullptr));
}
void cnd_destroy(cnd_t* c) { pthread_cond_destroy(reinterpret_cast<pthread_cond_t*>(c)); }
int cnd_signal(cnd_t* c) {
  return Result(pthread_cond_signal(reinterpret_cast<pthread_cond_t*>(c)));
}
int cnd_broadcast(cnd_t* c) {
  return Result(pthread_cond_broadcast(reinterpret_cast<pthread_cond_t*>(c)));
}
int cnd_wait(cnd_t* c, mtx_t* m) {
  return Result(pthread_cond_wait(reinterpret_cast<pthread_cond_t*>(c),
                                  reinterpret_cast<pthread_mutex_t*>(m)));
}
int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* until) {
  return Result(pthread_cond_timedwait(reinterpret_cast<pthread_cond_t*>(c),
                                       reinterpret_cast<pthread_mutex_t*>(m), until));
}

}  // extern "C"
