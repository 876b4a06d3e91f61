// tests/feature/binarizer_test.cc
#include "thunderdome/feature/binarizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// BinarizerSuite's data.
const std::vector<double> kData = {0.1, -0.5, 0.2, -0.3, 0.8, 0.7, -0.1, -0.4};

std::vector<double> expectedFor(double t) {
  std::vector<double> out;
  for (double x : kData) out.push_back(x > t ? 1.0 : 0.0);
  return out;
}

Binarizer binarizer() {
  Binarizer b;
  b.setInputCol("feature").setOutputCol("binarized_feature");
  return b;
}

std::vector<double> doubles(const Frame& f, const std::string& name) {
  const auto v = f.col<DoubleColumn>(name).values();
  return {v.begin(), v.end()};
}

// BinarizerSuite "Binarize continuous features with default parameter" / "with setter".
TEST(BinarizerTest, SparkDoubleColumn) {
  const Frame f({{"feature", makeDoubleColumn(kData)}});
  Binarizer b = binarizer();
  EXPECT_EQ(b.getThreshold(), 0.0);
  const Frame out = b.transform(f);
  EXPECT_EQ(out.schema().field("binarized_feature").type, DataType::kDouble);
  EXPECT_EQ(doubles(out, "binarized_feature"), expectedFor(0.0));
  EXPECT_EQ(doubles(b.setThreshold(0.2).transform(f), "binarized_feature"), expectedFor(0.2));
  // NaN is 0.0 (Spark: !isNaN && x > t), also for a negative threshold.
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(doubles(b.setThreshold(-1.0).transform(Frame({{"feature", makeDoubleColumn(
                                                                              {nan, -2.0, 0.0})}})),
                      "binarized_feature"),
              ElementsAre(0.0, 0.0, 1.0));
}

// BinarizerSuite "Binarize vector of continuous features with default parameter" / "with
// setter": a dense vector in, the 1.0s out (sparse, as Spark's compressed result of the same
// values).
TEST(BinarizerTest, SparkVectorColumn) {
  const Frame f({{"feature", VectorColumn::dense(1, 8, kData)}});
  for (double t : {0.0, 0.2}) {
    const Frame vOut = binarizer().setThreshold(t).transform(f);
    const auto& v = vOut.col<VectorColumn>("binarized_feature");
    ASSERT_FALSE(v.isDense());
    const auto e = expectedFor(t);
    for (std::int64_t j = 0; j < 8; ++j) EXPECT_EQ(v[0].at(j), e[static_cast<std::size_t>(j)]);
  }
  const Frame vOut = binarizer().transform(f);
  const auto& v = vOut.col<VectorColumn>("binarized_feature");
  EXPECT_EQ(v[0].toString(), "(8,[0,2,4,5],[1.0,1.0,1.0,1.0])");
}

// Spark 3's threshold < 0 path: every position starts at 1.0 and only stored non-zeros <= t
// become 0.0, so implicit zeros, explicit zeros and NaN give 1.0; the output is dense.
TEST(BinarizerTest, NegativeThresholdOnSparseVectors) {
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  const auto col =
      VectorColumn::sparse(4, {0, 2, 4, 4}, {1, 3, 0, 2}, {-0.7, 0.5, nan, 0.0});
  const Frame vOut = binarizer().setThreshold(-0.5).transform(Frame({{"feature", col}}));
  const auto& v = vOut.col<VectorColumn>("binarized_feature");
  ASSERT_TRUE(v.isDense());
  EXPECT_EQ(v[0].toString(), "[1.0,0.0,1.0,1.0]");
  EXPECT_EQ(v[1].toString(), "[1.0,1.0,1.0,1.0]");
  EXPECT_EQ(v[2].toString(), "[1.0,1.0,1.0,1.0]");
  // threshold >= 0: NaN and explicit zeros are dropped, only values > t kept.
  const Frame sOut = binarizer().setThreshold(0.0).transform(Frame({{"feature", col}}));
  const auto& s = sOut.col<VectorColumn>("binarized_feature");
  ASSERT_FALSE(s.isDense());
  EXPECT_EQ(s[0].toString(), "(4,[3],[1.0])");
  EXPECT_EQ(s[1].toString(), "(4,[],[])");
  EXPECT_EQ(s[2].toString(), "(4,[],[])");
}

// Spark 3's multi-column form: thresholds per column, or threshold for all of them.
TEST(BinarizerTest, MultipleColumns) {
  const Frame f({{"a", makeDoubleColumn({0.1, 0.6})},
                 {"v", VectorColumn::dense(2, 2, {0.1, 0.6, 0.7, -1.0})}});
  Binarizer b;
  b.setInputCols({"a", "v"}).setOutputCols({"a_out", "v_out"}).setThresholds({0.5, 0.0});
  Frame out = b.transform(f);
  EXPECT_THAT(doubles(out, "a_out"), ElementsAre(0.0, 1.0));
  EXPECT_EQ(out.col<VectorColumn>("v_out")[0].toString(), "(2,[0,1],[1.0,1.0])");
  EXPECT_EQ(out.col<VectorColumn>("v_out")[1].toString(), "(2,[0],[1.0])");
  Binarizer c;
  c.setInputCols({"a", "v"}).setOutputCols({"a_out", "v_out"}).setThreshold(0.65);
  out = c.transform(f);
  EXPECT_THAT(doubles(out, "a_out"), ElementsAre(0.0, 0.0));
  EXPECT_EQ(out.col<VectorColumn>("v_out")[1].toString(), "(2,[0],[1.0])");
  EXPECT_EQ(out.col<VectorColumn>("v_out")[0].toString(), "(2,[],[])");
}

// Spark's checkSingleVsMultiColumnParams and threshold checks, each a ParamError naming the
// stage; a column that is neither double nor vector is a ColumnError naming it.
TEST(BinarizerTest, ParamAndColumnErrors) {
  const Schema s(std::vector<Field>{{"a", DataType::kDouble}, {"t", DataType::kString}});
  const auto expectParamError = [&](const Binarizer& b, const std::string& what) {
    try {
      (void)b.transformSchema(s);
      ADD_FAILURE() << "no error for " << what;
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr("Binarizer " + b.uid()));
      EXPECT_THAT(e.what(), HasSubstr(what));
    }
  };
  Binarizer b;
  expectParamError(b, "but neither is set");
  b.setInputCol("a").setInputCols({"a"});
  expectParamError(b, "but both are set");
  Binarizer one;
  one.setInputCol("a").setThresholds({0.1});
  expectParamError(one, "thresholds can't be set for single-column Binarizer");
  Binarizer outs;
  outs.setInputCol("a").setOutputCols({"x"});
  expectParamError(outs, "should not be set: outputCols");
  Binarizer many;
  many.setInputCols({"a"});
  expectParamError(many, "must be defined but are not set: outputCols");
  many.setOutputCols({"x", "y"});
  expectParamError(many, "should have equal lengths, but they have different lengths: (1, 2)");
  many.setOutputCols({"x"}).setThresholds({0.1, 0.2});
  expectParamError(many, "(1, 1, 2)");
  many.setThresholds({0.1}).setThreshold(0.3);
  expectParamError(many, "exactly one of threshold, thresholds Params to be set, but both are set");
  many.clear(Binarizer::threshold);
  EXPECT_NO_THROW((void)many.transformSchema(s));

  Binarizer text;
  text.setInputCol("t");
  try {
    (void)text.transformSchema(s);
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 't' must be of type double or vector but is string"));
  }
  text.setInputCol("missing");
  EXPECT_THROW((void)text.transformSchema(s), ColumnError);
}

// BinarizerSuite "read/write", single and multi-column.
TEST(BinarizerTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_binarizer");
  std::filesystem::create_directories(dir);
  Binarizer b;
  b.setInputCol("myInputCol").setOutputCol("myOutputCol").setThreshold(0.1);
  saveStage(b, (dir / "one").string());
  const auto l1 = stageAs<Binarizer>(loadStage((dir / "one").string()));
  EXPECT_EQ(l1->getThreshold(), 0.1);
  EXPECT_EQ(l1->explainParams(), b.explainParams());
  Binarizer m;
  m.setInputCols({"a", "b"}).setOutputCols({"c", "d"}).setThresholds({0.5, -1.0});
  saveStage(m, (dir / "many").string());
  const auto l2 = stageAs<Binarizer>(loadStage((dir / "many").string()));
  EXPECT_THAT(l2->getThresholds(), ElementsAre(0.5, -1.0));
  EXPECT_THAT(l2->getInputCols(), ElementsAre("a", "b"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
