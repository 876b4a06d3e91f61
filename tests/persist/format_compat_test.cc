// tests/persist/format_compat_test.cc — models saved by earlier builds keep loading.
//
// tests/data/models/v<N>/ holds models written by the CLI of the build that introduced format
// version N (`thunderdome fit` on examples/cross_validation.json, then `thunderdome predict` on
// examples/data/spark_guide_test.csv into *.predictions.jsonl). A change to the saved format must
// bump kModelFormatVersion, add a v<N+1> fixture and keep these loading with the same answers.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "thunderdome/persist/persist.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/train_validation_split.h"

namespace td {
namespace {

const std::string kDir = std::string(TD_TEST_DATA_DIR) + "/models/v1/";

Frame sparkGuideTest() {
  return Frame({{"id", makeInt64Column({4, 5, 6, 7})},
                {"text", makeStringColumn({"spark i j k", "l m n", "mapreduce spark",
                                           "apache hadoop"})}});
}

// The probabilities and predictions the saving build wrote for sparkGuideTest().
void expectSamePredictions(const Frame& out, const std::string& jsonlPath) {
  std::ifstream in(jsonlPath);
  ASSERT_TRUE(in) << jsonlPath;
  const auto& prob = out.col<VectorColumn>("probability");
  const auto& pred = out.col<DoubleColumn>("prediction");
  std::string line;
  std::int64_t row = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    ASSERT_LT(row, out.numRows());
    EXPECT_NEAR(prob[row].at(1), j["probability"][1].get<double>(), 1e-12) << row;
    EXPECT_EQ(pred[row], j["prediction"].get<double>()) << row;
    ++row;
  }
  EXPECT_EQ(row, out.numRows());
}

TEST(FormatCompatTest, Version1CrossValidatorModelLoadsAndPredictsAsSaved) {
  auto m = loadStageAs<CrossValidatorModel>(kDir + "cv_spark_guide");
  EXPECT_EQ(m->uid(), "crossValidator");
  EXPECT_EQ(m->bestIndex(), 2);
  ASSERT_EQ(m->avgMetrics().size(), 6U);
  EXPECT_DOUBLE_EQ(m->avgMetrics()[2], 0.8333333333333333);
  EXPECT_EQ(m->getEstimatorParamMaps().size(), 6U);
  EXPECT_EQ(m->getEvaluator()->className(), "BinaryClassificationEvaluator");
  expectSamePredictions(m->transform(sparkGuideTest()), kDir + "cv_spark_guide.predictions.jsonl");
}

TEST(FormatCompatTest, Version1TrainValidationSplitModelLoadsAndPredictsAsSaved) {
  auto m = loadStageAs<TrainValidationSplitModel>(kDir + "tvs_spark_guide");
  EXPECT_EQ(m->validationMetrics().size(), 6U);
  expectSamePredictions(m->transform(sparkGuideTest()), kDir + "tvs_spark_guide.predictions.jsonl");
}

TEST(FormatCompatTest, Version1ModelsResaveAndReloadUnchanged) {
  for (const std::string name : {"cv_spark_guide", "tvs_spark_guide"}) {
    auto m = loadStage(kDir + name);
    auto again = deserializeStage(serializeStage(*m), name);
    expectSamePredictions(stageAs<Transformer>(again)->transform(sparkGuideTest()),
                          kDir + name + ".predictions.jsonl");
  }
}

}  // namespace
}  // namespace td
