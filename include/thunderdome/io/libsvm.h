// include/thunderdome/io/libsvm.h
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "thunderdome/frame/frame.h"
#include "thunderdome/io/stream.h"
#include "thunderdome/storage/storage.h"

namespace td {

/// Options of the LibSVM reader (Spark's "libsvm" data source).
struct LibSvmOptions {
  /// Vector dimension; 0 infers it as the largest feature index in the data.
  std::int64_t numFeatures = 0;
  /// Accept NaN/Infinity labels and values (as Spark's reader does); false (the default): a
  /// DataError naming the file, line and token, before anything downstream sees them.
  bool allowNonFinite = false;
};

/// Reads a LibSVM file (`label idx:val ...`, 1-based strictly increasing indices, '#' comments)
/// into columns "label" (double) and "features" (sparse vector, 0-based indices, as Spark).
/// Throws IoError if the file cannot be read and DataError naming file, line and token on bad
/// input; ParamError if numFeatures is negative or too large. A swift://container/object is
/// parsed as it downloads.
Frame readLibSvm(const std::string& path, const LibSvmOptions& options = {});
/// As above, reading through `storage`.
Frame readLibSvm(const std::string& path, const LibSvmOptions& options,
                 const storage::Storage& storage);

/// Parses LibSVM text; `sourceName` stands for the file name in error messages.
Frame readLibSvmString(std::string_view text, const LibSvmOptions& options = {},
                       std::string_view sourceName = "<string>");

/// Parses the LibSVM text `source` delivers chunk by chunk, line by line as the chunks arrive
/// (a line may span chunks); the result and errors are those of readLibSvmString on the
/// concatenated text. `onRows` (optional) is called after each chunk with the rows parsed so far.
Frame readLibSvmStream(const ChunkSource& source, const LibSvmOptions& options = {},
                       std::string_view sourceName = "<stream>", const RowsCallback& onRows = {});

/// Writes `labelCol` (numeric) and `featuresCol` (dense or sparse vector) as LibSVM text,
/// non-zero entries only with 1-based indices, atomically (temporary sibling, then rename).
void writeLibSvm(const Frame& frame, const std::string& path,
                 const std::string& labelCol = "label", const std::string& featuresCol = "features");
/// As above, writing through `storage` (a Swift object: one checked upload at the end).
void writeLibSvm(const Frame& frame, const std::string& path, const std::string& labelCol,
                 const std::string& featuresCol, const storage::Storage& storage);

/// Renders `labelCol` and `featuresCol` as LibSVM text (the content writeLibSvm writes).
std::string writeLibSvmString(const Frame& frame, const std::string& labelCol = "label",
                              const std::string& featuresCol = "features");

}  // namespace td
