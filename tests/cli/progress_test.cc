// tests/cli/progress_test.cc
#include "progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace td::cli {
namespace {

// A FILE* writing into memory.
class MemOut {
 public:
  MemOut() : f_(open_memstream(&buf_, &len_)) {}
  ~MemOut() {
    std::fclose(f_);
    std::free(buf_);
  }
  MemOut(const MemOut&) = delete;
  MemOut& operator=(const MemOut&) = delete;
  std::FILE* file() { return f_; }
  std::string str() {
    std::fflush(f_);
    return std::string(buf_, len_);
  }

 private:
  char* buf_ = nullptr;
  std::size_t len_ = 0;
  std::FILE* f_;
};

// A clock the test moves by hand.
struct FakeClock {
  double now = 0.0;
  std::function<double()> fn() {
    return [this] { return now; };
  }
};

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

TuningProgress prog(std::int64_t done, std::int64_t total, double best) {
  TuningProgress p;
  p.done = done;
  p.total = total;
  p.bestMetric = best;
  return p;
}

TEST(ProgressTest, TerminalDrawsBarWithCarriageReturn) {
  MemOut out;
  FakeClock clock;
  ProgressReporter r(out.file(), true, 0, "areaUnderROC", clock.fn());
  clock.now = 3.0;
  r.update(prog(3, 9, 0.75));
  const std::string s = out.str();
  EXPECT_EQ(s.front(), '\r');
  EXPECT_NE(s.find("[=========>"), std::string::npos) << s;  // 3/9 of 28 columns
  EXPECT_NE(s.find("fits 3/9"), std::string::npos) << s;
  EXPECT_NE(s.find("best areaUnderROC 0.7500"), std::string::npos) << s;
  EXPECT_NE(s.find("3.0s"), std::string::npos) << s;
  EXPECT_NE(s.find("ETA 6.0s"), std::string::npos) << s;
  EXPECT_NE(s.find("\x1b[K"), std::string::npos) << "clears to end of line";
  EXPECT_EQ(s.find('\n'), std::string::npos) << "the bar stays on its line";
  clock.now = 9.0;
  r.update(prog(9, 9, 0.8));
  r.finish();
  const std::string all = out.str();
  EXPECT_EQ(all.back(), '\n') << "finish ends the bar line";
  EXPECT_NE(all.find("[============================] fits 9/9"), std::string::npos) << all;
  EXPECT_EQ(count(all, "\n"), 1u);
}

TEST(ProgressTest, TerminalThrottlesRedrawsButAlwaysDrawsTheLast) {
  MemOut out;
  FakeClock clock;
  ProgressReporter r(out.file(), true, 0, "areaUnderROC", clock.fn());
  for (int i = 1; i <= 9; ++i) {  // nine fits within 45 ms: only the first draws
    clock.now = 0.005 * i;
    r.update(prog(i, 20, 0.5));
  }
  EXPECT_EQ(count(out.str(), "\r"), 1u);
  clock.now = 0.2;  // > 0.1 s after the last draw
  r.update(prog(10, 20, 0.5));
  EXPECT_EQ(count(out.str(), "\r"), 2u);
  clock.now = 0.21;
  r.update(prog(11, 20, 0.5));
  EXPECT_EQ(count(out.str(), "\r"), 2u);
  clock.now = 0.22;
  r.update(prog(20, 20, 0.6));  // the last fit is always drawn
  EXPECT_EQ(count(out.str(), "\r"), 3u);
  EXPECT_NE(out.str().find("fits 20/20"), std::string::npos);
}

TEST(ProgressTest, TerminalFinishShowsThrottledState) {
  MemOut out;
  FakeClock clock;
  ProgressReporter r(out.file(), true, 0, "rmse", clock.fn());
  clock.now = 1.0;
  r.update(prog(1, 10, 2.5));
  clock.now = 1.01;
  r.update(prog(2, 10, 2.25));  // throttled
  EXPECT_EQ(out.str().find("fits 2/10"), std::string::npos);
  r.finish();
  const std::string s = out.str();
  EXPECT_NE(s.find("fits 2/10"), std::string::npos) << s;
  EXPECT_NE(s.find("best rmse 2.2500"), std::string::npos) << s;
  EXPECT_EQ(s.back(), '\n');
  r.finish();  // idempotent
  r.update(prog(3, 10, 2.0));  // ignored after finish
  EXPECT_EQ(out.str(), s);
}

TEST(ProgressTest, NonTerminalPrintsPlainLinesWithoutEscapes) {
  MemOut out;
  FakeClock clock;
  clock.now = 100.0;  // the start time is read at construction
  ProgressReporter r(out.file(), false, 0, "areaUnderROC", clock.fn());
  clock.now = 103.2;
  r.update(prog(12, 27, 0.9812341));
  clock.now = 110.0;
  r.update(prog(27, 27, 0.99));
  r.finish();
  const std::string s = out.str();
  EXPECT_EQ(s,
            "[thunderdome] 12/27 fits, best areaUnderROC 0.981234, elapsed 3.2s, ETA 4.0s\n"
            "[thunderdome] 27/27 fits, best areaUnderROC 0.990000, elapsed 10.0s\n");
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_EQ(s.find('\x1b'), std::string::npos);
}

TEST(ProgressTest, NonTerminalThrottlesToOneLineEveryTwoSeconds) {
  MemOut out;
  FakeClock clock;
  ProgressReporter r(out.file(), false, 0, "areaUnderROC", clock.fn());
  const double times[] = {0.5, 1.0, 1.9, 2.1, 3.0, 4.0, 4.2, 4.3};
  for (int i = 0; i < 8; ++i) {
    clock.now = times[i];
    r.update(prog(i + 1, 100, 0.5));
  }
  // 2.1 (2 s after the start) and 4.2 (2 s after 2.1) only.
  const std::string s = out.str();
  EXPECT_EQ(count(s, "\n"), 2u) << s;
  EXPECT_NE(s.find(" 4/100 fits"), std::string::npos) << s;
  EXPECT_NE(s.find(" 7/100 fits"), std::string::npos) << s;
}

TEST(ProgressTest, FinalFitLineIsAlwaysPrinted) {
  MemOut out;
  FakeClock clock;
  ProgressReporter r(out.file(), false, 0, "areaUnderPR", clock.fn());
  clock.now = 0.1;
  r.update(prog(1, 2, 0.4));
  clock.now = 0.2;
  r.update(prog(2, 2, 0.6));
  const std::string s = out.str();
  EXPECT_EQ(s, "[thunderdome] 2/2 fits, best areaUnderPR 0.600000, elapsed 0.2s\n");
  r.finish();
  EXPECT_EQ(out.str(), s) << "nothing new to show";
}

TEST(ProgressTest, NonTerminalFinishPrintsPendingState) {
  MemOut out;
  FakeClock clock;
  ProgressReporter r(out.file(), false, 0, "areaUnderROC", clock.fn());
  clock.now = 0.5;
  r.update(prog(3, 10, 0.7));
  EXPECT_EQ(out.str(), "");
  clock.now = 0.6;
  r.finish();  // e.g. interrupted by an error: still say how far it got
  EXPECT_EQ(out.str(),
            "[thunderdome] 3/10 fits, best areaUnderROC 0.700000, elapsed 0.6s, ETA 1.4s\n");
}

TEST(ProgressTest, VerbosePrintsEveryFit) {
  MemOut out;
  FakeClock clock;
  ProgressReporter r(out.file(), false, 1, "areaUnderROC", clock.fn());
  for (int i = 1; i <= 5; ++i) {
    clock.now = 0.01 * i;
    r.update(prog(i, 5, 0.5));
  }
  r.finish();
  EXPECT_EQ(count(out.str(), "[thunderdome] "), 5u);

  MemOut tty;
  ProgressReporter t(tty.file(), true, 1, "areaUnderROC", clock.fn());
  for (int i = 1; i <= 5; ++i) t.update(prog(i, 5, 0.5));
  t.finish();
  const std::string s = tty.str();
  EXPECT_EQ(count(s, "[thunderdome] "), 5u) << "a log line per fit above the bar";
  EXPECT_NE(s.find("fits 5/5"), std::string::npos);
}

TEST(ProgressTest, QuietPrintsNothing) {
  for (bool terminal : {true, false}) {
    MemOut out;
    FakeClock clock;
    ProgressReporter r(out.file(), terminal, -1, "areaUnderROC", clock.fn());
    for (int i = 1; i <= 4; ++i) {
      clock.now = 5.0 * i;
      r.update(prog(i, 4, 0.5));
    }
    r.finish();
    EXPECT_EQ(out.str(), "") << "terminal=" << terminal;
  }
}

TEST(ProgressTest, EtaMath) {
  EXPECT_DOUBLE_EQ(etaSeconds(3.0, 3, 9), 6.0);
  EXPECT_DOUBLE_EQ(etaSeconds(3.1, 12, 27), 3.1 / 12 * 15);
  EXPECT_DOUBLE_EQ(etaSeconds(5.0, 9, 9), 0.0);
  EXPECT_TRUE(std::isnan(etaSeconds(1.0, 0, 9)));
  EXPECT_TRUE(std::isnan(etaSeconds(1.0, 1, 0)));
  EXPECT_EQ(formatDuration(3.14), "3.1s");
  EXPECT_EQ(formatDuration(0.0), "0.0s");
  EXPECT_EQ(formatDuration(59.99), "1m00s");
  EXPECT_EQ(formatDuration(125.0), "2m05s");
  EXPECT_EQ(formatDuration(3725.0), "1h02m");
  EXPECT_EQ(formatDuration(std::nan("")), "?");
  EXPECT_EQ(formatDuration(-1.0), "?");

  ProgressReporter r(nullptr, false, 0, "m", [] { return 0.0; });
  EXPECT_EQ(r.logLine(prog(1, 4, 0.5), 2.0),
            "[thunderdome] 1/4 fits, best m 0.500000, elapsed 2.0s, ETA 6.0s");
  EXPECT_EQ(r.logLine(prog(0, 4, 0.0), 0.5),
            "[thunderdome] 0/4 fits, best m n/a, elapsed 0.5s, ETA ?");
  EXPECT_EQ(r.logLine(prog(2, 4, std::nan("")), 1.0),
            "[thunderdome] 2/4 fits, best m n/a, elapsed 1.0s, ETA 1.0s");
}

TEST(ProgressTest, BarFillsWithProgress) {
  ProgressReporter r(nullptr, true, 0, "m", [] { return 0.0; });
  EXPECT_EQ(r.barLine(prog(0, 4, 0), 0.0).substr(0, 3), "[> ");
  EXPECT_EQ(r.barLine(prog(2, 4, 0), 0.0).substr(0, 17), "[==============> ");
  const std::string full = r.barLine(prog(4, 4, 0.9), 8.0);
  EXPECT_EQ(full, "[============================] fits 4/4  best m 0.9000  8.0s");
  // An empty grid does not divide by zero.
  EXPECT_EQ(r.barLine(prog(0, 0, 0), 0.0).substr(0, 3), "[> ");
}

TEST(ProgressTest, IsTerminalIsFalseForFilesAndNull) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(isTerminal(f));
  std::fclose(f);
  EXPECT_FALSE(isTerminal(nullptr));
}

TEST(ProgressTest, WorksWithTheDefaultClock) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressReporter r(f, false, 0, "areaUnderROC");
    r.update(prog(1, 1, 0.5));
    r.finish();
  }
  std::fflush(f);
  std::rewind(f);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, f), nullptr);
  EXPECT_EQ(std::string(line).rfind("[thunderdome] 1/1 fits, best areaUnderROC 0.500000", 0), 0u)
      << line;
  std::fclose(f);
}

}  // namespace
}  // namespace td::cli
