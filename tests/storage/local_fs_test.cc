// tests/storage/local_fs_test.cc — the local FileSystem: whole, streamed and ranged reads,
// stat, listings in name order, atomic writes that leave nothing behind on failure, trees.
#include "thunderdome/storage/local.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "thunderdome/core/error.h"

namespace td::storage {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LocalFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("td_localfs_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void put(const std::string& name, const std::string& bytes) const {
    fs::create_directories(fs::path(path(name)).parent_path());
    std::ofstream(path(name), std::ios::binary) << bytes;
  }
  // Every entry of the test directory (temporaries included), relative, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_))
      out.push_back(fs::relative(e.path(), dir_).generic_string());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
  LocalFileSystem lfs_;
};

TEST_F(LocalFileSystemTest, ReadsWholeStreamedAndStat) {
  put("a.txt", "hello world");
  EXPECT_EQ(lfs_.read(path("a.txt")), "hello world");
  EXPECT_EQ(lfs_.read("file://" + path("a.txt")), "hello world");
  std::string streamed;
  lfs_.stream(path("a.txt"), [&](std::string_view c) { streamed.append(c); });
  EXPECT_EQ(streamed, "hello world");
  EXPECT_EQ(lfs_.stat(path("a.txt")).bytes, 11);
  EXPECT_TRUE(lfs_.exists(path("a.txt")));
  EXPECT_FALSE(lfs_.exists(path("b.txt")));
  EXPECT_TRUE(lfs_.isDirectory(dir_.string()));
  EXPECT_FALSE(lfs_.isDirectory(path("a.txt")));
  try {
    (void)lfs_.read(path("b.txt"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot open '" + path("b.txt") + "' for reading"));
  }
  EXPECT_THAT([&] { (void)lfs_.read(dir_.string()); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("it is a directory")));
  EXPECT_THROW((void)lfs_.stat(path("b.txt")), IoError);
}

TEST_F(LocalFileSystemTest, RangedReads) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>('a' + i % 26);
  put("r.bin", data);
  const auto f = lfs_.openRandomAccess(path("r.bin"));
  EXPECT_EQ(f->size(), 100000);
  EXPECT_EQ(f->read(0, 3), "abc");
  EXPECT_EQ(f->read(99998, 100000), data.substr(99998));
  EXPECT_EQ(f->read(12345, 67890), data.substr(12345, 67890 - 12345));
  EXPECT_EQ(f->read(5, 5), "");
  EXPECT_THROW((void)f->read(99999, 100001), InternalError) << "past the end";
  EXPECT_EQ(lfs_.readRange("file://" + path("r.bin"), 26, 29), "abc");
  EXPECT_EQ(lfs_.readRange(path("r.bin"), 99990, 200000), data.substr(99990));
  // The file shrinks after it was opened: the read says where it ended.
  fs::resize_file(path("r.bin"), 50);
  EXPECT_THAT([&] { (void)f->read(40, 60); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("it ended at byte 50")));
  EXPECT_THROW((void)lfs_.openRandomAccess(path("none.bin")), IoError);
}

TEST_F(LocalFileSystemTest, ListsInNameOrder) {
  put("d/c.csv", "ccc");
  put("d/a.csv", "a");
  put("d/_SUCCESS", "");
  put("d/b.csv", "bb");
  put("d/sub/z.csv", "zzzz");
  put("d/sub/deeper/y.csv", "y");
  std::vector<std::string> names, urls;
  std::vector<std::int64_t> bytes;
  for (const auto& f : lfs_.list(path("d"), false)) {
    names.push_back(f.name);
    urls.push_back(f.url);
    bytes.push_back(f.bytes);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"_SUCCESS", "a.csv", "b.csv", "c.csv"}));
  EXPECT_EQ(urls[1], path("d/a.csv"));
  EXPECT_EQ(bytes, (std::vector<std::int64_t>{0, 1, 2, 3}));
  names.clear();
  for (const auto& f : lfs_.list("file://" + path("d"), true)) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"_SUCCESS", "a.csv", "b.csv", "c.csv",
                                             "sub/deeper/y.csv", "sub/z.csv"}));
  EXPECT_THAT([&] { (void)lfs_.list(path("nope"), false); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("cannot list '" + path("nope") + "'")));
}

TEST_F(LocalFileSystemTest, WritesAreAtomicAndLeaveNothingOnFailure) {
  lfs_.write(path("w.txt"), "first");
  EXPECT_EQ(lfs_.read(path("w.txt")), "first");
  lfs_.write("file://" + path("w.txt"), "second");
  EXPECT_EQ(lfs_.read(path("w.txt")), "second");
  {
    // Written in pieces, then abandoned (as when rendering fails half-way): the old content
    // stays and no temporary is left.
    const auto out = lfs_.create(path("w.txt"));
    out->write("third, ");
    out->write(std::string(3 << 20, 'x'));  // past the writer's buffer: bytes hit the disk
    EXPECT_EQ(entries().size(), 2u) << "the temporary sibling exists while writing";
  }
  EXPECT_EQ(lfs_.read(path("w.txt")), "second");
  EXPECT_EQ(entries(), std::vector<std::string>{"w.txt"});
  {
    const auto out = lfs_.create(path("n.txt"));
    out->write("new");
    EXPECT_FALSE(lfs_.exists(path("n.txt"))) << "invisible until committed";
    out->commit();
  }
  EXPECT_EQ(lfs_.read(path("n.txt")), "new");
  // A write into a missing directory fails naming the path and creates nothing.
  EXPECT_THAT([&] { lfs_.write(path("missing/x.txt"), "x"); },
              ::testing::ThrowsMessage<IoError>(HasSubstr(path("missing/x.txt"))));
  EXPECT_EQ(entries(), (std::vector<std::string>{"n.txt", "w.txt"}));
  lfs_.remove(path("n.txt"));
  lfs_.remove(path("n.txt"));  // missing: not an error
  EXPECT_FALSE(lfs_.exists(path("n.txt")));
}

TEST_F(LocalFileSystemTest, TreesAppearWholeAndReplaceTheOldOne) {
  const std::string t = path("model");
  EXPECT_FALSE(lfs_.treeExists(t, "MANIFEST"));
  EXPECT_TRUE(lfs_.readTree(t).empty());
  lfs_.writeTree(t, {{"a/data.bin", "123"}, {"MANIFEST", "m1"}, {"old.txt", "o"}}, "MANIFEST");
  EXPECT_TRUE(lfs_.treeExists(t, "MANIFEST"));
  lfs_.writeTree(t, {{"a/data.bin", "456"}, {"MANIFEST", "m2"}}, "MANIFEST");
  const FileMap back = lfs_.readTree("file://" + t);
  EXPECT_EQ(back, (FileMap{{"a/data.bin", "456"}, {"MANIFEST", "m2"}})) << "old.txt is gone";
  EXPECT_EQ(entries(), (std::vector<std::string>{"model", "model/MANIFEST", "model/a",
                                                 "model/a/data.bin"}))
      << "no temporary or old directory left";
  EXPECT_THAT([&] { lfs_.writeTree(path("no/such/dir/m"), {{"x", "y"}}, "x"); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("directory '" + path("no/such/dir") +
                                                          "' does not exist")));
  put("plain.txt", "x");
  EXPECT_THAT([&] { (void)lfs_.readTree(path("plain.txt")); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("is not a directory")));
}

TEST_F(LocalFileSystemTest, ANewTreeNeverReplacesOneThatAppearedMeanwhile) {
  const std::string t = path("model");
  lfs_.writeNewTree(t, {{"MANIFEST", "first"}}, "MANIFEST");
  EXPECT_THAT([&] { lfs_.writeNewTree(t, {{"MANIFEST", "second"}}, "MANIFEST"); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("'" + t + "' already exists")));
  EXPECT_EQ(lfs_.readTree(t), (FileMap{{"MANIFEST", "first"}}));
  EXPECT_EQ(entries(), (std::vector<std::string>{"model", "model/MANIFEST"}));
}

// Runs `n` threads that each write tree i (a marker and a data file that both name i) to `t`.
template <class Write>
std::vector<bool> race(int n, const Write& write) {
  std::vector<bool> ok(static_cast<std::size_t>(n), false);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      try {
        write(FileMap{{"data/coefficients.bin", std::string(100000, static_cast<char>('a' + i))},
                      {"MANIFEST", std::to_string(i)}});
        ok[static_cast<std::size_t>(i)] = true;
      } catch (const IoError&) {
      }
    });
  for (auto& th : threads) th.join();
  return ok;
}

TEST_F(LocalFileSystemTest, RunsRacingForOnePathGiveOneWinnerNeverAMix) {
  for (int round = 0; round < 20; ++round) {
    const std::string t = path("new" + std::to_string(round));
    const auto ok = race(4, [&](const FileMap& f) { lfs_.writeNewTree(t, f, "MANIFEST"); });
    ASSERT_EQ(std::count(ok.begin(), ok.end(), true), 1) << "exactly one run creates the tree";
    const FileMap back = lfs_.readTree(t);
    const int winner = std::stoi(back.at("MANIFEST"));
    EXPECT_TRUE(ok[static_cast<std::size_t>(winner)]);
    EXPECT_EQ(back.at("data/coefficients.bin"),
              std::string(100000, static_cast<char>('a' + winner)));
  }
  // With overwrite every run succeeds; the last one's tree is there, whole.
  const std::string t = path("replaced");
  lfs_.writeTree(t, {{"MANIFEST", "old"}}, "MANIFEST");
  for (int round = 0; round < 20; ++round) {
    const auto ok = race(4, [&](const FileMap& f) { lfs_.writeTree(t, f, "MANIFEST"); });
    EXPECT_EQ(std::count(ok.begin(), ok.end(), true), 4);
    const FileMap back = lfs_.readTree(t);
    ASSERT_EQ(back.size(), 2U);
    const int winner = std::stoi(back.at("MANIFEST"));
    EXPECT_EQ(back.at("data/coefficients.bin"),
              std::string(100000, static_cast<char>('a' + winner)));
  }
  auto all = entries();
  EXPECT_TRUE(std::none_of(all.begin(), all.end(), [](const std::string& e) {
    return e.find(".tmp-") != std::string::npos || e.find(".old-") != std::string::npos;
  })) << "no temporary left";
}

}  // namespace
}  // namespace td::storage
