// src/feature/count_vectorizer.cc
#include "thunderdome/feature/count_vectorizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {

constexpr std::int64_t kRowBlock = 1024;

// Counts of terms in an open-addressing table over views into the column's bytes (no term is
// copied): slots hold an index + 1 into `entries` (0 = empty) and every entry keeps its full
// hash, so a probe compares text only when the hashes agree.
class TermCounts {
 public:
  // A term's total count over the corpus, its document frequency, and the last row it was
  // seen in (so a document counts once towards df).
  struct Entry {
    std::string_view term;
    std::uint64_t hash = 0;
    std::int64_t count = 0;
    std::int64_t df = 0;
    std::int64_t lastRow = -1;
  };

  Entry& at(std::string_view t, std::uint64_t h) {
    if (2 * (entries_.size() + 1) > slots_.size()) grow();
    for (std::uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      std::uint32_t& slot = slots_[i];
      if (slot == 0) {
        entries_.push_back(Entry{t, h});
        slot = static_cast<std::uint32_t>(entries_.size());
        return entries_.back();
      }
      Entry& e = entries_[slot - 1];
      if (e.hash == h && e.term == t) return e;
    }
  }
  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  [[nodiscard]] bool empty() const { return entries_.empty(); }

 private:
  void grow() {
    const std::size_t size = slots_.empty() ? 1024 : 2 * slots_.size();
    slots_.assign(size, 0);
    mask_ = size - 1;
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      std::uint64_t i = entries_[k].hash & mask_;
      while (slots_[i] != 0) i = (i + 1) & mask_;
      slots_[i] = static_cast<std::uint32_t>(k + 1);
    }
  }
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> slots_;
  std::uint64_t mask_ = 0;
};

// (count, df) of every term of the column, counted in parallel blocks and merged.
TermCounts countTerms(const StringArrayColumn& col) {
  const std::int64_t rows = col.size();
  std::vector<TermCounts> partial(static_cast<std::size_t>(parallel::numBlocks(rows, kRowBlock)));
  const std::hash<std::string_view> hash;
  parallel::forBlocks(rows, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    TermCounts& m = partial[static_cast<std::size_t>(b)];
    for (std::int64_t r = begin; r < end; ++r)
      for (const std::string_view t : col[r]) {
        TermCounts::Entry& s = m.at(t, hash(t));
        ++s.count;
        if (s.lastRow != r) {
          ++s.df;
          s.lastRow = r;
        }
      }
  });
  if (partial.empty()) return {};
  TermCounts all = std::move(partial[0]);
  for (std::size_t b = 1; b < partial.size(); ++b) {
    for (const auto& e : partial[b].entries()) {
      TermCounts::Entry& t = all.at(e.term, e.hash);
      t.count += e.count;
      t.df += e.df;
    }
    partial[b] = TermCounts();
  }
  return all;
}

// The first 8 bytes of `s` as a big-endian number (zero-padded): comparing two of them orders
// the strings by those bytes, so most comparisons of a sort never read the text.
std::uint64_t prefixKey(std::string_view s) {
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < 8; ++i)
    k = (k << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0U);
  return k;
}

}  // namespace

// ---------------------------------------------------------------- CountVectorizer
CountVectorizer::CountVectorizer() : CountVectorizer(randomUid(kUidPrefix)) {}
CountVectorizer::CountVectorizer(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema CountVectorizer::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kStringArray);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::shared_ptr<Model> CountVectorizer::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  const double minDF = getMinDF();
  const double maxDF = getMaxDF();
  const auto requireOrder = [&](double lo, double hi, const std::string& how) {
    if (!(hi >= lo))
      throw ParamError(fmt::format("{}: maxDF must be >= minDF. (minDF={}, maxDF={}{})",
                                   describe(), ParamValue(minDF).toString(),
                                   ParamValue(maxDF).toString(), how));
  };
  if ((minDF >= 1.0 && maxDF >= 1.0) || (minDF < 1.0 && maxDF < 1.0))
    requireOrder(minDF, maxDF, "");
  const auto& col = data.col<StringArrayColumn>(getInputCol());
  const auto n = static_cast<double>(col.size());
  const double minDf = minDF >= 1.0 ? minDF : minDF * n;
  const double maxDf = maxDF >= 1.0 ? maxDF : maxDF * n;
  requireOrder(minDf, maxDf,
               fmt::format(": over {} documents, at least {} and at most {} documents", col.size(),
                           ParamValue(minDf).toString(), ParamValue(maxDf).toString()));

  const TermCounts counts = countTerms(col);
  struct Candidate {
    std::int64_t count;
    std::uint64_t prefix;
    std::string_view term;
  };
  std::vector<Candidate> kept;
  kept.reserve(counts.entries().size());
  for (const auto& e : counts.entries()) {
    const auto df = static_cast<double>(e.df);
    if (df >= minDf && df <= maxDf) kept.push_back(Candidate{e.count, prefixKey(e.term), e.term});
  }
  // Spark: wordCounts.top(min(size, vocabSize))(Ordering.by(count)): the largest counts first.
  // Spark leaves ties to its partitioning; here they go in increasing byte order of the term.
  const auto before = [](const Candidate& a, const Candidate& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return a.term < b.term;
  };
  const auto take = static_cast<std::size_t>(
      std::min<std::int64_t>(static_cast<std::int64_t>(kept.size()), getVocabSize()));
  std::partial_sort(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(take), kept.end(),
                    before);
  std::vector<std::string> vocabulary;
  vocabulary.reserve(take);
  for (std::size_t k = 0; k < take; ++k) vocabulary.emplace_back(kept[k].term);
  auto model = std::make_shared<CountVectorizerModel>(uid(), std::move(vocabulary));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- CountVectorizerModel
std::shared_ptr<const CountVectorizerModel::Dictionary> CountVectorizerModel::makeDictionary(
    std::vector<std::string> terms) {
  auto d = std::make_shared<Dictionary>();
  d->terms = std::move(terms);
  std::size_t size = 16;
  while (size < 2 * d->terms.size()) size *= 2;  // at most half full
  d->slots.assign(size, 0);
  d->mask = size - 1;
  // Spark's vocabulary.zipWithIndex.toMap: a repeated term maps to its last index.
  for (std::size_t k = 0; k < d->terms.size(); ++k) {
    const std::uint64_t h = std::hash<std::string_view>{}(d->terms[k]);
    const std::uint64_t entry = (h & 0xFFFFFFFF00000000ULL) | (k + 1);
    for (std::uint64_t i = h & d->mask;; i = (i + 1) & d->mask) {
      std::uint64_t& slot = d->slots[i];
      if (slot == 0 || ((slot >> 32) == (h >> 32) &&
                        d->terms[(slot & 0xFFFFFFFFULL) - 1] == d->terms[k])) {
        slot = entry;
        break;
      }
    }
  }
  return d;
}

std::int32_t CountVectorizerModel::Dictionary::find(std::string_view t) const {
  const std::uint64_t h = std::hash<std::string_view>{}(t);
  for (std::uint64_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = slots[i];
    if (slot == 0) return -1;
    if ((slot >> 32) == (h >> 32)) {
      const auto k = static_cast<std::size_t>(slot & 0xFFFFFFFFULL) - 1;
      if (terms[k] == t) return static_cast<std::int32_t>(k);
    }
  }
}

CountVectorizerModel::CountVectorizerModel(std::string uid, std::vector<std::string> vocabulary)
    : Model(std::move(uid), schema()), dict_(makeDictionary(std::move(vocabulary))) {
  setDefault(CountVectorizer::outputCol.name(), this->uid() + "__output");
}

CountVectorizerModel::CountVectorizerModel(std::string uid)
    : CountVectorizerModel(std::move(uid), std::vector<std::string>{}) {}

std::shared_ptr<CountVectorizerModel> CountVectorizerModel::fromVocabulary(
    std::vector<std::string> vocabulary) {
  const auto size = static_cast<std::int64_t>(vocabulary.size());
  auto model =
      std::make_shared<CountVectorizerModel>(randomUid(kUidPrefix), std::move(vocabulary));
  model->set(CountVectorizer::vocabSize, size);
  return model;
}

Schema CountVectorizerModel::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kStringArray);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::vector<StateItem> CountVectorizerModel::stateSummary() const {
  return {{"vocabularySize", "vocabularySize", vocabularySize()}};
}

void CountVectorizerModel::saveState(StateWriter& out) const {
  out.putInt("vocabularySize", vocabularySize());
  out.putStringRows("vocabulary", {dict_->terms});
}

void CountVectorizerModel::loadState(const StateReader& in) {
  const auto size = in.getInt("vocabularySize");
  auto rows = in.getStringRows("vocabulary");
  if (rows.size() != 1 || static_cast<std::int64_t>(rows[0].size()) != size)
    in.fail(fmt::format("vocabulary holds {} terms but vocabularySize is {}",
                        rows.empty() ? 0 : rows[0].size(), size));
  dict_ = makeDictionary(std::move(rows[0]));
}

Frame CountVectorizerModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<StringArrayColumn>(getInputCol());
  const double minTF = getMinTF();
  const bool binary = getBinary();
  const Dictionary& dict = *dict_;
  const std::int64_t rows = col.size();
  const auto nb = static_cast<std::size_t>(parallel::numBlocks(rows, kRowBlock));
  std::vector<std::vector<std::int32_t>> blockIdx(nb);
  std::vector<std::vector<double>> blockVal(nb);
  std::vector<std::vector<std::int64_t>> blockCounts(nb);
  parallel::forBlocks(rows, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    auto& idx = blockIdx[static_cast<std::size_t>(b)];
    auto& val = blockVal[static_cast<std::size_t>(b)];
    auto& counts = blockCounts[static_cast<std::size_t>(b)];
    std::vector<std::int32_t> hits;
    for (std::int64_t r = begin; r < end; ++r) {
      const StringArrayRow tokens = col[r];
      hits.clear();
      for (const std::string_view t : tokens) {
        if (const std::int32_t k = dict.find(t); k >= 0) hits.push_back(k);
      }
      std::sort(hits.begin(), hits.end());
      // Spark: minTF >= 1 is a count, else a fraction of all the document's tokens.
      const double effectiveMinTF =
          minTF >= 1.0 ? minTF : static_cast<double>(tokens.size()) * minTF;
      const std::size_t before = idx.size();
      for (std::size_t k = 0; k < hits.size();) {
        std::size_t e = k;
        while (e < hits.size() && hits[e] == hits[k]) ++e;
        const auto c = static_cast<double>(e - k);
        if (c >= effectiveMinTF) {
          idx.push_back(hits[k]);
          val.push_back(binary ? 1.0 : c);
        }
        k = e;
      }
      counts.push_back(static_cast<std::int64_t>(idx.size() - before));
    }
  });
  std::vector<std::int64_t> offsets{0};
  offsets.reserve(static_cast<std::size_t>(rows) + 1);
  std::vector<std::int32_t> indices;
  std::vector<double> values;
  for (std::size_t b = 0; b < nb; ++b) {
    for (auto c : blockCounts[b]) offsets.push_back(offsets.back() + c);
    indices.insert(indices.end(), blockIdx[b].begin(), blockIdx[b].end());
    values.insert(values.end(), blockVal[b].begin(), blockVal[b].end());
    std::vector<std::int32_t>().swap(blockIdx[b]);
    std::vector<double>().swap(blockVal[b]);
  }
  return input.withColumn(getOutputCol(),
                          VectorColumn::sparse(vocabularySize(), std::move(offsets),
                                               std::move(indices), std::move(values)));
}

}  // namespace td
