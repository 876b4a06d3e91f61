// include/thunderdome/feature/tokenizer.h
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/pipeline/stage.h"

namespace td {

/// Lowercases UTF-8 text the way Java's String.toLowerCase does for ASCII, Latin-1, Latin
/// Extended-A, Greek and Cyrillic letters; other code points are kept as they are.
std::string toLowerUtf8(std::string_view s);

/// Lowercases a string column and splits it on single ASCII whitespace characters, exactly as
/// Spark's Tokenizer (Java `split("\\s")`: empty tokens between separators kept, trailing ones
/// dropped).
class Tokenizer final : public Transformer {
 public:
  Tokenizer();
  explicit Tokenizer(std::string uid);
  [[nodiscard]] std::string className() const override { return "Tokenizer"; }

  Tokenizer& setInputCol(const std::string& v) { set("inputCol", v); return *this; }
  Tokenizer& setOutputCol(const std::string& v) { set("outputCol", v); return *this; }
  [[nodiscard]] std::string getInputCol() const { return getString("inputCol"); }
  [[nodiscard]] std::string getOutputCol() const { return getString("outputCol"); }

  /// The tokens of one text, as the transformer produces them.
  [[nodiscard]] static std::vector<std::string> tokenize(std::string_view text);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override {
    return copyWithExtra(*this, extra);
  }
  static const ParamSchema& schema();

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input) const override;
};

/// Splits text by a regular expression (gaps=true) or extracts its matches (gaps=false),
/// keeping tokens of at least minTokenLength characters (Spark's RegexTokenizer). Patterns are
/// ECMAScript regular expressions, which agree with Java's for the usual tokenizing patterns.
class RegexTokenizer final : public Transformer {
 public:
  RegexTokenizer();
  explicit RegexTokenizer(std::string uid);
  [[nodiscard]] std::string className() const override { return "RegexTokenizer"; }

  RegexTokenizer& setInputCol(const std::string& v) { set("inputCol", v); return *this; }
  RegexTokenizer& setOutputCol(const std::string& v) { set("outputCol", v); return *this; }
  RegexTokenizer& setPattern(const std::string& v) { set("pattern", v); return *this; }
  RegexTokenizer& setGaps(bool v) { set("gaps", v); return *this; }
  RegexTokenizer& setMinTokenLength(std::int64_t v) { set("minTokenLength", v); return *this; }
  RegexTokenizer& setToLowercase(bool v) { set("toLowercase", v); return *this; }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override {
    return copyWithExtra(*this, extra);
  }
  static const ParamSchema& schema();

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input) const override;
};

}  // namespace td
