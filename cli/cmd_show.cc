// cli/cmd_show.cc — `thunderdome show`, `thunderdome stages`, `thunderdome params`.
#include <fmt/format.h>

#include <cmath>
#include <ostream>

#include "commands.h"
#include "thunderdome/persist/param_json.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/storage/storage.h"
#include "thunderdome/registry/registry.h"
#include "thunderdome/tuning/validator.h"

namespace td::cli {

using nlohmann::json;

namespace {

// The user-set params as text; a stage-valued one (OneVsRest's classifier) with its own params:
// classifier=LogisticRegression ovr.classifier (maxIter=50, regParam=0.1).
std::string userParams(const Params& p) {
  std::string out;
  for (const auto& [k, v] : p.userValues()) {
    const auto* obj = std::get_if<std::shared_ptr<Params>>(&v.variant());
    const std::string nested = obj && *obj ? " (" + userParams(**obj) + ")" : "";
    out += fmt::format("{}{}={}{}", out.empty() ? "" : ", ", k, v.toString(), nested);
  }
  return out.empty() ? "(defaults)" : out;
}

json stageJson(const PipelineStage& s);

// The user-set params; a stage-valued one (OneVsRest's classifier) as that stage's JSON.
json paramsJson(const Params& p) {
  json user = json::object();
  for (const auto& [k, v] : p.userValues()) {
    const auto* obj = std::get_if<std::shared_ptr<Params>>(&v.variant());
    const auto* stage = obj ? dynamic_cast<const PipelineStage*>(obj->get()) : nullptr;
    user[k] = stage ? stageJson(*stage) : paramToJson(v);
  }
  return user;
}

json stageJson(const PipelineStage& s) {
  json j{{"class", s.className()}, {"uid", s.uid()}, {"paramMap", paramsJson(s)}};
  for (const auto& item : s.stateSummary()) j[item.key] = paramToJson(item.value);
  const auto nested = s.subStages();
  if (!nested.empty() || s.className().rfind("Pipeline", 0) == 0) {
    json arr = json::array();
    for (const auto& st : nested) arr.push_back(stageJson(*st));
    j["stages"] = arr;
  }
  return j;
}

// A state value as `show` prints it: numbers as fmt does ("-1.5", "inf"), strings bare.
std::string stateText(const ParamValue& v) {
  if (const auto* d = std::get_if<double>(&v.variant())) return fmt::format("{}", *d);
  if (const auto* s = std::get_if<std::string>(&v.variant())) return *s;
  return v.toString();
}

void printStage(const PipelineStage& s, const std::string& indent, std::ostream& out) {
  out << fmt::format("{}{} {}: {}\n", indent, s.className(), s.uid(), userParams(s));
  const auto items = s.stateSummary();
  if (!items.empty()) {
    std::string line;
    for (const auto& item : items)
      line += fmt::format("{}{}={}", line.empty() ? "" : ", ", item.label, stateText(item.value));
    out << indent << "  " << line << "\n";
  }
  for (const auto& st : s.subStages()) printStage(*st, indent + "  ", out);
}

}  // namespace

int runShow(const ShowArgs& a, std::ostream& out, std::ostream& /*err*/) {
  const auto model = loadStage(a.model, storage::Storage());
  const auto results = tuningResults(*model);
  std::shared_ptr<PipelineStage> best = model;
  if (const TuningModel* t = model->asTuningModel()) best = t->bestModel();
  if (a.common.json) {
    json j{{"class", model->className()}, {"uid", model->uid()}, {"paramMap", paramsJson(*model)}};
    if (results) {
      j.update(tuningToJson(*results));
      j["bestModel"] = stageJson(*best);
    } else {
      j = stageJson(*model);
    }
    out << j.dump(2) << "\n";
    return 0;
  }
  out << fmt::format("{} {} ({})\n", model->className(), model->uid(), a.model);
  if (results) {
    out << fmt::format("Tuning: {}, {}\n", results->method, userParams(*model));
    out << formatTuningTable(*results);
    out << "Best params: "
        << describeParamMap(results->maps[static_cast<std::size_t>(results->bestIndex)]) << "\n";
    out << "Best model (refit on all training data):\n";
    printStage(*best, "  ", out);
  } else {
    printStage(*model, "  ", out);
  }
  return 0;
}

int runStages(const CommonArgs& c, std::ostream& out) {
  if (c.json) {
    json arr = json::array();
    for (const auto& s : builtinStages())
      arr.push_back({{"name", s.name}, {"kind", std::string(toString(s.kind))},
                     {"summary", s.summary}, {"sparkClass", s.sparkClass}});
    out << arr.dump(2) << "\n";
    return 0;
  }
  std::size_t w = 0;
  for (const auto& s : builtinStages()) w = std::max(w, s.name.size());
  for (const auto& s : builtinStages())
    out << fmt::format("{:<{}}  {:<11}  {}\n", s.name, w, toString(s.kind), s.summary);
  return 0;
}

int runParams(const std::string& stage, const CommonArgs& c, std::ostream& out) {
  const StageInfo& info = findStageInfo(stage);
  const auto p = info.create(info.name);
  if (c.json) {
    json arr = json::array();
    for (const auto& s : p->params()) {
      json e{{"name", s.name}, {"type", std::string(toString(s.type))}, {"doc", s.doc}};
      if (s.defaultValue) e["default"] = paramToJson(*s.defaultValue);
      if (!s.validator.rule.empty()) e["rule"] = s.validator.rule;
      arr.push_back(e);
    }
    out << json{{"name", info.name}, {"kind", std::string(toString(info.kind))},
                {"sparkClass", info.sparkClass}, {"params", arr}}
               .dump(2)
        << "\n";
    return 0;
  }
  out << fmt::format("{} ({}; Spark: {})\n{}\n\n", info.name, toString(info.kind), info.sparkClass,
                     info.summary);
  out << p->explainParams() << "\n";
  return 0;
}

}  // namespace td::cli
