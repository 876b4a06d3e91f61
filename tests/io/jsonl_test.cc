// tests/io/jsonl_test.cc
#include "thunderdome/io/jsonl.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "../testing/io_helpers.h"
#include "thunderdome/io/csv.h"

namespace td {
namespace {

using td::testing::messageOf;

namespace fs = std::filesystem;

class JsonlTest : public td::testing::TempDirTest {
 protected:
  static void writeFile(const std::string& p, const std::string& content) {
    std::ofstream(p, std::ios::binary) << content;
  }
  static std::string readFile(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> filesInDir() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    return out;
  }

};

using Entries = std::vector<std::pair<std::int64_t, double>>;
Entries entries(const VectorView& v) {
  Entries out;
  v.forEach([&](std::int64_t j, double x) { out.emplace_back(j, x); });
  return out;
}

Schema schemaOf(std::vector<Field> f) { return Schema(std::move(f)); }

TEST_F(JsonlTest, InfersEveryType) {
  const std::string text =
      R"({"id":1,"x":1,"s":"a","tokens":["a","b"],"dense":[0.5,1],"sparse":{"size":5,"indices":[1,3],"values":[1.0,-2.5]}})"
      "\n"
      R"({"id":-2,"x":2.5,"s":"b c","tokens":[],"dense":[2,3.25],"sparse":{"size":5,"indices":[],"values":[]}})"
      "\n";
  const Frame f = readJsonlString(text);
  EXPECT_EQ(f.schema().toString(),
            "id: bigint, x: double, s: string, tokens: array<string>, dense: vector, "
            "sparse: vector");
  ASSERT_EQ(f.numRows(), 2);
  EXPECT_EQ(f.col<Int64Column>("id")[1], -2);
  EXPECT_EQ(f.col<DoubleColumn>("x")[0], 1.0);
  EXPECT_EQ(f.col<DoubleColumn>("x")[1], 2.5);
  EXPECT_EQ(f.col<StringColumn>("s")[1], "b c");
  ASSERT_EQ(f.col<StringArrayColumn>("tokens")[0].size(), 2u);
  EXPECT_EQ(f.col<StringArrayColumn>("tokens")[0][1], "b");
  EXPECT_TRUE(f.col<StringArrayColumn>("tokens")[1].empty());
  const auto& dense = f.col<VectorColumn>("dense");
  EXPECT_TRUE(dense.isDense());
  EXPECT_EQ(dense.dim(), 2);
  EXPECT_EQ(dense[1].at(1), 3.25);
  const auto& sparse = f.col<VectorColumn>("sparse");
  EXPECT_FALSE(sparse.isDense());
  EXPECT_EQ(sparse.dim(), 5);
  EXPECT_EQ(entries(sparse[0]), (Entries{{1, 1.0}, {3, -2.5}}));
  EXPECT_TRUE(entries(sparse[1]).empty());
}

TEST_F(JsonlTest, ColumnsAppearInFirstSeenOrderAndMissingValuesAreFilled) {
  const std::string text =
      "{\"b\":1,\"a\":\"x\"}\n"
      "\n"
      "   \r\n"
      "{\"a\":\"y\",\"c\":[\"t\"],\"d\":1.5}\r\n"
      "{\"b\":null,\"a\":null,\"d\":null}\n";
  const Frame f = readJsonlString(text);
  EXPECT_EQ(f.columnNames(), (std::vector<std::string>{"b", "a", "c", "d"}));
  // Missing keys and nulls are nulls (Spark); integers with nulls stay bigint.
  EXPECT_EQ(f.schema().toString(), "b: bigint, a: string, c: array<string>, d: double");
  ASSERT_EQ(f.numRows(), 3);
  EXPECT_EQ(f.col<Int64Column>("b")[0], 1);
  EXPECT_TRUE(f.col<Int64Column>("b").isNull(1));
  EXPECT_TRUE(f.col<Int64Column>("b").isNull(2));
  EXPECT_FALSE(f.col<Int64Column>("b").isNull(0));
  EXPECT_TRUE(f.col<StringColumn>("a").isNull(2));
  EXPECT_EQ(f.col<StringColumn>("a")[2], "");
  EXPECT_TRUE(f.col<StringArrayColumn>("c")[0].empty());
  EXPECT_TRUE(f.col<StringArrayColumn>("c").isNull(0));
  EXPECT_EQ(f.col<StringArrayColumn>("c")[1][0], "t");
  EXPECT_TRUE(std::isnan(f.col<DoubleColumn>("d")[0]));
  EXPECT_TRUE(f.col<DoubleColumn>("d").isNull(0));
  // Written back, a null is JSON null.
  EXPECT_EQ(writeJsonlString(f.select({"b", "d"})),
            "{\"b\":1,\"d\":null}\n{\"b\":null,\"d\":1.5}\n{\"b\":null,\"d\":null}\n");
  // A column with no value at all is a string column of "".
  const Frame g = readJsonlString("{\"n\":null}\n{\"n\":null}\n");
  EXPECT_EQ(g.schema().toString(), "n: string");
}

TEST_F(JsonlTest, MissingVectorIsAnError) {
  const std::string msg = messageOf<DataError>(
      [] { (void)readJsonlString("{\"v\":[1,2]}\n{\"w\":1}\n", {}, "in.jsonl"); });
  EXPECT_CONTAINS(msg, "in.jsonl, line 2");
  EXPECT_CONTAINS(msg, "'v'");
  EXPECT_CONTAINS(msg, "missing");
}

TEST_F(JsonlTest, ExplicitSchemaSelectsConvertsAndChecks) {
  JsonlOptions o;
  o.schema = schemaOf({{"label", DataType::kDouble},
                       {"id", DataType::kString},
                       {"n", DataType::kInt64},
                       {"v", DataType::kVector},
                       {"t", DataType::kStringArray}});
  const std::string text =
      "{\"extra\":true,\"id\":7,\"label\":1,\"n\":3,\"v\":{\"size\":3,\"indices\":[2],"
      "\"values\":[\"NaN\"]},\"t\":[]}\n"
      "{\"label\":\"-Infinity\",\"id\":\"x\",\"n\":4,\"v\":[0,1,0]}\n";
  const Frame f = readJsonlString(text, o);
  EXPECT_EQ(f.schema(), *o.schema);
  EXPECT_EQ(f.col<DoubleColumn>("label")[0], 1.0);
  EXPECT_EQ(f.col<DoubleColumn>("label")[1], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(f.col<StringColumn>("id")[0], "7");  // a number in a string column keeps its text
  EXPECT_EQ(f.col<Int64Column>("n")[1], 4);
  const auto& v = f.col<VectorColumn>("v");
  EXPECT_FALSE(v.isDense());  // dense and sparse rows mixed -> sparse
  EXPECT_TRUE(std::isnan(v[0].at(2)));
  EXPECT_EQ(entries(v[1]), (Entries{{1, 1.0}}));
  EXPECT_TRUE(f.col<StringArrayColumn>("t")[1].empty());  // missing array -> []

  // The wrong JSON type for the schema names the line, key and both types.
  std::string msg = messageOf<DataError>(
      [&] { (void)readJsonlString("{\"label\":1,\"n\":2.5,\"v\":[1]}\n", o, "s.jsonl"); });
  EXPECT_CONTAINS(msg, "s.jsonl, line 1");
  EXPECT_CONTAINS(msg, "'n'");
  EXPECT_CONTAINS(msg, "expected bigint");
  EXPECT_CONTAINS(msg, "number");
  msg = messageOf<DataError>(
      [&] { (void)readJsonlString("{\"label\":\"abc\",\"n\":2,\"v\":[1]}\n", o, "s.jsonl"); });
  EXPECT_CONTAINS(msg, "expected double");
  EXPECT_CONTAINS(msg, "\"abc\"");
  // A missing bigint is a null.
  const Frame m = readJsonlString("{\"label\":1,\"v\":[1]}\n", o);
  EXPECT_TRUE(m.col<Int64Column>("n").isNull(0));
  // An empty input gives the schema's columns with no rows.
  const Frame e = readJsonlString("", o);
  EXPECT_EQ(e.schema(), *o.schema);
  EXPECT_EQ(e.numRows(), 0);
  EXPECT_EQ(readJsonlString("\n\n").numColumns(), 0u);
}

// Found by fuzz/jsonl_fuzz.cc: a number beyond double's range made nlohmann throw out_of_range
// (406), which escaped the reader as a non-thunderdome exception (std::terminate in the CLI).
TEST_F(JsonlTest, NumberTooLargeForADoubleIsADataErrorWithTheLine) {
  const std::string msg = messageOf<DataError>(
      [] { (void)readJsonlString("{\"a\":1}\n{\"a\":1e400}\n", {}, "big.jsonl"); });
  EXPECT_CONTAINS(msg, "big.jsonl, line 2");
  EXPECT_CONTAINS(msg, "invalid JSON");
  EXPECT_CONTAINS(msg, "number overflow parsing '1e400'");
}

TEST_F(JsonlTest, MalformedLineIsADataErrorWithTheLineNumber) {
  const std::string text = "{\"a\":1}\n\n{\"a\":2,}\n";
  const std::string msg =
      messageOf<DataError>([&] { (void)readJsonlString(text, {}, "bad.jsonl"); });
  EXPECT_CONTAINS(msg, "bad.jsonl, line 3");
  EXPECT_CONTAINS(msg, "invalid JSON");
  EXPECT_CONTAINS(msg, "parse error");
  // Two objects on one line, a non-object line and a file read all report their line.
  EXPECT_CONTAINS(messageOf<DataError>([] { (void)readJsonlString("{\"a\":1} {\"a\":2}\n"); }),
                  "line 1");
  EXPECT_CONTAINS(messageOf<DataError>([] { (void)readJsonlString("{\"a\":1}\n[1,2]\n"); }),
                  "line 2: expected a JSON object but found array");
  const std::string p = path("bad.jsonl");
  writeFile(p, text);
  EXPECT_CONTAINS(messageOf<DataError>([&] { (void)readJsonl(p); }), p + ", line 3");
}

TEST_F(JsonlTest, MixedTypesInAColumnAreADataError) {
  std::string msg = messageOf<DataError>(
      [] { (void)readJsonlString("{\"k\":1}\n{\"k\":2}\n{\"k\":\"three\"}\n", {}, "m.jsonl"); });
  EXPECT_CONTAINS(msg, "m.jsonl, line 3");
  EXPECT_CONTAINS(msg, "'k'");
  EXPECT_CONTAINS(msg, "string");
  EXPECT_CONTAINS(msg, "integer");
  EXPECT_CONTAINS(msg, "since line 1");
  msg = messageOf<DataError>([] { (void)readJsonlString("{\"k\":[\"a\"]}\n{\"k\":[1.5]}\n"); });
  EXPECT_CONTAINS(msg, "array of numbers");
  EXPECT_CONTAINS(msg, "array of strings");
  msg = messageOf<DataError>([] { (void)readJsonlString("{\"k\":[\"a\",1]}\n"); });
  EXPECT_CONTAINS(msg, "array element 1");
  // Booleans are a boolean column; mixed with numbers, an error naming both.
  const Frame b = readJsonlString("{\"k\":true}\n{\"k\":null}\n{\"k\":false}\n");
  EXPECT_EQ(b.schema().toString(), "k: boolean");
  EXPECT_TRUE(b.col<BooleanColumn>("k")[0]);
  EXPECT_TRUE(b.col<BooleanColumn>("k").isNull(1));
  EXPECT_FALSE(b.col<BooleanColumn>("k")[2]);
  EXPECT_EQ(writeJsonlString(b), "{\"k\":true}\n{\"k\":null}\n{\"k\":false}\n");
  msg = messageOf<DataError>([] { (void)readJsonlString("{\"k\":true}\n{\"k\":1}\n"); });
  EXPECT_CONTAINS(msg, "boolean");
  msg = messageOf<DataError>([] { (void)readJsonlString("{\"k\":{\"a\":1}}\n"); });
  EXPECT_CONTAINS(msg, "nested object");
  msg = messageOf<DataError>([] { (void)readJsonlString("{\"k\":[1,2]}\n{\"k\":[1,2,3]}\n"); });
  EXPECT_CONTAINS(msg, "line 2");
  EXPECT_CONTAINS(msg, "size 3");
  // "NaN" strings join a number column; a column of only such strings stays string.
  const Frame f = readJsonlString("{\"k\":1,\"s\":\"NaN\"}\n{\"k\":\"NaN\",\"s\":\"Infinity\"}\n");
  EXPECT_EQ(f.schema().toString(), "k: double, s: string");
  // Integers beyond int64 are doubles.
  const Frame g = readJsonlString("{\"k\":1}\n{\"k\":18446744073709551615}\n");
  EXPECT_EQ(g.schema().toString(), "k: double");
}

TEST_F(JsonlTest, WritesOneObjectPerRowInColumnOrder) {
  const Frame f({{"z", makeInt64Column({1, -2})},
                 {"a", makeDoubleColumn({1.0, std::numeric_limits<double>::quiet_NaN()})},
                 {"s", makeStringColumn({"q\"uote\n", "é\x01"})},
                 {"t", StringArrayColumn::fromRows({{"x", "y"}, {}})},
                 {"d", VectorColumn::dense(2, 2, {0.5, 0.0, 1e20, -0.0})},
                 {"v", VectorColumn::sparse(4, {0, 1, 1}, {3}, {2.0})}});
  EXPECT_EQ(writeJsonlString(f),
            "{\"z\":1,\"a\":1.0,\"s\":\"q\\\"uote\\n\",\"t\":[\"x\",\"y\"],\"d\":[0.5,0.0],"
            "\"v\":{\"size\":4,\"indices\":[3],\"values\":[2.0]}}\n"
            "{\"z\":-2,\"a\":\"NaN\",\"s\":\"é\\u0001\",\"t\":[],\"d\":[1e+20,-0.0],"
            "\"v\":{\"size\":4,\"indices\":[],\"values\":[]}}\n");
  const Frame g = readJsonlString(writeJsonlString(f));
  EXPECT_EQ(g.schema(), f.schema());
  for (std::int64_t r = 0; r < 2; ++r)
    for (const auto& n : f.columnNames()) EXPECT_EQ(g.cellToString(r, n), f.cellToString(r, n));
}

TEST_F(JsonlTest, DoublesIncludingNaNAndInfinityRoundTripExactly) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> xs = {0.1,     1.0 / 3.0, -0.0, 1e-300, 4.9e-324,
                                  1.7976931348623157e308, std::numeric_limits<double>::quiet_NaN(),
                                  inf,     -inf,      123456789012345678.0};
  const Frame f({{"x", makeDoubleColumn(xs)}});
  const std::string text = writeJsonlString(f);
  EXPECT_CONTAINS(text, "{\"x\":\"NaN\"}");
  EXPECT_CONTAINS(text, "{\"x\":\"Infinity\"}");
  EXPECT_CONTAINS(text, "{\"x\":\"-Infinity\"}");
  const std::string p = path("x.jsonl");
  writeJsonl(f, p);
  EXPECT_EQ(readFile(p), text);
  const Frame g = readJsonl(p);
  ASSERT_EQ(g.schema().toString(), "x: double");
  const auto& y = g.col<DoubleColumn>("x");
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (std::isnan(xs[i])) {
      EXPECT_TRUE(std::isnan(y[static_cast<std::int64_t>(i)]));
    } else {
      EXPECT_EQ(y[static_cast<std::int64_t>(i)], xs[i]) << i;
      EXPECT_EQ(std::signbit(y[static_cast<std::int64_t>(i)]), std::signbit(xs[i])) << i;
    }
  }
}

TEST_F(JsonlTest, VectorsOfBothLayoutsRoundTripThroughJsonlAndCsv) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Frame f({{"id", makeInt64Column({0, 1, 2})},
                 {"dense", VectorColumn::dense(3, 3, {0.5, -1.0, 0.0, 0.0, 0.0, 0.0, nan, 1e10, 2.5})},
                 {"sparse", VectorColumn::sparse(10, {0, 2, 2, 3}, {1, 7, 9}, {1.0, nan, -3.0})}});
  auto check = [&](const Frame& g, const char* how) {
    SCOPED_TRACE(how);
    ASSERT_EQ(g.schema(), f.schema());
    ASSERT_EQ(g.numRows(), 3);
    EXPECT_TRUE(g.col<VectorColumn>("dense").isDense());
    EXPECT_FALSE(g.col<VectorColumn>("sparse").isDense());
    EXPECT_EQ(g.col<VectorColumn>("sparse").dim(), 10);
    for (std::int64_t r = 0; r < 3; ++r)
      for (const auto& n : f.columnNames())
        EXPECT_EQ(g.cellToString(r, n), f.cellToString(r, n)) << n << " row " << r;
  };
  // JSONL, by inference and with a schema.
  const std::string jp = path("v.jsonl");
  writeJsonl(f, jp);
  check(readJsonl(jp), "jsonl inferred");
  JsonlOptions jo;
  jo.schema = f.schema();
  check(readJsonl(jp, jo), "jsonl schema");
  // CSV writes the same JSON in its cells and reads it back with a vector schema.
  const std::string cp = path("v.csv");
  writeCsv(f, cp, {});
  CsvOptions co;
  co.schema = f.schema();
  check(readCsv(cp, co), "csv");
  const std::string csvText = readFile(cp);
  EXPECT_CONTAINS(csvText, "\"{\"\"size\"\":10,\"\"indices\"\":[1,7],\"\"values\"\":[1.0,\"\"NaN\"\"]}\"");
  // The CSV cells are exactly the JSONL values.
  const std::string jsonText = readFile(jp);
  EXPECT_CONTAINS(jsonText, "\"sparse\":{\"size\":10,\"indices\":[1,7],\"values\":[1.0,\"NaN\"]}");
  EXPECT_CONTAINS(jsonText, "\"dense\":[\"NaN\",10000000000.0,2.5]");
}

TEST_F(JsonlTest, ParseVectorJsonAcceptsSparkTypeFormAndRejectsBadVectors) {
  JsonVector v;
  ASSERT_TRUE(parseVectorJson(R"({"type":1,"values":[1,2.5]})", v));
  EXPECT_EQ(v.size, -1);
  EXPECT_EQ(v.values, (std::vector<double>{1.0, 2.5}));
  ASSERT_TRUE(parseVectorJson(R"({"type":0,"size":4,"indices":[0,3],"values":[1,"-Infinity"]})", v));
  EXPECT_EQ(v.dim(), 4);
  EXPECT_EQ(v.indices, (std::vector<std::int32_t>{0, 3}));
  EXPECT_EQ(v.values[1], -std::numeric_limits<double>::infinity());
  std::string why;
  EXPECT_FALSE(parseVectorJson(R"({"size":4,"indices":[3,1],"values":[1,2]})", v, &why));
  EXPECT_CONTAINS(why, "strictly increasing");
  EXPECT_FALSE(parseVectorJson(R"({"size":2,"indices":[2],"values":[1]})", v, &why));
  EXPECT_CONTAINS(why, "index 0");
  EXPECT_FALSE(parseVectorJson(R"({"size":2,"indices":[1],"values":[1,2]})", v, &why));
  EXPECT_CONTAINS(why, "1 indices but 2 values");
  EXPECT_FALSE(parseVectorJson(R"({"size":2,"indices":[1]})", v, &why));
  EXPECT_FALSE(parseVectorJson(R"([1,"a"])", v, &why));
  EXPECT_FALSE(parseVectorJson("[1,", v, &why));
  EXPECT_EQ(why, "invalid JSON");
}

TEST_F(JsonlTest, FailedWriteLeavesNothingAndKeepsTheOldFile) {
  const std::string p = path("out.jsonl");
  writeFile(p, "old\n");
  const Frame f({{"s", makeStringColumn({"ok", "bad \xff byte"})}});
  const std::string msg = messageOf<DataError>([&] { writeJsonl(f, p); });
  EXPECT_CONTAINS(msg, "row 1");
  EXPECT_CONTAINS(msg, "'s'");
  EXPECT_CONTAINS(msg, "UTF-8");
  EXPECT_EQ(readFile(p), "old\n");
  EXPECT_EQ(filesInDir(), std::vector<std::string>{"out.jsonl"});
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

std::string jsonlOutcome(const std::function<Frame()>& read) {
  try {
    const Frame f = read();
    return std::to_string(f.numRows()) + " rows; " + f.schema().toString() + "\n" +
           writeJsonlString(f);
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

TEST_F(JsonlTest, StreamEqualsWholeTextForEveryChunking) {
  const std::vector<std::string> texts = {
      "\xEF\xBB\xBF{\"a\":1,\"s\":\"x\\ny\"}\r\n\n  \n{\"a\":2,\"v\":[1,2]}\n{\"s\":\"\xC3\xBC\"}",
      "{\"a\":1}\n{\"a\":2.5}\n",
      "",
      "\n\r\n",
      "{\"a\":1}\n{\"a\":\"x\"}\n",   // a type clash on line 2
      "{\"a\":1}\n\n{\"a\":}\n",        // invalid JSON on line 3
  };
  for (const auto& text : texts) {
    const std::string expected = jsonlOutcome([&] { return readJsonlString(text, {}, "d.jsonl"); });
    for (const auto& cuts : chunkings(text.size(), 5))
      EXPECT_EQ(jsonlOutcome([&] { return readJsonlStream(cutSource(text, cuts), {}, "d.jsonl"); }),
                expected)
          << ::testing::PrintToString(text) << " cut at " << ::testing::PrintToString(cuts);
  }
  EXPECT_CONTAINS(jsonlOutcome([&] { return readJsonlStream(cutSource(texts[5], {12}), {}, "d.jsonl"); }),
                  "d.jsonl, line 3: invalid JSON");
}

TEST_F(JsonlTest, StreamReportsRowsAfterEachChunk) {
  std::string text;
  for (int r = 0; r < 200; ++r) text += "{\"id\":" + std::to_string(r) + "}\n";
  std::vector<std::size_t> cuts;
  for (std::size_t c = 64; c < text.size(); c += 64) cuts.push_back(c);
  std::vector<std::int64_t> seen;
  const Frame f = readJsonlStream(cutSource(text, cuts), {}, "<s>",
                                  [&](std::int64_t rows) { seen.push_back(rows); });
  ASSERT_EQ(f.numRows(), 200);
  EXPECT_EQ(f.col<Int64Column>("id")[199], 199);
  EXPECT_EQ(seen.size(), cuts.size() + 2);
  EXPECT_GT(seen.front(), 0);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), 200);
}

}  // namespace
}  // namespace td
