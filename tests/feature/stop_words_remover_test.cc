// tests/feature/stop_words_remover_test.cc
#include "thunderdome/feature/stop_words_remover.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "thunderdome/core/error.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/pipeline/pipeline.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Rows = std::vector<std::vector<std::string>>;

Rows column(const Frame& f, const std::string& name) {
  const auto& c = f.col<StringArrayColumn>(name);
  Rows out;
  for (std::int64_t r = 0; r < c.size(); ++r) out.emplace_back(c[r].begin(), c[r].end());
  return out;
}

// Spark's testStopWordsRemover: "raw" in, "filtered" compared with the expected rows.
void expectRemoves(const StopWordsRemover& remover, const Rows& raw, const Rows& expected) {
  const Frame out = remover.transform(Frame({{"raw", StringArrayColumn::fromRows(raw)}}));
  EXPECT_EQ(column(out, "filtered"), expected);
}

StopWordsRemover remover() {
  StopWordsRemover r;
  r.setInputCol("raw").setOutputCol("filtered");
  return r;
}

TEST(StopWordsRemoverTest, DefaultEnglishListIsSparks) {
  const auto words = StopWordsRemover::loadDefaultStopWords("english");
  ASSERT_EQ(words.size(), 181u);
  EXPECT_EQ(std::set<std::string>(words.begin(), words.end()).size(), 181u);
  EXPECT_EQ(words.front(), "i");
  EXPECT_EQ(words[126], "now");
  EXPECT_EQ(words[127], "i'll");
  EXPECT_EQ(words.back(), "would");
  EXPECT_EQ(StopWordsRemover().getStopWords(), words);
  EXPECT_EQ(StopWordsRemover::loadDefaultStopWords("turkish").size(), 53u);
  try {
    (void)StopWordsRemover::loadDefaultStopWords("klingon");
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'klingon' is not in the supported language list: english, "
                                    "turkish"));
  }
  StopWordsRemover r;
  EXPECT_FALSE(r.getCaseSensitive());
  EXPECT_EQ(r.getLocale(), "en_US");
  EXPECT_THAT(r.uid(), ::testing::StartsWith("stopWords_"));
}

// StopWordsRemoverSuite "StopWordsRemover default" (the null-token row has no equivalent: frames
// hold no nulls).
TEST(StopWordsRemoverTest, SparkDefault) {
  expectRemoves(
      remover(),
      {{"test", "test"}, {"a", "b", "c", "d"}, {"a", "the", "an"}, {"A", "The", "AN"}, {}},
      {{"test", "test"}, {"b", "c", "d"}, {}, {}, {}});
}

// "StopWordsRemover with particular stop words list"
TEST(StopWordsRemoverTest, SparkParticularStopWordsList) {
  auto r = remover();
  r.setStopWords({"test", "a", "an", "the"});
  expectRemoves(
      r, {{"test", "test"}, {"a", "b", "c", "d"}, {"a", "the", "an"}, {"A", "The", "AN"}, {}},
      {{}, {"b", "c", "d"}, {}, {}, {}});
}

// "StopWordsRemover with localed input (case insensitive)" and "(case sensitive)": Turkish
// lowercases U+0130 (İ) to i and I to the dotless ı.
TEST(StopWordsRemoverTest, SparkLocaledInput) {
  auto r = remover();
  r.setStopWords({"milk", "cookie"}).setCaseSensitive(false).setLocale("tr");
  const Rows raw{{"m\xC4\xB0lk", "and", "nuts"}, {"cookIe", "and", "nuts"}, {}};
  expectRemoves(r, raw, {{"and", "nuts"}, {"cookIe", "and", "nuts"}, {}});
  r.setCaseSensitive(true);
  expectRemoves(r, raw, raw);
  // In other locales Java lowercases I to i and İ to i + U+0307 (so "mİlk" is no "milk").
  r.setCaseSensitive(false).setLocale("en_US");
  expectRemoves(r, raw, {{"m\xC4\xB0lk", "and", "nuts"}, {"and", "nuts"}, {}});
  EXPECT_EQ(StopWordsRemover::toLowerLocale("m\xC4\xB0LK", "en"), "mi\xCC\x87lk");
  EXPECT_EQ(StopWordsRemover::toLowerLocale("M\xC4\xB0LK IS", "tr_TR"), "milk \xC4\xB1s");
  EXPECT_EQ(StopWordsRemover::toLowerLocale("M\xC4\xB0LK IS", "az"), "milk \xC4\xB1s");
  EXPECT_EQ(StopWordsRemover::toLowerLocale("\xC3\x89T\xC3\x89 \xD0\x9C", "fr"),
            "\xC3\xA9t\xC3\xA9 \xD0\xBC");
}

// "StopWordsRemover with invalid locale"
TEST(StopWordsRemoverTest, SparkInvalidLocale) {
  StopWordsRemover r;
  for (const char* bad : {"rt", "", "en-US", "en_us", "EN", "en_USA", "xx_YY"}) {
    SCOPED_TRACE(bad);
    try {
      r.setLocale(bad);
      FAIL();
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr("StopWordsRemover " + r.uid()));
      EXPECT_THAT(e.what(), HasSubstr("'locale' given invalid value \"" + std::string(bad)));
    }
  }
  for (const char* good : {"en", "en_US", "tr", "tr_TR", "de_DE", "es_419", "az"})
    EXPECT_NO_THROW(r.setLocale(good)) << good;
}

// "StopWordsRemover case sensitive"
TEST(StopWordsRemoverTest, SparkCaseSensitive) {
  auto r = remover();
  r.setCaseSensitive(true);
  expectRemoves(r, {{"A"}, {"The", "the"}}, {{"A"}, {"The"}});
}

// "StopWordsRemover with language selection"
TEST(StopWordsRemoverTest, SparkLanguageSelection) {
  auto r = remover();
  r.setStopWords(StopWordsRemover::loadDefaultStopWords("turkish"));
  expectRemoves(r, {{"acaba", "ama", "biri"}, {"hep", "her", "scala"}}, {{}, {"scala"}});
}

// "StopWordsRemover with ignored words" and "with additional words"
TEST(StopWordsRemoverTest, SparkIgnoredAndAdditionalWords) {
  auto english = StopWordsRemover::loadDefaultStopWords("english");
  auto r = remover();
  std::vector<std::string> ignored;
  for (const auto& w : english)
    if (w != "a") ignored.push_back(w);
  r.setStopWords(ignored);
  const Rows raw{{"python", "scala", "a"}, {"Python", "Scala", "swift"}};
  expectRemoves(r, raw, raw);
  english.insert(english.end(), {"python", "scala"});
  r.setStopWords(english);
  expectRemoves(r, raw, {{}, {"swift"}});
}

// "StopWordsRemover output column already exists"
TEST(StopWordsRemoverTest, SparkOutputColumnAlreadyExists) {
  auto r = remover();
  r.setOutputCol("expected");
  const Frame f({{"raw", StringArrayColumn::fromRows({{"The", "the", "swift"}})},
                 {"expected", StringArrayColumn::fromRows({{"swift"}})}});
  try {
    (void)r.transform(f);
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("StopWordsRemover " + r.uid()));
    EXPECT_THAT(e.what(), HasSubstr("expected"));
  }
}

// "Multiple Columns: StopWordsRemover default" / "with particular stop words list", and the
// single vs multi column comparison.
TEST(StopWordsRemoverTest, SparkMultipleColumns) {
  const Frame f(
      {{"raw1",
        StringArrayColumn::fromRows(
            {{"test", "test"}, {"a", "b", "c", "d"}, {"a", "the", "an"}, {"A", "The", "AN"}, {}})},
       {"raw2", StringArrayColumn::fromRows(
                    {{"test1", "test2"}, {"a", "b"}, {"the", "an"}, {"A", "The"}, {}})}});
  StopWordsRemover multi;
  multi.setInputCols({"raw1", "raw2"}).setOutputCols({"filtered1", "filtered2"});
  Frame out = multi.transform(f);
  EXPECT_EQ(column(out, "filtered1"), (Rows{{"test", "test"}, {"b", "c", "d"}, {}, {}, {}}));
  EXPECT_EQ(column(out, "filtered2"), (Rows{{"test1", "test2"}, {"b"}, {}, {}, {}}));

  StopWordsRemover one;
  one.setInputCol("raw2").setOutputCol("filtered2");
  EXPECT_EQ(column(one.transform(f), "filtered2"), column(out, "filtered2"));

  multi.setStopWords({"test", "a", "an", "the"});
  const Frame f2(
      {{"raw1", f.column("raw1")},
       {"raw2",
        StringArrayColumn::fromRows(
            {{"test1", "test2"}, {"a", "b"}, {"a", "the", "test1"}, {"A", "The", "AN"}, {}})}});
  out = multi.transform(f2);
  EXPECT_EQ(column(out, "filtered1"), (Rows{{}, {"b", "c", "d"}, {}, {}, {}}));
  EXPECT_EQ(column(out, "filtered2"), (Rows{{"test1", "test2"}, {"b"}, {"test1"}, {}, {}}));
}

// "Multiple Columns: Mismatched sizes of inputCols/outputCols", "Set both of inputCol/inputCols"
TEST(StopWordsRemoverTest, SparkSingleVsMultiColumnErrors) {
  const Frame f({{"input1", StringArrayColumn::fromRows({{"A"}, {"The", "the"}})},
                 {"input2", StringArrayColumn::fromRows({{"A"}, {"The"}})}});
  const auto expectError = [&](const StopWordsRemover& r, const std::string& what) {
    try {
      (void)r.transform(f);
      FAIL() << what;
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr("StopWordsRemover " + r.uid()));
      EXPECT_THAT(e.what(), HasSubstr(what));
    }
  };
  StopWordsRemover r;
  r.setInputCols({"input1"}).setOutputCols({"result1", "result2"});
  expectError(r, "should have equal lengths, but they have different lengths: (1, 2)");
  r.setInputCols({"input1", "input2"}).setInputCol("input1");
  expectError(r, "both are set");
  StopWordsRemover none;
  expectError(none, "neither is set");
  StopWordsRemover single;
  single.setInputCol("input1").setOutputCols({"x"});
  expectError(single, "outputCols is not applicable");
  StopWordsRemover multi;
  multi.setInputCols({"input1"}).setOutputCol("x");
  expectError(multi, "outputCol is not applicable");
}

TEST(StopWordsRemoverTest, WrongInputTypeIsAColumnError) {
  auto r = remover();
  try {
    (void)r.transform(Frame({{"raw", makeStringColumn({"a b"})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'raw' must be of type array<string> but is string"));
  }
}

// A row view (what tuning's folds are cut from) filters like the whole column.
TEST(StopWordsRemoverTest, ManyRowsAndRowViews) {
  Rows rows;
  for (int i = 0; i < 3000; ++i) rows.push_back({"The", "w" + std::to_string(i % 7), "AND", "x"});
  const Frame f({{"raw", StringArrayColumn::fromRows(rows)}});
  const Frame out = remover().transform(f);
  const std::vector<std::int64_t> pick{2999, 5, 1024};
  const Frame viewOut = remover().transform(f.take(pick));
  for (std::size_t k = 0; k < pick.size(); ++k)
    EXPECT_EQ(column(viewOut, "filtered")[k], column(out, "filtered")[pick[k]]);
  EXPECT_THAT(column(out, "filtered")[1023], ElementsAre("w1", "x"));
}

// Spark's "read/write": params (including a custom list and caseSensitive) survive save/load.
TEST(StopWordsRemoverTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_sw");
  std::filesystem::create_directories(dir);
  StopWordsRemover t1;
  t1.setInputCol("myInputCol").setOutputCol("myOutputCol").setStopWords({"the", "a"});
  t1.setCaseSensitive(true).setLocale("tr_TR");
  saveStage(t1, (dir / "t1").string());
  auto l1 = stageAs<StopWordsRemover>(loadStage((dir / "t1").string()));
  EXPECT_EQ(l1->uid(), t1.uid());
  EXPECT_EQ(l1->getStopWords(), (std::vector<std::string>{"the", "a"}));
  EXPECT_TRUE(l1->getCaseSensitive());
  EXPECT_EQ(l1->getLocale(), "tr_TR");
  EXPECT_EQ(l1->explainParams(), t1.explainParams());

  StopWordsRemover t2;
  t2.setInputCols({"input1", "input2", "input3"}).setOutputCols({"result1", "result2", "result3"});
  saveStage(t2, (dir / "t2").string());
  auto l2 = stageAs<StopWordsRemover>(loadStage((dir / "t2").string()));
  EXPECT_EQ(l2->getInputCols(), t2.getInputCols());
  EXPECT_EQ(l2->getOutputCols(), t2.getOutputCols());
  EXPECT_FALSE(l2->isSet(StopWordsRemover::inputCol));
  EXPECT_EQ(l2->getStopWords().size(), 181u);
  std::filesystem::remove_all(dir);
}

TEST(StopWordsRemoverTest, InAPipelineBeforeHashingTF) {
  auto tok = std::make_shared<Tokenizer>();
  tok->setInputCol("text").setOutputCol("words");
  auto sw = std::make_shared<StopWordsRemover>();
  sw->setInputCol("words").setOutputCol("filtered");
  auto tf = std::make_shared<HashingTF>();
  tf->setInputCol("filtered").setOutputCol("features").setNumFeatures(1000);
  Pipeline p(std::vector<std::shared_ptr<PipelineStage>>{tok, sw, tf});
  const Frame data({{"text", makeStringColumn({"The spark is a engine", "I would use Hadoop"})}});
  const Frame out = p.fit(data)->transform(data);
  EXPECT_EQ(column(out, "filtered"), (Rows{{"spark", "engine"}, {"use", "hadoop"}}));
  // "spark" -> 286, "hadoop" -> 585 at 1000 features (HashingTF's reference indices).
  const auto& f = out.col<VectorColumn>("features");
  EXPECT_DOUBLE_EQ(f[0].at(286), 1.0);
  EXPECT_DOUBLE_EQ(f[1].at(585), 1.0);
  EXPECT_EQ(f[0].nnz, 2);
  EXPECT_EQ(f[1].nnz, 2);
}

}  // namespace
}  // namespace td
