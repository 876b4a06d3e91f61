// tests/frame/frame_test.cc
#include "thunderdome/frame/frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

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

TEST(FrameTest, StringArrayColumnIsFlatAndRowsAreRanges) {
  // The flat form: "ab", "", "c" | (none) | "de".
  const StringArrayColumn col(std::string("abcde"), {0, 2, 2, 3, 5}, {0, 3, 3, 4});
  ASSERT_EQ(col.size(), 3);
  const auto r0 = col[0];
  ASSERT_EQ(r0.size(), 3u);
  EXPECT_EQ(r0[0], "ab");
  EXPECT_EQ(r0[1], "");
  EXPECT_EQ(r0[2], "c");
  EXPECT_EQ(std::vector<std::string>(r0.begin(), r0.end()),
            (std::vector<std::string>{"ab", "", "c"}));
  EXPECT_EQ(r0.end() - r0.begin(), 3);
  EXPECT_TRUE(col[1].empty());
  EXPECT_EQ(col[2][0], "de");
  // The vector-of-strings form stores the same thing.
  const StringArrayColumn same({"ab", "", "c", "de"}, {0, 3, 3, 4});
  for (std::int64_t i = 0; i < 3; ++i)
    EXPECT_EQ(std::vector<std::string>(same[i].begin(), same[i].end()),
              std::vector<std::string>(col[i].begin(), col[i].end()));
  // take is a row view over the same bytes.
  const std::vector<std::int64_t> rows{2, 0, 2};
  const auto t = std::static_pointer_cast<const StringArrayColumn>(col.take(rows));
  ASSERT_EQ(t->size(), 3);
  EXPECT_EQ((*t)[0][0].data(), col[2][0].data());  // shared, not copied
  EXPECT_EQ((*t)[1][2], "c");
  EXPECT_THROW(StringArrayColumn(std::string("abc"), {0, 2}, {0, 1}), InternalError);
  EXPECT_THROW(StringArrayColumn(std::string("ab"), {0, 2}, {0, 2}), InternalError);
}

TEST(FrameTest, VectorColumnTakeIsARowView) {
  auto sp = VectorColumn::sparse(10, {0, 2, 2, 3, 5}, {1, 7, 4, 0, 9}, {1.0, 2.0, 3.0, 4.0, 5.0});
  const std::vector<std::int64_t> rows{3, 1, 0, 3};
  const auto v = std::static_pointer_cast<const VectorColumn>(sp->take(rows));
  EXPECT_FALSE(sp->isView());
  ASSERT_TRUE(v->isView());
  EXPECT_EQ(v->size(), 4);
  EXPECT_EQ(v->dim(), 10);
  EXPECT_EQ(v->numStored(), 6);
  EXPECT_EQ((*v)[0].values, (*sp)[3].values);  // the row points into the shared storage
  EXPECT_EQ((*v)[1].nnz, 0);
  EXPECT_EQ((*v)[2].toString(), "(10,[1,7],[1.0,2.0])");
  // The contiguous arrays of a view are its rows in order (made once, on first request).
  EXPECT_EQ(std::vector<std::int64_t>(v->offsets().begin(), v->offsets().end()),
            (std::vector<std::int64_t>{0, 2, 2, 4, 6}));
  EXPECT_EQ(std::vector<std::int32_t>(v->indices().begin(), v->indices().end()),
            (std::vector<std::int32_t>{0, 9, 1, 7, 0, 9}));
  EXPECT_EQ(std::vector<double>(v->values().begin(), v->values().end()),
            (std::vector<double>{4.0, 5.0, 1.0, 2.0, 4.0, 5.0}));
  EXPECT_EQ(v->values().data(), v->values().data());  // made once
  // A view of a view composes the row index over the original storage.
  const std::vector<std::int64_t> again{2, 0};
  const auto w = std::static_pointer_cast<const VectorColumn>(v->take(again));
  EXPECT_EQ((*w)[0].toString(), "(10,[1,7],[1.0,2.0])");
  EXPECT_EQ((*w)[1].values, (*sp)[3].values);
  EXPECT_THROW((void)v->take(std::vector<std::int64_t>{4}), InternalError);

  auto dn = VectorColumn::dense(3, 2, {1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
  const std::vector<std::int64_t> drows{2, 0};
  const auto dv = std::static_pointer_cast<const VectorColumn>(dn->take(drows));
  EXPECT_TRUE(dv->isDense());
  EXPECT_EQ(dv->numStored(), 4);
  EXPECT_EQ((*dv)[0].toString(), "[5.0,6.0]");
  EXPECT_EQ(std::vector<double>(dv->values().begin(), dv->values().end()),
            (std::vector<double>{5.0, 6.0, 1.0, 2.0}));
  EXPECT_TRUE(dv->offsets().empty());
}

TEST(FrameTest, WithValuesSharesTheSparseLayout) {
  const auto col = VectorColumn::sparse(5, {0, 2, 2, 3}, {1, 4, 0}, {1.0, 2.0, 3.0});
  const auto scaled = VectorColumn::withValues(*col, {10.0, 20.0, 30.0});
  EXPECT_EQ(scaled->indices().data(), col->indices().data()) << "indices shared, not copied";
  EXPECT_EQ(scaled->offsets().data(), col->offsets().data());
  EXPECT_EQ(scaled->size(), 3);
  EXPECT_EQ(scaled->dim(), 5);
  EXPECT_EQ((*scaled)[0].toString(), "(5,[1,4],[10.0,20.0])");
  EXPECT_EQ((*scaled)[1].nnz, 0);
  EXPECT_EQ((*scaled)[2].toString(), "(5,[0],[30.0])");
  // Of a row view: the view's rows, in its order; and a chain of withValues stays flat.
  const std::vector<std::int64_t> rows{2, 0};
  const auto view = std::static_pointer_cast<const VectorColumn>(col->take(rows));
  const auto fromView = VectorColumn::withValues(*view, {7.0, 8.0, 9.0});
  EXPECT_EQ((*fromView)[0].toString(), "(5,[0],[7.0])");
  EXPECT_EQ((*fromView)[1].toString(), "(5,[1,4],[8.0,9.0])");
  const auto again = VectorColumn::withValues(*scaled, {0.0, 0.0, 1.0});
  EXPECT_EQ(again->indices().data(), col->indices().data());
  EXPECT_EQ((*again)[2].toString(), "(5,[0],[1.0])");
  // Dense keeps its shape; a wrong count is an internal error.
  const auto dense = VectorColumn::dense(2, 2, {1, 2, 3, 4});
  EXPECT_EQ((*VectorColumn::withValues(*dense, {4, 3, 2, 1}))[1].toString(), "[2.0,1.0]");
  EXPECT_THROW((void)VectorColumn::withValues(*col, {1.0}), InternalError);
}

TEST(FrameTest, OneHotColumnsReadAsUnitVectors) {
  const auto col = VectorColumn::oneHot(4, {2, -1, 0, 3});
  EXPECT_EQ((*col)[0].toString(), "(4,[2],[1.0])");
  EXPECT_EQ((*col)[1].toString(), "(4,[],[])");
  EXPECT_FALSE(col->isDense());
  EXPECT_EQ(col->numStored(), 3);
  // The contiguous arrays are made on first request.
  EXPECT_THAT(std::vector<std::int64_t>(col->offsets().begin(), col->offsets().end()),
              ::testing::ElementsAre(0, 1, 1, 2, 3));
  EXPECT_THAT(std::vector<std::int32_t>(col->indices().begin(), col->indices().end()),
              ::testing::ElementsAre(2, 0, 3));
  const std::vector<std::int64_t> rows{3, 1};
  const auto view = std::static_pointer_cast<const VectorColumn>(col->take(rows));
  EXPECT_EQ((*view)[0].toString(), "(4,[3],[1.0])");
  EXPECT_EQ(view->numStored(), 1);
  EXPECT_THROW((void)VectorColumn::oneHot(4, {4}), InternalError);
}

TEST(FrameTest, ConcatKeepsPowerOfTwoPartsAsChunks) {
  std::vector<std::shared_ptr<const VectorColumn>> parts{
      VectorColumn::sparse(3, {0, 1, 1}, {2}, {5.0}),
      VectorColumn::sparse(3, {0, 2, 3}, {0, 1, 2}, {1.0, 2.0, 3.0}),
      VectorColumn::oneHot(3, {1})};
  const auto all = VectorColumn::concat(parts);
  ASSERT_EQ(all->size(), 5);
  const std::vector<std::string> want{"(3,[2],[5.0])", "(3,[],[])", "(3,[0,1],[1.0,2.0])",
                                      "(3,[2],[3.0])", "(3,[1],[1.0])"};
  for (std::int64_t r = 0; r < 5; ++r) EXPECT_EQ((*all)[r].toString(), want[static_cast<std::size_t>(r)]);
  EXPECT_EQ((*all)[2].values, (*parts[1])[0].values) << "chunks are the parts, not copies";
  EXPECT_EQ(all->numStored(), 5);
  EXPECT_THAT(std::vector<double>(all->values().begin(), all->values().end()),
              ::testing::ElementsAre(5.0, 1.0, 2.0, 3.0, 1.0));
  const std::vector<std::int64_t> rows{4, 0};
  EXPECT_EQ((*std::static_pointer_cast<const VectorColumn>(all->take(rows)))[0].toString(),
            "(3,[1],[1.0])");
  // Parts of other sizes are copied; all dense stays dense.
  const auto copied = VectorColumn::concat({VectorColumn::dense(3, 2, {1, 2, 3, 4, 5, 6}),
                                            VectorColumn::dense(1, 2, {7, 8})});
  EXPECT_TRUE(copied->isDense());
  EXPECT_EQ((*copied)[3].toString(), "[7.0,8.0]");
  EXPECT_THROW((void)VectorColumn::concat({VectorColumn::dense(1, 2, {1, 2}),
                                           VectorColumn::dense(1, 3, {1, 2, 3})}),
               InternalError);
}

TEST(FrameTest, ConcatRowsKeepsNullsAndNominalValues) {
  auto a = std::make_shared<DoubleColumn>(std::vector<double>{1.0, 0.0});
  a->setNulls({0, 1});
  a->setNominalValues({"x", "y"});
  const auto b = std::make_shared<DoubleColumn>(std::vector<double>{2.0});
  const auto all = concatRows({a, b});
  ASSERT_EQ(all->size(), 3);
  EXPECT_EQ(static_cast<const DoubleColumn&>(*all)[2], 2.0);
  EXPECT_TRUE(all->isNull(1));
  EXPECT_FALSE(all->isNull(2));
  EXPECT_THAT(*all->nominalValues(), ::testing::ElementsAre("x", "y"));
  const auto words = concatRows({StringArrayColumn::fromRows({{"a", "b"}}),
                                 StringArrayColumn::fromRows({{}, {"c"}})});
  EXPECT_EQ(static_cast<const StringArrayColumn&>(*words)[2][0], "c");
  EXPECT_THROW((void)concatRows({a, words}), InternalError);
}

TEST(FrameTest, ViewArraysAreMadeOnceUnderConcurrentReaders) {
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;
  for (int r = 0; r < 2000; ++r) {
    for (int k = 0; k < r % 4; ++k) {
      indices.push_back(k * 3 + r % 3);
      values.push_back(r + 0.5 * k);
    }
    offsets.push_back(static_cast<std::int64_t>(values.size()));
  }
  auto col = VectorColumn::sparse(16, offsets, indices, values);
  std::vector<std::int64_t> rows;
  for (std::int64_t r = 1999; r >= 0; r -= 3) rows.push_back(r);
  const auto v = std::static_pointer_cast<const VectorColumn>(col->take(rows));
  std::vector<const double*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t)
    threads.emplace_back([&, t] { seen[t] = v->values().data(); });
  for (auto& th : threads) th.join();
  for (const double* p : seen) EXPECT_EQ(p, seen[0]);
  const auto offs = v->offsets();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const VectorView a = (*col)[rows[i]];
    ASSERT_EQ(offs[i + 1] - offs[i], a.nnz);
    for (std::int64_t k = 0; k < a.nnz; ++k) {
      EXPECT_EQ(v->indices()[static_cast<std::size_t>(offs[i] + k)], a.indices[k]);
      EXPECT_EQ(v->values()[static_cast<std::size_t>(offs[i] + k)], a.values[k]);
    }
  }
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
  EXPECT_THAT(s, HasSubstr("| id|text|label|"));  // Spark's minimum width of 3
  EXPECT_THAT(s, HasSubstr("|  0| a b|  1.0|"));
  EXPECT_THAT(s, HasSubstr("only showing top 2 rows"));
  // Spark left-aligns the cells when not truncating.
  EXPECT_THAT(sample().show(2, false), HasSubstr("|id |text|label|"));
}

TEST(FrameTest, DuplicateColumnNamesRejected) {
  EXPECT_THROW(Frame({{"a", makeInt64Column({1})}, {"a", makeInt64Column({2})}}), ColumnError);
  EXPECT_THROW(Frame({{"a", makeInt64Column({1})}, {"b", makeInt64Column({2, 3})}}), ColumnError);
}

}  // namespace
}  // namespace td
