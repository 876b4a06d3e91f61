// tests/cli/data_errors_test.cc — data errors name the file, line, column and value whatever
// the tuning; empty, truncated-gzip and single-class inputs get the documented exit and words.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app.h"
#include "cli_runner.h"
#include "thunderdome/core/params.h"

namespace td::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;
using testing::cli;

const std::string kExamples = TD_EXAMPLES_DIR;
const std::string kSpec = kExamples + "/cross_validation.json";
const std::string kTrain = kExamples + "/data/spark_guide_train.csv";

class DataErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / randomUid("td_dataerr");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path(name), std::ios::binary) << content;
    return path(name);
  }
  // A spec: the seed example's pipeline with the given "tuning" object (and a grid of two maps
  // unless the method is "none").
  std::string spec(const std::string& tuning) const {
    return write("spec.json",
                 std::string(R"({"stages": [
      {"name": "tokenizer", "class": "Tokenizer", "params": {"inputCol": "text", "outputCol": "words"}},
      {"name": "hashingTF", "class": "HashingTF", "params": {"inputCol": "words", "outputCol": "features"}},
      {"name": "lr", "class": "LogisticRegression", "params": {"maxIter": 10}}],
     "evaluator": {"class": "BinaryClassificationEvaluator"},)") +
                     (tuning.find("none") == std::string::npos
                          ? R"("grid": {"lr.regParam": [0.1, 0.01]},)"
                          : "") +
                     R"("tuning": )" + tuning + "}");
  }
  fs::path dir_;
};

// 12 good rows, then a label 1.5 on line 14 (the header is line 1).
std::string badLabelCsv() {
  std::string rows = "id,text,label\n";
  for (int i = 1; i <= 12; ++i)
    rows += std::to_string(i) + ",spark w" + std::to_string(i) + " a b," + std::to_string(i % 2) +
            ".0\n";
  return rows + "13,bad row x,1.5\n";
}

TEST_F(DataErrorsTest, BadLabelNamesFileAndLineWhateverTheFoldOrSeed) {
  const std::string data = write("bad.csv", badLabelCsv());
  const std::string where = data + ":14: LogisticRegression lr: label column 'label' has invalid "
                                   "value 1.5: classification labels must be the integers 0, 1, ..., K-1";
  for (const std::string tuning :
       {R"({"method": "crossValidator", "numFolds": 2, "seed": 1})",
        R"({"method": "crossValidator", "numFolds": 3, "seed": 99})",
        R"({"method": "trainValidationSplit", "seed": 7})", R"({"method": "none"})"}) {
    const auto r = cli({"fit", "--spec", spec(tuning), "--train", data, "--out", path("m"), "-q"});
    EXPECT_EQ(r.code, kExitBadData) << tuning;
    EXPECT_THAT(r.err, HasSubstr(where)) << tuning;
    EXPECT_FALSE(fs::exists(path("m")));
  }
}

TEST_F(DataErrorsTest, EmptyAndHeaderOnlyInputHaveNoDataRows) {
  for (const auto& [name, text] : {std::pair{"empty.csv", ""}, {"header.csv", "id,text,label\n"}}) {
    const auto r = cli({"fit", "--spec", kSpec, "--train", write(name, text), "--out",
                        path("m"), "-q"});
    EXPECT_EQ(r.code, kExitBadData) << name;
    EXPECT_THAT(r.err, HasSubstr("no data rows in " + path(name))) << r.err;
  }
}

TEST_F(DataErrorsTest, TruncatedGzipExitsThree) {
  const auto r = cli({"fit", "--spec", kSpec, "--train",
                      write("cut.csv.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8)),
                      "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(path("cut.csv.gz") + "': truncated gzip data"));
}

TEST_F(DataErrorsTest, CrOnlyLineEndingsRead) {
  std::ifstream in(kTrain, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (char& c : text)
    if (c == '\n') c = '\r';
  const auto r = cli({"fit", "--spec", kSpec, "--train", write("cr.csv", text), "--out",
                      path("m"), "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["trainRows"], 12);
}

TEST_F(DataErrorsTest, SingleClassWithoutTuningFitsAndWarns) {
  std::string rows = "id,text,label\n";
  for (int i = 1; i <= 12; ++i) rows += std::to_string(i) + ",w" + std::to_string(i) + ",1.0\n";
  const std::string data = write("one.csv", rows);
  const auto r = cli({"fit", "--spec", spec(R"({"method": "none"})"), "--train", data, "--out",
                      path("m"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string warning = "all 12 rows of " + data + " have label 1.0 in column 'label'";
  EXPECT_THAT(r.err, HasSubstr("warning: " + warning));
  const json j = json::parse(r.out);
  ASSERT_EQ(j["warnings"].size(), 1u);
  EXPECT_THAT(j["warnings"][0].get<std::string>(), HasSubstr(warning));
  // Under cross-validation the evaluator's metric is undefined on a fold: exit 3.
  const auto cv = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("m2"), "-q"});
  EXPECT_EQ(cv.code, kExitBadData);
  // The whole file's rows are counted, not one fold's.
  EXPECT_THAT(cv.err, HasSubstr("all 12 rows of " + data + " have label 1.0 in column 'label': "
                                "CrossValidator"));
  EXPECT_THAT(cv.err, HasSubstr("areaUnderROC is undefined on single-class data"));
  EXPECT_FALSE(fs::exists(path("m2")));
}

TEST_F(DataErrorsTest, MissingColumnIsTheFilesProblemNotTheStages) {
  const std::string data = write("txt.csv", "id,txt,label\n1,a b,1.0\n2,c d,0.0\n");
  const auto r = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(data + " has no column 'text' (it has: id, txt, label); Tokenizer "
                                      "tokenizer: input column 'text' does not exist"));
  EXPECT_FALSE(fs::exists(path("m")));
}

TEST_F(DataErrorsTest, YesNoLabelsNameFileLineAndValue) {
  const std::string data =
      write("yesno.csv", "id,text,label\n1,spark a,yes\n2,hadoop b,no\n3,spark c,yes\n");
  const auto r = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(data + ":2: column 'label' holds string values such as 'yes'; "
                                      "LogisticRegression lr: label column 'label' must be "
                                      "numeric (bigint or double) but is string"));
}

TEST_F(DataErrorsTest, InvalidUtf8FailsByDefaultAndTheModeOptionRepairsOrDrops) {
  std::ifstream in(kTrain, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto at = text.find("spark", text.find('\n', text.find('\n') + 1));  // line 4: 2,spark f g h
  text.insert(at + 2, "\xFF");
  const std::string data = write("bad-utf8.csv", text);
  const auto r = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(data + ", line 4: field 2 (column 'text'): invalid UTF-8 (byte "
                                      "0xFF) at byte 2 of the value"));
  EXPECT_FALSE(fs::exists(path("m")));

  const auto p = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("p"), "--option",
                      "mode=PERMISSIVE", "--json", "-q"});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(json::parse(p.out)["trainRows"], 12);
  EXPECT_THAT(json::parse(p.out)["warnings"][0].get<std::string>(),
              HasSubstr(data + ": 1 value with invalid UTF-8 or NUL repaired to U+FFFD"));
  EXPECT_THAT(p.err, HasSubstr("warning: " + data + ": 1 value"));
  EXPECT_EQ(p.err.find("warning: "), p.err.rfind("warning: ")) << "printed once: " << p.err;

  const auto d = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("d"), "--option",
                      "mode=DROPMALFORMED", "--json", "-q"});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(json::parse(d.out)["trainRows"], 11);
  EXPECT_THAT(json::parse(d.out)["warnings"][0].get<std::string>(),
              HasSubstr(data + ": 1 malformed row dropped (mode DROPMALFORMED; the first: " +
                        data + ", line 4"));

  // A read warning is printed when the file is read, so an error later does not hide it.
  const std::string two = "id,text,label\n1,spark a,1.0\n2,b\xFF" "d,0.0\n";
  const auto one = cli({"fit", "--spec", kSpec, "--train", write("two.csv", two), "--out",
                        path("o"), "--option", "mode=DROPMALFORMED", "-q"});
  EXPECT_EQ(one.code, kExitBadData);
  EXPECT_THAT(one.err, HasSubstr("warning: " + path("two.csv") + ": 1 malformed row dropped"));
  EXPECT_THAT(one.err, HasSubstr("error: all 1 rows of " + path("two.csv") + " have label 1.0"));

  const auto bad = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("b"), "--option",
                        "mode=lenient", "-q"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_THAT(bad.err, HasSubstr("reader option 'mode' must be FAILFAST, PERMISSIVE or "
                                 "DROPMALFORMED, got \"lenient\""));
}

}  // namespace
}  // namespace td::cli
