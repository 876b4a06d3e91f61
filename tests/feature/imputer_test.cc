// tests/feature/imputer_test.cc
#include "thunderdome/feature/imputer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "thunderdome/core/error.h"
#include "thunderdome/io/csv.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<double> doubles(const Frame& f, const std::string& c) {
  const auto v = f.col<DoubleColumn>(c).values();
  return {v.begin(), v.end()};
}

// Spark's ImputerSuite "Imputer for Double with default missing Value NaN": the expected
// columns for mean, median and mode.
TEST(Imputer, SparkSuiteMeanMedianMode) {
  const Frame df({{"value1", makeDoubleColumn({1.0, 11.0, 3.0, kNaN})},
                  {"value2", makeDoubleColumn({4.0, 12.0, kNaN, 14.0})}});
  const std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> expected{
      {"mean", {{1.0, 11.0, 3.0, 5.0}, {4.0, 12.0, 10.0, 14.0}}},
      {"median", {{1.0, 11.0, 3.0, 3.0}, {4.0, 12.0, 12.0, 14.0}}},
      {"mode", {{1.0, 11.0, 3.0, 1.0}, {4.0, 12.0, 4.0, 14.0}}}};
  for (const auto& [strategy, want] : expected) {
    Imputer imp;
    imp.setInputCols({"value1", "value2"}).setOutputCols({"out1", "out2"}).setStrategy(strategy);
    const Frame out = imp.fit(df)->transform(df);
    EXPECT_EQ(doubles(out, "out1"), want.first) << strategy;
    EXPECT_EQ(doubles(out, "out2"), want.second) << strategy;
  }
}

// Spark's documentation example (ImputerExample): a -> 3.0, b -> 4.0.
TEST(Imputer, SparkDocumentationExample) {
  const Frame df({{"a", makeDoubleColumn({1.0, 2.0, kNaN, 4.0, 5.0})},
                  {"b", makeDoubleColumn({kNaN, kNaN, 3.0, 4.0, 5.0})}});
  Imputer imp;
  imp.setInputCols({"a", "b"}).setOutputCols({"out_a", "out_b"});
  const auto model = stageAs<ImputerModel>(imp.fit(df));
  EXPECT_THAT(model->surrogates(), ElementsAre(3.0, 4.0));
  const Frame out = model->transform(df);
  EXPECT_THAT(doubles(out, "out_a"), ElementsAre(1.0, 2.0, 3.0, 4.0, 5.0));
  EXPECT_THAT(doubles(out, "out_b"), ElementsAre(4.0, 4.0, 3.0, 4.0, 5.0));
}

// Nulls (empty CSV cells) are always missing; a bigint column stays bigint and gets the
// surrogate truncated, as Spark casts it; a custom missingValue is missing too, NaN is not
// counted in the fit.
TEST(Imputer, NullsBigintColumnsAndCustomMissingValue) {
  const Frame df = readCsvString("n,x\n1,0\n,2\n2,NaN\n,0\n4,4\n", {}, "t.csv");
  ASSERT_EQ(df.schema().toString(), "n: bigint, x: double");
  Imputer imp;
  imp.setInputCols({"n", "x"}).setOutputCols({"n2", "x2"}).setMissingValue(0.0);
  const auto model = stageAs<ImputerModel>(imp.fit(df));
  EXPECT_THAT(model->surrogates(), ElementsAre(7.0 / 3.0, 3.0));  // x: mean of 2 and 4
  const Frame out = model->transform(df);
  EXPECT_EQ(out.schema().field("n2").type, DataType::kInt64);
  const auto n2 = out.col<Int64Column>("n2").values();
  EXPECT_THAT(std::vector<std::int64_t>(n2.begin(), n2.end()), ElementsAre(1, 2, 2, 2, 4));
  EXPECT_FALSE(out.column("n2")->hasNulls());
  const auto x2 = doubles(out, "x2");
  EXPECT_EQ(x2[0], 3.0);
  EXPECT_EQ(x2[1], 2.0);
  EXPECT_TRUE(std::isnan(x2[2]));  // missingValue is 0: a NaN stays NaN, as in Spark
  EXPECT_EQ(x2[3], 3.0);
}

TEST(Imputer, ErrorsAndRoundTrip) {
  Imputer imp;
  imp.setInputCol("x").setOutputCol("y");
  EXPECT_THAT(messageOf([&] { (void)imp.fit(Frame({{"x", makeDoubleColumn({kNaN, kNaN})}})); }),
              HasSubstr("surrogate cannot be computed. All the values in x are Null, Nan or "
                        "missingValue(nan)"));
  EXPECT_THROW((void)imp.fit(Frame({{"x", makeStringColumn({"a"})}})), ColumnError);
  EXPECT_THROW(imp.setStrategy("max"), ParamError);
  EXPECT_THROW(imp.setRelativeError(1.5), ParamError);
  imp.setStrategy("median");
  const Frame df({{"x", makeDoubleColumn({5.0, kNaN, 1.0, 2.0, 9.0})}});
  const auto model = imp.fit(df);
  const auto loaded = deserializeStage(serializeStage(*model), "memory:t");
  EXPECT_THAT(stageAs<ImputerModel>(loaded)->surrogates(), ElementsAre(2.0));  // lower median
  EXPECT_EQ(doubles(std::static_pointer_cast<Transformer>(loaded)->transform(df), "y"),
            doubles(model->transform(df), "y"));
}

}  // namespace
}  // namespace td
