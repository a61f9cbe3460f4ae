#include "runtime/InputFile.h"

#include "runtime/Error.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace ptm {

InputFile openInputFile(const std::string &path) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0)
    throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  if (!S_ISREG(status.st_mode))
    throw Error(path, S_ISDIR(status.st_mode) ? "is a directory, not a file" : "is not a regular file");
  InputFile file{std::ifstream(path, std::ios::binary), static_cast<uint64_t>(status.st_size)};
  if (!file.stream)
    throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  return file;
}

} // namespace ptm
