// tests/storage/swift_test.cc — the Swift client against a real Swift (and Keystone) started on
// 127.0.0.1 by scripts/swift/swift-test-server.sh (a ctest fixture starts and stops it).
#include "thunderdome/storage/swift.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "thunderdome/core/error.h"
#include "thunderdome/io/file.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/storage/storage.h"
#include "../testing/swift_env.h"

namespace td::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string serverScript() { return TD_SOURCE_DIR "/scripts/swift/swift-test-server.sh"; }

void loadServerEnv() {
  ASSERT_TRUE(td::testing::loadSwiftEnv())
      << td::testing::swiftEnvPath() << " is missing: start the test server with "
      << serverScript() << " start --keystone";
  // SwiftClient::fromEnvironment (used by readFrame) must pick tempauth's ST_* here; the
  // Keystone settings move to TDTEST_* for the Keystone test.
  for (const char* n : {"OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
                        "OS_REGION_NAME"}) {
    if (const char* v = std::getenv(n)) setenv((std::string("TDTEST_") + n).c_str(), v, 1);
    unsetenv(n);
  }
}

std::string env(const char* n) {
  const char* v = std::getenv(n);
  return v ? v : "";
}

SwiftCredentials v1Credentials() {
  SwiftCredentials c;
  c.method = SwiftCredentials::Method::kV1;
  c.authUrl = env("ST_AUTH");
  c.username = env("ST_USER");
  c.password = env("ST_KEY");
  return c;
}

SwiftOptions smallOptions() {
  SwiftOptions o;
  o.segmentBytes = 1 << 20;     // the test cluster refuses objects over 2 MiB: SLO above 1 MiB
  o.rangeChunkBytes = 256 << 10;
  o.backoffBaseSeconds = 0.05;
  o.backoffMaxSeconds = 0.5;
  o.retrySeconds = 0;  // maxRetries alone bounds the retries here
  return o;
}

std::string payload(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>('a' + (x >> 24) % 26);
  }
  return s;
}

class SwiftTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { loadServerEnv(); }
  void SetUp() override {
    client_ = std::make_unique<SwiftClient>(v1Credentials(), smallOptions());
    container_ = "td-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                 "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    client_->ensureContainer(container_);
  }
  std::unique_ptr<SwiftClient> client_;
  std::string container_;
};

TEST_F(SwiftTest, PutGetHeadRoundTrip) {
  const std::string data = payload(300000, 1);
  client_->put(container_, "a/b c.txt", data);  // names with spaces and slashes are encoded
  EXPECT_EQ(client_->get(container_, "a/b c.txt"), data);
  const ObjectInfo info = client_->head(container_, "a/b c.txt");
  EXPECT_EQ(info.bytes, 300000);
  EXPECT_EQ(info.hash.size(), 32u);
  EXPECT_TRUE(client_->exists(container_, "a/b c.txt"));
  client_->remove(container_, "a/b c.txt");
  EXPECT_FALSE(client_->exists(container_, "a/b c.txt"));
}

TEST_F(SwiftTest, StreamDeliversInOrderWithParallelRangedGets) {
  const std::string data = payload(1000000, 2);  // 4 ranges of 256 KiB
  client_->put(container_, "big", data);
  std::string got;
  int chunks = 0;
  client_->stream(container_, "big", [&](std::string_view c) {
    got.append(c);
    ++chunks;
  });
  EXPECT_EQ(got, data);
  EXPECT_EQ(chunks, 4);
}

TEST_F(SwiftTest, ListingPagesPastTheServerLimit) {
  // The test cluster's container_listing_limit is 3: seven objects need three pages.
  for (int i = 0; i < 7; ++i) client_->put(container_, "p/" + std::to_string(i), "x");
  client_->put(container_, "q/other", "y");
  const auto objects = client_->list(container_, "p/");
  ASSERT_EQ(objects.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(objects[static_cast<std::size_t>(i)].name, "p/" + std::to_string(i));
}

TEST_F(SwiftTest, LargeObjectUploadsAsSloAndDownloadsWithChecksum) {
  const std::string data = payload(3500000, 3);  // over the cluster's 2 MiB object limit
  client_->put(container_, "slo.bin", data);
  const auto segments = client_->list(container_ + "_segments", "slo.bin/");
  EXPECT_EQ(segments.size(), 4u);  // 1 MiB segments
  const ObjectInfo info = client_->head(container_, "slo.bin");
  EXPECT_EQ(info.bytes, 3500000);
  EXPECT_EQ(info.hash.size(), 32u) << "the content MD5 recorded at upload";
  EXPECT_EQ(client_->get(container_, "slo.bin"), data);
  client_->remove(container_, "slo.bin");
  EXPECT_EQ(client_->list(container_ + "_segments", "slo.bin/").size(), 0u) << "segments removed";
}

TEST_F(SwiftTest, MissingObjectNamesContainerAndObject) {
  try {
    (void)client_->get(container_, "nope.csv");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("object not found (container '" + container_ + "', object 'nope.csv')"));
  }
  try {
    (void)client_->list("no-such-container-td", "");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("container 'no-such-container-td' not found"));
  }
}

TEST_F(SwiftTest, BadCredentialsNameTheUserNeverTheKey) {
  SwiftCredentials bad = v1Credentials();
  bad.password = "s3cret-wrong-key";
  SwiftClient c(bad, smallOptions());
  try {
    (void)c.list(container_, "");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("user '" + env("ST_USER") + "'"));
    EXPECT_THAT(e.what(), Not(HasSubstr("s3cret-wrong-key")));
  }
  SwiftCredentials token;
  token.method = SwiftCredentials::Method::kPreauthenticated;
  token.storageUrl = env("TD_SWIFT_STORAGE_URL");
  token.token = "AUTH_tk_bogus_token_value";
  SwiftClient t(token, smallOptions());
  try {
    (void)t.list(container_, "");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("pre-authenticated token"));
    EXPECT_THAT(e.what(), Not(HasSubstr("AUTH_tk_bogus_token_value")));
  }
}

TEST_F(SwiftTest, ReadsCsvLibSvmAndPrefixesThroughReadFrame) {
  client_->put(container_, "train.csv", "id,text,label\n0,spark a,1.0\n1,hadoop b,0.0\n");
  client_->put(container_, "data.libsvm", "1 1:0.5 3:2\n0 2:1\n");
  for (int i = 0; i < 5; ++i)  // five part files with headers, more than one listing page
    client_->put(container_, "parts/part-0000" + std::to_string(i) + ".csv",
                 "id,label\n" + std::to_string(2 * i) + ",1\n" + std::to_string(2 * i + 1) + ",0\n");
  client_->put(container_, "parts/_SUCCESS", "");
  const Frame csv = readFrame("swift://" + container_ + "/train.csv");
  EXPECT_EQ(csv.numRows(), 2);
  EXPECT_EQ(csv.col<StringColumn>("text")[0], "spark a");
  const Frame svm = readFrame("swift://" + container_ + "/data.libsvm");
  EXPECT_EQ(svm.col<VectorColumn>("features")[0].toString(), "(3,[0,2],[0.5,2.0])");
  const Frame parts = readFrame("swift://" + container_ + "/parts/");
  ASSERT_EQ(parts.numRows(), 10);
  for (std::int64_t i = 0; i < 10; ++i) EXPECT_EQ(parts.col<Int64Column>("id")[i], i);
  // Writing a frame to Swift and reading it back.
  writeFrame(parts, "swift://" + container_ + "/out/parts.jsonl");
  EXPECT_EQ(readFrame("swift://" + container_ + "/out/parts.jsonl").numRows(), 10);
}

TEST_F(SwiftTest, ObjectServerStoppedMidDownloadIsRetriedThenResumes) {
  const std::string data = payload(1500000, 4);  // 6 ranges
  client_->put(container_, "resume.bin", data);
  SwiftOptions o = smallOptions();
  o.parallelGets = 1;
  o.maxRetries = 12;  // the object server needs ~1.5 s + ~4 s to come back
  o.backoffMaxSeconds = 2.0;
  SwiftClient c(v1Credentials(), o);
  std::string got;
  std::thread restarter;
  try {
    c.stream(container_, "resume.bin", [&](std::string_view chunk) {
      if (got.empty()) {  // after the first range: take the object server down for ~1.5 s
        EXPECT_EQ(std::system((serverScript() + " stop-object >/dev/null 2>&1").c_str()), 0);
        restarter = std::thread([] {
          std::this_thread::sleep_for(std::chrono::milliseconds(1500));
          (void)std::system((serverScript() + " start-object >/dev/null 2>&1").c_str());
        });
      }
      got.append(chunk);
    });
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the download did not survive the restart: " << e.what();
  }
  if (restarter.joinable()) restarter.join();
  EXPECT_EQ(got, data);
}

TEST_F(SwiftTest, ObjectServerGoneFailsClearlyAfterRetries) {
  client_->put(container_, "gone.csv", "id,label\n0,1\n1,0\n");
  SwiftOptions o = smallOptions();
  o.maxRetries = 2;
  ASSERT_EQ(std::system((serverScript() + " stop-object >/dev/null 2>&1").c_str()), 0);
  try {
    SwiftClient c(v1Credentials(), o);
    (void)c.get(container_, "gone.csv");
    ADD_FAILURE() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("swift://" + container_ + "/gone.csv"));
    EXPECT_THAT(e.what(), HasSubstr("giving up after 3 tries"));
  }
  ASSERT_EQ(std::system((serverScript() + " start-object >/dev/null 2>&1").c_str()), 0);
}

TEST_F(SwiftTest, KeystonePasswordAndApplicationCredential) {
  if (env("TDTEST_OS_AUTH_URL").empty()) GTEST_FAIL() << "the test server was started without --keystone";
  SwiftCredentials pw;
  pw.method = SwiftCredentials::Method::kKeystonePassword;
  pw.authUrl = env("TDTEST_OS_AUTH_URL");
  pw.username = env("TDTEST_OS_USERNAME");
  pw.password = env("TDTEST_OS_PASSWORD");
  pw.projectName = env("TDTEST_OS_PROJECT_NAME");
  pw.regionName = env("TDTEST_OS_REGION_NAME");
  SwiftClient a(pw, smallOptions());
  EXPECT_THAT(a.storageUrl(), HasSubstr("/v1/AUTH_")) << "endpoint from the catalog";
  a.ensureContainer("td-keystone");
  a.put("td-keystone", "hello.txt", "hello");
  SwiftCredentials ac;
  ac.method = SwiftCredentials::Method::kKeystoneAppCredential;
  ac.authUrl = env("TDTEST_OS_AUTH_URL");
  ac.appCredentialId = env("TD_KS_APP_CRED_ID");
  ac.appCredentialSecret = env("TD_KS_APP_CRED_SECRET");
  SwiftClient b(ac, smallOptions());
  EXPECT_EQ(b.get("td-keystone", "hello.txt"), "hello");
  SwiftCredentials wrong = pw;
  wrong.password = "not-the-password";
  SwiftClient w(wrong, smallOptions());
  try {
    (void)w.storageUrl();
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("user '" + pw.username + "' in project '" + pw.projectName + "'"));
    EXPECT_THAT(e.what(), Not(HasSubstr("not-the-password")));
  }
}

TEST_F(SwiftTest, CredentialsFromEnvironmentAndCloudsYaml) {
  // ST_* alone gives tempauth; OS_AUTH_URL takes precedence; OS_CLOUD reads clouds.yaml.
  EXPECT_EQ(SwiftCredentials::fromEnvironment().method, SwiftCredentials::Method::kV1);
  setenv("OS_AUTH_URL", env("TDTEST_OS_AUTH_URL").c_str(), 1);
  setenv("OS_USERNAME", "someone", 1);
  const auto ks = SwiftCredentials::fromEnvironment();
  unsetenv("OS_AUTH_URL");
  unsetenv("OS_USERNAME");
  EXPECT_EQ(ks.method, SwiftCredentials::Method::kKeystonePassword);
  EXPECT_EQ(ks.username, "someone");
  const auto dir = std::filesystem::temp_directory_path() / ("td-clouds-" + container_);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "clouds.yaml") << "clouds:\n  mycloud:\n    auth:\n      auth_url: http://127.0.0.1:1/v3\n"
                                        "      application_credential_id: abc\n"
                                        "      application_credential_secret: shh\n"
                                        "    auth_type: v3applicationcredential\n"
                                        "    region_name: RegionOne\n";
  setenv("OS_CLIENT_CONFIG_FILE", (dir / "clouds.yaml").c_str(), 1);
  setenv("OS_CLOUD", "mycloud", 1);
  const auto c = SwiftCredentials::fromEnvironment();
  unsetenv("OS_CLOUD");
  unsetenv("OS_CLIENT_CONFIG_FILE");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(c.method, SwiftCredentials::Method::kKeystoneAppCredential);
  EXPECT_EQ(c.appCredentialId, "abc");
  EXPECT_EQ(c.regionName, "RegionOne");
  EXPECT_THAT(c.who(), Not(HasSubstr("shh")));
}

TEST_F(SwiftTest, SecureYamlIsMergedIntoCloudsYamlAgainstKeystone) {
  if (env("TDTEST_OS_AUTH_URL").empty())
    GTEST_FAIL() << "the test server was started without --keystone";
  // Horizon's download: clouds.yaml without the password, secure.yaml with it (openstacksdk
  // deep-merges the second into the first).
  const auto dir = std::filesystem::temp_directory_path() / ("td-secure-" + container_);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "clouds.yaml")
      << "clouds:\n  horizon:\n    auth:\n      auth_url: " << env("TDTEST_OS_AUTH_URL")
      << "\n      username: " << env("TDTEST_OS_USERNAME")
      << "\n      project_name: " << env("TDTEST_OS_PROJECT_NAME")
      << "\n      user_domain_name: Default\n"
         "      project_domain_name: Default\n"
         "    region_name: "
      << env("TDTEST_OS_REGION_NAME") << "\n    interface: public\n    identity_api_version: 3\n";
  std::ofstream(dir / "secure.yaml")
      << "clouds:\n  horizon:\n    auth:\n      password: " << env("TDTEST_OS_PASSWORD") << "\n";
  setenv("OS_CLIENT_CONFIG_FILE", (dir / "clouds.yaml").c_str(), 1);
  setenv("OS_CLIENT_SECURE_FILE", (dir / "secure.yaml").c_str(), 1);
  setenv("OS_CLOUD", "horizon", 1);
  SwiftCredentials c;
  try {
    c = SwiftCredentials::fromEnvironment();
  } catch (...) {
  }
  unsetenv("OS_CLOUD");
  unsetenv("OS_CLIENT_CONFIG_FILE");
  unsetenv("OS_CLIENT_SECURE_FILE");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(c.method, SwiftCredentials::Method::kKeystonePassword);
  EXPECT_EQ(c.password, env("TDTEST_OS_PASSWORD"));
  EXPECT_EQ(c.username, env("TDTEST_OS_USERNAME"));
  SwiftClient ks(c, smallOptions());
  ks.ensureContainer(container_ + "-ks");
  ks.put(container_ + "-ks", "hello.txt", "from secure.yaml");
  EXPECT_EQ(ks.get(container_ + "-ks", "hello.txt"), "from secure.yaml");
  EXPECT_THAT(ks.storageUrl(), HasSubstr(env("TD_KS_PROXY_URL")));
}

// Empties tempauth's token store (memcached), so every issued token becomes invalid.
void flushTokens() {
  const char* dir = std::getenv("TD_SWIFT_DIR");
  std::ifstream in(std::string(dir ? dir : "/tmp/td-swift") + "/state.env");
  std::string line, port;
  while (std::getline(in, line))
    if (line.rfind("MEMCACHED_PORT=", 0) == 0) port = line.substr(15);
  ASSERT_FALSE(port.empty()) << "no MEMCACHED_PORT in state.env";
  ASSERT_EQ(std::system(("exec 3<>/dev/tcp/127.0.0.1/" + port +
                         " && printf 'flush_all\\r\\n' >&3 && head -c 4 <&3 >/dev/null")
                            .insert(0, "bash -c \"").append("\"").c_str()),
            0);
}

TEST_F(SwiftTest, ReauthenticatesOnceWhenTheTokenExpires) {
  client_->put(container_, "x", "data");  // authenticated, token cached
  flushTokens();                          // the cached token is now unknown to the server
  EXPECT_EQ(client_->get(container_, "x"), "data") << "401 -> re-authenticate -> retry";
}

TEST(SwiftUrlTest, Parsing) {
  const auto u = parseSwiftUrl("swift://data/train/part-0.csv");
  EXPECT_EQ(u.container, "data");
  EXPECT_EQ(u.object, "train/part-0.csv");
  EXPECT_FALSE(u.isPrefix());
  EXPECT_TRUE(parseSwiftUrl("swift://data/train/").isPrefix());
  EXPECT_TRUE(parseSwiftUrl("swift://data").isPrefix());
  EXPECT_THROW((void)parseSwiftUrl("swift:///x"), ParamError);
  EXPECT_THROW((void)parseSwiftUrl("s3://x/y"), ParamError);
}

// Restarts the v1 proxy ~`downMs` after the first range of a read: the default retry budget
// (retrySeconds) waits it out, although maxRetries alone would have given up.
TEST_F(SwiftTest, ProxyRestartedMidReadIsWaitedOutByTheRetryBudget) {
  const std::string data = payload(1500000, 6);  // 6 ranges
  client_->put(container_, "restart.bin", data);
  SwiftOptions o = smallOptions();
  o.parallelGets = 1;
  o.maxRetries = 2;  // three quick tries: ~0.3 s, far shorter than a proxy restart
  o.backoffMaxSeconds = 2.0;
  o.retrySeconds = 60;  // the default budget
  SwiftClient c(v1Credentials(), o);
  std::string got;
  std::thread restarter;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    c.stream(container_, "restart.bin", [&](std::string_view chunk) {
      if (got.empty()) {
        EXPECT_EQ(std::system((serverScript() + " stop-proxy >/dev/null 2>&1").c_str()), 0);
        restarter = std::thread([] {
          std::this_thread::sleep_for(std::chrono::seconds(5));
          (void)std::system((serverScript() + " start-proxy >/dev/null 2>&1").c_str());
        });
      }
      got.append(chunk);
    });
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the read did not survive the proxy restart: " << e.what();
  }
  if (restarter.joinable()) restarter.join();
  EXPECT_EQ(got, data);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(std::system((serverScript() + " status >/dev/null 2>&1").c_str()), 0);
}

// ---------------------------------------------------------------- `swift upload` as the writer

// Runs python-swiftclient's `swift` CLI (tempauth v1) with `args`; its exit status.
int swiftCli(const std::string& args) {
  const std::string cmd =
      "env -u OS_IDENTITY_API_VERSION -u OS_AUTH_URL /usr/bin/swift -V 1.0 -A '" + env("ST_AUTH") +
      "' -U '" + env("ST_USER") + "' -K '" + env("ST_KEY") + "' " + args + " >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

// A fresh local directory for files to upload.
std::filesystem::path localDir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() /
                 ("td-swift-upload-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

void writeLocal(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A CSV of `rows` rows: id,text,label.
std::string csvRows(int first, int rows) {
  std::string s = "id,text,label\n";
  for (int i = first; i < first + rows; ++i)
    s += std::to_string(i) + ",row " + std::to_string(i) + " text," + std::to_string(i % 2) + "\n";
  return s;
}

TEST_F(SwiftTest, DynamicLargeObjectFromSwiftUploadIsReadThroughItsManifest) {
  const auto dir = localDir("dlo");
  const std::string big = csvRows(1000, 9531);  // ~230 KB in 4 KB segments: ~58 segments, 20 pages
  writeLocal(dir / "big.csv", big);
  writeLocal(dir / "small.csv", csvRows(0, 1000));
  ASSERT_EQ(swiftCli("upload --segment-size 4000 --object-name ds/part-1.csv " + container_ + " " +
                     (dir / "big.csv").string()),
            0);
  ASSERT_EQ(swiftCli("upload --object-name ds/part-0.csv " + container_ + " " +
                     (dir / "small.csv").string()),
            0);
  const ObjectInfo h = client_->head(container_, "ds/part-1.csv");
  ASSERT_FALSE(h.dloManifest.empty()) << "swift upload made no DLO";
  EXPECT_FALSE(h.isSlo);
  const DloSegments dlo = client_->dloSegments(h);
  EXPECT_GT(dlo.segments.size(), 3u * 3u) << "segments fill several listing pages (limit 3)";
  EXPECT_EQ(dlo.bytes, static_cast<std::int64_t>(big.size()));
  // Whole, streamed, ranged (across segment boundaries) and through the storage layer.
  EXPECT_EQ(client_->get(container_, "ds/part-1.csv"), big);
  std::string streamed;
  client_->stream(container_, "ds/part-1.csv", [&](std::string_view c) { streamed.append(c); });
  EXPECT_EQ(streamed, big);
  SwiftFileSystem fs(std::make_shared<SwiftClient>(v1Credentials(), smallOptions()));
  const std::string url = "swift://" + container_ + "/ds/part-1.csv";
  EXPECT_EQ(fs.stat(url).bytes, static_cast<std::int64_t>(big.size()));
  const auto ra = fs.openRandomAccess(url);
  ASSERT_EQ(ra->size(), static_cast<std::int64_t>(big.size()));
  EXPECT_EQ(ra->read(3990, 12010), big.substr(3990, 12010 - 3990));
  // The DLO inside a prefix dataset: every row of both parts.
  const Frame all = readFrame("swift://" + container_ + "/ds/");
  ASSERT_EQ(all.numRows(), 10531);
  EXPECT_EQ(all.col<Int64Column>("id")[0], 0);
  EXPECT_EQ(all.col<Int64Column>("id")[10530], 10530);
  std::filesystem::remove_all(dir);
}

TEST_F(SwiftTest, ManifestHeaderSetBySwiftUploadIsFollowedAndSegmentsArePinned) {
  client_->ensureContainer(container_ + "_segs");
  client_->put(container_ + "_segs", "m/0", "id,label\n0,1\n");
  client_->put(container_ + "_segs", "m/1", "1,0\n");
  const auto dir = localDir("manifest");
  writeLocal(dir / "empty", "");
  // A 0-byte manifest pointing at the segments, as `swift upload` writes it.
  ASSERT_EQ(swiftCli("upload --object-name m.csv -H 'X-Object-Manifest: " + container_ +
                     "_segs/m/' " + container_ + " " + (dir / "empty").string()),
            0);
  EXPECT_EQ(client_->get(container_, "m.csv"), "id,label\n0,1\n1,0\n");
  const Frame f = readFrame("swift://" + container_ + "/m.csv");
  EXPECT_EQ(f.numRows(), 2);
  // A segment replaced after the DLO was opened: the read fails, naming the segment, never a mix.
  SwiftFileSystem fs(std::make_shared<SwiftClient>(v1Credentials(), smallOptions()));
  const auto ra = fs.openRandomAccess("swift://" + container_ + "/m.csv");
  client_->put(container_ + "_segs", "m/1", "2,1\n");
  try {
    (void)ra->read(0, ra->size());
    ADD_FAILURE() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr(container_ + "_segs/m/1"));
    EXPECT_THAT(e.what(), HasSubstr("changed"));
  }
  std::filesystem::remove_all(dir);
}

TEST_F(SwiftTest, PrefixesSkipDirectoryMarkersAndUnderscoreOrDotComponents) {
  const auto dir = localDir("spark");
  writeLocal(dir / "out" / "part-00000.csv", csvRows(0, 3));
  writeLocal(dir / "out" / "part-00001.csv", csvRows(3, 2));
  writeLocal(dir / "out" / "_SUCCESS", "");
  writeLocal(dir / "out" / ".part-00000.csv.crc", "crc");
  writeLocal(dir / "out" / "_temporary" / "0" / "_temporary" / "part-00002.csv", csvRows(90, 4));
  writeLocal(dir / "out" / ".hidden" / "part-00003.csv", csvRows(80, 4));
  std::filesystem::create_directories(dir / "out" / "empty-dir");
  ASSERT_EQ(std::system(("cd '" + dir.string() +
                         "' && env -u OS_IDENTITY_API_VERSION -u OS_AUTH_URL "
                         "/usr/bin/swift -V 1.0 -A '" +
                         env("ST_AUTH") + "' -U '" + env("ST_USER") + "' -K '" + env("ST_KEY") +
                         "' upload " + container_ + " out >/dev/null 2>&1")
                            .c_str()),
            0);
  bool marker = false;
  for (const auto& o : client_->list(container_, "out/"))
    marker |= o.name == "out/empty-dir" && o.contentType == "application/directory";
  ASSERT_TRUE(marker) << "swift upload made no directory marker for the empty sub-directory";
  const Frame f = readFrame("swift://" + container_ + "/out/");
  ASSERT_EQ(f.numRows(), 5);
  for (std::int64_t i = 0; i < 5; ++i) EXPECT_EQ(f.col<Int64Column>("id")[i], i);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------- SwiftFileSystem

// The storage layer's Swift file system over the test client (small segments and ranges).
class SwiftFileSystemTest : public SwiftTest {
 protected:
  void SetUp() override {
    SwiftTest::SetUp();
    fs_ = std::make_shared<SwiftFileSystem>(
        std::make_shared<SwiftClient>(v1Credentials(), smallOptions()));
  }
  std::string url(const std::string& object) const { return "swift://" + container_ + "/" + object; }
  std::shared_ptr<SwiftFileSystem> fs_;
};

TEST_F(SwiftFileSystemTest, WholeStreamedAndRangedReads) {
  const std::string data = payload(700000, 5);  // several 256 KiB ranges
  fs_->write(url("d/x.bin"), data);
  EXPECT_EQ(fs_->read(url("d/x.bin")), data);
  std::string streamed;
  int chunks = 0;
  fs_->stream(url("d/x.bin"), [&](std::string_view c) {
    streamed.append(c);
    ++chunks;
  });
  EXPECT_EQ(streamed, data);
  EXPECT_EQ(chunks, 3);
  const FileInfo info = fs_->stat(url("d/x.bin"));
  EXPECT_EQ(info.bytes, 700000);
  EXPECT_FALSE(info.version.empty()) << "the ETag";
  EXPECT_TRUE(fs_->exists(url("d/x.bin")));
  EXPECT_FALSE(fs_->exists(url("d/y.bin")));
  EXPECT_TRUE(fs_->isDirectory(url("d/")));
  EXPECT_FALSE(fs_->isDirectory(url("d/x.bin")));
  const auto file = fs_->openRandomAccess(url("d/x.bin"));
  EXPECT_EQ(file->size(), 700000);
  EXPECT_EQ(file->read(262000, 263000), data.substr(262000, 1000));
  EXPECT_EQ(fs_->readRange(url("d/x.bin"), 699990, 800000), data.substr(699990));
  // Ranged reads are pinned to the version seen when the object was opened.
  fs_->write(url("d/x.bin"), payload(700000, 6));
  EXPECT_THAT([&] { (void)file->read(0, 10); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("the object changed during the download")));
  EXPECT_THAT([&] { (void)fs_->read(url("d/")); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("it names a prefix")));
  EXPECT_THAT([&] { (void)fs_->read(url("d/none")); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("object not found (container '" +
                                                          container_ + "', object 'd/none')")));
}

TEST_F(SwiftFileSystemTest, ListsEveryObjectUnderThePrefixInNameOrder) {
  for (const char* n : {"p/c.csv", "p/a.csv", "p/b.csv", "p/sub/z.csv", "pq/other.csv"})
    client_->put(container_, n, n);
  std::vector<std::string> names, urls;
  for (const auto& f : fs_->list(url("p"), false)) {  // "p" is the prefix "p/"
    names.push_back(f.name);
    urls.push_back(f.url);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a.csv", "b.csv", "c.csv", "sub/z.csv"}));
  EXPECT_EQ(urls.front(), url("p/a.csv"));
  EXPECT_EQ(fs_->list(url("p/"), true).size(), 4u);
  EXPECT_EQ(fs_->list(url("p/"), true)[2].bytes, 7);
}

TEST_F(SwiftFileSystemTest, WritesAreOneCheckedUploadAndNothingWhenAbandoned) {
  {
    const auto out = fs_->create(url("w.csv"));
    out->write("a,b\n");
    out->write("1,2\n");
  }
  EXPECT_FALSE(client_->exists(container_, "w.csv")) << "abandoned: nothing uploaded";
  {
    const auto out = fs_->create(url("w.csv"));
    out->write("a,b\n");
    out->write(payload(1500000, 7));  // above the segment size: an SLO
    out->commit();
  }
  EXPECT_EQ(client_->head(container_, "w.csv").bytes, 4 + 1500000);
  EXPECT_TRUE(client_->head(container_, "w.csv").isSlo);
  fs_->remove(url("w.csv"));
  fs_->remove(url("w.csv"));  // missing: not an error
  EXPECT_FALSE(fs_->exists(url("w.csv")));
  EXPECT_THAT([&] { fs_->write(url("dir/"), "x"); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("cannot write '" + url("dir/") + "'")));
}

TEST_F(SwiftFileSystemTest, TreesHaveTheirMarkerLastAndLoseLeftovers) {
  EXPECT_FALSE(fs_->treeExists(url("models/m"), "MANIFEST"));
  EXPECT_TRUE(fs_->readTree(url("models/m")).empty());
  fs_->writeTree(url("models/m"), {{"MANIFEST", "m1"}, {"a/x.bin", "1"}, {"old.txt", "o"}}, "MANIFEST");
  EXPECT_TRUE(fs_->treeExists(url("models/m"), "MANIFEST"));
  fs_->writeTree(url("models/m/"), {{"MANIFEST", "m2"}, {"a/x.bin", "2"}}, "MANIFEST");
  EXPECT_EQ(fs_->readTree(url("models/m")), (FileMap{{"MANIFEST", "m2"}, {"a/x.bin", "2"}}));
  EXPECT_FALSE(client_->exists(container_, "models/m/old.txt"));
  EXPECT_THAT([&] { fs_->writeTree("swift://" + container_, {{"x", "y"}}, "x"); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("needs a prefix inside the container")));
}

TEST_F(SwiftFileSystemTest, AnInterruptedTreeWriteKeepsTheOldTreeWhole) {
  fs_->writeTree(url("models/k"), {{"MANIFEST", "m1"}, {"w.bin", "old"}}, "MANIFEST");
  // A replacement killed before its marker switched, two hours ago: its files, and the segments
  // of a large object whose manifest it never wrote, exist under its version.
  const std::string killed =
      std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() -
                     std::int64_t{7200} * 1000000);
  client_->put(container_, "models/k/.td-versions/" + killed + "/w.bin", "new, half done");
  client_->ensureContainer(container_ + "_segments");
  client_->put(container_ + "_segments",
               "models/k/.td-versions/" + killed + "/big.bin/slo/1/10/00000000", "orphan seg");
  // Another run's save still under way (its version is a minute old) must not lose its files.
  const std::string writing = std::to_string(std::stoll(killed) + std::int64_t{7140} * 1000000);
  client_->put(container_, "models/k/.td-versions/" + writing + "/w.bin", "in progress");
  client_->put(container_ + "_segments",
               "models/k/.td-versions/" + writing + "/big.bin/slo/2/10/00000000", "live seg");
  EXPECT_EQ(fs_->readTree(url("models/k")), (FileMap{{"MANIFEST", "m1"}, {"w.bin", "old"}}));
  // The next complete write wins and removes the old version and the killed save's leftovers.
  fs_->writeTree(url("models/k"), {{"MANIFEST", "m2"}, {"w.bin", "new"}}, "MANIFEST");
  EXPECT_EQ(fs_->readTree(url("models/k")), (FileMap{{"MANIFEST", "m2"}, {"w.bin", "new"}}));
  std::vector<std::string> left;
  for (const auto& o : client_->list(container_, "models/k/")) left.push_back(o.name);
  ASSERT_EQ(left.size(), 3u) << "the marker, the new version's file and the live save's file";
  EXPECT_EQ(left[0], "models/k/.td-versions/" + writing + "/w.bin");
  std::vector<std::string> segs;
  for (const auto& o : client_->list(container_ + "_segments", "models/k/")) segs.push_back(o.name);
  EXPECT_EQ(segs, (std::vector<std::string>{"models/k/.td-versions/" + writing +
                                            "/big.bin/slo/2/10/00000000"}));
  // A tree written before versions existed (files beside the marker) still reads, ignoring a
  // half-written version.
  client_->put(container_, "models/legacy/w.bin", "legacy");
  client_->put(container_, "models/legacy/MANIFEST", "m0");
  client_->put(container_, "models/legacy/.td-versions/1/w.bin", "half");
  EXPECT_EQ(fs_->readTree(url("models/legacy")),
            (FileMap{{"MANIFEST", "m0"}, {"w.bin", "legacy"}}));
}

TEST_F(SwiftFileSystemTest, RunsRacingForOneTreeGiveOneWinnerNeverAMix) {
  // Three runs write tree i (a marker and a data file that both name i) to one place at once.
  auto race = [&](const std::string& t, bool overwrite) {
    std::vector<int> ok(3, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i)
      threads.emplace_back([&, i] {
        const FileMap f{{"data/c.bin", std::string(50000, static_cast<char>('a' + i))},
                        {"MANIFEST", std::to_string(i)}};
        try {
          if (overwrite)
            fs_->writeTree(url(t), f, "MANIFEST");
          else
            fs_->writeNewTree(url(t), f, "MANIFEST");
          ok[static_cast<std::size_t>(i)] = 1;
        } catch (const IoError& e) {
          EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("was created by another run"),
                                                 HasSubstr("already exists")));
        }
      });
    for (auto& th : threads) th.join();
    const FileMap back = fs_->readTree(url(t));
    EXPECT_EQ(back.size(), 2u);
    const int winner = std::stoi(back.at("MANIFEST"));
    EXPECT_TRUE(ok[static_cast<std::size_t>(winner)]);
    EXPECT_EQ(back.at("data/c.bin"), std::string(50000, static_cast<char>('a' + winner)));
    return std::count(ok.begin(), ok.end(), 1);
  };
  // Swift has no atomic create: two marker PUTs in flight at the same moment both pass
  // If-None-Match, and both runs may then succeed (the later one's tree is there, whole). Every
  // run that saw another's marker failed and took its objects with it.
  int single = 0;
  for (int round = 0; round < 4; ++round) {
    const auto winners = race("new" + std::to_string(round), false);
    EXPECT_GE(winners, 1);
    single += winners == 1 ? 1 : 0;
    std::size_t files = 0;
    for (const auto& o : client_->list(container_, "new" + std::to_string(round) + "/"))
      files += o.name.find("/.td-versions/") != std::string::npos ? 1 : 0;
    EXPECT_EQ(files, static_cast<std::size_t>(winners)) << "the losers' objects are gone";
  }
  EXPECT_GE(single, 1) << "in 4 rounds of 3 runs, some round has one winner";
  // With overwrite every run succeeds and the last to switch the marker is there, whole.
  for (int round = 0; round < 4; ++round) EXPECT_EQ(race("replaced", true), 3);
}

TEST_F(SwiftFileSystemTest, CallersStorageServesReadersWithoutEnvironmentCredentials) {
  client_->put(container_, "t.csv", "id,label\n0,1.0\n1,0.0\n");
  // The environment's credentials are gone; the caller's Storage brings its own client.
  const std::string stAuth = env("ST_AUTH");
  unsetenv("ST_AUTH");
  auto storage = std::make_shared<Storage>();
  storage->add("swift", std::shared_ptr<FileSystem>(fs_));
  ReadOptions o;
  o.storage = storage;
  const Frame f = readFrame(url("t.csv"), o);
  EXPECT_EQ(f.numRows(), 2);
  EXPECT_EQ(readFileToString(url("t.csv"), *storage), "id,label\n0,1.0\n1,0.0\n");
  EXPECT_THAT([&] { (void)readFrame(url("t.csv")); },
              ::testing::ThrowsMessage<IoError>(HasSubstr("no OpenStack credentials")))
      << "the default Storage reads the environment";
  setenv("ST_AUTH", stAuth.c_str(), 1);
  // The default Storage: the Swift file system from the environment (tempauth here).
  EXPECT_EQ(readFileToString(url("t.csv")), "id,label\n0,1.0\n1,0.0\n");
  EXPECT_EQ(listParts(url("")), std::vector<std::string>{url("t.csv")});
}

TEST(SwiftStorageTest, AFailedSwiftRequestNeverShowsTheKey) {
  loadServerEnv();
  const std::string key = env("ST_KEY");
  setenv("ST_KEY", "s3cret-key-never-shown", 1);
  std::string msg;
  try {
    (void)readFileToString("swift://td-no-such-container/x.csv");
  } catch (const IoError& e) {
    msg = e.what();
  }
  setenv("ST_KEY", key.c_str(), 1);
  EXPECT_THAT(msg, HasSubstr("user '" + env("ST_USER") + "'"));
  EXPECT_THAT(msg, Not(HasSubstr("s3cret-key-never-shown")));
}

}  // namespace
}  // namespace td::storage
