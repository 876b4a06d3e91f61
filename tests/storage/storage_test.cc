// tests/storage/storage_test.cc — Storage picks the FileSystem by scheme: plain paths and file://
// are local, swift:// is Swift (made lazily, without credentials until a request), registered
// schemes are made on first use, and an unknown scheme is an error naming it and the known ones.
#include "thunderdome/storage/storage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "memory_fs.h"
#include "thunderdome/core/error.h"
#include "thunderdome/storage/local.h"
#include "thunderdome/storage/swift.h"

namespace td::storage {
namespace {

using ::testing::HasSubstr;

template <class E, class F>
std::string messageOf(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception of the expected type";
  return {};
}

TEST(StorageTest, SchemeOfAPathOrUrl) {
  EXPECT_EQ(Storage::schemeOf("/tmp/a.csv"), "file");
  EXPECT_EQ(Storage::schemeOf("data/a.csv"), "file");
  EXPECT_EQ(Storage::schemeOf("file:///tmp/a.csv"), "file");
  EXPECT_EQ(Storage::schemeOf("swift://c/o.csv"), "swift");
  EXPECT_EQ(Storage::schemeOf("SWIFT://c/o.csv"), "swift");
  EXPECT_EQ(Storage::schemeOf("s3://bucket/key"), "s3");
  EXPECT_EQ(Storage::schemeOf("x+y.z-1://a"), "x+y.z-1");
  // Not schemes: a path before "://", a leading digit, nothing before it.
  EXPECT_EQ(Storage::schemeOf("dir/a://b"), "file");
  EXPECT_EQ(Storage::schemeOf("1x://b"), "file");
  EXPECT_EQ(Storage::schemeOf("://b"), "file");
}

TEST(StorageTest, PlainPathsAndFileUrlsAreLocal) {
  const Storage s;
  const auto plain = s.fileSystem("/tmp/a.csv");
  EXPECT_NE(dynamic_cast<LocalFileSystem*>(plain.get()), nullptr);
  EXPECT_EQ(s.fileSystem("file:///tmp/a.csv"), plain) << "one local file system for both";
  EXPECT_EQ(s.fileSystem("relative/b.csv"), plain);
  EXPECT_FALSE(plain->remote());
  EXPECT_EQ(LocalFileSystem::pathOf("file:///tmp/a.csv"), "/tmp/a.csv");
  EXPECT_EQ(LocalFileSystem::pathOf("file://rel/a.csv"), "rel/a.csv");
  EXPECT_EQ(LocalFileSystem::pathOf("FILE:///tmp/a.csv"), "/tmp/a.csv");
  EXPECT_EQ(LocalFileSystem::pathOf("/tmp/a.csv"), "/tmp/a.csv");
  EXPECT_EQ(LocalFileSystem::pathOf("abc://x"), "abc://x") << "not a file:// URL";
}

TEST(StorageTest, SwiftIsMadeOnFirstUseWithoutCredentialsUntilARequest) {
  for (const char* n : {"OS_AUTH_URL", "OS_CLOUD", "OS_STORAGE_URL", "OS_AUTH_TOKEN", "ST_AUTH"})
    unsetenv(n);
  const Storage s;
  const auto swift = s.fileSystem("swift://c/o.csv");
  ASSERT_NE(dynamic_cast<SwiftFileSystem*>(swift.get()), nullptr);
  EXPECT_TRUE(swift->remote());
  EXPECT_EQ(s.fileSystem("swift://other/x"), swift) << "one per Storage, shared by its users";
  EXPECT_NE(Storage().fileSystem("swift://c/o.csv"), swift) << "no process-wide client";
  // URL questions need no server; a request needs credentials, and says which to set.
  EXPECT_TRUE(swift->isDirectory("swift://c/prefix/"));
  EXPECT_FALSE(swift->isDirectory("swift://c/o.csv"));
  EXPECT_THAT(messageOf<IoError>([&] { (void)swift->read("swift://c/o.csv"); }),
              HasSubstr("no OpenStack credentials: set OS_AUTH_URL"));
  EXPECT_THAT(messageOf<IoError>([&] { (void)swift->read("swift://c/prefix/"); }),
              HasSubstr("cannot read 'swift://c/prefix/' as one file: it names a prefix"));
}

TEST(StorageTest, UnknownSchemeNamesItAndTheKnownOnes) {
  const Storage s;
  const std::string msg = messageOf<ParamError>([&] { (void)s.fileSystem("s3://bucket/key.csv"); });
  EXPECT_THAT(msg, HasSubstr("'s3://bucket/key.csv': unknown storage scheme 's3://'"));
  EXPECT_THAT(msg, HasSubstr("known schemes: file://, swift://"));
  const Storage none{Storage::Empty{}};
  EXPECT_TRUE(none.schemes().empty());
  EXPECT_THAT(messageOf<ParamError>([&] { (void)none.fileSystem("/tmp/a.csv"); }),
              HasSubstr("unknown storage scheme 'file://' (known schemes: none"));
}

TEST(StorageTest, RegisteredSchemesAreMadeOnceOnFirstUse) {
  Storage s;
  int made = 0;
  auto mem = std::make_shared<td::testing::MemoryFileSystem>();
  s.add("mem", [&] {
    ++made;
    return std::shared_ptr<FileSystem>(mem);
  });
  EXPECT_EQ(made, 0) << "not made when registered";
  EXPECT_EQ(s.schemes(), (std::vector<std::string>{"file", "mem", "swift"}));
  EXPECT_EQ(s.fileSystem("mem://a/b"), mem);
  EXPECT_EQ(s.fileSystem("MEM://c"), mem);
  EXPECT_EQ(made, 1);
  // Replacing a scheme: swift:// served by another file system.
  s.add("swift", std::shared_ptr<FileSystem>(mem));
  EXPECT_EQ(s.fileSystem("swift://c/o"), mem);
}

TEST(StorageTest, ReadRangeClampsToTheFile) {
  td::testing::MemoryFileSystem mem;
  mem.files["mem://f"] = "0123456789";
  EXPECT_EQ(mem.readRange("mem://f", 2, 5), "234");
  EXPECT_EQ(mem.readRange("mem://f", -3, 2), "01");
  EXPECT_EQ(mem.readRange("mem://f", 8, 100), "89");
  EXPECT_EQ(mem.readRange("mem://f", 6, 6), "");
  EXPECT_EQ(mem.readRange("mem://f", 7, 3), "");
  EXPECT_THROW((void)mem.readRange("mem://missing", 0, 1), IoError);
}

}  // namespace
}  // namespace td::storage
