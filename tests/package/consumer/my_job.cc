// tests/package/consumer/my_job.cc — README.md's seed-job snippet, built outside the source tree
// against the installed package; prints one line per test document.
#include <cstdio>
#include <exception>

#include "thunderdome/thunderdome.h"

namespace {

int run() {
  const td::Frame training({
      {"id", td::makeInt64Column({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})},
      {"text", td::makeStringColumn({"a b c d e spark", "b d", "spark f g h", "hadoop mapreduce",
                                     "b spark who", "g d a y", "spark fly", "was mapreduce",
                                     "e spark program", "a e c l", "spark compile",
                                     "hadoop software"})},
      {"label", td::makeDoubleColumn({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0})},
  });
  const td::Frame test({
      {"id", td::makeInt64Column({4, 5, 6, 7})},
      {"text", td::makeStringColumn({"spark i j k", "l m n", "mapreduce spark", "apache hadoop"})},
  });

  // The README's snippet, verbatim.
  auto tokenizer = std::make_shared<td::Tokenizer>();
  tokenizer->setInputCol("text").setOutputCol("words");
  auto hashingTF = std::make_shared<td::HashingTF>();
  hashingTF->setInputCol("words").setOutputCol("features");
  auto lr = std::make_shared<td::LogisticRegression>();
  lr->setMaxIter(10);
  auto pipeline = std::make_shared<td::Pipeline>(
      std::vector<std::shared_ptr<td::PipelineStage>>{tokenizer, hashingTF, lr});

  auto paramGrid = td::ParamGridBuilder()
                       .addGrid(hashingTF->param("numFeatures"), {10, 100, 1000})
                       .addGrid(lr->param("regParam"), {0.1, 0.01})
                       .build();

  td::CrossValidator cv;
  cv.setEstimator(pipeline)
      .setEvaluator(std::make_shared<td::BinaryClassificationEvaluator>())
      .setEstimatorParamMaps(paramGrid)
      .setNumFolds(2);
  auto cvModel = td::stageAs<td::CrossValidatorModel>(cv.fit(training));
  td::Frame predictions = cvModel->transform(test);

  const auto& ids = predictions.col<td::Int64Column>("id");
  const auto& texts = predictions.col<td::StringColumn>("text");
  const auto& pred = predictions.col<td::DoubleColumn>("prediction");
  for (std::int64_t i = 0; i < predictions.numRows(); ++i)
    std::printf("(%lld, %s) --> prediction=%.1f\n", static_cast<long long>(ids[i]),
                texts[i].c_str(), pred[i]);
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
