// tests/feature/hashing_tf_test.cc
#include "thunderdome/feature/hashing_tf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "thunderdome/core/error.h"

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
