// bench/glm_fit.cc — one timed thunderdome LinearRegression or LinearSVC fit on dense .npy data
// (issue #13; bench/linear.py runs it beside bench/sk_linear.py).
//
//   glm_fit --x bench/data/linear_X.npy --y bench/data/linear_y.npy --model linreg|svc
//           [--solver normal|l-bfgs|auto] [--reg 0.01] [--standardization true|false]
//           [--max-iter 100] [--tol 1e-6] [--repeats 1] [--coef-out coef.f64]
//
// Loads X (an n x d little-endian float64 C-order .npy) as a dense vector column and y (n
// float64) as the label column (not timed), then times `repeats` fits in-process (each a full
// Estimator::fit: checks, statistics, solver, model and training summary). Prints one JSON object
// on stdout: loadSeconds, fitSeconds (every repeat), iterations, converged (svc), the solver's
// last objective value (Spark's, in the solver's space: for LinearRegression's l-bfgs path the
// label-scaled objective, divided by σ_y²), intercept, coefficient sum and sum of squares (a
// checksum), and with --coef-out writes d + 1 float64 values (the coefficients, then the
// intercept) for the harness to recompute the objective itself.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "thunderdome/classification/linear_svc.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/regression/linear_regression.h"

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A float64 C-order .npy file (format 1.0 or 2.0): its shape and values.
struct Npy {
  std::vector<std::int64_t> shape;
  std::vector<double> values;
};

Npy readNpy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  char magic[8];
  f.read(magic, 8);
  if (!f || std::string_view(magic, 6) != "\x93NUMPY")
    throw std::runtime_error(path + ": not a .npy file");
  std::uint32_t headerLen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    f.read(reinterpret_cast<char*>(b), 2);
    headerLen = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    f.read(reinterpret_cast<char*>(b), 4);
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  }
  std::string header(headerLen, '\0');
  f.read(header.data(), headerLen);
  if (header.find("'descr': '<f8'") == std::string::npos)
    throw std::runtime_error(path + ": dtype must be little-endian float64 ('<f8')");
  if (header.find("'fortran_order': False") == std::string::npos)
    throw std::runtime_error(path + ": must be C order");
  const auto open = header.find('(');
  const auto close = header.find(')', open);
  if (open == std::string::npos || close == std::string::npos)
    throw std::runtime_error(path + ": no shape in the header");
  Npy out;
  std::int64_t count = 1;
  const std::string dims = header.substr(open + 1, close - open - 1);
  std::size_t p = 0;
  while (p < dims.size()) {
    while (p < dims.size() && (dims[p] == ' ' || dims[p] == ',')) ++p;
    if (p >= dims.size()) break;
    std::size_t used = 0;
    const std::int64_t v = std::stoll(dims.substr(p), &used);
    out.shape.push_back(v);
    count *= v;
    p += used;
  }
  out.values.resize(static_cast<std::size_t>(count));
  f.read(reinterpret_cast<char*>(out.values.data()),
         static_cast<std::streamsize>(count * static_cast<std::int64_t>(sizeof(double))));
  if (!f) throw std::runtime_error(path + ": truncated");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string xPath, yPath, model, solver = "auto", coefOut;
  double reg = 0.01, tol = 1e-6;
  std::int64_t maxIter = 100, repeats = 1;
  bool standardization = true;
  CLI::App app{"One timed thunderdome LinearRegression or LinearSVC fit on .npy data", "glm_fit"};
  app.add_option("--x", xPath, "features: an n x d float64 .npy")->required();
  app.add_option("--y", yPath, "labels: n float64 .npy")->required();
  app.add_option("--model", model, "linreg or svc")
      ->required()
      ->check(CLI::IsMember({"linreg", "svc"}));
  app.add_option("--solver", solver, "normal, l-bfgs or auto");
  app.add_option("--reg", reg, "regParam (default 0.01)");
  app.add_option("--tol", tol, "tol (default 1e-6)");
  app.add_option("--max-iter", maxIter, "maxIter (default 100)");
  app.add_option("--repeats", repeats, "fits to time (default 1)")->check(CLI::PositiveNumber);
  app.add_option("--standardization", standardization, "true or false (default true)");
  app.add_option("--coef-out", coefOut, "write the coefficients and intercept as float64 here");
  CLI11_PARSE(app, argc, argv);

  try {
    auto t0 = std::chrono::steady_clock::now();
    Npy x = readNpy(xPath);
    Npy y = readNpy(yPath);
    if (x.shape.size() != 2 || y.shape.size() != 1 || y.shape[0] != x.shape[0])
      throw std::runtime_error("X must be n x d and y of length n");
    const std::int64_t n = x.shape[0], d = x.shape[1];
    const td::Frame data({{"features", td::VectorColumn::dense(n, d, std::move(x.values))},
                          {"label", std::make_shared<td::DoubleColumn>(std::move(y.values))}});
    const double loadSeconds = secondsSince(t0);

    std::vector<double> fitSeconds;
    std::vector<double> coef;
    double intercept = 0.0, objective = 0.0;
    std::int64_t iterations = 0;
    bool converged = true;
    for (std::int64_t r = 0; r < repeats; ++r) {
      if (model == "linreg") {
        td::LinearRegression est("linreg");
        est.setRegParam(reg).setStandardization(standardization).setSolver(solver);
        est.setMaxIter(maxIter).setTol(tol);
        t0 = std::chrono::steady_clock::now();
        const auto stage = est.fit(data);
        fitSeconds.push_back(secondsSince(t0));
        const auto m = std::dynamic_pointer_cast<td::LinearRegressionModel>(stage);
        if (!m) throw std::runtime_error("fit did not return a LinearRegressionModel");
        coef = m->coefficients();
        intercept = m->intercept();
        const auto& s = m->summary();
        iterations = s.totalIterations;
        objective = s.objectiveHistory.empty() ? 0.0 : s.objectiveHistory.back();
      } else {
        td::LinearSVC est("svc");
        est.setRegParam(reg).setStandardization(standardization);
        est.setMaxIter(maxIter).setTol(tol);
        t0 = std::chrono::steady_clock::now();
        const auto stage = est.fit(data);
        fitSeconds.push_back(secondsSince(t0));
        const auto m = std::dynamic_pointer_cast<td::LinearSVCModel>(stage);
        if (!m) throw std::runtime_error("fit did not return a LinearSVCModel");
        coef = m->coefficients();
        intercept = m->intercept();
        const auto& s = m->summary();
        iterations = s.totalIterations;
        converged = s.converged;
        objective = s.objectiveHistory.empty() ? 0.0 : s.objectiveHistory.back();
      }
    }
    double sum = 0.0, sumSq = 0.0;
    for (double c : coef) sum += c, sumSq += c * c;
    if (!coefOut.empty()) {
      std::ofstream f(coefOut, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(coef.data()),
              static_cast<std::streamsize>(coef.size() * sizeof(double)));
      f.write(reinterpret_cast<const char*>(&intercept), sizeof intercept);
      if (!f) throw std::runtime_error("cannot write " + coefOut);
    }
    std::printf(
        "{\"system\": \"thunderdome\", \"model\": \"%s\", \"solver\": \"%s\", \"rows\": %lld, "
        "\"cols\": %lld, \"regParam\": %.17g, \"standardization\": %s, \"maxIter\": %lld, "
        "\"tol\": %.17g, \"loadSeconds\": %.6f, \"fitSeconds\": [",
        model.c_str(), model == "svc" ? "l-bfgs" : solver.c_str(), static_cast<long long>(n),
        static_cast<long long>(d), reg, standardization ? "true" : "false",
        static_cast<long long>(maxIter), tol, loadSeconds);
    for (std::size_t i = 0; i < fitSeconds.size(); ++i)
      std::printf("%s%.6f", i ? ", " : "", fitSeconds[i]);
    std::printf(
        "], \"iterations\": %lld, \"converged\": %s, \"objective\": %.17g, \"intercept\": %.17g, "
        "\"coefSum\": %.17g, \"coefSumSq\": %.17g, \"coefficientsFile\": \"%s\"}\n",
        static_cast<long long>(iterations), converged ? "true" : "false", objective, intercept,
        sum, sumSq, coefOut.c_str());
  } catch (const std::exception& e) {
    std::cerr << "glm_fit: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
