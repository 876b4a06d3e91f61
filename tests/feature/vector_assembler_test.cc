// tests/feature/vector_assembler_test.cc
#include "thunderdome/feature/vector_assembler.h"

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

std::vector<double> denseRow(const Frame& f, const std::string& col, std::int64_t r) {
  const VectorView v = f.col<VectorColumn>(col)[r];
  std::vector<double> out(static_cast<std::size_t>(v.size), 0.0);
  v.forEach([&](std::int64_t j, double x) { out[static_cast<std::size_t>(j)] = x; });
  return out;
}

std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Spark's documentation example (VectorAssemblerExample): hour, mobile and userFeatures
// assembled into [18.0, 1.0, 0.0, 10.0, 0.5].
TEST(VectorAssembler, SparkDocumentationExample) {
  const Frame df({{"id", makeInt64Column({0})},
                  {"hour", makeInt64Column({18})},
                  {"mobile", makeDoubleColumn({1.0})},
                  {"userFeatures", VectorColumn::dense(1, 3, {0.0, 10.0, 0.5})},
                  {"clicked", makeDoubleColumn({1.0})}});
  VectorAssembler a;
  a.setInputCols({"hour", "mobile", "userFeatures"}).setOutputCol("features");
  const Frame out = a.transform(df);
  EXPECT_THAT(denseRow(out, "features", 0), ElementsAre(18.0, 1.0, 0.0, 10.0, 0.5));
  EXPECT_EQ(out.col<VectorColumn>("features").dim(), 5);
}

// Mostly-zero rows come out sparse (Spark's compressed), with zeros dropped; the values do not
// depend on the layout.
TEST(VectorAssembler, SparseInputsStaySparseWithZerosDropped) {
  const Frame df({{"x", makeDoubleColumn({0.0, 2.0})},
                  {"v", VectorColumn::sparse(10, {0, 1, 2}, {3, 9}, {1.5, 0.0})}});
  VectorAssembler a;
  a.setInputCols({"x", "v"}).setOutputCol("f");
  const Frame out = a.transform(df);
  const auto& f = out.col<VectorColumn>("f");
  EXPECT_FALSE(f.isDense());
  EXPECT_EQ(f.dim(), 11);
  EXPECT_EQ(f[0].toString(), "(11,[4],[1.5])");
  EXPECT_EQ(f[1].toString(), "(11,[0],[2.0])");  // the explicit 0.0 at 9 is dropped
}

TEST(VectorAssembler, HandleInvalidErrorSkipKeep) {
  const Frame df = readCsvString("a,b\n1,2.0\n,3.0\n4,NaN\n5,6.0\n", {}, "t.csv");
  VectorAssembler a;
  a.setInputCols({"a", "b"}).setOutputCol("f");
  // error (default): a null, then (once nulls are gone) a NaN, named with file and line.
  EXPECT_THAT(messageOf([&] { (void)a.transform(df); }),
              HasSubstr("values to assemble cannot be null: column 'a' is null at t.csv:3"));
  const Frame noNull = df.take(std::vector<std::int64_t>{0, 2});
  EXPECT_THAT(messageOf([&] { (void)a.transform(noNull); }),
              HasSubstr("encountered NaN while assembling a row with handleInvalid = \"error\": "
                        "column 'b' at t.csv:4"));
  // skip: the rows with a null or a NaN are dropped.
  a.setHandleInvalid("skip");
  const Frame skipped = a.transform(df);
  ASSERT_EQ(skipped.numRows(), 2);
  EXPECT_THAT(denseRow(skipped, "f", 0), ElementsAre(1.0, 2.0));
  EXPECT_THAT(denseRow(skipped, "f", 1), ElementsAre(5.0, 6.0));
  EXPECT_EQ(skipped.rowLocation(1), "t.csv:5");
  EXPECT_FALSE(a.isRowWise());
  // keep: NaN for a null number and for a NaN.
  a.setHandleInvalid("keep");
  const Frame kept = a.transform(df);
  ASSERT_EQ(kept.numRows(), 4);
  const auto r1 = denseRow(kept, "f", 1);
  EXPECT_TRUE(std::isnan(r1[0]));
  EXPECT_EQ(r1[1], 3.0);
  EXPECT_TRUE(std::isnan(denseRow(kept, "f", 2)[1]));
}

// Booleans assemble as 1.0 / 0.0 (Spark casts them).
TEST(VectorAssembler, BooleanColumnsAreOneOrZero) {
  const Frame df({{"flag", std::make_shared<BooleanColumn>(std::vector<std::uint8_t>{1, 0})},
                  {"x", makeDoubleColumn({2.0, 3.0})}});
  VectorAssembler a;
  a.setInputCols({"flag", "x"}).setOutputCol("f");
  const Frame out = a.transform(df);
  EXPECT_THAT(denseRow(out, "f", 0), ElementsAre(1.0, 2.0));
  EXPECT_THAT(denseRow(out, "f", 1), ElementsAre(0.0, 3.0));
}

TEST(VectorAssembler, RejectsStringColumnsAndMissingColumns) {
  const Frame df({{"s", makeStringColumn({"a"})}, {"x", makeDoubleColumn({1.0})}});
  VectorAssembler a;
  a.setInputCols({"x", "s"}).setOutputCol("f");
  EXPECT_THROW((void)a.transformSchema(df.schema()), ColumnError);
  EXPECT_THAT(messageOf([&] { (void)a.transform(df); }),
              HasSubstr("data type string of column 's' is not supported"));
  a.setInputCols({"x", "nope"});
  EXPECT_THROW((void)a.transform(df), ColumnError);
  VectorAssembler unset;
  EXPECT_THROW((void)unset.transformSchema(df.schema()), ParamError);
  EXPECT_THROW(a.set("handleInvalid", "drop"), ParamError);
}

TEST(VectorAssembler, SavedAndLoadedAssemblesTheSame) {
  const Frame df({{"x", makeDoubleColumn({1.0, kNaN})}, {"y", makeInt64Column({2, 3})}});
  VectorAssembler a;
  a.setInputCols({"x", "y"}).setOutputCol("f").setHandleInvalid("keep");
  const auto loaded = deserializeStage(serializeStage(a), "memory:test");
  const Frame out = std::static_pointer_cast<Transformer>(loaded)->transform(df);
  EXPECT_EQ(out.col<VectorColumn>("f")[0].toString(), a.transform(df).col<VectorColumn>("f")[0].toString());
  EXPECT_EQ(loaded->getOrDefault("handleInvalid").as<std::string>(), "keep");
}

}  // namespace
}  // namespace td
