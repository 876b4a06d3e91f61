// tests/registry/conformance_test.cc — the conformance suite: every class in builtinStages(),
// fitted models included, goes through the same checks (params by name, copy with extra,
// save/load/save, transform after load, docs, typed column errors, evaluator metrics). A class
// gets them all by its one registry line: instances are built and wired generically (see
// Harness), so a new class the suite cannot drive fails EveryClassIsDriven instead of being
// skipped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../testing/frame_equal.h"
#include "persist/stage_io.h"  // writeEvaluator/readEvaluator: evaluators are saved in memory
#include "thunderdome/persist/persist.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/registry/registry.h"

namespace td {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Fixed saved timestamps: two saves of one stage give the same bytes.
const bool kEpochSet = [] { return ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1) == 0; }();

// ------------------------------------------------------------------ the standard frame
// One column of every kind a stage may read: id (int64), text (string), words (string
// array), features (sparse vector), dense (dense vector), x (double), label (double, 0 and 1),
// category (category indices 0-2 carrying their labels, as StringIndexerModel outputs them).
Frame standardFrame() {
  const int n = 48;
  std::vector<std::int64_t> id;
  std::vector<std::string> text;
  std::vector<std::vector<std::string>> words;
  std::vector<double> x, label, dense;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;
  for (int i = 0; i < n; ++i) {
    const bool pos = (i * 37 + 11) % 5 < 2;
    std::vector<std::string> w;
    for (int k = 0; k < 3 + i % 4; ++k) w.push_back("w" + std::to_string((i * 13 + k * 7) % 23));
    if (pos || i % 7 == 0) w.push_back("spark");
    if (!pos || i % 9 == 0) w.push_back("hadoop");
    std::string t;
    for (const auto& s : w) t += (t.empty() ? "" : " ") + (i % 3 == 0 ? "Spark " + s : s);
    std::map<std::int32_t, double> row;  // sorted indices
    for (const auto& s : w) {
      std::int32_t h = 0;
      for (char c : s) h = (h * 31 + static_cast<unsigned char>(c)) % 16;
      row[h] += 1.0;
    }
    for (const auto& [j, v] : row) {
      indices.push_back(j);
      values.push_back(v);
    }
    offsets.push_back(static_cast<std::int64_t>(indices.size()));
    id.push_back(i);
    text.push_back(t);
    words.push_back(w);
    x.push_back((i % 11) / 10.0);
    label.push_back(pos ? 1.0 : 0.0);
    dense.push_back((i % 11) / 10.0);
    dense.push_back(static_cast<double>(i % 3));
  }
  // A categorical index column as StringIndexerModel makes it: indices with their labels.
  std::vector<double> cat;
  for (int i = 0; i < n; ++i) cat.push_back(static_cast<double>(i % 3));
  auto category = std::make_shared<DoubleColumn>(std::move(cat));
  category->setNominalValues({"a", "b", "c"});
  return Frame({{"id", makeInt64Column(id)},
                {"text", makeStringColumn(text)},
                {"words", StringArrayColumn::fromRows(words)},
                {"features", VectorColumn::sparse(16, offsets, indices, values)},
                {"dense", VectorColumn::dense(n, 2, dense)},
                {"x", makeDoubleColumn(x)},
                {"label", makeDoubleColumn(label)},
                {"category", category}});
}

// ------------------------------------------------------------------ generic values
// The entries of a "one of {a, b}" rule, else none.
std::vector<std::string> oneOfEntries(const std::string& rule) {
  std::vector<std::string> out;
  if (rule.rfind("one of {", 0) != 0 || rule.back() != '}') return out;
  std::stringstream ss(rule.substr(8, rule.size() - 9));
  for (std::string item; std::getline(ss, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    out.push_back(item);
  }
  return out;
}

// Values of `spec`'s type that its validator accepts, those derived from `current` first.
std::vector<ParamValue> validValues(const ParamSpec& spec,
                                    const std::optional<ParamValue>& current) {
  std::vector<ParamValue> c;
  switch (spec.type) {
    case ParamType::kBool:
      if (current) c.emplace_back(!current->as<bool>());
      c.emplace_back(false);
      c.emplace_back(true);
      break;
    case ParamType::kInt: {
      const std::int64_t v = current ? current->as<std::int64_t>() : 0;
      for (std::int64_t d : {v + 1, v - 1, v * 2, std::int64_t{0}, std::int64_t{1}, std::int64_t{2},
                             std::int64_t{10}})
        c.emplace_back(d);
      break;
    }
    case ParamType::kDouble: {
      const double v = current ? current->as<double>() : 0.0;
      for (double d : {v + 0.5, v / 2, v - 0.5, v + 1.0, 0.0, 0.25, 1.0}) c.emplace_back(d);
      break;
    }
    case ParamType::kString:
      for (const auto& s : oneOfEntries(spec.validator.rule)) c.emplace_back(s);
      c.emplace_back(current ? current->as<std::string>() + "_alt" : std::string("conf_value"));
      break;
    case ParamType::kStringList: {
      auto v = current ? current->as<std::vector<std::string>>() : std::vector<std::string>{};
      v.push_back("conf_value");
      c.emplace_back(v);
      break;
    }
    case ParamType::kIntList: {
      auto v = current ? current->as<std::vector<std::int64_t>>() : std::vector<std::int64_t>{};
      v.push_back(1);
      c.emplace_back(v);
      break;
    }
    case ParamType::kDoubleList: {
      auto v = current ? current->as<std::vector<double>>() : std::vector<double>{};
      v.push_back(0.5);
      c.emplace_back(v);
      break;
    }
    case ParamType::kObject:
    case ParamType::kParamMaps: break;
  }
  std::vector<ParamValue> out;
  for (const auto& v : c)
    if (spec.validator.check(v)) out.push_back(v);
  return out;
}

// A valid value of `spec` other than `current`, if the suite can make one.
std::optional<ParamValue> alternateValue(const ParamSpec& spec, const ParamValue& current) {
  for (const auto& v : validValues(spec, current))
    if (!(v == current)) return v;
  return std::nullopt;
}

// A value of another type that cannot be coerced to `type`.
ParamValue wrongTypeValue(ParamType type) {
  if (type == ParamType::kString || type == ParamType::kStringList) return ParamValue(7);
  return ParamValue("conformance-not-a-value");
}

// A copy of a stage or evaluator with `extra` applied (copyStage / copyEvaluator).
std::shared_ptr<Params> copyOf(const Params& p, const ParamMap& extra = {}) {
  if (const auto* s = dynamic_cast<const PipelineStage*>(&p)) return s->copyStage(extra);
  return dynamic_cast<const Evaluator&>(p).copyEvaluator(extra);
}

// Saves any instance into files (serializeStage, or the evaluator writer for evaluators).
FileTree saveToTree(const Params& p) {
  if (const auto* s = dynamic_cast<const PipelineStage*>(&p)) return serializeStage(*s);
  FileTree t;
  persist::writeEvaluator(dynamic_cast<const Evaluator&>(p), "", t);
  return t;
}

// Loads what saveToTree wrote.
std::shared_ptr<Params> loadFromTree(const Params& like, const FileTree& t) {
  if (dynamic_cast<const PipelineStage*>(&like)) return deserializeStage(t, "memory:conformance");
  return persist::readEvaluator(t, "", "memory:conformance");
}

// Success when two saved trees hold the same paths with the same bytes.
::testing::AssertionResult sameTree(const FileTree& a, const FileTree& b) {
  for (const auto& [path, bytes] : a) {
    auto it = b.find(path);
    if (it == b.end()) return ::testing::AssertionFailure() << "second save lacks " << path;
    if (it->second != bytes)
      return ::testing::AssertionFailure() << path << " differs:\n"
                                           << bytes << "\nvs\n"
                                           << it->second;
  }
  for (const auto& [path, bytes] : b)
    if (!a.count(path)) return ::testing::AssertionFailure() << "second save adds " << path;
  return ::testing::AssertionSuccess();
}

// True when the class declares a param that is not plain JSON (a stage, an evaluator, maps).
bool hasObjectParams(const Params& p) {
  return std::any_of(p.params().begin(), p.params().end(),
                     [](const ParamSpec& s) { return !isJsonType(s.type); });
}

// True for a column-naming param that the user must give: a string (list) named inputCol or
// *Col / *Cols with no value, or an inputCol whose default names a column `frame` lacks
// (AsyncDL's Sparkflow default "transformed").
bool needsWiring(const Params& p, const ParamSpec& s, const Frame& frame) {
  const bool colName = s.name == "inputCol" || s.name.ends_with("Col") || s.name.ends_with("Cols");
  if (!colName || (s.type != ParamType::kString && s.type != ParamType::kStringList)) return false;
  if (!p.isDefined(s.name)) return true;
  return s.name == "inputCol" && s.type == ParamType::kString &&
         !frame.schema().contains(p.getOrDefault(s.name).as<std::string>());
}

// The value naming column `col` for a string or string-list param.
ParamValue columnValue(ParamType type, const std::string& col) {
  if (type == ParamType::kStringList) return ParamValue(std::vector<std::string>{col});
  return ParamValue(col);
}

// Sets the unset column params of `stage` so that transformSchema accepts `frame`: every
// combination of (unset | one of the frame's columns | a new name) is tried, fewest wired first
// in odometer order. Returns the wired copy, or null with `why` set.
std::shared_ptr<PipelineStage> wireColumns(const PipelineStage& stage, const Frame& frame,
                                           std::string& why) {
  std::vector<const ParamSpec*> wire;
  for (const auto& s : stage.params())
    if (needsWiring(stage, s, frame)) wire.push_back(&s);
  const auto cols = frame.columnNames();
  const std::size_t options = cols.size() + 2;  // unset, each column, a new name
  std::size_t combos = 1;
  for (std::size_t i = 0; i < wire.size(); ++i) combos *= options;
  if (combos > 50000) {
    why = "too many column params to wire";
    return nullptr;
  }
  std::shared_ptr<PipelineStage> firstAccepted;
  for (std::size_t k = 0; k < combos; ++k) {
    auto copy = stage.copyStage({});
    std::size_t code = k;
    for (const ParamSpec* s : wire) {
      const std::size_t o = code % options;
      code /= options;
      if (o == 0) continue;
      const std::string col = o <= cols.size() ? cols[o - 1] : s->name + "_conformance";
      copy->set(s->name, columnValue(s->type, col));
    }
    try {
      (void)copy->transformSchema(frame.schema());
      // A transformer must also run on the frame (e.g. IndexToString needs a column that
      // carries labels, which the schema does not show).
      if (!copy->isEstimator() && !dynamic_cast<const Pipeline*>(copy.get()))
        (void)std::static_pointer_cast<Transformer>(copy)->transform(frame);
    } catch (const Error& e) {
      why = e.what();
      continue;
    }
    // An estimator whose schema accepts the wiring but whose fit rejects the values (AsyncDL
    // with its unset labelCol wired to "id": not class indices) tries the next wiring; when no
    // wiring fits, the first the schema accepts is kept (the fit reports why later).
    if (copy->isEstimator() && !dynamic_cast<const Pipeline*>(copy.get())) {
      if (!firstAccepted) firstAccepted = copy;
      try {
        (void)std::static_pointer_cast<Estimator>(copy)->fit(frame);
      } catch (const Error& e) {
        continue;
      }
    }
    return copy;
  }
  return firstAccepted;
}

// ------------------------------------------------------------------ the harness
// Everything the suite builds once per process: the standard frame, a ready instance of every
// registered Transformer, Estimator and Evaluator, every estimator's fitted model and the
// transform output of every transformer and model.
struct Harness {
  Frame frame = standardFrame();
  std::map<std::string, std::shared_ptr<Params>> instances;  ///< By class name (models too).
  std::map<std::string, std::string> failures;               ///< Class -> why not driven.
  std::map<std::string, std::string> modelOf;                ///< Estimator -> its model class.
  std::map<std::string, Frame> outputs;                      ///< Transformer/model -> output.
  std::shared_ptr<Pipeline> recipe;                          ///< Pipeline of the plain stages.
  std::shared_ptr<Evaluator> recipeEvaluator;                ///< First evaluator of its output.

  static const Harness& get() {
    static const Harness h;
    return h;
  }

  Harness() {
    const auto& table = builtinStages();
    // 1. Plain transformers and estimators (no object params): wired to the frame's columns.
    std::vector<std::shared_ptr<PipelineStage>> plain;
    std::vector<const StageInfo*> deferred;
    for (const auto& info : table) {
      if (info.kind != StageKind::kTransformer && info.kind != StageKind::kEstimator) continue;
      auto stage = std::dynamic_pointer_cast<PipelineStage>(info.create("conf_" + info.name));
      if (hasObjectParams(*stage) || dynamic_cast<Pipeline*>(stage.get())) {
        deferred.push_back(&info);
        continue;
      }
      // A required param that is not a column (PCA's k, Bucketizer's splits) gets the example
      // value its declaration gives (ParamSpec::example).
      for (const auto& spec : stage->params())
        if (!stage->isDefined(spec.name) && spec.example) stage->set(spec.name, *spec.example);
      // Iterative estimators run a few iterations: the harness is built in every test process
      // (one per test under ctest) and fits the recipe many times; what it checks does not
      // depend on convergence.
      for (const char* name : {"maxIter", "iters"})
        if (stage->hasParam(name) && stage->spec(name).type == ParamType::kInt)
          stage->set(name, ParamValue(std::int64_t{3}));
      std::string why;
      if (auto wired = wireColumns(*stage, frame, why)) {
        instances[info.name] = wired;
        plain.push_back(wired);
      } else {
        failures[info.name] = "no wiring of its column params fits the standard frame: " + why;
      }
    }
    // 2. The recipe: the plain stages that fit together, in registry order, in one Pipeline,
    //    and that, fitted on some rows, transform others (as the tuners will use them: a
    //    StringIndexer wired to the unique ids meets only unseen labels there).
    std::vector<std::int64_t> even, odd;
    for (std::int64_t r = 0; r < frame.numRows(); ++r) (r % 2 ? odd : even).push_back(r);
    std::vector<std::shared_ptr<PipelineStage>> recipeStages;
    for (const auto& s : plain) {
      auto trial = recipeStages;
      trial.push_back(s->copyStage({}));
      try {
        const Pipeline p("conf_trial", trial);
        (void)p.transformSchema(frame.schema());
        (void)p.fit(frame.take(even))->transform(frame.take(odd));
        recipeStages = trial;
      } catch (const Error&) {
      }
    }
    recipe = std::make_shared<Pipeline>("conf_recipe", recipeStages);
    Frame recipeOut;
    try {
      recipeOut = recipe->fit(frame)->transform(frame);
    } catch (const Error& e) {
      failures["(recipe pipeline)"] = e.what();
    }
    // 3. Evaluators: defaults; the first that scores the recipe's output serves the tuners.
    for (const auto& info : table) {
      if (info.kind != StageKind::kEvaluator) continue;
      auto ev = std::dynamic_pointer_cast<Evaluator>(info.create("conf_" + info.name));
      instances[info.name] = ev;
      if (recipeEvaluator) continue;
      try {
        if (std::isfinite(ev->evaluate(recipeOut))) recipeEvaluator = ev;
      } catch (const Error&) {
      }
    }
    // 4. Stages that hold other stages: a Pipeline gets the recipe's stages; object params get
    //    the recipe (estimator) or the evaluator, param maps a 2-map grid over the recipe.
    for (const StageInfo* info : deferred) {
      auto stage = std::dynamic_pointer_cast<PipelineStage>(info->create("conf_" + info->name));
      try {
        if (auto* p = dynamic_cast<Pipeline*>(stage.get())) {
          std::vector<std::shared_ptr<PipelineStage>> copies;
          for (const auto& s : recipe->getStages()) copies.push_back(s->copyStage({}));
          p->setStages(copies);
        }
        for (const auto& spec : stage->params()) {
          if (spec.type == ParamType::kObject) {
            // The recipe, the evaluator, then any stage made so far (OneVsRest's classifier).
            std::vector<std::shared_ptr<Params>> cands{
                std::static_pointer_cast<Params>(recipe),
                std::static_pointer_cast<Params>(recipeEvaluator)};
            for (const auto& [name, inst] : instances)
              if (auto st = std::dynamic_pointer_cast<PipelineStage>(inst))
                cands.push_back(std::static_pointer_cast<Params>(st->copyStage({})));
            for (const auto& cand : cands) {
              if (cand && spec.validator.check(ParamValue(cand))) {
                stage->set(spec.name, ParamValue(cand));
                break;
              }
            }
          } else if (spec.type == ParamType::kParamMaps) {
            stage->set(spec.name,
                       ParamValue(std::make_shared<const std::vector<ParamMap>>(grid())));
          }
        }
        std::string why;
        if (auto wired = wireColumns(*stage, frame, why)) instances[info->name] = wired;
        else failures[info->name] = "cannot be set up over the recipe pipeline: " + why;
      } catch (const Error& e) {
        failures[info->name] =
            std::string("cannot be set up over the recipe pipeline: ") + e.what();
      }
    }
    // 5. Fit every estimator; transform with every transformer and model.
    for (const auto& info : table) {
      auto it = instances.find(info.name);
      if (it == instances.end()) continue;
      if (info.kind == StageKind::kEstimator) {
        try {
          auto model = std::dynamic_pointer_cast<Estimator>(it->second)->fit(frame);
          modelOf[info.name] = model->className();
          if (!instances.count(model->className())) {
            instances[model->className()] = model;
            outputs[model->className()] = model->transform(frame);
          }
        } catch (const Error& e) {
          failures[info.name] = std::string("fit on the standard frame failed: ") + e.what();
        }
      } else if (info.kind == StageKind::kTransformer) {
        try {
          outputs[info.name] = std::dynamic_pointer_cast<Transformer>(it->second)->transform(frame);
        } catch (const Error& e) {
          failures[info.name] = std::string("transform of the standard frame failed: ") + e.what();
        }
      }
    }
  }

  // Two maps over the first numeric param of the recipe's first estimator that has a valid
  // alternate value: {default} and {alternate}.
  std::vector<ParamMap> grid() const {
    for (const auto& s : recipe->getStages()) {
      if (!s->isEstimator()) continue;
      for (const auto& spec : s->params()) {
        if ((spec.type != ParamType::kDouble && spec.type != ParamType::kInt) ||
            !s->isDefined(spec.name))
          continue;
        const ParamValue cur = s->getOrDefault(spec.name);
        if (auto alt = alternateValue(spec, cur))
          return {ParamMap().put(*s, spec.name, cur), ParamMap().put(*s, spec.name, *alt)};
      }
    }
    return {ParamMap(), ParamMap()};
  }

  // The ready instance of `name` (a fresh copy each call), or null when it was not driven.
  std::shared_ptr<Params> instance(const std::string& name) const {
    auto it = instances.find(name);
    return it == instances.end() ? nullptr : copyOf(*it->second);
  }

  // Why `name` could not be driven ("" when it was).
  std::string failure(const std::string& name) const {
    auto it = failures.find(name);
    if (it != failures.end()) return it->second;
    return instances.count(name) ? ""
                                 : "no instance was made (a model that no estimator's fit gives?)";
  }
};

// Registered class names of the given kinds, in registry order (the test parameters).
std::vector<std::string> classNames(std::set<StageKind> kinds) {
  std::vector<std::string> out;
  for (const auto& info : builtinStages())
    if (kinds.count(info.kind)) out.push_back(info.name);
  return out;
}

const std::set<StageKind> kAllKinds{StageKind::kTransformer, StageKind::kEstimator,
                                    StageKind::kModel, StageKind::kEvaluator};

// A test over one registered class (the parameter); instance() is its ready instance.
class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kEpochSet);
    const std::string why = Harness::get().failure(GetParam());
    ASSERT_TRUE(why.empty()) << GetParam()
                             << " could not be driven by the conformance suite: " << why;
  }
  std::shared_ptr<Params> instance() const { return Harness::get().instance(GetParam()); }
  const StageInfo& info() const { return findStageInfo(GetParam()); }
};

// The checks that apply to every registered class.
using AllClasses = Conformance;
// The checks for classes that transform a frame (transformers and models).
using Transformers = Conformance;
// The checks for classes whose transformSchema reads columns (transformers, estimators, models).
using Stages = Conformance;
// The checks for evaluators.
using Evaluators = Conformance;

// 1. Every param set by name reads back equal and is set; unknown names and wrong types throw.
TEST_P(AllClasses, ParamsSetByNameReadBack) {
  const auto prepared = instance();
  const auto fresh = info().create("fresh_" + GetParam());
  for (const auto& spec : fresh->params()) {
    SCOPED_TRACE(spec.name);
    if (spec.defaultValue) {
      EXPECT_NO_THROW((void)fresh->validate(spec.name, *spec.defaultValue));
    }
    std::optional<ParamValue> v;
    if (prepared->isDefined(spec.name)) {
      v = prepared->getOrDefault(spec.name);
    } else {
      auto vals = validValues(spec, std::nullopt);
      ASSERT_FALSE(vals.empty()) << "no valid value of '" << spec.name << "' to set ("
                                 << toString(spec.type) << ", rule " << spec.validator.rule << ")";
      v = vals.front();
    }
    EXPECT_FALSE(fresh->isSet(spec.name));
    fresh->set(spec.name, *v);
    EXPECT_TRUE(fresh->isSet(spec.name));
    EXPECT_TRUE(fresh->isDefined(spec.name));
    EXPECT_EQ(fresh->getOrDefault(spec.name), *v)
        << fresh->getOrDefault(spec.name).toString() << " vs " << v->toString();
    EXPECT_EQ(fresh->extractParamMap().get(fresh->uid(), spec.name), *v);
  }
}

TEST_P(AllClasses, UnknownNameAndWrongTypeThrowParamError) {
  const auto p = instance();
  const std::string before = p->explainParams();
  try {
    p->set("noSuchParam", 1);
    ADD_FAILURE() << "set(\"noSuchParam\") did not throw";
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr(GetParam() + " " + p->uid()));
    EXPECT_THAT(e.what(), HasSubstr("'noSuchParam'"));
  }
  EXPECT_THROW((void)p->getOrDefault("noSuchParam"), ParamError);
  for (const auto& spec : p->params()) {
    SCOPED_TRACE(spec.name);
    const ParamValue wrong = wrongTypeValue(spec.type);
    try {
      p->set(spec.name, wrong);
      ADD_FAILURE() << "setting " << wrong.toString() << " did not throw";
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr("'" + spec.name + "'"));
      EXPECT_THAT(e.what(), HasSubstr(wrong.toString()));
      EXPECT_THAT(e.what(), HasSubstr(p->uid()));
    }
  }
  EXPECT_EQ(p->explainParams(), before) << "a rejected set changed the instance";
}

// 2. copy(extra): same uid and class, the copy has the extra's value, the original is unchanged
//    (for a class without params of its own, the extra reaches a nested stage).
TEST_P(AllClasses, CopyWithExtraChangesOnlyTheCopy) {
  const auto p = instance();
  // The first param, of this instance or of a nested stage, with a valid alternate value.
  std::function<std::optional<std::pair<const Params*, std::string>>(const Params&)> pick =
      [&](const Params& q) -> std::optional<std::pair<const Params*, std::string>> {
    for (const auto& spec : q.params())
      if (isJsonType(spec.type) && q.isDefined(spec.name) &&
          alternateValue(spec, q.getOrDefault(spec.name)))
        return std::pair<const Params*, std::string>{&q, spec.name};
    if (const auto* s = dynamic_cast<const PipelineStage*>(&q))
      for (const auto& sub : s->subStages())
        if (auto r = pick(*sub)) return r;
    return std::nullopt;
  };
  const auto target = pick(*p);
  ParamMap extra;
  std::optional<ParamValue> before, alt;
  if (target) {
    const auto& [owner, name] = *target;
    before = owner->getOrDefault(name);
    alt = alternateValue(owner->spec(name), *before);
    extra.put(*owner, name, *alt);
  }
  extra.putUnchecked("conformance_other_uid", "noSuchParam", 1);  // other uids: ignored
  const auto copy = copyOf(*p, extra);
  EXPECT_NE(copy.get(), p.get());
  EXPECT_EQ(copy->uid(), p->uid());
  EXPECT_EQ(copy->className(), p->className());
  if (!target) {
    EXPECT_EQ(copy->explainParams(), p->explainParams());
    return;
  }
  const auto& [owner, name] = *target;
  SCOPED_TRACE(owner->describe() + "." + name);
  const Params* copied = copy.get();
  if (owner != p.get()) copied = dynamic_cast<const PipelineStage&>(*copy).findByUid(owner->uid());
  ASSERT_NE(copied, nullptr) << "the copy lacks nested stage " << owner->uid();
  EXPECT_EQ(copied->getOrDefault(name), *alt);
  EXPECT_EQ(owner->getOrDefault(name), *before) << "copy(extra) changed the original";
}

// 3. save -> load -> save gives the same bytes; class, uid and explainParams survive.
TEST_P(AllClasses, SaveLoadSaveIsByteIdentical) {
  const auto p = instance();
  const FileTree first = saveToTree(*p);
  const auto loaded = loadFromTree(*p, first);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->className(), GetParam());
  EXPECT_EQ(loaded->uid(), p->uid());
  EXPECT_EQ(loaded->explainParams(), p->explainParams());
  EXPECT_TRUE(sameTree(first, saveToTree(*loaded)));
  EXPECT_TRUE(sameTree(first, saveToTree(*p))) << "two saves of one instance differ";
  // And through a directory, as saveStage/loadStage do it.
  if (const auto* s = dynamic_cast<const PipelineStage*>(p.get())) {
    const auto dir = std::filesystem::temp_directory_path() / randomUid("td_conformance");
    saveStage(*s, dir.string());
    const auto fromDisk = loadStage(dir.string());
    std::filesystem::remove_all(dir);
    EXPECT_EQ(fromDisk->className(), GetParam());
    EXPECT_EQ(fromDisk->explainParams(), p->explainParams());
    EXPECT_TRUE(sameTree(first, serializeStage(*fromDisk)));
  }
}

// 5. Docs: every param has a doc that explainParams shows; Spark class and summary given.
TEST_P(AllClasses, DocumentsItselfAndEveryParam) {
  const auto p = instance();
  EXPECT_EQ(p->className(), info().name);
  EXPECT_FALSE(info().summary.empty());
  // The Spark ML class mirrored, or for a stage in Sparkflow's role (AsyncDL) Sparkflow's.
  EXPECT_THAT(info().sparkClass, ::testing::AnyOf(StartsWith("org.apache.spark.ml."),
                                                  StartsWith("sparkflow.")));
  ASSERT_NE(info().params, nullptr);
  ASSERT_EQ(info().params->size(), p->params().size());
  const std::string explained = p->explainParams();
  std::set<std::string> names;
  for (const auto& spec : p->params()) {
    SCOPED_TRACE(spec.name);
    EXPECT_TRUE(names.insert(spec.name).second) << "declared twice";
    EXPECT_FALSE(spec.doc.empty());
    EXPECT_THAT(explained, HasSubstr(spec.name + ": " + spec.doc));
  }
  const auto fresh = info().create("u_" + info().name);
  EXPECT_EQ(fresh->className(), info().name);
  EXPECT_EQ(fresh->uid(), "u_" + info().name);
}

// 4. A transformer's (or model's) output is identical, cell for cell, after save and load.
TEST_P(Transformers, TransformIsIdenticalAfterLoad) {
  const auto t = std::dynamic_pointer_cast<Transformer>(instance());
  ASSERT_NE(t, nullptr);
  const Frame& in = Harness::get().frame;
  const Frame before = t->transform(in);
  EXPECT_GT(before.numColumns(), in.numColumns()) << "transform added no column";
  EXPECT_TRUE(testing::framesIdentical(before, Harness::get().outputs.at(GetParam())));
  const auto loaded = std::dynamic_pointer_cast<Transformer>(
      deserializeStage(serializeStage(*t), "memory:conformance"));
  ASSERT_NE(loaded, nullptr);
  EXPECT_TRUE(testing::framesIdentical(before, loaded->transform(in)));
}

// Probes which string params of `p` name columns that `run` reads: setting one to a missing
// column must then raise ColumnError naming it. Calls `each(spec, current column)` for those.
void forEachInputColumnParam(
    const Params& p, const Frame& frame, const std::function<void(Params&)>& run,
    const std::function<void(const ParamSpec&, const std::string&)>& each) {
  for (const auto& spec : p.params()) {
    if ((spec.type != ParamType::kString && spec.type != ParamType::kStringList) ||
        !p.isDefined(spec.name))
      continue;
    const ParamValue v = p.getOrDefault(spec.name);
    const std::string col =
        spec.type == ParamType::kString
            ? v.as<std::string>()
            : (v.as<std::vector<std::string>>().size() == 1 ? v.as<std::vector<std::string>>()[0]
                                                            : std::string());
    if (col.empty() || !frame.schema().contains(col)) continue;
    auto probe = copyOf(p);
    probe->set(spec.name, columnValue(spec.type, "conformance_missing_column"));
    try {
      run(*probe);
      continue;  // not read: e.g. a model's labelCol
    } catch (const ColumnError& e) {
      if (std::string(e.what()).find("conformance_missing_column") == std::string::npos) continue;
    } catch (const Error&) {
      continue;
    }
    each(spec, col);
  }
}

// 6. Wiring an input column to a column of another type gives a ColumnError naming the column.
void checkWrongColumnTypes(const Params& p, const Frame& frame,
                           const std::function<void(Params&)>& run) {
  int inputs = 0;
  forEachInputColumnParam(p, frame, run, [&](const ParamSpec& spec, const std::string& col) {
    SCOPED_TRACE(spec.name + " (wired to '" + col + "')");
    ++inputs;
    const DataType good = frame.schema().field(col).type;
    int rejected = 0;
    for (const auto& f : frame.schema().fields()) {
      if (f.type == good) continue;
      SCOPED_TRACE("wired to '" + f.name + "' (" + std::string(toString(f.type)) + ")");
      auto q = copyOf(p);
      q->set(spec.name, columnValue(spec.type, f.name));
      try {
        run(*q);  // some types may be accepted too (an int64 label)
      } catch (const ColumnError& e) {
        ++rejected;
        EXPECT_THAT(e.what(), HasSubstr("'" + f.name + "'"));
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not a ColumnError: " << e.what();
      }
    }
    EXPECT_GT(rejected, 0) << "no column of another type was rejected";
  });
  ::testing::Test::RecordProperty("inputColumnParams", inputs);
}

TEST_P(Stages, WrongColumnTypeThrowsColumnError) {
  const auto p = instance();
  const Frame& frame = Harness::get().frame;
  checkWrongColumnTypes(*p, frame, [&](Params& q) {
    (void)dynamic_cast<PipelineStage&>(q).transformSchema(frame.schema());
  });
  // A missing input column is a ColumnError naming it, too.
  forEachInputColumnParam(
      *p, frame,
      [&](Params& q) { (void)dynamic_cast<PipelineStage&>(q).transformSchema(frame.schema()); },
      [](const ParamSpec&, const std::string&) {});
}

// The fitted models' outputs an evaluator can score (model class -> metric).
std::map<std::string, double> scoreOutputs(const Evaluator& ev) {
  std::map<std::string, double> out;
  for (const auto& [model, frame] : Harness::get().outputs) {
    if (findStageInfo(model).kind != StageKind::kModel) continue;
    try {
      out[model] = ev.evaluate(frame);
    } catch (const Error&) {
    }
  }
  return out;
}

// 7. An evaluator gives a finite metric on a fitted model's predictions, the same after
//    save/load; wrong column types give ColumnError.
TEST_P(Evaluators, MetricIsFiniteAndSurvivesSaveLoad) {
  const auto ev = std::dynamic_pointer_cast<Evaluator>(instance());
  ASSERT_NE(ev, nullptr);
  const auto scores = scoreOutputs(*ev);
  ASSERT_FALSE(scores.empty()) << "no fitted model's predictions could be evaluated";
  const auto loaded = std::dynamic_pointer_cast<Evaluator>(loadFromTree(*ev, saveToTree(*ev)));
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->isLargerBetter(), ev->isLargerBetter());
  for (const auto& [model, metric] : scores) {
    SCOPED_TRACE("predictions of " + model);
    EXPECT_TRUE(std::isfinite(metric)) << metric;
    EXPECT_TRUE(
        testing::detail::sameBits(loaded->evaluate(Harness::get().outputs.at(model)), metric));
  }
  const Frame& preds = Harness::get().outputs.at(scores.begin()->first);
  checkWrongColumnTypes(*ev, preds,
                        [&](Params& q) { (void)dynamic_cast<Evaluator&>(q).evaluate(preds); });
}

INSTANTIATE_TEST_SUITE_P(Registry, AllClasses, ::testing::ValuesIn(classNames(kAllKinds)),
                         [](const auto& i) { return i.param; });
INSTANTIATE_TEST_SUITE_P(Registry, Transformers,
                         ::testing::ValuesIn(classNames({StageKind::kTransformer,
                                                         StageKind::kModel})),
                         [](const auto& i) { return i.param; });
INSTANTIATE_TEST_SUITE_P(Registry, Stages,
                         ::testing::ValuesIn(classNames(
                             {StageKind::kTransformer, StageKind::kEstimator, StageKind::kModel})),
                         [](const auto& i) { return i.param; });
INSTANTIATE_TEST_SUITE_P(Registry, Evaluators,
                         ::testing::ValuesIn(classNames({StageKind::kEvaluator})),
                         [](const auto& i) { return i.param; });

// Every registered class is driven: wired, set up or fitted (a new class the suite cannot
// build fails here by name instead of being skipped).
TEST(ConformanceSuite, EveryClassIsDriven) {
  const Harness& h = Harness::get();
  for (const auto& [name, why] : h.failures) ADD_FAILURE() << name << ": " << why;
  for (const auto& info : builtinStages()) EXPECT_TRUE(h.instances.count(info.name)) << info.name;
  EXPECT_GE(h.recipe->getStages().size(), 2U) << "the recipe pipeline is (nearly) empty";
  EXPECT_NE(h.recipeEvaluator, nullptr) << "no evaluator scores the recipe pipeline's output";
  // What the suite built, for the log.
  std::string recipe, fits;
  for (const auto& s : h.recipe->getStages())
    recipe += (recipe.empty() ? "" : " + ") + s->className() + "(" +
              s->extractParamMap().toString() + ")";
  for (const auto& [est, model] : h.modelOf) fits += " " + est + "->" + model;
  std::cout << "recipe: " << recipe << "\nfits:" << fits << "\n";
}

// Every estimator's model is a registered Model sharing its uid, and every registered Model
// comes out of some estimator's fit (so no model goes untested).
TEST(ConformanceSuite, EveryModelComesFromAFit) {
  const Harness& h = Harness::get();
  std::set<std::string> produced;
  for (const auto& info : builtinStages()) {
    if (info.kind != StageKind::kEstimator) continue;
    SCOPED_TRACE(info.name);
    auto it = h.modelOf.find(info.name);
    ASSERT_NE(it, h.modelOf.end()) << "was not fitted";
    produced.insert(it->second);
    // A standalone model (Bucketizer, which QuantileDiscretizer fits) is registered as a
    // Transformer; every other fitted class is a registered Model.
    const StageKind kind = findStageInfo(it->second).kind;
    EXPECT_TRUE(kind == StageKind::kModel || kind == StageKind::kTransformer) << it->second;
    const auto est = std::dynamic_pointer_cast<Estimator>(h.instance(info.name));
    const auto model = est->fit(h.frame);
    EXPECT_EQ(model->uid(), est->uid()) << "a model shares its estimator's uid";
  }
  for (const auto& info : builtinStages()) {
    if (info.kind == StageKind::kModel) {
      EXPECT_TRUE(produced.count(info.name)) << info.name << " is produced by no estimator's fit";
    }
  }
}

}  // namespace
}  // namespace td
