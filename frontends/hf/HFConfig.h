// Reading Hugging Face `config.json` files: typed field access with errors
// that name the file and the field.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace ptm::frontends {

class HFConfig {
public:
  // Reads DIR/config.json (or the file itself if `path` is a file).
  static llvm::Expected<HFConfig> load(llvm::StringRef path);

  const std::string &path() const { return path_; }
  const std::string &text() const { return text_; }
  std::string modelType() const;

  // Typed accessors: the field's value, `fallback` when absent (Hugging Face
  // fills absent fields with the class defaults), an error when present with
  // the wrong type or out of range.
  llvm::Expected<int64_t> positiveInt(llvm::StringRef key, int64_t fallback) const;
  llvm::Expected<double> number(llvm::StringRef key, double fallback) const;
  llvm::Expected<bool> boolean(llvm::StringRef key, bool fallback) const;
  llvm::Expected<std::string> string(llvm::StringRef key, llvm::StringRef fallback) const;
  // Whether the field is present and not null.
  bool has(llvm::StringRef key) const;

  llvm::Error error(const llvm::Twine &message) const;

  // Stores a typed field read with the accessors above into `field`, or
  // passes its error on: `if (Error e = readInto(config.number(...), h.x))`.
  template <typename T, typename Field> static llvm::Error readInto(llvm::Expected<T> value, Field &field) {
    if (!value)
      return value.takeError();
    field = *value;
    return llvm::Error::success();
  }

private:
  std::string path_;
  std::string text_;
  llvm::json::Object object_;
};

} // namespace ptm::frontends
