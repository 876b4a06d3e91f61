// tests/io/frame_io_test.cc
#include "thunderdome/io/frame_io.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "../testing/io_helpers.h"
#include "thunderdome/io/file.h"
#include "thunderdome/io/stream.h"

namespace td {
namespace {

using td::testing::gzipBytes;

using td::testing::messageOf;

namespace fs = std::filesystem;


class FrameIoTest : public td::testing::TempDirTest {
 protected:
  static void writeFile(const std::string& p, std::string_view content) {
    std::ofstream(p, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
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

TEST_F(FrameIoTest, FormatFromNameAcceptsEveryAlias) {
  EXPECT_EQ(formatFromName("csv"), FileFormat::kCsv);
  EXPECT_EQ(formatFromName("TSV"), FileFormat::kTsv);
  EXPECT_EQ(formatFromName("libsvm"), FileFormat::kLibSvm);
  EXPECT_EQ(formatFromName("svm"), FileFormat::kLibSvm);
  EXPECT_EQ(formatFromName("jsonl"), FileFormat::kJsonl);
  EXPECT_EQ(formatFromName("Json"), FileFormat::kJsonl);
  const std::string msg = messageOf<ParamError>([] { (void)formatFromName("parquet"); });
  EXPECT_CONTAINS(msg, "'parquet'");
  for (const char* name : {"csv", "tsv", "libsvm", "svm", "jsonl", "json"}) EXPECT_CONTAINS(msg, name);
  EXPECT_EQ(toString(FileFormat::kLibSvm), "libsvm");
  EXPECT_EQ(formatFromName(toString(FileFormat::kJsonl)), FileFormat::kJsonl);
}

TEST_F(FrameIoTest, FormatForPathUsesTheExtensionAfterGz) {
  EXPECT_EQ(formatForPath("a.csv"), FileFormat::kCsv);
  EXPECT_EQ(formatForPath("dir/a.tsv"), FileFormat::kTsv);
  EXPECT_EQ(formatForPath("a.libsvm"), FileFormat::kLibSvm);
  EXPECT_EQ(formatForPath("a.svm"), FileFormat::kLibSvm);
  EXPECT_EQ(formatForPath("a.jsonl"), FileFormat::kJsonl);
  EXPECT_EQ(formatForPath("a.json"), FileFormat::kJsonl);
  EXPECT_EQ(formatForPath("a.CSV.gz"), FileFormat::kCsv);
  EXPECT_EQ(formatForPath("x/y.tsv.GZ"), FileFormat::kTsv);
  EXPECT_EQ(formatForPath("a.jsonl.gz"), FileFormat::kJsonl);
  for (const std::string p : {"data/sample_libsvm_data.txt", "noext", "dir.csv/file", "a.gz",
                              "a.parquet.gz"}) {
    const std::string msg = messageOf<ParamError>([&] { (void)formatForPath(p); });
    EXPECT_CONTAINS(msg, "'" + p + "'");
    EXPECT_CONTAINS(msg, ".csv, .tsv, .libsvm, .svm, .jsonl, .json");
    EXPECT_CONTAINS(msg, ".gz");
    EXPECT_CONTAINS(msg, "--format");
  }
}

TEST_F(FrameIoTest, ReadFrameDispatchesByExtensionIncludingGz) {
  const std::string csv = "id,text\n1,a b\n2,\"c, d\"\n";
  const std::string tsv = "id\ttext\n1\ta b\n2\tc, d\n";
  const std::string svm = "1 1:0.5 3:2\n0 2:1\n";
  const std::string jsonl = "{\"id\":1,\"text\":\"a b\"}\n{\"id\":2,\"text\":\"c, d\"}\n";
  struct Case {
    std::string name;
    std::string content;
  };
  const std::vector<Case> cases = {{"d.csv", csv},     {"d.tsv", tsv},         {"d.libsvm", svm},
                                   {"d.svm", svm},     {"d.jsonl", jsonl},     {"d.json", jsonl},
                                   {"d.csv.gz", csv},  {"d.tsv.gz", tsv},      {"d.svm.gz", svm},
                                   {"d.jsonl.gz", jsonl}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string p = path(c.name);
    writeFile(p, c.name.ends_with(".gz") ? gzipBytes(c.content) : c.content);
    const Frame f = readFrame(p);
    ASSERT_EQ(f.numRows(), 2);
    if (formatForPath(p) == FileFormat::kLibSvm) {
      EXPECT_EQ(f.schema().toString(), "label: double, features: vector");
      EXPECT_EQ(f.col<VectorColumn>("features").dim(), 3);
    } else {
      EXPECT_EQ(f.schema().toString(), "id: bigint, text: string");
      EXPECT_EQ(f.col<StringColumn>("text")[1], "c, d");
    }
  }
}

TEST_F(FrameIoTest, ExplicitFormatAndOptionsOverrideTheExtension) {
  const std::string p = path("sample_libsvm_data.txt");
  writeFile(p, "1 1:0.5\n0 2:1\n");
  EXPECT_THROW((void)readFrame(p), ParamError);
  ReadOptions o;
  o.format = "svm";
  o.libsvm.numFeatures = 5;
  EXPECT_EQ(readFrame(p, o).col<VectorColumn>("features").dim(), 5);
  o.format = "nope";
  EXPECT_THROW((void)readFrame(p, o), ParamError);

  // TSV forces a tab; a separator the user changed is kept.
  const std::string q = path("semi.txt");
  writeFile(q, "a;b\n1;2\n");
  ReadOptions t;
  t.format = "tsv";
  EXPECT_EQ(readFrame(q, t).columnNames(), std::vector<std::string>{"a;b"});
  t.csv.sep = ';';
  EXPECT_EQ(readFrame(q, t).columnNames(), (std::vector<std::string>{"a", "b"}));

  // JSONL options travel: an explicit schema.
  const std::string j = path("x.json");
  writeFile(j, "{\"a\":1,\"b\":\"x\"}\n");
  ReadOptions jo;
  jo.jsonl.schema = Schema({{"a", DataType::kDouble}});
  EXPECT_EQ(readFrame(j, jo).schema().toString(), "a: double");
}

TEST_F(FrameIoTest, WriteFrameRoundTripsEveryFormat) {
  const Frame f({{"label", makeDoubleColumn({1.0, 0.0})},
                 {"features", VectorColumn::sparse(4, {0, 2, 3}, {0, 3, 1}, {0.5, 2.0, -1.0})}});
  for (const std::string name : {"o.csv", "o.tsv", "o.jsonl", "o.json", "o.libsvm", "o.svm"}) {
    SCOPED_TRACE(name);
    const std::string p = path(name);
    writeFrame(f, p);
    ReadOptions o;
    if (formatForPath(p) == FileFormat::kCsv || formatForPath(p) == FileFormat::kTsv)
      o.csv.schema = f.schema();
    const Frame g = readFrame(p, o);
    ASSERT_EQ(g.schema(), f.schema());
    for (std::int64_t r = 0; r < 2; ++r)
      EXPECT_EQ(g.cellToString(r, "features"), f.cellToString(r, "features"));
  }
  EXPECT_EQ(readFile(path("o.tsv")),
            "label\tfeatures\n1.0\t\"{\"\"size\"\":4,\"\"indices\"\":[0,3],\"\"values\"\":[0.5,2.0]}\"\n"
            "0.0\t\"{\"\"size\"\":4,\"\"indices\"\":[1],\"\"values\"\":[-1.0]}\"\n");
  EXPECT_EQ(readFile(path("o.svm")), "1.0 1:0.5 4:2.0\n0.0 2:-1.0\n");
  // An explicit format wins over the extension; LibSVM column names are options.
  WriteOptions w;
  w.format = "jsonl";
  writeFrame(f, path("o.txt"), w);
  EXPECT_EQ(readFile(path("o.txt")), readFile(path("o.jsonl")));
  const Frame renamed({{"y", f.column("label")}, {"x", f.column("features")}});
  WriteOptions ws;
  ws.labelCol = "y";
  ws.featuresCol = "x";
  writeFrame(renamed, path("r.libsvm"), ws);
  EXPECT_EQ(readFile(path("r.libsvm")), readFile(path("o.svm")));
}

TEST_F(FrameIoTest, WriteErrorsLeaveNothingBehind) {
  const Frame f({{"s", makeStringColumn({"a", "b\xff"})}});
  const auto before = filesInDir();
  // Compressed output is refused before anything is created.
  std::string msg = messageOf<ParamError>([&] { writeFrame(f, path("o.csv.gz")); });
  EXPECT_CONTAINS(msg, "o.csv.gz");
  EXPECT_CONTAINS(msg, "gzip");
  // An unknown extension too.
  msg = messageOf<ParamError>([&] { writeFrame(f, path("o.xyz")); });
  EXPECT_CONTAINS(msg, "--format");
  // LibSVM needs its columns: ColumnError, no file.
  EXPECT_THROW(writeFrame(f, path("o.libsvm")), ColumnError);
  // A failure in the middle of writing (invalid UTF-8 for JSON) keeps the old file.
  const std::string p = path("o.jsonl");
  writeFile(p, "old\n");
  EXPECT_THROW(writeFrame(f, p), DataError);
  EXPECT_EQ(readFile(p), "old\n");
  EXPECT_EQ(filesInDir(), std::vector<std::string>{"o.jsonl"});
  EXPECT_TRUE(before.empty());
}

// ---------------------------------------------------------------- streaming

// A source that delivers `data` in pieces of `piece` bytes.
ChunkSource piecesSource(std::string_view data, std::size_t piece) {
  return [data, piece](const ChunkSink& sink) {
    for (std::size_t at = 0; at < data.size(); at += piece) sink(data.substr(at, piece));
  };
}

// What inflateStream makes of `data` fed in `piece`-byte chunks: the bytes, or the error.
std::string inflated(std::string_view data, std::size_t piece) {
  std::string out;
  try {
    inflateStream(piecesSource(data, piece), [&](std::string_view c) { out.append(c); }, "x.gz");
  } catch (const DataError& e) {
    return std::string("DataError: ") + e.what();
  }
  return out;
}

std::string gunzipped(std::string_view data) {
  if (!hasGzipMagic(data)) return std::string(data);
  try {
    return gunzip(data, "x.gz");
  } catch (const DataError& e) {
    return std::string("DataError: ") + e.what();
  }
}

TEST_F(FrameIoTest, InflateStreamMatchesGunzipForAnyChunking) {
  std::mt19937 rng(5);
  std::string big;
  for (int i = 0; i < 200000; ++i) big += std::to_string(rng() % 1000) + (i % 7 ? "," : "\n");
  const std::string a = gzipBytes("id,v\n1,2\n");
  const std::string b = gzipBytes(big);
  const std::string corrupt = [&] {
    std::string c = b;
    c[c.size() / 2] = static_cast<char>(c[c.size() / 2] ^ 0x55);
    return c;
  }();
  const std::vector<std::string> inputs = {
      "plain,text\n1,2\n", "", "\x1f", "\x1f\x8b", a, a + b + a, b.substr(0, b.size() / 2),
      a.substr(0, a.size() - 3), a + "x", a + "garbage bytes", a + "\x1f", a + "\x1f\x8b", corrupt,
      gzipBytes(""),
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string expected = gunzipped(inputs[i]);
    for (const std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{1000},
                                    std::size_t{65536}, std::size_t{1} << 30})
      EXPECT_EQ(inflated(inputs[i], piece), expected) << "input " << i << ", " << piece << "-byte chunks";
  }
  EXPECT_EQ(inflated(a + b, 4096), "id,v\n1,2\n" + big);
  EXPECT_EQ(inflated(a + "garbage bytes", 1),
            "DataError: cannot read 'x.gz': invalid gzip data: 13 bytes of trailing garbage after member 1");
}

TEST_F(FrameIoTest, StreamingCsvOfGzipChunksEqualsTheWholeFile) {
  std::string text = "id,text\n";
  for (int r = 0; r < 5000; ++r) text += std::to_string(r) + ",\"a \"\"q\"\"\nline\"\r\n";
  const std::string gz = gzipBytes(text);
  const Frame whole = readCsvString(text, {});
  for (const std::size_t piece : {std::size_t{1}, std::size_t{333}, std::size_t{8192}}) {
    const ChunkSource inflating = [&](const ChunkSink& sink) { inflateStream(piecesSource(gz, piece), sink, "t.csv.gz"); };
    const Frame f = readCsvStream(inflating, {}, "t.csv.gz");
    EXPECT_EQ(writeCsvString(f, {}), writeCsvString(whole, {}));
    EXPECT_EQ(f.schema().toString(), whole.schema().toString());
  }
}

TEST_F(FrameIoTest, PathSourceReadsALocalFileAsOneChunk) {
  const std::string p = path("d.csv.gz");
  writeFile(p, gzipBytes("a\n1\n"));
  std::vector<std::string> chunks;
  pathSource(p)([&](std::string_view c) { chunks.emplace_back(c); });
  EXPECT_EQ(chunks, std::vector<std::string>{"a\n1\n"});
  EXPECT_THROW(pathSource("swift://container/prefix/"), IoError);
}

TEST_F(FrameIoTest, DirectoryOfPartsStreamsEveryPartInOrder) {
  const std::string d = path("data.csv");
  fs::create_directories(d);
  writeFile(d + "/part-00000.csv", "id,text\n0,\"zero\nlines\"\n1,one\n");
  writeFile(d + "/part-00001.csv.gz", gzipBytes("id,text\n2,two\n3,three"));  // no final newline
  writeFile(d + "/part-00002.csv", "id,text\r\n4,four\r\n");
  writeFile(d + "/_SUCCESS", "");
  writeFile(d + "/.part-00000.csv.crc", "junk");
  std::vector<std::int64_t> seen;
  ReadOptions o;
  o.format = "csv";
  o.onRows = [&](std::int64_t rows) { seen.push_back(rows); };
  const Frame f = readFrame(d, o);
  const Frame expected =
      readCsvString("id,text\n0,\"zero\nlines\"\n1,one\n2,two\n3,three\n4,four\r\n", {});
  EXPECT_EQ(writeCsvString(f, {}), writeCsvString(expected, {}));
  EXPECT_EQ(f.schema().toString(), "id: bigint, text: string");
  ASSERT_GE(seen.size(), 3u) << "progress after each part";
  EXPECT_EQ(seen.front(), 2) << "the first part is parsed before the second is read";
  EXPECT_EQ(seen.back(), 5);
  // Errors count lines in the concatenated text and name the directory.
  writeFile(d + "/part-00003.csv", "id,text\n5\n");
  EXPECT_CONTAINS(messageOf<DataError>([&] { (void)readFrame(d, o); }),
                  d + ", line 8: malformed row: expected 2 fields but found 1");
  // LibSVM and JSON Lines parts have no header to drop.
  const std::string s = path("svm");
  fs::create_directories(s);
  writeFile(s + "/a.libsvm", "1 1:1\n");
  writeFile(s + "/b.libsvm", gzipBytes("0 2:1"));
  writeFile(s + "/c.libsvm", "1 3:1\n");
  EXPECT_EQ(readFrame(s).numRows(), 3);
  const std::string j = path("json");
  fs::create_directories(j);
  writeFile(j + "/a.jsonl", "{\"x\":1}");
  writeFile(j + "/b.jsonl", "{\"x\":2}\n");
  EXPECT_EQ(readFrame(j).col<Int64Column>("x")[1], 2);
}

TEST_F(FrameIoTest, SingleLocalFileReportsItsRowsOnce) {
  const std::string p = path("one.csv");
  writeFile(p, "a\n1\n2\n");
  std::vector<std::int64_t> seen;
  ReadOptions o;
  o.onRows = [&](std::int64_t rows) { seen.push_back(rows); };
  EXPECT_EQ(readFrame(p, o).numRows(), 2);
  EXPECT_EQ(seen, std::vector<std::int64_t>{2});
}

}  // namespace
}  // namespace td
