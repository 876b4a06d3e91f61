// tests/dist/shard_test.cc — readFrameShard on real files: the shards of every N hold the whole
// file's rows exactly once (every format, CRLF, headers, BOM, quoted line breaks, empty shards),
// ranged reads fetch about 1/N of the bytes, part directories are dealt whole, gzip falls back
// to row-modulo, and the Communicator variant makes the ranks agree on schema and dimension.
#include <gtest/gtest.h>
#include <zlib.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../testing/io_helpers.h"
#include "../testing/thread_communicator.h"
#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/dist/read_shard.h"
#include "thunderdome/io/frame_io.h"

namespace td {
namespace {

using td::testing::gzipBytes;
using td::testing::rowsOf;

using td::testing::messageOf;

void writeBytes(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}



// The shards' rows in rank order.
std::vector<std::string> concatRows(const std::vector<Frame>& shards) {
  std::vector<std::string> all;
  for (const auto& s : shards) {
    const auto r = rowsOf(s);
    all.insert(all.end(), r.begin(), r.end());
  }
  return all;
}

std::vector<Frame> shardsOf(const std::string& path, const ReadOptions& o, int n,
                            std::vector<ShardInfo>* infos = nullptr) {
  std::vector<Frame> out;
  for (int r = 0; r < n; ++r) {
    ShardInfo info;
    out.push_back(readFrameShard(path, o, r, n, &info));
    if (infos) infos->push_back(info);
  }
  return out;
}

// ---------------------------------------------------------------- ranks as threads

using td::testing::ThreadCommunicator;
using td::testing::ThreadGroup;

// readFrameShard with a Communicator on n thread-ranks; an exception becomes its message.
struct CollectiveResult {
  std::vector<Frame> frames;
  std::vector<ShardInfo> infos;
  std::vector<std::string> errors;  // "" where the rank succeeded
};

CollectiveResult collective(const std::string& path, const ReadOptions& o, int n) {
  ThreadGroup group(n);
  CollectiveResult res;
  res.frames.resize(static_cast<std::size_t>(n));
  res.infos.resize(static_cast<std::size_t>(n));
  res.errors.resize(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r)
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(group, r);
      const auto i = static_cast<std::size_t>(r);
      try {
        res.frames[i] = readFrameShard(path, o, comm, &res.infos[i]);
      } catch (const dist::DistributedError& e) {
        res.errors[i] = std::string("DistributedError: ") + e.what();
      } catch (const std::exception& e) {
        res.errors[i] = std::string("other: ") + e.what();
      }
    });
  for (auto& t : threads) t.join();
  return res;
}

// ---------------------------------------------------------------- test data

// CSV with a header, ints, doubles, strings with separators, doubled quotes and line breaks
// inside quotes (CRLF on every other row), some long enough to span many small ranges.
std::string quotedCsv(int rows) {
  std::string t = "id,note,score\r\n";
  for (int r = 0; r < rows; ++r) {
    t += std::to_string(r) + ",";
    if (r % 3 == 0)
      t += "\"multi\nline, \"\"quoted\"\"\r\nnote " + std::to_string(r) + "\n\"";
    else
      t += "plain" + std::to_string(r);
    t += "," + std::to_string(r) + ".25" + (r % 2 ? "\n" : "\r\n");
  }
  return t;
}

struct Case {
  std::string name;  // file name, extension gives the format
  std::string text;
  ReadOptions options;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  out.push_back({"quoted.csv", quotedCsv(40), {}});
  out.push_back({"bom_blank.csv", "\xEF\xBB\xBF\r\n\nid,x\n1,0.5\n\n2,1.5\r\n3,2.5", {}});
  {
    std::string t;
    for (int r = 0; r < 30; ++r) t += std::to_string(r) + "\tword" + std::to_string(r) + "\t" + std::to_string(r) + ".5\n";
    Case c{"noheader.tsv", t, {}};
    c.options.csv.header = false;
    out.push_back(c);
  }
  {
    // Quoting off: quotes are text and a comma between them splits the field.
    std::string t = "a,b,c\n";
    for (int r = 0; r < 25; ++r) t += "\"x" + std::to_string(r) + ",y\"," + std::to_string(r) + "\r\n";
    Case c{"noquote.csv", t, {}};
    c.options.csv.quote.reset();
    out.push_back(c);
  }
  {
    std::string t = "id,note\n";
    for (int r = 0; r < 20; ++r) t += std::to_string(r) + ",\"a\\\"b\nline\\\\" + std::to_string(r) + "\"\n";
    Case c{"backslash.csv", t, {}};
    c.options.csv.escape = '\\';
    out.push_back(c);
  }
  {
    std::string t = "# comment\r\n";
    for (int r = 0; r < 35; ++r)
      t += std::to_string(r % 2) + " " + std::to_string(r % 5 + 1) + ":1.5 " + std::to_string(r % 7 + 8) + ":-2\r\n";
    Case c{"data.libsvm", t, {}};
    c.options.libsvm.numFeatures = 20;
    out.push_back(c);
  }
  {
    std::string t;
    for (int r = 0; r < 33; ++r)
      t += "{\"id\":" + std::to_string(r) + ",\"text\":\"line\\nbreak " + std::to_string(r) + "\",\"v\":[1," + std::to_string(r) + "]}" + (r % 2 ? "\r\n" : "\n");
    out.push_back({"data.jsonl", t, {}});
  }
  out.push_back({"empty.csv", "", {}});
  out.push_back({"header_only.csv", "a,b\n", {}});
  out.push_back({"one_line_no_newline.jsonl", "{\"a\":1}", {}});
  return out;
}

class ShardTest : public td::testing::TempDirTest {};

TEST_F(ShardTest, ShardsOfEveryFormatHoldEveryRowOnceInOrder) {
  for (const auto& c : cases()) {
    const std::string p = path(c.name);
    writeBytes(p, c.text);
    const auto whole = rowsOf(readFrame(p, c.options));
    for (const int n : {1, 2, 3, 4, 7, 16, 200}) {
      SCOPED_TRACE(c.name + " N=" + std::to_string(n));
      std::vector<ShardInfo> infos;
      const auto shards = shardsOf(p, c.options, n, &infos);
      EXPECT_EQ(concatRows(shards), whole);
      for (const auto& info : infos) EXPECT_EQ(info.mode, ShardMode::kByteRange);
      // Owned ranges are disjoint and in order.
      for (int r = 1; r < n; ++r) {
        if (infos[static_cast<std::size_t>(r)].begin < infos[static_cast<std::size_t>(r)].end) {
          for (int q = 0; q < r; ++q)
            EXPECT_LE(infos[static_cast<std::size_t>(q)].end, infos[static_cast<std::size_t>(r)].begin);
        }
      }
      // Every shard has the header's names, also an empty one.
      if (c.name == "quoted.csv") {
        for (const auto& s : shards) EXPECT_EQ(s.columnNames(), (std::vector<std::string>{"id", "note", "score"}));
      }
    }
  }
}

TEST_F(ShardTest, MoreRanksThanRowsGivesEmptyShards) {
  const std::string p = path("three.csv");
  writeBytes(p, "id,x\n1,2\n3,4\n5,6\n");
  const auto shards = shardsOf(p, {}, 12);
  int nonEmpty = 0;
  for (const auto& s : shards) {
    nonEmpty += s.numRows() > 0 ? 1 : 0;
    EXPECT_EQ(s.columnNames(), (std::vector<std::string>{"id", "x"}));
  }
  EXPECT_EQ(nonEmpty, 3);
  EXPECT_EQ(concatRows(shards), rowsOf(readFrame(p)));
}

TEST_F(ShardTest, ARankFetchesAboutItsShareOfTheBytes) {
  std::string text = "id,score,name\n";
  for (int r = 0; r < 40000; ++r) text += std::to_string(r) + "," + std::to_string(r % 97) + ".5,name" + std::to_string(r) + "\n";
  const std::string p = path("big.csv");
  writeBytes(p, text);
  ReadOptions lines;
  lines.csv.quote.reset();  // line-based: every rank reads only its range
  std::vector<ShardInfo> infos;
  const auto shards = shardsOf(p, lines, 8, &infos);
  EXPECT_EQ(concatRows(shards), rowsOf(readFrame(p, lines)));
  const auto size = static_cast<std::int64_t>(text.size());
  for (const auto& info : infos) {
    EXPECT_GE(info.bytesFetched, size / 8);
    EXPECT_LE(info.bytesFetched, size / 8 + 2 * (64 << 10)) << "rank fetched " << info.bytesFetched;
  }
  // With quoting the standalone variant also scans what lies before the range; the
  // Communicator variant exchanges the quoting state instead.
  const auto res = collective(p, {}, 8);
  for (std::size_t r = 0; r < 8; ++r) {
    ASSERT_EQ(res.errors[r], "");
    EXPECT_LE(res.infos[r].bytesFetched, size / 8 + 2 * (64 << 10));
  }
  EXPECT_EQ(concatRows(res.frames), rowsOf(readFrame(p)));
}

TEST_F(ShardTest, QuotedLineBreaksAreNeverCut) {
  // Ranges of a few bytes fall inside quoted fields over and over.
  const std::string p = path("q.csv");
  writeBytes(p, quotedCsv(60));
  const auto whole = rowsOf(readFrame(p));
  for (const int n : {5, 13, 64, 333}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(concatRows(shardsOf(p, {}, n)), whole);
    const auto res = collective(p, {}, n > 64 ? 64 : n);
    EXPECT_EQ(concatRows(res.frames), whole);
  }
}

TEST_F(ShardTest, PartDirectoriesAreDealtWholeBalancedBySize) {
  std::filesystem::create_directories(path("parts"));
  // Sizes: part-0 large, part-1 small, part-2 medium, part-3 small; plus a skipped _SUCCESS.
  const std::vector<int> rows = {40, 5, 20, 6};
  int id = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string t = "id,x\n";
    for (int r = 0; r < rows[i]; ++r, ++id) t += std::to_string(id) + "," + std::to_string(id) + ".5\n";
    writeBytes(path("parts/part-" + std::to_string(i) + ".csv"), t);
  }
  writeBytes(path("parts/_SUCCESS"), "");
  const auto whole = rowsOf(readFrame(path("parts")));
  ASSERT_EQ(whole.size(), 71u);
  std::vector<ShardInfo> infos;
  auto shards = shardsOf(path("parts"), {}, 2, &infos);
  // Largest first to the least loaded: part-0 -> 0, part-2 -> 1, part-3 -> 1, part-1 -> 1.
  ASSERT_EQ(infos[0].parts.size(), 1u);
  EXPECT_NE(infos[0].parts[0].find("part-0.csv"), std::string::npos);
  EXPECT_EQ(infos[1].parts.size(), 3u);
  EXPECT_EQ(infos[0].mode, ShardMode::kParts);
  for (const int n : {1, 2, 3, 4, 6}) {
    SCOPED_TRACE(n);
    shards = shardsOf(path("parts"), {}, n);
    auto got = concatRows(shards), want = whole;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
    for (const auto& s : shards) EXPECT_EQ(s.columnNames(), (std::vector<std::string>{"id", "x"}));
  }
}

TEST_F(ShardTest, GzipFallsBackToRowModulo) {
  std::string text = "id,x\n";
  for (int r = 0; r < 23; ++r) text += std::to_string(r) + "," + std::to_string(r) + ".5\n";
  const std::string p = path("data.csv.gz");
  writeBytes(p, gzipBytes(text));
  const Frame whole = readFrame(p);
  for (const int n : {1, 3, 30}) {
    std::vector<ShardInfo> infos;
    const auto shards = shardsOf(p, {}, n, &infos);
    std::int64_t total = 0;
    for (int r = 0; r < n; ++r) {
      const auto& s = shards[static_cast<std::size_t>(r)];
      EXPECT_EQ(infos[static_cast<std::size_t>(r)].mode, ShardMode::kRowModulo);
      for (std::int64_t i = 0; i < s.numRows(); ++i)
        EXPECT_EQ(s.col<Int64Column>("id")[i], r + i * n);
      total += s.numRows();
    }
    EXPECT_EQ(total, whole.numRows());
  }
}

TEST_F(ShardTest, CommunicatorVariantAgreesOnTheWholeFilesSchema) {
  // Column b: ints in the first rows, a fraction near the end, missing in between; column c:
  // all missing in the first half; the inferred types over the whole file are double, bigint
  // (nulls do not widen an int column).
  std::string text = "a,b,c,d\n";
  for (int r = 0; r < 30; ++r) {
    const std::string b = r < 10 ? std::to_string(r) : r == 28 ? "2.5" : r < 20 ? "" : "7";
    const std::string c = r < 15 ? "" : std::to_string(r);
    text += std::to_string(r) + "," + b + "," + c + ",w" + std::to_string(r) + "\n";
  }
  const std::string p = path("types.csv");
  writeBytes(p, text);
  const Frame whole = readFrame(p);
  ASSERT_EQ(whole.schema().toString(), "a: bigint, b: double, c: bigint, d: string");
  for (const int n : {2, 3, 5, 40}) {
    SCOPED_TRACE(n);
    const auto alone = shardsOf(p, {}, n);
    bool differed = false;
    for (const auto& s : alone) differed = differed || !(s.schema() == whole.schema());
    EXPECT_TRUE(differed) << "the shards alone should infer other types";
    const auto res = collective(p, {}, n);
    for (std::size_t r = 0; r < res.frames.size(); ++r) {
      ASSERT_EQ(res.errors[r], "");
      EXPECT_EQ(res.frames[r].schema(), whole.schema()) << "rank " << r;
    }
    EXPECT_EQ(concatRows(res.frames), rowsOf(whole));
  }
}

TEST_F(ShardTest, CommunicatorVariantAgreesOnJsonColumnsAndLibSvmDimension) {
  // JSON Lines: key "late" first appears near the end; "n" is an integer, missing in a row.
  std::string js;
  for (int r = 0; r < 20; ++r) {
    js += "{\"id\":" + std::to_string(r);
    if (r != 3) js += ",\"n\":" + std::to_string(r);
    if (r >= 17) js += ",\"late\":\"s" + std::to_string(r) + "\"";
    if (r == 12) js += ",\"f\":\"NaN\"";
    if (r == 2) js += ",\"f\":1.5";
    js += "}\n";
  }
  writeBytes(path("d.jsonl"), js);
  const Frame whole = readFrame(path("d.jsonl"));
  for (const int n : {2, 4, 25}) {
    SCOPED_TRACE(n);
    const auto res = collective(path("d.jsonl"), {}, n);
    for (std::size_t r = 0; r < res.frames.size(); ++r) {
      ASSERT_EQ(res.errors[r], "");
      EXPECT_EQ(res.frames[r].schema(), whole.schema()) << "rank " << r << ": " << res.frames[r].schema().toString() << " vs " << whole.schema().toString();
    }
    EXPECT_EQ(concatRows(res.frames), rowsOf(whole));
  }
  // LibSVM: the largest index sits in the last rows only.
  std::string svm;
  for (int r = 0; r < 12; ++r) svm += "1 " + std::to_string(r % 3 + 1) + ":1" + (r == 11 ? " 50:2" : "") + "\n";
  writeBytes(path("d.libsvm"), svm);
  const auto alone = shardsOf(path("d.libsvm"), {}, 3);
  EXPECT_EQ(alone[0].col<VectorColumn>("features").dim(), 3);
  const auto res = collective(path("d.libsvm"), {}, 3);
  for (std::size_t r = 0; r < 3; ++r) {
    ASSERT_EQ(res.errors[r], "");
    EXPECT_EQ(res.frames[r].col<VectorColumn>("features").dim(), 50);
    EXPECT_EQ(res.infos[r].libsvmDim, 50);
  }
  EXPECT_EQ(concatRows(res.frames), rowsOf(readFrame(path("d.libsvm"))));
}

TEST_F(ShardTest, AFailureOnOneRankStopsEveryRankNamingIt) {
  std::string text = "id,x\n";
  for (int r = 0; r < 30; ++r) text += std::to_string(r) + "," + (r == 25 ? "1,extra" : "2") + "\n";
  writeBytes(path("bad.csv"), text);
  const auto res = collective(path("bad.csv"), {}, 3);
  for (const auto& e : res.errors) {
    EXPECT_CONTAINS(e, "DistributedError: rank 2 of 3: ");
    EXPECT_CONTAINS(e, "expected 2 fields but found 3");
    EXPECT_CONTAINS(e, "bad.csv (shard 2 of 3: bytes ");
  }
}

TEST_F(ShardTest, BadRankOrSizeIsAParamErrorNamingThem) {
  writeBytes(path("a.csv"), "a\n1\n");
  EXPECT_CONTAINS(messageOf<ParamError>([&] { readFrameShard(path("a.csv"), {}, 3, 3); }),
                  "rank must be in [0, 3), got 3");
  EXPECT_CONTAINS(messageOf<ParamError>([&] { readFrameShard(path("a.csv"), {}, 0, 0); }),
                  "size must be at least 1, got 0");
  EXPECT_CONTAINS(messageOf<IoError>([&] { readFrameShard(path("missing.csv"), {}, 0, 2); }),
                  "missing.csv");
}

}  // namespace
}  // namespace td
