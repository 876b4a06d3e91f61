// bench/feature_bench.cc — one timed feature pipeline: read, fit, transform (issue #12).
//
//   feature_bench --spec bench/specs/features_text.json --data bench/data/spam_train.tsv
//                 [--output-col tfidf] [--threads N] [--option KEY=VALUE ...]
//
// Reads the data file as the CLI does (the spec's "input" reader options, overlaid by --option),
// builds the spec's Pipeline (the same parser as `thunderdome fit`; a spec for this tool has
// stages only: no grid, no evaluator), fits it on the data, transforms the same data keeping
// only the output column (PipelineModel::transformSelect) and walks every row of it (default:
// the last stage's outputCol) so that nothing is left unmaterialised. Prints one JSON line:
//   {"read_s", "fit_s", "transform_s", "total_s", "rows", "dim", "nnz", "sum",
//    "max_rss_mb", "cpu_s"}
// `sum` is the sum of all output values (a checksum for cross-checking against the peer);
// max_rss_mb is getrusage(RUSAGE_SELF).ru_maxrss, the process's peak resident set;
// max_rss_after_read_mb and max_rss_after_fit_mb are that peak when reading and fitting ended.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"  // td::cli::makeReadOptions (cli/): the CLI's reader options
#include "thunderdome/core/memory.h"
#include "thunderdome/core/context.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/spec/pipeline_spec.h"

namespace {

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double maxRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

double cpuSeconds(const rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

}  // namespace

int main(int argc, char** argv) {
  td::useHugePageMalloc(argv);  // as the CLI does
  td::limitHeapRetention();
  std::string specPath, dataPath, outputCol;
  std::vector<std::string> options;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "feature_bench: '" << a << "' needs a value\n";
      return 2;
    }
    if (a == "--spec") specPath = argv[++i];
    else if (a == "--data") dataPath = argv[++i];
    else if (a == "--output-col") outputCol = argv[++i];
    else if (a == "--threads") threads = std::stoi(argv[++i]);
    else if (a == "--option") options.emplace_back(argv[++i]);
    else {
      std::cerr << "feature_bench: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  if (specPath.empty() || dataPath.empty()) {
    std::cerr << "usage: feature_bench --spec SPEC.json --data DATA [--output-col COL] "
                 "[--threads N] [--option KEY=VALUE ...]\n";
    return 2;
  }
  try {
    const td::PipelineSpec spec = td::loadPipelineSpec(specPath);
    if (outputCol.empty()) {
      const auto& stages = spec.pipeline->getStages();
      if (stages.empty() || !stages.back()->hasParam("outputCol")) {
        std::cerr << "feature_bench: the spec's last stage has no outputCol; pass --output-col\n";
        return 2;
      }
      outputCol = stages.back()->getString("outputCol");
    }
    td::Context ctx;
    ctx.threads = threads;
    const td::ReadOptions ro = td::cli::makeReadOptions(spec.input, options, std::nullopt);

    const auto t0 = std::chrono::steady_clock::now();
    td::Frame data = td::readFrame(dataPath, ro);
    const auto t1 = std::chrono::steady_clock::now();
    const double rssRead = maxRssMb();
    const auto model = spec.pipeline->fit(data, ctx);
    const auto t2 = std::chrono::steady_clock::now();
    const double rssFit = maxRssMb();
    // What a job that keeps only the features does (Spark: transform(df).select(col), whose
    // lazy plan never holds the intermediate columns): the data is handed over, and every
    // column is released once no later stage reads it.
    const td::Frame out = model->transformSelect(std::move(data), {outputCol}, ctx);
    const auto& col = out.col<td::VectorColumn>(outputCol);
    std::int64_t nnz = 0;
    double sum = 0;
    for (std::int64_t i = 0; i < out.numRows(); ++i) {
      const td::VectorView v = col[i];
      nnz += v.nnz;
      for (std::int64_t k = 0; k < v.nnz; ++k) sum += v.values[k];
    }
    const auto t3 = std::chrono::steady_clock::now();

    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf(
        "{\"read_s\": %.6f, \"fit_s\": %.6f, \"transform_s\": %.6f, \"total_s\": %.6f, "
        "\"rows\": %lld, \"dim\": %lld, \"nnz\": %lld, \"sum\": %.17g, \"max_rss_mb\": %.1f, "
        "\"cpu_s\": %.3f, \"max_rss_after_read_mb\": %.1f, \"max_rss_after_fit_mb\": %.1f}\n",
        seconds(t0, t1), seconds(t1, t2), seconds(t2, t3), seconds(t0, t3),
        static_cast<long long>(out.numRows()), static_cast<long long>(col.dim()),
        static_cast<long long>(nnz), sum, static_cast<double>(ru.ru_maxrss) / 1024.0,
        cpuSeconds(ru), rssRead, rssFit);
  } catch (const std::exception& e) {
    std::cerr << "feature_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
