// src/feature/hashing_tf.cc
#include "thunderdome/feature/hashing_tf.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "thunderdome/core/parallel.h"
#include "thunderdome/core/shared_params.h"
#include "thunderdome/feature/murmur3.h"

namespace td {

namespace {
constexpr std::uint32_t kSeed = 42;
constexpr std::int64_t kRowBlock = 1024;
// Widest feature space whose terms are counted in an array (4 bytes per feature, per block).
constexpr std::int64_t kMaxDenseCounters = std::int64_t{1} << 22;
}  // namespace

HashingTF::HashingTF() : HashingTF(randomUid(kUidPrefix)) {}
HashingTF::HashingTF(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

std::int64_t HashingTF::indexOf(std::string_view term) const {
  return nonNegativeMod(murmur3_x86_32(term, kSeed), getNumFeatures());
}

Schema HashingTF::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kStringArray);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

Frame HashingTF::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& terms = input.col<StringArrayColumn>(getInputCol());
  const std::int64_t n = terms.size();
  const std::int64_t numFeatures = getNumFeatures();
  const bool binary = getBinary();

  struct Block {
    std::vector<std::int64_t> rowNnz;
    std::vector<std::int32_t> indices;
    std::vector<double> values;
  };
  std::vector<Block> blocks(static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)));
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    Block& blk = blocks[static_cast<std::size_t>(b)];
    std::vector<std::int32_t> scratch;
    // A row's term frequencies: counted in an array of numFeatures counters when the block's
    // terms outnumber the counters enough to pay for zeroing them (sorting only the distinct
    // indices), else by sorting every index. The same vector either way.
    std::int64_t blockTerms = 0;
    for (std::int64_t r = begin; r < end; ++r) blockTerms += static_cast<std::int64_t>(terms[r].size());
    const bool dense = numFeatures <= kMaxDenseCounters && numFeatures <= 8 * blockTerms;
    std::vector<std::uint32_t> count(dense ? static_cast<std::size_t>(numFeatures) : 0);
    for (std::int64_t r = begin; r < end; ++r) {
      scratch.clear();
      if (dense) {
        for (const std::string_view t : terms[r]) {
          const auto h = static_cast<std::int32_t>(
              nonNegativeMod(murmur3_x86_32(t, kSeed), numFeatures));
          if (count[static_cast<std::size_t>(h)]++ == 0) scratch.push_back(h);
        }
        std::sort(scratch.begin(), scratch.end());
        for (const std::int32_t h : scratch) {
          auto& c = count[static_cast<std::size_t>(h)];
          blk.indices.push_back(h);
          blk.values.push_back(binary ? 1.0 : static_cast<double>(c));
          c = 0;
        }
        blk.rowNnz.push_back(static_cast<std::int64_t>(scratch.size()));
        continue;
      }
      for (const std::string_view t : terms[r])
        scratch.push_back(static_cast<std::int32_t>(
            nonNegativeMod(murmur3_x86_32(t, kSeed), numFeatures)));
      std::sort(scratch.begin(), scratch.end());
      std::int64_t nnz = 0;
      for (std::size_t k = 0; k < scratch.size();) {
        std::size_t e = k;
        while (e < scratch.size() && scratch[e] == scratch[k]) ++e;
        blk.indices.push_back(scratch[k]);
        blk.values.push_back(binary ? 1.0 : static_cast<double>(e - k));
        ++nnz;
        k = e;
      }
      blk.rowNnz.push_back(nnz);
    }
  });
  std::vector<std::int64_t> offsets{0};
  offsets.reserve(static_cast<std::size_t>(n) + 1);
  std::size_t total = 0;
  for (const auto& b : blocks) total += b.indices.size();
  std::vector<std::int32_t> indices;
  std::vector<double> values;
  indices.reserve(total);
  values.reserve(total);
  for (const auto& b : blocks) {
    for (auto c : b.rowNnz) offsets.push_back(offsets.back() + c);
    indices.insert(indices.end(), b.indices.begin(), b.indices.end());
    values.insert(values.end(), b.values.begin(), b.values.end());
  }
  return input.withColumn(getOutputCol(),
                          VectorColumn::sparse(numFeatures, std::move(offsets),
                                               std::move(indices), std::move(values)));
}

bool HashingTF::derivesFrom(const Transformer& from) const {
  const auto* f = dynamic_cast<const HashingTF*>(&from);
  return f && f->getInputCol() == getInputCol() && f->getOutputCol() == getOutputCol() &&
         f->getBinary() == getBinary() && getNumFeatures() > 0 &&
         f->getNumFeatures() % getNumFeatures() == 0;
}

ColumnPtr HashingTF::deriveOutput(const Transformer& from, const ColumnPtr& fromOutput) const {
  if (!derivesFrom(from)) return nullptr;
  const auto* in = dynamic_cast<const VectorColumn*>(fromOutput.get());
  const std::int64_t big = static_cast<const HashingTF&>(from).getNumFeatures();
  if (!in || in->dim() != big || (in->size() > 0 && in->isDense())) return nullptr;
  if (big == getNumFeatures()) return fromOutput;
  const std::int64_t n = in->size();
  const std::int64_t numFeatures = getNumFeatures();
  const bool binary = getBinary();
  if (n == 0) return VectorColumn::sparse(numFeatures, {0}, {}, {});

  // One CSR column per block of kRowBlock (a power of two) rows, kept as the chunks of the
  // result (nothing copied to join them).
  std::vector<std::shared_ptr<const VectorColumn>> blocks(
      static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)));
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    std::int64_t blockNnz = 0;
    for (std::int64_t r = begin; r < end; ++r) blockNnz += (*in)[r].nnz;
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> indices;
    std::vector<double> values;
    offsets.reserve(static_cast<std::size_t>(end - begin) + 1);
    indices.reserve(static_cast<std::size_t>(blockNnz));
    values.reserve(static_cast<std::size_t>(blockNnz));
    // A row's entries are summed in the order of their indices in `from`'s vector: in
    // numFeatures counters when zeroing them pays (as in transform), the row's folded indices
    // then read off a bit set (or sorted, when few are far apart), else by sorting (folded
    // index, position). The same sums either way. `from`'s indices ascend, so the folded ones
    // form runs [q*m, (q+1)*m): one division per run, not per entry.
    const bool dense = numFeatures <= kMaxDenseCounters && numFeatures <= 8 * blockNnz;
    std::vector<double> sum(dense ? static_cast<std::size_t>(numFeatures) : 0, 0.0);
    std::vector<std::uint64_t> bits(dense ? static_cast<std::size_t>((numFeatures + 63) / 64) : 0, 0);
    std::vector<std::int32_t> distinct;
    std::vector<std::pair<std::int32_t, std::int32_t>> folded;  // (index, position in the row)
    auto emit = [&](std::int32_t h) {
      auto& c = sum[static_cast<std::size_t>(h)];
      indices.push_back(h);
      values.push_back(binary ? 1.0 : c);
      c = 0.0;
    };
    for (std::int64_t r = begin; r < end; ++r) {
      const VectorView v = (*in)[r];
      std::int64_t base = 0;  // the start of the run of v.indices[k]
      if (dense) {
        distinct.clear();
        std::int32_t lo = std::numeric_limits<std::int32_t>::max(), hi = -1;
        for (std::int64_t k = 0; k < v.nnz; ++k) {
          const std::int64_t i = v.indices[k];
          if (i - base >= numFeatures) base = i - i % numFeatures;
          const auto h = static_cast<std::int32_t>(i - base);
          auto& word = bits[static_cast<std::size_t>(h >> 6)];
          const std::uint64_t bit = std::uint64_t{1} << (h & 63);
          if (!(word & bit)) {
            word |= bit;
            distinct.push_back(h);
            lo = std::min(lo, h);
            hi = std::max(hi, h);
          }
          sum[static_cast<std::size_t>(h)] += v.values[k];
        }
        if (hi >= 0 && (hi >> 6) - (lo >> 6) + 1 <= 4 * static_cast<std::int64_t>(distinct.size())) {
          for (std::int32_t w = lo >> 6; w <= hi >> 6; ++w) {
            std::uint64_t word = bits[static_cast<std::size_t>(w)];
            bits[static_cast<std::size_t>(w)] = 0;
            for (; word; word &= word - 1) emit(w * 64 + std::countr_zero(word));
          }
        } else {
          std::sort(distinct.begin(), distinct.end());
          for (const std::int32_t h : distinct) {
            bits[static_cast<std::size_t>(h >> 6)] = 0;
            emit(h);
          }
        }
      } else {
        folded.clear();
        for (std::int64_t k = 0; k < v.nnz; ++k) {
          const std::int64_t i = v.indices[k];
          if (i - base >= numFeatures) base = i - i % numFeatures;
          folded.emplace_back(static_cast<std::int32_t>(i - base), static_cast<std::int32_t>(k));
        }
        std::sort(folded.begin(), folded.end());
        for (std::size_t k = 0; k < folded.size();) {
          double total = 0.0;
          std::size_t e = k;
          for (; e < folded.size() && folded[e].first == folded[k].first; ++e)
            total += v.values[folded[e].second];
          indices.push_back(folded[k].first);
          values.push_back(binary ? 1.0 : total);
          k = e;
        }
      }
      offsets.push_back(static_cast<std::int64_t>(indices.size()));
    }
    blocks[static_cast<std::size_t>(b)] =
        VectorColumn::sparse(numFeatures, std::move(offsets), std::move(indices), std::move(values));
  });
  return VectorColumn::concat(std::move(blocks));
}

}  // namespace td
