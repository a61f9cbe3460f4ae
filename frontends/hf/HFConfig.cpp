#include "frontends/hf/HFConfig.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace ptm::frontends {

Expected<HFConfig> HFConfig::load(StringRef path) {
  SmallString<256> file(path);
  if (sys::fs::is_directory(file))
    sys::path::append(file, "config.json");
  HFConfig config;
  config.path_ = std::string(file);
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(file);
  if (!buffer)
    return config.error("cannot read: " + buffer.getError().message());
  config.text_ = (*buffer)->getBuffer().str();
  Expected<json::Value> parsed = json::parse(config.text_);
  if (!parsed)
    return config.error("is not valid JSON: " + toString(parsed.takeError()));
  json::Object *object = parsed->getAsObject();
  if (!object)
    return config.error("must hold a JSON object");
  config.object_ = std::move(*object);
  return config;
}

std::string HFConfig::modelType() const {
  if (std::optional<StringRef> type = object_.getString("model_type"))
    return type->str();
  return "";
}

bool HFConfig::has(StringRef key) const {
  const json::Value *value = object_.get(key);
  return value && value->kind() != json::Value::Null;
}

Error HFConfig::error(const Twine &message) const {
  return createStringError(inconvertibleErrorCode(), path_ + ": " + message);
}

Expected<int64_t> HFConfig::positiveInt(StringRef key, int64_t fallback) const {
  if (!has(key))
    return fallback;
  std::optional<int64_t> value = object_.get(key)->getAsInteger();
  if (!value)
    return error("field '" + key + "' must be an integer");
  if (*value <= 0)
    return error("field '" + key + "' must be positive, got " + Twine(*value));
  return *value;
}

Expected<double> HFConfig::number(StringRef key, double fallback) const {
  if (!has(key))
    return fallback;
  std::optional<double> value = object_.get(key)->getAsNumber();
  if (!value)
    return error("field '" + key + "' must be a number");
  return *value;
}

Expected<bool> HFConfig::boolean(StringRef key, bool fallback) const {
  if (!has(key))
    return fallback;
  std::optional<bool> value = object_.get(key)->getAsBoolean();
  if (!value)
    return error("field '" + key + "' must be true or false");
  return *value;
}

Expected<std::string> HFConfig::string(StringRef key, StringRef fallback) const {
  if (!has(key))
    return fallback.str();
  std::optional<StringRef> value = object_.get(key)->getAsString();
  if (!value)
    return error("field '" + key + "' must be a string");
  return value->str();
}

} // namespace ptm::frontends
