// cli/progress.h
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "thunderdome/tuning/cross_validator.h"

namespace td::cli {

/// Seconds on the steady clock (the default clock of ProgressReporter).
double steadySeconds();

/// Whether `f` is a terminal (isatty(fileno(f))); false for nullptr.
bool isTerminal(std::FILE* f);

/// Estimated seconds left after `done` of `total` fits took `elapsed` seconds (average rate);
/// NaN when unknown (nothing done yet or no total), 0 when finished.
double etaSeconds(double elapsed, std::int64_t done, std::int64_t total);

/// A duration for people: "3.1s", "2m05s", "1h02m"; "?" for NaN or negative.
std::string formatDuration(double seconds);

/// Shows tuning progress on stderr: a live bar on a terminal, periodic log lines otherwise.
/// Terminal: one line redrawn with '\r' at most ~10 times a second (always for the last fit).
/// Otherwise: a "[thunderdome] ..." line at most every 2 seconds and always for the last fit.
/// Verbose (1): a line for every fit (on a terminal, printed above the bar). Quiet (-1): nothing.
class ProgressReporter {
 public:
  /// `out` receives the output; `clock` returns seconds (monotonic), read at construction as
  /// the start time.
  ProgressReporter(std::FILE* out, bool isTerminal, int verbosity, std::string metricName,
                   std::function<double()> clock = &steadySeconds);
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// Records a finished fit and redraws / logs as the mode and throttling allow; calls must be
  /// serialised by the caller.
  void update(const TuningProgress& p);
  /// Shows the latest state if it was throttled away and ends the bar line; idempotent.
  void finish();

  /// The terminal bar text for `p` at `elapsed` seconds (no '\r' and no escapes).
  [[nodiscard]] std::string barLine(const TuningProgress& p, double elapsed) const;
  /// The log line for `p` at `elapsed` seconds.
  [[nodiscard]] std::string logLine(const TuningProgress& p, double elapsed) const;

 private:
  void drawBar(double now);
  void printLog(double now);

  std::FILE* out_;
  bool terminal_;
  int verbosity_;
  std::string metricName_;
  std::function<double()> clock_;
  double start_;
  double lastDraw_;       // when the bar or log line was last written
  TuningProgress last_;   // the latest update
  bool haveUpdate_ = false;
  bool pending_ = false;  // the latest update has not been shown
  bool barShown_ = false; // a bar line is on screen (needs a newline at finish)
  bool finished_ = false;
};

}  // namespace td::cli
