// tests/cli/cli_test.cc — the command-line tool, run in-process as a user would run it.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app.h"
#include "cli_runner.h"
#include "thunderdome/core/params.h"

namespace td::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

const std::string kExamples = TD_EXAMPLES_DIR;
const std::string kSpec = kExamples + "/cross_validation.json";
const std::string kTrain = kExamples + "/data/spark_guide_train.csv";
const std::string kTest = kExamples + "/data/spark_guide_test.csv";

using testing::cli;
using testing::Result;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / randomUid("td_cli");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path(name)) << content;
    return path(name);
  }
  // A fitted model of the seed example.
  std::string fitSeed() const {
    const auto r = cli({"fit", "--spec", kSpec, "--train", kTrain, "--out", path("model"), "-q"});
    EXPECT_EQ(r.code, 0) << r.err;
    return path("model");
  }
  fs::path dir_;
};

TEST_F(CliTest, SeedExampleFitShowPredictEvaluate) {
  // fit, with the test metric and JSON output
  auto r = cli({"fit", "--spec", kSpec, "--train", kTrain, "--test", kTest, "--out", path("m"),
                "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json fit = json::parse(r.out);
  EXPECT_EQ(fit["method"], "crossValidator");
  EXPECT_EQ(fit["metricName"], "areaUnderROC");
  EXPECT_EQ(fit["avgMetrics"].size(), 6u);
  EXPECT_EQ(fit["stdMetrics"].size(), 6u);
  EXPECT_EQ(fit["estimatorParamMaps"].size(), 6u);
  EXPECT_EQ(fit["estimatorParamMaps"][0]["hashingTF.numFeatures"], 10);
  EXPECT_TRUE(fit["bestParams"].contains("lr.regParam"));
  EXPECT_GE(fit["testMetric"].get<double>(), 0.75);
  EXPECT_TRUE(fs::exists(path("m") + "/MANIFEST.json"));
  // The job's solver work: every (map, fold) fit plus the refit, Newton-CG on the sparse
  // features, passes estimated from the counts; a second job counts only its own fits.
  const json work = fit["work"];
  EXPECT_EQ(work["fits"], 6 * fit["numFolds"].get<std::int64_t>() + 1) << work;
  const std::int64_t iters = work["iterations"], cg = work["cgSteps"];
  EXPECT_GE(iters, work["fits"].get<std::int64_t>()) << work;
  EXPECT_GT(cg, 0) << work;
  EXPECT_EQ(work["passes"], 2 * work["fits"].get<std::int64_t>() + 3 * iters + 2 * cg) << work;
  // Feature groups: numFeatures 10, 100, 1000 are made once each (the refit may make its own
  // again), hashing the widest and folding the others from a held one when the workers meet.
  const json groups = fit["featureGroups"];
  EXPECT_GE(groups["featurized"].get<std::int64_t>(), 1) << groups;
  EXPECT_GE(groups["featurized"].get<std::int64_t>() + groups["derived"].get<std::int64_t>(), 3) << groups;
  EXPECT_LE(groups["featurized"].get<std::int64_t>() + groups["derived"].get<std::int64_t>(), 4) << groups;
  r = cli({"fit", "--spec", kSpec, "--train", kTrain, "--out", path("m2"), "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["work"], work);

  // show: the grid table with the best row marked, and the best model's stages
  r = cli({"show", "--model", path("m")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("CrossValidatorModel"));
  EXPECT_THAT(r.out, HasSubstr("hashingTF.numFeatures"));
  EXPECT_THAT(r.out, HasSubstr("<- best"));
  EXPECT_THAT(r.out, HasSubstr("LogisticRegressionModel lr"));
  r = cli({"show", "--model", path("m"), "--json"});
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(json::parse(r.out)["avgMetrics"], fit["avgMetrics"]);

  // predict: input columns plus prediction, probability, rawPrediction
  r = cli({"predict", "--model", path("m"), "--input", kTest, "--output", path("p.csv"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = slurp(path("p.csv"));
  EXPECT_THAT(csv, HasSubstr("id,text,label,prediction,probability,rawPrediction\n"));
  EXPECT_THAT(csv, HasSubstr("4,spark i j k,1.0,1.0,"));
  EXPECT_THAT(csv, HasSubstr("7,apache hadoop,0.0,0.0,"));

  // predict to JSON Lines with intermediate columns
  r = cli({"predict", "--model", path("m"), "--input", kTest, "--output", path("p.jsonl"),
           "--columns", "id,words,features,probability", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(slurp(path("p.jsonl")));
  std::string first;
  std::getline(lines, first);
  const json row = json::parse(first);
  EXPECT_EQ(row["id"], 4);
  EXPECT_EQ(row["words"], json::array({"spark", "i", "j", "k"}));
  EXPECT_TRUE(row["features"].contains("indices")) << first;
  EXPECT_EQ(row["probability"].size(), 2u);

  // evaluate
  r = cli({"evaluate", "--model", path("m"), "--input", kTest, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["value"], fit["testMetric"]);
  r = cli({"evaluate", "--model", path("m"), "--input", kTest, "--metric", "areaUnderPR"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("areaUnderPR: "));
}

// The AsyncDL example (Sparkflow's MNIST recipe on the churn table): the preparation stages,
// OneHotEncoder on the label, AsyncDL tuned over learning rate and mode; the saved model
// predicts class indices.
TEST_F(CliTest, AsyncDLExampleTunesSavesAndPredicts) {
  const std::string train = kExamples + "/data/churn_train.csv";
  const std::string test = kExamples + "/data/churn_test.csv";
  auto r = cli({"fit", "--spec", kExamples + "/async_dl.json", "--train", train, "--test", test,
                "--out", path("m"), "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json fit = json::parse(r.out);
  EXPECT_EQ(fit["avgMetrics"].size(), 4u);
  EXPECT_TRUE(fit["bestParams"].contains("dl.mode"));
  EXPECT_GE(fit["testMetric"].get<double>(), 0.7);
  r = cli({"predict", "--model", path("m"), "--input", test, "--output", path("p.csv"),
           "--columns", "customer_id,prediction", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string out = slurp(path("p.csv"));
  EXPECT_THAT(out, HasSubstr("customer_id,prediction\n"));
  EXPECT_THAT(out, ::testing::ContainsRegex("\n[0-9]+,(0|1)\\.0\n"));
}

// The tabular example: a table with empty cells, categories and a yes/no label goes through
// StringIndexer, OneHotEncoder, Imputer, VectorAssembler, StandardScaler and a tuned
// LogisticRegression; unseen categories are kept, an unseen label names its file and line.
TEST_F(CliTest, TabularExampleFitsPredictsAndNamesBadLabels) {
  const std::string train = kExamples + "/data/churn_train.csv";
  const std::string test = kExamples + "/data/churn_test.csv";
  auto r = cli({"fit", "--spec", kExamples + "/tabular.json", "--train", train, "--test", test,
                "--out", path("m"), "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json fit = json::parse(r.out);
  EXPECT_EQ(fit["avgMetrics"].size(), 6u);
  EXPECT_TRUE(fit["bestParams"].contains("imputer.strategy"));
  EXPECT_GE(fit["testMetric"].get<double>(), 0.8);
  // A new plan and an empty age: kept as an unknown category, imputed.
  const std::string rows = write("new.csv",
                                 "customer_id,age,plan,region,payment,tenure_months,"
                                 "monthly_charges,support_calls,churned\n"
                                 "1,,gold,north,card,12,80.5,3,no\n"
                                 "2,33,basic,north,card,12,80.5,,no\n");
  r = cli({"predict", "--model", path("m"), "--input", rows, "--output", path("p.csv"),
           "--columns", "customer_id,plan_idx,age_filled,prediction", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(slurp(path("p.csv")), HasSubstr("1,4.0,"));  // 4 plans seen: "gold" is index 4
  // A column with no value at all cannot be typed: the message says so and how to fix it.
  const std::string empty = write("empty.csv",
                                  "customer_id,age,plan,region,payment,tenure_months,"
                                  "monthly_charges,support_calls,churned\n"
                                  "1,,gold,north,card,12,80.5,3,no\n");
  r = cli({"predict", "--model", path("m"), "--input", empty, "--output", path("q.csv")});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("column 'age' has no values (every cell is empty)"));
  r = cli({"predict", "--model", path("m"), "--input", empty, "--output", path("q.csv"), "-q",
           "--option",
           "schema=customer_id bigint, age double, plan string, region string, payment string, "
           "tenure_months bigint, monthly_charges double, support_calls bigint, churned string"});
  EXPECT_EQ(r.code, 0) << r.err;
  // An unseen label value fails with the file and line.
  const std::string bad = write("bad.csv",
                                "customer_id,age,plan,region,payment,tenure_months,"
                                "monthly_charges,support_calls,churned\n"
                                "1,40,basic,north,card,12,80.5,3,no\n"
                                "2,41,basic,north,card,12,80.5,3,maybe\n");
  r = cli({"evaluate", "--model", path("m"), "--input", bad});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("Unseen label: maybe in column 'churned' at " + bad + ":3"));
}

TEST_F(CliTest, TextOutputMarksBestAndSavesModel) {
  const auto r = cli({"fit", "--spec", kSpec, "--train", kTrain, "--out", path("m")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("areaUnderROC (mean ± std over 2 folds)"));
  EXPECT_THAT(r.out, HasSubstr("<- best"));
  EXPECT_THAT(r.out, HasSubstr("Best params: hashingTF.numFeatures="));
  EXPECT_THAT(r.err, HasSubstr("[thunderdome] read"));
}

TEST_F(CliTest, ExistingOutputNeedsOverwrite) {
  const auto model = fitSeed();
  auto r = cli({"fit", "--spec", kSpec, "--train", kTrain, "--out", model, "-q"});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_THAT(r.err, HasSubstr("already exists (use --overwrite"));
  r = cli({"fit", "--spec", kSpec, "--train", kTrain, "--out", model, "--overwrite", "-q"});
  EXPECT_EQ(r.code, 0) << r.err;
  write("p.csv", "old");
  r = cli({"predict", "--model", model, "--input", kTest, "--output", path("p.csv")});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_EQ(slurp(path("p.csv")), "old");
}

TEST_F(CliTest, BadSpecsExitTwoAndNameTheLocation) {
  const std::string stages =
      R"({"stages": [{"name": "tokenizer", "class": "Tokenizer", "params": {"inputCol": "text", "outputCol": "words"}},
                    {"name": "hashingTF", "class": "HashingTF", "params": {"inputCol": "words", "outputCol": "features"}},
                    {"name": "lr", "class": "LogisticRegression"}])";
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({"stages": [{"name": "x", "class": "Tokeniser"}]})", "stages[0] (x).class: unknown stage class 'Tokeniser'"},
      {R"({"stages": [{"name": "lr", "class": "LogisticRegression", "params": {"regParm": 0.1}}]})",
       "stages[0] (lr).params.regParm: LogisticRegression lr has no parameter 'regParm'"},
      {R"({"stages": [{"name": "lr", "class": "LogisticRegression", "params": {"maxIter": "ten"}}]})",
       "expects a value of type int, got string \"ten\""},
      {stages + R"(, "grid": {"hashTF.numFeatures": [10]}, "evaluator": {"class": "BinaryClassificationEvaluator"}})",
       "grid.hashTF.numFeatures: no stage named 'hashTF'"},
      {"{\"stages\": [", "invalid JSON at line 1"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto spec = write("spec" + std::to_string(i) + ".json", cases[i].first);
    const auto r = cli({"fit", "--spec", spec, "--train", kTrain, "--out", path("m")});
    EXPECT_EQ(r.code, kExitUsage) << cases[i].first;
    EXPECT_THAT(r.err, HasSubstr(cases[i].second));
    EXPECT_FALSE(fs::exists(path("m")));
  }
}

// OneVsRest from a spec: the classifier is a nested stage object, its params are tuned with grid
// keys "ovr.classifier.<param>", and the fitted model predicts three well-separated classes.
TEST_F(CliTest, OneVsRestSpecFitsThreeClassesThroughTheCli) {
  // Three clusters around (0, 0), (4, 0) and (0, 4), label = cluster.
  auto rows = [](int n, int offset) {
    const double centres[3][2] = {{0.0, 0.0}, {4.0, 0.0}, {0.0, 4.0}};
    std::string csv = "x1,x2,label\n";
    for (int i = 0; i < n; ++i) {
      const int k = i % 3;
      const double dx = ((i * 7 + offset) % 5 - 2) * 0.3, dy = ((i * 3 + offset) % 5 - 2) * 0.3;
      csv += fmt::format("{},{},{}\n", centres[k][0] + dx, centres[k][1] + dy, k);
    }
    return csv;
  };
  const std::string train = write("train3.csv", rows(30, 0));
  const std::string test = write("test3.csv", rows(6, 1));
  const std::string stages =
      R"({"stages": [
            {"name": "assembler", "class": "VectorAssembler",
             "params": {"inputCols": ["x1", "x2"], "outputCol": "features"}},
            {"name": "ovr", "class": "OneVsRest",
             "params": {"classifier": {"class": )";
  const std::string spec = write(
      "ovr.json", stages + R"("LogisticRegression", "params": {"maxIter": 50}}}}],
        "grid": {"ovr.classifier.regParam": [0.5, 0.0]},
        "tuning": {"method": "crossValidator", "numFolds": 2, "seed": 1},
        "evaluator": {"class": "MulticlassClassificationEvaluator",
                      "params": {"metricName": "accuracy"}},
        "labelCol": "label", "featuresCol": "features"})");
  auto r = cli({"fit", "--spec", spec, "--train", train, "--test", test, "--out", path("m"),
                "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json fit = json::parse(r.out);
  ASSERT_EQ(fit["estimatorParamMaps"].size(), 2u);
  EXPECT_EQ(fit["estimatorParamMaps"][0]["ovr.classifier.regParam"], 0.5);
  EXPECT_EQ(fit["estimatorParamMaps"][1]["ovr.classifier.regParam"], 0.0);
  EXPECT_EQ(fit["testMetric"], 1.0);

  // show: the grid values in the table, and the refit best model's classifier with the best
  // grid value (the map reached the nested stage).
  r = cli({"show", "--model", path("m")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ovr.classifier.regParam"));
  EXPECT_THAT(r.out, Not(HasSubstr("  -  ")));
  EXPECT_THAT(r.out, HasSubstr("OneVsRestModel ovr: classifier=LogisticRegression ovr.classifier ("));
  r = cli({"show", "--model", path("m"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json shown = json::parse(r.out);
  const json& ovr = shown["bestModel"]["stages"][1];
  EXPECT_EQ(ovr["class"], "OneVsRestModel");
  EXPECT_EQ(ovr["numClasses"], 3);
  EXPECT_EQ(ovr["paramMap"]["classifier"]["uid"], "ovr.classifier");
  EXPECT_EQ(ovr["paramMap"]["classifier"]["paramMap"]["maxIter"], 50);
  EXPECT_EQ(ovr["paramMap"]["classifier"]["paramMap"]["regParam"],
            shown["bestParams"]["ovr.classifier.regParam"]);

  // predict: every test row gets its cluster
  r = cli({"predict", "--model", path("m"), "--input", test, "--output", path("p.csv"),
           "--columns", "label,prediction", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(path("p.csv")), "label,prediction\n0,0.0\n1,1.0\n2,2.0\n0,0.0\n1,1.0\n2,2.0\n");

  // A misspelt nested class: exit 2, the place in the spec and the known classes.
  const std::string bad = write("bad.json", stages + R"("LogisticRegresion"}}}]})");
  r = cli({"fit", "--spec", bad, "--train", train, "--out", path("m2")});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("bad.json: stages[1] (ovr).params.classifier.class: unknown stage "
                               "class 'LogisticRegresion' (known: "));
  EXPECT_FALSE(fs::exists(path("m2")));
}

TEST_F(CliTest, BadDataExitsThreeAndLeavesNoModel) {
  // Wrong column name: the spec reads "text".
  auto data = write("notext.csv", "id,body,label\n0,a b,1.0\n1,c d,0.0\n2,e,1.0\n3,f,0.0\n");
  auto r = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr("'text' does not exist (available: id, body, label)"));
  // A malformed row.
  data = write("ragged.csv", "id,text,label\n0,a b,1.0\n1,c d\n");
  r = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr("line 3"));
  // A label that is not a class index: fails inside the fits; no model directory appears.
  std::string rows = "id,text,label\n";
  for (int i = 0; i < 12; ++i) rows += std::to_string(i) + ",w" + std::to_string(i) + "," + (i == 5 ? "1.5" : std::to_string(i % 2)) + "\n";
  data = write("labels.csv", rows);
  r = cli({"fit", "--spec", kSpec, "--train", data, "--out", path("m"), "--report", path("r.html"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr("label column 'label' has invalid value 1.5"));
  EXPECT_FALSE(fs::exists(path("m")));
  EXPECT_FALSE(fs::exists(path("r.html")));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_THAT(e.path().filename().string(), Not(HasSubstr(".tmp-")));
}

TEST_F(CliTest, IoErrorsExitFour) {
  auto r = cli({"fit", "--spec", kSpec, "--train", path("missing.csv"), "--out", path("m")});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_THAT(r.err, HasSubstr("missing.csv"));
  r = cli({"show", "--model", path("nope")});
  EXPECT_EQ(r.code, kExitIo);
  const auto model = fitSeed();
  // Damage the model: truncate the coefficients.
  for (const auto& e : fs::recursive_directory_iterator(model))
    if (e.path().filename() == "coefficients.f64le") fs::resize_file(e.path(), 8);
  r = cli({"predict", "--model", model, "--input", kTest, "--output", path("p.csv")});
  EXPECT_EQ(r.code, kExitIo);
  EXPECT_THAT(r.err, HasSubstr("coefficients.f64le"));
  EXPECT_FALSE(fs::exists(path("p.csv")));
}

TEST_F(CliTest, ReaderOptionsAndFormats) {
  // A TSV with bare quotes inside the text: quoting off, as for e-mail bodies.
  const auto tsv = write("mail.tsv",
                         "id\ttext\tlabel\n0\tspark \"rocks\"\t1\n1\thadoop \"x\t0\n2\tspark "
                         "fly\t1\n3\tmapreduce\t0\n4\tspark go\t1\n5\thadoop y\t0\n");
  auto r = cli({"fit", "--spec", kSpec, "--train", tsv, "--out", path("m"), "--option", "quote=",
                "-q"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = cli({"fit", "--spec", kSpec, "--train", tsv, "--out", path("m2"), "--option", "bogus=1"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown reader option 'bogus'"));
  const auto odd = write("data.txt", "x");
  r = cli({"fit", "--spec", kSpec, "--train", odd, "--out", path("m3")});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--format"));
}

TEST_F(CliTest, ReportIsWritten) {
  const auto r = cli({"fit", "--spec", kSpec, "--train", kTrain, "--out", path("m"), "--report",
                      path("r.html"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = slurp(path("r.html"));
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("areaUnderROC"));
  EXPECT_THAT(html, HasSubstr("hashingTF.numFeatures=100"));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  // A binary metric: ROC and PR curves on out-of-fold predictions, no multiclass or
  // regression plots.
  EXPECT_THAT(html, HasSubstr("<svg class=\"roc-chart\""));
  EXPECT_THAT(html, HasSubstr("<svg class=\"pr-chart\""));
  EXPECT_THAT(html, HasSubstr("out-of-fold validation data"));
  EXPECT_THAT(html, Not(HasSubstr("class=\"confusion\"")));
  EXPECT_THAT(html, Not(HasSubstr("pred-actual-chart")));
}

TEST_F(CliTest, RegistryCommands) {
  auto r = cli({"stages"});
  ASSERT_EQ(r.code, 0);
  for (const char* s : {"Tokenizer", "RegexTokenizer", "HashingTF", "LogisticRegression",
                        "BinaryClassificationEvaluator"})
    EXPECT_THAT(r.out, HasSubstr(s));
  r = cli({"params", "LogisticRegression"});
  ASSERT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("regParam: regularization parameter (>= 0) (default: 0)"));
  EXPECT_THAT(r.out, HasSubstr("maxIter: max number of iterations (>= 0) (default: 100)"));
  r = cli({"params", "HashingTF", "--json"});
  ASSERT_EQ(r.code, 0);
  const json j = json::parse(r.out);
  EXPECT_EQ(j["sparkClass"], "org.apache.spark.ml.feature.HashingTF");
  r = cli({"params", "Nope"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown stage class 'Nope' (known: Tokenizer"));
}

TEST_F(CliTest, UsageErrorsAndHelp) {
  auto r = cli({});
  EXPECT_EQ(r.code, kExitUsage);
  r = cli({"fit", "--spec", kSpec});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--train"));
  r = cli({"fit", "--bogus"});
  EXPECT_EQ(r.code, kExitUsage);
  for (const char* cmd : {"fit", "predict", "evaluate", "show", "stages", "params"}) {
    r = cli({cmd, "--help"});
    EXPECT_EQ(r.code, 0) << cmd;
    EXPECT_THAT(r.out, HasSubstr("--quiet")) << cmd;
  }
  r = cli({"fit", "--help"});
  for (const char* opt : {"--spec", "--train", "--out", "--test", "--report", "--overwrite",
                          "--format", "--option", "--json", "--verbose"})
    EXPECT_THAT(r.out, HasSubstr(opt));
  EXPECT_THAT(r.out, HasSubstr("Exit codes: 0 ok, 2 usage"));
}

TEST_F(CliTest, HelpTextsMatchTheDocs) {
  // docs/cli.md is generated from --help; regenerate it with tools/gen_cli_docs.sh.
  const std::string docs = slurp(TD_DOCS_DIR "/cli.md");
  for (const char* cmd : {"", "fit", "predict", "evaluate", "show", "stages", "params"}) {
    const auto r = std::string(cmd).empty() ? cli({"--help"}) : cli({cmd, "--help"});
    ASSERT_EQ(r.code, 0);
    EXPECT_THAT(docs, HasSubstr("```text\n" + r.out + "```"))
        << "docs/cli.md is stale for '" << cmd << "': run tools/gen_cli_docs.sh";
  }
}

}  // namespace
}  // namespace td::cli
