// tests/feature/ngram_test.cc
#include "thunderdome/feature/ngram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

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

Rows ngrams(const NGram& g, const Rows& in) {
  return column(g.transform(Frame({{"inputTokens", StringArrayColumn::fromRows(in)}})), "nGrams");
}

NGram ngram(std::int64_t n) {
  NGram g;
  g.setInputCol("inputTokens").setOutputCol("nGrams").setN(n);
  return g;
}

// NGramSuite "default behavior yields bigram features".
TEST(NGramTest, SparkDefaultIsBigrams) {
  NGram g;
  g.setInputCol("inputTokens").setOutputCol("nGrams");
  EXPECT_EQ(g.getN(), 2);
  EXPECT_EQ(ngrams(g, {{"Test", "for", "ngram", "."}}),
            (Rows{{"Test for", "for ngram", "ngram ."}}));
}

// NGramSuite "NGramLength=4 yields length 4 n-grams", "empty input yields empty output",
// "input array < n yields empty output"; n = 1 gives the tokens themselves; n = size gives one.
TEST(NGramTest, SparkLengthsAndShortInput) {
  EXPECT_EQ(ngrams(ngram(4), {{"a", "b", "c", "d", "e"}}), (Rows{{"a b c d", "b c d e"}}));
  EXPECT_EQ(ngrams(ngram(4), {{}}), (Rows{{}}));
  EXPECT_EQ(ngrams(ngram(6), {{"a", "b", "c", "d", "e"}}), (Rows{{}}));
  EXPECT_EQ(ngrams(ngram(5), {{"a", "b", "c", "d", "e"}}), (Rows{{"a b c d e"}}));
  EXPECT_EQ(ngrams(ngram(1), {{"x", "", "y"}}), (Rows{{"x", "", "y"}}));
  // Empty tokens still join with one space (Scala's mkString(" ")).
  EXPECT_EQ(ngrams(ngram(2), {{"", "", "z"}, {"q"}}), (Rows{{" ", " z"}, {}}));
}

TEST(NGramTest, ParamsAndErrors) {
  NGram g;
  try {
    g.setN(0);
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("NGram " + g.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'n' given invalid value 0"));
  }
  g.setInputCol("text");
  try {
    (void)g.transform(Frame({{"text", makeStringColumn({"a b"})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'text' must be of type array<string> but is string"));
  }
  g.setOutputCol("text");
  try {
    (void)g.transformSchema(Schema(std::vector<Field>{{"text", DataType::kStringArray}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'text'"));
  }
}

// Many rows over several parallel blocks, and a row view, give the rows of the whole.
TEST(NGramTest, ManyRowsAndRowViews) {
  Rows in;
  for (int r = 0; r < 5000; ++r) {
    std::vector<std::string> row;
    for (int k = 0; k < r % 6; ++k) row.push_back("t" + std::to_string(r + k));
    in.push_back(row);
  }
  const NGram g = ngram(3);
  const Frame f({{"inputTokens", StringArrayColumn::fromRows(in)}});
  const Rows out = column(g.transform(f), "nGrams");
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t r = 0; r < in.size(); ++r) {
    ASSERT_EQ(out[r].size(), in[r].size() >= 3 ? in[r].size() - 2 : 0u) << r;
    if (!out[r].empty()) {
      EXPECT_EQ(out[r][0], in[r][0] + " " + in[r][1] + " " + in[r][2]);
    }
  }
  const std::vector<std::int64_t> rows{4999, 5, 0};
  const Rows part = column(g.transform(f.take(rows)), "nGrams");
  EXPECT_EQ(part, (Rows{out[4999], out[5], out[0]}));
}

// NGramSuite "read/write".
TEST(NGramTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_ngram");
  NGram g;
  g.setInputCol("myInputCol").setOutputCol("myOutputCol").setN(3);
  saveStage(g, dir.string());
  const auto loaded = stageAs<NGram>(loadStage(dir.string()));
  EXPECT_EQ(loaded->uid(), g.uid());
  EXPECT_EQ(loaded->getN(), 3);
  EXPECT_EQ(loaded->explainParams(), g.explainParams());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
