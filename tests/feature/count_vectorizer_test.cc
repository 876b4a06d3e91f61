// tests/feature/count_vectorizer_test.cc
#include "thunderdome/feature/count_vectorizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Rows = std::vector<std::vector<std::string>>;

Frame words(const Rows& rows) { return Frame({{"words", StringArrayColumn::fromRows(rows)}}); }

CountVectorizer cv() {
  CountVectorizer c;
  c.setInputCol("words").setOutputCol("features");
  return c;
}

std::shared_ptr<CountVectorizerModel> fit(const CountVectorizer& c, const Rows& rows) {
  return stageAs<CountVectorizerModel>(c.fit(words(rows)));
}

// The output rows as Spark prints sparse vectors.
std::vector<std::string> vectors(const Transformer& t, const Rows& rows) {
  const Frame out = t.transform(words(rows));
  const auto& v = out.col<VectorColumn>("features");
  EXPECT_FALSE(v.isDense());
  std::vector<std::string> s;
  for (std::int64_t r = 0; r < v.size(); ++r) s.push_back(v[r].toString());
  return s;
}

std::shared_ptr<CountVectorizerModel> modelOf(std::vector<std::string> vocabulary) {
  auto m = CountVectorizerModel::fromVocabulary(std::move(vocabulary));
  m->setInputCol("words").setOutputCol("features");
  return m;
}

TEST(CountVectorizerTest, SparkDefaults) {
  const CountVectorizer c;
  EXPECT_EQ(c.getVocabSize(), 262144);
  EXPECT_EQ(c.getMinDF(), 1.0);
  EXPECT_EQ(c.getMaxDF(), 9.223372036854776e18);
  EXPECT_EQ(c.getMinTF(), 1.0);
  EXPECT_FALSE(c.getBinary());
  EXPECT_EQ(c.uid().substr(0, 7), "cntVec_");
}

// CountVectorizerSuite "CountVectorizerModel common cases" (split("") is [""], not in the
// vocabulary; split("a b b c d  a") is six tokens).
TEST(CountVectorizerTest, SparkModelCommonCases) {
  const auto m = modelOf({"a", "b", "c", "d"});
  EXPECT_EQ(m->getVocabSize(), 4);
  EXPECT_THAT(vectors(*m, {{"a", "b", "c", "d"},
                           {"a", "b", "b", "c", "d", "a"},
                           {"a"},
                           {""},
                           {"a", "notInDict", "d"}}),
              ElementsAre("(4,[0,1,2,3],[1.0,1.0,1.0,1.0])", "(4,[0,1,2,3],[2.0,2.0,1.0,1.0])",
                          "(4,[0],[1.0])", "(4,[],[])", "(4,[0,3],[1.0,1.0])"));
}

// CountVectorizerSuite "CountVectorizer common cases": counts a 7, b 6, c 3, d 2, e 1.
TEST(CountVectorizerTest, SparkCommonCases) {
  const Rows rows{{"a", "b", "c", "d", "e"}, {"a", "a", "a", "a", "a", "a"}, {"c", "c"}, {"d"},
                  {"b", "b", "b", "b", "b"}};
  const auto m = fit(cv(), rows);
  EXPECT_THAT(m->vocabulary(), ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_EQ(m->uid().substr(0, 7), "cntVec_");
  EXPECT_THAT(vectors(*m, rows),
              ElementsAre("(5,[0,1,2,3,4],[1.0,1.0,1.0,1.0,1.0])", "(5,[0],[6.0])",
                          "(5,[2],[2.0])", "(5,[3],[1.0])", "(5,[1],[5.0])"));
}

// CountVectorizerSuite "CountVectorizer vocabSize and minDF" (counts and df: a 4, b 3, c 2,
// d 1 over 4 documents): vocabSize 3 keeps a, b, c; minDF 3 and minDF 0.75 keep a, b.
TEST(CountVectorizerTest, SparkVocabSizeAndMinDF) {
  const Rows rows{{"a", "b", "c", "d"}, {"a", "b", "c"}, {"a", "b"}, {"a"}};
  EXPECT_THAT(fit(cv().setVocabSize(3), rows)->vocabulary(), ElementsAre("a", "b", "c"));
  for (double minDF : {3.0, 3.0 / 4}) {
    const auto m = fit(cv().setMinDF(minDF), rows);
    EXPECT_THAT(m->vocabulary(), ElementsAre("a", "b"));
    EXPECT_THAT(vectors(*m, rows), ElementsAre("(2,[0,1],[1.0,1.0])", "(2,[0,1],[1.0,1.0])",
                                               "(2,[0,1],[1.0,1.0])", "(2,[0],[1.0])"));
  }
}

// PySpark's test_count_vectorizer_with_maxDF: maxDF 3 and maxDF 0.75 drop "a" (df 4).
TEST(CountVectorizerTest, SparkMaxDF) {
  const Rows rows{{"a", "b", "c", "d"}, {"a", "b", "c"}, {"a", "b"}, {"a"}};
  for (double maxDF : {3.0, 0.75}) {
    const auto m = fit(cv().setMaxDF(maxDF), rows);
    EXPECT_THAT(m->vocabulary(), ElementsAre("b", "c", "d"));
    EXPECT_THAT(vectors(*m, rows), ElementsAre("(3,[0,1,2],[1.0,1.0,1.0])", "(3,[0,1],[1.0,1.0])",
                                               "(3,[0],[1.0])", "(3,[],[])"));
  }
  // Both bounds: 2 <= df <= 3 keeps b (count 3) and c (count 2).
  EXPECT_THAT(fit(cv().setMinDF(2).setMaxDF(3), rows)->vocabulary(), ElementsAre("b", "c"));
}

// Spark ranks by total count over the corpus (not df); equal counts go in increasing byte
// order here (Spark leaves them to its partitioning).
TEST(CountVectorizerTest, OrderByCountThenTerm) {
  const Rows rows{{"z", "y", "x", "x", "x"}, {"y", "z", "w"}, {"b"}, {"B"}};
  EXPECT_THAT(fit(cv(), rows)->vocabulary(), ElementsAre("x", "y", "z", "B", "b", "w"));
  EXPECT_THAT(fit(cv().setVocabSize(4), rows)->vocabulary(), ElementsAre("x", "y", "z", "B"));
  // df filter: x has count 3 but df 1.
  EXPECT_THAT(fit(cv().setMinDF(2), rows)->vocabulary(), ElementsAre("y", "z"));
}

// Spark 3.5 fits an empty vocabulary (it only logs a warning): the old suite's "throws
// exception when vocab is empty" data, minDF 3 over 2 documents; outputs are of size 0.
TEST(CountVectorizerTest, EmptyVocabularyIsAllowed) {
  const Rows rows{{"a", "a", "b", "b", "c", "c"}, {"aa", "bb", "cc"}};
  const auto m = fit(cv().setVocabSize(3).setMinDF(3), rows);
  EXPECT_TRUE(m->vocabulary().empty());
  EXPECT_THAT(vectors(*m, rows), ElementsAre("(0,[],[])", "(0,[],[])"));
  EXPECT_TRUE(fit(cv(), {})->vocabulary().empty());  // no documents, no terms
}

// CountVectorizerSuite "CountVectorizerModel with minTF count" and "with minTF freq" (a
// fraction of all the document's tokens, in the vocabulary or not).
TEST(CountVectorizerTest, SparkMinTF) {
  const Rows rows{{"a", "a", "a", "b", "b", "c", "c", "c", "d"},
                  {"c", "c", "c", "c", "c", "c"},
                  {"a"},
                  {"e", "e", "e", "e", "e"}};
  auto m = modelOf({"a", "b", "c", "d"});
  m->setMinTF(3);
  EXPECT_THAT(vectors(*m, rows),
              ElementsAre("(4,[0,2],[3.0,3.0])", "(4,[2],[6.0])", "(4,[],[])", "(4,[],[])"));
  m->setMinTF(0.3);
  EXPECT_THAT(vectors(*m, rows),
              ElementsAre("(4,[0,2],[3.0,3.0])", "(4,[2],[6.0])", "(4,[0],[1.0])", "(4,[],[])"));
  // 0.25 of 4 tokens is 1: "b" (1 of 4) is kept; 0.3 of 4 is 1.2: it is not.
  m->setMinTF(0.25);
  EXPECT_THAT(vectors(*m, {{"b", "x", "x", "x"}}), ElementsAre("(4,[1],[1.0])"));
  m->setMinTF(0.3);
  EXPECT_THAT(vectors(*m, {{"b", "x", "x", "x"}}), ElementsAre("(4,[],[])"));
}

// CountVectorizerSuite "CountVectorizerModel and CountVectorizer with binary".
TEST(CountVectorizerTest, SparkBinary) {
  const Rows rows{{"a", "a", "a", "a", "b", "b", "b", "b", "c", "d"}, {"c", "c", "c"}, {"a"}};
  const auto m = fit(cv().setBinary(true), rows);
  EXPECT_THAT(m->vocabulary(), ElementsAre("a", "b", "c", "d"));  // b and c tie at 4
  const std::vector<std::string> expected{"(4,[0,1,2,3],[1.0,1.0,1.0,1.0])", "(4,[2],[1.0])",
                                          "(4,[0],[1.0])"};
  EXPECT_EQ(vectors(*m, rows), expected);
  auto m2 = modelOf(m->vocabulary());
  m2->setBinary(true);
  EXPECT_EQ(vectors(*m2, rows), expected);
  // binary applies after minTF.
  m2->setMinTF(4);
  EXPECT_THAT(vectors(*m2, rows), ElementsAre("(4,[0,1],[1.0,1.0])", "(4,[],[])", "(4,[],[])"));
}

// Spark's "maxDF must be >= minDF." checks: before fractions are resolved when both are counts
// or both fractions, and after resolving them against the number of documents.
TEST(CountVectorizerTest, MinDFAboveMaxDFIsAnError) {
  const Rows rows{{"a"}, {"b"}, {"a"}, {"c"}};
  const auto expectError = [&](CountVectorizer c) {
    try {
      (void)c.fit(words(rows));
      ADD_FAILURE() << "no error";
    } catch (const ParamError& e) {
      EXPECT_THAT(e.what(), HasSubstr("CountVectorizer " + c.uid()));
      EXPECT_THAT(e.what(), HasSubstr("maxDF must be >= minDF."));
    }
  };
  expectError(cv().setMinDF(0.2).setMaxDF(0.1));
  expectError(cv().setMinDF(3).setMaxDF(2));
  expectError(cv().setMinDF(3).setMaxDF(0.5));  // 0.5 of 4 documents is 2 < 3
  EXPECT_NO_THROW((void)cv().setMinDF(2).setMaxDF(0.5).fit(words(rows)));
  CountVectorizer c;
  EXPECT_THROW(c.setVocabSize(0), ParamError);
  EXPECT_THROW(c.setMinDF(-1), ParamError);
  EXPECT_THROW(c.setMinTF(-0.5), ParamError);
  EXPECT_THROW((void)CountVectorizerModel::fromVocabulary({}), ParamError);
}

TEST(CountVectorizerTest, WrongColumnTypes) {
  const auto m = modelOf({"a"});
  try {
    (void)m->transform(Frame({{"words", VectorColumn::dense(1, 1, {1.0})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("CountVectorizerModel " + m->uid()));
    EXPECT_THAT(e.what(), HasSubstr("column 'words' must be of type array<string> but is vector"));
  }
  try {
    (void)cv().fit(Frame({{"words", makeStringColumn({"a b"})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'words' must be of type array<string> but is string"));
  }
}

// Many documents over several parallel blocks count like a sequential pass; row views
// transform like the rows of the whole.
TEST(CountVectorizerTest, ManyRowsAndRowViews) {
  Rows rows;
  std::map<std::string, int> counts;
  for (int r = 0; r < 6000; ++r) {
    std::vector<std::string> row;
    for (int k = 0; k < 1 + r % 5; ++k) row.push_back("t" + std::to_string((r * 7 + k * k) % 50));
    for (const auto& t : row) ++counts[t];
    rows.push_back(row);
  }
  const auto m = fit(cv().setVocabSize(10), rows);
  ASSERT_EQ(m->vocabulary().size(), 10u);
  for (std::size_t k = 1; k < 10; ++k) {
    const int a = counts[m->vocabulary()[k - 1]];
    const int b = counts[m->vocabulary()[k]];
    EXPECT_TRUE(a > b || (a == b && m->vocabulary()[k - 1] < m->vocabulary()[k])) << k;
  }
  int best = 0;
  for (const auto& [t, c] : counts) best = std::max(best, c);
  EXPECT_EQ(counts[m->vocabulary()[0]], best);
  const Frame f = words(rows);
  const Frame whole = m->transform(f);
  const std::vector<std::int64_t> pick{5999, 17, 0};
  const Frame part = m->transform(f.take(pick));
  for (std::size_t k = 0; k < pick.size(); ++k)
    EXPECT_EQ(part.col<VectorColumn>("features")[static_cast<std::int64_t>(k)].toString(),
              whole.col<VectorColumn>("features")[pick[k]].toString());
}

// CountVectorizerSuite "CountVectorizer read/write" and "CountVectorizerModel read/write",
// with terms that are empty or hold spaces, newlines and non-ASCII text.
TEST(CountVectorizerTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_cntvec");
  std::filesystem::create_directories(dir);
  CountVectorizer c;
  c.setInputCol("myInputCol").setOutputCol("myOutputCol").setMinDF(0.5).setMinTF(3.0).setVocabSize(
      10);
  saveStage(c, (dir / "est").string());
  const auto lc = stageAs<CountVectorizer>(loadStage((dir / "est").string()));
  EXPECT_EQ(lc->getMinDF(), 0.5);
  EXPECT_EQ(lc->getVocabSize(), 10);
  EXPECT_EQ(lc->explainParams(), c.explainParams());

  CountVectorizerModel model("myCountVectorizerModel", {"a", "b", "c", "", "x y", "l\nm", "é"});
  model.setInputCol("words").setOutputCol("features").setMinTF(1.0);
  saveStage(model, (dir / "model").string());
  const auto loaded = stageAs<CountVectorizerModel>(loadStage((dir / "model").string()));
  EXPECT_EQ(loaded->uid(), "myCountVectorizerModel");
  EXPECT_EQ(loaded->vocabulary(), model.vocabulary());
  EXPECT_EQ(loaded->explainParams(), model.explainParams());
  EXPECT_THAT(vectors(*loaded, {{"é", "", "x y", "a", "é"}}),
              ElementsAre("(7,[0,3,4,6],[1.0,1.0,1.0,2.0])"));
  ASSERT_EQ(loaded->stateSummary().size(), 1u);
  EXPECT_EQ(loaded->stateSummary()[0].value, ParamValue(7));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td
