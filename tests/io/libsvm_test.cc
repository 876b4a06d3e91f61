// tests/io/libsvm_test.cc
#include "thunderdome/io/libsvm.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "../testing/io_helpers.h"

namespace td {
namespace {

using td::testing::messageOf;

namespace fs = std::filesystem;

class LibSvmTest : public td::testing::TempDirTest {
 protected:
  static std::string readFile(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  bool dirEmpty() const { return fs::is_empty(dir_); }
};

// (index, value) pairs of row r.
std::vector<std::pair<std::int64_t, double>> entries(const Frame& f, std::int64_t r) {
  std::vector<std::pair<std::int64_t, double>> out;
  f.col<VectorColumn>("features")[r].forEach(
      [&](std::int64_t j, double v) { out.emplace_back(j, v); });
  return out;
}

TEST_F(LibSvmTest, ParsesSparkSampleFormat) {
  const std::string p = std::string(TD_TEST_DATA_DIR) + "/io/sample_libsvm_mini.txt";
  const Frame f = readLibSvm(p, {});
  EXPECT_EQ(f.schema().toString(), "label: double, features: vector");
  ASSERT_EQ(f.numRows(), 4);
  const auto& label = f.col<DoubleColumn>("label");
  EXPECT_EQ(label[0], 0.0);
  EXPECT_EQ(label[1], 1.0);
  EXPECT_EQ(label[3], 0.0);
  const auto& features = f.col<VectorColumn>("features");
  EXPECT_FALSE(features.isDense());
  EXPECT_EQ(features.dim(), 692);  // the largest 1-based index
  // File index 128 is vector index 127, as in Spark.
  EXPECT_EQ(features[0].at(127), 51.0);
  EXPECT_EQ(features[0].at(128), 159.0);
  EXPECT_EQ(features[0].at(128 - 2), 0.0);
  EXPECT_EQ(features[0].nnz, 7);
  EXPECT_EQ(features[2].at(691), 7.0);  // before the trailing comment
  EXPECT_EQ(features[3].nnz, 0);        // a label without features
}

TEST_F(LibSvmTest, NumFeaturesSetsTheDimension) {
  const std::string text = "1 1:0.5 3:2\n-1 2:1.5\n";
  EXPECT_EQ(readLibSvmString(text, {}).col<VectorColumn>("features").dim(), 3);
  LibSvmOptions o;
  o.numFeatures = 10;
  const Frame f = readLibSvmString(text, o);
  EXPECT_EQ(f.col<VectorColumn>("features").dim(), 10);
  EXPECT_EQ(f.col<DoubleColumn>("label")[1], -1.0);
  EXPECT_EQ(entries(f, 0), (std::vector<std::pair<std::int64_t, double>>{{0, 0.5}, {2, 2.0}}));
}

TEST_F(LibSvmTest, IndexBeyondNumFeaturesIsDataError) {
  LibSvmOptions o;
  o.numFeatures = 3;
  const std::string msg =
      messageOf<DataError>([&] { (void)readLibSvmString("0 1:1\n1 2:1 4:1\n", o, "x.svm"); });
  EXPECT_CONTAINS(msg, "x.svm, line 2");
  EXPECT_CONTAINS(msg, "'4:1'");
  EXPECT_CONTAINS(msg, "numFeatures = 3");
  o.numFeatures = -1;
  EXPECT_THROW((void)readLibSvmString("0 1:1\n", o), ParamError);
}

TEST_F(LibSvmTest, IndicesMustBeStrictlyIncreasing) {
  const std::string p = path("bad.txt");
  std::ofstream(p) << "1 1:1 2:2\n# comment\n0 3:1 2:5\n";
  const std::string msg = messageOf<DataError>([&] { (void)readLibSvm(p, {}); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "line 3");
  EXPECT_CONTAINS(msg, "'2:5'");
  EXPECT_CONTAINS(msg, "strictly increasing");
  EXPECT_CONTAINS(messageOf<DataError>([] { (void)readLibSvmString("0 2:1 2:1\n", {}); }),
                  "strictly increasing");
}

TEST_F(LibSvmTest, IndicesMustBeOneBased) {
  const std::string msg = messageOf<DataError>([] { (void)readLibSvmString("0 0:1\n", {}); });
  EXPECT_CONTAINS(msg, "<string>, line 1");
  EXPECT_CONTAINS(msg, "'0:1'");
  EXPECT_CONTAINS(msg, "one-based");
  EXPECT_THROW((void)readLibSvmString("0 -3:1\n", {}), DataError);
}

TEST_F(LibSvmTest, MalformedTokensNameLineAndToken) {
  EXPECT_CONTAINS(messageOf<DataError>([] { (void)readLibSvmString("\n1 3\n", {}); }),
                  "line 2: invalid feature token '3'");
  EXPECT_CONTAINS(messageOf<DataError>([] { (void)readLibSvmString("1 3:x\n", {}); }),
                  "'3:x' (the value is not a number)");
  EXPECT_CONTAINS(messageOf<DataError>([] { (void)readLibSvmString("1 a:1\n", {}); }),
                  "'a:1' (the index is not an integer)");
  EXPECT_CONTAINS(messageOf<DataError>([] { (void)readLibSvmString("yes 1:1\n", {}); }),
                  "invalid label 'yes'");
}

TEST_F(LibSvmTest, CommentsBlankLinesCrlfAndTabsAreHandled) {
  LibSvmOptions nonFinite;
  nonFinite.allowNonFinite = true;  // NaN is rejected by default
  const Frame f =
      readLibSvmString("# header comment\r\n\r\n+1\t2:3.5 5:-1e-3\r\n   \n0 1:NaN #x\n", nonFinite);
  ASSERT_EQ(f.numRows(), 2);
  EXPECT_EQ(f.col<DoubleColumn>("label")[0], 1.0);
  EXPECT_EQ(entries(f, 0),
            (std::vector<std::pair<std::int64_t, double>>{{1, 3.5}, {4, -1e-3}}));
  EXPECT_TRUE(std::isnan(f.col<VectorColumn>("features")[1].at(0)));
  EXPECT_EQ(f.col<VectorColumn>("features").dim(), 5);
}

TEST_F(LibSvmTest, MissingFileIsIoError) {
  const std::string p = path("missing.txt");
  const std::string msg = messageOf<IoError>([&] { (void)readLibSvm(p, {}); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "No such file or directory");
}

TEST_F(LibSvmTest, SparseRoundTripThroughFile) {
  const Frame f({{"label", makeDoubleColumn({1.0, 0.0, 0.5})},
                 {"features", VectorColumn::sparse(6, {0, 2, 2, 4}, {0, 5, 1, 3},
                                                   {0.1, -2.0, 1e-20, 3.0})}});
  const std::string p = path("out.libsvm");
  writeLibSvm(f, p);
  EXPECT_EQ(readFile(p), "1.0 1:0.1 6:-2.0\n0.0\n0.5 2:1e-20 4:3.0\n");
  const Frame g = readLibSvm(p, {});
  ASSERT_EQ(g.numRows(), 3);
  EXPECT_EQ(g.col<VectorColumn>("features").dim(), 6);
  for (std::int64_t r = 0; r < 3; ++r) {
    EXPECT_EQ(g.col<DoubleColumn>("label")[r], f.col<DoubleColumn>("label")[r]);
    EXPECT_EQ(entries(g, r), entries(f, r)) << "row " << r;
  }
  EXPECT_EQ(fs::directory_iterator(dir_)->path().filename(), "out.libsvm");
}

TEST_F(LibSvmTest, DenseVectorsWriteNonZerosOnlyWithOneBasedIndices) {
  const Frame f({{"y", makeInt64Column({1, 0})},
                 {"v", VectorColumn::dense(2, 3, {0.0, 2.5, 0.0, 1.0, 0.0, -1.0})}});
  EXPECT_EQ(writeLibSvmString(f, "y", "v"), "1.0 2:2.5\n0.0 1:1.0 3:-1.0\n");
  LibSvmOptions o;
  o.numFeatures = 3;
  const Frame g = readLibSvmString(writeLibSvmString(f, "y", "v"), o);
  for (std::int64_t r = 0; r < 2; ++r)
    for (std::int64_t j = 0; j < 3; ++j)
      EXPECT_EQ(g.col<VectorColumn>("features")[r].at(j), f.col<VectorColumn>("v")[r].at(j));
}

TEST_F(LibSvmTest, WriteWithWrongColumnsFailsWithoutCreatingAFile) {
  const Frame f({{"label", makeStringColumn({"a"})},
                 {"features", VectorColumn::dense(1, 1, {1.0})}});
  const std::string p = path("x.libsvm");
  EXPECT_THROW(writeLibSvm(f, p), ColumnError);
  EXPECT_THROW(writeLibSvm(f.withColumn("label", makeDoubleColumn({1.0})), p, "label", "nope"),
               ColumnError);
  EXPECT_TRUE(dirEmpty());
}

TEST_F(LibSvmTest, WriteIntoMissingDirectoryIsIoError) {
  const Frame f({{"label", makeDoubleColumn({1.0})},
                 {"features", VectorColumn::dense(1, 1, {1.0})}});
  const std::string p = path("missing/dir/x.libsvm");
  const std::string msg = messageOf<IoError>([&] { writeLibSvm(f, p); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_TRUE(dirEmpty());
}

TEST_F(LibSvmTest, EmptyInputGivesZeroRows) {
  const Frame f = readLibSvmString("# nothing\n\n", {});
  EXPECT_EQ(f.numRows(), 0);
  EXPECT_EQ(f.col<VectorColumn>("features").dim(), 0);
}

// ---------------------------------------------------------------- streaming

// A source that delivers `text` cut at the sorted positions `cuts`.
ChunkSource cutSource(std::string_view text, std::vector<std::size_t> cuts) {
  return [text, cuts = std::move(cuts)](const ChunkSink& sink) {
    std::size_t prev = 0;
    for (const std::size_t c : cuts) {
      sink(text.substr(prev, c - prev));
      prev = c;
    }
    sink(text.substr(prev));
  };
}

// Every way to cut `text` in two, 1-byte chunks, and random cuts (empty chunks included).
std::vector<std::vector<std::size_t>> chunkings(std::size_t n, unsigned seed) {
  std::vector<std::vector<std::size_t>> out;
  for (std::size_t c = 0; c <= n; ++c) out.push_back({c});
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < n; ++i) every.push_back(i);
  out.push_back(every);
  std::mt19937 rng(seed);
  for (int k = 0; k < 20 && n > 1; ++k) {
    std::vector<std::size_t> cuts;
    const std::size_t m = std::uniform_int_distribution<std::size_t>(1, 6)(rng);
    for (std::size_t i = 0; i < m; ++i) cuts.push_back(std::uniform_int_distribution<std::size_t>(0, n)(rng));
    std::sort(cuts.begin(), cuts.end());
    out.push_back(cuts);
  }
  return out;
}

std::string libsvmOutcome(const std::function<Frame()>& read) {
  try {
    const Frame f = read();
    return std::to_string(f.numRows()) + " rows, dim " +
           std::to_string(f.col<VectorColumn>("features").dim()) + "\n" + writeLibSvmString(f);
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

TEST_F(LibSvmTest, StreamEqualsWholeTextForEveryChunking) {
  const std::vector<std::string> texts = {
      "\xEF\xBB\xBF" "1 1:0.5 3:2\r\n# comment\n\n0 2:1 # tail\n-1\t4:1e3",
      "1 1:1\n0 2:2\n",
      "",
      "\xEF\xBB",
      "\n\n\n1 7:1\n",
      "1 1:1\n\n0 3:1 2:1\n",   // error on line 3
      "1 1:1\r\n0 x:1\r\n",     // error on line 2
  };
  for (const auto& text : texts) {
    const std::string expected = libsvmOutcome([&] { return readLibSvmString(text, {}, "d.svm"); });
    for (const auto& cuts : chunkings(text.size(), 3))
      EXPECT_EQ(libsvmOutcome([&] { return readLibSvmStream(cutSource(text, cuts), {}, "d.svm"); }),
                expected)
          << ::testing::PrintToString(text) << " cut at " << ::testing::PrintToString(cuts);
  }
  EXPECT_CONTAINS(libsvmOutcome([&] { return readLibSvmStream(cutSource(texts[5], {9}), {}, "d.svm"); }),
                  "d.svm, line 3");
}

TEST_F(LibSvmTest, StreamReportsRowsAfterEachChunk) {
  std::string text;
  for (int r = 0; r < 300; ++r) text += std::to_string(r % 2) + " 1:" + std::to_string(r) + " 5:1\n";
  std::vector<std::size_t> cuts;
  for (std::size_t c = 100; c < text.size(); c += 100) cuts.push_back(c);
  std::vector<std::int64_t> seen;
  const Frame f = readLibSvmStream(cutSource(text, cuts), {}, "<s>",
                                   [&](std::int64_t rows) { seen.push_back(rows); });
  ASSERT_EQ(f.numRows(), 300);
  EXPECT_EQ(seen.size(), cuts.size() + 2);
  EXPECT_GT(seen.front(), 0);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), 300);
}

}  // namespace
}  // namespace td
