// src/spec/pipeline_spec.cc
#include "thunderdome/spec/pipeline_spec.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

#include "thunderdome/io/file.h"
#include "thunderdome/persist/param_json.h"
#include "thunderdome/registry/registry.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/param_grid_builder.h"
#include "thunderdome/tuning/train_validation_split.h"

namespace td {

using nlohmann::json;

const std::vector<std::string>& tuningMethods() {
  static const std::vector<std::string> m{"crossValidator", "trainValidationSplit", "none"};
  return m;
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Spec errors: "<source>: <location>: <message>".
[[noreturn]] void fail(const std::string& source, const std::string& where, const std::string& msg) {
  throw ParamError(fmt::format("{}: {}: {}", source, where, msg));
}

void requireKeys(const json& obj, const std::vector<std::string>& allowed,
                 const std::string& source, const std::string& where) {
  for (const auto& [k, v] : obj.items())
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      fail(source, where, fmt::format("unknown key '{}' (allowed: {})", k, join(allowed)));
}

const json& need(const json& obj, const char* key, json::value_t type, const char* typeName,
                 const std::string& source, const std::string& where) {
  if (!obj.contains(key)) fail(source, where, fmt::format("missing '{}'", key));
  const json& v = obj.at(key);
  if (v.type() != type &&
      !(type == json::value_t::number_float && v.is_number()))
    fail(source, where + "." + key, fmt::format("expected {}, got {}", typeName, v.dump()));
  return v;
}

void applyParams(Params& p, const json& params, const std::string& source,
                 const std::string& where, bool stageValued = false);

// The stage `obj` ({"class": ..., "params": {...}}) gives as the value of `owner`'s
// stage-valued param `name` (OneVsRest's classifier), built by the registry like a top-level
// stage, with uid "<owner uid>.<name>" (the path grid keys use).
std::shared_ptr<PipelineStage> nestedStage(const Params& owner, const std::string& name,
                                           const json& obj, const std::string& source,
                                           const std::string& loc) {
  if (!obj.is_object())
    fail(source, loc,
         fmt::format("'{}' takes a stage: {{\"class\": \"...\", \"params\": {{...}}}}, got {}",
                     name, obj.dump()));
  requireKeys(obj, {"class", "params"}, source, loc);
  const std::string cls =
      need(obj, "class", json::value_t::string, "a class name", source, loc).get<std::string>();
  std::shared_ptr<PipelineStage> stage;
  try {
    stage = createStage(cls, owner.uid() + "." + name);
  } catch (const ParamError& e) {
    fail(source, loc + ".class", e.what());
  }
  if (obj.contains("params")) applyParams(*stage, obj["params"], source, loc + ".params", true);
  return stage;
}

// Sets each entry of `params` on `p`, naming the spec location in errors. With `stageValued`
// (the params of stages), a stage-valued param takes a nested stage object (nestedStage).
void applyParams(Params& p, const json& params, const std::string& source,
                 const std::string& where, bool stageValued) {
  if (!params.is_object()) fail(source, where, "'params' must be an object");
  for (const auto& [name, value] : params.items()) {
    const std::string loc = where + "." + name;
    ParamType type{};
    try {
      type = p.spec(name).type;
    } catch (const ParamError& e) {
      fail(source, loc, e.what());
    }
    ParamValue v;
    if (stageValued && type == ParamType::kObject) {
      v = ParamValue(std::static_pointer_cast<Params>(nestedStage(p, name, value, source, loc)));
    } else {
      try {
        v = paramFromJson(value, type, loc);
      } catch (const ParamError& e) {
        fail(source, loc, e.what());
      }
    }
    try {
      p.set(name, v);
    } catch (const ParamError& e) {
      fail(source, loc, e.what());
    }
  }
}

// A line:column for a byte offset, for JSON syntax errors.
std::string position(std::string_view text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("line {}, column {}", line, col);
}

}  // namespace

PipelineSpec parsePipelineSpec(std::string_view text, const std::string& source) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ParamError(fmt::format("{}: invalid JSON at {}: {}", source, position(text, e.byte),
                                 e.what()));
  } catch (const json::exception& e) {  // e.g. out_of_range 406: a number too large for double
    throw ParamError(fmt::format("{}: invalid JSON: {}", source, e.what()));
  }
  if (!root.is_object()) fail(source, "top level", "the spec must be a JSON object");
  requireKeys(root, {"stages", "grid", "tuning", "evaluator", "labelCol", "featuresCol", "input",
                     "description"},
              source, "top level");

  PipelineSpec spec;
  // ---- stages
  const json& stages = need(root, "stages", json::value_t::array, "an array of stages", source,
                            "top level");
  if (stages.empty()) fail(source, "stages", "at least one stage is required");
  std::vector<std::shared_ptr<PipelineStage>> built;
  std::set<std::string> names;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const json& st = stages[i];
    std::string where = fmt::format("stages[{}]", i);
    if (!st.is_object()) fail(source, where, "each stage must be an object");
    requireKeys(st, {"name", "class", "params"}, source, where);
    const std::string cls = need(st, "class", json::value_t::string, "a class name", source, where)
                                .get<std::string>();
    const std::string name = st.contains("name") && st["name"].is_string()
                                 ? st["name"].get<std::string>()
                                 : fmt::format("{}{}", cls, i);
    if (name.empty() || name.find('.') != std::string::npos)
      fail(source, where + ".name", fmt::format("stage name \"{}\" must be non-empty and contain "
                                                "no '.'", name));
    if (!names.insert(name).second)
      fail(source, where + ".name", fmt::format("duplicate stage name '{}'", name));
    where += " (" + name + ")";
    std::shared_ptr<PipelineStage> stage;
    try {
      stage = createStage(cls, name);
    } catch (const ParamError& e) {
      fail(source, where + ".class", e.what());
    }
    if (st.contains("params")) applyParams(*stage, st["params"], source, where + ".params", true);
    built.push_back(std::move(stage));
  }

  // ---- evaluator
  if (root.contains("evaluator")) {
    const json& ev = root["evaluator"];
    if (!ev.is_object()) fail(source, "evaluator", "must be an object");
    requireKeys(ev, {"class", "params", "name"}, source, "evaluator");
    const std::string cls = need(ev, "class", json::value_t::string, "a class name", source,
                                 "evaluator").get<std::string>();
    try {
      spec.evaluator = createEvaluator(cls, ev.value("name", std::string("evaluator")));
    } catch (const ParamError& e) {
      fail(source, "evaluator.class", e.what());
    }
    if (ev.contains("params")) applyParams(*spec.evaluator, ev["params"], source, "evaluator.params");
  }

  // ---- shared column names: set wherever a stage has the param and the spec did not set it
  for (const char* key : {"labelCol", "featuresCol"}) {
    if (!root.contains(key)) continue;
    if (!root[key].is_string()) fail(source, key, "must be a string");
    const std::string col = root[key].get<std::string>();
    std::vector<Params*> targets;
    for (auto& s : built) targets.push_back(s.get());
    if (spec.evaluator) targets.push_back(spec.evaluator.get());
    for (Params* p : targets)
      if (p->hasParam(key) && !p->isSet(key)) p->set(key, col);
  }
  spec.pipeline = std::make_shared<Pipeline>("pipeline", built);

  // ---- grid
  ParamGridBuilder builder;
  if (root.contains("grid")) {
    const json& grid = root["grid"];
    if (!grid.is_object()) fail(source, "grid", "must be an object of \"stage.param\": [values]");
    for (const auto& [key, values] : grid.items()) {
      const std::string where = "grid." + key;
      // "stageName.paramName", or "stageName.stageParam[.stageParam...].paramName" for the
      // params of a nested stage (OneVsRest's "ovr.classifier.regParam").
      std::vector<std::string> path;
      for (std::size_t from = 0;;) {
        const auto dot = key.find('.', from);
        path.push_back(key.substr(from, dot == std::string::npos ? dot : dot - from));
        if (dot == std::string::npos) break;
        from = dot + 1;
      }
      if (path.size() < 2)
        fail(source, where, fmt::format("key '{}' must be 'stageName.paramName'", key));
      const std::string& stageName = path.front();
      const std::string& param = path.back();
      std::shared_ptr<PipelineStage> stage = spec.pipeline->findStage(stageName);
      if (!stage)
        fail(source, where, fmt::format("no stage named '{}' (stages: {})", stageName,
                                        join(std::vector<std::string>(names.begin(), names.end()))));
      for (std::size_t i = 1; i + 1 < path.size(); ++i) {
        const std::string& sub = path[i];
        if (!stage->hasParam(sub) || stage->spec(sub).type != ParamType::kObject ||
            !stage->isSet(sub))
          fail(source, where,
               fmt::format("'{}' is not a stage-valued param set on stage '{}' (a nested stage's "
                           "params are named '{}.<stage param>.<param>')",
                           sub, stage->uid(), stage->uid()));
        stage = std::dynamic_pointer_cast<PipelineStage>(
            stage->getOrDefault(sub).as<std::shared_ptr<Params>>());
        if (!stage) fail(source, where, fmt::format("'{}' does not hold a stage", sub));
      }
      if (!values.is_array()) fail(source, where, "values must be an array");
      if (stage->hasParam(param) && stage->spec(param).type == ParamType::kObject)
        fail(source, where,
             fmt::format("a grid cannot search the stage-valued param '{}'; name the nested "
                         "stage's params instead ('{}.{}.<param>')",
                         param, stage->uid(), param));
      try {
        const ParamType t = stage->spec(param).type;
        std::vector<ParamValue> vs;
        for (std::size_t i = 0; i < values.size(); ++i)
          vs.push_back(paramFromJson(values[i], t, fmt::format("{}[{}]", where, i)));
        builder.addGrid(stage->param(param), vs);
      } catch (const ParamError& e) {
        fail(source, where, e.what());
      }
    }
  }
  spec.grid = builder.build();

  // ---- tuning
  spec.tuningMethod = "none";
  json tuning = root.value("tuning", json::object());
  if (!tuning.is_object()) fail(source, "tuning", "must be an object");
  if (tuning.contains("method")) {
    if (!tuning["method"].is_string()) fail(source, "tuning.method", "must be a string");
    spec.tuningMethod = tuning["method"].get<std::string>();
  } else if (!tuning.empty() || spec.grid.size() > 1) {
    spec.tuningMethod = "crossValidator";
  }
  const auto& methods = tuningMethods();
  if (std::find(methods.begin(), methods.end(), spec.tuningMethod) == methods.end())
    fail(source, "tuning.method",
         fmt::format("unknown method \"{}\" (known: {})", spec.tuningMethod, join(methods)));
  if (spec.tuningMethod == "none") {
    if (spec.grid.size() > 1)
      fail(source, "tuning.method", "a grid needs \"crossValidator\" or \"trainValidationSplit\"");
    spec.estimator = spec.pipeline;
  } else {
    if (!spec.evaluator)
      fail(source, "evaluator", fmt::format("tuning with {} needs an evaluator", spec.tuningMethod));
    json tparams = tuning;
    tparams.erase("method");
    if (spec.tuningMethod == "crossValidator") {
      auto cv = std::make_shared<CrossValidator>("crossValidator");
      applyParams(*cv, tparams, source, "tuning");
      cv->setEstimator(spec.pipeline).setEvaluator(spec.evaluator).setEstimatorParamMaps(spec.grid);
      spec.estimator = cv;
      spec.tuner = cv;
    } else {
      auto tvs = std::make_shared<TrainValidationSplit>("trainValidationSplit");
      applyParams(*tvs, tparams, source, "tuning");
      tvs->setEstimator(spec.pipeline).setEvaluator(spec.evaluator).setEstimatorParamMaps(spec.grid);
      spec.estimator = tvs;
      spec.tuner = tvs;
    }
  }

  // ---- reader options
  if (root.contains("input")) {
    const json& in = root["input"];
    if (!in.is_object()) fail(source, "input", "must be an object of reader options");
    for (const auto& [k, v] : in.items()) {
      if (v.is_string()) spec.input[k] = v.get<std::string>();
      else if (v.is_boolean()) spec.input[k] = v.get<bool>() ? "true" : "false";
      else if (v.is_number()) spec.input[k] = v.dump();
      else fail(source, "input." + k, "must be a string, number or boolean");
    }
  }
  return spec;
}

PipelineSpec loadPipelineSpec(const std::string& path) {
  return parsePipelineSpec(readFileToString(path), path);
}

}  // namespace td
