#include "runtime/CpuModule.h"

#include "runtime/Error.h"

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace ptm {

namespace {

// Closes the code file however loading ends; the loaded mapping outlives it.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() { ::close(fd); }
};

std::string lastDlError() {
  const char *message = ::dlerror();
  return message ? message : "unknown dynamic loader error";
}

} // namespace

CpuModule::CpuModule(const std::string &artifactPath, const uint8_t *bytes, size_t size)
    : artifactPath_(artifactPath) {
  // PTM_CODE_FILE names a real file to load the code from instead of an
  // anonymous one, so that profilers such as perf can resolve its symbols.
  const char *codeFile = std::getenv("PTM_CODE_FILE");
  int fd = codeFile ? ::open(codeFile, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                    : ::memfd_create("ptm-cpu-code", MFD_CLOEXEC);
  if (fd < 0)
    throw Error(artifactPath_, std::string("cannot create a file for the CPU code: ") +
                                   std::strerror(errno));
  FileDescriptor codeFileDescriptor{fd};
  for (size_t written = 0; written < size;) {
    ssize_t count = ::write(fd, bytes + written, size - written);
    if (count < 0 && errno == EINTR)
      continue;
    if (count <= 0)
      throw Error(artifactPath_, std::string("cannot write the CPU code to its file: ") + std::strerror(errno));
    written += static_cast<size_t>(count);
  }
  std::string procPath = "/proc/self/fd/" + std::to_string(fd);
  // RTLD_NOW: a missing dependency fails here, not in the middle of a run.
  // RTLD_LOCAL: two loaded artifacts may export the same symbol names.
  handle_ = ::dlopen(procPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_)
    throw Error(artifactPath_, "cannot load the CPU code: " + lastDlError());
}

CpuModule::~CpuModule() { ::dlclose(handle_); }

PtmEntryFunction CpuModule::entryFunction(const std::string &symbol) const {
  ::dlerror(); // clear any stale error so that the one read below is ours
  void *address = ::dlsym(handle_, symbol.c_str());
  if (!address)
    throw Error(artifactPath_, "the CPU code has no symbol '" + symbol + "': " + lastDlError());
  return reinterpret_cast<PtmEntryFunction>(address);
}

} // namespace ptm
