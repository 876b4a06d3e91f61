// cli/progress.cc
#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

namespace td::cli {
namespace {

constexpr double kBarInterval = 0.1;  // terminal redraws: ~10 per second
constexpr double kLogInterval = 2.0;  // log lines: at most one per 2 seconds
constexpr int kBarWidth = 28;

std::string metricValue(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{:.{}f}", v, decimals);
}

bool isLast(const TuningProgress& p) { return p.total > 0 && p.done >= p.total; }

}  // namespace

double steadySeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

bool isTerminal(std::FILE* f) {
  if (f == nullptr) return false;
  const int fd = fileno(f);
  return fd >= 0 && isatty(fd) != 0;
}

double etaSeconds(double elapsed, std::int64_t done, std::int64_t total) {
  if (total <= 0 || done <= 0 || !std::isfinite(elapsed) || elapsed < 0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (done >= total) return 0.0;
  return elapsed / static_cast<double>(done) * static_cast<double>(total - done);
}

std::string formatDuration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 59.95) return fmt::format("{:.1f}s", s);
  const auto secs = static_cast<long long>(std::llround(s));
  if (secs < 3600) return fmt::format("{}m{:02}s", secs / 60, secs % 60);
  const long long mins = secs / 60;
  return fmt::format("{}h{:02}m", mins / 60, mins % 60);
}

ProgressReporter::ProgressReporter(std::FILE* out, bool isTerminal, int verbosity,
                                   std::string metricName, std::function<double()> clock)
    : out_(out),
      terminal_(isTerminal),
      verbosity_(verbosity),
      metricName_(metricName.empty() ? std::string("metric") : std::move(metricName)),
      clock_(clock ? std::move(clock) : std::function<double()>(&steadySeconds)),
      start_(clock_()),
      lastDraw_(-std::numeric_limits<double>::infinity()) {
  // Log lines wait a full interval before the first one; the bar draws at once.
  if (!terminal_) lastDraw_ = start_;
}

std::string ProgressReporter::barLine(const TuningProgress& p, double elapsed) const {
  const double frac =
      p.total > 0 ? std::clamp(static_cast<double>(p.done) / static_cast<double>(p.total), 0.0, 1.0)
                  : 0.0;
  const int filled = static_cast<int>(std::floor(frac * kBarWidth));
  std::string bar(static_cast<std::size_t>(kBarWidth), ' ');
  for (int i = 0; i < filled; ++i) bar[static_cast<std::size_t>(i)] = '=';
  if (filled < kBarWidth) bar[static_cast<std::size_t>(filled)] = '>';
  std::string line = fmt::format("[{}] fits {}/{}  best {} {}  {}", bar, p.done, p.total,
                                 metricName_, p.done > 0 ? metricValue(p.bestMetric, 4) : "n/a",
                                 formatDuration(elapsed));
  if (!isLast(p)) line += "  ETA " + formatDuration(etaSeconds(elapsed, p.done, p.total));
  return line;
}

std::string ProgressReporter::logLine(const TuningProgress& p, double elapsed) const {
  std::string line =
      fmt::format("[thunderdome] {}/{} fits, best {} {}, elapsed {}", p.done, p.total,
                  metricName_, p.done > 0 ? metricValue(p.bestMetric, 6) : "n/a",
                  formatDuration(elapsed));
  if (!isLast(p)) line += ", ETA " + formatDuration(etaSeconds(elapsed, p.done, p.total));
  return line;
}

void ProgressReporter::drawBar(double now) {
  // '\r' back to column 0, the bar, then clear whatever a longer previous line left.
  fmt::print(out_, "\r{}\x1b[K", barLine(last_, now - start_));
  std::fflush(out_);
  barShown_ = true;
  lastDraw_ = now;
  pending_ = false;
}

void ProgressReporter::printLog(double now) {
  if (terminal_ && barShown_) {
    fmt::print(out_, "\r\x1b[K{}\n", logLine(last_, now - start_));
  } else {
    fmt::print(out_, "{}\n", logLine(last_, now - start_));
  }
  std::fflush(out_);
  lastDraw_ = now;
  pending_ = false;
}

void ProgressReporter::update(const TuningProgress& p) {
  if (verbosity_ < 0 || out_ == nullptr || finished_) return;
  last_ = p;
  haveUpdate_ = true;
  pending_ = true;
  const double now = clock_();
  const bool last = isLast(p);
  if (terminal_) {
    if (verbosity_ >= 1) {
      printLog(now);  // every fit, above the bar
      drawBar(now);
    } else if (last || now - lastDraw_ >= kBarInterval) {
      drawBar(now);
    }
  } else if (verbosity_ >= 1 || last || now - lastDraw_ >= kLogInterval) {
    printLog(now);
  }
}

void ProgressReporter::finish() {
  if (finished_) return;
  finished_ = true;
  if (verbosity_ < 0 || out_ == nullptr || !haveUpdate_) return;
  const double now = clock_();
  if (terminal_) {
    if (pending_) drawBar(now);
    if (barShown_) {
      fmt::print(out_, "\n");
      std::fflush(out_);
      barShown_ = false;
    }
  } else if (pending_) {
    printLog(now);
  }
}

}  // namespace td::cli
