/* The machine's peak f32 FMA throughput: each thread runs independent chains
 * of vector FMAs on registers (no memory traffic), enough chains to cover
 * the FMA latency on both FMA pipes. Built by bench/matmul.py with
 * -O2 -march=native; prints "peak threads=K gflops=X".
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define WIDTH 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1(x) _mm512_set1_ps(x)
#define SUM(v) _mm512_reduce_add_ps(v)
#else
typedef __m256 vec;
#define WIDTH 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1(x) _mm256_set1_ps(x)
static float SUM(__m256 v) {
  float lanes[8];
  _mm256_storeu_ps(lanes, v);
  float s = 0;
  for (int i = 0; i < 8; ++i) s += lanes[i];
  return s;
}
#endif

enum { CHAINS = 12, ITERATIONS = 50 * 1000 * 1000 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Twelve named accumulators: an array would be kept in memory at -O2. */
static void *run(void *result) {
  vec x = SET1(0.999999f), y = SET1(1e-7f);
  vec a0 = SET1(0), a1 = SET1(1), a2 = SET1(2), a3 = SET1(3), a4 = SET1(4), a5 = SET1(5);
  vec a6 = SET1(6), a7 = SET1(7), a8 = SET1(8), a9 = SET1(9), a10 = SET1(10), a11 = SET1(11);
  for (long i = 0; i < ITERATIONS; ++i) {
    a0 = FMA(a0, x, y); a1 = FMA(a1, x, y); a2 = FMA(a2, x, y); a3 = FMA(a3, x, y);
    a4 = FMA(a4, x, y); a5 = FMA(a5, x, y); a6 = FMA(a6, x, y); a7 = FMA(a7, x, y);
    a8 = FMA(a8, x, y); a9 = FMA(a9, x, y); a10 = FMA(a10, x, y); a11 = FMA(a11, x, y);
  }
  /* The sum keeps every chain alive. */
  *(float *)result = SUM(a0) + SUM(a1) + SUM(a2) + SUM(a3) + SUM(a4) + SUM(a5) + SUM(a6) +
                     SUM(a7) + SUM(a8) + SUM(a9) + SUM(a10) + SUM(a11);
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: peak_flops [THREADS]\n");
    return 2;
  }
  pthread_t ids[256];
  float sums[256];
  double start = now();
  for (int t = 0; t < threads; ++t) pthread_create(&ids[t], NULL, run, &sums[t]);
  for (int t = 0; t < threads; ++t) pthread_join(ids[t], NULL);
  double seconds = now() - start;
  double flops = 2.0 * WIDTH * CHAINS * (double)ITERATIONS * threads;
  printf("peak threads=%d gflops=%.1f\n", threads, flops / seconds * 1e-9);
  return 0;
}
