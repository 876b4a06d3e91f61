// tests/frame/frame_test.cc
#include "thunderdome/frame/frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/core/error.h"

namespace td {
namespace {

using ::testing::HasSubstr;

Frame sample() {
  return Frame({
      {"id", makeInt64Column({0, 1, 2, 3})},
      {"text", makeStringColumn({"a b", "c", "d e f", ""})},
      {"label", makeDoubleColumn({1.0, 0.0, 1.0, 0.0})},
  });
}

TEST(FrameTest, SchemaAndLookup) {
  const Frame f = sample();
  EXPECT_EQ(f.numRows(), 4);
  EXPECT_EQ(f.schema().toString(), "id: bigint, text: string, label: double");
  EXPECT_EQ(f.col<StringColumn>("text")[2], "d e f");
  EXPECT_EQ(f.col<Int64Column>("id")[3], 3);
}

TEST(FrameTest, MissingColumnListsAvailableNames) {
  const Frame f = sample();
  try {
    (void)f.column("txt");
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'txt' does not exist (available: id, text, label)"));
  }
}

TEST(FrameTest, WrongTypeNamesBothTypes) {
  const Frame f = sample();
  try {
    (void)f.col<VectorColumn>("text");
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'text' must be of type vector but is string"));
  }
}

TEST(FrameTest, WithColumnSharesExistingColumns) {
  const Frame f = sample();
  const Frame g = f.withColumn("x", makeDoubleColumn({1, 2, 3, 4}));
  EXPECT_EQ(g.column("text").get(), f.column("text").get()) << "columns must be shared, not copied";
  EXPECT_EQ(g.numColumns(), 4u);
  EXPECT_EQ(f.numColumns(), 3u) << "the original frame is unchanged";
  EXPECT_THROW((void)f.withColumn("bad", makeDoubleColumn({1})), ColumnError);
}

TEST(FrameTest, SelectDropAndTake) {
  const Frame f = sample();
  const Frame s = f.select({"label", "id"});
  EXPECT_EQ(s.columnNames(), (std::vector<std::string>{"label", "id"}));
  EXPECT_EQ(f.drop("text").columnNames(), (std::vector<std::string>{"id", "label"}));
  const std::vector<std::int64_t> rows{3, 0, 0};
  const Frame t = f.take(rows);
  EXPECT_EQ(t.numRows(), 3);
  EXPECT_EQ(t.col<Int64Column>("id")[0], 3);
  EXPECT_EQ(t.col<StringColumn>("text")[1], "a b");
  EXPECT_EQ(t.col<StringColumn>("text")[2], "a b");
  // take of a take composes the index.
  const std::vector<std::int64_t> again{1};
  EXPECT_EQ(t.take(again).col<StringColumn>("text")[0], "a b");
}

TEST(FrameTest, StringArrayAndVectorColumns) {
  auto arr = StringArrayColumn::fromRows({{"a", "b"}, {}, {"c"}});
  EXPECT_EQ(arr->size(), 3);
  EXPECT_EQ((*arr)[1].size(), 0u);
  EXPECT_EQ((*arr)[2][0], "c");
  auto sp = VectorColumn::sparse(10, {0, 2, 2, 3}, {1, 7, 4}, {1.0, 2.0, 3.0});
  EXPECT_EQ((*sp)[0].toString(), "(10,[1,7],[1.0,2.0])");
  EXPECT_EQ((*sp)[1].nnz, 0);
  EXPECT_EQ((*sp)[2].at(4), 3.0);
  EXPECT_EQ((*sp)[2].at(5), 0.0);
  auto dn = VectorColumn::dense(2, 2, {0.25, 0.75, 1.0, 0.0});
  EXPECT_EQ((*dn)[0].toString(), "[0.25,0.75]");
  const std::vector<std::int64_t> rows{2, 0};
  auto spTaken = std::static_pointer_cast<const VectorColumn>(sp->take(rows));
  EXPECT_EQ((*spTaken)[0].toString(), "(10,[4],[3.0])");
  EXPECT_EQ((*spTaken)[1].toString(), "(10,[1,7],[1.0,2.0])");
  EXPECT_THROW(VectorColumn::sparse(5, {0, 2}, {3, 1}, {1.0, 1.0}), InternalError);
}

TEST(FrameTest, RandomSplitIsSeededAndPartitionsRows) {
  std::vector<std::int64_t> ids(1000);
  for (int i = 0; i < 1000; ++i) ids[static_cast<std::size_t>(i)] = i;
  const Frame f({{"id", makeInt64Column(ids)}});
  const auto a = f.randomSplit({0.75, 0.25}, 7);
  const auto b = f.randomSplit({0.75, 0.25}, 7);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].numRows() + a[1].numRows(), 1000);
  EXPECT_NEAR(static_cast<double>(a[0].numRows()), 750, 60);
  EXPECT_EQ(a[0].numRows(), b[0].numRows());
  for (std::int64_t i = 0; i < a[1].numRows(); ++i)
    EXPECT_EQ(a[1].col<Int64Column>("id")[i], b[1].col<Int64Column>("id")[i]);
  EXPECT_THROW((void)f.randomSplit({-1.0, 2.0}, 1), ParamError);
}

TEST(FrameTest, ShowRendersTable) {
  const std::string s = sample().show(2);
  EXPECT_THAT(s, HasSubstr("|id|text|label|"));
  EXPECT_THAT(s, HasSubstr("| 0| a b|  1.0|"));
  EXPECT_THAT(s, HasSubstr("only showing top 2 rows"));
}

TEST(FrameTest, DuplicateColumnNamesRejected) {
  EXPECT_THROW(Frame({{"a", makeInt64Column({1})}, {"a", makeInt64Column({2})}}), ColumnError);
  EXPECT_THROW(Frame({{"a", makeInt64Column({1})}, {"b", makeInt64Column({2, 3})}}), ColumnError);
}

}  // namespace
}  // namespace td
