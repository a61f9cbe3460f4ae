#include "runtime/CpuModule.h"

#include "runtime/Error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ptm {

namespace {

// Closes a descriptor unless released; move-only.
struct FileDescriptor {
  int fd = -1;
  explicit FileDescriptor(int descriptor) : fd(descriptor) {}
  FileDescriptor(FileDescriptor &&other) noexcept : fd(other.fd) { other.fd = -1; }
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &operator=(const FileDescriptor &) = delete;
  ~FileDescriptor() {
    if (fd >= 0)
      ::close(fd);
  }
};

// True when the dynamic loader already holds an object opened as `path`:
// dlopen would hand that object back instead of loading the file. (A module
// whose code stays mapped after dlclose keeps its name.)
bool loaderHoldsPath(const std::string &path) {
  void *existing = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (!existing)
    return false;
  ::dlclose(existing);
  return true;
}

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
  FileDescriptor codeFileDescriptor(fd);
  for (size_t written = 0; written < size;) {
    ssize_t count = ::write(fd, bytes + written, size - written);
    if (count < 0 && errno == EINTR)
      continue;
    if (count <= 0)
      throw Error(artifactPath_, std::string("cannot write the CPU code to its file: ") + std::strerror(errno));
    written += static_cast<size_t>(count);
  }
  auto procPath = [](int descriptor) { return "/proc/self/fd/" + std::to_string(descriptor); };
  // A descriptor whose path names an object still known to the loader is
  // kept open (so that dup never returns it again) until one is free.
  std::vector<FileDescriptor> taken;
  while (loaderHoldsPath(procPath(codeFileDescriptor.fd))) {
    int fresh = ::dup(codeFileDescriptor.fd);
    if (fresh < 0)
      throw Error(artifactPath_, std::string("cannot open the CPU code file: ") + std::strerror(errno));
    taken.push_back(std::move(codeFileDescriptor));
    codeFileDescriptor.fd = fresh;
  }
  // RTLD_NOW: a missing dependency fails here, not in the middle of a run.
  // RTLD_LOCAL: two loaded artifacts may export the same symbol names.
  handle_ = ::dlopen(procPath(codeFileDescriptor.fd).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_)
    throw Error(artifactPath_, "cannot load the CPU code: " + lastDlError());
  codeFd_ = codeFileDescriptor.fd;
  codeFileDescriptor.fd = -1;
}

CpuModule::~CpuModule() {
  ::dlclose(handle_);
  ::close(codeFd_);
}

PtmEntryFunction CpuModule::entryFunction(const std::string &symbol) const {
  ::dlerror(); // clear any stale error so that the one read below is ours
  void *address = ::dlsym(handle_, symbol.c_str());
  if (!address)
    throw Error(artifactPath_, "the CPU code has no symbol '" + symbol + "': " + lastDlError());
  return reinterpret_cast<PtmEntryFunction>(address);
}

} // namespace ptm
