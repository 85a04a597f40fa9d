// A persistent thread pool: nthreads - 1 workers created once, the caller is thread 0.
// A job is published by bumping `gen` (a futex word); workers spin on it for a short
// while (cheap when jobs come back to back, as matvecs in a forward pass do), then
// sleep in futex_wait. The last worker to finish bumps `done` and wakes the caller,
// which spins then sleeps the same way. No allocation per job.
#include "kernels_internal.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

enum { SPIN_ITERS = 4000 };  // pause loops (~50-100 us) before sleeping

struct pk_pool {
    int n;                     // threads in all, caller included
    pthread_t *threads;        // n - 1 workers
    pthread_mutex_t run_lock;  // serializes pk_pool_run callers
    uint32_t gen;              // futex: job generation (atomic)
    uint32_t done;             // futex: finished-job generation (atomic)
    int sleepers;              // threads inside futex_wait on gen or done (seq_cst)
    int pending;               // workers still running the current job (atomic)
    int stop;                  // set before the final generation bump (atomic)
    pk_job_fn fn;              // written before gen is bumped (release)
    void *ctx;
};

static void futex_wait(uint32_t *addr, uint32_t expected) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake_all(uint32_t *addr) {
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
}

/// Waits until *addr != seen; returns the new value. A sleeper counts itself in
/// pool->sleepers before its last check (seq_cst), and a publisher bumps the word before
/// reading sleepers (seq_cst): either the sleeper sees the new value, or the publisher
/// sees the sleeper and wakes it. So the publisher skips the syscall when all spin.
static uint32_t wait_change(pk_pool *pool, uint32_t *addr, uint32_t seen) {
    uint32_t v;
    for (int i = 0; i < SPIN_ITERS; ++i) {
        if ((v = __atomic_load_n(addr, __ATOMIC_ACQUIRE)) != seen) return v;
        cpu_relax();
        // On an oversubscribed machine the thread we wait for may need this core.
        if ((i & 7) == 7) sched_yield();
    }
    __atomic_add_fetch(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
    while ((v = __atomic_load_n(addr, __ATOMIC_SEQ_CST)) == seen) futex_wait(addr, seen);
    __atomic_sub_fetch(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
    return v;
}

/// Bumps a futex word and wakes its sleepers, if any.
static void publish(pk_pool *pool, uint32_t *addr) {
    __atomic_add_fetch(addr, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&pool->sleepers, __ATOMIC_SEQ_CST) > 0) futex_wake_all(addr);
}

struct worker_arg { pk_pool *pool; int ith; };

static void *worker(void *p) {
    struct worker_arg a = *(struct worker_arg *)p;
    free(p);
    pk_pool *pool = a.pool;
    uint32_t seen = 0;
    for (;;) {
        seen = wait_change(pool, &pool->gen, seen);
        if (__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE)) break;
        pool->fn(pool->ctx, a.ith, pool->n);
        if (__atomic_sub_fetch(&pool->pending, 1, __ATOMIC_ACQ_REL) == 0) publish(pool, &pool->done);
    }
    return NULL;
}

pk_pool *pk_pool_create(int nthreads) {
    if (nthreads < 1 || nthreads > 256) return NULL;
    pk_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->n = nthreads;
    pthread_mutex_init(&pool->run_lock, NULL);
    pool->threads = calloc((size_t)nthreads, sizeof(pthread_t));
    if (!pool->threads) { free(pool); return NULL; }
    for (int i = 1; i < nthreads; ++i) {
        struct worker_arg *a = malloc(sizeof *a);
        if (a) { a->pool = pool; a->ith = i; }
        if (!a || pthread_create(&pool->threads[i - 1], NULL, worker, a) != 0) {
            free(a);
            pool->n = i;  // only i - 1 workers exist: stop and join those
            pk_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

void pk_pool_destroy(pk_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->run_lock);
    __atomic_store_n(&pool->stop, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&pool->gen, 1, __ATOMIC_SEQ_CST);
    futex_wake_all(&pool->gen);
    for (int i = 1; i < pool->n; ++i) pthread_join(pool->threads[i - 1], NULL);
    pthread_mutex_unlock(&pool->run_lock);
    pthread_mutex_destroy(&pool->run_lock);
    free(pool->threads);
    free(pool);
}

int pk_pool_size(const pk_pool *pool) { return pool ? pool->n : 1; }

void pk_pool_run(pk_pool *pool, pk_job_fn fn, void *ctx) {
    if (!pool || pool->n == 1) {
        fn(ctx, 0, 1);
        return;
    }
    pthread_mutex_lock(&pool->run_lock);
    pool->fn = fn;
    pool->ctx = ctx;
    uint32_t done = __atomic_load_n(&pool->done, __ATOMIC_ACQUIRE);
    __atomic_store_n(&pool->pending, pool->n - 1, __ATOMIC_RELEASE);
    publish(pool, &pool->gen);
    fn(ctx, 0, pool->n);
    wait_change(pool, &pool->done, done);
    pthread_mutex_unlock(&pool->run_lock);
}
