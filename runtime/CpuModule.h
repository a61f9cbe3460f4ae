// A cpu_shared_object code blob loaded into the process. The blob is written to
// an anonymous in-memory file (memfd) and dlopen'ed through /proc/self/fd, so
// loading never leaves a file behind, not even after a crash. PTM_CODE_FILE
// names a real file to use instead, for profilers that read symbols from it.
#pragma once

#include "runtime/RuntimeCallbacks.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace ptm {

class CpuModule {
public:
  // `artifactPath` only names the origin of the code in error messages.
  CpuModule(const std::string &artifactPath, const uint8_t *bytes, size_t size);
  ~CpuModule();

  CpuModule(const CpuModule &) = delete;
  CpuModule &operator=(const CpuModule &) = delete;

  // The entry function exported as `symbol`; throws ptm::Error with dlerror's
  // explanation when the shared object lacks it.
  PtmEntryFunction entryFunction(const std::string &symbol) const;

private:
  std::string artifactPath_;
  void *handle_ = nullptr;
  // The code file, open while the code is loaded: the dynamic loader knows
  // a loaded object by the path it was opened with, /proc/self/fd/<fd>, so
  // no other module may get that descriptor number meanwhile.
  int codeFd_ = -1;
};

} // namespace ptm
