// src/persist/stage_io.cc — how each built-in class is saved and loaded.
#include "stage_io.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/persist/param_json.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/registry/registry.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/train_validation_split.h"

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
  for (const auto& [k, v] : p.userValues()) user[k] = encodeValue(v);
  for (const auto& [k, v] : p.defaultValues()) defaults[k] = encodeValue(v);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
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

// Finds the stage (or evaluator) with `uid` anywhere inside `root`.
const Params* findByUid(const PipelineStage& root, const Evaluator* ev, const std::string& uid) {
  if (root.uid() == uid) return &root;
  if (ev && ev->uid() == uid) return ev;
  if (const auto* p = dynamic_cast<const Pipeline*>(&root))
    for (const auto& s : p->getStages())
      if (const Params* f = findByUid(*s, nullptr, uid)) return f;
  return nullptr;
}

std::vector<ParamMap> decodeParamMaps(const json& arr, const PipelineStage& estimator,
                                      const Evaluator* ev, const std::string& where) {
  std::vector<ParamMap> maps;
  for (const auto& m : arr) {
    ParamMap map;
    for (const auto& e : m) {
      const auto uid = field<std::string>(e, "parent", where);
      const auto name = field<std::string>(e, "name", where);
      const Params* owner = findByUid(estimator, ev, uid);
      if (!owner)
        throw IoError(fmt::format("{}: estimatorParamMaps names stage '{}', which is not in the "
                                  "saved estimator",
                                  where, uid));
      json value;
      try {
        value = json::parse(field<std::string>(e, "value", where));
      } catch (const json::exception& ex) {
        throw IoError(fmt::format("{}: bad value for {}.{} ({})", where, uid, name, ex.what()));
      }
      map.put(*owner, name, decodeParam(*owner, name, value, where));
    }
    maps.push_back(std::move(map));
  }
  return maps;
}

std::string stageDir(const std::string& prefix, std::size_t index, std::size_t count,
                     const std::string& uid) {
  const auto width = std::to_string(count == 0 ? 0 : count - 1).size();
  return fmt::format("{}stages/{:0{}}_{}/", prefix, index, width, uid);
}

std::vector<double> metricsOf(const json& meta, const char* key, const std::string& where) {
  std::vector<double> out;
  for (const auto& d : field<json>(meta, key, where)) out.push_back(decodeDouble(d, where));
  return out;
}

json encodeDoubles(const std::vector<double>& v) {
  json a = json::array();
  for (double d : v) a.push_back(encodeDouble(d));
  return a;
}

}  // namespace

void writeEvaluator(const Evaluator& ev, const std::string& prefix, FileTree& out) {
  putJson(out, prefix + "metadata.json", baseMetadata(ev));
}

std::shared_ptr<Evaluator> readEvaluator(const FileTree& files, const std::string& prefix,
                                         const std::string& source) {
  const json meta = readMetadata(files, prefix, source);
  const std::string where = fmt::format("{}: {}metadata.json", source, prefix);
  auto ev = createEvaluator(field<std::string>(meta, "class", where),
                            field<std::string>(meta, "uid", where));
  restoreParams(*ev, meta, where);
  return ev;
}

void writeStage(const PipelineStage& stage, const std::string& prefix, FileTree& out) {
  json meta = baseMetadata(stage);
  auto writeStages = [&](const auto& stages) {
    json uids = json::array();
    for (std::size_t i = 0; i < stages.size(); ++i) {
      uids.push_back(stages[i]->uid());
      writeStage(*stages[i], stageDir(prefix, i, stages.size(), stages[i]->uid()), out);
    }
    meta["stageUids"] = uids;
  };
  if (const auto* lr = dynamic_cast<const LogisticRegressionModel*>(&stage)) {
    meta["numFeatures"] = lr->numFeatures();
    meta["numClasses"] = lr->numClasses();
    meta["intercept"] = encodeDouble(lr->intercept());
    meta["data"] = {{"coefficients", "data/coefficients.f64le"}};
    out[prefix + "data/coefficients.f64le"] = doublesToBytes(lr->coefficients());
  } else if (const auto* p = dynamic_cast<const Pipeline*>(&stage)) {
    writeStages(p->getStages());
  } else if (const auto* pm = dynamic_cast<const PipelineModel*>(&stage)) {
    writeStages(pm->stages());
  } else if (const auto* cv = dynamic_cast<const CrossValidator*>(&stage)) {
    if (!cv->getEstimator() || !cv->getEvaluator())
      throw ParamError(cv->describe() + ": cannot save without an estimator and an evaluator");
    json maps = json::array();
    for (const auto& m : cv->getEstimatorParamMaps()) maps.push_back(encodeParamMap(m));
    meta["estimatorParamMaps"] = maps;
    writeStage(*cv->getEstimator(), prefix + "estimator/", out);
    writeEvaluator(*cv->getEvaluator(), prefix + "evaluator/", out);
  } else if (const auto* cvm = dynamic_cast<const CrossValidatorModel*>(&stage)) {
    json maps = json::array();
    for (const auto& m : cvm->getEstimatorParamMaps()) maps.push_back(encodeParamMap(m));
    meta["estimatorParamMaps"] = maps;
    meta["avgMetrics"] = encodeDoubles(cvm->avgMetrics());
    meta["stdMetrics"] = encodeDoubles(cvm->stdMetrics());
    json folds = json::array();
    for (const auto& f : cvm->foldMetrics()) folds.push_back(encodeDoubles(f));
    meta["foldMetrics"] = folds;
    meta["bestIndex"] = cvm->bestIndex();
    meta["metricName"] = cvm->metricName();
    writeStage(*cvm->getEstimator(), prefix + "estimator/", out);
    writeEvaluator(*cvm->getEvaluator(), prefix + "evaluator/", out);
    writeStage(*cvm->bestModel(), prefix + "bestModel/", out);
  } else if (const auto* tvs = dynamic_cast<const TrainValidationSplit*>(&stage)) {
    if (!tvs->getEstimator() || !tvs->getEvaluator())
      throw ParamError(tvs->describe() + ": cannot save without an estimator and an evaluator");
    json maps = json::array();
    for (const auto& m : tvs->getEstimatorParamMaps()) maps.push_back(encodeParamMap(m));
    meta["estimatorParamMaps"] = maps;
    writeStage(*tvs->getEstimator(), prefix + "estimator/", out);
    writeEvaluator(*tvs->getEvaluator(), prefix + "evaluator/", out);
  } else if (const auto* tvsm = dynamic_cast<const TrainValidationSplitModel*>(&stage)) {
    json maps = json::array();
    for (const auto& m : tvsm->getEstimatorParamMaps()) maps.push_back(encodeParamMap(m));
    meta["estimatorParamMaps"] = maps;
    meta["validationMetrics"] = encodeDoubles(tvsm->validationMetrics());
    meta["bestIndex"] = tvsm->bestIndex();
    writeStage(*tvsm->getEstimator(), prefix + "estimator/", out);
    writeEvaluator(*tvsm->getEvaluator(), prefix + "evaluator/", out);
    writeStage(*tvsm->bestModel(), prefix + "bestModel/", out);
  } else {
    (void)findStageInfo(stage.className());  // params-only classes must be registered
  }
  putJson(out, prefix + "metadata.json", meta);
}

std::shared_ptr<PipelineStage> readStage(const FileTree& files, const std::string& prefix,
                                         const std::string& source) {
  const json meta = readMetadata(files, prefix, source);
  const std::string where = fmt::format("{}: {}metadata.json", source, prefix);
  const auto cls = field<std::string>(meta, "class", where);
  const auto uid = field<std::string>(meta, "uid", where);

  auto readStages = [&]() {
    std::vector<std::shared_ptr<PipelineStage>> stages;
    const auto uids = field<std::vector<std::string>>(meta, "stageUids", where);
    for (std::size_t i = 0; i < uids.size(); ++i)
      stages.push_back(readStage(files, stageDir(prefix, i, uids.size(), uids[i]), source));
    return stages;
  };
  auto readTuningParts = [&](auto& validator) {
    auto estimator = std::dynamic_pointer_cast<Estimator>(readStage(files, prefix + "estimator/", source));
    if (!estimator) throw IoError(where + ": the saved estimator is not an Estimator");
    auto evaluator = readEvaluator(files, prefix + "evaluator/", source);
    validator.setEstimator(estimator).setEvaluator(evaluator);
    validator.setEstimatorParamMaps(decodeParamMaps(field<json>(meta, "estimatorParamMaps", where),
                                                    *estimator, evaluator.get(), where));
    restoreParams(validator, meta, where);
  };

  if (cls == "LogisticRegressionModel") {
    const auto path = prefix + "data/coefficients.f64le";
    auto coef = bytesToDoubles(fileAt(files, path, source), source + ": " + path);
    const auto numFeatures = field<std::int64_t>(meta, "numFeatures", where);
    if (static_cast<std::int64_t>(coef.size()) != numFeatures)
      throw IoError(fmt::format("{}: {} holds {} coefficients but numFeatures is {}", source, path,
                                coef.size(), numFeatures));
    auto m = std::make_shared<LogisticRegressionModel>(
        uid, std::move(coef), decodeDouble(field<json>(meta, "intercept", where), where));
    restoreParams(*m, meta, where);
    return m;
  }
  if (cls == "Pipeline") {
    auto p = std::make_shared<Pipeline>(uid, readStages());
    return p;
  }
  if (cls == "PipelineModel") {
    std::vector<std::shared_ptr<Transformer>> ts;
    for (auto& s : readStages()) {
      auto t = std::dynamic_pointer_cast<Transformer>(s);
      if (!t) throw IoError(fmt::format("{}: stage {} of a PipelineModel is not a Transformer", where, s->describe()));
      ts.push_back(std::move(t));
    }
    return std::make_shared<PipelineModel>(uid, std::move(ts));
  }
  if (cls == "CrossValidator") {
    auto cv = std::make_shared<CrossValidator>(uid);
    readTuningParts(*cv);
    return cv;
  }
  if (cls == "CrossValidatorModel") {
    CrossValidator cv(uid);
    readTuningParts(cv);
    auto best = std::dynamic_pointer_cast<Model>(readStage(files, prefix + "bestModel/", source));
    if (!best) throw IoError(where + ": bestModel is not a Model");
    std::vector<std::vector<double>> folds;
    for (const auto& f : field<json>(meta, "foldMetrics", where)) {
      std::vector<double> row;
      for (const auto& d : f) row.push_back(decodeDouble(d, where));
      folds.push_back(std::move(row));
    }
    const auto bestIndex = field<std::int64_t>(meta, "bestIndex", where);
    if (bestIndex < 0 || bestIndex >= static_cast<std::int64_t>(cv.getEstimatorParamMaps().size()))
      throw IoError(fmt::format("{}: bestIndex {} is out of range", where, bestIndex));
    for (const auto& row : folds)
      if (row.size() != cv.getEstimatorParamMaps().size())
        throw IoError(where + ": foldMetrics rows do not match estimatorParamMaps");
    auto m = std::make_shared<CrossValidatorModel>(cv, best, std::move(folds), bestIndex);
    return m;
  }
  if (cls == "TrainValidationSplit") {
    auto tvs = std::make_shared<TrainValidationSplit>(uid);
    readTuningParts(*tvs);
    return tvs;
  }
  if (cls == "TrainValidationSplitModel") {
    TrainValidationSplit tvs(uid);
    readTuningParts(tvs);
    auto best = std::dynamic_pointer_cast<Model>(readStage(files, prefix + "bestModel/", source));
    if (!best) throw IoError(where + ": bestModel is not a Model");
    auto metrics = metricsOf(meta, "validationMetrics", where);
    const auto bestIndex = field<std::int64_t>(meta, "bestIndex", where);
    if (bestIndex < 0 || bestIndex >= static_cast<std::int64_t>(metrics.size()))
      throw IoError(fmt::format("{}: bestIndex {} is out of range", where, bestIndex));
    return std::make_shared<TrainValidationSplitModel>(tvs, best, std::move(metrics), bestIndex);
  }
  // Params-only classes come from the registry.
  std::shared_ptr<PipelineStage> s;
  try {
    s = createStage(cls, uid);
  } catch (const ParamError& e) {
    throw IoError(fmt::format("{}: {}", where, e.what()));
  }
  restoreParams(*s, meta, where);
  return s;
}

}  // namespace td::persist
