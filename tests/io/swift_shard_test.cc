// tests/io/swift_shard_test.cc — readFrameShard on a real Swift (started on 127.0.0.1 by
// scripts/swift/swift-test-server.sh through the `swift` ctest fixture): ranks read only their
// byte range of an object with ranged GETs, prefixes of parts are dealt whole, gzip objects
// fall back to row-modulo; the shards together are exactly the object's rows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../testing/swift_env.h"
#include "../testing/io_helpers.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/storage/storage.h"
#include "thunderdome/storage/swift.h"

namespace td {
namespace {

using td::testing::rowsOf;

using storage::SwiftClient;


class SwiftShardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(td::testing::loadSwiftEnv())
        << td::testing::swiftEnvPath() << " is missing: start the test server with "
        << "scripts/swift/swift-test-server.sh start";
  }
  void SetUp() override {
    // readFrameShard uses the environment's client: the objects go in through its account.
    client_ = SwiftClient::fromEnvironment();
    container_ = "td-shard-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                 "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    client_->ensureContainer(container_);
  }
  std::string url(const std::string& object) const { return "swift://" + container_ + "/" + object; }

  // The shards of N ranks in rank order, checked against the whole object's rows.
  // Every read goes through one Storage from the environment (one session: a call without a
  // Storage makes its own, which authenticates again).
  void expectShardsEqualWhole(const std::string& u, ReadOptions o, int n,
                              std::vector<ShardInfo>* infos = nullptr) {
    o.storage = storage_;
    std::vector<std::string> got;
    for (int r = 0; r < n; ++r) {
      ShardInfo info;
      const auto rows = rowsOf(readFrameShard(u, o, r, n, &info));
      got.insert(got.end(), rows.begin(), rows.end());
      if (infos) infos->push_back(info);
    }
    auto want = rowsOf(readFrame(u, o));
    if (infos && !infos->empty() && infos->front().mode == ShardMode::kParts) {
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
    }
    EXPECT_EQ(got, want) << u << " N=" << n;
  }

  std::shared_ptr<SwiftClient> client_;
  std::shared_ptr<const storage::Storage> storage_ = std::make_shared<const storage::Storage>();
  std::string container_;
};

TEST_F(SwiftShardTest, RanksFetchOnlyTheirRangeOfAnObject) {
  std::string text = "id,score,note\n";
  for (int r = 0; r < 20000; ++r)
    text += std::to_string(r) + "," + std::to_string(r % 89) + ".5,n" + std::to_string(r) + "\n";
  ASSERT_LT(text.size(), 2u << 20);  // the test cluster's object size limit
  client_->put(container_, "big.csv", text);
  const auto size = static_cast<std::int64_t>(text.size());
  ReadOptions lines;
  lines.csv.quote.reset();
  for (const int n : {1, 3, 4}) {
    std::vector<ShardInfo> infos;
    expectShardsEqualWhole(url("big.csv"), lines, n, &infos);
    for (const auto& info : infos) {
      EXPECT_EQ(info.mode, ShardMode::kByteRange);
      EXPECT_LE(info.bytesFetched, size / n + (140 << 10)) << "N=" << n;
    }
  }
}

TEST_F(SwiftShardTest, QuotedLineBreaksCrlfAndEmptyShardsOnSwift) {
  std::string text = "\xEF\xBB\xBFid,note\r\n";
  for (int r = 0; r < 50; ++r)
    text += std::to_string(r) + ",\"a, \"\"b\"\"\r\nc" + std::to_string(r) + "\"" + (r % 2 ? "\n" : "\r\n");
  client_->put(container_, "q.csv", text);
  for (const int n : {2, 7, 100}) expectShardsEqualWhole(url("q.csv"), {}, n);
  std::string svm, js;
  for (int r = 0; r < 40; ++r) {
    svm += std::to_string(r % 2) + " " + std::to_string(r % 9 + 1) + ":0.5\r\n";
    js += "{\"id\":" + std::to_string(r) + ",\"s\":\"v\\n" + std::to_string(r) + "\"}\n";
  }
  client_->put(container_, "d.libsvm", svm);
  client_->put(container_, "d.jsonl", js);
  ReadOptions fixed;
  fixed.libsvm.numFeatures = 9;
  for (const int n : {3, 50}) {
    expectShardsEqualWhole(url("d.libsvm"), fixed, n);
    expectShardsEqualWhole(url("d.jsonl"), {}, n);
  }
}

TEST_F(SwiftShardTest, PrefixPartsAreDealtWhole) {
  client_->put(container_, "parts/part-0.csv", "id,v\n0,a\n1,b\n2,c\n3,d\n");
  client_->put(container_, "parts/part-1.csv", "id,v\n4,e\n");
  client_->put(container_, "parts/part-2.csv", "id,v\n5,f\n6,g\n");
  client_->put(container_, "parts/_SUCCESS", "");
  for (const int n : {1, 2, 5}) {
    std::vector<ShardInfo> infos;
    expectShardsEqualWhole(url("parts/"), {}, n, &infos);
    std::size_t dealt = 0;
    for (const auto& info : infos) {
      EXPECT_EQ(info.mode, ShardMode::kParts);
      dealt += info.parts.size();
    }
    EXPECT_EQ(dealt, 3u);
  }
}

TEST_F(SwiftShardTest, DynamicLargeObjectPartsAreDealtByTheirSegmentsSize) {
  // part-0 is a DLO: a 0-byte manifest over two segments, as large as part-1. Dealt largest
  // first to the least loaded rank, by the segments' size: part-0 and part-2 to rank 0, part-1
  // and part-3 to rank 1. By the listed size (0) part-0 would come last, onto the rank that
  // already has part-2 and part-3, and bytesFetched would leave it out.
  std::string rows;
  for (int i = 0; i < 200; ++i) rows += fmt::format("{},row{}\n", i, i);
  const std::string whole = "id,v\n" + rows;
  client_->put(container_, "segs/part-0/000", whole.substr(0, whole.size() / 2));
  client_->put(container_, "segs/part-0/001", whole.substr(whole.size() / 2));
  client_->put(container_, "dlo/part-0.csv", "",
               {{"X-Object-Manifest", container_ + "/segs/part-0/"}});
  client_->put(container_, "dlo/part-1.csv", whole);
  const std::string half = "id,v\n" + rows.substr(0, rows.size() / 2);
  client_->put(container_, "dlo/part-2.csv", half);
  client_->put(container_, "dlo/part-3.csv", "id,v\n1000,x\n");
  std::vector<ShardInfo> infos;
  expectShardsEqualWhole(url("dlo/"), {}, 2, &infos);
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[0].parts, (std::vector<std::string>{url("dlo/part-0.csv"), url("dlo/part-2.csv")}));
  EXPECT_EQ(infos[1].parts, (std::vector<std::string>{url("dlo/part-1.csv"), url("dlo/part-3.csv")}));
  EXPECT_EQ(infos[0].bytesFetched, static_cast<std::int64_t>(whole.size() + half.size()));
}

}  // namespace
}  // namespace td
