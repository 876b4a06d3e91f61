// tests/cli/multiclass_regression_test.cc — fit --test, evaluate, predict and the report for a
// multinomial LogisticRegression (3 classes) and a LinearRegression, as a user runs them; the
// printed metrics equal the evaluators' values computed here from the saved model.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app.h"
#include "cli_runner.h"
#include "thunderdome/core/params.h"
#include "thunderdome/evaluation/multiclass_classification_evaluator.h"
#include "thunderdome/evaluation/regression_evaluator.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/pipeline/stage.h"

namespace td::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;
using testing::cli;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

// A deterministic noise in [-1, 1) (the fractional part of a scaled sine: no linear relation
// between salts).
double noise(int i, int salt) {
  const double v = std::sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return 2.0 * (v - std::floor(v)) - 1.0;
}

// Three classes around (0,0), (2,0) and (1,2): "label,f0,f1", label i % 3, with some overlap.
std::string threeClassCsv(int rows, int salt) {
  std::string s = "label,f0,f1\n";
  const double cx[] = {0, 2, 1}, cy[] = {0, 0, 2};
  for (int i = 0; i < rows; ++i) {
    const int k = i % 3;
    s += fmt::format("{}.0,{:.4f},{:.4f}\n", k, cx[k] + 1.2 * noise(i, salt),
                     cy[k] + 1.2 * noise(i, salt + 1));
  }
  return s;
}

// y = 1.5 a - 0.7 b + 3 + noise: "label,f0,f1".
std::string regressionCsv(int rows, int salt) {
  std::string s = "label,f0,f1\n";
  for (int i = 0; i < rows; ++i) {
    const double a = 2 * noise(i, salt), b = 1 + 2 * noise(i, salt + 1);
    s += fmt::format("{:.4f},{:.4f},{:.4f}\n", 1.5 * a - 0.7 * b + 3 + 0.3 * noise(i, salt + 2),
                     a, b);
  }
  return s;
}

constexpr const char* kMulticlassSpec = R"({"stages": [
  {"name": "assembler", "class": "VectorAssembler", "params": {"inputCols": ["f0", "f1"], "outputCol": "features"}},
  {"name": "lr", "class": "LogisticRegression", "params": {"maxIter": 50, "family": "multinomial"}}],
 "grid": {"lr.regParam": [0.0, 0.1]},
 "tuning": {"method": "crossValidator", "numFolds": 3},
 "evaluator": {"class": "MulticlassClassificationEvaluator", "params": {"metricName": "accuracy"}}})";

constexpr const char* kRegressionSpec = R"({"stages": [
  {"name": "assembler", "class": "VectorAssembler", "params": {"inputCols": ["f0", "f1"], "outputCol": "features"}},
  {"name": "linreg", "class": "LinearRegression", "params": {}}],
 "grid": {"linreg.regParam": [0.0, 0.1]},
 "tuning": {"method": "crossValidator", "numFolds": 3},
 "evaluator": {"class": "RegressionEvaluator", "params": {"metricName": "rmse"}}})";

class MulticlassRegressionCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / randomUid("td_cli_kreg");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path(name)) << content;
    return path(name);
  }
  // The saved model's predictions on `data`, computed here.
  static Frame predictions(const std::string& model, const std::string& data) {
    const auto m = std::static_pointer_cast<Transformer>(loadStage(model));
    return m->transform(readFrame(data));
  }
  fs::path dir_;
};

TEST_F(MulticlassRegressionCliTest, MulticlassFitEvaluatePredictAndReport) {
  const auto spec = write("spec.json", kMulticlassSpec);
  const auto train = write("train.csv", threeClassCsv(300, 1));
  const auto test = write("test.csv", threeClassCsv(90, 7));
  auto r = cli({"fit", "--spec", spec, "--train", train, "--test", test, "--out", path("m"),
                "--report", path("r.html"), "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json fit = json::parse(r.out);
  EXPECT_EQ(fit["metricName"], "accuracy");
  EXPECT_EQ(fit["testMetricName"], "accuracy");
  EXPECT_EQ(fit["testRows"], 90);

  // The metrics, computed here from the saved model.
  const Frame pred = predictions(path("m"), test);
  MulticlassClassificationEvaluator ev;
  ev.setMetricName("accuracy");
  const double accuracy = ev.evaluate(pred);
  EXPECT_GT(accuracy, 0.6);
  EXPECT_LT(accuracy, 1.0) << "the classes overlap: a perfect score would hide mistakes";
  EXPECT_DOUBLE_EQ(fit["testMetric"].get<double>(), accuracy);
  ev.setMetricName("f1");
  const double f1 = ev.evaluate(pred);
  ev.setMetricName("precisionByLabel");
  ev.setMetricLabel(2.0);
  const double precision2 = ev.evaluate(pred);

  // Plain text: the same value.
  r = cli({"fit", "--spec", spec, "--train", train, "--test", test, "--out", path("m2"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(fmt::format("Test accuracy: {:.6f} (90 rows)", accuracy)));

  // evaluate: the tuning metric, another multiclass metric, a per-label one.
  r = cli({"evaluate", "--model", path("m"), "--input", test, "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, fmt::format("accuracy: {:.6f} (90 rows)\n", accuracy));
  r = cli({"evaluate", "--model", path("m"), "--input", test, "--metric", "f1", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_DOUBLE_EQ(json::parse(r.out)["value"].get<double>(), f1);
  EXPECT_EQ(json::parse(r.out)["evaluator"], "MulticlassClassificationEvaluator");
  r = cli({"evaluate", "--model", path("m"), "--input", test, "--metric", "precisionByLabel",
           "--metric-label", "2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_DOUBLE_EQ(json::parse(r.out)["value"].get<double>(), precision2);
  // A binary metric on a 3-class model is refused, not computed from rawPrediction[1].
  r = cli({"evaluate", "--model", path("m"), "--input", test, "--metric", "areaUnderROC"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("areaUnderROC scores a binary classifier, but the model predicts 3 classes"));
  r = cli({"evaluate", "--model", path("m"), "--input", test, "--metric", "bogus"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown metric 'bogus'"));
  EXPECT_THAT(r.err, HasSubstr("RegressionEvaluator: one of {mse, rmse, r2, mae, var}"));
  r = cli({"evaluate", "--model", path("m"), "--input", test, "--metric", "rmse",
           "--metric-label", "1"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--metric-label applies to the per-label multiclass metrics"));

  // predict: 3-wide probability and rawPrediction.
  r = cli({"predict", "--model", path("m"), "--input", test, "--output", path("p.jsonl"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(slurp(path("p.jsonl")));
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    const json row = json::parse(line);
    ASSERT_EQ(row["probability"].size(), 3u) << line;
    ASSERT_EQ(row["rawPrediction"].size(), 3u) << line;
    double sum = 0;
    for (const auto& p : row["probability"]) sum += p.get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-12);
    const double label = row["prediction"].get<double>();
    EXPECT_TRUE(label == 0.0 || label == 1.0 || label == 2.0) << line;
    ++n;
  }
  EXPECT_EQ(n, 90);
  r = cli({"predict", "--model", path("m"), "--input", test, "--output", path("p.csv"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(path("p.csv")).rfind("label,f0,f1,prediction,probability,rawPrediction\n", 0), 0u);

  // The report: a 3 x 3 confusion matrix whose diagonal adds up to the accuracy, per-class
  // rates, no ROC/PR charts.
  const std::string html = slurp(path("r.html"));
  EXPECT_EQ(count(html, "<table class=\"confusion\">"), 1u);
  EXPECT_EQ(count(html, "class=\"cm-cell"), 9u);
  EXPECT_EQ(count(html, "class=\"cm-cell cm-diag\""), 3u);
  EXPECT_THAT(html, HasSubstr("<table class=\"per-class\">"));
  EXPECT_THAT(html, HasSubstr(fmt::format("accuracy {:.6f}", accuracy)));
  EXPECT_THAT(html, Not(HasSubstr("roc-chart")));
  EXPECT_THAT(html, Not(HasSubstr("pred-actual-chart")));
  const std::regex diag(R"re(class="cm-cell cm-diag"[^>]*>([0-9]+)<)re");
  int correct = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), diag); it != std::sregex_iterator();
       ++it)
    correct += std::stoi((*it)[1]);
  EXPECT_EQ(correct, static_cast<int>(std::lround(accuracy * 90)));
}

TEST_F(MulticlassRegressionCliTest, RegressionFitEvaluatePredictAndReport) {
  const auto spec = write("spec.json", kRegressionSpec);
  const auto train = write("train.csv", regressionCsv(200, 3));
  const auto test = write("test.csv", regressionCsv(60, 11));
  auto r = cli({"fit", "--spec", spec, "--train", train, "--test", test, "--out", path("m"),
                "--report", path("r.html"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Frame pred = predictions(path("m"), test);
  RegressionEvaluator ev;
  const double rmse = ev.evaluate(pred);
  ev.setMetricName("r2");
  const double r2 = ev.evaluate(pred);
  ev.setMetricName("mae");
  const double mae = ev.evaluate(pred);
  EXPECT_GT(rmse, 0.05);
  EXPECT_LT(rmse, 0.6);
  EXPECT_THAT(r.out, HasSubstr(fmt::format("Test rmse: {:.6f} (60 rows)", rmse)));
  EXPECT_THAT(r.out, HasSubstr("linreg.regParam"));

  r = cli({"evaluate", "--model", path("m"), "--input", test, "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, fmt::format("rmse: {:.6f} (60 rows)\n", rmse));
  r = cli({"evaluate", "--model", path("m"), "--input", test, "--metric", "r2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["value"].get<double>(), r2);
  EXPECT_EQ(j["isLargerBetter"], true);
  EXPECT_EQ(j["evaluator"], "RegressionEvaluator");
  // A classification metric on a regression model: refused with what to use instead.
  r = cli({"evaluate", "--model", path("m"), "--input", test, "--metric", "areaUnderROC"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("use a regression metric such as rmse"));

  // predict: the input columns plus a real-valued prediction, nothing else.
  r = cli({"predict", "--model", path("m"), "--input", test, "--output", path("p.csv"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = slurp(path("p.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "label,f0,f1,prediction");
  const Frame written = readFrame(path("p.csv"));
  ASSERT_EQ(written.numRows(), 60);
  const auto p = written.numeric("prediction"), want = pred.numeric("prediction");
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(p[i], want[i], 1e-12 * (1 + std::abs(want[i])));

  // The report: rmse, mae and r2 as computed here, both plots with one point per test row.
  const std::string html = slurp(path("r.html"));
  EXPECT_THAT(html, HasSubstr(fmt::format("<tr><th>rmse</th><td class=\"num\">{:.6f}</td></tr>", rmse)));
  EXPECT_THAT(html, HasSubstr(fmt::format("<tr><th>mae</th><td class=\"num\">{:.6f}</td></tr>", mae)));
  EXPECT_THAT(html, HasSubstr(fmt::format("<tr><th>r2</th><td class=\"num\">{:.6f}</td></tr>", r2)));
  for (const char* chart : {"pred-actual-chart", "residual-chart"}) {
    const std::size_t at = html.find(fmt::format("<svg class=\"{}\"", chart));
    ASSERT_NE(at, std::string::npos) << chart;
    const std::string svg = html.substr(at, html.find("</svg>", at) - at);
    EXPECT_EQ(count(svg, "<circle"), 60u) << chart;
    EXPECT_EQ(count(svg, "class=\"reference\""), 1u) << chart;
  }
  EXPECT_THAT(html, Not(HasSubstr("roc-chart")));
  EXPECT_THAT(html, Not(HasSubstr("class=\"confusion\"")));
  EXPECT_THAT(html, HasSubstr("rmse (smaller is better)"));
}

// Without an evaluator in the spec, fit --test and evaluate use the one for what the model
// predicts: f1 for 3 classes, rmse for a regression (Spark's defaults), not areaUnderROC.
TEST_F(MulticlassRegressionCliTest, DefaultMetricFollowsWhatTheModelPredicts) {
  const auto mcSpec = write("mc.json", R"({"stages": [
    {"name": "assembler", "class": "VectorAssembler", "params": {"inputCols": ["f0", "f1"], "outputCol": "features"}},
    {"name": "lr", "class": "LogisticRegression", "params": {"maxIter": 50}}],
   "tuning": {"method": "none"}})");
  const auto mcTest = write("mc_test.csv", threeClassCsv(60, 5));
  auto r = cli({"fit", "--spec", mcSpec, "--train", write("mc.csv", threeClassCsv(150, 2)),
                "--test", mcTest, "--out", path("mc"), "--report", path("mc.html"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  MulticlassClassificationEvaluator f1;
  const double f1Value = f1.evaluate(predictions(path("mc"), mcTest));
  EXPECT_THAT(r.out, HasSubstr(fmt::format("Test f1: {:.6f} (60 rows)", f1Value)));
  r = cli({"evaluate", "--model", path("mc"), "--input", mcTest, "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, fmt::format("f1: {:.6f} (60 rows)\n", f1Value));
  EXPECT_EQ(count(slurp(path("mc.html")), "class=\"cm-cell"), 9u);

  const auto rgSpec = write("rg.json", R"({"stages": [
    {"name": "assembler", "class": "VectorAssembler", "params": {"inputCols": ["f0", "f1"], "outputCol": "features"}},
    {"name": "linreg", "class": "LinearRegression", "params": {}}],
   "tuning": {"method": "none"}})");
  const auto rgTest = write("rg_test.csv", regressionCsv(40, 9));
  // A constant label is no "single class" for a regression: no classifier warning.
  r = cli({"fit", "--spec", rgSpec, "--train", write("rg.csv", regressionCsv(100, 4)), "--test",
           rgTest, "--out", path("rg"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  RegressionEvaluator rmse;
  EXPECT_THAT(r.out, HasSubstr(fmt::format("Test rmse: {:.6f} (40 rows)",
                                           rmse.evaluate(predictions(path("rg"), rgTest)))));
  std::string constant = "label,f0,f1\n";
  for (int i = 0; i < 20; ++i) constant += fmt::format("1.0,{},{}\n", i, i % 3);
  r = cli({"fit", "--spec", rgSpec, "--train", write("const.csv", constant), "--out",
           path("rg2"), "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["warnings"].size(), 0u) << r.out;
  EXPECT_THAT(r.err, Not(HasSubstr("infinite intercept")));
}

TEST_F(MulticlassRegressionCliTest, BadLabelsNameFileAndLine) {
  const auto spec = write("spec.json", kMulticlassSpec);
  const auto train = write("train.csv", threeClassCsv(60, 1));
  // A label 1.5 on line 6 (header line 1) of the training data: the fit names it.
  std::string bad = threeClassCsv(60, 1);
  std::size_t at = 0;
  for (int l = 0; l < 5; ++l) at = bad.find('\n', at) + 1;
  bad.replace(at, 3, "1.5");
  const auto badFile = write("bad.csv", bad);
  auto r = cli({"fit", "--spec", spec, "--train", badFile, "--out", path("x"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(badFile + ":6: "));
  EXPECT_THAT(r.err, HasSubstr("label column 'label' has invalid value 1.5"));
  EXPECT_FALSE(fs::exists(path("x")));
  // The same file as --test data, and for evaluate: the metric is not computed over it.
  r = cli({"fit", "--spec", spec, "--train", train, "--test", badFile, "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(badFile + ":6: label column 'label' has invalid value 1.5: "
                               "accuracy scores classes, whose labels must be the integers"));
  ASSERT_EQ(cli({"fit", "--spec", spec, "--train", train, "--out", path("m2"), "-q"}).code, 0);
  r = cli({"evaluate", "--model", path("m2"), "--input", badFile});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(badFile + ":6: label column 'label' has invalid value 1.5"));
  const auto negative = write("neg.csv", "label,f0,f1\n0.0,1,2\n-1.0,0.5,0.5\n");
  r = cli({"evaluate", "--model", path("m2"), "--input", negative});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(negative + ":3: label column 'label' has invalid value -1"));

  // A binary metric over 3 classes: refused before any fit, naming the first third-class row.
  const auto binSpec = write("bin.json", R"({"stages": [
    {"name": "assembler", "class": "VectorAssembler", "params": {"inputCols": ["f0", "f1"], "outputCol": "features"}},
    {"name": "lr", "class": "LogisticRegression", "params": {"maxIter": 50}}],
   "grid": {"lr.regParam": [0.0, 0.1]}, "tuning": {"method": "crossValidator", "numFolds": 2},
   "evaluator": {"class": "BinaryClassificationEvaluator"}})");
  r = cli({"fit", "--spec", binSpec, "--train", train, "--out", path("b"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(train + ":4: label column 'label' has value 2 (a class beyond 0 "
                               "and 1), but the evaluator's areaUnderROC scores two classes"));
}

TEST_F(MulticlassRegressionCliTest, StringLabelForRegressionIsAClearError) {
  const auto spec = write("spec.json", kRegressionSpec);
  const auto strings = write("s.csv", "label,f0,f1\nhigh,1,2\nlow,2,3\nhigh,3,1\nlow,0,0\n");
  auto r = cli({"fit", "--spec", spec, "--train", strings, "--out", path("m"), "-q"});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(strings + ":2: column 'label' holds string values such as 'high'"));
  EXPECT_THAT(r.err, HasSubstr("must be numeric"));
  // evaluate: the model predicts, the evaluator cannot read the label; worded as the file's.
  ASSERT_EQ(cli({"fit", "--spec", spec, "--train", write("t.csv", regressionCsv(60, 1)), "--out",
                 path("m"), "-q"})
                .code,
            0);
  r = cli({"evaluate", "--model", path("m"), "--input", strings});
  EXPECT_EQ(r.code, kExitBadData);
  EXPECT_THAT(r.err, HasSubstr(strings + ":2: column 'label' holds string values such as 'high'; "
                               "RegressionEvaluator"));
}

}  // namespace
}  // namespace td::cli
