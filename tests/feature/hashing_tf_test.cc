// tests/feature/hashing_tf_test.cc
#include "thunderdome/feature/hashing_tf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <fmt/format.h>

#include "thunderdome/core/error.h"
#include "thunderdome/feature/tokenizer.h"

namespace td {
namespace {

using ::testing::HasSubstr;

Frame terms(const std::vector<std::vector<std::string>>& rows) {
  return Frame({{"words", StringArrayColumn::fromRows(rows)}});
}

std::string hashRow(std::int64_t numFeatures, const std::vector<std::string>& words,
                    bool binary = false) {
  HashingTF tf;
  tf.setInputCol("words").setOutputCol("features").setNumFeatures(numFeatures).setBinary(binary);
  return tf.transform(terms({words})).col<VectorColumn>("features")[0].toString();
}

TEST(HashingTFTest, PysparkDoctestVectors) {
  // pyspark.ml.feature.HashingTF doctest (Spark 3): ["a","b","c"] with 10 and 5 features.
  EXPECT_EQ(hashRow(10, {"a", "b", "c"}), "(10,[5,7,8],[1.0,1.0,1.0])");
  EXPECT_EQ(hashRow(5, {"a", "b", "c"}), "(5,[0,2,3],[1.0,1.0,1.0])");
}

TEST(HashingTFTest, ReferenceIndicesAtDefaultAndThousand) {
  HashingTF tf;
  EXPECT_EQ(tf.getNumFeatures(), 262144);
  EXPECT_EQ(tf.indexOf("a"), 107107);
  EXPECT_EQ(tf.indexOf("b"), 148981);
  EXPECT_EQ(tf.indexOf("spark"), 173558);
  EXPECT_EQ(tf.indexOf("hadoop"), 198017);
  EXPECT_EQ(tf.indexOf("test"), 188762);
  EXPECT_EQ(tf.indexOf(""), 249180);
  EXPECT_EQ(tf.indexOf("\xC3\xA9t\xC3\xA9"), 207973);
  EXPECT_EQ(tf.indexOf("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), 188088);
  tf.setNumFeatures(1000);
  EXPECT_EQ(tf.indexOf("a"), 467);
  EXPECT_EQ(tf.indexOf("spark"), 286);
  EXPECT_EQ(tf.indexOf("hadoop"), 585);
  EXPECT_EQ(tf.indexOf(""), 372);
}

TEST(HashingTFTest, CountsAddUpAndBinaryClamps) {
  // a->7, b->5 at 10 features; repeated terms add up.
  EXPECT_EQ(hashRow(10, {"a", "b", "a", "a"}), "(10,[5,7],[1.0,3.0])");
  EXPECT_EQ(hashRow(10, {"a", "b", "a", "a"}, true), "(10,[5,7],[1.0,1.0])");
  EXPECT_EQ(hashRow(10, {}), "(10,[],[])");
}

TEST(HashingTFTest, ManyRowsSameAsOneAtATimeAndThreadInvariant) {
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 5000; ++i)
    rows.push_back({"w" + std::to_string(i % 97), "x" + std::to_string(i % 13), "spark"});
  HashingTF tf;
  tf.setInputCol("words").setOutputCol("f").setNumFeatures(1 << 10);
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  Frame one, four;
  tbb::task_arena(1).execute([&] { one = tf.transform(terms(rows)); });
  tbb::task_arena(4).execute([&] { four = tf.transform(terms(rows)); });
  const auto& a = one.col<VectorColumn>("f");
  const auto& b = four.col<VectorColumn>("f");
  ASSERT_EQ(a.values().size(), b.values().size());
  EXPECT_TRUE(std::equal(a.indices().begin(), a.indices().end(), b.indices().begin()));
  EXPECT_TRUE(std::equal(a.offsets().begin(), a.offsets().end(), b.offsets().begin()));
  EXPECT_EQ(a[4321].toString(), hashRow(1 << 10, rows[4321]));
}

TEST(HashingTFTest, CountedInBlocksSameAsSortedOneRowAtATime) {
  // Many rows are counted in an array of numFeatures counters per block; one short row is
  // counted by sorting its indices. Both give every row's same vector, repeated terms, hash
  // collisions (64 features) and empty rows included.
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> r;
    for (int j = 0; j < i % 9; ++j) r.push_back("t" + std::to_string((i * 7 + j * j) % 41));
    rows.push_back(r);
  }
  for (const std::int64_t numFeatures : {std::int64_t{64}, std::int64_t{1} << 12}) {
    for (const bool binary : {false, true}) {
      HashingTF tf;
      tf.setInputCol("words").setOutputCol("f").setNumFeatures(numFeatures).setBinary(binary);
      const auto all = tf.transform(terms(rows));
      const auto& f = all.col<VectorColumn>("f");
      for (std::size_t i = 0; i < rows.size(); i += 7)
        ASSERT_EQ(f[static_cast<std::int64_t>(i)].toString(), hashRow(numFeatures, rows[i], binary))
            << "row " << i << " numFeatures " << numFeatures;
    }
  }
}

// Spark's index is nonNegativeMod(murmur3, numFeatures); for m dividing M, folding the output
// at M (index mod m, counts of meeting indices added) is the output at m, bit for bit.
HashingTF hashing(std::int64_t numFeatures, bool binary = false) {
  HashingTF tf;
  tf.setInputCol("words").setOutputCol("f").setNumFeatures(numFeatures).setBinary(binary);
  return tf;
}

void expectSameColumn(const VectorColumn& a, const VectorColumn& b, const std::string& what) {
  ASSERT_EQ(a.dim(), b.dim()) << what;
  ASSERT_EQ(a.size(), b.size()) << what;
  EXPECT_FALSE(a.isDense()) << what;
  EXPECT_TRUE(std::equal(a.offsets().begin(), a.offsets().end(), b.offsets().begin(), b.offsets().end())) << what;
  EXPECT_TRUE(std::equal(a.indices().begin(), a.indices().end(), b.indices().begin(), b.indices().end())) << what;
  EXPECT_TRUE(std::equal(a.values().begin(), a.values().end(), b.values().begin(), b.values().end())) << what;
}

TEST(HashingTFTest, DerivedFromAMultipleIsTheDirectOutput) {
  // Rows of repeated terms, empty rows, and rows whose indices meet when folded; few rows
  // (folded by sorting) and many (folded in counters), power-of-two and other divisors.
  std::vector<std::vector<std::string>> many;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> r;
    for (int j = 0; j < i % 11; ++j) r.push_back("t" + std::to_string((i * 7 + j * j) % 53));
    many.push_back(r);
  }
  std::vector<std::vector<std::string>> few = {{"a", "b", "c", "a"}, {}, {"spark", "hadoop", "spark"}};
  const std::vector<std::pair<std::int64_t, std::int64_t>> pairs = {
      {2, 10}, {5, 10}, {64, 1024}, {16, std::int64_t{1} << 18}, {1 << 14, 1 << 18},
      {6, 30}, {100, 1000}, {1000, 3000}, {std::int64_t{1} << 19, std::int64_t{1} << 20}, {7, 7}};
  for (const auto* rows : {&few, &many}) {
    for (const auto& [m, big] : pairs) {
      for (const bool binary : {false, true}) {
        const std::string what = fmt::format("{} rows, {} from {}, binary {}", rows->size(), m, big, binary);
        const HashingTF small = hashing(m, binary), from = hashing(big, binary);
        ASSERT_TRUE(small.derivesFrom(from)) << what;
        const Frame input = terms(*rows);
        const ColumnPtr derived = small.deriveOutput(from, from.transform(input).column("f"));
        ASSERT_NE(derived, nullptr) << what;
        expectSameColumn(dynamic_cast<const VectorColumn&>(*derived),
                         small.transform(input).col<VectorColumn>("f"), what);
      }
    }
  }
  // a->7, b->5, c->8 at 10 features: at 2, a and b meet at 1 (2 a's and a b: 3), c at 0.
  const HashingTF ten = hashing(10), two = hashing(2);
  const ColumnPtr folded = two.deriveOutput(ten, ten.transform(terms(few)).column("f"));
  ASSERT_NE(folded, nullptr);
  EXPECT_EQ(dynamic_cast<const VectorColumn&>(*folded)[0].toString(), "(2,[0,1],[1.0,3.0])");
  EXPECT_EQ(dynamic_cast<const VectorColumn&>(*folded)[1].toString(), "(2,[],[])");
  // A view of some rows (what tuning derives a shard from) folds those rows.
  const std::vector<std::int64_t> rows = {2, 0};
  const ColumnPtr fromRows = two.deriveOutput(ten, ten.transform(terms(few)).column("f")->take(rows));
  ASSERT_NE(fromRows, nullptr);
  EXPECT_EQ(dynamic_cast<const VectorColumn&>(*fromRows)[1].toString(), "(2,[0,1],[1.0,3.0])");
  EXPECT_EQ(dynamic_cast<const VectorColumn&>(*fromRows)[0].toString(), hashRow(2, few[2]));
}

TEST(HashingTFTest, DerivedThreadInvariant) {
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 5000; ++i)
    rows.push_back({"w" + std::to_string(i % 97), "x" + std::to_string(i % 13), "spark"});
  const HashingTF small = hashing(96), from = hashing(96 * 64);
  const ColumnPtr out = from.transform(terms(rows)).column("f");
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  ColumnPtr one, four;
  tbb::task_arena(1).execute([&] { one = small.deriveOutput(from, out); });
  tbb::task_arena(4).execute([&] { four = small.deriveOutput(from, out); });
  ASSERT_TRUE(one && four);
  expectSameColumn(dynamic_cast<const VectorColumn&>(*one), dynamic_cast<const VectorColumn&>(*four), "1 vs 4 threads");
}

TEST(HashingTFTest, NotDerivedFromAnotherSetting) {
  const Frame input = terms({{"a", "b"}});
  const HashingTF small = hashing(10);
  auto nullFrom = [&](const HashingTF& from) {
    return small.deriveOutput(from, from.transform(input).column("f")) == nullptr;
  };
  EXPECT_FALSE(small.derivesFrom(hashing(25)));  // 10 does not divide 25
  EXPECT_TRUE(nullFrom(hashing(25)));
  EXPECT_TRUE(nullFrom(hashing(5)));             // fewer features: information lost
  EXPECT_FALSE(small.derivesFrom(hashing(5)));
  EXPECT_TRUE(nullFrom(hashing(100, true)));     // binary differs
  EXPECT_TRUE(hashing(10, true).deriveOutput(hashing(100), hashing(100).transform(input).column("f")) == nullptr);
  HashingTF otherInput = hashing(100);
  otherInput.setInputCol("tokens");
  EXPECT_FALSE(small.derivesFrom(otherInput));
  HashingTF otherOutput = hashing(100);
  otherOutput.setOutputCol("g");
  EXPECT_FALSE(small.derivesFrom(otherOutput));
  Tokenizer tok;
  EXPECT_FALSE(small.derivesFrom(tok));
  // A column that is not the output of `from` (another dimension, or dense) is refused.
  EXPECT_EQ(small.deriveOutput(hashing(100), hashing(1000).transform(input).column("f")), nullptr);
  EXPECT_EQ(small.deriveOutput(hashing(100), VectorColumn::dense(1, 100, std::vector<double>(100, 1.0))), nullptr);
}

TEST(HashingTFTest, ParamAndSchemaErrors) {
  HashingTF tf;
  try {
    tf.setNumFeatures(0);
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("HashingTF " + tf.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'numFeatures' given invalid value 0"));
  }
  tf.setInputCol("text");
  const Frame f({{"text", makeStringColumn({"a b"})}});
  try {
    (void)tf.transform(f);
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'text' must be of type array<string> but is string"));
  }
}

}  // namespace
}  // namespace td
