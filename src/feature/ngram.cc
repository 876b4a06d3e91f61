// src/feature/ngram.cc
#include "thunderdome/feature/ngram.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 1024;
}  // namespace

NGram::NGram() : NGram(randomUid(kUidPrefix)) {}
NGram::NGram(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema NGram::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kStringArray);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kStringArray});
}

Frame NGram::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<StringArrayColumn>(getInputCol());
  const auto n = static_cast<std::size_t>(getN());
  // Spark: iterator.sliding(n).withPartial(false).map(_.mkString(" ")).
  const auto fill = [&](std::int64_t r, StringArrayBlock& b) {
    const StringArrayRow tokens = col[r];
    if (tokens.size() < n) return;
    for (std::size_t start = 0; start + n <= tokens.size(); ++start) {
      for (std::size_t k = 0; k < n; ++k) {
        if (k > 0) b.bytes.push_back(' ');
        b.bytes.append(tokens[start + k]);
      }
      b.ends.push_back(static_cast<std::int64_t>(b.bytes.size()));
    }
  };
  auto out = buildStringArrayColumn(col.size(), kRowBlock, fill);
  return input.withColumn(getOutputCol(), std::move(out));
}

}  // namespace td
