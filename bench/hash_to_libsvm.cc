// bench/hash_to_libsvm.cc — the benchmark pipeline's features as a LibSVM file.
//
//   hash_to_libsvm --input spam_train.tsv --num-features 262144 --output train.libsvm
//
// Reads the benchmark TSV (header; tab-separated; quoting off, as the spec's "input" says;
// columns id bigint, text string, label double), applies the spec's Tokenizer and HashingTF
// (same classes, same parameters) and writes label + features as LibSVM (1-based indices), the
// input of liblinear's `train` and of single_fit. `thunderdome predict` writes only CSV, TSV or
// JSON Lines, hence this tool.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/io/csv.h"
#include "thunderdome/io/libsvm.h"

int main(int argc, char** argv) {
  std::string input, output;
  std::int64_t numFeatures = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--input") input = argv[i + 1];
    else if (a == "--output") output = argv[i + 1];
    else if (a == "--num-features") numFeatures = std::stoll(argv[i + 1]);
    else {
      std::cerr << "hash_to_libsvm: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  if (input.empty() || output.empty() || numFeatures <= 0 || argc % 2 == 0) {
    std::cerr << "usage: hash_to_libsvm --input DATA.tsv --num-features N --output OUT.libsvm\n";
    return 2;
  }
  try {
    const auto t0 = std::chrono::steady_clock::now();
    td::CsvOptions o;
    o.header = true;
    o.sep = '\t';
    o.quote = std::nullopt;
    o.schema = td::Schema({{"id", td::DataType::kInt64},
                           {"text", td::DataType::kString},
                           {"label", td::DataType::kDouble}});
    const td::Frame raw = td::readCsv(input, o);
    td::Tokenizer tok("tokenizer");
    tok.setInputCol("text").setOutputCol("words");
    td::HashingTF tf("hashingTF");
    tf.setInputCol("words").setOutputCol("features").setNumFeatures(numFeatures);
    const td::Frame features = tf.transform(tok.transform(raw));
    td::writeLibSvm(features, output, "label", "features");
    const auto& X = features.col<td::VectorColumn>("features");
    std::int64_t nnz = 0;
    for (std::int64_t i = 0; i < features.numRows(); ++i) nnz += X[i].nnz;
    std::printf("{\"rows\": %lld, \"numFeatures\": %lld, \"nnz\": %lld, \"seconds\": %.6f}\n",
                static_cast<long long>(features.numRows()), static_cast<long long>(numFeatures),
                static_cast<long long>(nnz),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } catch (const std::exception& e) {
    std::cerr << "hash_to_libsvm: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
