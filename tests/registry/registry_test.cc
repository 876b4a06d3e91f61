// tests/registry/registry_test.cc — a conformance suite over every registered class.
#include "thunderdome/registry/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::HasSubstr;

TEST(RegistryTest, UnknownNameListsEveryClass) {
  try {
    (void)findStageInfo("LinearSVC");
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown stage class 'LinearSVC'"));
    for (const auto& s : builtinStages()) EXPECT_THAT(e.what(), HasSubstr(s.name));
  }
  EXPECT_THROW((void)createStage("BinaryClassificationEvaluator", "x"), ParamError);
  EXPECT_THROW((void)createEvaluator("HashingTF", "x"), ParamError);
}

TEST(RegistryTest, EveryClassConforms) {
  for (const auto& info : builtinStages()) {
    SCOPED_TRACE(info.name);
    auto p = info.create("u_" + info.name);
    EXPECT_EQ(p->className(), info.name);
    EXPECT_EQ(p->uid(), "u_" + info.name);
    EXPECT_FALSE(info.summary.empty());
    EXPECT_THAT(info.sparkClass, ::testing::StartsWith("org.apache.spark.ml."));
    for (const auto& spec : p->params()) {
      SCOPED_TRACE(spec.name);
      EXPECT_FALSE(spec.doc.empty());
      if (spec.defaultValue) {
        // Defaults are valid and round-trip through set/get.
        EXPECT_NO_THROW((void)p->validate(spec.name, *spec.defaultValue));
        p->set(spec.name, p->getOrDefault(spec.name));
        EXPECT_EQ(p->getOrDefault(spec.name), p->getDefault(spec.name).value());
      }
      EXPECT_THAT(p->explainParams(), HasSubstr(spec.name + ": "));
    }
    try {
      p->set("noSuchParam", 1);
      FAIL();
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr(info.name + " u_" + info.name));
      EXPECT_THAT(e.what(), HasSubstr("'noSuchParam'"));
    }
  }
}

TEST(RegistryTest, EveryStageSavesAndLoads) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_registry");
  std::filesystem::create_directories(dir);
  for (const auto& info : builtinStages()) {
    // Models and tuners need state to save: the conformance suite covers them fitted.
    if (info.kind == StageKind::kEvaluator || info.kind == StageKind::kModel ||
        info.name == "CrossValidator" || info.name == "TrainValidationSplit")
      continue;
    SCOPED_TRACE(info.name);
    auto s = createStage(info.name, "u1");
    if (s->hasParam("inputCol")) s->set("inputCol", "in");
    const auto path = (dir / info.name).string();
    saveStage(*s, path);
    const auto loaded = loadStage(path);
    EXPECT_EQ(loaded->className(), info.name);
    EXPECT_EQ(loaded->explainParams(), s->explainParams());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
