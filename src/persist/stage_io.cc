// src/persist/stage_io.cc — how each built-in class is saved and loaded.
#include "stage_io.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "thunderdome/persist/param_json.h"
#include "thunderdome/registry/registry.h"

namespace td::persist {

using nlohmann::json;

namespace {

static_assert(std::endian::native == std::endian::little, "model data is stored little-endian");

// ---- values -----------------------------------------------------------------------------
json encodeDouble(double d) { return doubleToJson(d); }

double decodeDouble(const json& j, const std::string& what) {
  try {
    return doubleFromJson(j, what);
  } catch (const ParamError& e) {
    throw IoError(e.what());
  }
}

json encodeValue(const ParamValue& v) { return paramToJson(v); }

// A value of the declared type; the owner's validate() then coerces and checks it.
ParamValue decodeParam(const Params& owner, const std::string& name, const json& j,
                       const std::string& what) {
  try {
    return paramFromJson(j, owner.spec(name).type, what);
  } catch (const ParamError& e) {
    throw IoError(e.what());
  }
}

json encodeParamMap(const ParamMap& m) {
  json a = json::array();
  for (const auto& [key, value] : m.entries())
    a.push_back({{"parent", key.first}, {"name", key.second},
                 {"value", encodeValue(value).dump()}, {"isJson", true}});
  return a;
}

// ---- files --------------------------------------------------------------------------------
std::string doublesToBytes(const std::vector<double>& v) {
  std::string out(v.size() * sizeof(double), '\0');
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

std::vector<double> bytesToDoubles(const std::string& bytes, const std::string& what) {
  if (bytes.size() % sizeof(double) != 0)
    throw IoError(fmt::format("{}: {} bytes is not a whole number of doubles", what, bytes.size()));
  std::vector<double> v(bytes.size() / sizeof(double));
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

const std::string& fileAt(const FileTree& files, const std::string& path,
                          const std::string& source) {
  auto it = files.find(path);
  if (it == files.end())
    throw IoError(fmt::format("{}: file '{}' is missing", source, path));
  return it->second;
}

json baseMetadata(const Params& p) {
  json user = json::object(), defaults = json::object();
  for (const auto& [k, v] : p.userValues())
    if (isJsonType(p.spec(k).type)) user[k] = encodeValue(v);
  for (const auto& [k, v] : p.defaultValues())
    if (isJsonType(p.spec(k).type)) defaults[k] = encodeValue(v);
  // SOURCE_DATE_EPOCH (seconds; the reproducible-builds convention) fixes the saved timestamp,
  // so saving the same stage twice gives the same bytes.
  std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) {
    char* end = nullptr;
    const long long secs = std::strtoll(epoch, &end, 10);
    if (end && *end == '\0' && secs >= 0) ms = secs * 1000;
  }
  return {{"class", p.className()},
          {"uid", p.uid()},
          {"timestamp", ms},
          {"thunderdomeVersion", std::string(libraryVersion())},
          {"formatVersion", kModelFormatVersion},
          {"paramMap", user},
          {"defaultParamMap", defaults}};
}

void putJson(FileTree& out, const std::string& path, const json& j) { out[path] = j.dump(2) + "\n"; }

json readMetadata(const FileTree& files, const std::string& prefix, const std::string& source) {
  const std::string path = prefix + "metadata.json";
  try {
    return json::parse(fileAt(files, path, source));
  } catch (const json::exception& e) {
    throw IoError(fmt::format("{}: '{}' is not valid JSON ({})", source, path, e.what()));
  }
}

template <class T>
T field(const json& meta, const char* key, const std::string& where) {
  if (!meta.contains(key))
    throw IoError(fmt::format("{}: field '{}' is missing", where, key));
  try {
    return meta.at(key).get<T>();
  } catch (const json::exception& e) {
    throw IoError(fmt::format("{}: field '{}' has the wrong type ({})", where, key, e.what()));
  }
}

void restoreParams(Params& p, const json& meta, const std::string& where) {
  std::map<std::string, ParamValue, std::less<>> user, defaults;
  try {
    for (const auto& [k, v] : meta.at("paramMap").items())
      user[k] = decodeParam(p, k, v, where + " param " + k);
    for (const auto& [k, v] : meta.at("defaultParamMap").items())
      defaults[k] = decodeParam(p, k, v, where + " default " + k);
  } catch (const json::exception& e) {
    throw IoError(fmt::format("{}: bad parameter section ({})", where, e.what()));
  }
  p.restoreValues(user, defaults);
}

std::string stageDir(const std::string& prefix, std::size_t index, std::size_t count,
                     const std::string& uid) {
  const auto width = std::to_string(count == 0 ? 0 : count - 1).size();
  return fmt::format("{}stages/{:0{}}_{}/", prefix, index, width, uid);
}

json encodeDoubles(const std::vector<double>& v) {
  json a = json::array();
  for (double d : v) a.push_back(encodeDouble(d));
  return a;
}

// The StateWriter of one saved stage: fields go into its metadata, arrays and nested stages
// into files under its prefix.
class TreeWriter final : public StateWriter {
 public:
  TreeWriter(json& meta, std::string prefix, FileTree& out)
      : meta_(meta), prefix_(std::move(prefix)), out_(out) {}
  void putInt(std::string_view key, std::int64_t v) override { meta_[std::string(key)] = v; }
  void putDouble(std::string_view key, double v) override {
    meta_[std::string(key)] = encodeDouble(v);
  }
  void putString(std::string_view key, std::string_view v) override {
    meta_[std::string(key)] = std::string(v);
  }
  void putDoubles(std::string_view key, const std::vector<double>& v) override {
    meta_[std::string(key)] = encodeDoubles(v);
  }
  void putDoubleRows(std::string_view key, const std::vector<std::vector<double>>& v) override {
    json rows = json::array();
    for (const auto& r : v) rows.push_back(encodeDoubles(r));
    meta_[std::string(key)] = rows;
  }
  void putStringRows(std::string_view key,
                     const std::vector<std::vector<std::string>>& v) override {
    meta_[std::string(key)] = v;
  }
  void putArray(std::string_view name, const std::vector<double>& v) override {
    const std::string rel = fmt::format("data/{}.f64le", name);
    meta_["data"][std::string(name)] = rel;
    out_[prefix_ + rel] = doublesToBytes(v);
  }
  void putParamMaps(std::string_view key, const std::vector<ParamMap>& maps) override {
    json a = json::array();
    for (const auto& m : maps) a.push_back(encodeParamMap(m));
    meta_[std::string(key)] = a;
  }
  void putStage(std::string_view dir, const PipelineStage& stage) override {
    writeStage(stage, prefix_ + std::string(dir), out_);
  }
  void putEvaluator(std::string_view dir, const Evaluator& evaluator) override {
    writeEvaluator(evaluator, prefix_ + std::string(dir), out_);
  }
  void putStages(const std::vector<std::shared_ptr<PipelineStage>>& stages) override {
    json uids = json::array();
    for (std::size_t i = 0; i < stages.size(); ++i) {
      uids.push_back(stages[i]->uid());
      writeStage(*stages[i], stageDir(prefix_, i, stages.size(), stages[i]->uid()), out_);
    }
    meta_["stageUids"] = uids;
  }

 private:
  json& meta_;
  std::string prefix_;
  FileTree& out_;
};

// The StateReader of one saved stage.
class TreeReader final : public StateReader {
 public:
  TreeReader(const json& meta, std::string prefix, const FileTree& files, std::string source,
             std::string where)
      : meta_(meta), prefix_(std::move(prefix)), files_(files), source_(std::move(source)),
        where_(std::move(where)) {}
  bool has(std::string_view key) const override {
    return meta_.is_object() && meta_.contains(std::string(key));
  }
  std::int64_t getInt(std::string_view key) const override {
    return field<std::int64_t>(meta_, std::string(key).c_str(), where_);
  }
  double getDouble(std::string_view key) const override {
    return decodeDouble(field<json>(meta_, std::string(key).c_str(), where_), where_);
  }
  std::string getString(std::string_view key) const override {
    return field<std::string>(meta_, std::string(key).c_str(), where_);
  }
  std::vector<double> getDoubles(std::string_view key) const override {
    std::vector<double> out;
    for (const auto& d : field<json>(meta_, std::string(key).c_str(), where_))
      out.push_back(decodeDouble(d, where_));
    return out;
  }
  std::vector<std::vector<std::string>> getStringRows(std::string_view key) const override {
    return field<std::vector<std::vector<std::string>>>(meta_, std::string(key).c_str(), where_);
  }
  std::vector<std::vector<double>> getDoubleRows(std::string_view key) const override {
    std::vector<std::vector<double>> out;
    for (const auto& r : field<json>(meta_, std::string(key).c_str(), where_)) {
      std::vector<double> row;
      for (const auto& d : r) row.push_back(decodeDouble(d, where_));
      out.push_back(std::move(row));
    }
    return out;
  }
  std::vector<double> getArray(std::string_view name) const override {
    const std::string path = prefix_ + fmt::format("data/{}.f64le", name);
    return bytesToDoubles(fileAt(files_, path, source_), source_ + ": " + path);
  }
  std::vector<ParamMap> getParamMaps(std::string_view key, const PipelineStage& estimator,
                                     const Params& evaluator) const override {
    std::vector<ParamMap> maps;
    for (const auto& m : field<json>(meta_, std::string(key).c_str(), where_)) {
      ParamMap map;
      for (const auto& e : m) {
        const auto uid = field<std::string>(e, "parent", where_);
        const auto name = field<std::string>(e, "name", where_);
        const Params* owner =
            evaluator.uid() == uid ? &evaluator : static_cast<const Params*>(estimator.findByUid(uid));
        if (!owner)
          throw IoError(fmt::format("{}: {} names stage '{}', which is not in the saved "
                                    "estimator",
                                    where_, key, uid));
        json value;
        try {
          value = json::parse(field<std::string>(e, "value", where_));
        } catch (const json::exception& ex) {
          throw IoError(fmt::format("{}: bad value for {}.{} ({})", where_, uid, name, ex.what()));
        }
        map.put(*owner, name, decodeParam(*owner, name, value, where_));
      }
      maps.push_back(std::move(map));
    }
    return maps;
  }
  std::shared_ptr<PipelineStage> getStage(std::string_view dir) const override {
    return readStage(files_, prefix_ + std::string(dir), source_);
  }
  std::shared_ptr<Evaluator> getEvaluator(std::string_view dir) const override {
    return readEvaluator(files_, prefix_ + std::string(dir), source_);
  }
  std::vector<std::shared_ptr<PipelineStage>> getStages() const override {
    std::vector<std::shared_ptr<PipelineStage>> stages;
    const auto uids = field<std::vector<std::string>>(meta_, "stageUids", where_);
    for (std::size_t i = 0; i < uids.size(); ++i)
      stages.push_back(readStage(files_, stageDir(prefix_, i, uids.size(), uids[i]), source_));
    return stages;
  }
  [[noreturn]] void fail(const std::string& message) const override {
    throw IoError(fmt::format("{}: {}", where_, message));
  }

 private:
  const json& meta_;
  std::string prefix_;
  const FileTree& files_;
  std::string source_;
  std::string where_;
};

// A registered instance of the saved class, with its params restored and its state read.
std::shared_ptr<Params> readInstance(const FileTree& files, const std::string& prefix,
                                     const std::string& source) {
  const json meta = readMetadata(files, prefix, source);
  const std::string where = fmt::format("{}: {}metadata.json", source, prefix);
  std::shared_ptr<Params> p;
  try {
    p = createInstance(field<std::string>(meta, "class", where),
                       field<std::string>(meta, "uid", where));
  } catch (const ParamError& e) {
    throw IoError(fmt::format("{}: {}", where, e.what()));
  }
  restoreParams(*p, meta, where);
  TreeReader reader(meta, prefix, files, source, where);
  p->loadState(reader);
  return p;
}

}  // namespace

void writeEvaluator(const Evaluator& ev, const std::string& prefix, FileTree& out) {
  writeStageLike(ev, prefix, out);
}

std::shared_ptr<Evaluator> readEvaluator(const FileTree& files, const std::string& prefix,
                                         const std::string& source) {
  auto p = readInstance(files, prefix, source);
  auto ev = std::dynamic_pointer_cast<Evaluator>(p);
  if (!ev)
    throw IoError(fmt::format("{}: {}metadata.json holds a {}, not an evaluator", source, prefix,
                              p->className()));
  return ev;
}

void writeStage(const PipelineStage& stage, const std::string& prefix, FileTree& out) {
  writeStageLike(stage, prefix, out);
}

std::shared_ptr<Params> readStageLike(const FileTree& files, const std::string& prefix,
                                      const std::string& source) {
  return readInstance(files, prefix, source);
}

std::shared_ptr<PipelineStage> readStage(const FileTree& files, const std::string& prefix,
                                         const std::string& source) {
  auto p = readInstance(files, prefix, source);
  auto st = std::dynamic_pointer_cast<PipelineStage>(p);
  if (!st)
    throw IoError(fmt::format("{}: {}metadata.json holds a {}, not a pipeline stage", source,
                              prefix, p->className()));
  return st;
}

void writeStageLike(const Params& p, const std::string& prefix, FileTree& out) {
  (void)findStageInfo(p.className());  // every saved class must be registered to load back
  json meta = baseMetadata(p);
  TreeWriter writer(meta, prefix, out);
  p.saveState(writer);
  putJson(out, prefix + "metadata.json", meta);
}

}  // namespace td::persist
