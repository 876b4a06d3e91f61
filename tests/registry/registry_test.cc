// tests/registry/registry_test.cc — the registry itself: lookup by name and kinds.
#include "thunderdome/registry/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace td {
namespace {

using ::testing::HasSubstr;

TEST(RegistryTest, UnknownNameListsEveryClass) {
  try {
    (void)findStageInfo("NoSuchStage");
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown stage class 'NoSuchStage'"));
    for (const auto& s : builtinStages()) EXPECT_THAT(e.what(), HasSubstr(s.name));
  }
  EXPECT_THROW((void)createStage("BinaryClassificationEvaluator", "x"), ParamError);
  EXPECT_THROW((void)createEvaluator("HashingTF", "x"), ParamError);
}

// The per-class checks (params, copy, save/load, docs, columns, models, evaluators) are the
// conformance suite: tests/registry/conformance_test.cc.

}  // namespace
}  // namespace td
