// examples/cross_validation.cpp
// The Spark ML tuning guide's cross-validation example, in C++ with thunderdome:
// Tokenizer -> HashingTF -> LogisticRegression, a 3 x 2 grid, 2-fold cross-validation on
// areaUnderROC, then predictions on four test documents.
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>

#include "thunderdome/thunderdome.h"

namespace {

// "HashingTF.numFeatures=100, LogisticRegression.regParam=0.1" for a grid row.
std::string describe(const td::ParamMap& map, const td::Pipeline& pipeline) {
  std::string out;
  for (const auto& [key, value] : map.entries()) {
    const auto stage = pipeline.findStage(key.first);
    out += fmt::format("{}{}.{}={}", out.empty() ? "" : ", ",
                       stage ? stage->className() : key.first, key.second, value.toString());
  }
  return out;
}

int run() {
  using td::makeDoubleColumn;
  using td::makeInt64Column;
  using td::makeStringColumn;

  // Prepare training documents, which are labeled.
  const td::Frame training({
      {"id", makeInt64Column({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})},
      {"text", makeStringColumn({"a b c d e spark", "b d", "spark f g h", "hadoop mapreduce",
                                 "b spark who", "g d a y", "spark fly", "was mapreduce",
                                 "e spark program", "a e c l", "spark compile",
                                 "hadoop software"})},
      {"label", makeDoubleColumn({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0})},
  });

  // Configure an ML pipeline: tokenizer, hashingTF, and lr.
  auto tokenizer = std::make_shared<td::Tokenizer>();
  tokenizer->setInputCol("text").setOutputCol("words");
  auto hashingTF = std::make_shared<td::HashingTF>();
  hashingTF->setInputCol("words").setOutputCol("features");
  auto lr = std::make_shared<td::LogisticRegression>();
  lr->setMaxIter(10);
  auto pipeline = std::make_shared<td::Pipeline>(
      std::vector<std::shared_ptr<td::PipelineStage>>{tokenizer, hashingTF, lr});

  // A grid of 3 values for hashingTF.numFeatures and 2 values for lr.regParam: 6 settings.
  const auto paramGrid = td::ParamGridBuilder()
                             .addGrid(hashingTF->param(td::HashingTF::numFeatures), {10, 100, 1000})
                             .addGrid(lr->param(td::LogisticRegression::regParam), {0.1, 0.01})
                             .build();

  // Cross-validation: every (fold, setting) fit runs in parallel on the shared pool.
  td::CrossValidator cv;
  cv.setEstimator(pipeline)
      .setEvaluator(std::make_shared<td::BinaryClassificationEvaluator>())
      .setEstimatorParamMaps(paramGrid)
      .setNumFolds(2);  // use 3+ in practice

  // Run cross-validation, and choose the best set of parameters.
  const auto cvModel = td::stageAs<td::CrossValidatorModel>(cv.fit(training));

  std::printf("Cross-validation (%lld folds, metric %s):\n",
              static_cast<long long>(cv.getNumFolds()), cvModel->metricName().c_str());
  for (std::size_t i = 0; i < paramGrid.size(); ++i) {
    std::printf("  %s  avg=%.6f std=%.6f%s\n", describe(paramGrid[i], *pipeline).c_str(),
                cvModel->avgMetrics()[i], cvModel->stdMetrics()[i],
                static_cast<std::int64_t>(i) == cvModel->bestIndex() ? "  <- best" : "");
  }
  std::printf("Best params: %s\n\n", describe(cvModel->bestParams(), *pipeline).c_str());

  // Prepare test documents, which are unlabeled (id, text) tuples.
  const td::Frame test({
      {"id", makeInt64Column({4, 5, 6, 7})},
      {"text", makeStringColumn({"spark i j k", "l m n", "mapreduce spark", "apache hadoop"})},
  });

  // Make predictions on test documents. cvModel uses the best model found.
  const td::Frame predictions = cvModel->transform(test);
  const auto& ids = predictions.col<td::Int64Column>("id");
  const auto& texts = predictions.col<td::StringColumn>("text");
  const auto& prob = predictions.col<td::VectorColumn>("probability");
  const auto& pred = predictions.col<td::DoubleColumn>("prediction");
  for (std::int64_t i = 0; i < predictions.numRows(); ++i) {
    std::printf("(%lld, %s) --> prob=%s, prediction=%.1f\n", static_cast<long long>(ids[i]),
                texts[i].c_str(), prob[i].toString().c_str(), pred[i]);
  }
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
