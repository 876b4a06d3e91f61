// tests/feature/string_indexer_test.cc
#include "thunderdome/feature/string_indexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/core/error.h"
#include "thunderdome/io/csv.h"
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

std::vector<double> doubles(const Frame& f, const std::string& c) {
  const auto v = f.col<DoubleColumn>(c).values();
  return {v.begin(), v.end()};
}

std::shared_ptr<StringIndexerModel> fit(StringIndexer& s, const Frame& f) {
  return stageAs<StringIndexerModel>(s.fit(f));
}

// Spark's documentation example (StringIndexerExample): a -> 0, c -> 1, b -> 2.
TEST(StringIndexer, SparkDocumentationExample) {
  const Frame df({{"id", makeInt64Column({0, 1, 2, 3, 4, 5})},
                  {"category", makeStringColumn({"a", "b", "c", "a", "a", "c"})}});
  StringIndexer s;
  s.setInputCol("category").setOutputCol("categoryIndex");
  const auto model = fit(s, df);
  EXPECT_THAT(model->labels(), ElementsAre("a", "c", "b"));
  const Frame out = model->transform(df);
  EXPECT_THAT(doubles(out, "categoryIndex"), ElementsAre(0.0, 2.0, 1.0, 0.0, 0.0, 1.0));
  // The output carries the labels, as Spark's NominalAttribute metadata.
  ASSERT_NE(out.column("categoryIndex")->nominalValues(), nullptr);
  EXPECT_THAT(*out.column("categoryIndex")->nominalValues(), ElementsAre("a", "c", "b"));
}

// The four orders, with Spark 3's tie-breaking: equal counts sort alphabetically (ascending
// for both frequency orders).
TEST(StringIndexer, OrderTypesAndTieBreaking) {
  const Frame df({{"c", makeStringColumn({"b", "d", "b", "c", "a", "b"})}});
  const auto labelsFor = [&](const std::string& order) {
    StringIndexer s;
    s.setInputCol("c").setOutputCol("i").setStringOrderType(order);
    return fit(s, df)->labels();
  };
  EXPECT_THAT(labelsFor("frequencyDesc"), ElementsAre("b", "a", "c", "d"));
  EXPECT_THAT(labelsFor("frequencyAsc"), ElementsAre("a", "c", "d", "b"));
  EXPECT_THAT(labelsFor("alphabetDesc"), ElementsAre("d", "c", "b", "a"));
  EXPECT_THAT(labelsFor("alphabetAsc"), ElementsAre("a", "b", "c", "d"));
  StringIndexer s;
  EXPECT_THROW(s.setStringOrderType("byCount"), ParamError);
}

// Unseen labels and nulls: error (naming value, column, file and line), skip, keep.
TEST(StringIndexer, HandleInvalidUnseenAndNull) {
  const Frame train = readCsvString("id,c\n1,a\n2,b\n3,b\n4,\n", {}, "train.csv");  // a null
  const Frame test = readCsvString("id,c\n1,b\n2,z\n3,\n4,a\n", {}, "test.csv");
  StringIndexer s;
  s.setInputCol("c").setOutputCol("i");
  const auto model = fit(s, train);
  EXPECT_THAT(model->labels(), ElementsAre("b", "a"));
  EXPECT_THAT(messageOf([&] { (void)model->transform(test); }),
              HasSubstr("Unseen label: z in column 'c' at test.csv:3. To handle unseen labels, "
                        "set Param handleInvalid to keep."));
  EXPECT_THAT(messageOf([&] { (void)model->transform(test.take(std::vector<std::int64_t>{2})); }),
              HasSubstr("StringIndexer encountered NULL value in column 'c' at test.csv:4"));
  model->setHandleInvalid("skip");
  const Frame skipped = model->transform(test);
  EXPECT_THAT(doubles(skipped, "i"), ElementsAre(0.0, 1.0));
  EXPECT_EQ(skipped.rowLocation(1), "test.csv:5");
  model->setHandleInvalid("keep");
  const Frame kept = model->transform(test);
  EXPECT_THAT(doubles(kept, "i"), ElementsAre(0.0, 2.0, 2.0, 1.0));
  EXPECT_THAT(*kept.column("i")->nominalValues(), ElementsAre("b", "a", "__unknown"));
}

// A dictionary-encoded column (what the CSV reader makes of few distinct values) is counted
// and looked up per distinct value: the same labels, indices and errors as a plain column.
TEST(StringIndexer, DictionaryEncodedColumnsIndexLikePlainOnes) {
  std::string train = "id,c\n", test = "id,c\n";
  std::vector<std::string> trainValues, testValues;
  for (int r = 0; r < 60; ++r) {
    trainValues.push_back(r % 6 == 0 ? "x" : r % 2 == 0 ? "y" : "z");
    testValues.push_back(r % 7 == 0 ? "new" : trainValues.back());
    train += std::to_string(r) + "," + trainValues.back() + "\n";
    test += std::to_string(r) + "," + (r == 9 ? std::string() : testValues.back()) + "\n";
  }
  const Frame dictTrain = readCsvString(train, {}, "train.csv");
  const Frame dictTest = readCsvString(test, {}, "test.csv");
  ASSERT_TRUE(dictTrain.col<StringColumn>("c").isDictionary());
  ASSERT_TRUE(dictTest.col<StringColumn>("c").isDictionary());
  testValues[9] = "y";  // test row 9 is a null, which the plain frame does not have
  const Frame plainTrain({{"c", makeStringColumn(trainValues)}});
  StringIndexer s;
  s.setInputCol("c").setOutputCol("i").setHandleInvalid("keep");
  const auto dictModel = fit(s, dictTrain);
  const auto plainModel = fit(s, plainTrain);
  EXPECT_THAT(dictModel->labels(), ElementsAre("z", "y", "x"));
  EXPECT_EQ(dictModel->labels(), plainModel->labels());
  const auto got = doubles(dictModel->transform(dictTest), "i");
  const auto want = doubles(plainModel->transform(Frame({{"c", makeStringColumn(testValues)}})), "i");
  for (std::size_t r = 0; r < got.size(); ++r)
    if (r != 9) EXPECT_EQ(got[r], want[r]) << "row " << r;
  EXPECT_EQ(got[0], 3.0) << "unseen 'new' goes to the extra index under keep";
  EXPECT_EQ(got[9], 3.0) << "a null too";
  dictModel->setHandleInvalid("error");
  EXPECT_THAT(messageOf([&] { (void)dictModel->transform(dictTest); }),
              HasSubstr("Unseen label: new in column 'c' at test.csv:2"));
}

// Numeric columns are indexed by their text, as Spark casts them to strings.
TEST(StringIndexer, NumericInputIsIndexedByItsText) {
  const Frame df({{"d", makeDoubleColumn({1.0, 2.5, 1.0, 3.0, 2.5, 1.0})},
                  {"n", makeInt64Column({7, 7, 3, 3, 3, 10})}});
  StringIndexer s;
  s.setInputCols({"d", "n"}).setOutputCols({"di", "ni"});
  const auto model = fit(s, df);
  EXPECT_THAT(model->labelsArray()[0], ElementsAre("1.0", "2.5", "3.0"));
  EXPECT_THAT(model->labelsArray()[1], ElementsAre("3", "7", "10"));
  const Frame out = model->transform(df);
  EXPECT_THAT(doubles(out, "di"), ElementsAre(0.0, 1.0, 0.0, 2.0, 1.0, 0.0));
  EXPECT_THAT(doubles(out, "ni"), ElementsAre(1.0, 1.0, 0.0, 0.0, 0.0, 2.0));
  EXPECT_THROW((void)model->labels(), ParamError);  // two columns: labelsArray
}

TEST(StringIndexer, ParamsAndColumnErrors) {
  const Frame df({{"c", makeStringColumn({"x"})}, {"v", VectorColumn::dense(1, 1, {1.0})}});
  StringIndexer s;
  EXPECT_THAT(messageOf([&] { (void)s.transformSchema(df.schema()); }),
              HasSubstr("requires exactly one of inputCol, inputCols Params to be set, but "
                        "neither is set"));
  s.setInputCol("v");
  EXPECT_THROW((void)s.transformSchema(df.schema()), ColumnError);
  s.setInputCol("c").setOutputCol("c");
  EXPECT_THROW((void)s.transformSchema(df.schema()), ColumnError);  // output exists
  s.setInputCols({"c"});
  EXPECT_THAT(messageOf([&] { (void)s.transformSchema(df.schema()); }), HasSubstr("both are set"));
}

TEST(StringIndexer, ModelRoundTripsThroughSaveAndLoad) {
  const Frame df({{"c", makeStringColumn({"x", "y", "y", "é"})}});
  StringIndexer s;
  s.setInputCol("c").setOutputCol("i").setHandleInvalid("keep");
  const auto model = fit(s, df);
  const auto loaded = stageAs<StringIndexerModel>(deserializeStage(serializeStage(*model), "memory:t"));
  EXPECT_EQ(loaded->labelsArray(), model->labelsArray());
  EXPECT_EQ(loaded->getHandleInvalid(), "keep");
  EXPECT_EQ(doubles(loaded->transform(df), "i"), doubles(model->transform(df), "i"));
}

TEST(IndexToString, LabelsFromTheIndexedColumnOrFromTheParam) {
  const Frame df({{"category", makeStringColumn({"a", "b", "c", "a", "a", "c"})}});
  StringIndexer s;
  s.setInputCol("category").setOutputCol("categoryIndex");
  const Frame indexed = s.fit(df)->transform(df);
  IndexToString back;
  back.setInputCol("categoryIndex").setOutputCol("originalCategory");
  const Frame out = back.transform(indexed);
  for (std::int64_t r = 0; r < df.numRows(); ++r)
    EXPECT_EQ(out.col<StringColumn>("originalCategory")[r], df.col<StringColumn>("category")[r]);
  // The labels param wins; an index outside the labels is an error.
  const Frame idx({{"i", makeDoubleColumn({1.0, 0.0})}});
  IndexToString named;
  named.setInputCol("i").setOutputCol("s").setLabels({"no", "yes"});
  EXPECT_EQ(named.transform(idx).col<StringColumn>("s")[0], "yes");
  named.setLabels({"only"});
  EXPECT_THAT(messageOf([&] { (void)named.transform(idx); }), HasSubstr("Unseen index: 1"));
  IndexToString bare;
  bare.setInputCol("i").setOutputCol("s");
  EXPECT_THAT(messageOf([&] { (void)bare.transform(idx); }),
              HasSubstr("the labels param is not set and column 'i' carries no labels"));
}

}  // namespace
}  // namespace td
