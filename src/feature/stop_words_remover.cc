// src/feature/stop_words_remover.cc
#include "thunderdome/feature/stop_words_remover.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <unordered_set>

#include "thunderdome/core/parallel.h"
#include "thunderdome/feature/tokenizer.h"

namespace td {

namespace {

constexpr std::int64_t kRowBlock = 1024;

// Spark 3.5's mllib/src/main/resources/org/apache/spark/ml/feature/stopwords/english.txt (181
// words, in its order).
constexpr std::string_view kEnglish[] = {
    "i",       "me",       "my",      "myself",    "we",         "our",     "ours",     "ourselves",
    "you",     "your",     "yours",   "yourself",  "yourselves", "he",      "him",      "his",
    "himself", "she",      "her",     "hers",      "herself",    "it",      "its",      "itself",
    "they",    "them",     "their",   "theirs",    "themselves", "what",    "which",    "who",
    "whom",    "this",     "that",    "these",     "those",      "am",      "is",       "are",
    "was",     "were",     "be",      "been",      "being",      "have",    "has",      "had",
    "having",  "do",       "does",    "did",       "doing",      "a",       "an",       "the",
    "and",     "but",      "if",      "or",        "because",    "as",      "until",    "while",
    "of",      "at",       "by",      "for",       "with",       "about",   "against",  "between",
    "into",    "through",  "during",  "before",    "after",      "above",   "below",    "to",
    "from",    "up",       "down",    "in",        "out",        "on",      "off",      "over",
    "under",   "again",    "further", "then",      "once",       "here",    "there",    "when",
    "where",   "why",      "how",     "all",       "any",        "both",    "each",     "few",
    "more",    "most",     "other",   "some",      "such",       "no",      "nor",      "not",
    "only",    "own",      "same",    "so",        "than",       "too",     "very",     "s",
    "t",       "can",      "will",    "just",      "don",        "should",  "now",      "i'll",
    "you'll",  "he'll",    "she'll",  "we'll",     "they'll",    "i'd",     "you'd",    "he'd",
    "she'd",   "we'd",     "they'd",  "i'm",       "you're",     "he's",    "she's",    "it's",
    "we're",   "they're",  "i've",    "we've",     "you've",     "they've", "isn't",    "aren't",
    "wasn't",  "weren't",  "haven't", "hasn't",    "hadn't",     "don't",   "doesn't",  "didn't",
    "won't",   "wouldn't", "shan't",  "shouldn't", "mustn't",    "can't",   "couldn't", "cannot",
    "could",   "here's",   "how's",   "let's",     "ought",      "that's",  "there's",  "what's",
    "when's",  "where's",  "who's",   "why's",     "would",
};

// Spark 3.5's stopwords/turkish.txt (53 words, UTF-8).
constexpr std::string_view kTurkish[] = {
    "acaba", "ama",   "aslında", "az",     "bazı",   "belki", "biri", "birkaç", "birşey",
    "biz",   "bu",    "çok",     "çünkü",  "da",     "daha",  "de",   "defa",   "diye",
    "eğer",  "en",    "gibi",    "hem",    "hep",    "hepsi", "her",  "hiç",    "için",
    "ile",   "ise",   "kez",     "ki",     "kim",    "mı",    "mu",   "mü",     "nasıl",
    "ne",    "neden", "nerde",   "nerede", "nereye", "niçin", "niye", "o",      "sanki",
    "şey",   "siz",   "şu",      "tüm",    "ve",     "veya",  "ya",   "yani",
};
static_assert(std::size(kEnglish) == 181 && std::size(kTurkish) == 53);

// Language codes of the JVM's available locales (Locale.getAvailableLocales with CLDR data): the
// two-letter ones and a few three-letter ones, plus Java's legacy codes iw, in and ji.
constexpr std::string_view kLanguages[] = {
    "af", "am", "ar", "as",  "az",  "be",  "bg",  "bn",  "bo",  "br",  "bs", "ca", "cs", "cy",
    "da", "de", "dz", "el",  "en",  "eo",  "es",  "et",  "eu",  "fa",  "ff", "fi", "fo", "fr",
    "fy", "ga", "gd", "gl",  "gu",  "gv",  "ha",  "he",  "hi",  "hr",  "hu", "hy", "ia", "id",
    "ig", "ii", "in", "is",  "it",  "iw",  "ja",  "ji",  "ka",  "ki",  "kk", "kl", "km", "kn",
    "ko", "ks", "ku", "kw",  "ky",  "lb",  "lg",  "ln",  "lo",  "lt",  "lu", "lv", "mg", "mi",
    "mk", "ml", "mn", "mr",  "ms",  "mt",  "my",  "nb",  "nd",  "ne",  "nl", "nn", "no", "om",
    "or", "os", "pa", "pl",  "ps",  "pt",  "qu",  "rm",  "rn",  "ro",  "ru", "rw", "sa", "sd",
    "se", "sg", "si", "sk",  "sl",  "sn",  "so",  "sq",  "sr",  "sv",  "sw", "ta", "te", "tg",
    "th", "ti", "tk", "to",  "tr",  "tt",  "ug",  "uk",  "ur",  "uz",  "vi", "wo", "xh", "yi",
    "yo", "zh", "zu", "ast", "fil", "haw", "kok", "yue", "chr", "ckb", "gsw"};

bool knownLanguage(std::string_view lang) {
  return std::find(std::begin(kLanguages), std::end(kLanguages), lang) != std::end(kLanguages);
}

// "xx", "xx_YY" or "xx_123" (a UN M.49 region), with a known language.
bool validLocale(std::string_view s) {
  const auto us = s.find('_');
  const std::string_view lang = s.substr(0, us);
  if (!knownLanguage(lang)) return false;
  if (us == std::string_view::npos) return true;
  const std::string_view region = s.substr(us + 1);
  const auto all = [&](auto pred) { return std::all_of(region.begin(), region.end(), pred); };
  return (region.size() == 2 && all([](char c) { return c >= 'A' && c <= 'Z'; })) ||
         (region.size() == 3 && all([](char c) { return c >= '0' && c <= '9'; }));
}

// Heterogeneous lookup: a set of std::string searched with std::string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using WordSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// One output column: the rows of `in` without the tokens `isStopWord` accepts.
template <class Pred>
ColumnPtr filterColumn(const StringArrayColumn& in, const Pred& isStopWord) {
  return buildStringArrayColumn(in.size(), kRowBlock, [&](std::int64_t r, StringArrayBlock& b) {
    for (const std::string_view t : in[r])
      if (!isStopWord(t)) b.add(t);
  });
}

}  // namespace

std::vector<std::string> StopWordsRemover::supportedLanguages() { return {"english", "turkish"}; }

std::vector<std::string> StopWordsRemover::loadDefaultStopWords(std::string_view language) {
  if (language == "english") return {std::begin(kEnglish), std::end(kEnglish)};
  if (language == "turkish") return {std::begin(kTurkish), std::end(kTurkish)};
  throw ParamError(fmt::format(
      "StopWordsRemover.loadDefaultStopWords: '{}' is not in the supported language list: {} "
      "(Spark's danish, dutch, finnish, french, german, hungarian, italian, norwegian, "
      "portuguese, russian, spanish and swedish lists are not included: pass them as stopWords)",
      language, fmt::join(supportedLanguages(), ", ")));
}

ParamValidator StopWordsRemover::localeValidator() {
  return {[](const ParamValue& v) { return validLocale(v.as<std::string>()); },
          "a locale available in the JVM: a language code (en, tr, ...) optionally followed by "
          "_ and a region (en_US, tr_TR)"};
}

std::string StopWordsRemover::toLowerLocale(std::string_view s, std::string_view locale) {
  const std::string_view lang = locale.substr(0, locale.find('_'));
  const bool turkic = lang == "tr" || lang == "az";
  std::string out;
  out.reserve(s.size());
  std::size_t run = 0;  // start of the bytes not yet lowercased
  const auto flush = [&](std::size_t i) {
    if (i > run) out += toLowerUtf8(s.substr(run, i - run));
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s.compare(i, 2, "\xC4\xB0") == 0) {  // U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE
      flush(i);
      out += turkic ? "i" : "i\xCC\x87";  // Java: "i" in tr/az, else "i" + U+0307
      run = i += 2;
    } else if (turkic && s[i] == 'I') {
      flush(i);
      out += "\xC4\xB1";  // U+0131 LATIN SMALL LETTER DOTLESS I
      run = i += 1;
    } else {
      ++i;
    }
  }
  flush(s.size());
  return out;
}

StopWordsRemover::StopWordsRemover() : StopWordsRemover(randomUid(kUidPrefix)) {}
StopWordsRemover::StopWordsRemover(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

std::vector<std::pair<std::string, std::string>> StopWordsRemover::inOutCols() const {
  return shared::singleOrMultiColumns(*this);
}

Schema StopWordsRemover::transformSchema(const Schema& input) const {
  Schema out = input;
  for (const auto& [in, o] : inOutCols()) {
    input.requireType(describe(), in, DataType::kStringArray);
    out.requireAbsent(describe(), o);
    out = out.with({o, DataType::kStringArray});
  }
  return out;
}

Frame StopWordsRemover::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const bool caseSensitive = getCaseSensitive();
  const std::string locale = getLocale();
  WordSet words;
  for (const auto& w : getStopWords()) words.insert(caseSensitive ? w : toLowerLocale(w, locale));
  Frame out = input;
  for (const auto& [in, o] : inOutCols()) {
    const auto& col = input.col<StringArrayColumn>(in);
    ColumnPtr filtered;
    if (caseSensitive) {
      filtered = filterColumn(col, [&](std::string_view t) { return words.contains(t); });
    } else {
      filtered = filterColumn(col, [&](std::string_view t) {
        return words.contains(std::string_view(toLowerLocale(t, locale)));
      });
    }
    out = out.withColumn(o, std::move(filtered));
  }
  return out;
}

}  // namespace td
