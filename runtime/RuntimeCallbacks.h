// The table of runtime services handed to compiled code at every call.
// Compiled code never looks symbols up; it only calls through this table.
// Plain C so that generated code and the runtime agree on the layout.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Body of a parallel loop: runs iterations [begin, end) with the captured context.
typedef void (*PtmParallelBody)(int64_t begin, int64_t end, void *context);

typedef struct PtmRuntimeCallbacks {
  uint32_t abi_version; // == 1
  // Runs body over [0, count) split into chunks of at least `grain` iterations.
  void (*parallel_for)(int64_t count, int64_t grain, PtmParallelBody body, void *context);
} PtmRuntimeCallbacks;

// Signature of every compiled entry: one pointer per parameter, input and output.
typedef void (*PtmEntryFunction)(void **buffers, const PtmRuntimeCallbacks *callbacks);

#ifdef __cplusplus
}
#endif
