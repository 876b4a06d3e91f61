// tests/report/html_report_test.cc
#include "thunderdome/report/html_report.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"

namespace td {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "td_report_test.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    if (std::getenv("TD_KEEP_REPORT_RENDER") == nullptr) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A typical report: `n` param maps over `folds` folds, the `best`-th best, optional curves.
ReportData sampleReport(std::size_t n, std::size_t folds, bool curves) {
  ReportData d;
  d.title = "CrossValidator: LogisticRegression";
  d.metricName = "areaUnderROC";
  d.largerBetter = true;
  std::size_t best = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ReportRow r;
    r.params = "regParam=" + std::to_string(0.01 * static_cast<double>(i + 1)) +
               ", elasticNetParam=" + std::to_string(i % 3 * 0.5);
    double sum = 0;
    for (std::size_t f = 0; f < folds; ++f) {
      const double m = 0.8 + 0.15 * std::sin(static_cast<double>(i) * 0.7) +
                       0.02 * std::cos(static_cast<double>(f * 3 + i));
      r.foldMetrics.push_back(m);
      sum += m;
    }
    r.mean = folds ? sum / static_cast<double>(folds) : kNaN;
    double ss = 0;
    for (double m : r.foldMetrics) ss += (m - r.mean) * (m - r.mean);
    r.std = folds ? std::sqrt(ss / static_cast<double>(folds)) : kNaN;
    d.rows.push_back(r);
    if (r.mean > d.rows[best].mean) best = i;
  }
  if (n > 0) d.rows[best].best = true;
  if (curves) {
    std::vector<double> scores, labels;
    for (int i = 0; i < 400; ++i) {
      const bool pos = i % 3 == 0;
      labels.push_back(pos ? 1.0 : 0.0);
      scores.push_back((pos ? 0.65 : 0.35) + 0.3 * std::sin(i * 12.9898));
    }
    d.curves = binaryCurves(scores, labels);
  }
  d.facts = {{"folds", std::to_string(folds)}, {"rows", "4836"}, {"elapsed", "1.2 s"}};
  return d;
}

// Every <svg>...</svg> block of `html`.
std::vector<std::string> svgBlocks(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t pos = html.find("<svg"); pos != std::string::npos;
       pos = html.find("<svg", pos + 1)) {
    const std::size_t end = html.find("</svg>", pos);
    out.push_back(html.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
  }
  return out;
}

// Asserts that every attribute value inside the SVG charts is free of nan/inf, and that every
// numeric attribute parses as a finite number.
void expectFiniteSvg(const std::string& html) {
  const std::regex attr(R"re(\s([a-zA-Z-]+)="([^"]*)")re");
  const std::regex number(R"re([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)re");
  const std::vector<std::string> numeric = {"x",  "y",  "x1",     "y1",      "x2",     "y2",
                                            "cx", "cy", "r",      "width",   "height", "points",
                                            "d",  "viewBox",    "transform"};
  for (const std::string& svg : svgBlocks(html)) {
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), attr); it != std::sregex_iterator();
         ++it) {
      const std::string name = (*it)[1];
      std::string value = (*it)[2];
      std::string lower = value;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      EXPECT_THAT(lower, Not(HasSubstr("nan"))) << name << "=\"" << value << "\"";
      EXPECT_THAT(lower, Not(HasSubstr("inf"))) << name << "=\"" << value << "\"";
      if (std::find(numeric.begin(), numeric.end(), name) == numeric.end()) continue;
      for (auto n = std::sregex_iterator(value.begin(), value.end(), number);
           n != std::sregex_iterator(); ++n) {
        const double v = std::strtod(n->str().c_str(), nullptr);
        EXPECT_TRUE(std::isfinite(v)) << name << "=\"" << value << "\"";
        EXPECT_LT(std::abs(v), 1e6) << name << "=\"" << value << "\"";
      }
      if (name == "x" || name == "y" || name == "cx" || name == "cy" || name == "width" ||
          name == "height") {
        EXPECT_FALSE(value.empty()) << name;
      }
    }
  }
}

TEST(HtmlReportTest, EscapesAllUserText) {
  ReportData d = sampleReport(3, 2, false);
  d.title = "Report <b>bold</b> & \"quoted\"";
  d.metricName = "auc<x>";
  d.rows[1].params = "tokenizer.pattern=\"<\\w+>\" & 'x'";
  d.facts.push_back({"<key>", "a&b"});
  const std::string html = renderHtmlReport(d);
  EXPECT_THAT(html, HasSubstr("<title>Report &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;</title>"));
  EXPECT_THAT(html, HasSubstr("tokenizer.pattern=&quot;&lt;\\w+&gt;&quot; &amp; &#39;x&#39;"));
  EXPECT_THAT(html, HasSubstr("auc&lt;x&gt;"));
  EXPECT_THAT(html, HasSubstr("<th>&lt;key&gt;</th><td>a&amp;b</td>"));
  EXPECT_THAT(html, Not(HasSubstr("<b>bold")));
  EXPECT_THAT(html, Not(HasSubstr("<\\w+>")));
  EXPECT_THAT(html, Not(HasSubstr("auc<x>")));
  EXPECT_THAT(html, Not(HasSubstr("'x'")));
  EXPECT_THAT(html, Not(HasSubstr("<key>")));
}

TEST(HtmlReportTest, IsSelfContained) {
  const std::string html = renderHtmlReport(sampleReport(5, 3, true));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<iframe")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("</html>"));
}

TEST(HtmlReportTest, HasOneSvgPerChartAndMarksTheBestRow) {
  ReportData d = sampleReport(6, 3, false);
  for (auto& r : d.rows) r.best = false;
  d.rows[4].best = true;
  d.rows[4].params = "regParam=0.5 (the winner)";
  std::string html = renderHtmlReport(d);
  EXPECT_EQ(count(html, "<svg"), 1u) << "metric chart only without curves";
  EXPECT_EQ(count(html, "</svg>"), 1u);
  EXPECT_EQ(count(html, "class=\"metric-chart\""), 1u);
  EXPECT_EQ(count(html, "<tr class=\"best\">"), 1u);
  const std::size_t bestRow = html.find("<tr class=\"best\">");
  EXPECT_EQ(html.find("regParam=0.5 (the winner)", bestRow),
            html.find("regParam=0.5 (the winner)", html.find("<table class=\"grid\">")));
  EXPECT_THAT(html, HasSubstr("<th class=\"num\">fold 3</th>"));
  EXPECT_THAT(html, Not(HasSubstr("fold 4")));
  // The facts.
  EXPECT_THAT(html, HasSubstr("<th>rows</th><td>4836</td>"));
  EXPECT_THAT(html, HasSubstr("<th>elapsed</th><td>1.2 s</td>"));
  // mean ± std in the table and the best map in orange in the chart.
  EXPECT_THAT(html, HasSubstr(" ± "));
  EXPECT_THAT(html, HasSubstr("#ff7f0e"));

  d.curves = sampleReport(1, 1, true).curves;
  html = renderHtmlReport(d);
  EXPECT_EQ(count(html, "<svg"), 3u) << "metric chart, ROC, PR";
  EXPECT_EQ(count(html, "class=\"roc-chart\""), 1u);
  EXPECT_EQ(count(html, "class=\"pr-chart\""), 1u);
  const double auc = areaUnderCurve(d.curves->roc);
  const double aupr = areaUnderCurve(d.curves->pr);
  EXPECT_THAT(html, HasSubstr(fmt::format("ROC (AUC = {:.4f})", auc)));
  EXPECT_THAT(html, HasSubstr(fmt::format("PR (AUC = {:.4f})", aupr)));
  EXPECT_THAT(html, HasSubstr("random (AUC = 0.5)"));
  expectFiniteSvg(html);
}

TEST(HtmlReportTest, LargerBetterIsStated) {
  ReportData d = sampleReport(2, 2, false);
  d.largerBetter = false;
  d.metricName = "rmse";
  EXPECT_THAT(renderHtmlReport(d), HasSubstr("rmse (smaller is better)"));
}

TEST(HtmlReportTest, OneRow) {
  const std::string html = renderHtmlReport(sampleReport(1, 3, false));
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(count(html, "<tr class=\"best\">"), 1u);
  expectFiniteSvg(html);
}

TEST(HtmlReportTest, AllEqualMetrics) {
  for (double v : {0.0, 0.75, 1.0, -3.0, 1e9}) {
    ReportData d = sampleReport(4, 3, false);
    for (auto& r : d.rows) {
      r.mean = v;
      r.std = 0;
      r.foldMetrics.assign(3, v);
    }
    const std::string html = renderHtmlReport(d);
    SCOPED_TRACE(v);
    expectFiniteSvg(html);
    EXPECT_GE(count(svgBlocks(html).at(0), "<circle"), 4u);
  }
}

TEST(HtmlReportTest, NanAndInfiniteMetrics) {
  ReportData d = sampleReport(5, 3, false);
  d.rows[0].mean = kNaN;
  d.rows[0].std = kNaN;
  d.rows[0].foldMetrics = {kNaN, kNaN, kNaN};
  d.rows[1].std = kNaN;
  d.rows[2].foldMetrics[1] = kInf;
  d.rows[3].mean = -kInf;
  d.rows[4].foldMetrics = {};
  const std::string html = renderHtmlReport(d);
  expectFiniteSvg(html);
  EXPECT_THAT(html, HasSubstr("NaN ± NaN"));
  EXPECT_EQ(count(html, "<svg"), 1u);

  // Every metric NaN: the axis falls back to [0, 1].
  for (auto& r : d.rows) {
    r.mean = r.std = kNaN;
    r.foldMetrics.assign(3, kNaN);
  }
  expectFiniteSvg(renderHtmlReport(d));
  // Extreme magnitudes do not overflow the axis arithmetic.
  d.rows[0].mean = 1e308;
  d.rows[1].mean = -1e308;
  d.rows[2].mean = 1e-300;
  d.rows[2].std = 1e308;
  expectFiniteSvg(renderHtmlReport(d));
}

TEST(HtmlReportTest, NoRowsAndOddCurves) {
  ReportData d;
  d.curves = BinaryCurves{};  // empty curves
  std::string html = renderHtmlReport(d);
  EXPECT_EQ(count(html, "<svg"), 3u);
  EXPECT_THAT(html, HasSubstr("No param maps were evaluated."));
  expectFiniteSvg(html);

  d = sampleReport(3, 3, false);
  BinaryCurves c;
  c.roc = {{0, 0}, {kNaN, 0.5}, {0.5, kInf}, {1, 1}};
  c.pr = {{0, kNaN}, {0.5, 0.5}, {1, 0.3}};
  d.curves = c;
  html = renderHtmlReport(d);
  expectFiniteSvg(html);
  EXPECT_THAT(html, HasSubstr("all positive (precision = 0.3000)"));
}

TEST(HtmlReportTest, HundredsOfRowsStayReadable) {
  const ReportData d = sampleReport(400, 5, true);
  const std::string html = renderHtmlReport(d);
  expectFiniteSvg(html);
  const std::string chart = svgBlocks(html).at(0);
  // X labels are thinned indices, not 400 overlapping params strings.
  const std::size_t texts = count(chart, "<text");
  EXPECT_LT(texts, 80u) << texts;
  EXPECT_EQ(chart.find("rotate(-35"), std::string::npos) << "no params labels";
  EXPECT_NE(chart.find(">100</text>"), std::string::npos) << "index labels";
  // Chart width stays bounded (a few thousand pixels at most; the page scrolls it).
  const std::smatch m = [&] {
    std::smatch mm;
    std::regex_search(chart, mm, std::regex(R"re(width="([0-9.]+)")re"));
    return mm;
  }();
  ASSERT_FALSE(m.empty());
  EXPECT_LE(std::stod(m[1]), 4000.0);
  EXPECT_EQ(count(html, "<tr class=\"best\">"), 1u);
  // A long exact curve is thinned to pixel resolution.
  ReportData big = sampleReport(2, 2, false);
  std::vector<double> scores, labels;
  for (int i = 0; i < 200000; ++i) {
    labels.push_back(i % 2);
    scores.push_back(std::fmod(i * 0.6180339887, 1.0) + (i % 2) * 0.3);
  }
  big.curves = binaryCurves(scores, labels);
  const std::string bigHtml = renderHtmlReport(big);
  EXPECT_LT(bigHtml.size(), 200000u) << "curve points are thinned";
  expectFiniteSvg(bigHtml);
}

TEST(HtmlReportTest, WriteIsAtomicAndMatchesRender) {
  TempDir dir;
  const ReportData d = sampleReport(4, 3, true);
  const fs::path path = dir.path() / "report.html";
  writeHtmlReport(d, path.string());
  EXPECT_EQ(slurp(path), renderHtmlReport(d));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u) << "no temporary left behind";
  EXPECT_THROW(writeHtmlReport(d, (dir.path() / "missing" / "report.html").string()), IoError);
}


// ---- Multiclass: the confusion matrix ----

// 3 classes; class 2 is never predicted, class 3 is predicted but never the actual class.
ConfusionMatrix sampleConfusion() {
  ConfusionMatrix m;
  m.classes = {0, 1, 2, 3};
  m.counts = {{30, 0, 0, 0},  // class 0: all right (its cells: 100% and 0% of the row)
              {2, 26, 0, 2},
              {5, 5, 0, 0},
              {0, 0, 0, 0}};
  return m;
}

TEST(HtmlReportTest, ConfusionMatrixTableAndPerClassRates) {
  ReportData d = sampleReport(2, 3, false);
  d.metricName = "accuracy";
  d.confusion = sampleConfusion();
  const std::string html = renderHtmlReport(d);
  EXPECT_EQ(count(html, "<table class=\"confusion\">"), 1u);
  EXPECT_EQ(count(html, "class=\"cm-cell"), 16u);
  EXPECT_EQ(count(html, "class=\"cm-cell cm-diag\""), 4u);
  EXPECT_EQ(count(html, "<th class=\"cm-pred\">"), 4u);
  EXPECT_EQ(count(html, "<th class=\"cm-actual\">"), 4u);
  EXPECT_THAT(html, HasSubstr("rows: actual class, columns: predicted class"));
  // accuracy = (30 + 26) / 70
  EXPECT_THAT(html, HasSubstr("accuracy 0.800000"));
  // The all-right cell is the full colour, an empty one white; counts printed as integers.
  EXPECT_THAT(html, HasSubstr("<td class=\"cm-cell cm-diag\" style=\"background:#3b6fb6;color:#ffffff\" "
                              "title=\"actual 0, predicted 0: 100.0% of the row\">30</td>"));
  EXPECT_THAT(html, HasSubstr("style=\"background:#ffffff;color:#222222\" title=\"actual 0, "
                              "predicted 1: 0.0% of the row\">0</td>"));
  // Per class: precision = tp / predicted, recall = tp / actual; a class never predicted has
  // precision 0 (Spark), one never actual has no recall.
  EXPECT_THAT(html, HasSubstr("<tr><td>0</td><td class=\"num\">30</td><td class=\"num\">37</td>"
                              "<td class=\"num\">0.810811</td><td class=\"num\">1.000000</td>"
                              "<td class=\"num\">0.895522</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>1</td><td class=\"num\">30</td><td class=\"num\">31</td>"
                              "<td class=\"num\">0.838710</td><td class=\"num\">0.866667</td>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>2</td><td class=\"num\">10</td><td class=\"num\">0</td>"
                              "<td class=\"num\">0.000000</td><td class=\"num\">0.000000</td>"
                              "<td class=\"num\">0.000000</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>3</td><td class=\"num\">0</td><td class=\"num\">2</td>"
                              "<td class=\"num\">0.000000</td><td class=\"num\">n/a</td>"
                              "<td class=\"num\">n/a</td></tr>"));
  EXPECT_THAT(html, Not(HasSubstr("roc-chart")));
  EXPECT_THAT(html, Not(HasSubstr("pred-actual-chart")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
}

TEST(HtmlReportTest, ConfusionMatrixWeightsAndOddLabels) {
  ReportData d = sampleReport(1, 2, false);
  d.confusion = ConfusionMatrix{{0.5, 7}, {{1.25, 0}, {0, 0}}};
  const std::string html = renderHtmlReport(d);
  EXPECT_THAT(html, HasSubstr("<th class=\"cm-pred\">0.5</th><th class=\"cm-pred\">7</th>"));
  EXPECT_THAT(html, HasSubstr(">1.25</td>"));
  EXPECT_THAT(html, HasSubstr("accuracy 1.000000"));
  // An empty matrix renders (no rows at all): no accuracy, no NaN anywhere.
  d.confusion = ConfusionMatrix{};
  const std::string empty = renderHtmlReport(d);
  EXPECT_THAT(empty, HasSubstr("accuracy n/a"));
  EXPECT_THAT(empty, Not(HasSubstr("NaN")));
  EXPECT_THAT(empty, Not(HasSubstr(">nan")));
  expectFiniteSvg(empty);
}

// ---- Regression: predicted vs actual, residuals ----

std::string svgOf(const std::string& html, const std::string& cls) {
  const std::size_t at = html.find("<svg class=\"" + cls + "\"");
  if (at == std::string::npos) return {};
  return html.substr(at, html.find("</svg>", at) - at);
}

// The numeric value of attribute `name` in `tag`.
double attr(const std::string& tag, const std::string& name) {
  const std::size_t at = tag.find(" " + name + "=\"");
  if (at == std::string::npos) return kNaN;
  return std::strtod(tag.c_str() + at + name.size() + 3, nullptr);
}

TEST(HtmlReportTest, RegressionPlotsWithReferenceLines) {
  ReportData d = sampleReport(2, 3, false);
  d.metricName = "rmse";
  d.largerBetter = false;
  RegressionPlot r;
  for (int i = 0; i < 50; ++i) {
    r.actual.push_back(i * 0.2 - 3);
    r.predicted.push_back(i * 0.2 - 3 + 0.3 * std::sin(i));
  }
  r.actual.push_back(kNaN);  // skipped, never drawn as NaN
  r.predicted.push_back(1.0);
  r.totalRows = 51;
  r.metrics = {{"rmse", 0.2121}, {"mae", 0.19}, {"r2", 0.97}};
  d.regression = r;
  const std::string html = renderHtmlReport(d);
  expectFiniteSvg(html);
  EXPECT_THAT(html, HasSubstr("<tr><th>rmse</th><td class=\"num\">0.212100</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>r2</th><td class=\"num\">0.970000</td></tr>"));
  EXPECT_THAT(html, HasSubstr("51 rows</p>"));
  const std::string scatter = svgOf(html, "pred-actual-chart");
  const std::string residual = svgOf(html, "residual-chart");
  ASSERT_FALSE(scatter.empty());
  ASSERT_FALSE(residual.empty());
  EXPECT_EQ(count(scatter, "<circle"), 50u);
  EXPECT_EQ(count(residual, "<circle"), 50u);
  EXPECT_THAT(scatter, HasSubstr("fill=\"#9467bd\""));
  EXPECT_THAT(residual, HasSubstr("fill=\"#8c564b\""));
  // y = x: from the bottom-left corner of the plot to the top-right one (same axis both ways).
  const std::size_t diag = scatter.find("<line class=\"reference\"");
  ASSERT_NE(diag, std::string::npos);
  const std::string line = scatter.substr(diag, scatter.find("/>", diag) - diag);
  EXPECT_GT(attr(line, "x2") - attr(line, "x1"), 300.0);
  EXPECT_NEAR(attr(line, "x2") - attr(line, "x1"), attr(line, "y1") - attr(line, "y2"), 0.2);
  // y = 0 on the residual plot: horizontal.
  const std::size_t zero = residual.find("<line class=\"reference\"");
  ASSERT_NE(zero, std::string::npos);
  const std::string hline = residual.substr(zero, residual.find("/>", zero) - zero);
  EXPECT_EQ(attr(hline, "y1"), attr(hline, "y2"));
  EXPECT_GT(attr(hline, "x2") - attr(hline, "x1"), 300.0);
  // A perfect point lies on the diagonal: the first one (predicted = actual at i = 0).
  const std::size_t c0 = scatter.find("<circle");
  const std::string first = scatter.substr(c0, scatter.find("/>", c0) - c0);
  const double t = (attr(first, "cx") - attr(line, "x1")) / (attr(line, "x2") - attr(line, "x1"));
  EXPECT_NEAR(attr(first, "cy"), attr(line, "y1") + t * (attr(line, "y2") - attr(line, "y1")), 0.2);
  EXPECT_THAT(html, Not(HasSubstr("class=\"confusion\"")));
}

TEST(HtmlReportTest, SubsampleIndicesAreEvenAndDeterministic) {
  EXPECT_EQ(subsampleIndices(5, 2000), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(subsampleIndices(0).empty());
  const auto rows = subsampleIndices(5001);
  ASSERT_EQ(rows.size(), kMaxRegressionPoints);
  EXPECT_EQ(rows, subsampleIndices(5001));
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i], i * 5001 / 2000) << i;
  EXPECT_EQ(rows.front(), 0u);
  EXPECT_EQ(rows.back(), 1999u * 5001u / 2000u);
  // Huge n: no overflow, still increasing and in range.
  const std::size_t big = std::numeric_limits<std::size_t>::max() / 3;
  const auto far = subsampleIndices(big, 1000);
  ASSERT_EQ(far.size(), 1000u);
  for (std::size_t i = 1; i < far.size(); ++i) EXPECT_LT(far[i - 1], far[i]);
  EXPECT_LT(far.back(), big);
}

TEST(HtmlReportTest, BigRegressionPlotsAreSubsampled) {
  ReportData d = sampleReport(1, 2, false);
  RegressionPlot r;
  const std::size_t n = 100000;
  std::vector<double> y(n), p(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = std::sin(static_cast<double>(i));
    p[i] = y[i] * 0.9;
  }
  for (std::size_t i : subsampleIndices(n)) {
    r.actual.push_back(y[i]);
    r.predicted.push_back(p[i]);
  }
  r.totalRows = static_cast<std::int64_t>(n);
  d.regression = r;
  const std::string html = renderHtmlReport(d);
  EXPECT_EQ(count(svgOf(html, "pred-actual-chart"), "<circle"), 2000u);
  EXPECT_EQ(count(svgOf(html, "residual-chart"), "<circle"), 2000u);
  EXPECT_THAT(html, HasSubstr("100000 rows (2000 plotted, evenly spread)"));
  EXPECT_LT(html.size(), 400000u);
}

// ---- A real render in headless Chromium ----

std::string findChromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return {};
}

struct Rgb {
  int r, g, b;
};

bool near(const unsigned char* px, Rgb c, int tol) {
  return std::abs(px[0] - c.r) <= tol && std::abs(px[1] - c.g) <= tol &&
         std::abs(px[2] - c.b) <= tol;
}

TEST(HtmlReportTest, RendersInHeadlessChromium) {
  const std::string chromium = findChromium();
  ASSERT_FALSE(chromium.empty())
      << "Chromium not found (/usr/bin/chromium): run scripts/install-deps.sh to install it; "
         "this test renders the HTML report and checks the screenshot.";

  TempDir dir;
  const fs::path report = dir.path() / "report.html";
  const fs::path png = dir.path() / "shot.png";
  const fs::path profile = dir.path() / "profile";
  const fs::path log = dir.path() / "chromium.log";
  writeHtmlReport(sampleReport(6, 3, true), report.string());

  const std::string cmd = "timeout 60 '" + chromium +
                          "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                          " --disable-background-networking --disable-component-update"
                          " --disable-sync --hide-scrollbars --user-data-dir='" +
                          profile.string() + "' --window-size=1200,1600 --screenshot='" +
                          png.string() + "' 'file://" + report.string() + "' >'" + log.string() +
                          "' 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::string logText = slurp(log);
  ASSERT_EQ(rc, 0) << "chromium failed (status " << rc << "):\n"
                   << logText.substr(logText.size() > 3000 ? logText.size() - 3000 : 0);
  ASSERT_TRUE(fs::exists(png)) << "no screenshot written:\n" << logText;

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, png.c_str())) << image.message;
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) << image.message;
  EXPECT_EQ(image.width, 1200u);
  EXPECT_EQ(image.height, 1600u);

  const Rgb blue{0x1f, 0x77, 0xb4}, orange{0xff, 0x7f, 0x0e}, red{0xd6, 0x27, 0x28},
      green{0x2c, 0xa0, 0x2c};
  std::size_t nonWhite = 0, nBlue = 0, nOrange = 0, nRed = 0, nGreen = 0;
  const std::size_t total = static_cast<std::size_t>(image.width) * image.height;
  for (std::size_t i = 0; i < total; ++i) {
    const unsigned char* px = &pixels[i * 3];
    if (px[0] < 235 || px[1] < 235 || px[2] < 235) ++nonWhite;
    nBlue += near(px, blue, 6);
    nOrange += near(px, orange, 6);
    nRed += near(px, red, 6);
    nGreen += near(px, green, 6);
  }
  const double share = static_cast<double>(nonWhite) / static_cast<double>(total);
  RecordProperty("non_white_share", std::to_string(share));
  EXPECT_GT(share, 0.03) << "the page looks blank";
  EXPECT_LT(share, 0.60) << "the page looks like a solid fill, not a report";
  EXPECT_GT(nBlue, 100u) << "mean markers (blue) missing";
  EXPECT_GT(nOrange, 50u) << "best marker (orange) missing";
  EXPECT_GT(nRed, 300u) << "ROC curve (red) missing";
  EXPECT_GT(nGreen, 300u) << "PR curve (green) missing";
  std::printf("render: non-white %.3f, blue %zu, orange %zu, red %zu, green %zu (%s)\n", share,
              nBlue, nOrange, nRed, nGreen, png.c_str());
}


// Runs headless Chromium on `report`: its DOM as parsed (--dump-dom) and a screenshot.
struct Render {
  std::string dom;
  std::vector<unsigned char> rgb;
  unsigned width = 0, height = 0;
};

Render renderInChromium(const std::string& chromium, const TempDir& dir, const fs::path& report,
                        int width, int height) {
  Render out;
  const fs::path png = dir.path() / "shot.png";
  const fs::path dom = dir.path() / "dom.html";
  const fs::path log = dir.path() / "chromium.log";
  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                            " --disable-background-networking --disable-component-update"
                            " --disable-sync --hide-scrollbars --user-data-dir='" +
                            (dir.path() / "profile").string() + "'";
  std::string cmd = "timeout 60 '" + chromium + "'" + flags + " --dump-dom 'file://" +
                    report.string() + "' >'" + dom.string() + "' 2>'" + log.string() + "'";
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << "chromium --dump-dom failed:\n" << slurp(log);
  out.dom = slurp(dom);
  cmd = "timeout 60 '" + chromium + "'" + flags + " --window-size=" + std::to_string(width) + "," +
        std::to_string(height) + " --screenshot='" + png.string() + "' 'file://" +
        report.string() + "' >'" + log.string() + "' 2>&1";
  rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << "chromium --screenshot failed:\n" << slurp(log);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!fs::exists(png) || !png_image_begin_read_from_file(&image, png.c_str())) {
    ADD_FAILURE() << "no readable screenshot:\n" << slurp(log);
    return out;
  }
  image.format = PNG_FORMAT_RGB;
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
    ADD_FAILURE() << image.message;
    out.rgb.clear();
    return out;
  }
  out.width = image.width;
  out.height = image.height;
  return out;
}

std::size_t pixelsNear(const Render& r, Rgb c, int tol) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 2 < r.rgb.size(); i += 3) n += near(&r.rgb[i], c, tol);
  return n;
}

// The confusion matrix and the regression plots as the browser builds and paints them: the
// parsed DOM has every cell and point, and their colours are on screen.
TEST(HtmlReportTest, RendersConfusionMatrixAndRegressionPlotsInHeadlessChromium) {
  const std::string chromium = findChromium();
  ASSERT_FALSE(chromium.empty())
      << "Chromium not found (/usr/bin/chromium): run scripts/install-deps.sh to install it; "
         "this test renders the HTML report and checks the DOM and the screenshot.";
  TempDir dir;
  ReportData d = sampleReport(1, 2, false);
  d.confusion = sampleConfusion();
  RegressionPlot r;
  for (int i = 0; i < 300; ++i) {
    r.actual.push_back(std::sin(i * 0.37) * 5);
    r.predicted.push_back(std::sin(i * 0.37) * 4.5 + 0.4 * std::cos(i * 1.3));
  }
  r.totalRows = 300;
  r.metrics = {{"rmse", 0.4}, {"mae", 0.3}, {"r2", 0.9}};
  d.regression = r;
  const fs::path report = dir.path() / "report.html";
  writeHtmlReport(d, report.string());
  const Render shot = renderInChromium(chromium, dir, report, 1200, 2600);

  // The DOM Chromium parsed (not our text): 4 x 4 cells, 300 points in each plot.
  const std::string& dom = shot.dom;
  ASSERT_THAT(dom, HasSubstr("</html>"));
  EXPECT_EQ(count(dom, "class=\"cm-cell"), 16u);
  EXPECT_EQ(count(dom, "class=\"cm-cell cm-diag\""), 4u);
  EXPECT_THAT(dom, HasSubstr("<table class=\"per-class\">"));
  EXPECT_EQ(count(svgOf(dom, "pred-actual-chart"), "<circle"), 300u);
  EXPECT_EQ(count(svgOf(dom, "residual-chart"), "<circle"), 300u);
  EXPECT_EQ(count(dom, "class=\"reference\""), 2u);

  ASSERT_EQ(shot.width, 1200u);
  ASSERT_EQ(shot.height, 2600u);
  const Rgb cell{0x3b, 0x6f, 0xb6}, purple{0x94, 0x67, 0xbd}, brown{0x8c, 0x56, 0x4b};
  const std::size_t nCell = pixelsNear(shot, cell, 6), nPurple = pixelsNear(shot, purple, 6),
                    nBrown = pixelsNear(shot, brown, 6);
  std::printf("render: confusion cell %zu, purple %zu, brown %zu\n", nCell, nPurple, nBrown);
  EXPECT_GT(nCell, 400u) << "the full-share confusion cell (class 0) is not painted";
  EXPECT_GT(nPurple, 1000u) << "predicted-vs-actual points (purple) missing";
  EXPECT_GT(nBrown, 1000u) << "residual points (brown) missing";
}

}  // namespace
}  // namespace td
