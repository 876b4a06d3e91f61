// tests/spec/pipeline_spec_test.cc
#include "thunderdome/spec/pipeline_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/train_validation_split.h"

namespace td {
namespace {

using ::testing::HasSubstr;

const char* kStages = R"("stages": [
    {"name": "tokenizer", "class": "Tokenizer", "params": {"inputCol": "text", "outputCol": "words"}},
    {"name": "hashingTF", "class": "HashingTF", "params": {"inputCol": "words", "outputCol": "features"}},
    {"name": "lr", "class": "LogisticRegression", "params": {"maxIter": 10}}])";

std::string withStages(const std::string& rest) {
  return std::string("{") + kStages + (rest.empty() ? "" : ", " + rest) + "}";
}

std::string errorOf(const std::string& text) {
  try {
    (void)parsePipelineSpec(text, "spec.json");
  } catch (const ParamError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PipelineSpecTest, SeedExampleSpecBuildsTheTuningJob) {
  const auto spec = loadPipelineSpec(TD_EXAMPLES_DIR "/cross_validation.json");
  EXPECT_EQ(spec.tuningMethod, "crossValidator");
  ASSERT_EQ(spec.pipeline->getStages().size(), 3u);
  EXPECT_EQ(spec.pipeline->getStages()[1]->uid(), "hashingTF");
  EXPECT_EQ(spec.pipeline->getStages()[2]->getInt("maxIter"), 10);
  EXPECT_EQ(spec.pipeline->getStages()[2]->getString("labelCol"), "label");
  ASSERT_EQ(spec.grid.size(), 6u);
  EXPECT_EQ(spec.grid[1].get("hashingTF", "numFeatures")->as<std::int64_t>(), 10);
  EXPECT_EQ(spec.grid[1].get("lr", "regParam")->as<double>(), 0.01);
  const auto cv = stageAs<CrossValidator>(spec.estimator);
  EXPECT_EQ(cv->getNumFolds(), 2);
  EXPECT_EQ(cv->getEvaluator()->getString("metricName"), "areaUnderROC");
}

TEST(PipelineSpecTest, TrainValidationSplitAndPlainFit) {
  auto tvs = parsePipelineSpec(
      withStages(R"("tuning": {"method": "trainValidationSplit", "trainRatio": 0.8},
                   "grid": {"lr.regParam": [0.1, 1]},
                   "evaluator": {"class": "BinaryClassificationEvaluator"})"),
      "s");
  EXPECT_EQ(stageAs<TrainValidationSplit>(tvs.estimator)->getDouble("trainRatio"), 0.8);
  EXPECT_EQ(tvs.grid[1].get("lr", "regParam")->type(), ParamType::kDouble) << "1 coerced to 1.0";
  auto plain = parsePipelineSpec(withStages(""), "s");
  EXPECT_EQ(plain.tuningMethod, "none");
  EXPECT_EQ(plain.estimator, plain.pipeline);
  EXPECT_EQ(plain.grid.size(), 1u);
}

TEST(PipelineSpecTest, ErrorsPointAtTheSpecLocation) {
  EXPECT_THAT(errorOf(R"({"stages": [{"name": "t", "class": "Tokeniser"}]})"),
              HasSubstr("spec.json: stages[0] (t).class: unknown stage class 'Tokeniser' (known: "
                        "Tokenizer, RegexTokenizer, HashingTF, LogisticRegression"));
  EXPECT_THAT(errorOf(R"({"stages": [{"name": "lr", "class": "LogisticRegression",
                         "params": {"regParam": -1}}]})"),
              HasSubstr("stages[0] (lr).params.regParam: LogisticRegression lr: parameter "
                        "'regParam' given invalid value -1"));
  EXPECT_THAT(errorOf(R"({"stages": [{"name": "lr", "class": "LogisticRegression",
                         "params": {"lambda": 1}}]})"),
              HasSubstr("stages[0] (lr).params.lambda: LogisticRegression lr has no parameter "
                        "'lambda' (valid: "));
  EXPECT_THAT(errorOf(R"({"stages": [{"name": "lr", "class": "LogisticRegression",
                         "params": {"maxIter": "ten"}}]})"),
              HasSubstr("'maxIter' expects a value of type int, got string \"ten\""));
  EXPECT_THAT(errorOf(withStages(R"("grid": {"hashTF.numFeatures": [10]},
                                   "evaluator": {"class": "BinaryClassificationEvaluator"})")),
              HasSubstr("grid.hashTF.numFeatures: no stage named 'hashTF' (stages: hashingTF, lr, "
                        "tokenizer)"));
  EXPECT_THAT(errorOf(withStages(R"("grid": {"lr.regParam": [0.1, -2]},
                                   "evaluator": {"class": "BinaryClassificationEvaluator"})")),
              HasSubstr("grid.lr.regParam: LogisticRegression lr: parameter 'regParam' given "
                        "invalid value -2"));
  EXPECT_THAT(errorOf(withStages(R"("grid": {"regParam": [0.1]})")),
              HasSubstr("grid.regParam: key 'regParam' must be 'stageName.paramName'"));
  EXPECT_THAT(errorOf(withStages(R"("tuning": {"method": "crossValidator"})")),
              HasSubstr("evaluator: tuning with crossValidator needs an evaluator"));
  EXPECT_THAT(errorOf(withStages(R"("tuning": {"method": "random"})")),
              HasSubstr("tuning.method: unknown method \"random\""));
  EXPECT_THAT(errorOf(withStages(R"("tuning": {"numFolds": 1},
                                   "evaluator": {"class": "BinaryClassificationEvaluator"})")),
              HasSubstr("tuning.numFolds: CrossValidator crossValidator: parameter 'numFolds' "
                        "given invalid value 1 (must be >= 2)"));
  EXPECT_THAT(errorOf(withStages(R"("evaluator": {"class": "HashingTF"})")),
              HasSubstr("evaluator.class: 'HashingTF' is a Transformer, not an evaluator"));
  EXPECT_THAT(errorOf(withStages(R"("stagez": [])")), HasSubstr("unknown key 'stagez'"));
  EXPECT_THAT(errorOf("{\"stages\": [\n  {\"class\": \"Tokenizer\",}\n]}"),
              HasSubstr("spec.json: invalid JSON at line 2, column"));
  EXPECT_THAT(errorOf(R"({"stages": [{"name": "a", "class": "Tokenizer"},
                                     {"name": "a", "class": "Tokenizer"}]})"),
              HasSubstr("duplicate stage name 'a'"));
}

// Found by fuzz/spec_fuzz.cc: a number beyond double's range (nlohmann's out_of_range 406)
// escaped parsePipelineSpec as a non-thunderdome exception.
TEST(PipelineSpecTest, NumberTooLargeForADoubleIsAParamError) {
  EXPECT_THAT(errorOf(withStages(R"("tuning": {"numFolds": 2E2222})")),
              HasSubstr("spec.json: invalid JSON: [json.exception.out_of_range.406] number "
                        "overflow parsing '2E2222'"));
}

TEST(PipelineSpecTest, MissingSpecFileIsIoError) {
  EXPECT_THROW((void)loadPipelineSpec("/nonexistent/spec.json"), IoError);
}

TEST(PipelineSpecTest, ReaderOptionsAreKeptAsText) {
  const auto spec = parsePipelineSpec(withStages(R"("input": {"header": true, "sep": "\t"})"), "s");
  EXPECT_EQ(spec.input.at("header"), "true");
  EXPECT_EQ(spec.input.at("sep"), "\t");
}

}  // namespace
}  // namespace td
