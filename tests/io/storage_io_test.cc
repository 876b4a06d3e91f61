// tests/io/storage_io_test.cc — the readers and writers go through the storage layer: a Storage
// passed by the caller (here with an in-memory "mem://" file system) serves readFrame, the
// per-format readers and writers, listParts, pathSource and readFrameShard's ranged reads;
// file:// URLs are local files; an unknown scheme is a ParamError naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../storage/memory_fs.h"
#include "../testing/io_helpers.h"
#include "thunderdome/core/error.h"
#include "thunderdome/io/file.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/io/stream.h"

namespace td {
namespace {

using ::testing::HasSubstr;
using td::testing::gzipBytes;
using td::testing::messageOf;
using td::testing::rowsOf;

class StorageIoTest : public td::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto s = std::make_shared<storage::Storage>();
    s->add("mem", std::shared_ptr<storage::FileSystem>(mem_));
    storage_ = s;
  }
  ReadOptions readOptions() const {
    ReadOptions o;
    o.storage = storage_;
    return o;
  }
  std::shared_ptr<td::testing::MemoryFileSystem> mem_ = std::make_shared<td::testing::MemoryFileSystem>();
  std::shared_ptr<const storage::Storage> storage_;
};

TEST_F(StorageIoTest, ReadersAndWritersUseTheCallersStorage) {
  mem_->files["mem://d/a.csv"] = "id,text\n0,\"x\ny\"\n1,b\n";
  mem_->files["mem://d/a.libsvm"] = "1 1:0.5 3:2\n0 2:1\n";
  mem_->files["mem://d/a.jsonl.gz"] = gzipBytes("{\"k\":1}\n{\"k\":2}\n");
  const Frame csv = readFrame("mem://d/a.csv", readOptions());
  ASSERT_EQ(csv.numRows(), 2);
  EXPECT_EQ(csv.col<StringColumn>("text")[0], "x\ny");
  EXPECT_EQ(readLibSvm("mem://d/a.libsvm", {}, *storage_).col<VectorColumn>("features")[0].toString(),
            "(3,[0,2],[0.5,2.0])");
  EXPECT_EQ(readJsonl("mem://d/a.jsonl.gz", {}, *storage_).numRows(), 2) << "gunzipped as it streams";
  EXPECT_EQ(readFileToString("mem://d/a.jsonl.gz", *storage_), "{\"k\":1}\n{\"k\":2}\n");

  // A remote source is streamed in the file system's chunks.
  int chunks = 0;
  std::string text;
  pathSource("mem://d/a.csv", *storage_)([&](std::string_view c) {
    ++chunks;
    text.append(c);
  });
  EXPECT_EQ(text, mem_->files["mem://d/a.csv"]);
  EXPECT_GT(chunks, 3);

  WriteOptions w;
  w.storage = storage_;
  writeFrame(csv, "mem://out/a.jsonl", w);
  writeFrame(csv, "mem://out/a.csv", w);
  EXPECT_EQ(mem_->files["mem://out/a.jsonl"], writeJsonlString(csv));
  EXPECT_EQ(mem_->files["mem://out/a.csv"], writeCsvString(csv));
  writeStringToFile("mem://out/s.txt", "plain", *storage_);
  EXPECT_EQ(mem_->files["mem://out/s.txt"], "plain");
}

TEST_F(StorageIoTest, PrefixesListInNameOrderSkippingHiddenFiles) {
  mem_->files["mem://p/part-1.csv"] = "id\n2\n3";
  mem_->files["mem://p/part-0.csv"] = "id\n0\n1\n";
  mem_->files["mem://p/_SUCCESS"] = "";
  mem_->files["mem://p/.part-0.csv.crc"] = "junk";
  EXPECT_EQ(listParts("mem://p/", *storage_),
            (std::vector<std::string>{"mem://p/part-0.csv", "mem://p/part-1.csv"}));
  EXPECT_EQ(listParts("mem://p/part-0.csv", *storage_), std::vector<std::string>{"mem://p/part-0.csv"});
  const Frame f = readFrame("mem://p/", readOptions());
  ASSERT_EQ(f.numRows(), 4);
  for (std::int64_t i = 0; i < 4; ++i) EXPECT_EQ(f.col<Int64Column>("id")[i], i);
  mem_->files.clear();
  mem_->files["mem://e/_SUCCESS"] = "";
  EXPECT_THAT(messageOf<IoError>([&] { (void)listParts("mem://e/", *storage_); }),
              HasSubstr("'mem://e/': no data files"));
  EXPECT_THAT(messageOf<IoError>([&] { (void)pathSource("mem://e/", *storage_); }),
              HasSubstr("cannot read 'mem://e/' as one file"));
}

TEST_F(StorageIoTest, ShardsFetchTheirRangesThroughTheInterface) {
  std::string text = "id,v\n";
  for (int r = 0; r < 2000; ++r) text += std::to_string(r) + "," + std::to_string(r % 7) + "\n";
  mem_->files["mem://big.csv"] = text;
  ReadOptions o = readOptions();
  o.csv.quote.reset();  // line-based: no scan before the range
  std::vector<std::string> rows;
  for (int r = 0; r < 4; ++r) {
    mem_->rangedBytes = 0;
    ShardInfo info;
    const auto shard = rowsOf(readFrameShard("mem://big.csv", o, r, 4, &info));
    rows.insert(rows.end(), shard.begin(), shard.end());
    EXPECT_EQ(info.mode, ShardMode::kByteRange);
    EXPECT_EQ(mem_->rangedBytes, info.bytesFetched);
    EXPECT_LT(info.bytesFetched, static_cast<std::int64_t>(text.size()) / 4 + (16 << 10));
  }
  EXPECT_EQ(rows, rowsOf(readCsvString(text, o.csv)));
  EXPECT_EQ(mem_->wholeReads, 0) << "only ranged reads";
}

TEST_F(StorageIoTest, FileUrlsAreLocalFiles) {
  const std::string p = path("f.csv");
  const Frame f = readCsvString("id,label\n0,1.0\n1,0.0\n");
  writeFrame(f, "file://" + p);
  EXPECT_EQ(readFileToString(p), "id,label\n0,1.0\n1,0.0\n");
  EXPECT_EQ(rowsOf(readFrame("file://" + p)), rowsOf(f));
  EXPECT_EQ(listParts("file://" + path("")), std::vector<std::string>{p});
}

TEST_F(StorageIoTest, UnknownSchemeIsAParamErrorNamingIt) {
  for (const auto& call : std::vector<std::function<void()>>{
           [] { (void)readFrame("s3://bucket/train.csv"); },
           [] { writeFrame(Frame(), "s3://bucket/out.csv"); },
           [] { (void)readFileToString("s3://bucket/train.csv"); },
           [] { (void)readFrameShard("s3://bucket/train.csv", {}, 0, 2); }}) {
    const std::string msg = messageOf<ParamError>(call);
    EXPECT_THAT(msg, HasSubstr("unknown storage scheme 's3://'"));
    EXPECT_THAT(msg, HasSubstr("known schemes: file://, swift://"));
  }
}

}  // namespace
}  // namespace td
