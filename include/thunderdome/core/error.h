// include/thunderdome/core/error.h
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace td {

/// The category of an error; the CLI maps these to exit codes.
enum class ErrorCode {
  kInvalidArgument,  ///< A bad parameter name, type or value (usage error).
  kColumn,           ///< A missing column or a column of the wrong type.
  kData,             ///< Bad data: malformed rows, NaN, empty or single-class input, bad labels.
  kIo,               ///< A file or storage operation failed.
  kInternal,         ///< A broken invariant inside thunderdome (a bug).
};

/// Base class of every exception thrown by thunderdome; carries an ErrorCode.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  /// The category of this error.
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/// A parameter problem: unknown name, wrong type, value out of range, or unset without default.
class ParamError : public Error {
 public:
  explicit ParamError(const std::string& message) : Error(ErrorCode::kInvalidArgument, message) {}
};

/// A column problem: the named column does not exist, already exists, or has the wrong type.
class ColumnError : public Error {
 public:
  explicit ColumnError(const std::string& message) : Error(ErrorCode::kColumn, message) {}
  /// An error about the input column `column` (missing, or of the wrong type), so that a caller
  /// that knows where the data came from can word it as the data's problem.
  ColumnError(const std::string& message, std::string column)
      : Error(ErrorCode::kColumn, message), column_(std::move(column)) {}
  /// The input column this error is about; "" when it is not about one input column.
  [[nodiscard]] const std::string& column() const noexcept { return column_; }

 private:
  std::string column_;
};

/// A data problem: malformed row, NaN feature, empty input, invalid or single-class labels.
class DataError : public Error {
 public:
  explicit DataError(const std::string& message) : Error(ErrorCode::kData, message) {}
};

/// An I/O problem: a file that cannot be opened, read or written.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error(ErrorCode::kIo, message) {}
};

/// A broken internal invariant (a bug in thunderdome, not in the input).
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error(ErrorCode::kInternal, message) {}
};

}  // namespace td
