// tests/dist/grid_search_dist_test.cc — CrossValidator's distributed grid search without MPI:
// N ranks as N threads of this process sharing one work dealer (the MPI transport is
// exercised by tests/dist/mpi_fit.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/feature/count_vectorizer.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/param_grid_builder.h"

namespace td::dist {
namespace {

// The state the thread "ranks" share.
struct ThreadWorld {
  explicit ThreadWorld(int n) : size(n), sync(n), slots(static_cast<std::size_t>(n)) {}
  int size;
  std::barrier<> sync;
  std::vector<std::vector<std::byte>> slots;
  std::mutex mu;
  std::shared_ptr<WorkDealer> dealer;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

class ThreadQueue final : public WorkQueue {
 public:
  ThreadQueue(ThreadWorld& w, int rank) : w_(w), rank_(rank) {}
  using WorkQueue::next;
  std::int64_t next(const ItemDone& done) override {
    std::lock_guard lock(w_.mu);
    return w_.dealer->next(rank_, std::chrono::duration<double>(std::chrono::steady_clock::now() - w_.start).count(), done);
  }
  void cancel() override {
    std::lock_guard lock(w_.mu);
    w_.dealer->cancel();
  }
  void finish() override {}

 private:
  ThreadWorld& w_;
  int rank_;
};

class ThreadCommunicator final : public Communicator {
 public:
  ThreadCommunicator(ThreadWorld& w, int rank) : w_(w), rank_(rank) {}
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return w_.size; }
  // Sums and maxima in rank order, over an allgather (the same bits on every rank).
  void allreduceSum(std::span<double> values) override {
    reduce(values, [](double a, double b) { return a + b; });
  }
  void allreduceMax(std::span<double> values) override {
    reduce(values, [](double a, double b) { return std::max(a, b); });
  }
  void broadcast(std::vector<std::byte>& bytes, int root) override {
    bytes = allgather(bytes)[static_cast<std::size_t>(root)];
  }
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte>, int) override {
    ADD_FAILURE() << "unused";
    return {};
  }
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) override {
    w_.slots[static_cast<std::size_t>(rank_)].assign(mine.begin(), mine.end());
    w_.sync.arrive_and_wait();
    auto all = w_.slots;
    w_.sync.arrive_and_wait();
    return all;
  }
  void barrier() override { w_.sync.arrive_and_wait(); }
  [[noreturn]] void abort(int) override { std::abort(); }
  std::unique_ptr<WorkQueue> workQueue(std::int64_t items) override {
    if (rank_ == 0) w_.dealer = std::make_shared<WorkDealer>(items);
    w_.sync.arrive_and_wait();
    return std::make_unique<ThreadQueue>(w_, rank_);
  }

 private:
  template <class Op>
  void reduce(std::span<double> values, Op op) {
    const auto all = allgather(std::as_bytes(values));
    for (std::size_t i = 0; i < values.size(); ++i) {
      double acc = 0.0;
      for (std::size_t r = 0; r < all.size(); ++r) {
        double v;
        std::memcpy(&v, all[r].data() + i * sizeof(double), sizeof(double));
        acc = r == 0 ? v : op(acc, v);
      }
      values[i] = acc;
    }
  }

  ThreadWorld& w_;
  int rank_;
};

Frame syntheticText(int n, double badLabel = 0.0) {
  std::vector<std::string> text;
  std::vector<double> label;
  for (int i = 0; i < n; ++i) {
    const bool pos = (i * 37 + 11) % 5 < 2;
    std::string doc;
    for (int w = 0; w < 6 + i % 5; ++w) doc += "w" + std::to_string((i * 13 + w * 7) % 41) + " ";
    doc += pos ? "spark " : "hadoop ";
    text.push_back(doc);
    label.push_back(pos ? 1.0 : 0.0);
  }
  if (badLabel != 0.0) std::fill(label.begin(), label.end(), badLabel);
  return Frame({{"text", makeStringColumn(text)}, {"label", makeDoubleColumn(label)}});
}

// converge: LogisticRegression to tol 1e-10 (else maxIter 10, as the Spark guide's example).
// minRows: distributedRefitMinRows (1: these small data sets are spread too).
std::shared_ptr<CrossValidator> makeCv(bool distributedRefit = true, bool converge = false,
                                       std::int64_t minRows = 1) {
  auto tok = std::make_shared<Tokenizer>();
  auto tf = std::make_shared<HashingTF>();
  auto lr = std::make_shared<LogisticRegression>();
  tok->setInputCol("text").setOutputCol("words");
  tf->setInputCol("words").setOutputCol("features");
  lr->setMaxIter(converge ? 100 : 10);
  if (converge) lr->setTol(1e-10);
  auto pipeline = std::make_shared<Pipeline>(std::vector<std::shared_ptr<PipelineStage>>{tok, tf, lr});
  auto cv = std::make_shared<CrossValidator>("cv");
  cv->setEstimator(pipeline)
      .setEvaluator(std::make_shared<BinaryClassificationEvaluator>())
      .setEstimatorParamMaps(ParamGridBuilder()
                                 .addGrid(tf->param("numFeatures"), {10, 100, 1000})
                                 .addGrid(lr->param("regParam"), {0.1, 0.01, 0.001})
                                 .build())
      .setNumFolds(3)
      .setParallelism(2)
      .setDistributedRefit(distributedRefit)
      .setDistributedRefitMinRows(minRows);
  return cv;
}

class GridSearchDistTest : public ::testing::TestWithParam<int> {};

// The best map's LogisticRegression coefficients and intercept.
std::vector<double> bestCoefficients(const CrossValidatorModel& m) {
  const auto pm = std::dynamic_pointer_cast<const PipelineModel>(m.bestModel());
  const auto lr = std::dynamic_pointer_cast<const LogisticRegressionModel>(pm->stages().back());
  std::vector<double> out = lr->coefficients();
  out.push_back(lr->intercept());
  return out;
}

// Each rank's model of make()->fit(data) on the ranks of `world` (threads with a
// ThreadCommunicator each, task-parallel).
template <class Make>
std::vector<std::shared_ptr<CrossValidatorModel>> fitOnRanks(ThreadWorld& world, const Frame& data,
                                                             Make make) {
  std::vector<std::shared_ptr<CrossValidatorModel>> models(static_cast<std::size_t>(world.size));
  std::vector<std::thread> ranks;
  for (int r = 0; r < world.size; ++r)
    ranks.emplace_back([&, r] {
      Context ctx;
      ctx.comm = std::make_shared<ThreadCommunicator>(world, r);
      models[static_cast<std::size_t>(r)] =
          std::dynamic_pointer_cast<CrossValidatorModel>(make()->fit(data, ctx));
    });
  for (auto& t : ranks) t.join();
  return models;
}

TEST_P(GridSearchDistTest, RanksGetTheSingleProcessMetricsAndOnlyRankZeroRefitsWhenAsked) {
  const Frame data = syntheticText(90);
  const auto single = std::dynamic_pointer_cast<CrossValidatorModel>(makeCv()->fit(data));
  const int n = GetParam();
  ThreadWorld world(n);
  const auto models = fitOnRanks(world, data, [] { return makeCv(false); });
  for (int r = 0; r < n; ++r) {
    const auto& m = *models[static_cast<std::size_t>(r)];
    EXPECT_EQ(m.avgMetrics(), single->avgMetrics()) << "rank " << r;
    EXPECT_EQ(m.bestIndex(), single->bestIndex()) << "rank " << r;
    EXPECT_EQ(m.bestModel() != nullptr, r == 0) << "rank " << r;
  }
  EXPECT_EQ(bestCoefficients(*models[0]), bestCoefficients(*single));  // bit for bit
  // Several ranks: every item was dealt (exactly once, by construction of the dealer).
  if (n > 1) {
    for (int owner : world.dealer->owner()) EXPECT_GE(owner, 0);
  }
}

TEST_P(GridSearchDistTest, RanksRefitTheBestMapTogether) {
  // distributedRefit (the default): every rank fits its share of the rows data-parallel and
  // ends with the same model, the single-process one within the solver's tolerance; with the
  // shared featurization (each rank cuts its rows from the features) and without it (each
  // rank fits the whole pipeline on its rows).
  for (const bool reuse : {true, false}) {
    SCOPED_TRACE(reuse ? "reuseFeatures" : "no reuseFeatures");
    const Frame data = syntheticText(90);
    const auto single = std::dynamic_pointer_cast<CrossValidatorModel>(
        makeCv(true, true)->setReuseFeatures(reuse).fit(data));
    const int n = GetParam();
    ThreadWorld world(n);
    const auto models = fitOnRanks(world, data, [reuse] {
      auto cv = makeCv(true, true);
      cv->setReuseFeatures(reuse);
      return cv;
    });
    const std::vector<double> want = bestCoefficients(*single);
    double scale = 0.0;
    for (double v : want) scale = std::max(scale, std::abs(v));
    ASSERT_GT(scale, 0.1);
    for (int r = 0; r < n; ++r) {
      const auto& m = *models[static_cast<std::size_t>(r)];
      EXPECT_EQ(m.avgMetrics(), single->avgMetrics()) << "rank " << r;
      EXPECT_EQ(m.bestIndex(), single->bestIndex()) << "rank " << r;
      ASSERT_NE(m.bestModel(), nullptr) << "rank " << r;
      const std::vector<double> got = bestCoefficients(m);
      EXPECT_EQ(got, bestCoefficients(*models[0])) << "rank " << r << " differs from rank 0";
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t j = 0; j < got.size(); ++j)
        EXPECT_NEAR(got[j], want[j], 1e-6 * scale) << "rank " << r << ", coefficient " << j;
    }
  }
}

TEST(GridSearchDistRefitTest, FewerRowsPerRankThanTheMinimumAreRefitByRankZeroAlone) {
  // distributedRefit with its default minimum (10,000 rows a rank) on 90 rows: rank 0 refits
  // alone, the single-process model bit for bit; a minimum of 45 spreads 90 rows over 2 ranks.
  const Frame data = syntheticText(90);
  EXPECT_EQ(CrossValidator().getDistributedRefitMinRows(), 10000);
  const auto single = std::dynamic_pointer_cast<CrossValidatorModel>(makeCv()->fit(data));
  for (const std::int64_t minRows : {std::int64_t{10000}, std::int64_t{46}, std::int64_t{45}}) {
    SCOPED_TRACE(minRows);
    ThreadWorld world(2);
    const auto models = fitOnRanks(world, data, [minRows] { return makeCv(true, false, minRows); });
    const bool spread = minRows <= 45;
    EXPECT_EQ(models[1]->bestModel() != nullptr, spread);
    ASSERT_NE(models[0]->bestModel(), nullptr);
    if (!spread) {
      EXPECT_EQ(bestCoefficients(*models[0]), bestCoefficients(*single));
    }
  }
  try {
    CrossValidator().setDistributedRefitMinRows(0);
    FAIL() << "distributedRefitMinRows 0 was accepted";
  } catch (const ParamError& e) {
    EXPECT_NE(std::string(e.what()).find("distributedRefitMinRows"), std::string::npos) << e.what();
  }
}

TEST(GridSearchDistRefitTest, AStageWithoutDataParallelFitsIsRefitByRankZeroAlone) {
  // CountVectorizer cannot fit data-parallel: rank 0 refits, the single-process model.
  auto makeCvWithVocabulary = [] {
    auto cv = makeCv();
    auto pipeline = std::dynamic_pointer_cast<Pipeline>(cv->getEstimator());
    auto stages = pipeline->getStages();
    auto counts = std::make_shared<CountVectorizer>();
    counts->setInputCol("words").setOutputCol("features");
    stages[1] = counts;
    auto lr = std::dynamic_pointer_cast<LogisticRegression>(stages[2]);
    cv->setEstimator(std::make_shared<Pipeline>(stages))
        .setEstimatorParamMaps(
            ParamGridBuilder().addGrid(lr->param("regParam"), {0.1, 0.01}).build());
    return cv;
  };
  const Frame data = syntheticText(90);
  const auto single = std::dynamic_pointer_cast<CrossValidatorModel>(makeCvWithVocabulary()->fit(data));
  ThreadWorld world(2);
  const auto models = fitOnRanks(world, data, makeCvWithVocabulary);
  ASSERT_NE(models[0]->bestModel(), nullptr);
  EXPECT_EQ(models[1]->bestModel(), nullptr);
  EXPECT_EQ(bestCoefficients(*models[0]), bestCoefficients(*single));
}

TEST(GridSearchDistRefitTest, ANestedTunerIsRefitByRankZeroAlone) {
  // A CrossValidator tuning a CrossValidator: a data-parallel refit of the inner one would cut
  // its folds from each rank's rows (and could pick another map), so rank 0 refits it.
  auto makeOuter = [] {
    auto outer = std::make_shared<CrossValidator>("outer");
    outer->setEstimator(makeCv())
        .setEvaluator(std::make_shared<BinaryClassificationEvaluator>())
        .setEstimatorParamMaps(ParamGridBuilder().build())
        .setNumFolds(2)
        .setParallelism(2);
    return outer;
  };
  const Frame data = syntheticText(90);
  ThreadWorld world(2);
  const auto models = fitOnRanks(world, data, makeOuter);
  EXPECT_NE(models[0]->bestModel(), nullptr);
  EXPECT_EQ(models[1]->bestModel(), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Ranks, GridSearchDistTest, ::testing::Values(1, 2, 4));

TEST(GridSearchDistFailureTest, ARankFailureReachesEveryRankWithItsNumber) {
  ThreadWorld world(2);
  std::vector<std::string> messages(2);
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r)
    ranks.emplace_back([&, r] {
      // Every fit fails (bad labels). Which rank fails first depends on who was dealt the
      // first item, so both ranks see bad data; the failure must reach both, numbered.
      const Frame data = syntheticText(90, 2.0);
      auto cv = makeCv();
      Context ctx;
      ctx.comm = std::make_shared<ThreadCommunicator>(world, r);
      try {
        (void)cv->fit(data, ctx);
      } catch (const DistributedError& e) {
        messages[static_cast<std::size_t>(r)] = e.what();
        EXPECT_EQ(e.code(), ErrorCode::kData);
      }
    });
  for (auto& t : ranks) t.join();
  EXPECT_TRUE(messages[0].rfind("rank 0 of 2: ", 0) == 0 || messages[0].rfind("rank 1 of 2: ", 0) == 0)
      << messages[0];
  EXPECT_EQ(messages[0], messages[1]);
  EXPECT_TRUE(world.dealer->cancelled());
}

}  // namespace
}  // namespace td::dist
