// tests/feature/bucketizer_test.cc
#include "thunderdome/feature/bucketizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/registry/registry.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

Bucketizer make(std::vector<double> splits, std::string handle = "error") {
  Bucketizer b;
  b.setInputCol("feature").setOutputCol("result").setSplits(splits).setHandleInvalid(handle);
  return b;
}
std::vector<double> outputOf(const Frame& f, const std::string& col = "result") {
  const auto v = f.col<DoubleColumn>(col).values();
  return {v.begin(), v.end()};
}
Frame single(std::vector<double> x) { return Frame({{"feature", makeDoubleColumn(std::move(x))}}); }

TEST(BucketizerTest, DefaultsAndRegistry) {
  Bucketizer b;
  EXPECT_EQ(b.getHandleInvalid(), "error");
  EXPECT_FALSE(b.isDefined(Bucketizer::splits));
  EXPECT_EQ(b.uid().substr(0, 11), "bucketizer_");
  // A Model (QuantileDiscretizer fits one) that specs can create: registered as a Transformer.
  EXPECT_EQ(findStageInfo("Bucketizer").kind, StageKind::kTransformer);
  EXPECT_EQ(createStage("Bucketizer", "b1")->className(), "Bucketizer");
  // The example the conformance suite uses is a valid value.
  ASSERT_TRUE(Bucketizer::splits.spec().example.has_value());
  EXPECT_NO_THROW((void)b.validate("splits", *Bucketizer::splits.spec().example));
}

// BucketizerSuite "Bucket continuous features, without -inf,inf".
TEST(BucketizerTest, SparkSuiteWithoutInfinities) {
  const auto b = make({-0.5, 0.0, 0.5});
  EXPECT_THAT(outputOf(b.transform(single({-0.5, -0.3, 0.0, 0.2}))), ElementsAre(0.0, 0.0, 1.0, 1.0));
  // The last bucket includes the upper bound.
  EXPECT_THAT(outputOf(b.transform(single({0.5}))), ElementsAre(1.0));
  for (double bad : {-0.9, 0.51}) {
    try {
      (void)b.transform(single({-0.5, bad}));
      ADD_FAILURE() << bad << " did not throw";
    } catch (const DataError& e) {
      EXPECT_THAT(e.what(), HasSubstr("out of Bucketizer bounds [-0.5, 0.5]"));
      EXPECT_THAT(e.what(), HasSubstr(b.uid()));
      EXPECT_THAT(e.what(), HasSubstr("'feature'"));
      EXPECT_THAT(e.what(), HasSubstr("row 1"));
    }
  }
  // handleInvalid does not cover values outside the splits.
  EXPECT_THROW((void)make({-0.5, 0.0, 0.5}, "keep").transform(single({0.51})), DataError);
  EXPECT_THROW((void)make({-0.5, 0.0, 0.5}, "skip").transform(single({0.51})), DataError);
}

// BucketizerSuite "Bucket continuous features, with -inf,inf".
TEST(BucketizerTest, SparkSuiteWithInfinities) {
  const auto b = make({-kInf, -0.5, 0.0, 0.5, kInf});
  EXPECT_THAT(outputOf(b.transform(single({-0.9, -0.5, -0.3, 0.0, 0.2, 0.5, 0.9}))),
              ElementsAre(0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0));
  EXPECT_THAT(outputOf(b.transform(single({-kInf, kInf, -1e308, 1e308}))),
              ElementsAre(0.0, 3.0, 0.0, 3.0));
}

// BucketizerSuite "Bucket continuous features, with NaN data but non-NaN splits".
TEST(BucketizerTest, SparkSuiteNaNErrorSkipKeep) {
  const std::vector<double> data{-0.9, -0.5, -0.3, 0.0, 0.2, 0.5, 0.9, kNaN, kNaN, kNaN};
  const std::vector<double> splits{-kInf, -0.5, 0.0, 0.5, kInf};
  EXPECT_THAT(outputOf(make(splits, "keep").transform(single(data))),
              ElementsAre(0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 4.0));
  const Frame skipped = make(splits, "skip").transform(single(data));
  EXPECT_EQ(skipped.numRows(), 7);
  EXPECT_THAT(outputOf(skipped), ElementsAre(0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0));
  try {
    (void)make(splits).transform(single(data));
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Bucketizer encountered NaN value. To handle or skip NaNs, "
                                    "try setting Bucketizer.handleInvalid."));
    EXPECT_THAT(e.what(), HasSubstr("row 7"));
  }
}

// BucketizerSuite "Bucket should only drop NaN in input columns, with handleInvalid=skip".
TEST(BucketizerTest, SkipDropsOnlyNaNInInputColumns) {
  const Frame f({{"a", makeDoubleColumn({2.0, 1.0, kNaN, 1.0})},
                 {"b", makeDoubleColumn({kNaN, 1.0, 2.0, 0.0})}});
  Bucketizer b;
  b.setInputCol("a").setOutputCol("x").setSplits({-1.0, 1.5, 3.0}).setHandleInvalid("skip");
  const Frame out = b.transform(f);
  EXPECT_EQ(out.numRows(), 3);
  EXPECT_THAT(outputOf(out, "x"), ElementsAre(1.0, 0.0, 0.0));
  EXPECT_TRUE(std::isnan(out.col<DoubleColumn>("b")[0]));  // b's NaN does not drop the row
  EXPECT_FALSE(b.isRowWise());
  EXPECT_TRUE(make({0, 1, 2}, "keep").isRowWise());
}

// BucketizerSuite "Bucket numeric features": bigint input.
TEST(BucketizerTest, Int64Input) {
  const Frame f({{"feature", makeInt64Column({-3, 0, 1, 4, 5})}});
  EXPECT_THAT(outputOf(make({-3.0, 1.0, 5.0}).transform(f)), ElementsAre(0.0, 0.0, 1.0, 1.0, 1.0));
}

// Spark's binarySearchForBuckets with Java's Double.compare: -0.0 sorts below 0.0, so -0.0 is
// in the bucket below a 0.0 split, while 0.0 == -0.0 still matches a last split of -0.0.
TEST(BucketizerTest, NegativeZeroFollowsJavaBinarySearch) {
  const std::vector<double> s{-1.0, 0.0, 1.0};
  EXPECT_EQ(Bucketizer::binarySearchForBuckets(s, -0.0, false), 0.0);
  EXPECT_EQ(Bucketizer::binarySearchForBuckets(s, 0.0, false), 1.0);
  const std::vector<double> neg{-2.0, -1.0, -0.0};
  EXPECT_EQ(Bucketizer::binarySearchForBuckets(neg, 0.0, false), 1.0);
  const std::vector<double> pos{0.0, 1.0, 2.0};
  EXPECT_THROW((void)Bucketizer::binarySearchForBuckets(pos, -0.0, false), DataError);
  EXPECT_THROW((void)make({0.0, 1.0, 2.0}).transform(single({-0.0})), DataError);
  EXPECT_EQ(Bucketizer::binarySearchForBuckets(s, kNaN, true), 2.0);  // numBuckets
}

// BucketizerSuite "checkSplits": too few, not increasing, NaN are rejected by the param.
TEST(BucketizerTest, InvalidSplitsAreParamErrors) {
  Bucketizer b;
  for (const auto& bad : std::vector<std::vector<double>>{
           {}, {0.0, 1.0}, {0.0, 0.0, 1.0}, {1.0, 0.0, 2.0}, {0.0, kNaN, 1.0}, {0.0, 1.0, kNaN},
           {0.0, -0.0, 1.0}}) {
    try {
      b.setSplits(bad);
      ADD_FAILURE() << "accepted " << ParamValue(bad).toString();
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr("'splits'"));
      EXPECT_THAT(e.what(), HasSubstr("strictly increasing"));
    }
  }
  EXPECT_FALSE(b.isSet(Bucketizer::splits));
  EXPECT_THROW(b.setHandleInvalid("drop"), ParamError);
  // splits unset: transform names it.
  Bucketizer unset;
  unset.setInputCol("feature");
  try {
    (void)unset.transform(single({1.0}));
    FAIL() << "no error";
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("splits"));
  }
}

// inputCols/outputCols (one splits for all) and Spark's single-vs-multi checks.
TEST(BucketizerTest, MultiColumn) {
  const Frame f({{"a", makeDoubleColumn({0.1, 0.6, kNaN})}, {"b", makeDoubleColumn({0.9, kNaN, 0.2})}});
  Bucketizer b;
  b.setInputCols({"a", "b"}).setOutputCols({"ba", "bb"}).setSplits({0.0, 0.5, 1.0});
  EXPECT_THROW((void)b.transform(f), DataError);  // error: NaN in any column
  b.setHandleInvalid("keep");
  const Frame kept = b.transform(f);
  EXPECT_THAT(outputOf(kept, "ba"), ElementsAre(0.0, 1.0, 2.0));
  EXPECT_THAT(outputOf(kept, "bb"), ElementsAre(1.0, 2.0, 0.0));
  b.setHandleInvalid("skip");
  const Frame skipped = b.transform(f);
  EXPECT_EQ(skipped.numRows(), 1);  // rows with a NaN in any input column go
  EXPECT_THAT(outputOf(skipped, "ba"), ElementsAre(0.0));
  EXPECT_THAT(outputOf(skipped, "bb"), ElementsAre(1.0));

  Bucketizer both = b;
  both.setInputCol("a");
  EXPECT_THAT([&] { (void)both.transformSchema(f.schema()); },
              ::testing::ThrowsMessage<ParamError>(HasSubstr("but both are set")));
  Bucketizer mismatched;
  mismatched.setInputCols({"a", "b"}).setOutputCols({"x"}).setSplits({0.0, 0.5, 1.0});
  EXPECT_THAT([&] { (void)mismatched.transformSchema(f.schema()); },
              ::testing::ThrowsMessage<ParamError>(HasSubstr("(2, 1)")));
  Bucketizer neither;
  neither.setSplits({0.0, 0.5, 1.0});
  EXPECT_THROW((void)neither.transformSchema(f.schema()), ParamError);
}

TEST(BucketizerTest, ColumnErrors) {
  const Frame f({{"s", makeStringColumn({"a"})}, {"feature", makeDoubleColumn({0.5})}});
  Bucketizer b = make({0.0, 0.5, 1.0});
  b.setInputCol("s");
  EXPECT_THAT([&] { (void)b.transformSchema(f.schema()); },
              ::testing::ThrowsMessage<ColumnError>(HasSubstr("'s'")));
  b.setInputCol("feature").setOutputCol("s");
  EXPECT_THROW((void)b.transformSchema(f.schema()), ColumnError);
}

TEST(BucketizerTest, SaveLoadKeepsInfiniteSplits) {
  const auto b = make({-kInf, -0.5, 0.0, 0.5, kInf}, "keep");
  const auto loaded = stageAs<Bucketizer>(deserializeStage(serializeStage(b), "memory:test"));
  EXPECT_EQ(loaded->uid(), b.uid());
  EXPECT_THAT(loaded->getSplits(), ElementsAre(-kInf, -0.5, 0.0, 0.5, kInf));
  EXPECT_EQ(loaded->getHandleInvalid(), "keep");
  EXPECT_THAT(outputOf(loaded->transform(single({-9.0, kNaN, 9.0}))), ElementsAre(0.0, 4.0, 3.0));
}

}  // namespace
}  // namespace td
