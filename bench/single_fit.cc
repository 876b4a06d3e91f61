// bench/single_fit.cc — one thunderdome LogisticRegression fit on a LibSVM file, timed.
//
//   single_fit --input train.libsvm --num-features 262144 --reg 0.001 [--tol 1e-6]
//              [--max-iter 100] [--standardization false] [--coef-out coef.f64] [--history]
//              [--family auto|binomial|multinomial] [--path 0.1,0.01]
//
// Loads the file (not timed), then times (1) a fit with maxIter=0 — statistics, feature
// compaction, the solver's data layout and one objective evaluation: the fixed setup cost — and
// (2) the real fit. Prints one JSON object on stdout: load/setup/fit seconds, iterations,
// converged, the objective the solver reports (Spark's: mean log-loss + regParam/2·‖w‖², no
// penalty on the intercept), rows, nnz. With --coef-out, writes numFeatures + 1 little-endian
// float64 values (coefficients in the original feature space, then the intercept) so the
// harness can recompute the objective itself. --history adds the solver's objective after each
// iteration ("objectiveHistory", the initial point first). A multinomial fit (more than two
// classes, or --family multinomial) writes its K×d coefficient matrix, then the K intercepts.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <time.h>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/io/libsvm.h"

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU seconds of the whole process (every thread): steadier than wall time on a shared machine.
double cpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, coefOut, solver = "auto", family = "auto";
  std::int64_t numFeatures = 0, maxIter = 100;
  double reg = 0.0, tol = 1e-6;
  bool standardization = false, history = false;
  CLI::App app{"One timed thunderdome LogisticRegression fit on a LibSVM file", "single_fit"};
  app.add_option("--input", input, "LibSVM training file")->required();
  app.add_option("--num-features", numFeatures, "numFeatures of the LibSVM reader")
      ->required()
      ->check(CLI::PositiveNumber);
  app.add_option("--reg", reg, "regParam")->required()->check(CLI::NonNegativeNumber);
  app.add_option("--tol", tol, "tol (default 1e-6)");
  app.add_option("--max-iter", maxIter, "maxIter (default 100)");
  app.add_option("--standardization", standardization, "true or false (default false)");
  app.add_option("--coef-out", coefOut, "write the coefficients and intercepts as float64 here");
  app.add_option("--solver", solver, "auto or l-bfgs");
  app.add_flag("--history", history, "add the objective after each iteration");
  app.add_option("--family", family, "auto, binomial or multinomial");
  std::vector<double> path;
  app.add_option("--path", path,
                 "regParams fitted first, each warm-starting the next, the last warm-starting "
                 "--reg (a regularization path, as CrossValidator runs one); timed and counted "
                 "with the fit")
      ->delimiter(',');
  CLI11_PARSE(app, argc, argv);

  try {
    auto t0 = std::chrono::steady_clock::now();
    td::LibSvmOptions lo;
    lo.numFeatures = numFeatures;
    const td::Frame data = td::readLibSvm(input, lo);
    const double loadSeconds = secondsSince(t0);
    const auto& X = data.col<td::VectorColumn>("features");
    std::int64_t nnz = 0;
    for (std::int64_t i = 0; i < data.numRows(); ++i) nnz += X[i].nnz;

    td::LogisticRegression lr("lr");
    lr.setRegParam(reg).setTol(tol).setStandardization(standardization).setSolver(solver);
    lr.setFamily(family);

    lr.setMaxIter(0);
    t0 = std::chrono::steady_clock::now();
    (void)lr.fit(data);
    const double setupSeconds = secondsSince(t0);

    lr.setMaxIter(maxIter);
    t0 = std::chrono::steady_clock::now();
    const double cpu0 = cpuNow();
    std::int64_t pathIterations = 0, pathCg = 0;
    if (!path.empty()) {
      lr.setKeepWarmStartData(true);
      for (const double r : path) {
        lr.setRegParam(r);
        const auto m = std::dynamic_pointer_cast<const td::LogisticRegressionModel>(lr.fit(data));
        pathIterations += m->summary().totalIterations;
        pathCg += m->summary().totalCgIterations;
        lr.setInitialModel(m);
      }
      lr.setRegParam(reg);
    }
    const auto stage = lr.fit(data);
    const double fitSeconds = secondsSince(t0), fitCpuSeconds = cpuNow() - cpu0;
    const auto model = std::dynamic_pointer_cast<td::LogisticRegressionModel>(stage);
    if (!model) throw std::runtime_error("fit did not return a LogisticRegressionModel");
    const auto& s = model->summary();

    if (!coefOut.empty()) {
      std::ofstream f(coefOut, std::ios::binary | std::ios::trunc);
      const auto& c = model->coefficientMatrix();
      f.write(reinterpret_cast<const char*>(c.data()),
              static_cast<std::streamsize>(c.size() * sizeof(double)));
      const auto& b = model->interceptVector();
      f.write(reinterpret_cast<const char*>(b.data()),
              static_cast<std::streamsize>(b.size() * sizeof(double)));
      if (!f) throw std::runtime_error("cannot write " + coefOut);
    }
    std::printf(
        "{\"system\": \"thunderdome\", \"rows\": %lld, \"numFeatures\": %lld, \"nnz\": %lld, "
        "\"regParam\": %.17g, \"tol\": %.17g, \"maxIter\": %lld, \"standardization\": %s, "
        "\"loadSeconds\": %.6f, \"setupSeconds\": %.6f, \"fitSeconds\": %.6f, \"fitCpuSeconds\": %.6f, "
        "\"iterations\": %lld, \"cgIterations\": %lld, \"solver\": \"%s\", \"converged\": %s, \"objective\": %.17g, \"intercept\": %.17g, \"numClasses\": %lld, "
        "\"coefficientsFile\": \"%s\"",
        static_cast<long long>(data.numRows()), static_cast<long long>(numFeatures),
        static_cast<long long>(nnz), reg, tol, static_cast<long long>(maxIter),
        standardization ? "true" : "false", loadSeconds, setupSeconds, fitSeconds, fitCpuSeconds,
        static_cast<long long>(s.totalIterations), static_cast<long long>(s.totalCgIterations),
        solver.c_str(), s.converged ? "true" : "false",
        s.objectiveHistory.empty() ? 0.0 : s.objectiveHistory.back(), model->interceptVector()[0],
        static_cast<long long>(model->numClasses()),
        coefOut.c_str());
    if (!path.empty())
      std::printf(", \"pathIterations\": %lld, \"pathCgIterations\": %lld",
                  static_cast<long long>(pathIterations), static_cast<long long>(pathCg));
    if (history) {
      std::printf(", \"objectiveHistory\": [");
      for (std::size_t i = 0; i < s.objectiveHistory.size(); ++i)
        std::printf("%s%.17g", i ? ", " : "", s.objectiveHistory[i]);
      std::printf("]");
    }
    std::printf("}\n");
  } catch (const std::exception& e) {
    std::cerr << "single_fit: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
