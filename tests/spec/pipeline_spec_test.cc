// tests/spec/pipeline_spec_test.cc
#include "thunderdome/spec/pipeline_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/classification/one_vs_rest.h"
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

// OneVsRest's stage-valued `classifier` param: a nested stage object, built by the registry with
// uid "<name>.classifier"; grid keys "ovr.classifier.<param>" reach its params.
const char* kOvrStages = R"("stages": [
    {"name": "ovr", "class": "OneVsRest",
     "params": {"classifier": {"class": "LogisticRegression",
                               "params": {"regParam": 0.1, "maxIter": 50}}}}])";

std::string withOvr(const std::string& rest) {
  return std::string("{") + kOvrStages + (rest.empty() ? "" : ", " + rest) + "}";
}

TEST(PipelineSpecTest, OneVsRestTakesANestedClassifierAndItsGridKeys) {
  const auto spec = parsePipelineSpec(
      withOvr(R"("grid": {"ovr.classifier.regParam": [0.0, 0.5], "ovr.parallelism": [1, 2]},
                 "evaluator": {"class": "MulticlassClassificationEvaluator"},
                 "labelCol": "y")"),
      "s");
  const auto ovr = stageAs<OneVsRest>(spec.pipeline->getStages().at(0));
  EXPECT_EQ(ovr->getString("labelCol"), "y");
  const auto lr = std::dynamic_pointer_cast<LogisticRegression>(ovr->classifierOrNull());
  ASSERT_TRUE(lr);
  EXPECT_EQ(lr->uid(), "ovr.classifier");
  EXPECT_EQ(lr->getRegParam(), 0.1);
  EXPECT_EQ(lr->getMaxIter(), 50);
  ASSERT_EQ(spec.grid.size(), 4u);
  EXPECT_EQ(spec.grid[0].get("ovr.classifier", "regParam")->as<double>(), 0.0);
  EXPECT_EQ(spec.grid[3].get("ovr.classifier", "regParam")->as<double>(), 0.5);
  EXPECT_EQ(spec.grid[3].get("ovr", "parallelism")->as<std::int64_t>(), 2);

  // A grid map reaches the nested classifier through copy (Spark's OneVsRest.copy(extra)),
  // and the copy's classifier is a copy: the spec's stage is not changed.
  const auto copy = stageAs<OneVsRest>(spec.pipeline->copyStage(spec.grid[3])->subStages().at(0));
  EXPECT_EQ(copy->getParallelism(), 2);
  EXPECT_EQ(copy->classifierOrNull()->getDouble("regParam"), 0.5);
  EXPECT_EQ(copy->classifierOrNull()->getInt("maxIter"), 50);
  EXPECT_NE(copy->classifierOrNull(), ovr->classifierOrNull());
  EXPECT_EQ(lr->getRegParam(), 0.1);
  // The tuner accepts the maps: every key names a stage it can reach (OneVsRest's subStages).
  EXPECT_EQ(stageAs<CrossValidator>(spec.estimator)->getEstimatorParamMaps().size(), 4u);
}

TEST(PipelineSpecTest, NestedStageErrorsPointAtTheSpecLocation) {
  auto ovrWith = [](const std::string& classifier) {
    return R"({"stages": [{"name": "ovr", "class": "OneVsRest", "params": {"classifier": )" +
           classifier + "}}]}";
  };
  EXPECT_THAT(errorOf(ovrWith(R"({"class": "LogistcRegression"})")),
              HasSubstr("spec.json: stages[0] (ovr).params.classifier.class: unknown stage class "
                        "'LogistcRegression' (known: "));
  EXPECT_THAT(errorOf(ovrWith(R"({"class": "LogisticRegression", "params": {"lambda": 1}})")),
              HasSubstr("stages[0] (ovr).params.classifier.params.lambda: LogisticRegression "
                        "ovr.classifier has no parameter 'lambda'"));
  EXPECT_THAT(errorOf(ovrWith(R"({"class": "LogisticRegression", "params": {"regParam": -1}})")),
              HasSubstr("stages[0] (ovr).params.classifier.params.regParam: LogisticRegression "
                        "ovr.classifier: parameter 'regParam' given invalid value -1"));
  EXPECT_THAT(errorOf(ovrWith(R"({"class": "Tokenizer"})")),
              HasSubstr("stages[0] (ovr).params.classifier: OneVsRest ovr: parameter "
                        "'classifier' given invalid value"));
  EXPECT_THAT(errorOf(ovrWith(R"("LogisticRegression")")),
              HasSubstr("stages[0] (ovr).params.classifier: 'classifier' takes a stage: "
                        "{\"class\": \"...\", \"params\": {...}}, got \"LogisticRegression\""));
  EXPECT_THAT(errorOf(ovrWith(R"({"class": "LogisticRegression", "name": "lr"})")),
              HasSubstr("stages[0] (ovr).params.classifier: unknown key 'name' (allowed: class, "
                        "params)"));
  EXPECT_THAT(errorOf(ovrWith(R"({"params": {}})")),
              HasSubstr("stages[0] (ovr).params.classifier: missing 'class'"));
  const std::string ev = R"("evaluator": {"class": "MulticlassClassificationEvaluator"})";
  EXPECT_THAT(errorOf(withOvr(R"("grid": {"ovr.classifier": [1]}, )" + ev)),
              HasSubstr("grid.ovr.classifier: a grid cannot search the stage-valued param "
                        "'classifier'; name the nested stage's params instead "
                        "('ovr.classifier.<param>')"));
  EXPECT_THAT(errorOf(withOvr(R"("grid": {"ovr.labelCol.regParam": [0.1]}, )" + ev)),
              HasSubstr("grid.ovr.labelCol.regParam: 'labelCol' is not a stage-valued param set "
                        "on stage 'ovr'"));
  EXPECT_THAT(errorOf(withOvr(R"("grid": {"ovr.classifier.lambda": [0.1]}, )" + ev)),
              HasSubstr("grid.ovr.classifier.lambda: LogisticRegression ovr.classifier has no "
                        "parameter 'lambda'"));
  // Stage-valued params of the tuner are not spec values (the tuner's estimator is the pipeline).
  EXPECT_THAT(errorOf(withOvr(R"("tuning": {"estimator": {"class": "LogisticRegression"}}, )" + ev)),
              HasSubstr("tuning.estimator: {\"class\":\"LogisticRegression\"} is not a valid "
                        "parameter value (expected stage)"));
}

TEST(PipelineSpecTest, ReaderOptionsAreKeptAsText) {
  const auto spec = parsePipelineSpec(withStages(R"("input": {"header": true, "sep": "\t"})"), "s");
  EXPECT_EQ(spec.input.at("header"), "true");
  EXPECT_EQ(spec.input.at("sep"), "\t");
}

}  // namespace
}  // namespace td
