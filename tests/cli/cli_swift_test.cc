// tests/cli/cli_swift_test.cc — the CLI with swift:// data and models, against the real test
// Swift (a ctest fixture starts it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app.h"
#include "cli_runner.h"
#include "thunderdome/core/params.h"
#include "thunderdome/io/file.h"
#include "thunderdome/storage/swift.h"
#include "../testing/swift_env.h"

namespace td::cli {
namespace {

using ::testing::HasSubstr;

void loadServerEnv() {
  ASSERT_TRUE(td::testing::loadSwiftEnv()) << "start scripts/swift/swift-test-server.sh first";
  // The CLI authenticates from the environment: use tempauth's ST_* here.
  for (const char* n : {"OS_AUTH_URL", "OS_CLOUD", "OS_STORAGE_URL", "OS_AUTH_TOKEN"}) unsetenv(n);
}

using testing::cli;
using testing::Result;

TEST(CliSwiftTest, FitOnSwiftDataSaveModelToSwiftThenPredict) {
  loadServerEnv();
  auto client = storage::SwiftClient::fromEnvironment();
  const std::string c = randomUid("td-cli");  // a fresh container per run
  const std::string s = "swift://" + c + "/";
  client->ensureContainer(c);
  client->put(c, "data/train.csv", readFileToString(TD_EXAMPLES_DIR "/data/spark_guide_train.csv"));
  client->put(c, "data/test.csv", readFileToString(TD_EXAMPLES_DIR "/data/spark_guide_test.csv"));
  client->remove(c, "models/seed/MANIFEST.json");

  auto r = cli({"fit", "--spec", TD_EXAMPLES_DIR "/cross_validation.json", "--train",
                s + "data/train.csv", "--test", s + "data/test.csv",
                "--out", s + "models/seed", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Model saved to " + s + "models/seed"));
  EXPECT_TRUE(client->exists(c, "models/seed/MANIFEST.json"));

  r = cli({"fit", "--spec", TD_EXAMPLES_DIR "/cross_validation.json", "--train",
           s + "data/train.csv", "--out", s + "models/seed", "-q"});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_THAT(r.err, HasSubstr("already exists"));

  r = cli({"show", "--model", s + "models/seed"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("<- best"));

  r = cli({"predict", "--model", s + "models/seed", "--input",
           s + "data/test.csv", "--output", s + "out/predictions.csv", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = client->get(c, "out/predictions.csv");
  EXPECT_THAT(csv, HasSubstr("4,spark i j k,1.0,1.0,"));

  // A half-written model (no manifest) is never loadable.
  client->remove(c, "models/seed/MANIFEST.json");
  r = cli({"show", "--model", s + "models/seed"});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_THAT(r.err, HasSubstr("not a complete thunderdome model"));

  // A missing object.
  r = cli({"evaluate", "--model", s + "models/nope", "--input", s + "data/test.csv"});
  EXPECT_EQ(r.code, kExitIo);
  r = cli({"fit", "--spec", TD_EXAMPLES_DIR "/cross_validation.json", "--train",
           s + "data/missing.csv", "--out", "/tmp/unused-model", "-q"});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_THAT(r.err, HasSubstr("object not found (container '" + c + "', object 'data/missing.csv')"));
}

TEST(CliSwiftTest, ReportGoesToSwiftAndAFailedReportKeepsTheModel) {
  loadServerEnv();
  auto client = storage::SwiftClient::fromEnvironment();
  const std::string c = randomUid("td-cli-report");
  const std::string s = "swift://" + c + "/";
  client->ensureContainer(c);
  client->put(c, "data/train.csv", readFileToString(TD_EXAMPLES_DIR "/data/spark_guide_train.csv"));

  auto r = cli({"fit", "--spec", TD_EXAMPLES_DIR "/cross_validation.json", "--train",
                s + "data/train.csv", "--out", s + "models/m1", "--report", s + "out/report.html",
                "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(client->get(c, "out/report.html"), HasSubstr("</html>"));
  EXPECT_TRUE(client->exists(c, "models/m1/MANIFEST.json"));

  // The report's container does not exist: the report fails (exit 4, naming it), the model,
  // written first, is complete and loads.
  const std::string missing = randomUid("td-cli-no-such-container");
  r = cli({"fit", "--spec", TD_EXAMPLES_DIR "/cross_validation.json", "--train",
           s + "data/train.csv", "--out", s + "models/m2", "--report",
           "swift://" + missing + "/report.html", "-q"});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_THAT(r.err, HasSubstr(missing));
  r = cli({"show", "--model", s + "models/m2"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("<- best"));
}

}  // namespace
}  // namespace td::cli
