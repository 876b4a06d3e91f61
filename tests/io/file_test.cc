// tests/io/file_test.cc
#include "thunderdome/io/file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "../testing/io_helpers.h"
#include "thunderdome/io/csv.h"

namespace td {
namespace {

using td::testing::gzipBytes;

using td::testing::messageOf;

namespace fs = std::filesystem;


class FileTest : public td::testing::TempDirTest {
 protected:
  static void writeFile(const std::string& p, std::string_view content) {
    std::ofstream(p, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  std::vector<std::string> filesInDir() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    return out;
  }

};

const std::string kCsv =
    "id,text,score\n1,\"hello, world\",0.5\n2,spark,NaN\n3,\"multi\nline\",-1e-300\n";

TEST_F(FileTest, ReadsPlainFilesAsTheyAre) {
  const std::string p = path("plain.csv");
  writeFile(p, kCsv);
  EXPECT_EQ(readFileToString(p), kCsv);
  writeFile(p, "");
  EXPECT_EQ(readFileToString(p), "");
  writeFile(p, "\x1f");  // one magic byte is not gzip
  EXPECT_EQ(readFileToString(p), "\x1f");
}

TEST_F(FileTest, GzipCsvReadsBackEqualToThePlainFile) {
  const std::string plain = path("data.csv");
  const std::string gz = path("data.csv.gz");
  writeFile(plain, kCsv);
  writeFile(gz, gzipBytes(kCsv));
  EXPECT_EQ(readFileToString(gz), kCsv);
  const Frame a = readCsv(plain, {});
  const Frame b = readCsv(gz, {});
  ASSERT_EQ(a.schema(), b.schema());
  ASSERT_EQ(a.numRows(), 3);
  ASSERT_EQ(b.numRows(), 3);
  for (std::int64_t r = 0; r < 3; ++r)
    for (const auto& n : a.columnNames()) EXPECT_EQ(a.cellToString(r, n), b.cellToString(r, n));
  // A .tsv.gz is still TSV for CsvOptions::forPath.
  EXPECT_EQ(CsvOptions::forPath(path("x.tsv.gz")).sep, '\t');
}

TEST_F(FileTest, DetectsGzipByMagicBytesNotByName) {
  const std::string p = path("looks_plain.csv");
  writeFile(p, gzipBytes(kCsv));
  EXPECT_EQ(readFileToString(p), kCsv);
  // And a .gz name with plain content is read as it is.
  const std::string q = path("not_really.csv.gz");
  writeFile(q, kCsv);
  EXPECT_EQ(readFileToString(q), kCsv);
}

TEST_F(FileTest, ConcatenatedGzipMembersAreAllRead) {
  const std::string p = path("multi.gz");
  writeFile(p, gzipBytes("first part\n") + gzipBytes("") + gzipBytes("second part\n", 9));
  EXPECT_EQ(readFileToString(p), "first part\nsecond part\n");
}

TEST_F(FileTest, LargeGzipGrowsTheOutput) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += std::to_string(i) + ",aaaaaaaaaaaaaaaaaaaa\n";
  const std::string p = path("big.csv.gz");
  const std::string gz = gzipBytes(text, 9);
  ASSERT_LT(gz.size() * 8, text.size());  // compresses well, so the output buffer must grow
  writeFile(p, gz);
  EXPECT_EQ(readFileToString(p), text);
}

TEST_F(FileTest, CorruptGzipIsADataErrorNamingThePath) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "row " + std::to_string(i * 7919 % 1000) + "\n";
  const std::string gz = gzipBytes(text);
  const std::string p = path("corrupt.csv.gz");
  std::string bad = gz;
  for (std::size_t i = 12; i < 40 && i < bad.size(); ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  writeFile(p, bad);
  std::string msg = messageOf<DataError>([&] { (void)readFileToString(p); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "gzip");
  // readCsv goes through the same path.
  msg = messageOf<DataError>([&] { (void)readCsv(p, {}); });
  EXPECT_CONTAINS(msg, p);
}

TEST_F(FileTest, TruncatedGzipAndTrailingGarbageAreErrors) {
  const std::string gz = gzipBytes(kCsv);
  const std::string p = path("cut.gz");
  writeFile(p, gz.substr(0, gz.size() - 5));  // the trailer is cut off
  std::string msg = messageOf<DataError>([&] { (void)readFileToString(p); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "truncated");
  writeFile(p, gz.substr(0, 2));  // only the magic bytes
  msg = messageOf<DataError>([&] { (void)readFileToString(p); });
  EXPECT_CONTAINS(msg, "truncated");
  writeFile(p, gz + "junk");
  msg = messageOf<DataError>([&] { (void)readFileToString(p); });
  EXPECT_CONTAINS(msg, "trailing garbage");
  // gunzip on a buffer names the given source.
  msg = messageOf<DataError>([&] { (void)gunzip(gz.substr(0, 10), "mem"); });
  EXPECT_CONTAINS(msg, "'mem'");
}

TEST_F(FileTest, MissingFileAndDirectoryAreIoErrors) {
  const std::string p = path("missing.csv");
  std::string msg = messageOf<IoError>([&] { (void)readFileToString(p); });
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "No such file or directory");
  msg = messageOf<IoError>([&] { (void)readFileToString(dir_.string()); });
  EXPECT_CONTAINS(msg, "directory");
}

TEST_F(FileTest, GzipPathHelpers) {
  EXPECT_TRUE(isGzipPath("a.csv.gz"));
  EXPECT_TRUE(isGzipPath("A.CSV.GZ"));
  EXPECT_FALSE(isGzipPath("a.csv"));
  EXPECT_FALSE(isGzipPath("gz"));
  EXPECT_FALSE(isGzipPath("a.tgz"));
  EXPECT_EQ(stripGzExtension("dir/a.csv.gz"), "dir/a.csv");
  EXPECT_EQ(stripGzExtension("a.jsonl.GZ"), "a.jsonl");
  EXPECT_EQ(stripGzExtension("a.csv"), "a.csv");
  EXPECT_EQ(stripGzExtension(".gz"), "");
  EXPECT_TRUE(hasGzipMagic("\x1f\x8b rest"));
  EXPECT_FALSE(hasGzipMagic("\x1f"));
}

TEST_F(FileTest, AtomicWriterLeavesNothingWithoutCommit) {
  const std::string p = path("out.txt");
  {
    AtomicFileWriter w(p);
    w.write("partial");
    EXPECT_EQ(filesInDir().size(), 1u);  // only the temporary
    EXPECT_FALSE(fs::exists(p));
  }
  EXPECT_TRUE(filesInDir().empty());
  writeFile(p, "old");
  {
    AtomicFileWriter w(p);
    w.write("new content");
  }
  EXPECT_EQ(readFileToString(p), "old");
  {
    AtomicFileWriter w(p);
    w.write("new content");
    w.commit();
  }
  EXPECT_EQ(readFileToString(p), "new content");
  EXPECT_EQ(filesInDir(), std::vector<std::string>{"out.txt"});
  writeStringToFile(p, "via helper");
  EXPECT_EQ(readFileToString(p), "via helper");
  const std::string msg =
      messageOf<IoError>([&] { writeStringToFile(path("no/such/dir/x.txt"), "x"); });
  EXPECT_CONTAINS(msg, "no/such/dir/x.txt");
}

}  // namespace
}  // namespace td
