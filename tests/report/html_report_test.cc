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

}  // namespace
}  // namespace td
