// tests/io/swift_stream_test.cc — the streaming readers fed by a real Swift (started on
// 127.0.0.1 by scripts/swift/swift-test-server.sh; built into td_storage_test, whose ctest
// fixture starts and stops it): objects parsed while they download, in many ranged chunks.
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../testing/swift_env.h"
#include "../testing/io_helpers.h"
#include "thunderdome/core/error.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/io/stream.h"
#include "thunderdome/storage/swift.h"

namespace td {
namespace {

using td::testing::gzipBytes;

using storage::SwiftClient;
using storage::SwiftCredentials;
using storage::SwiftOptions;

std::string env(const char* n) {
  const char* v = std::getenv(n);
  return v ? v : "";
}


// A CSV with quoted fields holding separators, doubled quotes and CRLFs, ~`rows` * 40 bytes.
std::string trickyCsv(int rows) {
  std::string text = "\xEF\xBB\xBFid,note,score\r\n";
  for (int r = 0; r < rows; ++r)
    text += std::to_string(r) + ",\"row " + std::to_string(r) + ", \"\"quoted\"\"\r\nsecond line\"," +
            std::to_string(r * 0.25) + (r % 2 ? "\n" : "\r\n");
  return text;
}

class SwiftStreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(td::testing::loadSwiftEnv())
        << td::testing::swiftEnvPath() << " is missing: start the test server with "
        << "scripts/swift/swift-test-server.sh start";
  }
  void SetUp() override {
    SwiftCredentials c;
    c.method = SwiftCredentials::Method::kV1;
    c.authUrl = env("ST_AUTH");
    c.username = env("ST_USER");
    c.password = env("ST_KEY");
    SwiftOptions o;
    o.segmentBytes = 1 << 20;       // the test cluster refuses objects over 2 MiB
    o.rangeChunkBytes = 64 << 10;   // many ranged GETs: records and gzip blocks span them
    o.parallelGets = 3;
    client_ = std::make_shared<SwiftClient>(c, o);
    container_ = "td-stream-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                 "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    client_->ensureContainer(container_);
  }

  // The object as a stream through the small-range client, inflated when gzip.
  ChunkSource source(const std::string& object, int* chunks = nullptr) {
    return [this, object, chunks](const ChunkSink& sink) {
      inflateStream(
          [&](const ChunkSink& raw) {
            client_->stream(container_, object, [&](std::string_view c) {
              if (chunks != nullptr) ++*chunks;
              raw(c);
            });
          },
          sink, "swift://" + container_ + "/" + object);
    };
  }

  std::shared_ptr<SwiftClient> client_;
  std::string container_;
};

TEST_F(SwiftStreamTest, CsvObjectParsedWhileItDownloadsEqualsTheWholeText) {
  const std::string text = trickyCsv(30000);  // ~1.4 MB: 22 ranges of 64 KiB
  ASSERT_LT(text.size(), 2u << 20);
  client_->put(container_, "t.csv", text);
  int chunks = 0;
  int chunksAtFirstRow = -1;
  const Frame f = readCsvStream(source("t.csv", &chunks), {}, "t.csv", [&](std::int64_t rows) {
    if (rows > 0 && chunksAtFirstRow < 0) chunksAtFirstRow = chunks;
  });
  const Frame whole = readCsvString(text, {}, "t.csv");
  ASSERT_EQ(f.numRows(), 30000);
  EXPECT_EQ(writeCsvString(f, {}), writeCsvString(whole, {}));
  EXPECT_EQ(f.schema().toString(), "id: bigint, note: string, score: double");
  EXPECT_GT(chunks, 20);
  EXPECT_EQ(chunksAtFirstRow, 1) << "rows are parsed from the first range on";
}

TEST_F(SwiftStreamTest, GzipObjectIsInflatedAsItStreams) {
  const std::string text = trickyCsv(60000);
  const std::string gz = gzipBytes(text);
  ASSERT_GT(gz.size(), 64u << 10) << "more than one range";
  client_->put(container_, "t.csv.gz", gz);
  const Frame f = readCsvStream(source("t.csv.gz"), {}, "t.csv.gz");
  EXPECT_EQ(writeCsvString(f, {}), writeCsvString(readCsvString(text, {}), {}));
  // A truncated gzip object fails like gunzip does, naming the object.
  client_->put(container_, "cut.csv.gz", gz.substr(0, gz.size() / 2));
  try {
    (void)readCsvStream(source("cut.csv.gz"), {}, "x");
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("swift://" + container_ + "/cut.csv.gz"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("truncated gzip data"), std::string::npos) << e.what();
  }
}

TEST_F(SwiftStreamTest, LibSvmAndJsonlObjectsStream) {
  std::string svm, jsonl;
  for (int r = 0; r < 20000; ++r) {
    svm += std::to_string(r % 2) + " 1:" + std::to_string(r) + " 9:0.5\n";
    jsonl += "{\"id\":" + std::to_string(r) + ",\"s\":\"v" + std::to_string(r % 7) + "\"}\n";
  }
  client_->put(container_, "d.libsvm", svm);
  client_->put(container_, "d.jsonl", jsonl);
  const Frame a = readLibSvmStream(source("d.libsvm"), {}, "d.libsvm");
  EXPECT_EQ(writeLibSvmString(a), writeLibSvmString(readLibSvmString(svm)));
  const Frame b = readJsonlStream(source("d.jsonl"), {}, "d.jsonl");
  EXPECT_EQ(writeJsonlString(b), writeJsonlString(readJsonlString(jsonl)));
}

TEST_F(SwiftStreamTest, ReadFrameStreamsObjectsAndPrefixesOfParts) {
  // readFrame uses the environment's client (default ranges; Keystone when OS_AUTH_URL is set):
  // the objects go in through that client's account.
  const auto envClient = SwiftClient::fromEnvironment();
  envClient->ensureContainer(container_);
  const std::string text = trickyCsv(100);
  envClient->put(container_, "one.csv.gz", gzipBytes(text));
  std::vector<std::int64_t> seen;
  ReadOptions o;
  o.onRows = [&](std::int64_t rows) { seen.push_back(rows); };
  const Frame one = readFrame("swift://" + container_ + "/one.csv.gz", o);
  EXPECT_EQ(writeCsvString(one, {}), writeCsvString(readCsvString(text, {}), {}));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 100);

  envClient->put(container_, "parts/part-0.csv", "id,v\n0,\"a\nb\"\n1,x");
  envClient->put(container_, "parts/part-1.csv.gz", gzipBytes("id,v\n2,y\n"));
  envClient->put(container_, "parts/part-2.csv", "id,v\r\n3,z\r\n4\r\n");
  envClient->put(container_, "parts/_SUCCESS", "");
  seen.clear();
  try {
    (void)readFrame("swift://" + container_ + "/parts/", o);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    // Lines count through the parts as one text (headers after the first dropped).
    EXPECT_NE(std::string(e.what()).find("swift://" + container_ + "/parts/, line 7: malformed row"),
              std::string::npos)
        << e.what();
  }
  EXPECT_GE(seen.size(), 2u) << "rows of the first parts were reported before the error";
  envClient->put(container_, "parts/part-2.csv", "id,v\r\n3,z\r\n");
  const Frame parts = readFrame("swift://" + container_ + "/parts/");
  ASSERT_EQ(parts.numRows(), 4);
  EXPECT_EQ(parts.col<StringColumn>("v")[0], "a\nb");
  EXPECT_EQ(parts.col<Int64Column>("id")[3], 3);
}

}  // namespace
}  // namespace td
