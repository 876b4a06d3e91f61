// bench/liblinear_fit.cc — one liblinear `-s 0` fit (L2-regularised logistic regression,
// primal trust-region Newton) through liblinear's C API, the solve timed alone.
//
//   liblinear_fit --input train.libsvm --num-features N --c C [--eps 0.01] [--bias 1]
//                 [--coef-out coef.f64]
//
// The file is parsed the way liblinear's `train` parses it (not timed); train() is timed. Prints
// one JSON object: solveSeconds, Newton iterations and CG steps (counted from liblinear's own
// progress lines), rows, nnz. With --coef-out, writes N + 1 little-endian float64 values: w for
// the label-1 class in the original feature space, then the intercept (bias weight × bias), so
// the harness can evaluate Spark's objective on them. liblinear 2.3 regularises the bias weight
// like any other: with -B b its objective is ½‖w‖² + ½(intercept/b)² + C Σ log(1 + e^(−y·m)).
#include <linear.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

int gIterations = 0;
long gCgSteps = 0;

void countProgress(const char* s) {
  // liblinear 2.3 TRON: "iter  N act ... |g| ... CG   k step_size ..." per Newton iteration.
  if (std::strncmp(s, "iter", 4) == 0) {
    ++gIterations;
    if (const char* cg = std::strstr(s, "CG")) gCgSteps += std::strtol(cg + 2, nullptr, 10);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, coefOut;
  long numFeatures = 0;
  double C = -1.0, eps = 0.01, bias = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--input") input = v;
    else if (a == "--num-features") numFeatures = std::stol(v);
    else if (a == "--c") C = std::stod(v);
    else if (a == "--eps") eps = std::stod(v);
    else if (a == "--bias") bias = std::stod(v);
    else if (a == "--coef-out") coefOut = v;
    else {
      std::cerr << "liblinear_fit: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  if (input.empty() || numFeatures <= 0 || !(C > 0) || argc % 2 == 0) {
    std::cerr << "usage: liblinear_fit --input F.libsvm --num-features N --c C [--eps 0.01] "
                 "[--bias 1] [--coef-out PATH]\n";
    return 2;
  }

  // ---- read (liblinear's train.c layout: one feature_node array, -1 terminated rows, the bias
  // node before the terminator when bias >= 0)
  std::ifstream in(input);
  if (!in) {
    std::cerr << "liblinear_fit: cannot read " << input << "\n";
    return 1;
  }
  std::vector<double> y;
  std::vector<std::size_t> rowStart;
  std::vector<feature_node> nodes;
  std::string line;
  long maxIndex = 0, nnz = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    char* p = line.data();
    char* end = nullptr;
    y.push_back(std::strtod(p, &end));
    p = end;
    rowStart.push_back(nodes.size());
    for (;;) {
      while (*p == ' ' || *p == '\t') ++p;
      if (*p == '\0' || *p == '#') break;
      const long idx = std::strtol(p, &end, 10);
      if (end == p || *end != ':') {
        std::cerr << "liblinear_fit: bad line " << y.size() << " in " << input << "\n";
        return 1;
      }
      p = end + 1;
      const double val = std::strtod(p, &end);
      p = end;
      nodes.push_back({static_cast<int>(idx), val});
      maxIndex = std::max(maxIndex, idx);
      ++nnz;
    }
    if (bias >= 0) nodes.push_back({static_cast<int>(numFeatures + 1), bias});
    nodes.push_back({-1, 0.0});
  }
  if (maxIndex > numFeatures) {
    std::cerr << "liblinear_fit: feature index " << maxIndex << " > --num-features\n";
    return 1;
  }
  std::vector<feature_node*> rows(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) rows[i] = nodes.data() + rowStart[i];

  problem prob{};
  prob.l = static_cast<int>(y.size());
  prob.n = static_cast<int>(numFeatures) + (bias >= 0 ? 1 : 0);
  prob.y = y.data();
  prob.x = rows.data();
  prob.bias = bias;

  parameter param{};
  param.solver_type = L2R_LR;
  param.C = C;
  param.eps = eps;
  param.p = 0.1;
  param.nr_weight = 0;
  param.weight_label = nullptr;
  param.weight = nullptr;
  param.init_sol = nullptr;
  if (const char* err = check_parameter(&prob, &param)) {
    std::cerr << "liblinear_fit: " << err << "\n";
    return 2;
  }
  set_print_string_function(&countProgress);

  const auto t0 = std::chrono::steady_clock::now();
  model* m = train(&prob, &param);
  const double solveSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Binary models keep one weight vector for labels[0]; orient it towards label 1.
  int labels[2] = {0, 0};
  get_labels(m, labels);
  const double sign = labels[0] == 1 ? 1.0 : -1.0;
  std::vector<double> coef(static_cast<std::size_t>(numFeatures) + 1, 0.0);
  for (long j = 0; j < numFeatures; ++j) coef[static_cast<std::size_t>(j)] = sign * m->w[j];
  const double intercept = bias >= 0 ? sign * m->w[numFeatures] * bias : 0.0;
  coef[static_cast<std::size_t>(numFeatures)] = intercept;
  if (!coefOut.empty()) {
    std::ofstream f(coefOut, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(coef.data()),
            static_cast<std::streamsize>(coef.size() * sizeof(double)));
    if (!f) {
      std::cerr << "liblinear_fit: cannot write " << coefOut << "\n";
      return 1;
    }
  }
  std::printf(
      "{\"system\": \"liblinear\", \"liblinearVersion\": %d, \"rows\": %d, \"numFeatures\": %ld, "
      "\"nnz\": %ld, \"C\": %.17g, \"eps\": %.17g, \"bias\": %.17g, \"solveSeconds\": %.6f, "
      "\"iterations\": %d, \"cgSteps\": %ld, \"intercept\": %.17g, \"coefficientsFile\": \"%s\"}\n",
      LIBLINEAR_VERSION, prob.l, numFeatures, nnz, C, eps, bias, solveSeconds, gIterations,
      gCgSteps, intercept, coefOut.c_str());
  free_and_destroy_model(&m);
  return 0;
}
