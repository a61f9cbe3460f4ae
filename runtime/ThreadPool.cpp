#include "runtime/ThreadPool.h"

#include "runtime/Error.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <string>

namespace ptm {

namespace {

// The contract says chunks have at least `grain` iterations, which a
// blocked_range cannot promise (it halves ranges down to grain/2). So the
// iterations are cut into count/grain equal chunks up front, and TBB schedules
// whole chunks.
void parallelFor(int64_t count, int64_t grain, PtmParallelBody body, void *context) {
  if (count <= 0)
    return;
  int64_t chunkCount = std::max<int64_t>(1, count / std::max<int64_t>(1, grain));
  if (chunkCount == 1) {
    body(0, count, context);
    return;
  }
  // Chunk i starts at i*base + min(i, extra): the first `extra` chunks take one
  // more iteration, and no product can overflow.
  int64_t base = count / chunkCount;
  int64_t extra = count % chunkCount;
  auto chunkStart = [&](int64_t chunk) { return chunk * base + std::min(chunk, extra); };
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, chunkCount), [&](const tbb::blocked_range<int64_t> &chunks) {
    body(chunkStart(chunks.begin()), chunkStart(chunks.end()), context);
  });
}

constexpr PtmRuntimeCallbacks kCallbacks = {
    /*abi_version=*/1,
    /*parallel_for=*/parallelFor,
};

} // namespace

ThreadPool::ThreadPool(int threadCount) {
  if (threadCount < 0)
    throw Error("thread count must be positive, got " + std::to_string(threadCount));
  if (threadCount > 0)
    parallelismLimit_ = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                               static_cast<size_t>(threadCount));
}

int ThreadPool::threadCount() const {
  return static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

const PtmRuntimeCallbacks *ThreadPool::callbacks() const { return &kCallbacks; }

} // namespace ptm
