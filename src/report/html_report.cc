// src/report/html_report.cc
#include "thunderdome/report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#if __has_include("thunderdome/io/file.h")
#include "thunderdome/io/file.h"
#else
#include "thunderdome/io/csv.h"
#endif

namespace td {
namespace {

// The chart palette; the render test looks for these exact colours.
constexpr std::string_view kMeanColour = "#1f77b4";  // blue: mean ± std
constexpr std::string_view kBestColour = "#ff7f0e";  // orange: the best param map
constexpr std::string_view kBestBand = "#fff1e0";    // light orange band behind the best
constexpr std::string_view kFoldColour = "#8c8c8c";  // grey: single fold metrics
constexpr std::string_view kRocColour = "#d62728";   // red: ROC curve
constexpr std::string_view kPrColour = "#2ca02c";    // green: PR curve
constexpr std::string_view kScatterColour = "#9467bd";   // purple: predicted vs actual points
constexpr std::string_view kResidualColour = "#8c564b";  // brown: residual points
constexpr std::string_view kConfusionColour = "#3b6fb6";  // confusion cells, full at share 1
constexpr std::string_view kGridColour = "#e6e6e6";
constexpr std::string_view kAxisColour = "#444444";

// Escapes text for HTML/SVG element content and attribute values.
std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab/newline are not allowed in HTML text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// A coordinate or length for SVG attributes: never NaN or infinite.
std::string num(double v) {
  if (!std::isfinite(v)) v = 0.0;
  if (std::abs(v) < 0.05) v = 0.0;  // avoid "-0.0"
  return fmt::format("{:.1f}", v);
}

// A metric value for people: 6 decimals (6 significant digits if tiny or huge), NaN and
// infinities spelled out.
std::string metricText(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "∞" : "−∞";
  const double a = std::abs(v);
  if (a == 0.0 || (a >= 1e-3 && a < 1e5)) return fmt::format("{:.6f}", v);
  return fmt::format("{:.6g}", v);
}

// Cuts `s` to at most `max` characters (UTF-8 aware), adding an ellipsis when cut.
std::string truncate(const std::string& s, std::size_t max) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max) return s.substr(0, i) + "…";
      ++chars;
    }
  }
  return s;
}

// A linear axis from lo to hi with "nice" tick values.
struct Axis {
  double lo = 0.0;
  double hi = 1.0;
  std::vector<double> ticks;
  std::vector<std::string> labels;
};

// An axis covering the finite `values` with some padding; robust to no values, one value,
// equal values and extreme magnitudes.
Axis niceAxis(const std::vector<double>& values) {
  constexpr double kLimit = 1e300;
  double mn = 0.0, mx = 0.0;
  bool any = false;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    v = std::clamp(v, -kLimit, kLimit);
    mn = any ? std::min(mn, v) : v;
    mx = any ? std::max(mx, v) : v;
    any = true;
  }
  Axis a;
  if (!any) {
    a.lo = 0.0;
    a.hi = 1.0;
  } else {
    const double span = mx - mn;
    const double scale = std::max(std::abs(mn), std::abs(mx));
    if (!(span > 1e-12 * scale) || !(span > 0.0)) {
      const double pad = scale > 0.0 ? scale * 0.05 : 1.0;
      a.lo = mn - pad;
      a.hi = mx + pad;
    } else {
      a.lo = mn - span * 0.08;
      a.hi = mx + span * 0.08;
    }
    // Metrics in [0, 1] (AUC, accuracy) read best without axis values past 1.
    if (mx <= 1.0 && a.hi > 1.0 && mn >= 0.0 && mx > 0.5) a.hi = std::max(1.0, mx);
    if (mn >= 0.0 && a.lo < 0.0) a.lo = 0.0;
    if (!(a.hi > a.lo)) {  // collapsed by the clamps above
      a.lo = mn - 1.0;
      a.hi = mx + 1.0;
    }
  }
  const double raw = (a.hi - a.lo) / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1.0 : norm < 3.0 ? 2.0 : norm < 7.0 ? 5.0 : 10.0) * mag;
  const double k0 = std::ceil(a.lo / step - 1e-9);
  const double k1 = std::floor(a.hi / step + 1e-9);
  if (std::isfinite(step) && step > 0.0 && std::isfinite(k0) && std::isfinite(k1) &&
      k1 - k0 >= 0.0 && k1 - k0 <= 20.0) {
    for (double k = k0; k <= k1; k += 1.0) a.ticks.push_back(k * step);
  }
  if (a.ticks.size() < 2) a.ticks = {a.lo, a.hi};
  const double top = std::max(std::abs(a.lo), std::abs(a.hi));
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  const bool fixed = std::isfinite(step) && step >= 1e-4 && top < 1e6 && decimals <= 6;
  for (double t : a.ticks) {
    if (std::abs(t) < step * 1e-6) t = 0.0;
    a.labels.push_back(fixed ? fmt::format("{:.{}f}", t, decimals) : fmt::format("{:.4g}", t));
  }
  return a;
}

constexpr std::string_view kCss = R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #222; background: #fff; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #555; margin: 0 0 8px; }
table { border-collapse: collapse; }
th, td { padding: 4px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #eee; }
th { background: #f5f5f5; font-weight: 600; }
table.facts th { background: none; color: #555; font-weight: 500; }
table.grid td.num, table.grid th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.grid td.params { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px;
                       word-break: break-word; max-width: 520px; }
table.grid tr.best td { background: #fff1e0; font-weight: 600; }
.badge { display: inline-block; margin-left: 6px; padding: 0 6px; border-radius: 8px; font-size: 11px;
         background: #ff7f0e; color: #fff; font-weight: 600; }
.chart { overflow-x: auto; }
.curves { display: flex; flex-wrap: wrap; gap: 24px; }
svg { display: block; background: #fff; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 12px; fill: #333; }
svg text.title { font-size: 13px; font-weight: 600; }
.note { color: #777; font-style: italic; }
table.confusion td, table.confusion th { text-align: right; font-variant-numeric: tabular-nums; min-width: 36px; }
table.confusion th.corner { color: #555; font-weight: 500; text-align: left; }
table.confusion td.cm-diag { font-weight: 700; }
table.per-class td.num, table.reg-metrics td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 32px; color: #999; font-size: 12px; }
)css";

void appendYAxis(std::string& o, const Axis& axis, double left, double top, double width,
                 double height) {
  const auto y = [&](double v) { return top + (axis.hi - v) / (axis.hi - axis.lo) * height; };
  for (std::size_t i = 0; i < axis.ticks.size(); ++i) {
    const double ty = y(axis.ticks[i]);
    o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                     num(left), num(ty), num(left + width), num(ty), kGridColour);
    o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                     num(left - 5), num(ty), num(left), num(ty), kAxisColour);
    o += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>)",
                     num(left - 8), num(ty), escape(axis.labels[i]));
  }
  o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                   num(left), num(top), num(left), num(top + height), kAxisColour);
  o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                   num(left), num(top + height), num(left + width), num(top + height),
                   kAxisColour);
}

// The metric per param map: mean (dot) ± std (error bar), every fold (grey dots), best in orange.
std::string metricChart(const ReportData& d) {
  const std::size_t n = d.rows.size();
  std::vector<double> values;
  std::size_t maxFolds = 0;
  for (const ReportRow& r : d.rows) {
    values.push_back(r.mean);
    if (std::isfinite(r.mean) && std::isfinite(r.std)) {
      values.push_back(r.mean - r.std);
      values.push_back(r.mean + r.std);
    }
    for (double f : r.foldMetrics) values.push_back(f);
    maxFolds = std::max(maxFolds, r.foldMetrics.size());
  }
  const Axis axis = niceAxis(values);

  const bool paramLabels = n > 0 && n <= 24;  // few maps: label them with their params
  const double slot = n == 0 ? 64.0 : std::clamp(1000.0 / static_cast<double>(n), 6.0, 80.0);
  const double plotW = std::max(560.0, slot * static_cast<double>(n));
  // Rotated params labels ("i: params", cut to 30 characters) need room below the plot and,
  // for the first one, to the left; ~6.5 px per character at 12 px, rotated by 35 degrees.
  std::vector<std::string> labels;
  std::size_t longest = 0;
  if (paramLabels) {
    for (std::size_t i = 0; i < n; ++i) {
      labels.push_back(fmt::format("{}: {}", i + 1, truncate(d.rows[i].params, 30)));
      std::size_t chars = 0;
      for (char c : labels.back()) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      longest = std::max(longest, chars);
    }
  }
  const double labelW = 6.5 * static_cast<double>(longest);
  const double top = 34, right = 24;
  const double bottom = paramLabels ? 36 + labelW * 0.574 : 56;  // sin(35°)
  const double firstHalf = n == 0 ? 0.0 : plotW / static_cast<double>(n) / 2;
  const double left = paramLabels ? std::max(72.0, labelW * 0.819 - firstHalf + 12) : 72;
  const double plotH = 320;
  const double width = left + plotW + right, height = top + plotH + bottom;
  const double xSlot = n == 0 ? plotW : plotW / static_cast<double>(n);
  const auto cx = [&](std::size_t i) { return left + (static_cast<double>(i) + 0.5) * xSlot; };
  const auto cy = [&](double v) {
    v = std::clamp(v, axis.lo, axis.hi);
    return top + (axis.hi - v) / (axis.hi - axis.lo) * plotH;
  };

  std::string o;
  o += fmt::format(
      R"(<svg class="metric-chart" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="{2} per param map">)",
      num(width), num(height), escape(d.metricName.empty() ? "metric" : d.metricName));
  o += "\n";
  // Bands behind the best maps first, so everything else draws on top.
  for (std::size_t i = 0; i < n; ++i) {
    if (!d.rows[i].best) continue;
    o += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)",
                     num(left + static_cast<double>(i) * xSlot), num(top), num(xSlot), num(plotH),
                     kBestBand);
  }
  appendYAxis(o, axis, left, top, plotW, plotH);
  o += "\n";
  const std::string metric = d.metricName.empty() ? "metric" : d.metricName;
  o += fmt::format(
      R"svg(<text class="title" x="{}" y="{}" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>)svg",
      num(16), num(top + plotH / 2), num(16), num(top + plotH / 2),
      escape(metric + (d.largerBetter ? " (larger is better)" : " (smaller is better)")));

  if (n == 0) {
    o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">no param maps</text>)",
                     num(left + plotW / 2), num(top + plotH / 2));
  }

  // X labels: params (rotated) for few maps, else indices thinned to ~40 px apart.
  std::size_t every = 1;
  if (!paramLabels) {
    for (std::size_t step : {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000}) {
      every = step;
      if (static_cast<double>(step) * xSlot >= 36.0) break;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double x = cx(i);
    const double axisY = top + plotH;
    const bool labelled = paramLabels || (i + 1) % every == 0 || i == 0 || d.rows[i].best;
    if (!labelled) continue;
    o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                     num(x), num(axisY), num(x), num(axisY + 4), kAxisColour);
    if (paramLabels) {
      const std::string& label = labels[i];
      o += fmt::format(
          R"svg(<text x="{0}" y="{1}" text-anchor="end" transform="rotate(-35 {0} {1})"{3}>{2}</text>)svg",
          num(x + 4), num(axisY + 14), escape(label),
          d.rows[i].best ? R"( font-weight="bold")" : "");
    } else if ((i + 1) % every == 0 || i == 0) {
      o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle"{}>{}</text>)", num(x),
                       num(axisY + 18), d.rows[i].best ? R"( font-weight="bold")" : "", i + 1);
    }
  }
  if (!paramLabels && n > 0) {
    o += fmt::format(
        R"(<text class="title" x="{}" y="{}" text-anchor="middle">param map # (see the table below)</text>)",
        num(left + plotW / 2), num(top + plotH + 44));
  }
  o += "\n";

  // Marks.
  const double dotR = std::clamp(xSlot * 0.18, 2.5, 6.0);
  const double foldR = std::clamp(xSlot * 0.07, 1.5, 3.5);
  const double capHalf = std::clamp(xSlot * 0.25, 2.0, 8.0);
  for (std::size_t i = 0; i < n; ++i) {
    const ReportRow& r = d.rows[i];
    const double x = cx(i);
    const std::string_view colour = r.best ? kBestColour : kMeanColour;
    o += "<g>";
    o += fmt::format("<title>#{}{} {}: {} ± {}</title>", i + 1, r.best ? " (best)" : "",
                     escape(r.params), metricText(r.mean), metricText(r.std));
    // Fold points, spread a little so equal values stay visible.
    const std::size_t k = r.foldMetrics.size();
    const double spread = std::min(xSlot * 0.5, 3.0 * foldR * static_cast<double>(k));
    for (std::size_t j = 0; j < k; ++j) {
      const double f = r.foldMetrics[j];
      if (!std::isfinite(f)) continue;
      const double off =
          k > 1 ? (static_cast<double>(j) / static_cast<double>(k - 1) - 0.5) * spread : 0.0;
      o += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.75"/>)",
                       num(x + off), num(cy(f)), num(foldR), kFoldColour);
    }
    if (std::isfinite(r.mean)) {
      if (std::isfinite(r.std) && r.std > 0.0) {
        const double y0 = cy(r.mean - r.std), y1 = cy(r.mean + r.std);
        o += fmt::format(
            R"(<path d="M{0} {1}V{2}M{3} {1}H{4}M{3} {2}H{4}" stroke="{5}" stroke-width="2" fill="none"/>)",
            num(x), num(y0), num(y1), num(x - capHalf), num(x + capHalf), colour);
      }
      o += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}"/>)", num(x), num(cy(r.mean)),
                       num(r.best ? dotR * 1.3 : dotR), colour);
    } else {
      // No usable mean: a grey cross on the x axis.
      const double y = top + plotH - 6;
      o += fmt::format(
          R"(<path d="M{} {}L{} {}M{} {}L{} {}" stroke="{}" stroke-width="1.5"/>)", num(x - 4),
          num(y - 4), num(x + 4), num(y + 4), num(x - 4), num(y + 4), num(x + 4), num(y - 4),
          kFoldColour);
    }
    o += "</g>";
    if (r.best && std::isfinite(r.mean)) {
      // Above the highest mark of this map (mean + std or a fold point).
      double y = cy(std::isfinite(r.std) ? r.mean + std::abs(r.std) : r.mean);
      for (double f : r.foldMetrics) {
        if (std::isfinite(f)) y = std::min(y, cy(f));
      }
      y -= 2;
      o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" font-weight="bold" style="fill:{}">best</text>)",
                       num(x), num(std::max(top - 4, y - 12)), kBestColour);
    }
  }
  o += "\n";

  // Legend (top right, above the plot).
  double lx = left + 12;
  const double ly = 16;
  o += fmt::format(R"(<circle cx="{}" cy="{}" r="5" fill="{}"/>)", num(lx), num(ly), kMeanColour);
  o += fmt::format(R"(<text x="{}" y="{}" dominant-baseline="middle">mean ± std over folds</text>)",
                   num(lx + 10), num(ly));
  lx += 170;
  o += fmt::format(R"(<circle cx="{}" cy="{}" r="3.5" fill="{}"/>)", num(lx), num(ly), kFoldColour);
  o += fmt::format(R"(<text x="{}" y="{}" dominant-baseline="middle">single fold{}</text>)",
                   num(lx + 10), num(ly), maxFolds > 0 ? "" : " (none)");
  lx += 120;
  o += fmt::format(R"(<circle cx="{}" cy="{}" r="5" fill="{}"/>)", num(lx), num(ly), kBestColour);
  o += fmt::format(R"(<text x="{}" y="{}" dominant-baseline="middle">best param map</text>)",
                   num(lx + 10), num(ly));
  o += "</svg>\n";
  return o;
}

// Maps curve points into the plot, dropping non-finite ones and points closer than half a pixel
// to the previous one (exact curves can have a point per distinct score).
std::string polylinePoints(const std::vector<CurvePoint>& pts, double left, double top,
                           double size) {
  std::string out;
  double lastX = 0, lastY = 0;
  bool have = false;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (!std::isfinite(pts[i].x) || !std::isfinite(pts[i].y)) continue;
    const double x = left + std::clamp(pts[i].x, 0.0, 1.0) * size;
    const double y = top + (1.0 - std::clamp(pts[i].y, 0.0, 1.0)) * size;
    const bool last = i + 1 == pts.size();
    if (have && !last && std::abs(x - lastX) < 0.5 && std::abs(y - lastY) < 0.5) continue;
    if (kept++ > 0) out += ' ';
    out += num(x) + "," + num(y);
    lastX = x;
    lastY = y;
    have = true;
  }
  return out;
}

// A ROC or PR chart on the unit square.
std::string curveChart(bool roc, const std::vector<CurvePoint>& pts) {
  const double left = 60, top = 30, size = 320, right = 20;
  const double width = left + size + right, height = top + size + 96;
  const std::string_view colour = roc ? kRocColour : kPrColour;
  std::string o;
  o += fmt::format(
      R"(<svg class="{0}-chart" width="{1}" height="{2}" viewBox="0 0 {1} {2}" role="img" aria-label="{3}">)",
      roc ? "roc" : "pr", num(width), num(height), roc ? "ROC curve" : "precision-recall curve");
  o += "\n";
  o += fmt::format(R"(<text class="title" x="{}" y="{}" text-anchor="middle">{}</text>)",
                   num(left + size / 2), num(18), roc ? "ROC curve" : "Precision–recall curve");
  Axis axis;
  axis.lo = 0.0;
  axis.hi = 1.0;
  for (int i = 0; i <= 5; ++i) {
    axis.ticks.push_back(i * 0.2);
    axis.labels.push_back(fmt::format("{:.1f}", i * 0.2));
  }
  appendYAxis(o, axis, left, top, size, size);
  for (std::size_t i = 0; i < axis.ticks.size(); ++i) {
    const double x = left + axis.ticks[i] * size;
    if (i > 0) {
      o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                       num(x), num(top), num(x), num(top + size), kGridColour);
    }
    o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                     num(x), num(top + size), num(x), num(top + size + 5), kAxisColour);
    o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num(x),
                     num(top + size + 18), axis.labels[i]);
  }
  o += fmt::format(R"(<text class="title" x="{}" y="{}" text-anchor="middle">{}</text>)",
                   num(left + size / 2), num(top + size + 38),
                   roc ? "false positive rate" : "recall");
  o += fmt::format(
      R"svg(<text class="title" x="{0}" y="{1}" text-anchor="middle" transform="rotate(-90 {0} {1})">{2}</text>)svg",
      num(16), num(top + size / 2), roc ? "true positive rate" : "precision");

  const double auc = areaUnderCurve(pts);
  const std::string aucText = std::isfinite(auc) ? fmt::format("{:.4f}", auc) : "n/a";
  const double legendY = top + size + 62;
  // Reference line: the diagonal (ROC) or the all-positive precision (PR).
  std::string refLabel;
  if (roc) {
    o += fmt::format(
        R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999999" stroke-width="1.5" stroke-dasharray="6 4"/>)",
        num(left), num(top + size), num(left + size), num(top));
    refLabel = "random (AUC = 0.5)";
  } else if (!pts.empty() && std::isfinite(pts.back().y) && std::abs(pts.back().x - 1.0) < 1e-9) {
    const double base = std::clamp(pts.back().y, 0.0, 1.0);
    const double y = top + (1.0 - base) * size;
    o += fmt::format(
        R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999999" stroke-width="1.5" stroke-dasharray="6 4"/>)",
        num(left), num(y), num(left + size), num(y));
    refLabel = fmt::format("all positive (precision = {:.4f})", base);
  }
  const std::string points = polylinePoints(pts, left, top, size);
  if (!points.empty()) {
    o += fmt::format(
        R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-linejoin="round"/>)",
        points, colour);
  } else {
    o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">no curve points</text>)",
                     num(left + size / 2), num(top + size / 2));
  }
  o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>)",
                   num(left), num(legendY), num(left + 24), num(legendY), colour);
  o += fmt::format(R"(<text x="{}" y="{}" dominant-baseline="middle">{} (AUC = {})</text>)",
                   num(left + 32), num(legendY), roc ? "ROC" : "PR", aucText);
  if (!refLabel.empty()) {
    o += fmt::format(
        R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999999" stroke-width="1.5" stroke-dasharray="6 4"/>)",
        num(left), num(legendY + 20), num(left + 24), num(legendY + 20));
    o += fmt::format(R"(<text x="{}" y="{}" dominant-baseline="middle">{}</text>)",
                     num(left + 32), num(legendY + 20), escape(refLabel));
  }
  o += "</svg>\n";
  return o;
}

// A class label as people write it: "2" for 2.0, else the shortest round-trip form.
std::string classText(double c) {
  if (std::isfinite(c) && c == std::floor(c) && std::abs(c) < 1e15) return fmt::format("{:.0f}", c);
  return fmt::format("{}", c);
}

// A (weighted) count: an integer when it is one.
std::string countText(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

// `colour` (#rrggbb) mixed with white: share 0 is white, share 1 the colour itself.
std::string shade(std::string_view colour, double share) {
  share = std::isfinite(share) ? std::clamp(share, 0.0, 1.0) : 0.0;
  const auto channel = [&](std::size_t at) {
    const int c = std::stoi(std::string(colour.substr(at, 2)), nullptr, 16);
    return static_cast<int>(std::lround(255.0 - (255.0 - c) * share));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", channel(1), channel(3), channel(5));
}

// The confusion matrix (rows actual, columns predicted, cells shaded by their share of the
// row), the accuracy, and precision, recall and F1 per class.
std::string confusionSection(const ConfusionMatrix& m) {
  const std::size_t k = m.classes.size();
  const auto cell = [&](std::size_t a, std::size_t p) {
    return a < m.counts.size() && p < m.counts[a].size() ? m.counts[a][p] : 0.0;
  };
  std::vector<double> rowSum(k, 0.0), colSum(k, 0.0);
  double total = 0.0, correct = 0.0;
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t p = 0; p < k; ++p) {
      rowSum[a] += cell(a, p);
      colSum[p] += cell(a, p);
      total += cell(a, p);
    }
    correct += cell(a, a);
  }
  std::string o = "<h3>Confusion matrix</h3>\n";
  o += fmt::format(
      "<p class=\"sub\">{} classes · rows: actual class, columns: predicted class · accuracy "
      "{}</p>\n",
      k, total > 0.0 ? metricText(correct / total) : "n/a");
  o += "<div class=\"chart\">\n<table class=\"confusion\">\n<thead><tr>"
       "<th class=\"corner\">actual \\ predicted</th>";
  for (std::size_t p = 0; p < k; ++p)
    o += fmt::format("<th class=\"cm-pred\">{}</th>", escape(classText(m.classes[p])));
  o += "<th>total</th></tr></thead>\n<tbody>\n";
  for (std::size_t a = 0; a < k; ++a) {
    o += fmt::format("<tr><th class=\"cm-actual\">{}</th>", escape(classText(m.classes[a])));
    for (std::size_t p = 0; p < k; ++p) {
      const double share = rowSum[a] > 0.0 ? cell(a, p) / rowSum[a] : 0.0;
      o += fmt::format(
          "<td class=\"cm-cell{}\" style=\"background:{};color:{}\" title=\"actual {}, "
          "predicted {}: {:.1f}% of the row\">{}</td>",
          a == p ? " cm-diag" : "", shade(kConfusionColour, share),
          share > 0.55 ? "#ffffff" : "#222222", escape(classText(m.classes[a])),
          escape(classText(m.classes[p])), 100.0 * share, countText(cell(a, p)));
    }
    o += fmt::format("<td>{}</td></tr>\n", countText(rowSum[a]));
  }
  o += "<tr><th>total</th>";
  for (std::size_t p = 0; p < k; ++p) o += fmt::format("<td>{}</td>", countText(colSum[p]));
  o += fmt::format("<td>{}</td></tr>\n</tbody>\n</table>\n</div>\n", countText(total));

  // Per class, as Spark's MulticlassMetrics: precision 0 for a class never predicted.
  o += "<h3>Per class</h3>\n<table class=\"per-class\">\n<thead><tr><th>class</th>"
       "<th class=\"num\">actual rows</th><th class=\"num\">predicted rows</th>"
       "<th class=\"num\">precision</th><th class=\"num\">recall</th><th class=\"num\">F1</th>"
       "</tr></thead>\n<tbody>\n";
  for (std::size_t c = 0; c < k; ++c) {
    const double tp = cell(c, c);
    const double precision = colSum[c] > 0.0 ? tp / colSum[c] : 0.0;
    const double recall = rowSum[c] > 0.0 ? tp / rowSum[c] : std::nan("");
    const double f1 = precision + recall > 0.0 ? 2.0 * precision * recall / (precision + recall)
                                               : (std::isnan(recall) ? std::nan("") : 0.0);
    o += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}"
        "</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        escape(classText(m.classes[c])), countText(rowSum[c]), countText(colSum[c]),
        metricText(precision), std::isnan(recall) ? "n/a" : metricText(recall),
        std::isnan(f1) ? "n/a" : metricText(f1));
  }
  o += "</tbody>\n</table>\n";
  return o;
}

// Ticks, labels and vertical grid lines of an x axis below a plot.
void appendXAxis(std::string& o, const Axis& axis, double left, double top, double width,
                 double height) {
  const auto x = [&](double v) { return left + (v - axis.lo) / (axis.hi - axis.lo) * width; };
  for (std::size_t i = 0; i < axis.ticks.size(); ++i) {
    const double tx = x(axis.ticks[i]);
    o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                     num(tx), num(top), num(tx), num(top + height), kGridColour);
    o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>)",
                     num(tx), num(top + height), num(tx), num(top + height + 5), kAxisColour);
    o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num(tx),
                     num(top + height + 18), escape(axis.labels[i]));
  }
}

// A scatter plot of (xs, ys) with a dashed reference line: y = x (`diagonal`) or y = 0.
std::string scatterChart(const std::string& cls, const std::string& title, const std::string& xName,
                         const std::string& yName, const std::vector<double>& xs,
                         const std::vector<double>& ys, bool diagonal, std::string_view colour) {
  const double left = 72, top = 30, size = 360, right = 20;
  const double width = left + size + right, height = top + size + 56;
  Axis xAxis, yAxis;
  if (diagonal) {  // one axis for both, so that y = x is the diagonal
    std::vector<double> all = xs;
    all.insert(all.end(), ys.begin(), ys.end());
    xAxis = yAxis = niceAxis(all);
  } else {
    xAxis = niceAxis(xs);
    std::vector<double> withZero = ys;
    withZero.push_back(0.0);
    yAxis = niceAxis(withZero);
  }
  const auto px = [&](double v) {
    return left + (std::clamp(v, xAxis.lo, xAxis.hi) - xAxis.lo) / (xAxis.hi - xAxis.lo) * size;
  };
  const auto py = [&](double v) {
    return top + (yAxis.hi - std::clamp(v, yAxis.lo, yAxis.hi)) / (yAxis.hi - yAxis.lo) * size;
  };
  std::string o;
  o += fmt::format(
      R"(<svg class="{0}" width="{1}" height="{2}" viewBox="0 0 {1} {2}" role="img" aria-label="{3}">)",
      cls, num(width), num(height), escape(title));
  o += "\n";
  o += fmt::format(R"(<text class="title" x="{}" y="{}" text-anchor="middle">{}</text>)",
                   num(left + size / 2), num(18), escape(title));
  appendYAxis(o, yAxis, left, top, size, size);
  appendXAxis(o, xAxis, left, top, size, size);
  o += fmt::format(R"(<text class="title" x="{}" y="{}" text-anchor="middle">{}</text>)",
                   num(left + size / 2), num(top + size + 40), escape(xName));
  o += fmt::format(
      R"svg(<text class="title" x="{0}" y="{1}" text-anchor="middle" transform="rotate(-90 {0} {1})">{2}</text>)svg",
      num(16), num(top + size / 2), escape(yName));
  o += "\n";
  o += fmt::format(R"(<g class="points" fill="{}">)", colour);
  std::size_t drawn = 0;
  for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    o += fmt::format(R"(<circle cx="{}" cy="{}" r="2.5"/>)", num(px(xs[i])), num(py(ys[i])));
    ++drawn;
  }
  o += "</g>\n";
  // The reference line on top of the points.
  if (diagonal) {
    o += fmt::format(
        R"(<line class="reference" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555555" stroke-width="1.5" stroke-dasharray="6 4"/>)",
        num(px(xAxis.lo)), num(py(xAxis.lo)), num(px(xAxis.hi)), num(py(xAxis.hi)));
  } else {
    o += fmt::format(
        R"(<line class="reference" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555555" stroke-width="1.5" stroke-dasharray="6 4"/>)",
        num(left), num(py(0.0)), num(left + size), num(py(0.0)));
  }
  if (drawn == 0) {
    o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">no points</text>)",
                     num(left + size / 2), num(top + size / 2));
  }
  o += "</svg>\n";
  return o;
}

// Regression metrics, predicted vs actual (with y = x) and residuals vs predicted (with y = 0).
std::string regressionSection(const RegressionPlot& r) {
  std::string o;
  if (!r.metrics.empty()) {
    o += "<table class=\"reg-metrics\">\n";
    for (const auto& [name, value] : r.metrics)
      o += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td></tr>\n", escape(name),
                       metricText(value));
    o += "</table>\n";
  }
  const std::size_t n = std::min(r.actual.size(), r.predicted.size());
  const auto total = static_cast<std::size_t>(std::max<std::int64_t>(r.totalRows, 0));
  o += fmt::format("<p class=\"sub\">{} rows{}</p>\n", std::max(total, n),
                   total > n ? fmt::format(" ({} plotted, evenly spread)", n) : std::string());
  std::vector<double> residuals(n);
  for (std::size_t i = 0; i < n; ++i) residuals[i] = r.actual[i] - r.predicted[i];
  const std::vector<double> actual(r.actual.begin(), r.actual.begin() + static_cast<std::ptrdiff_t>(n));
  const std::vector<double> predicted(r.predicted.begin(),
                                      r.predicted.begin() + static_cast<std::ptrdiff_t>(n));
  o += "<div class=\"curves\">\n";
  o += scatterChart("pred-actual-chart", "Predicted vs actual", "actual (label)", "predicted",
                    actual, predicted, true, kScatterColour);
  o += scatterChart("residual-chart", "Residuals vs predicted", "predicted",
                    "residual (actual − predicted)", predicted, residuals, false, kResidualColour);
  o += "</div>\n";
  return o;
}

std::string gridTable(const ReportData& d) {
  std::size_t folds = 0;
  for (const ReportRow& r : d.rows) folds = std::max(folds, r.foldMetrics.size());
  std::string o = "<table class=\"grid\">\n<thead><tr><th class=\"num\">#</th><th>params</th>";
  o += fmt::format("<th class=\"num\">{} mean ± std</th>",
                   escape(d.metricName.empty() ? "metric" : d.metricName));
  for (std::size_t f = 0; f < folds; ++f) o += fmt::format("<th class=\"num\">fold {}</th>", f + 1);
  o += "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    const ReportRow& r = d.rows[i];
    o += r.best ? "<tr class=\"best\">" : "<tr>";
    o += fmt::format("<td class=\"num\">{}</td><td class=\"params\">{}{}</td>", i + 1,
                     escape(r.params), r.best ? "<span class=\"badge\">best</span>" : "");
    o += fmt::format("<td class=\"num\">{} ± {}</td>", metricText(r.mean), metricText(r.std));
    for (std::size_t f = 0; f < folds; ++f) {
      o += f < r.foldMetrics.size()
               ? fmt::format("<td class=\"num\">{}</td>", metricText(r.foldMetrics[f]))
               : std::string("<td class=\"num\"></td>");
    }
    o += "</tr>\n";
  }
  o += "</tbody>\n</table>\n";
  return o;
}

}  // namespace

std::vector<std::size_t> subsampleIndices(std::size_t n, std::size_t max) {
  std::vector<std::size_t> rows;
  if (n <= max) {
    rows.resize(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = i;
    return rows;
  }
  rows.reserve(max);
  // floor(i * n / max) without overflow for any n: i * (n / max) + i * (n % max) / max.
  const std::size_t q = n / max, r = n % max;
  for (std::size_t i = 0; i < max; ++i) rows.push_back(i * q + i * r / max);
  return rows;
}

std::string renderHtmlReport(const ReportData& d) {
  const std::string title = d.title.empty() ? "thunderdome report" : d.title;
  const std::string metric = d.metricName.empty() ? "metric" : d.metricName;
  std::string o;
  o.reserve(16384 + d.rows.size() * 1024);
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", escape(title), kCss);
  o += fmt::format("<header>\n<h1>{}</h1>\n", escape(title));
  std::size_t nBest = 0;
  for (const ReportRow& r : d.rows) nBest += r.best ? 1 : 0;
  o += fmt::format("<p class=\"sub\">Metric <b>{}</b> ({} is better) · {} param map{}</p>\n",
                   escape(metric), d.largerBetter ? "larger" : "smaller", d.rows.size(),
                   d.rows.size() == 1 ? "" : "s");
  o += "</header>\n";

  if (!d.facts.empty()) {
    o += "<section>\n<h2>Run</h2>\n<table class=\"facts\">\n";
    for (const auto& [k, v] : d.facts) {
      o += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", escape(k), escape(v));
    }
    o += "</table>\n</section>\n";
  }

  o += fmt::format("<section>\n<h2>{} per param map</h2>\n", escape(metric));
  o += "<div class=\"chart\">\n" + metricChart(d) + "</div>\n";
  if (nBest == 0 && !d.rows.empty()) o += "<p class=\"note\">No param map is marked best.</p>\n";
  o += "</section>\n";

  o += "<section>\n<h2>Tuning grid</h2>\n";
  if (d.rows.empty()) {
    o += "<p class=\"note\">No param maps were evaluated.</p>\n";
  } else {
    o += gridTable(d);
  }
  o += "</section>\n";

  if (d.curves || d.confusion || d.regression) {
    o += "<section>\n<h2>Best model on held-out data</h2>\n";
    if (d.curves) {
      o += "<div class=\"curves\">\n";
      o += curveChart(true, d.curves->roc);
      o += curveChart(false, d.curves->pr);
      o += "</div>\n";
    }
    if (d.confusion) o += confusionSection(*d.confusion);
    if (d.regression) o += regressionSection(*d.regression);
    o += "</section>\n";
  }
  o += "<footer>Generated by thunderdome.</footer>\n</body>\n</html>\n";
  return o;
}

void writeHtmlReport(const ReportData& data, const std::string& path) {
  const std::string html = renderHtmlReport(data);
  // The storage layer: local paths are written atomically, swift:// as one checked upload.
  writeStringToFile(path, html);
}

}  // namespace td
