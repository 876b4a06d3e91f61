// tests/io/csv_test.cc
#include "thunderdome/io/csv.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "../testing/frame_equal.h"
#include "../testing/io_helpers.h"

namespace td {
namespace {

using td::testing::framesIdentical;
using td::testing::messageOf;

namespace fs = std::filesystem;

class CsvTest : public td::testing::TempDirTest {
 protected:
  void writeFile(const std::string& p, const std::string& content) const {
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

const std::string& str(const Frame& f, std::string_view col, std::int64_t r) {
  return f.col<StringColumn>(col)[r];
}

TEST_F(CsvTest, InfersBigintDoubleAndStringColumns) {
  const Frame f = readCsvString("i,d,s,mixed\n1,1.5,a,1\n-2,2,b,x\n+3,1e3,c,2.5\n", {});
  ASSERT_EQ(f.numRows(), 3);
  EXPECT_EQ(f.schema().toString(), "i: bigint, d: double, s: string, mixed: string");
  const auto i = f.col<Int64Column>("i").values();
  EXPECT_EQ(std::vector<std::int64_t>(i.begin(), i.end()), (std::vector<std::int64_t>{1, -2, 3}));
  const auto d = f.col<DoubleColumn>("d").values();
  EXPECT_EQ(std::vector<double>(d.begin(), d.end()), (std::vector<double>{1.5, 2.0, 1000.0}));
  EXPECT_EQ(str(f, "s", 1), "b");
  EXPECT_EQ(str(f, "mixed", 2), "2.5");
}

TEST_F(CsvTest, EmptyFieldsAreNullsAndDoNotChangeTheInferredType) {
  // Spark: an empty field is null (nullValue ""), and an int column with nulls stays an int.
  const Frame f = readCsvString("a,b,c\n1,,x\n,2.5,\n3,,z\n", {});
  EXPECT_EQ(f.schema().toString(), "a: bigint, b: double, c: string");
  const auto& a = f.col<Int64Column>("a");
  EXPECT_EQ(a[0], 1);
  EXPECT_TRUE(a.isNull(1));
  EXPECT_FALSE(a.isNull(0));
  EXPECT_EQ(a[2], 3);
  EXPECT_EQ(a.nullCount(), 1);
  const auto& b = f.col<DoubleColumn>("b");
  EXPECT_TRUE(b.isNull(0) && b.isNull(2) && !b.isNull(1));
  EXPECT_TRUE(std::isnan(b[0]));  // a null double's placeholder is NaN
  EXPECT_TRUE(f.col<StringColumn>("c").isNull(1));
  EXPECT_FALSE(f.col<StringColumn>("c").isNull(0));
  EXPECT_EQ(f.cellToString(1, "a"), "null");
  // Written back, a null is nullValue again (an empty field), and reads back as a null.
  const std::string text = writeCsvString(f);
  EXPECT_EQ(text, "a,b,c\n1,,x\n,2.5,\n3,,z\n");
  EXPECT_TRUE(framesIdentical(readCsvString(text, {}), f));
}

TEST_F(CsvTest, InfersBooleansAsSparkDoes) {
  // true/false in any case is boolean; mixed with numbers or other text it is a string.
  const Frame f = readCsvString("b,mixed,text\ntrue,true,yes\nFALSE,1,no\n,2,true\n", {});
  EXPECT_EQ(f.schema().toString(), "b: boolean, mixed: string, text: string");
  const auto& b = f.col<BooleanColumn>("b");
  EXPECT_TRUE(b[0]);
  EXPECT_FALSE(b[1]);
  EXPECT_TRUE(b.isNull(2));
  EXPECT_EQ(f.cellToString(1, "b"), "false");
  EXPECT_EQ(writeCsvString(f.select({"b", "mixed"})), "b,mixed\ntrue,true\nfalse,1\n,2\n");
  CsvOptions o;
  o.schema = Schema({{"b", DataType::kBoolean}});
  const std::string msg =
      messageOf<DataError>([&] { (void)readCsvString("b\ntrue\nmaybe\n", o, "b.csv"); });
  EXPECT_NE(msg.find("b.csv, line 3: column 'b': expected boolean but found 'maybe'"),
            std::string::npos)
      << msg;
}

TEST_F(CsvTest, NullValueAndNanValueOptions) {
  CsvOptions o;
  o.nullValue = "NA";
  o.nanValue = "n/a";
  const Frame f = readCsvString("x,s\n1.5,NA\nNA,b\nn/a,\n", o);
  EXPECT_EQ(f.schema().toString(), "x: double, s: string");
  const auto& x = f.col<DoubleColumn>("x");
  EXPECT_FALSE(x.isNull(0));
  EXPECT_TRUE(x.isNull(1));
  EXPECT_FALSE(x.isNull(2));
  EXPECT_TRUE(std::isnan(x[2]));  // nanValue: a NaN, not a null
  const auto& s = f.col<StringColumn>("s");
  EXPECT_TRUE(s.isNull(0));
  EXPECT_FALSE(s.isNull(2));  // "" is a value when nullValue is "NA"
  EXPECT_EQ(s[2], "");
  EXPECT_EQ(writeCsvString(f, o), "x,s\n1.5,NA\nNA,b\nNaN,\"\"\n");  // "": an empty string
}

TEST_F(CsvTest, NullsSurviveTakeAndNumericReadsRefuseThem) {
  const Frame f = readCsvString("id,v\n1,2\n2,\n3,4\n", {}, "data.csv");
  const Frame t = f.take(std::vector<std::int64_t>{2, 1});
  EXPECT_FALSE(t.col<Int64Column>("v").isNull(0));
  EXPECT_TRUE(t.col<Int64Column>("v").isNull(1));
  try {
    (void)f.numeric("v");
    FAIL() << "numeric() read a null";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("column 'v' holds a null (a missing value) at data.csv:3"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(CsvTest, AllEmptyColumnIsStringAndBigOverflowIsDouble) {
  const Frame f = readCsvString("e,big\n,99999999999999999999\n,1\n", {});
  EXPECT_EQ(f.schema().toString(), "e: string, big: double");
  EXPECT_EQ(f.col<DoubleColumn>("big")[0], 1e20);
}

TEST_F(CsvTest, AcceptsNaNAndInfinitySpellings) {
  const Frame f =
      readCsvString("x\nNaN\nInf\n-Inf\nInfinity\n-Infinity\n+inf\nnan\n1e400\n-0.5\n.25\n", {});
  ASSERT_EQ(f.schema().fields()[0].type, DataType::kDouble);
  const auto& x = f.col<DoubleColumn>("x");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(std::isnan(x[0]));
  EXPECT_EQ(x[1], inf);
  EXPECT_EQ(x[2], -inf);
  EXPECT_EQ(x[3], inf);
  EXPECT_EQ(x[4], -inf);
  EXPECT_EQ(x[5], inf);
  EXPECT_TRUE(std::isnan(x[6]));
  EXPECT_EQ(x[7], inf);
  EXPECT_EQ(x[8], -0.5);
  EXPECT_EQ(x[9], 0.25);
  // Hex floats, trailing garbage and words are text, not numbers.
  const Frame g = readCsvString("y\n0x1p3\n", {});
  EXPECT_EQ(g.schema().fields()[0].type, DataType::kString);
  EXPECT_EQ(readCsvString("y\n1.5abc\n", {}).schema().fields()[0].type, DataType::kString);
  EXPECT_EQ(readCsvString("y\nnone\n", {}).schema().fields()[0].type, DataType::kString);
}

TEST_F(CsvTest, HeaderlessColumnsAreNamedLikeSpark) {
  CsvOptions o;
  o.header = false;
  const Frame f = readCsvString("1,a,2.5\n2,b,3\n", o);
  EXPECT_EQ(f.columnNames(), (std::vector<std::string>{"_c0", "_c1", "_c2"}));
  EXPECT_EQ(f.numRows(), 2);
  EXPECT_EQ(f.col<Int64Column>("_c0")[1], 2);
  EXPECT_EQ(f.col<DoubleColumn>("_c2")[1], 3.0);
}

TEST_F(CsvTest, InferSchemaFalseReadsEveryColumnAsString) {
  CsvOptions o;
  o.inferSchema = false;
  const Frame f = readCsvString("a,b\n1,2.5\n", o);
  EXPECT_EQ(f.schema().toString(), "a: string, b: string");
  EXPECT_EQ(str(f, "b", 0), "2.5");
}

TEST_F(CsvTest, Rfc4180QuotedSeparatorQuotesAndNewlines) {
  const std::string text =
      "id,text\n"
      "1,\"a, b\"\n"
      "2,\"she said \"\"hi\"\"\"\n"
      "3,\"two\nlines\"\n"
      "4,\"\"\n"
      "5,plain \"inner\" quotes\n";
  const Frame f = readCsvString(text, {});
  ASSERT_EQ(f.numRows(), 5);
  EXPECT_EQ(str(f, "text", 0), "a, b");
  EXPECT_EQ(str(f, "text", 1), "she said \"hi\"");
  EXPECT_EQ(str(f, "text", 2), "two\nlines");
  EXPECT_EQ(str(f, "text", 3), "");
  EXPECT_EQ(str(f, "text", 4), "plain \"inner\" quotes");
}

TEST_F(CsvTest, CrlfLineEndingsBlankLinesAndMissingTrailingNewline) {
  const Frame f = readCsvString("a,b\r\n1,x\r\n\r\n2,\"y\r\nz\"\r\n3,w", {});
  ASSERT_EQ(f.numRows(), 3);
  EXPECT_EQ(f.col<Int64Column>("a")[2], 3);
  EXPECT_EQ(str(f, "b", 0), "x");
  EXPECT_EQ(str(f, "b", 1), "y\r\nz");  // inside quotes the bytes are kept
  EXPECT_EQ(str(f, "b", 2), "w");
}

TEST_F(CsvTest, TrailingSeparatorMeansTrailingEmptyField) {
  const Frame f = readCsvString("a,b,c\nx,y,\n", {});
  EXPECT_EQ(f.numColumns(), 3u);
  EXPECT_EQ(str(f, "c", 0), "");
}

TEST_F(CsvTest, SkipsUtf8ByteOrderMark) {
  const Frame f = readCsvString("\xEF\xBB\xBFname,n\nz\xC3\xBCrich,1\n", {});
  EXPECT_EQ(f.columnNames(), (std::vector<std::string>{"name", "n"}));
  EXPECT_EQ(str(f, "name", 0), "z\xC3\xBCrich");
}

TEST_F(CsvTest, ReadsFixtureFileWithBomCrlfAndQuotes) {
  const Frame f = readCsv(std::string(TD_TEST_DATA_DIR) + "/io/people.csv", {});
  EXPECT_EQ(f.schema().toString(), "id: bigint, name: string, score: double, note: string");
  ASSERT_EQ(f.numRows(), 3);
  EXPECT_EQ(str(f, "name", 0), "Smith, Jane");
  EXPECT_EQ(str(f, "note", 0), "said \"hi\"");
  EXPECT_TRUE(std::isnan(f.col<DoubleColumn>("score")[1]));
  EXPECT_EQ(str(f, "note", 1), "line one\r\nline two");
  EXPECT_EQ(f.col<DoubleColumn>("score")[2], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(str(f, "note", 2), "");
}

TEST_F(CsvTest, NoQuoteModeTreatsBareQuotesAsText) {
  CsvOptions o;
  o.sep = '\t';
  o.quote = std::nullopt;
  const std::string text =
      "label\tbody\n"
      "1\t\"Re: lunch\" she wrote\n"
      "0\tunbalanced \" quote, with comma\n"
      "1\t\"\n";
  const Frame f = readCsvString(text, o);
  ASSERT_EQ(f.numRows(), 3);
  EXPECT_EQ(str(f, "body", 0), "\"Re: lunch\" she wrote");
  EXPECT_EQ(str(f, "body", 1), "unbalanced \" quote, with comma");
  EXPECT_EQ(str(f, "body", 2), "\"");
  // The same text with quoting on is malformed.
  CsvOptions quoted = o;
  quoted.quote = '"';
  EXPECT_THROW((void)readCsvString(text, quoted), DataError);
}

TEST_F(CsvTest, BackslashEscapeInsideQuotes) {
  CsvOptions o;
  o.escape = '\\';
  const Frame f = readCsvString("a\n\"x\\\"y\\\\z\"\n\"q\\n\"\n", o);
  EXPECT_EQ(str(f, "a", 0), "x\"y\\z");
  EXPECT_EQ(str(f, "a", 1), "q\\n");  // an escape before anything else is literal
}

TEST_F(CsvTest, NullValueOption) {
  CsvOptions o;
  o.nullValue = "NA";
  const Frame f = readCsvString("n,s\n1,NA\nNA,x\n2,\n", o);
  EXPECT_EQ(f.schema().toString(), "n: bigint, s: string");
  EXPECT_TRUE(f.col<Int64Column>("n").isNull(1));
  EXPECT_TRUE(f.col<StringColumn>("s").isNull(0));
  EXPECT_FALSE(f.col<StringColumn>("s").isNull(2));
  EXPECT_EQ(str(f, "s", 2), "");  // an empty field is an empty string when nullValue is NA
}

TEST_F(CsvTest, QuotedEmptyFieldIsAnEmptyStringNotANull) {
  // Spark: "" is an empty string (emptyValue), an unquoted empty field a null (nullValue).
  const Frame f = readCsvString("id,s\n1,\"\"\n2,\n3,x\n", {});
  const auto& s = f.col<StringColumn>("s");
  EXPECT_FALSE(s.isNull(0));
  EXPECT_EQ(s[0], "");
  EXPECT_TRUE(s.isNull(1));
  EXPECT_EQ(writeCsvString(f), "id,s\n1,\"\"\n2,\n3,x\n");
}

TEST_F(CsvTest, ExplicitSchemaGivesNamesAndTypes) {
  CsvOptions o;
  o.schema = Schema({{"id", DataType::kString}, {"x", DataType::kDouble}, {"n", DataType::kInt64}});
  const Frame f = readCsvString("ignored,names,here\n007,1,2\n8,,3\n", o);
  EXPECT_EQ(f.schema(), *o.schema);
  EXPECT_EQ(str(f, "id", 0), "007");
  EXPECT_EQ(f.col<DoubleColumn>("x")[0], 1.0);
  EXPECT_TRUE(std::isnan(f.col<DoubleColumn>("x")[1]));
  EXPECT_EQ(f.col<Int64Column>("n")[1], 3);
  // Headerless with a schema: every line is data.
  o.header = false;
  EXPECT_EQ(readCsvString("1,2,3\n", o).numRows(), 1);
  // An empty input with a schema gives the schema's empty columns.
  const Frame empty = readCsvString("", o);
  EXPECT_EQ(empty.schema(), *o.schema);
  EXPECT_EQ(empty.numRows(), 0);
}

TEST_F(CsvTest, ExplicitSchemaBadValueNamesFileLineColumnTypeAndValue) {
  const std::string p = path("bad.csv");
  // Line 3 holds a quoted newline, so the bad row starts on physical line 5.
  writeFile(p, "id,score\n1,2.5\n2,\"3\n\"\n4,abc\n");
  CsvOptions o;
  o.schema = Schema({{"id", DataType::kInt64}, {"score", DataType::kString}});
  EXPECT_NO_THROW((void)readCsv(p, o));
  o.schema = Schema({{"id", DataType::kInt64}, {"score", DataType::kDouble}});
  const std::string msg = messageOf<DataError>([&] { (void)readCsv(p, o); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "line 3");  // "3\n" is the first bad double (the row starting on line 3)
  EXPECT_CONTAINS(msg, "'score'");
  EXPECT_CONTAINS(msg, "double");
  EXPECT_CONTAINS(msg, "'3\n'");

  writeFile(p, "id,score\n1,2.5\n2,\"3\n\"\nx4,abc\n");
  o.schema = Schema({{"id", DataType::kInt64}, {"score", DataType::kString}});
  const std::string msg2 = messageOf<DataError>([&] { (void)readCsv(p, o); });
  EXPECT_CONTAINS(msg2, "line 5");
  EXPECT_CONTAINS(msg2, "'id'");
  EXPECT_CONTAINS(msg2, "bigint");
  EXPECT_CONTAINS(msg2, "'x4'");
}

TEST_F(CsvTest, EmptyFieldInExplicitBigintColumnIsANullAndAQuotedOneAnError) {
  CsvOptions o;
  o.schema = Schema({{"n", DataType::kInt64}, {"m", DataType::kInt64}});
  const Frame f = readCsvString("n,m\n1,2\n,3\n", o, "ints.csv");
  EXPECT_TRUE(f.col<Int64Column>("n").isNull(1));
  // A quoted "" is an empty string, which is not a bigint.
  const std::string msg =
      messageOf<DataError>([&] { (void)readCsvString("n,m\n1,2\n\"\",3\n", o, "ints.csv"); });
  EXPECT_CONTAINS(msg, "ints.csv, line 3");
  EXPECT_CONTAINS(msg, "expected bigint");
}

TEST_F(CsvTest, ConversionErrorReportsTheFirstBadRowAcrossParallelBlocks) {
  std::string text = "v\n";
  const int rows = 200000;
  for (int r = 0; r < rows; ++r) {
    if (r == 150000)
      text += "late\n";
    else if (r == 70001)
      text += "early\n";
    else
      text += std::to_string(r) + "\n";
  }
  CsvOptions o;
  o.schema = Schema({{"v", DataType::kInt64}});
  const std::string msg = messageOf<DataError>([&] { (void)readCsvString(text, o); });
  EXPECT_CONTAINS(msg, "line 70003");
  EXPECT_CONTAINS(msg, "'early'");
  // Inference combines all blocks: one double in the last block makes the column double.
  std::string ints = "v\n";
  for (int r = 0; r < rows; ++r) ints += std::to_string(r) + "\n";
  EXPECT_EQ(readCsvString(ints, {}).schema().fields()[0].type, DataType::kInt64);
  const Frame f = readCsvString(ints + "2.5\n", {});
  EXPECT_EQ(f.schema().fields()[0].type, DataType::kDouble);
  EXPECT_EQ(f.col<DoubleColumn>("v")[rows - 1], rows - 1);
  EXPECT_EQ(f.col<DoubleColumn>("v")[rows], 2.5);
}

// Inference parses a numeric column once, keeping ints as bits until a double turns up: the
// values must be those of the text whatever mix of ints, doubles and nulls each block holds.
TEST_F(CsvTest, InferredNumbersAreTheTextsValuesWhateverTheBlocksHold) {
  std::string text = "v,w\n";
  const int rows = 40000;  // three parallel blocks
  for (int r = 0; r < rows; ++r) {
    std::string v = std::to_string(r);
    if (r == 5) v = "9007199254740993";  // 2^53 + 1: read as a double it rounds to 2^53
    if (r == 20000) v = "0.5";           // mid-block: the ints before it become doubles
    if (r % 1000 == 7) v = "";           // nulls in every block
    text += v + "," + (r % 999 == 3 ? "" : std::to_string(-r)) + "\n";
  }
  const Frame f = readCsvString(text, {});
  ASSERT_EQ(f.schema().fields()[0].type, DataType::kDouble);
  ASSERT_EQ(f.schema().fields()[1].type, DataType::kInt64);
  const auto& v = f.col<DoubleColumn>("v");
  const auto& w = f.col<Int64Column>("w");
  EXPECT_EQ(v[5], 9007199254740992.0);
  EXPECT_EQ(v[19999], 19999.0);
  EXPECT_EQ(v[20000], 0.5);
  EXPECT_EQ(v[20001], 20001.0);
  EXPECT_EQ(v[39999], 39999.0);
  EXPECT_EQ(v.nullCount(), 40);
  EXPECT_TRUE(v.isNull(1007));
  EXPECT_TRUE(std::isnan(v[1007])) << "a null's placeholder is NaN";
  EXPECT_EQ(w[39999], -39999);
  EXPECT_TRUE(w.isNull(3));
  EXPECT_EQ(w[3], 0);
  EXPECT_EQ(w.nullCount(), 41);
  // The same with an explicit schema (no inference) gives the same values.
  CsvOptions o;
  o.schema = Schema({{"v", DataType::kDouble}, {"w", DataType::kInt64}});
  EXPECT_TRUE(framesIdentical(readCsvString(text, o), f));
}

// A large buffer with no quotes and no CRs is split into rows in parallel chunks; it must read
// exactly as the sequential tokenizer reads it (here forced by quoting one field), and an
// irregular row sends it back to the sequential reader, errors and modes included.
TEST_F(CsvTest, ParallelTokenizingReadsAsTheSequentialTokenizer) {
  std::string text = "id,name,x,empty\n";
  for (int r = 0; r < 120000; ++r) {  // ~3 MiB: several chunks
    text += std::to_string(r) + ",n" + std::to_string(r % 17) + "," + std::to_string(r * 0.25) + ",";
    text += r % 5 == 0 ? "" : "e";
    text += r % 40000 == 39999 ? "\n\n" : "\n";  // blank lines are skipped
  }
  text += "120000,last,1.5,tail";  // no final line break
  std::string quoted = text;
  quoted.replace(quoted.find("n16,"), 4, "\"n16\",");
  const Frame parallel = readCsvString(text, {}, "p.csv");
  const Frame sequential = readCsvString(quoted, {}, "p.csv");
  EXPECT_TRUE(framesIdentical(parallel, sequential));
  EXPECT_EQ(parallel.numRows(), 120001);
  EXPECT_EQ(parallel.rowLocation(120000), "p.csv:120005") << "line numbers count blank lines";
  EXPECT_EQ(parallel.rowLocation(50000), sequential.rowLocation(50000));
  EXPECT_EQ(parallel.col<StringColumn>("empty")[120000], "tail");
  EXPECT_TRUE(parallel.col<StringColumn>("empty").isNull(100000));
  // A short row late in the file: the same error as the sequential reader, then the modes.
  std::string ragged = text;
  const std::size_t at = ragged.find("\n100000,");
  ragged.insert(at + 1, "1,2\n");
  EXPECT_CONTAINS(messageOf<DataError>([&] { (void)readCsvString(ragged, {}, "r.csv"); }),
                  "r.csv, line 100004: malformed row: expected 4 fields but found 2");
  CsvOptions drop;
  drop.mode = ReadMode::kDropMalformed;
  EXPECT_TRUE(framesIdentical(readCsvString(ragged, drop, "p.csv"), parallel));
  // One column: every row is one field (the separator search stops at the line's end).
  std::string single = "v\n";
  for (int r = 0; r < 200000; ++r) single += std::to_string(r) + "\n";
  const Frame one = readCsvString(single, {}, "one.csv");
  ASSERT_EQ(one.numRows(), 200000);
  EXPECT_EQ(one.col<Int64Column>("v")[199999], 199999);
  // Bad UTF-8 in a row: FAILFAST names it (the sequential reader's check).
  std::string bad = text;
  bad.replace(bad.find("n3,"), 3, "n\xff,");
  EXPECT_CONTAINS(messageOf<DataError>([&] { (void)readCsvString(bad, {}, "b.csv"); }), "b.csv, line");
}

// Cells are 4 bytes within 64 KiB of their row's start; a row with a longer field, a quoted
// empty string or a padded field keeps its fields aside: every form reads back the same.
TEST_F(CsvTest, LongFieldsAndQuotedEmptiesReadBackWhereverTheyAre) {
  const std::string big(70000, 'x');
  // A small buffer (sequential), and a large one with no quote (parallel, which hands the long
  // rows back to the sequential tokenizer).
  for (const int filler : {10, 100000}) {
    const bool quoted = filler == 10;
    std::string text = "a,b,c\n";
    for (int r = 0; r < filler; ++r) text += std::to_string(r) + ",m,\n";
    text += "L," + big + ",end\n";                   // a field past 64 KiB
    text += quoted ? "Q,\"\",\n" : "Q,,\n";             // a quoted empty string, then a null
    text += "T,m," + big + "\n";          // a field starting past 64 KiB
    for (int r = 0; r < filler; ++r) text += std::to_string(r) + ",n,z\n";
    const Frame f = readCsvString(text, {}, "long.csv");
    const auto& a = f.col<StringColumn>("a");
    const auto& b = f.col<StringColumn>("b");
    const auto& c = f.col<StringColumn>("c");
    const auto at = static_cast<std::int64_t>(filler);
    ASSERT_EQ(f.numRows(), 2 * at + 3);
    EXPECT_EQ(a[at], "L");
    EXPECT_EQ(b[at], big);
    EXPECT_EQ(c[at], "end");
    EXPECT_EQ(b.isNull(at + 1), !quoted);
    EXPECT_EQ(b[at + 1], "");
    EXPECT_TRUE(c.isNull(at + 1));
    EXPECT_EQ(c[at + 2], big);
    EXPECT_EQ(b[at + 3], "n");
    EXPECT_TRUE(c.isNull(0));
    EXPECT_EQ(f.rowLocation(at + 3), fmt::format("long.csv:{}", at + 5));
  }
}

// Decimal text is read as the correctly rounded double (strtod's), whether a fast path or the
// general parser takes it.
TEST_F(CsvTest, DoublesAreCorrectlyRoundedInEveryForm) {
  std::vector<std::string> texts = {"0.1", "9007199254740993", "9007199254740992.5", "1e22",
                                    "1e23", "123456789012345678901", "1234567890123456789",
                                    ".5", "5.", "-0.0", "1E+2", "2.5e-22", "4.9e-324", "1e-400",
                                    "0.000000000000000000000000123", "17976931348623157e292"};
  std::mt19937_64 rng(7);
  for (int k = 0; k < 20000; ++k) {
    std::string t = rng() % 2 ? "-" : "";
    const int digits = 1 + static_cast<int>(rng() % 20);
    const int point = static_cast<int>(rng() % (digits + 1));
    for (int d = 0; d < digits; ++d) {
      if (d == point && d > 0) t += '.';
      t += static_cast<char>('0' + rng() % 10);
    }
    if (rng() % 3 == 0) t += "e" + std::to_string(static_cast<int>(rng() % 61) - 30);
    texts.push_back(t);
  }
  std::string csv = "v\n";
  for (const auto& t : texts) csv += t + "\n";
  CsvOptions o;
  o.schema = Schema({{"v", DataType::kDouble}});
  const Frame f = readCsvString(csv, o);
  const auto& v = f.col<DoubleColumn>("v");
  for (std::size_t k = 0; k < texts.size(); ++k) {
    const double want = std::strtod(texts[k].c_str(), nullptr);
    ASSERT_EQ(std::bit_cast<std::uint64_t>(v[static_cast<std::int64_t>(k)]),
              std::bit_cast<std::uint64_t>(want))
        << texts[k];
  }
}

// A column with few distinct strings is read dictionary-encoded; nulls and quoted empty
// strings stay apart, and the text written back is the text read.
TEST_F(CsvTest, FewDistinctStringsAreDictionaryEncodedWithNullsIntact) {
  std::string text = "c,id\n";
  const int rows = 1000;
  for (int r = 0; r < rows; ++r) {
    const std::string c = r % 10 == 4 ? "" : r % 10 == 5 ? "\"\"" : std::string(1, 'a' + r % 3);
    text += c + ",s" + std::to_string(r) + "\n";
  }
  const Frame f = readCsvString(text, {});
  const auto& c = f.col<StringColumn>("c");
  const auto& id = f.col<StringColumn>("id");
  EXPECT_TRUE(c.isDictionary());
  EXPECT_FALSE(id.isDictionary()) << "every value distinct: codes would save nothing";
  EXPECT_EQ(c.distinct().size(), 3u + 1u) << "a, b, c and the quoted empty string";
  EXPECT_EQ(c[0], "a");
  EXPECT_EQ(c[2], "c");
  EXPECT_TRUE(c.isNull(4));
  EXPECT_FALSE(c.isNull(5));
  EXPECT_EQ(c[5], "");
  EXPECT_EQ(c.nullCount(), 100);
  EXPECT_EQ(id[999], "s999");
  EXPECT_EQ(writeCsvString(f, {}), text);
  // A row view of it stays dictionary-encoded.
  const std::vector<std::int64_t> rowsWanted{4, 0, 2};
  const auto view = std::static_pointer_cast<const StringColumn>(c.take(rowsWanted));
  EXPECT_TRUE(view->isDictionary());
  EXPECT_TRUE(view->isNull(0));
  EXPECT_EQ((*view)[1], "a");
  EXPECT_EQ(view->distinct()[static_cast<std::size_t>(view->code(2))], "c");
}

TEST_F(CsvTest, WrongFieldCountNamesFileLineAndCounts) {
  const std::string p = path("ragged.tsv");
  writeFile(p, "a\tb\tc\n1\t2\t3\n4\t5\n");
  const std::string msg = messageOf<DataError>([&] { (void)readCsv(p, CsvOptions::forPath(p)); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "line 3");
  EXPECT_CONTAINS(msg, "expected 3 fields but found 2");
  // A header that does not match an explicit schema is malformed too.
  CsvOptions o;
  o.schema = Schema({{"x", DataType::kString}});
  EXPECT_CONTAINS(messageOf<DataError>([&] { (void)readCsvString("a,b\n", o); }),
                  "line 1: malformed row: expected 1 fields but found 2");
}

TEST_F(CsvTest, UnterminatedQuoteNamesLine) {
  const std::string msg = messageOf<DataError>(
      [&] { (void)readCsvString("a,b\n1,2\n3,\"open\nstill open\n", {}, "q.csv"); });
  EXPECT_CONTAINS(msg, "q.csv, line 3");
  EXPECT_CONTAINS(msg, "unterminated");
}

TEST_F(CsvTest, TextAfterClosingQuoteIsMalformed) {
  const std::string msg =
      messageOf<DataError>([&] { (void)readCsvString("a,b\n\"x\"y,2\n", {}, "q.csv"); });
  EXPECT_CONTAINS(msg, "q.csv, line 2");
  EXPECT_CONTAINS(msg, "after the closing quote");
}

TEST_F(CsvTest, MissingFileThrowsIoErrorNamingPathAndReason) {
  const std::string p = path("nope.csv");
  const std::string msg = messageOf<IoError>([&] { (void)readCsv(p, {}); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "No such file or directory");
}

TEST_F(CsvTest, DuplicateHeaderNamesThrowColumnError) {
  const std::string msg =
      messageOf<ColumnError>([&] { (void)readCsvString("a,b,a\n1,2,3\n", {}, "dup.csv"); });
  EXPECT_CONTAINS(msg, "dup.csv");
  EXPECT_CONTAINS(msg, "'a'");
}

TEST_F(CsvTest, EmptyInputsGiveEmptyFrames) {
  EXPECT_EQ(readCsvString("", {}).numColumns(), 0u);
  const Frame f = readCsvString("a,b\n", {});
  EXPECT_EQ(f.columnNames(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.numRows(), 0);
  EXPECT_EQ(f.schema().toString(), "a: string, b: string");
}

TEST_F(CsvTest, ForPathChoosesTabForTsv) {
  EXPECT_EQ(CsvOptions::forPath("/x/y/data.tsv").sep, '\t');
  EXPECT_EQ(CsvOptions::forPath("DATA.TSV").sep, '\t');
  EXPECT_EQ(CsvOptions::forPath("data.csv").sep, ',');
  EXPECT_EQ(CsvOptions::forPath("dir.tsv/data").sep, ',');
}

TEST_F(CsvTest, WriterQuotesOnlyWhenNeeded) {
  const Frame f({{"id", makeInt64Column({1, 2, 3})},
                 {"x", makeDoubleColumn({1.0, 0.1, std::numeric_limits<double>::quiet_NaN()})},
                 {"s", makeStringColumn({"plain", "a,b", "say \"hi\"\nbye"})}});
  EXPECT_EQ(writeCsvString(f, {}),
            "id,x,s\n1,1.0,plain\n2,0.1,\"a,b\"\n3,NaN,\"say \"\"hi\"\"\nbye\"\n");
  CsvOptions tsv;
  tsv.sep = '\t';
  tsv.header = false;
  EXPECT_EQ(writeCsvString(f.select({"id", "s"}).take(std::vector<std::int64_t>{1}), tsv),
            "2\ta,b\n");
}

TEST_F(CsvTest, RoundTripPreservesValuesOfEveryColumnType) {
  const double inf = std::numeric_limits<double>::infinity();
  const Frame f(
      {{"id", makeInt64Column({std::numeric_limits<std::int64_t>::min(), 0, 42})},
       {"x", makeDoubleColumn({0.1, 1e-300, -inf})},
       {"y", makeDoubleColumn({1.0 / 3.0, 123456789.0, std::numeric_limits<double>::quiet_NaN()})},
       {"s", makeStringColumn({"a, \"b\"", "line\nbreak\r\n", ""})},
       {"tokens", StringArrayColumn::fromRows({{"a", "b,c"}, {}, {"q\"uote", "back\\slash", "t\tab"}})},
       {"dense", VectorColumn::dense(3, 2, {0.5, -1.0, 0.0, 0.0, 1e10, 2.5})},
       {"sparse", VectorColumn::sparse(10, {0, 2, 2, 3}, {1, 7, 9}, {1.0, 2.5, -3.0})}});
  const std::string p = path("all.csv");
  writeCsv(f, p, {});
  CsvOptions o;
  o.schema = f.schema();
  const Frame g = readCsv(p, o);
  ASSERT_EQ(g.schema(), f.schema());
  ASSERT_EQ(g.numRows(), 3);
  for (std::int64_t r = 0; r < 3; ++r)
    for (const auto& name : f.columnNames())
      EXPECT_EQ(g.cellToString(r, name), f.cellToString(r, name)) << name << " row " << r;
  // Doubles come back bit-identical (shortest round-trip form).
  for (int r = 0; r < 2; ++r) EXPECT_EQ(g.col<DoubleColumn>("y")[r], f.col<DoubleColumn>("y")[r]);
  EXPECT_TRUE(g.col<VectorColumn>("dense").isDense());
  EXPECT_FALSE(g.col<VectorColumn>("sparse").isDense());
  EXPECT_EQ(g.col<StringArrayColumn>("tokens")[2][1], "back\\slash");

  // With inference, numeric and string columns come back with the same types.
  const Frame h = readCsv(p, {});
  EXPECT_EQ(h.schema().fields()[0].type, DataType::kInt64);
  EXPECT_EQ(h.schema().fields()[1].type, DataType::kDouble);
  EXPECT_EQ(h.schema().fields()[2].type, DataType::kDouble);
  EXPECT_EQ(h.col<DoubleColumn>("x")[1], 1e-300);
  EXPECT_EQ(str(h, "s", 1), "line\nbreak\r\n");
}

TEST_F(CsvTest, VectorCellsAreWrittenAsJsonAndReadInEveryForm) {
  const Frame f({{"dense", VectorColumn::dense(2, 2, {0.5, -1.0, 0.0, 2.0})},
                 {"sparse", VectorColumn::sparse(10, {0, 2, 2}, {1, 7}, {1.0, 2.5})}});
  CsvOptions tsv;
  tsv.sep = '\t';
  // The same JSON as JSON Lines: dense lists, sparse {"size","indices","values"} objects.
  const std::string text = writeCsvString(f, tsv);
  EXPECT_EQ(text,
            "dense\tsparse\n"
            "[0.5,-1.0]\t\"{\"\"size\"\":10,\"\"indices\"\":[1,7],\"\"values\"\":[1.0,2.5]}\"\n"
            "[0.0,2.0]\t\"{\"\"size\"\":10,\"\"indices\"\":[],\"\"values\"\":[]}\"\n");
  tsv.schema = f.schema();
  const Frame g = readCsvString(text, tsv);
  for (std::int64_t r = 0; r < 2; ++r)
    for (const auto& n : f.columnNames()) EXPECT_EQ(g.cellToString(r, n), f.cellToString(r, n));

  // Spark's text form, the old bare NaN, JSON "NaN" strings and Spark's {"type":...} objects.
  CsvOptions o;
  o.schema = Schema({{"v", DataType::kVector}});
  const Frame h = readCsvString(
      "v\n"
      "\"(4,[1,3],[1.0,NaN])\"\n"
      "\"{\"\"size\"\":4,\"\"indices\"\":[0],\"\"values\"\":[\"\"-Infinity\"\"]}\"\n"
      "\"[1.0,NaN,0,2]\"\n"
      "\"[\"\"NaN\"\",1,0,2]\"\n"
      "\"{\"\"type\"\":0,\"\"size\"\":4,\"\"indices\"\":[2],\"\"values\"\":[5]}\"\n",
      o);
  const auto& v = h.col<VectorColumn>("v");
  ASSERT_EQ(v.size(), 5);
  EXPECT_FALSE(v.isDense());
  EXPECT_EQ(v.dim(), 4);
  EXPECT_TRUE(std::isnan(v[0].at(3)));
  EXPECT_EQ(v[1].at(0), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(v[2].at(1)));
  EXPECT_TRUE(std::isnan(v[3].at(0)));
  EXPECT_EQ(v[3].at(3), 2.0);
  EXPECT_EQ(v[4].at(2), 5.0);

  // A malformed vector names the line, the column and the reason.
  const std::string msg = messageOf<DataError>([&] {
    (void)readCsvString("v\n\"{\"\"size\"\":2,\"\"indices\"\":[5],\"\"values\"\":[1]}\"\n", o,
                        "vec.csv");
  });
  EXPECT_CONTAINS(msg, "vec.csv, line 2");
  EXPECT_CONTAINS(msg, "'v'");
  EXPECT_CONTAINS(msg, "index 0");
}

TEST_F(CsvTest, RoundTripTsvWithoutQuotingAndWithBackslashEscape) {
  const Frame f({{"label", makeDoubleColumn({1.0, 0.0})},
                 {"text", makeStringColumn({"\"quoted\" text, with comma", "back\\slash \"q\""})}});
  CsvOptions noQuote;
  noQuote.sep = '\t';
  noQuote.quote = std::nullopt;
  const Frame g = readCsvString(writeCsvString(f, noQuote), noQuote);
  EXPECT_EQ(str(g, "text", 0), "\"quoted\" text, with comma");
  EXPECT_EQ(str(g, "text", 1), "back\\slash \"q\"");
  CsvOptions bs;
  bs.escape = '\\';
  const std::string text = writeCsvString(f, bs);
  EXPECT_EQ(text, "label,text\n1.0,\"\\\"quoted\\\" text, with comma\"\n0.0,\"back\\\\slash \\\"q\\\"\"\n");
  const Frame h = readCsvString(text, bs);
  EXPECT_EQ(str(h, "text", 0), "\"quoted\" text, with comma");
  EXPECT_EQ(str(h, "text", 1), "back\\slash \"q\"");
}

TEST_F(CsvTest, SingleColumnEmptyStringsSurviveRoundTrip) {
  const Frame f({{"s", makeStringColumn({"a", "", "b"})}});
  const std::string text = writeCsvString(f, {});
  EXPECT_EQ(text, "s\na\n\"\"\nb\n");
  const Frame g = readCsvString(text, {});
  ASSERT_EQ(g.numRows(), 3);
  EXPECT_EQ(str(g, "s", 1), "");
}

TEST_F(CsvTest, NoQuoteWriteOfValueWithSeparatorFailsAndLeavesNoFile) {
  const Frame f({{"id", makeInt64Column({1, 2})},
                 {"v", VectorColumn::dense(2, 2, {1.0, 2.0, 3.0, 4.0})}});
  CsvOptions o;
  o.quote = std::nullopt;
  const std::string p = path("out.csv");
  const std::string msg = messageOf<DataError>([&] { writeCsv(f, p, o); });
  EXPECT_CONTAINS(msg, "row 0");
  EXPECT_CONTAINS(msg, "'v'");
  EXPECT_FALSE(fs::exists(p));
  EXPECT_TRUE(filesInDir().empty()) << "temporary file left behind";
  // The tab separator makes the same frame writable without quoting.
  o.sep = '\t';
  writeCsv(f, p, o);
  EXPECT_EQ(readFile(p), "id\tv\n1\t[1.0,2.0]\n2\t[3.0,4.0]\n");
  EXPECT_EQ(filesInDir(), std::vector<std::string>{"out.csv"});
}

TEST_F(CsvTest, FailedWriteKeepsTheExistingFileAndLeavesNoTemporary) {
  const std::string p = path("keep.csv");
  writeFile(p, "old content\n");
  const Frame f({{"s", makeStringColumn({"ok", "has\nnewline"})}});
  CsvOptions o;
  o.quote = std::nullopt;
  const std::string msg = messageOf<DataError>([&] { writeCsv(f, p, o); });
  EXPECT_CONTAINS(msg, "row 1");
  EXPECT_EQ(readFile(p), "old content\n");
  EXPECT_EQ(filesInDir(), std::vector<std::string>{"keep.csv"});
  // A successful write replaces it.
  writeCsv(f, p, {});
  EXPECT_EQ(readFile(p), "s\nok\n\"has\nnewline\"\n");
}

TEST_F(CsvTest, WriteIntoMissingDirectoryThrowsIoError) {
  const std::string p = path("no/such/dir/out.csv");
  const Frame f({{"a", makeInt64Column({1})}});
  const std::string msg = messageOf<IoError>([&] { writeCsv(f, p, {}); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "No such file or directory");
  EXPECT_TRUE(filesInDir().empty());
}

TEST_F(CsvTest, LargeTsvParsesAllRows) {
  std::string text = "id\tscore\ttext\n";
  const int rows = 300000;
  for (int r = 0; r < rows; ++r)
    text += std::to_string(r) + "\t" + std::to_string(r * 0.25) + "\tsome words " +
            std::to_string(r % 97) + "\n";
  const std::string p = path("big.tsv");
  writeFile(p, text);
  const Frame f = readCsv(p, CsvOptions::forPath(p));
  ASSERT_EQ(f.numRows(), rows);
  EXPECT_EQ(f.schema().toString(), "id: bigint, score: double, text: string");
  EXPECT_EQ(f.col<Int64Column>("id")[rows - 1], rows - 1);
  EXPECT_EQ(f.col<DoubleColumn>("score")[1001], 250.25);
  EXPECT_EQ(str(f, "text", 200), "some words 6");
}

TEST_F(CsvTest, InvalidOptionsAreParamErrors) {
  CsvOptions o;
  o.sep = '"';
  EXPECT_THROW((void)readCsvString("a\n", o), ParamError);
  o.sep = '\n';
  EXPECT_THROW((void)readCsvString("a\n", o), ParamError);
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

// Cut points for `n` bytes: every byte, a random few, or fixed-size pieces.
std::vector<std::size_t> everyByte(std::size_t n) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < n; ++i) cuts.push_back(i);
  return cuts;
}
std::vector<std::size_t> randomCuts(std::size_t n, std::mt19937& rng) {
  std::vector<std::size_t> cuts;
  if (n < 2) return cuts;
  std::uniform_int_distribution<std::size_t> pos(0, n);
  const std::size_t k = std::uniform_int_distribution<std::size_t>(1, 6)(rng);
  for (std::size_t i = 0; i < k; ++i) cuts.push_back(pos(rng));  // empty chunks included
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

// What a read gives, comparable as text: the schema and the rows as CSV, or the error.
std::string outcome(const std::function<Frame()>& read) {
  try {
    const Frame f = read();
    return fmt::format("{} rows; {}\n{}", f.numRows(), f.schema().toString(), writeCsvString(f, {}));
  } catch (const DataError& e) {
    return std::string("DataError: ") + e.what();
  } catch (const ColumnError& e) {
    return std::string("ColumnError: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("other error: ") + e.what();
  }
}

// Texts that exercise every decision the tokenizer makes at a chunk boundary.
std::vector<std::string> trickyCsvTexts() {
  return {
      "id,text\n1,\"a, b\"\n2,\"she said \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\"\"\n5,plain \"in\" q\n",
      "a,b\r\n1,x\r\n\r\n2,\"y\r\nz\"\r\n3,w",
      "a,b\r\n1,\"x\"\r\n2,\"\"\"\"\r",
      "\xEF\xBB\xBFname,n\nz\xC3\xBCrich,1\n\n\n\"q\"\"\",2\r\n",
      "\xEF\xBB\xBF",
      "\xEF\xBB",
      "",
      "\n\r\n\n",
      "a\n\"\"\n\"\"\"\"\n\"x\"\"\"\n",
      "a,b,c\nx,y,\n,,\n\"\",\"\",\"\"",
      "v\n1\n2\n3.5\nNaN\n-Infinity\n",
      // errors: their messages and line numbers must not depend on the cuts
      "a,b\n1,2\n3,\"open\nstill open\n",
      "a,b\n1,2\n\"x\"y,3\n",
      "a,b\n1,2\n\n3\n",
      "a,a\n1,2\n",
      "n,m\n1,\"2\n\"\nx,\"\"\"\n\"\n",
      "a,b\r\n\r\n1,2\r\n\r\n3\r\n",
      "a\r\n\r\n\"1\"\r\n\r\n2\r\n\"x\ny\"\r\n",
      "a\r\r\n\"1\"\r\n\r\n\"2\"\r\r\n",
  };
}

TEST_F(CsvTest, StreamEqualsWholeTextForEveryChunking) {
  std::mt19937 rng(7);
  std::vector<CsvOptions> optionSets(5);
  optionSets[1].header = false;
  optionSets[2].escape = '\\';  // backslash escapes inside quotes
  optionSets[3].schema = Schema({{"a", DataType::kString}, {"b", DataType::kString}});
  optionSets[4].schema = Schema({{"a", DataType::kInt64}});  // errors with line numbers
  for (const auto& text : trickyCsvTexts()) {
    for (const auto& o : optionSets) {
      const std::string expected = outcome([&] { return readCsvString(text, o, "s.csv"); });
      auto check = [&](std::vector<std::size_t> cuts, const char* how) {
        EXPECT_EQ(outcome([&] { return readCsvStream(cutSource(text, cuts), o, "s.csv"); }),
                  expected)
            << how << " cuts of " << ::testing::PrintToString(text);
      };
      check(everyByte(text.size()), "1-byte");
      for (std::size_t c = 0; c <= text.size(); ++c) check({c}, "two-chunk");
      for (int k = 0; k < 20; ++k) check(randomCuts(text.size(), rng), "random");
    }
  }
}

TEST_F(CsvTest, StreamWithBackslashEscapesAndNoQuoting) {
  const std::string text = "a,b\n\"x\\\"y\",\"p\\\\q\"\n\"\\\"\",\"z\\w\"\n";
  CsvOptions esc;
  esc.escape = '\\';
  CsvOptions none;
  none.quote = std::nullopt;
  for (const auto& o : {esc, none}) {
    const std::string expected = outcome([&] { return readCsvString(text, o); });
    EXPECT_EQ(outcome([&] { return readCsvStream(cutSource(text, everyByte(text.size())), o); }),
              expected);
    for (std::size_t c = 0; c <= text.size(); ++c)
      EXPECT_EQ(outcome([&] { return readCsvStream(cutSource(text, {c}), o); }), expected);
  }
  EXPECT_EQ(str(readCsvString(text, esc), "a", 0), "x\"y");
  EXPECT_EQ(str(readCsvString(text, esc), "b", 0), "p\\q");
}

TEST_F(CsvTest, StreamOfALargeRandomTableEqualsWholeText) {
  std::mt19937 rng(11);
  std::string text = "id,name,score,note\r\n";
  const char* words[] = {"plain", "with, comma", "with \"quote\"", "two\nlines", "", "cr\r\nlf"};
  for (int r = 0; r < 20000; ++r) {
    const std::string w = words[rng() % 6];
    const bool quote = w.find_first_of(",\"\n\r") != std::string::npos || rng() % 4 == 0;
    std::string q;
    for (char ch : w) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    text += std::to_string(r) + ",n" + std::to_string(r % 37) + "," + std::to_string(r * 0.5) +
            "," + (quote ? "\"" + q + "\"" : w) + (r % 3 ? "\n" : "\r\n");
  }
  const std::string expected = outcome([&] { return readCsvString(text, {}); });
  ASSERT_NE(expected.find("20000 rows; id: bigint, name: string, score: double, note: string"),
            std::string::npos);
  for (std::size_t piece : {1u, 7u, 4096u, 65536u, 1u << 20}) {
    std::vector<std::size_t> cuts;
    for (std::size_t c = piece; c < text.size(); c += piece) cuts.push_back(c);
    EXPECT_EQ(outcome([&] { return readCsvStream(cutSource(text, cuts), {}); }), expected)
        << piece << "-byte chunks";
  }
}

TEST_F(CsvTest, StreamReportsRowsAsChunksArrive) {
  std::string text = "id,v\n";
  for (int r = 0; r < 1000; ++r) text += std::to_string(r) + ",\"x\ny\"\n";
  std::vector<std::size_t> cuts;
  for (std::size_t c = 1000; c < text.size(); c += 1000) cuts.push_back(c);
  std::vector<std::int64_t> seen;
  int delivered = 0;
  int deliveredAtFirstRow = -1;
  const ChunkSource source = [&](const ChunkSink& sink) {
    cutSource(text, cuts)([&](std::string_view c) {
      ++delivered;
      sink(c);
    });
  };
  const Frame f = readCsvStream(source, {}, "rows.csv", [&](std::int64_t rows) {
    if (rows > 0 && deliveredAtFirstRow < 0) deliveredAtFirstRow = delivered;
    seen.push_back(rows);
  });
  ASSERT_EQ(f.numRows(), 1000);
  EXPECT_EQ(deliveredAtFirstRow, 1) << "the first chunk's rows are parsed before the second";
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.size(), cuts.size() + 2);  // after each chunk, and at the end
  EXPECT_EQ(seen.back(), 1000);
  EXPECT_LT(seen[seen.size() / 2], 1000);
}

TEST_F(CsvTest, StreamErrorsNameTheSourceAndLineLikeTheWholeText) {
  const std::string text = "a,b\n1,2\n3,\"x\ny\"\n4\n";
  const std::string msg = messageOf<DataError>(
      [&] { (void)readCsvStream(cutSource(text, everyByte(text.size())), {}, "swift://c/o.csv"); });
  EXPECT_CONTAINS(msg, "swift://c/o.csv, line 5: malformed row: expected 2 fields but found 1");
  // An error thrown by the source comes through unchanged.
  const ChunkSource failing = [](const ChunkSink& sink) {
    sink("a,b\n1,");
    throw IoError("download failed");
  };
  EXPECT_EQ(messageOf<IoError>([&] { (void)readCsvStream(failing, {}); }), "download failed");
}

}  // namespace
}  // namespace td
