// bench/glm_kernels.cc — bytes per pass of the GLM design matrix's kernels (issue #17).
//
//   glm_kernels --input train.libsvm --num-features 262144 [--reps 30] [--threads N] [--merge]
//
// Loads the file, builds the compact design matrix (src/glm/design_matrix.h) in the column
// layout and in the row layout, and times, interleaved rep by rep, one Newton-CG step's matrix
// work: the column layout's Ã·v, D scaling and Ãᵀu (two streams) against the row layout's fused
// sweep (one stream), plus one X̃ᵀr (the gradient) in each. Prints one JSON object per layout:
// rows, active columns k, nnz, chunks, resident bytes, bytes per pass (the copy a sweep reads
// and its pointers), median CPU seconds (all threads) per CG step, per gradient X̃ᵀr and per
// X̃·v, and the GB/s they stream per CPU second (matrix bytes only: the k- and n-vectors stay
// in cache). --threads 1 makes CPU seconds the kernels' own time on a shared machine. `auto` names
// the layout build() picks by itself (DesignMatrix::chooseChunks).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <tbb/global_control.h>
#include <time.h>

#include "glm/design_matrix.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/io/libsvm.h"

namespace {

using Clock = std::chrono::steady_clock;
using td::glm::DesignMatrix;

// Seconds of CPU time of the whole process (every thread): on a shared machine a kernel's
// CPU time moves far less than its wall time. With --threads 1 it is the kernel's own time.
double cpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Run {
  const char* name;
  std::shared_ptr<const DesignMatrix> M;
  td::glm::FeatureStats stats;
  double buildSeconds = 0.0;
  std::vector<double> cg, grad, mul, diag;
};

}  // namespace

int main(int argc, char** argv) {
  std::string input;
  std::int64_t numFeatures = 0;
  int reps = 30, threads = 0;
  CLI::App app{"Bytes per pass of the GLM design matrix kernels", "glm_kernels"};
  app.add_option("--input", input, "LibSVM training file")->required();
  app.add_option("--num-features", numFeatures, "numFeatures of the LibSVM reader")
      ->required()
      ->check(CLI::PositiveNumber);
  app.add_option("--reps", reps, "timed repetitions (default 30)")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "threads (default: all cores); 1 times CPU exactly");
  bool merge = false;
  app.add_flag("--merge", merge, "merge proportional features (as a pure-L2 fit does)");
  CLI11_PARSE(app, argc, argv);
  std::unique_ptr<tbb::global_control> limit;
  if (threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  static_cast<std::size_t>(threads));
  try {
    td::LibSvmOptions lo;
    lo.numFeatures = numFeatures;
    const td::Frame data = td::readLibSvm(input, lo);
    const auto& X = data.col<td::VectorColumn>("features");
    const std::int64_t n = data.numRows();
    const std::vector<double> w(static_cast<std::size_t>(n), 1.0);
    td::glm::RowTotals t;
    t.weightSum = static_cast<double>(n);
    t.weightSqSum = static_cast<double>(n);
    t.positiveRows = n;
    bool floats = true;
    for (std::int64_t i = 0; i < n && floats; ++i) {
      const auto v = X[i];
      for (std::int64_t p = 0; p < v.nnz; ++p)
        if (static_cast<double>(static_cast<float>(v.values[p])) != v.values[p]) floats = false;
    }
    std::vector<Run> runs{{"columns", {}, {}, 0.0, {}, {}, {}, {}},
                          {"rows", {}, {}, 0.0, {}, {}, {}, {}},
                          {"auto", {}, {}, 0.0, {}, {}, {}, {}}};
    const DesignMatrix::Layout layouts[] = {DesignMatrix::Layout::Columns,
                                            DesignMatrix::Layout::Rows,
                                            DesignMatrix::Layout::Auto};
    for (std::size_t l = 0; l < runs.size(); ++l) {
      const auto t0 = Clock::now();
      runs[l].M = DesignMatrix::build(X, X.dim(), w, t, floats, td::glm::Reducer{}, runs[l].stats,
                                      layouts[l], merge);
      runs[l].buildSeconds = since(t0);
    }
    const auto scaling =
        td::glm::Scaling::make(runs[0].stats, true, false, td::glm::Reducer{});
    const auto dim = static_cast<std::size_t>(scaling.dim());
    std::mt19937 rng(1);
    std::normal_distribution<double> g;
    std::vector<double> v(dim), out(dim), curv(static_cast<std::size_t>(n), 0.2),
        hu(static_cast<std::size_t>(n)), r(static_cast<std::size_t>(n));
    for (auto& x : v) x = g(rng);
    for (auto& x : r) x = g(rng);
    const double W = t.weightSum;
    for (int rep = 0; rep < reps + 1; ++rep) {  // the first repetition warms up, untimed
      for (auto& run : runs) {
        auto ws = run.M->workspace();
        double c0 = cpuNow();
        if (run.M->rowLayout()) {
          run.M->hessianProduct(scaling, v.data(), curv.data(), W, 0.01, out.data(), ws);
        } else {
          double fab = 0.0, faa = 0.0, sum = 0.0;
          run.M->multiply(scaling, v.data(), v.data(), hu.data(), fab, faa, ws);
          for (std::int64_t i = 0; i < n; ++i) sum += hu[static_cast<std::size_t>(i)] *= 0.2;
          run.M->transposeMultiply(scaling, hu.data(), v.data(), W, sum, 0.01, out.data(), ws);
        }
        const double cg = cpuNow() - c0;
        c0 = cpuNow();
        run.M->transposeMultiply(scaling, r.data(), v.data(), W, 1.0, 0.01, out.data(), ws);
        const double gr = cpuNow() - c0;
        c0 = cpuNow();
        double fab = 0.0, faa = 0.0;
        run.M->multiply(scaling, v.data(), v.data(), hu.data(), fab, faa, ws);
        const double mu = cpuNow() - c0;
        c0 = cpuNow();
        run.M->weightedSquares(scaling, curv.data(), 0.2 * static_cast<double>(n), W, 0.01,
                               out.data(), ws);
        const double dg = cpuNow() - c0;
        if (rep > 0)
          run.cg.push_back(cg), run.grad.push_back(gr), run.mul.push_back(mu), run.diag.push_back(dg);
      }
    }
    for (const auto& run : runs) {
      const auto& M = *run.M;
      const double bpp = static_cast<double>(M.bytesPerPass());
      const double cgBytes = M.rowLayout() ? bpp : 2.0 * bpp;  // streams per CG step
      const double cg = median(run.cg), gr = median(run.grad), mu = median(run.mul);
      std::printf(
          "{\"layout\": \"%s\", \"picked\": \"%s\", \"rows\": %lld, \"k\": %lld, \"nnz\": %lld, "
          "\"chunks\": %lld, \"residentBytes\": %lld, \"bytesPerPass\": %lld, "
          "\"bytesPerNnz\": %.3f, \"buildSeconds\": %.4f, \"cgStepSeconds\": %.6f, "
          "\"cgStepGBs\": %.2f, \"gradientSeconds\": %.6f, \"gradientGBs\": %.2f, "
          "\"multiplySeconds\": %.6f, \"diagonalSeconds\": %.6f}\n",
          run.name, M.rowLayout() ? "rows" : "columns", static_cast<long long>(M.rows()),
          static_cast<long long>(M.cols()), static_cast<long long>(M.nnz()),
          static_cast<long long>(M.chunks()), static_cast<long long>(M.residentBytes()),
          static_cast<long long>(M.bytesPerPass()),
          static_cast<double>(M.residentBytes()) / static_cast<double>(std::max<std::int64_t>(1, M.nnz())),
          run.buildSeconds, cg, cgBytes / cg / 1e9, gr, bpp / gr / 1e9, mu, median(run.diag));
    }
  } catch (const std::exception& e) {
    std::cerr << "glm_kernels: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
