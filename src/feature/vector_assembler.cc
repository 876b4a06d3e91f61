// src/feature/vector_assembler.cc
#include "thunderdome/feature/vector_assembler.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 4096;

// One input column, read as numbers or vectors.
struct Input {
  std::string name;
  const Column* col = nullptr;
  const Int64Column* ints = nullptr;
  const BooleanColumn* bools = nullptr;
  const DoubleColumn* doubles = nullptr;
  const VectorColumn* vectors = nullptr;
  std::int64_t width = 1;
};
}  // namespace

VectorAssembler::VectorAssembler() : VectorAssembler(randomUid(kUidPrefix)) {}
VectorAssembler::VectorAssembler(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema VectorAssembler::transformSchema(const Schema& input) const {
  if (!isDefined(inputCols))
    throw ParamError(fmt::format("{}: inputCols is not set", describe()));
  for (const auto& name : getInputCols()) {
    const DataType t = input.field(name).type;
    if (t != DataType::kInt64 && t != DataType::kDouble && t != DataType::kVector &&
        t != DataType::kBoolean)
      throw ColumnError(fmt::format("{}: data type {} of column '{}' is not supported (numeric, "
                                    "boolean and vector columns are)",
                                    describe(), toString(t), name),
                        name);
  }
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

Frame VectorAssembler::transformImpl(const Frame& frame, const Context& /*ctx*/) const {
  const std::string mode = getHandleInvalid();
  // The input columns of `f`, typed.
  const auto inputsOf = [&](const Frame& f) {
    std::vector<Input> out;
    for (const auto& name : getInputCols()) {
      Input in;
      in.name = name;
      in.col = f.column(name).get();
      switch (in.col->type()) {
        case DataType::kInt64: in.ints = static_cast<const Int64Column*>(in.col); break;
        case DataType::kDouble: in.doubles = static_cast<const DoubleColumn*>(in.col); break;
        case DataType::kBoolean: in.bools = static_cast<const BooleanColumn*>(in.col); break;
        default:
          in.vectors = static_cast<const VectorColumn*>(in.col);
          in.width = in.vectors->dim();
      }
      out.push_back(in);
    }
    return out;
  };
  std::vector<Input> inputs = inputsOf(frame);
  // A row is invalid when an input is null, or a number in it is NaN (Spark's na.drop / error).
  const auto invalidAt = [&](std::int64_t r) -> const Input* {
    for (const auto& in : inputs) {
      if (in.col->isNull(r)) return &in;
      if (in.doubles && std::isnan((*in.doubles)[r])) return &in;
    }
    return nullptr;
  };
  Frame input = frame;
  if (mode == "skip") {
    std::vector<std::int64_t> keep;
    keep.reserve(static_cast<std::size_t>(frame.numRows()));
    for (std::int64_t r = 0; r < frame.numRows(); ++r)
      if (!invalidAt(r)) keep.push_back(r);
    if (static_cast<std::int64_t>(keep.size()) != frame.numRows()) {
      input = frame.take(keep);
      inputs = inputsOf(input);
    }
  } else if (mode == "error") {
    // The first invalid row, looked for in parallel.
    const std::int64_t r = parallel::firstFailure(
        frame.numRows(), kRowBlock, [&](std::int64_t i) { return invalidAt(i) == nullptr; });
    if (r >= 0) {
      if (const Input* bad = invalidAt(r)) {
        if (bad->col->isNull(r))
          throw DataError(fmt::format(
              "{}: values to assemble cannot be null: column '{}' is null at {} (set "
              "handleInvalid to 'skip' or 'keep', or fill it with Imputer)",
              describe(), bad->name, frame.rowLocation(r)));
        throw DataError(fmt::format(
            "{}: encountered NaN while assembling a row with handleInvalid = \"error\": column "
            "'{}' at {}. Consider removing NaNs from dataset or using handleInvalid = \"keep\" "
            "or \"skip\".",
            describe(), bad->name, frame.rowLocation(r)));
      }
    }
  }
  const std::int64_t n = input.numRows();
  std::int64_t dim = 0;
  for (const auto& in : inputs) dim += in.width;
  if (dim > std::numeric_limits<std::int32_t>::max())
    throw DataError(fmt::format("{}: the assembled vector would have {} entries", describe(), dim));
  // Pass 1: non-zero entries per row (Spark drops zeros; NaN counts as non-zero).
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto forEachEntry = [&](std::int64_t r, auto&& emit) {
    std::int64_t base = 0;
    for (const auto& in : inputs) {
      if (in.col->isNull(r)) {  // keep: NaN for every entry of the column
        for (std::int64_t k = 0; k < in.width; ++k) emit(base + k, nan);
      } else if (in.ints) {
        const double v = static_cast<double>((*in.ints)[r]);
        if (v != 0.0) emit(base, v);
      } else if (in.doubles) {
        const double v = (*in.doubles)[r];
        if (v != 0.0) emit(base, v);
      } else if (in.bools) {
        if ((*in.bools)[r]) emit(base, 1.0);  // Spark casts true to 1.0
      } else {
        (*in.vectors)[r].forEach([&](std::int64_t j, double v) {
          if (v != 0.0) emit(base + j, v);
        });
      }
      base += in.width;
    }
  };
  // One pass: each block of rows emits its entries into its own arrays, then the blocks are
  // laid out one after the other (or scattered into a dense array when that is smaller).
  struct Block {
    std::vector<std::int32_t> indices;
    std::vector<double> values;
    std::vector<std::int64_t> counts;
  };
  std::vector<Block> blocks(static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)));
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    Block& blk = blocks[static_cast<std::size_t>(b)];
    blk.counts.reserve(static_cast<std::size_t>(end - begin));
    blk.indices.reserve(static_cast<std::size_t>(end - begin) * inputs.size());
    blk.values.reserve(static_cast<std::size_t>(end - begin) * inputs.size());
    for (std::int64_t r = begin; r < end; ++r) {
      const std::size_t before = blk.values.size();
      forEachEntry(r, [&](std::int64_t j, double v) {
        blk.indices.push_back(static_cast<std::int32_t>(j));
        blk.values.push_back(v);
      });
      blk.counts.push_back(static_cast<std::int64_t>(blk.values.size() - before));
    }
  });
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(n) + 1, 0);
  std::vector<std::int64_t> blockStart(blocks.size() + 1, 0);
  {
    std::size_t r = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      for (const auto c : blocks[b].counts) {
        offsets[r + 1] = offsets[r] + c;
        ++r;
      }
      blockStart[b + 1] = offsets[r];
    }
  }
  const std::int64_t nnz = offsets.back();
  ColumnPtr out;
  const auto eachBlock = [&](auto&& fn) {
    parallel::forBlocks(static_cast<std::int64_t>(blocks.size()), 1,
                        [&](std::int64_t b, std::int64_t, std::int64_t) { fn(static_cast<std::size_t>(b)); });
  };
  if (1.5 * (static_cast<double>(nnz) + static_cast<double>(n)) <
      static_cast<double>(n) * static_cast<double>(dim)) {
    std::vector<std::int32_t> indices(static_cast<std::size_t>(nnz));
    std::vector<double> values(static_cast<std::size_t>(nnz));
    eachBlock([&](std::size_t b) {
      Block& blk = blocks[b];
      std::copy(blk.indices.begin(), blk.indices.end(), indices.begin() + blockStart[b]);
      std::copy(blk.values.begin(), blk.values.end(), values.begin() + blockStart[b]);
      blk = Block{};
    });
    out = VectorColumn::sparse(dim, std::move(offsets), std::move(indices), std::move(values));
  } else {
    std::vector<double> values(static_cast<std::size_t>(n * dim), 0.0);
    eachBlock([&](std::size_t b) {
      Block& blk = blocks[b];
      const std::int64_t first = static_cast<std::int64_t>(b) * kRowBlock;
      std::size_t k = 0;
      for (std::size_t i = 0; i < blk.counts.size(); ++i) {
        double* row = values.data() + (first + static_cast<std::int64_t>(i)) * dim;
        for (std::int64_t e = 0; e < blk.counts[i]; ++e, ++k) row[blk.indices[k]] = blk.values[k];
      }
      blk = Block{};
    });
    out = VectorColumn::dense(n, dim, std::move(values));
  }
  return input.withColumn(getOutputCol(), std::move(out));
}

}  // namespace td
