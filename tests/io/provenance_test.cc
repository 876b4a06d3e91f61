// tests/io/provenance_test.cc — row provenance (file:line through take and parts), line endings
// (LF, CRLF, CR) and the readers' rejection of non-finite LibSVM values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "thunderdome/core/error.h"
#include "thunderdome/core/params.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/io/stream.h"

namespace td {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / randomUid("td_prov");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  fs::path dir_;
};

TEST_F(ProvenanceTest, RowsKeepFileAndLineThroughTake) {
  // Line 1 header, line 2 blank (skipped), rows on lines 3, 4, 6 (a quoted field spans 4-5).
  const std::string p = write("d.csv", "id,text\n\n1,a\n2,\"b\nc\"\n3,d\n");
  const Frame f = readFrame(p);
  ASSERT_EQ(f.numRows(), 3);
  EXPECT_EQ(f.rowLocation(0), p + ":3");
  EXPECT_EQ(f.rowLocation(2), p + ":6");
  const std::vector<std::int64_t> rows{2, 0};
  const Frame t = f.take(rows).withColumn("x", makeInt64Column({7, 8})).select({"x", "id"});
  EXPECT_EQ(t.rowLocation(0), p + ":6");
  EXPECT_EQ(t.rowLocation(1), p + ":3");
  // A frame built in memory has no origins: the row index is all there is.
  EXPECT_EQ(Frame({{"a", makeInt64Column({1})}}).rowLocation(0), "row 0");
}

TEST_F(ProvenanceTest, PartsOfADatasetNameThePartAndItsLine) {
  fs::create_directories(dir_ / "ds");
  write("ds/part-0.csv", "id,label\n1,0\n2,1\n");
  write("ds/part-1.csv", "id,label\n3,0\n\n4,1\n");
  const Frame f = readFrame((dir_ / "ds").string());
  ASSERT_EQ(f.numRows(), 4);
  EXPECT_EQ(f.rowLocation(1), (dir_ / "ds/part-0.csv").string() + ":3");
  EXPECT_EQ(f.rowLocation(2), (dir_ / "ds/part-1.csv").string() + ":2");
  EXPECT_EQ(f.rowLocation(3), (dir_ / "ds/part-1.csv").string() + ":4");
}

TEST_F(ProvenanceTest, LfCrlfAndCrLineEndingsReadAlike) {
  const std::string lf = "id,text,label\n1,a b,1.0\n2,c,0.0\n";
  std::string crlf, cr;
  for (const char c : lf) {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    cr += c == '\n' ? '\r' : c;
  }
  for (const auto& [name, text] : {std::pair{"lf.csv", lf}, {"crlf.csv", crlf}, {"cr.csv", cr}}) {
    const Frame f = readFrame(write(name, text));
    ASSERT_EQ(f.numRows(), 2) << name;
    EXPECT_EQ(f.columnNames(), (std::vector<std::string>{"id", "text", "label"})) << name;
    EXPECT_EQ(f.cellToString(1, "text"), "c") << name;
    EXPECT_EQ(f.rowLocation(1), (dir_ / name).string() + ":3") << name;
  }
  // LibSVM and JSON Lines go through the LineSplitter: CR-only lines, fed a byte at a time.
  const std::string svm = "1 1:0.5\r0 2:1.5\r\n1 1:2\r";
  std::vector<std::string> lines;
  LineSplitter split([&](std::string_view l, std::int64_t) { lines.emplace_back(l); });
  for (const char c : svm) split.feed(std::string_view(&c, 1));
  split.finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"1 1:0.5", "0 2:1.5", "1 1:2"}));
  const Frame s = readFrame(write("cr.libsvm", svm));
  ASSERT_EQ(s.numRows(), 3);
  EXPECT_EQ(s.rowLocation(2), (dir_ / "cr.libsvm").string() + ":3");
  const Frame j = readFrame(write("cr.jsonl", "{\"a\":1}\r{\"a\":2}\r"));
  ASSERT_EQ(j.numRows(), 2);
  EXPECT_EQ(j.rowLocation(1), (dir_ / "cr.jsonl").string() + ":2");
}

TEST_F(ProvenanceTest, LibSvmRejectsNonFiniteValuesWithFileAndLine) {
  const std::string p = write("nan.libsvm", "1 1:0.5 2:1.0\n0 1:nan 2:1.0\n");
  try {
    (void)readFrame(p);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(p + ", line 2: invalid feature token '1:nan'"));
    EXPECT_THAT(e.what(), HasSubstr("non-finite value nan"));
  }
  const std::string q = write("inf.libsvm", "1 1:0.5\ninf 1:1.0\n");
  try {
    (void)readFrame(q);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(q + ", line 2: invalid label 'inf'"));
  }
}

TEST_F(ProvenanceTest, TruncatedGzipIsADataError) {
  // gzip of "id,v\n1,2\n" cut short: a data error (CLI exit 3), naming the file.
  const std::string p = write("cut.csv.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
  EXPECT_THROW((void)readFrame(p), DataError);
  // A file named .gz that holds plain text is read by its content (magic bytes decide).
  const Frame f = readFrame(write("plain.csv.gz", "id\n1\n"));
  EXPECT_EQ(f.numRows(), 1);
}

}  // namespace
}  // namespace td
