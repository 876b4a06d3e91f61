// tests/feature/one_hot_encoder_test.cc
#include "thunderdome/feature/one_hot_encoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/core/error.h"
#include "thunderdome/feature/string_indexer.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<std::string> rows(const Frame& f, const std::string& c) {
  std::vector<std::string> out;
  for (std::int64_t r = 0; r < f.numRows(); ++r) out.push_back(f.col<VectorColumn>(c)[r].toString());
  return out;
}

// Spark's documentation example (OneHotEncoderExample), its output as Spark prints it.
TEST(OneHotEncoder, SparkDocumentationExample) {
  const Frame df({{"categoryIndex1", makeDoubleColumn({0.0, 1.0, 2.0, 0.0, 0.0, 2.0})},
                  {"categoryIndex2", makeDoubleColumn({1.0, 0.0, 1.0, 2.0, 1.0, 0.0})}});
  OneHotEncoder e;
  e.setInputCols({"categoryIndex1", "categoryIndex2"})
      .setOutputCols({"categoryVec1", "categoryVec2"});
  const auto model = stageAs<OneHotEncoderModel>(e.fit(df));
  EXPECT_THAT(model->categorySizes(), ElementsAre(3, 3));
  const Frame out = model->transform(df);
  EXPECT_THAT(rows(out, "categoryVec1"),
              ElementsAre("(2,[0],[1.0])", "(2,[1],[1.0])", "(2,[],[])", "(2,[0],[1.0])",
                          "(2,[0],[1.0])", "(2,[],[])"));
  EXPECT_THAT(rows(out, "categoryVec2"),
              ElementsAre("(2,[1],[1.0])", "(2,[0],[1.0])", "(2,[1],[1.0])", "(2,[],[])",
                          "(2,[1],[1.0])", "(2,[0],[1.0])"));
}

// dropLast x handleInvalid, as Spark's OneHotEncoderSuite: the sizes and where an unseen value
// goes.
TEST(OneHotEncoder, DropLastAndKeepInvalid) {
  const Frame train({{"i", makeDoubleColumn({0.0, 1.0, 2.0})}});
  const Frame test({{"i", makeDoubleColumn({1.0, 3.0})}});
  OneHotEncoder e;
  e.setInputCol("i").setOutputCol("v");
  const auto model = stageAs<OneHotEncoderModel>(e.fit(train));
  EXPECT_THAT(messageOf([&] { (void)model->transform(test); }),
              HasSubstr("Unseen value: 3 in column 'i' at row 1. To handle unseen values, set "
                        "Param handleInvalid to keep."));
  model->setHandleInvalid("keep");
  EXPECT_THAT(rows(model->transform(test), "v"), ElementsAre("(3,[1],[1.0])", "(3,[],[])"));
  model->setDropLast(false);
  EXPECT_THAT(rows(model->transform(test), "v"), ElementsAre("(4,[1],[1.0])", "(4,[3],[1.0])"));
  model->setHandleInvalid("error");
  EXPECT_THAT(rows(model->transform(train), "v"),
              ElementsAre("(3,[0],[1.0])", "(3,[1],[1.0])", "(3,[2],[1.0])"));
  EXPECT_THROW(e.setHandleInvalid("skip"), ParamError);  // Spark's OneHotEncoder has no skip
  // A null index is refused (as Spark's encoder does), whether or not invalid ones are kept.
  auto withNull = std::make_shared<DoubleColumn>(std::vector<double>{1.0, 0.0});
  withNull->setNulls({0, 1});
  const Frame nulls({{"i", withNull}});
  for (const char* mode : {"error", "keep"}) {
    model->setHandleInvalid(mode);
    EXPECT_THAT(messageOf([&] { (void)model->transform(nulls); }),
                HasSubstr("column 'i' holds a null"));
  }
}

TEST(OneHotEncoder, FitRejectsValuesThatAreNotIndices) {
  OneHotEncoder e;
  e.setInputCol("i").setOutputCol("v");
  EXPECT_THAT(messageOf([&] { (void)e.fit(Frame({{"i", makeDoubleColumn({0.0, 1.5})}})); }),
              HasSubstr("Values from column i must be indices, but got 1.5"));
  EXPECT_THAT(messageOf([&] { (void)e.fit(Frame({{"i", makeDoubleColumn({-1.0})}})); }),
              HasSubstr("must be indices, but got -1"));
  EXPECT_THROW((void)e.fit(Frame({{"i", makeStringColumn({"a"})}})), ColumnError);
}

// The category count comes from the indexer's labels, not from the rows: a fold that lacks the
// last label still encodes to the full width.
TEST(OneHotEncoder, SizeComesFromTheIndexersLabels) {
  const Frame all({{"c", makeStringColumn({"a", "a", "a", "b", "b", "c"})}});
  StringIndexer s;
  s.setInputCol("c").setOutputCol("ci");
  const auto indexer = s.fit(all);
  const Frame fold = indexer->transform(all.take(std::vector<std::int64_t>{0, 1, 3}));  // no "c"
  OneHotEncoder e;
  e.setInputCol("ci").setOutputCol("v");
  const auto model = stageAs<OneHotEncoderModel>(e.fit(fold));
  EXPECT_THAT(model->categorySizes(), ElementsAre(3));
  const auto loaded =
      stageAs<OneHotEncoderModel>(deserializeStage(serializeStage(*model), "memory:t"));
  EXPECT_THAT(loaded->categorySizes(), ElementsAre(3));
  EXPECT_THAT(rows(loaded->transform(indexer->transform(all)), "v"),
              ElementsAre("(2,[0],[1.0])", "(2,[0],[1.0])", "(2,[0],[1.0])", "(2,[1],[1.0])",
                          "(2,[1],[1.0])", "(2,[],[])"));
  // Under keep the indexer's "__unknown" is a category too (Spark): an unseen value is index 3
  // of 4 categories, the one dropLast drops.
  stageAs<StringIndexerModel>(indexer)->setHandleInvalid("keep");
  const Frame kept = indexer->transform(all);
  const auto keepModel = stageAs<OneHotEncoderModel>(e.fit(kept));
  EXPECT_THAT(keepModel->categorySizes(), ElementsAre(4));
  const Frame unseen({{"c", makeStringColumn({"zzz", "b"})}});
  EXPECT_THAT(rows(keepModel->transform(indexer->transform(unseen)), "v"),
              ElementsAre("(3,[],[])", "(3,[1],[1.0])"));
}

}  // namespace
}  // namespace td
