// include/thunderdome/feature/tokenizer.h
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Lowercases UTF-8 text the way Java's String.toLowerCase does for ASCII, Latin-1, Latin
/// Extended-A, Greek and Cyrillic letters; other code points are kept as they are.
std::string toLowerUtf8(std::string_view s);

/// Lowercases a string column and splits it on single ASCII whitespace characters, exactly as
/// Spark's Tokenizer (Java `split("\\s")`: empty tokens between separators kept, trailing ones
/// dropped).
class Tokenizer final : public Transformer {
  TD_CLASS(Tokenizer, "tok", "org.apache.spark.ml.feature.Tokenizer",
           "Lowercases text and splits it on whitespace (Java split semantics)")
  TD_SPARK_DIFFERENCES(
      "Identical output: lowercase, then Java `split(\"\\\\s\")` (empty tokens kept, "
      "trailing ones dropped). Lowercasing covers ASCII, Latin-1, Latin Extended-A, Greek "
      "and Cyrillic; Spark uses the JVM locale's full Unicode rules.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())

  Tokenizer();
  explicit Tokenizer(std::string uid);

  /// The tokens of one text, as the transformer produces them.
  [[nodiscard]] static std::vector<std::string> tokenize(std::string_view text);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

/// Splits text by a regular expression (gaps=true) or extracts its matches (gaps=false),
/// keeping tokens of at least minTokenLength characters (Spark's RegexTokenizer). Patterns are
/// ECMAScript regular expressions, which agree with Java's for the usual tokenizing patterns.
class RegexTokenizer final : public Transformer {
  TD_CLASS(RegexTokenizer, "regexTok", "org.apache.spark.ml.feature.RegexTokenizer",
           "Splits text by a regular expression (gaps) or extracts its matches")
  TD_SPARK_DIFFERENCES(
      "Same params and defaults (`pattern=\"\\\\s+\"`, `gaps=true`, `minTokenLength=1`, "
      "`toLowercase=true`). Patterns are ECMAScript regexes, equal to Java's for the usual "
      "tokenizing patterns (`\\\\s+`, `\\\\W`, `\\\\w+`); Java-only syntax (possessive "
      "quantifiers, `\\\\p{...}`) is not supported.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::string, pattern, Pattern, "regex pattern used for tokenizing", "\\s+")
  TD_PARAM(bool, gaps, Gaps, "Set regex to match gaps or tokens", true)
  TD_PARAM(std::int64_t, minTokenLength, MinTokenLength, "minimum token length (>= 0)", 1,
           ParamValidator::gtEq(0))
  TD_PARAM(bool, toLowercase, ToLowercase,
           "whether to convert all characters to lowercase before tokenizing.", true)

  RegexTokenizer();
  explicit RegexTokenizer(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td
