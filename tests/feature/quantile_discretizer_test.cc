// tests/feature/quantile_discretizer_test.cc
#include "thunderdome/feature/quantile_discretizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

Frame input(std::vector<double> x) { return Frame({{"input", makeDoubleColumn(std::move(x))}}); }

std::shared_ptr<Bucketizer> fit(const Frame& f, std::int64_t numBuckets,
                                std::string handle = "error") {
  QuantileDiscretizer q;
  q.setInputCol("input").setOutputCol("result").setNumBuckets(numBuckets).setHandleInvalid(handle);
  auto model = q.fit(f);
  EXPECT_EQ(model->uid(), q.uid());
  return stageAs<Bucketizer>(model);
}
std::vector<double> result(const Frame& f) {
  const auto v = f.col<DoubleColumn>("result").values();
  return {v.begin(), v.end()};
}

TEST(QuantileDiscretizerTest, Defaults) {
  QuantileDiscretizer q;
  EXPECT_EQ(q.getNumBuckets(), 2);
  EXPECT_EQ(q.getRelativeError(), 0.001);
  EXPECT_EQ(q.getHandleInvalid(), "error");
  EXPECT_EQ(q.uid().substr(0, 20), "quantileDiscretizer_");
  EXPECT_THROW(q.setNumBuckets(1), ParamError);
  EXPECT_THROW(q.setRelativeError(1.5), ParamError);
  EXPECT_THROW(q.setHandleInvalid("drop"), ParamError);
}

// Spark's documented example (ml-features, QuantileDiscretizer): hour 18, 19, 8, 5, 2.2 with
// numBuckets 3 gives buckets 2, 2, 1, 1, 0 (splits -Inf, 5, 18, +Inf).
TEST(QuantileDiscretizerTest, SparkDocumentedExample) {
  const Frame f = input({18.0, 19.0, 8.0, 5.0, 2.2});
  const auto b = fit(f, 3);
  EXPECT_THAT(b->getSplits(), ElementsAre(-kInf, 5.0, 18.0, kInf));
  EXPECT_EQ(b->getInputCol(), "input");
  EXPECT_EQ(b->getOutputCol(), "result");
  EXPECT_THAT(result(b->transform(f)), ElementsAre(2.0, 2.0, 1.0, 1.0, 0.0));
}

// QuantileDiscretizerSuite "Test observed number of buckets and their sizes match expected
// values" (1..100000, 5 buckets): exact quantiles at ranks 20000, 40000, ... give buckets of
// 19999, 20000, 20000, 20000 and 20001 values.
TEST(QuantileDiscretizerTest, SparkSuiteBucketSizes) {
  std::vector<double> x;
  for (int i = 1; i <= 100000; ++i) x.push_back(i);
  const Frame f = input(x);
  const auto b = fit(f, 5);
  EXPECT_THAT(b->getSplits(), ElementsAre(-kInf, 20000.0, 40000.0, 60000.0, 80000.0, kInf));
  std::map<double, int> sizes;
  for (double r : result(b->transform(f))) ++sizes[r];
  EXPECT_THAT(sizes, ElementsAre(std::pair{0.0, 19999}, std::pair{1.0, 20000},
                                 std::pair{2.0, 20000}, std::pair{3.0, 20000},
                                 std::pair{4.0, 20001}));
}

// QuantileDiscretizerSuite "Test on data with high proportion of duplicated values": 5 buckets
// asked, duplicate quantiles merged, 3 buckets observed.
TEST(QuantileDiscretizerTest, SparkSuiteDuplicatedValues) {
  const Frame f = input({1.0, 3.0, 2.0, 1.0, 1.0, 2.0, 3.0, 2.0, 2.0, 2.0, 1.0, 3.0});
  const auto b = fit(f, 5);
  EXPECT_THAT(b->getSplits(), ElementsAre(-kInf, 1.0, 2.0, 3.0, kInf));
  const auto r = result(b->transform(f));
  EXPECT_EQ(std::set<double>(r.begin(), r.end()).size(), 3U);
}

// NaN is ignored when fitting; the Bucketizer then errors, skips or keeps it (bucket
// numBuckets), as QuantileDiscretizerSuite "Test transform on data with NaN value".
TEST(QuantileDiscretizerTest, NaNIgnoredInFitAndHandledInTransform) {
  const Frame f = input({1.0, kNaN, 2.0, 3.0, 4.0, kNaN});
  const auto keep = fit(f, 2, "keep");
  EXPECT_THAT(keep->getSplits(), ElementsAre(-kInf, 2.0, kInf));
  EXPECT_EQ(keep->getHandleInvalid(), "keep");
  EXPECT_THAT(result(keep->transform(f)), ElementsAre(0.0, 2.0, 1.0, 1.0, 1.0, 2.0));
  const Frame skipped = fit(f, 2, "skip")->transform(f);
  EXPECT_EQ(skipped.numRows(), 4);
  EXPECT_THAT(result(skipped), ElementsAre(0.0, 1.0, 1.0, 1.0));
  EXPECT_THROW((void)fit(f, 2, "error")->transform(f), DataError);
}

// SPARK-31676: -0.0 and 0.0 quantiles are one split, not two (strictly increasing splits).
TEST(QuantileDiscretizerTest, NegativeZeroIsZero) {
  const Frame f = input({-0.0, -0.0, 0.0, 0.0, 1.0, 2.0, -1.0, -2.0});
  const auto b = fit(f, 4);
  for (double s : b->getSplits()) EXPECT_FALSE(s == 0.0 && std::signbit(s));
  EXPECT_TRUE(Bucketizer::checkSplits(b->getSplits()));
}

// relativeError: quantiles at or below it are the minimum, at or above 1 - it the maximum
// (Spark's QuantileSummaries.query), so a coarse relativeError merges buckets.
TEST(QuantileDiscretizerTest, RelativeErrorEnds) {
  QuantileDiscretizer q;
  q.setInputCol("input").setNumBuckets(4).setRelativeError(0.3);
  // quantiles 0.25 -> min 1, 0.5 -> rank 4 -> 4, 0.75 -> max 8.
  EXPECT_THAT(q.splitsFor({8, 7, 6, 5, 4, 3, 2, 1}), ElementsAre(-kInf, 1.0, 4.0, 8.0, kInf));
  q.setRelativeError(0.0);
  EXPECT_THAT(q.splitsFor({8, 7, 6, 5, 4, 3, 2, 1}), ElementsAre(-kInf, 2.0, 4.0, 6.0, kInf));
}

TEST(QuantileDiscretizerTest, ErrorsNameStageAndColumn) {
  QuantileDiscretizer q;
  q.setInputCol("input");
  // A constant column still gives 2 buckets (-Inf, 5, +Inf); infinite quantiles merge into the
  // ends and leave fewer than 3 splits, which Spark's Bucketizer rejects.
  EXPECT_THAT(stageAs<Bucketizer>(q.fit(input({5.0, 5.0, 5.0})))->getSplits(),
              ElementsAre(-kInf, 5.0, kInf));
  for (const auto& data : std::vector<std::vector<double>>{{kInf, kInf}, {kNaN, kNaN}, {}}) {
    try {
      (void)q.fit(input(data));
      ADD_FAILURE() << "no error";
    } catch (const DataError& e) {
      EXPECT_THAT(e.what(), HasSubstr(q.uid()));
      EXPECT_THAT(e.what(), HasSubstr("'input'"));
    }
  }
  const Frame s({{"input", makeStringColumn({"a"})}});
  EXPECT_THROW((void)q.fit(s), ColumnError);
  const Frame ints({{"input", makeInt64Column({1, 2, 3, 4})}});
  EXPECT_THAT(stageAs<Bucketizer>(q.fit(ints))->getSplits(), ElementsAre(-kInf, 2.0, kInf));
}

TEST(QuantileDiscretizerTest, FittedBucketizerSavesAndLoads) {
  const Frame f = input({18.0, 19.0, 8.0, 5.0, 2.2});
  const auto b = fit(f, 3);
  const auto loaded = stageAs<Bucketizer>(deserializeStage(serializeStage(*b), "memory:test"));
  EXPECT_EQ(loaded->getSplits(), b->getSplits());
  EXPECT_THAT(result(loaded->transform(f)), ElementsAre(2.0, 2.0, 1.0, 1.0, 0.0));
}

}  // namespace
}  // namespace td
