// The runtime's thread pool: oneTBB, exposed to compiled code through the
// PtmRuntimeCallbacks table (RuntimeCallbacks.h).
#pragma once

#include "runtime/RuntimeCallbacks.h"

#include <tbb/global_control.h>

#include <memory>

namespace ptm {

class ThreadPool {
public:
  // Limits TBB to `threadCount` worker threads, or leaves it at the hardware
  // concurrency when `threadCount` is 0. The limit is process-wide (TBB's
  // global_control) and lasts as long as this object; when several pools exist
  // the smallest limit wins.
  explicit ThreadPool(int threadCount = 0);

  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  // The number of threads parallel loops may use.
  int threadCount() const;

  // The table handed to every compiled entry call.
  const PtmRuntimeCallbacks *callbacks() const;

private:
  std::unique_ptr<tbb::global_control> parallelismLimit_;
};

} // namespace ptm
