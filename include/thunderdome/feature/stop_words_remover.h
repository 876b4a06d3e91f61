// include/thunderdome/feature/stop_words_remover.h
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Filters stop words out of string arrays, as Spark 3.5's StopWordsRemover: a token is dropped
/// when it is in stopWords (compared after lowercasing both with `locale` unless caseSensitive).
/// One column (inputCol/outputCol) or several (inputCols/outputCols, Spark 3's form).
/// Lowercasing follows Java's String.toLowerCase(Locale) for ASCII, Latin-1, Latin Extended-A,
/// Greek and Cyrillic letters, with the Turkish/Azeri dotted and dotless I (locale tr or az) and
/// U+0130 to "i" + U+0307 elsewhere; other code points (and Lithuanian's and Greek final-sigma
/// rules) are kept as they are. Frames have no nulls, so Spark's null tokens do not arise.
class StopWordsRemover final : public Transformer {
  TD_CLASS(StopWordsRemover, "stopWords", "org.apache.spark.ml.feature.StopWordsRemover",
           "Filters stop words out of token arrays (Spark's English list by default)")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params and defaults: `stopWords` (Spark's 181-word English list; "
      "`StopWordsRemover::loadDefaultStopWords` has `english` and `turkish`, Spark's other "
      "12 languages are not bundled), `caseSensitive=false`, `locale=\"en_US\"` (Spark: the "
      "JVM default, else en_US), single (`inputCol`/`outputCol`) or multi-column "
      "(`inputCols`/`outputCols`) form with Spark's exclusivity checks. `locale` accepts a "
      "language code Java has locales for, optionally with `_` and a region (`tr`, `en_US`, "
      "`es_419`); Spark checks against the JVM's exact list. Case-insensitive matching "
      "lowercases like Java for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic, "
      "including the Turkish/Azeri dotted and dotless I; other scripts, Lithuanian rules "
      "and the Greek final sigma are left as they are. No null tokens (frames have no "
      "nulls).")

  /// Spark's default stop words of `language` ("english": 181 words, "turkish": 53), in
  /// Spark's order; throws ParamError naming the supported languages for any other.
  [[nodiscard]] static std::vector<std::string> loadDefaultStopWords(std::string_view language);
  /// The languages loadDefaultStopWords knows.
  [[nodiscard]] static std::vector<std::string> supportedLanguages();
  /// The rule of the locale param: "xx" or "xx_YY" with a language Java has locales for.
  [[nodiscard]] static ParamValidator localeValidator();

  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::vector<std::string>, inputCols, InputCols, "input column names", kNoDefault)
  TD_PARAM(std::vector<std::string>, outputCols, OutputCols, "output column names", kNoDefault)
  TD_PARAM(std::vector<std::string>, stopWords, StopWords, "the words to be filtered out",
           loadDefaultStopWords("english"))
  TD_PARAM(bool, caseSensitive, CaseSensitive,
           "whether to do a case-sensitive comparison over the stop words", false)
  TD_PARAM(std::string, locale, Locale,
           "Locale of the input for case insensitive matching. Ignored when caseSensitive is "
           "true.",
           "en_US", localeValidator())

  StopWordsRemover();
  explicit StopWordsRemover(std::string uid);

  /// `s` lowercased as Java's s.toLowerCase(new Locale(locale)) within the limits above.
  [[nodiscard]] static std::string toLowerLocale(std::string_view s, std::string_view locale);
  /// The (input, output) column pairs: inputCol/outputCol when inputCol is set, else
  /// inputCols/outputCols; throws ParamError as Spark's checkSingleVsMultiColumnParams.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> inOutCols() const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td
