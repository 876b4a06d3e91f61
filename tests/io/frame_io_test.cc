// tests/io/frame_io_test.cc
#include "thunderdome/io/frame_io.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"

namespace td {
namespace {

namespace fs = std::filesystem;

template <class Ex, class F>
std::string messageOf(F&& f) {
  try {
    f();
  } catch (const Ex& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw the wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

// One gzip member holding `data`, made with zlib.
std::string gzipBytes(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    ADD_FAILURE() << "deflateInit2 failed";
    return {};
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

class FrameIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("td_frameio_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
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

  fs::path dir_;
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

}  // namespace
}  // namespace td
