// tests/tuning/cross_validator_test.cc
#include "thunderdome/tuning/cross_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/work_counters.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/imputer.h"
#include "thunderdome/feature/one_hot_encoder.h"
#include "thunderdome/feature/string_indexer.h"
#include "thunderdome/feature/vector_assembler.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/tuning/param_grid_builder.h"
#include "thunderdome/tuning/train_validation_split.h"

namespace td {
namespace {

using ::testing::HasSubstr;

// The Spark tuning guide's training documents.
Frame sparkGuideTraining() {
  return Frame({
      {"id", makeInt64Column({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})},
      {"text", makeStringColumn({"a b c d e spark", "b d", "spark f g h", "hadoop mapreduce",
                                 "b spark who", "g d a y", "spark fly", "was mapreduce",
                                 "e spark program", "a e c l", "spark compile",
                                 "hadoop software"})},
      {"label", makeDoubleColumn({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0})},
  });
}

// A larger synthetic text set: label 1 documents mention "spark" more often.
Frame syntheticText(int n) {
  std::vector<std::string> text;
  std::vector<double> label;
  for (int i = 0; i < n; ++i) {
    const bool pos = (i * 37 + 11) % 5 < 2;
    std::string doc;
    for (int w = 0; w < 6 + i % 5; ++w) doc += "w" + std::to_string((i * 13 + w * 7) % 41) + " ";
    if (pos || i % 7 == 0) doc += "spark ";
    if (!pos || i % 9 == 0) doc += "hadoop ";
    text.push_back(doc);
    label.push_back(pos ? 1.0 : 0.0);
  }
  return Frame({{"text", makeStringColumn(text)}, {"label", makeDoubleColumn(label)}});
}

struct GridSetup {
  std::shared_ptr<Tokenizer> tok = std::make_shared<Tokenizer>();
  std::shared_ptr<HashingTF> tf = std::make_shared<HashingTF>();
  std::shared_ptr<LogisticRegression> lr = std::make_shared<LogisticRegression>();
  std::shared_ptr<Pipeline> pipeline;
  std::vector<ParamMap> grid;
  GridSetup() {
    tok->setInputCol("text").setOutputCol("words");
    tf->setInputCol("words").setOutputCol("features");
    lr->setMaxIter(10);
    pipeline = std::make_shared<Pipeline>(std::vector<std::shared_ptr<PipelineStage>>{tok, tf, lr});
    grid = ParamGridBuilder()
               .addGrid(tf->param("numFeatures"), {10, 100, 1000})
               .addGrid(lr->param("regParam"), {0.1, 0.01})
               .build();
  }
  CrossValidator cv(std::int64_t folds) const {
    CrossValidator cv;
    cv.setEstimator(pipeline)
        .setEvaluator(std::make_shared<BinaryClassificationEvaluator>())
        .setEstimatorParamMaps(grid)
        .setNumFolds(folds);
    return cv;
  }
};

TEST(CrossValidatorTest, DefaultsFollowSpark) {
  CrossValidator cv;
  EXPECT_EQ(cv.getNumFolds(), 3);
  EXPECT_EQ(cv.getSeed(), -1191137437);
  EXPECT_THAT(cv.uid(), ::testing::StartsWith("cv_"));
  EXPECT_THROW(cv.setNumFolds(1), ParamError);
  EXPECT_THROW(cv.setParallelism(0), ParamError);
  TrainValidationSplit tvs;
  EXPECT_EQ(tvs.getDouble("trainRatio"), 0.75);
  EXPECT_EQ(tvs.getInt("seed"), -1772833110);
}

TEST(CrossValidatorTest, SparkGuideExample) {
  GridSetup s;
  const auto cvModel = stageAs<CrossValidatorModel>(s.cv(2).fit(sparkGuideTraining()));
  ASSERT_EQ(cvModel->avgMetrics().size(), 6u);
  ASSERT_EQ(cvModel->foldMetrics().size(), 2u);
  for (double m : cvModel->avgMetrics()) {
    EXPECT_GE(m, 0.0);
    EXPECT_LE(m, 1.0);
  }
  const Frame test({{"id", makeInt64Column({4, 5, 6, 7})},
                    {"text", makeStringColumn({"spark i j k", "l m n", "mapreduce spark",
                                               "apache hadoop"})}});
  const Frame out = cvModel->transform(test);
  const auto& prob = out.col<VectorColumn>("probability");
  EXPECT_GT(prob[0].at(1), 0.5) << "'spark i j k' is a spark document";
  EXPECT_LT(prob[3].at(1), 0.5) << "'apache hadoop' is not";
}

TEST(CrossValidatorTest, MetricsEqualManualFoldByFoldFits) {
  GridSetup s;
  const Frame data = syntheticText(120);
  CrossValidator cv = s.cv(3);
  cv.set("warmStart", false);  // cold fits, as below (shared featurization changes nothing)
  const auto model = stageAs<CrossValidatorModel>(cv.fit(data));
  const auto fold = cv.foldAssignment(data);
  BinaryClassificationEvaluator ev;
  for (std::int64_t f = 0; f < 3; ++f) {
    std::vector<std::int64_t> tr, va;
    for (std::int64_t i = 0; i < data.numRows(); ++i)
      (fold[static_cast<std::size_t>(i)] == f ? va : tr).push_back(i);
    for (std::size_t m = 0; m < s.grid.size(); ++m) {
      const auto fitted = s.pipeline->fit(data.take(tr), s.grid[m]);
      const double metric = ev.evaluate(fitted->transform(data.take(va)));
      EXPECT_EQ(model->foldMetrics()[static_cast<std::size_t>(f)][m], metric);
    }
  }
  for (std::size_t m = 0; m < s.grid.size(); ++m) {
    double mean = 0, sq = 0;
    for (const auto& row : model->foldMetrics()) mean += row[m] / 3;
    for (const auto& row : model->foldMetrics()) sq += (row[m] - mean) * (row[m] - mean);
    EXPECT_NEAR(model->avgMetrics()[m], mean, 1e-15);
    EXPECT_NEAR(model->stdMetrics()[m], std::sqrt(sq / 3), 1e-15);
  }
  const auto best = static_cast<std::size_t>(model->bestIndex());
  for (double m : model->avgMetrics()) EXPECT_LE(m, model->avgMetrics()[best]);
  // The best model is the best map refit on all rows.
  const auto refit = stageAs<PipelineModel>(s.pipeline->fit(data, s.grid[best]));
  const auto a = stageAs<LogisticRegressionModel>(stageAs<PipelineModel>(model->bestModel())->stages()[2]);
  const auto b = stageAs<LogisticRegressionModel>(refit->stages()[2]);
  EXPECT_EQ(a->coefficients(), b->coefficients());
  EXPECT_EQ(a->intercept(), b->intercept());
}

// An estimator that counts its fits; its model passes frames through.
std::atomic<int> countingFits{0};
class PassThroughModel final : public Model {
  TD_CLASS(PassThroughModel, "passThrough", "", "test: passes frames through")
  explicit PassThroughModel(std::string uid) : Model(std::move(uid), schema()) {}
  [[nodiscard]] Schema transformSchema(const Schema& input) const override { return input; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context&) const override {
    return input;
  }
};
class CountingEstimator final : public Estimator {
  TD_CLASS(CountingEstimator, "counting", "", "test: counts its fits")
  explicit CountingEstimator(std::string uid) : Estimator(std::move(uid), schema()) {}
  [[nodiscard]] Schema transformSchema(const Schema& input) const override { return input; }

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame&, const Context&) const override {
    ++countingFits;
    return std::make_shared<PassThroughModel>(uid());
  }
};

// A table with a categorical column, a numeric column with nulls whose mean differs between
// row ranges, and a string label.
Frame syntheticTable(int n) {
  std::vector<std::string> color, label;
  std::vector<double> x;
  NullMask nulls;
  for (int i = 0; i < n; ++i) {
    const bool pos = (i * 7 + 3) % 5 < 2;
    color.push_back(i % 3 == 0 ? (pos ? "red" : "blue") : (i % 3 == 1 ? "green" : "red"));
    x.push_back((pos ? 2.0 : -1.0) + (i % 11) * 0.3 + (i < n / 2 ? 5.0 : 0.0));
    nulls.push_back(i % 4 == 1 ? 1 : 0);
    label.push_back(pos ? "yes" : "no");
  }
  auto xc = std::make_shared<DoubleColumn>(std::move(x));
  xc->setNulls(std::move(nulls));
  return Frame({{"color", makeStringColumn(color)}, {"x", xc}, {"churned", makeStringColumn(label)}});
}

// Estimator stages before the model (StringIndexer, OneHotEncoder, Imputer) are fitted on the
// training rows of each fold only: the fold metrics equal fold-by-fold fits of the whole
// pipeline, and differ from fits whose Imputer saw every row.
TEST(CrossValidatorTest, FeatureEstimatorsAreFittedPerFold) {
  const Frame data = syntheticTable(90);
  auto labels = std::make_shared<StringIndexer>("labels");
  labels->setInputCol("churned").setOutputCol("label").setStringOrderType("alphabetAsc");
  auto indexer = std::make_shared<StringIndexer>("indexer");
  indexer->setInputCol("color").setOutputCol("color_idx").setHandleInvalid("keep");
  auto encoder = std::make_shared<OneHotEncoder>("encoder");
  encoder->setInputCol("color_idx").setOutputCol("color_vec");
  auto imputer = std::make_shared<Imputer>("imputer");
  imputer->setInputCol("x").setOutputCol("x_filled");
  auto assembler = std::make_shared<VectorAssembler>("assembler");
  assembler->setInputCols({"x_filled", "color_vec"}).setOutputCol("features");
  auto lr = std::make_shared<LogisticRegression>("lr");
  auto pipeline = std::make_shared<Pipeline>(
      "pipe", std::vector<std::shared_ptr<PipelineStage>>{labels, indexer, encoder, imputer,
                                                          assembler, lr});
  auto ev = std::make_shared<BinaryClassificationEvaluator>("ev");
  const auto grid = ParamGridBuilder()
                        .addGrid(imputer->param(Imputer::strategy), {"mean", "median"})
                        .addGrid(lr->param(LogisticRegression::regParam), {0.01, 0.1})
                        .build();
  CrossValidator cv("cv");
  cv.setEstimator(pipeline).setEvaluator(ev).setEstimatorParamMaps(grid).setNumFolds(3);
  cv.set("warmStart", false);
  const auto model = stageAs<CrossValidatorModel>(cv.fit(data));
  const auto fold = cv.foldAssignment(data);
  bool differsFromAllRowsImputer = false;
  bool surrogatesDiffer = false;
  for (std::int64_t f = 0; f < 3; ++f) {
    std::vector<std::int64_t> tr, va;
    for (std::int64_t i = 0; i < data.numRows(); ++i)
      (fold[static_cast<std::size_t>(i)] == f ? va : tr).push_back(i);
    for (std::size_t m = 0; m < grid.size(); ++m) {
      const auto fitted = stageAs<PipelineModel>(pipeline->fit(data.take(tr), grid[m]));
      const double metric = ev->evaluate(fitted->transform(data.take(va)));
      EXPECT_EQ(model->foldMetrics()[static_cast<std::size_t>(f)][m], metric) << f << " " << m;
      // The same fold with the imputer fitted on all rows (what a leak would give).
      auto stages = fitted->stages();
      stages[3] = stageAs<Transformer>(imputer->fit(data, grid[m]));
      const PipelineModel leaked("pipe", stages);
      const auto leakedImputer = stageAs<ImputerModel>(stages[3]);
      const auto foldImputer = stageAs<ImputerModel>(fitted->stages()[3]);
      if (leakedImputer->surrogates() != foldImputer->surrogates()) surrogatesDiffer = true;
      if (ev->evaluate(leaked.transform(data.take(va))) != metric) differsFromAllRowsImputer = true;
    }
  }
  EXPECT_TRUE(surrogatesDiffer);
  EXPECT_TRUE(differsFromAllRowsImputer) << "the data cannot tell per-fold from all-row fits";

  // With warm starts, the maps that differ only in regParam form a chain whose stages before
  // the model are fitted once per fold (not once per map, as Spark does), with the same
  // metrics within the solver's tolerance. A counting stage shows how often they are fitted.
  auto counter = std::make_shared<CountingEstimator>("counter");
  auto counted = std::make_shared<Pipeline>(
      "pipe", std::vector<std::shared_ptr<PipelineStage>>{labels, indexer, encoder, imputer,
                                                          assembler, counter, lr});
  CrossValidator warm("cv");
  warm.setEstimator(counted).setEvaluator(ev).setEstimatorParamMaps(grid).setNumFolds(3);
  countingFits = 0;
  const auto warmModel = stageAs<CrossValidatorModel>(warm.fit(data));
  EXPECT_EQ(countingFits.load(), 2 * 3 + 1);  // 2 strategies x 3 folds, plus the refit
  for (std::size_t f = 0; f < 3; ++f)
    for (std::size_t m = 0; m < grid.size(); ++m)
      EXPECT_NEAR(warmModel->foldMetrics()[f][m], model->foldMetrics()[f][m], 1e-4);
  warm.set("warmStart", false);
  countingFits = 0;
  (void)warm.fit(data);
  EXPECT_EQ(countingFits.load(), 4 * 3 + 1);  // every map on every fold, plus the refit
}

TEST(CrossValidatorTest, ShortcutsDoNotChangeResults) {
  GridSetup s;
  s.lr->setMaxIter(300).setTol(1e-10);
  const Frame data = syntheticText(240);
  auto run = [&](bool reuse, bool warm) {
    CrossValidator cv = s.cv(3);
    cv.set("reuseFeatures", reuse).set("warmStart", warm);
    return stageAs<CrossValidatorModel>(cv.fit(data));
  };
  const auto plain = run(false, false);
  const auto reused = run(true, false);
  // Shared featurization and fold views do not touch the optimizer: identical results.
  EXPECT_EQ(reused->foldMetrics(), plain->foldMetrics());
  const auto lrOf = [](const std::shared_ptr<CrossValidatorModel>& m) {
    return stageAs<LogisticRegressionModel>(stageAs<PipelineModel>(m->bestModel())->stages()[2]);
  };
  EXPECT_EQ(lrOf(reused)->coefficients(), lrOf(plain)->coefficients());
  EXPECT_EQ(stageAs<PipelineModel>(reused->bestModel())->stages().size(), 3u);
  // Warm starts converge to the same optima within the solver's tolerance.
  const auto warm = run(true, true);
  for (std::size_t f = 0; f < 3; ++f)
    for (std::size_t m = 0; m < s.grid.size(); ++m)
      EXPECT_NEAR(warm->foldMetrics()[f][m], plain->foldMetrics()[f][m], 1e-4);
  EXPECT_EQ(warm->bestIndex(), plain->bestIndex());
}

TEST(CrossValidatorTest, FeaturizedInChunksAndGroupByGroupAsPlainFits) {
  // More rows than one featurization chunk (2048): the shared features are made chunk by
  // chunk, one feature group at a time (the costliest numFeatures first) and freed after the
  // group's last fold; the refit featurizes its group again. Metrics and the refitted model
  // are those of plain per-fit featurization, bit for bit, at any parallelism.
  GridSetup s;
  const Frame data = syntheticText(4500);
  auto run = [&](bool reuse, std::int64_t parallelism) {
    CrossValidator cv = s.cv(2);
    cv.set("reuseFeatures", reuse).set("warmStart", false);
    cv.setParallelism(parallelism);
    return stageAs<CrossValidatorModel>(cv.fit(data));
  };
  const auto plain = run(false, 1);
  const auto lrOf = [](const std::shared_ptr<CrossValidatorModel>& m) {
    return stageAs<LogisticRegressionModel>(stageAs<PipelineModel>(m->bestModel())->stages()[2]);
  };
  for (const std::int64_t p : {1, 3}) {
    const auto chunked = run(true, p);
    EXPECT_EQ(chunked->foldMetrics(), plain->foldMetrics()) << p;
    EXPECT_EQ(chunked->bestIndex(), plain->bestIndex());
    EXPECT_EQ(lrOf(chunked)->coefficients(), lrOf(plain)->coefficients());
  }
}

TEST(CrossValidatorTest, FeaturesDerivedFromAWiderGroupAsPlainFits) {
  // numFeatures {256, 64, 16}: the 256 group is featurized (dealt first, the costliest), the
  // 64 group folded from it and the 16 group from the 64 one (HashingTF::deriveOutput), one
  // worker keeping each source until the next group is made. Metrics and the refitted model
  // are those of plain per-fit featurization, bit for bit, at any parallelism.
  GridSetup s;
  s.grid = ParamGridBuilder()
               .addGrid(s.tf->param("numFeatures"), {16, 64, 256})
               .addGrid(s.lr->param("regParam"), {0.1, 0.01})
               .build();
  const Frame data = syntheticText(2600);  // two featurization chunks
  auto run = [&](bool reuse, std::int64_t parallelism) {
    CrossValidator cv = s.cv(3);
    cv.set("reuseFeatures", reuse);
    cv.setParallelism(parallelism);
    workCounters().reset();
    return stageAs<CrossValidatorModel>(cv.fit(data));
  };
  const auto lrOf = [](const std::shared_ptr<CrossValidatorModel>& m) {
    return stageAs<LogisticRegressionModel>(stageAs<PipelineModel>(m->bestModel())->stages()[2]);
  };
  const auto plain = run(false, 1);
  EXPECT_EQ(workCounters().featurized.load(), 0);
  EXPECT_EQ(workCounters().derived.load(), 0);
  const auto one = run(true, 1);
  EXPECT_EQ(workCounters().derived.load(), 2);
  // The refit reuses the 16 group, still held, or featurizes its group again.
  const std::int64_t bestNumFeatures =
      stageAs<HashingTF>(stageAs<PipelineModel>(one->bestModel())->stages()[1])->getNumFeatures();
  EXPECT_EQ(workCounters().featurized.load(), bestNumFeatures == 16 ? 1 : 2);
  EXPECT_EQ(one->avgMetrics(), plain->avgMetrics());
  EXPECT_EQ(one->foldMetrics(), plain->foldMetrics());
  EXPECT_EQ(one->bestIndex(), plain->bestIndex());
  EXPECT_EQ(lrOf(one)->coefficients(), lrOf(plain)->coefficients());
  EXPECT_EQ(lrOf(one)->intercept(), lrOf(plain)->intercept());
  const auto three = run(true, 3);  // derived or not as the workers meet: the same results
  EXPECT_EQ(workCounters().featurized.load() + workCounters().derived.load() >= 3, true);
  EXPECT_EQ(three->foldMetrics(), plain->foldMetrics());
  EXPECT_EQ(lrOf(three)->coefficients(), lrOf(plain)->coefficients());
  // numFeatures that divide none of the others: every group featurized.
  s.grid = ParamGridBuilder().addGrid(s.tf->param("numFeatures"), {20, 30}).build();
  (void)run(true, 1);
  EXPECT_EQ(workCounters().derived.load(), 0);
  EXPECT_GE(workCounters().featurized.load(), 2);
}

TEST(CrossValidatorTest, BitIdenticalAcrossParallelism) {
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  GridSetup s;
  const Frame data = syntheticText(300);
  CrossValidator one = s.cv(3);
  one.setParallelism(1);
  CrossValidator four = s.cv(3);
  four.setParallelism(4);
  const auto a = stageAs<CrossValidatorModel>(one.fit(data));
  const auto b = stageAs<CrossValidatorModel>(four.fit(data));
  EXPECT_EQ(a->foldMetrics(), b->foldMetrics());
  EXPECT_EQ(a->avgMetrics(), b->avgMetrics());
  EXPECT_EQ(a->bestIndex(), b->bestIndex());
  const auto ma = stageAs<LogisticRegressionModel>(stageAs<PipelineModel>(a->bestModel())->stages()[2]);
  const auto mb = stageAs<LogisticRegressionModel>(stageAs<PipelineModel>(b->bestModel())->stages()[2]);
  EXPECT_EQ(ma->coefficients(), mb->coefficients());
}

TEST(CrossValidatorTest, FoldsPartitionRowsIntoNearlyEqualParts) {
  GridSetup s;
  CrossValidator cv = s.cv(3);
  const Frame data = syntheticText(100);
  const auto fold = cv.foldAssignment(data);
  std::vector<int> sizes(3, 0);
  for (auto f : fold) ++sizes[static_cast<std::size_t>(f)];
  for (int sz : sizes) EXPECT_TRUE(sz == 33 || sz == 34) << sz;
  EXPECT_EQ(fold, cv.foldAssignment(data)) << "same seed, same folds";
  cv.setSeed(1);
  EXPECT_NE(fold, cv.foldAssignment(data));
}

TEST(CrossValidatorTest, FoldColumnChoosesFoldsAndIsDropped) {
  GridSetup s;
  Frame data = syntheticText(60);
  std::vector<std::int64_t> folds;
  for (int i = 0; i < 60; ++i) folds.push_back(i % 2);
  data = data.withColumn("fold", makeInt64Column(folds));
  CrossValidator cv = s.cv(2);
  cv.setFoldCol("fold");
  EXPECT_EQ(cv.foldAssignment(data), folds);
  const auto model = stageAs<CrossValidatorModel>(cv.fit(data));
  EXPECT_EQ(model->foldMetrics().size(), 2u);
  folds[5] = 2;
  const Frame bad = data.withColumn("fold", makeInt64Column(folds));
  try {
    (void)cv.fit(bad);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("fold column 'fold' has value 2 at row 5"));
  }
}

TEST(CrossValidatorTest, SetupErrorsAreClear) {
  GridSetup s;
  const Frame data = sparkGuideTraining();
  CrossValidator noEst;
  EXPECT_THROW((void)noEst.fit(data), ParamError);
  CrossValidator empty = s.cv(2);
  empty.setEstimatorParamMaps({});
  EXPECT_THROW((void)empty.fit(data), ParamError);
  // A grid naming a stage that is not in the pipeline.
  HashingTF stranger;
  CrossValidator wrong = s.cv(2);
  wrong.setEstimatorParamMaps(ParamGridBuilder().addGrid(stranger.param("numFeatures"), {10}).build());
  try {
    (void)wrong.fit(data);
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'" + stranger.uid() + ".numFeatures'"));
  }
  // Wrong column reaches the user as a ColumnError before any fit.
  const Frame noText({{"body", makeStringColumn({"a", "b", "c", "d"})},
                      {"label", makeDoubleColumn({1, 0, 1, 0})}});
  EXPECT_THROW((void)s.cv(2).fit(noText), ColumnError);
  // Fewer rows than folds.
  const Frame tiny = data.take(std::vector<std::int64_t>{0, 1});
  EXPECT_THROW((void)s.cv(3).fit(tiny), DataError);
}

TEST(CrossValidatorTest, FailingFitPropagatesTypedError) {
  GridSetup s;
  Frame data = syntheticText(30);
  std::vector<double> labels(30, 0.0);
  labels[3] = 1.5;
  labels[4] = 1.0;
  data = data.withColumn("label", makeDoubleColumn(labels));
  EXPECT_THROW((void)s.cv(2).fit(data), DataError);
}

TEST(CrossValidatorTest, CancellationStopsTheRunBeforeItsNextFit) {
  GridSetup s;
  CrossValidator cv = s.cv(2);
  cv.setParallelism(1);
  Context ctx;
  std::int64_t reports = 0;
  ctx.progress = [&](const TuningProgress&) {
    if (++reports == 2) ctx.cancel.cancel();  // from inside the run, as Ctrl-C would
  };
  try {
    (void)cv.fit(syntheticText(40), ctx);
    FAIL() << "a cancelled run finished";
  } catch (const CancelledError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cancelled"));
  }
  EXPECT_LT(reports, 12);  // the run stopped early: not every fit ran
  // A token cancelled before the call stops fit, transform and evaluate at once.
  Context done;
  done.cancel.cancel();
  EXPECT_THROW((void)s.pipeline->fit(syntheticText(20), done), CancelledError);
  EXPECT_THROW((void)s.tok->transform(syntheticText(20), done), CancelledError);
}

TEST(CrossValidatorTest, ContextThreadLimitGivesTheSameResults) {
  GridSetup s;
  const auto all = stageAs<CrossValidatorModel>(s.cv(3).fit(syntheticText(60)));
  Context one;
  one.threads = 1;
  const auto single = stageAs<CrossValidatorModel>(s.cv(3).fit(syntheticText(60), one));
  EXPECT_EQ(single->avgMetrics(), all->avgMetrics());  // bit for bit
  EXPECT_EQ(single->bestIndex(), all->bestIndex());
}

TEST(CrossValidatorTest, ProgressReportsEveryFit) {
  GridSetup s;
  CrossValidator cv = s.cv(2);
  std::vector<std::int64_t> seen;
  Context ctx;
  ctx.progress = [&](const TuningProgress& p) {
    EXPECT_EQ(p.total, 12);
    seen.push_back(p.done);
  };
  (void)cv.fit(syntheticText(40), ctx);
  ASSERT_EQ(seen.size(), 12u);
  EXPECT_EQ(seen.back(), 12);
}

TEST(CrossValidatorTest, ProgressBestIsTheBestMeanMetricNeverOneFolds) {
  GridSetup s;
  CrossValidator cv = s.cv(3);
  std::vector<double> best;
  Context ctx;
  ctx.progress = [&](const TuningProgress& p) { best.push_back(p.bestMetric); };
  const auto model = stageAs<CrossValidatorModel>(cv.fit(syntheticText(40), ctx));
  const auto& avg = model->avgMetrics();
  ASSERT_FALSE(best.empty());
  EXPECT_EQ(best.back(), *std::max_element(avg.begin(), avg.end()));
  for (const double b : best)  // NaN until a map's folds are all done, then one of the means
    EXPECT_TRUE(std::isnan(b) || std::find(avg.begin(), avg.end(), b) != avg.end()) << b;
}

// Scores predictions with BinaryClassificationEvaluator and records the columns it was shown.
// Its "keepCol" param names a column it would like to read.
class RecordingEvaluator final : public Evaluator {
 public:
  static const ParamSchema& schema() {
    static const ParamSchema s{{"keepCol", "a column this evaluator reads", ParamType::kString,
                                ParamValue(""), ParamValidator::any()}};
    return s;
  }
  explicit RecordingEvaluator(std::shared_ptr<std::vector<std::string>> seen)
      : Evaluator("recording", schema()), seen_(std::move(seen)) {}
  [[nodiscard]] std::string className() const override { return "RecordingEvaluator"; }
  [[nodiscard]] bool isLargerBetter() const override { return true; }
  [[nodiscard]] std::shared_ptr<Params> cloneParams() const override {
    auto c = std::make_shared<RecordingEvaluator>(seen_);  // shares seen_, not the mutex
    c->copyValuesFrom(*this);
    return c;
  }

 protected:
  [[nodiscard]] double evaluateImpl(const Frame& predictions) const override {
    std::lock_guard lock(mu_);
    *seen_ = predictions.columnNames();
    return BinaryClassificationEvaluator().evaluate(predictions);
  }

 private:
  std::shared_ptr<std::vector<std::string>> seen_;
  static inline std::mutex mu_;
};

TEST(CrossValidatorTest, SharedFeaturesDropTokensNothingDownstreamNames) {
  GridSetup s;
  const Frame data = syntheticText(90);
  auto run = [&](bool reuse, const std::string& keep) {
    auto seen = std::make_shared<std::vector<std::string>>();
    auto ev = std::make_shared<RecordingEvaluator>(seen);
    if (!keep.empty()) ev->set("keepCol", keep);
    CrossValidator cv = s.cv(3);
    cv.setEvaluator(ev).set("reuseFeatures", reuse);
    const auto model = stageAs<CrossValidatorModel>(cv.fit(data));
    return std::make_pair(*seen, model);
  };
  const auto [plainCols, plain] = run(false, "");
  const auto [sharedCols, shared] = run(true, "");
  const auto [keptCols, kept] = run(true, "words");
  const auto has = [](const std::vector<std::string>& v, const char* c) {
    return std::find(v.begin(), v.end(), c) != v.end();
  };
  // Spark's plain fits show the evaluator every column; shared featurization frees the tokens
  // once every hashing setting exists, unless something downstream names them.
  EXPECT_TRUE(has(plainCols, "words"));
  EXPECT_FALSE(has(sharedCols, "words"));
  EXPECT_TRUE(has(keptCols, "words"));
  for (const auto* cols : {&plainCols, &sharedCols, &keptCols}) {
    EXPECT_TRUE(has(*cols, "text"));
    EXPECT_TRUE(has(*cols, "features"));
    EXPECT_TRUE(has(*cols, "rawPrediction"));
  }
  EXPECT_EQ(sharedCols.size() + 1, plainCols.size());
  // The metrics and the refit model do not change; the best model still tokenizes.
  EXPECT_EQ(shared->foldMetrics(), plain->foldMetrics());
  EXPECT_EQ(kept->foldMetrics(), plain->foldMetrics());
  const Frame out = shared->transform(data);
  EXPECT_TRUE(out.schema().contains("words"));
  EXPECT_EQ(out.col<VectorColumn>("probability")[5].toString(),
            plain->transform(data).col<VectorColumn>("probability")[5].toString());
}

TEST(TrainValidationSplitTest, FitsEveryMapAndRefitsBest) {
  GridSetup s;
  TrainValidationSplit tvs;
  tvs.setEstimator(s.pipeline)
      .setEvaluator(std::make_shared<BinaryClassificationEvaluator>())
      .setEstimatorParamMaps(s.grid)
      .setTrainRatio(0.8);
  const Frame data = syntheticText(200);
  const auto model = stageAs<TrainValidationSplitModel>(tvs.fit(data));
  ASSERT_EQ(model->validationMetrics().size(), 6u);
  const auto best = static_cast<std::size_t>(model->bestIndex());
  for (double m : model->validationMetrics()) EXPECT_LE(m, model->validationMetrics()[best]);
  const Frame out = model->transform(data);
  EXPECT_TRUE(out.schema().contains("prediction"));
  const auto again = stageAs<TrainValidationSplitModel>(tvs.fit(data));
  EXPECT_EQ(model->validationMetrics(), again->validationMetrics());
}

}  // namespace
}  // namespace td
