// include/thunderdome/io/frame_io.h
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/frame/frame.h"
#include "thunderdome/io/csv.h"
#include "thunderdome/io/jsonl.h"
#include "thunderdome/io/libsvm.h"
#include "thunderdome/storage/storage.h"

namespace td {

/// The file formats readFrame and writeFrame handle.
enum class FileFormat { kCsv, kTsv, kLibSvm, kJsonl };

/// The canonical name of a format: "csv", "tsv", "libsvm", "jsonl".
std::string_view toString(FileFormat format);

/// The format called `name` ("csv", "tsv", "libsvm", "svm", "jsonl", "json"; any case);
/// throws ParamError listing the valid names otherwise.
FileFormat formatFromName(std::string_view name);

/// The format of `path` by its extension, after removing a trailing ".gz" (.csv, .tsv, .libsvm,
/// .svm, .jsonl, .json; any case); throws ParamError naming the path, listing the supported
/// extensions and suggesting --format otherwise.
FileFormat formatForPath(const std::string& path);

/// Options of readFrame: the format (a name for formatFromName; nullopt = by extension) and
/// the options of each reader.
struct ReadOptions {
  /// Format name; nullopt chooses it from the path's extension.
  std::optional<std::string> format;
  /// CSV/TSV options; for TSV the separator is a tab unless it was changed from ','.
  CsvOptions csv;
  /// LibSVM options.
  LibSvmOptions libsvm;
  /// JSON Lines options.
  JsonlOptions jsonl;
  /// Optional progress hook: called with the number of data rows parsed so far after each chunk
  /// the reader has parsed (with a single local file: once), e.g. to time the first row.
  RowsCallback onRows;
  /// Where paths and URLs are read from; null: a Storage from the environment made for this
  /// call (so a Swift session per call: share one Storage to share the session across calls).
  std::shared_ptr<const storage::Storage> storage;
};

/// Reads the file at `path` (gzip-compressed or not) in the format the options or its
/// extension name; throws ParamError for an unknown format and the reader's errors otherwise.
/// A local file is read whole; a swift://container/object is parsed as it downloads; a local
/// directory or a swift:// prefix of part files is read as one dataset, the parts streamed in
/// name order (a CSV part's header line is dropped after the first part's when `header` is
/// set), so parsing starts while later parts are still to be fetched.
Frame readFrame(const std::string& path, const ReadOptions& options = {});

/// How readFrameShard divided its input among the ranks.
enum class ShardMode {
  kByteRange,  ///< One uncompressed file or object: byte ranges extended to record boundaries.
  kParts,      ///< A directory or swift:// prefix of part files: whole parts dealt to ranks.
  kRowModulo,  ///< Unsplittable (gzip) input: every rank reads it all, keeps rows i % N == r.
};

/// What readFrameShard read on this rank (for logs, tests and benchmarks).
struct ShardInfo {
  ShardMode mode = ShardMode::kByteRange;
  /// kByteRange: the bytes [begin, end) whose records this rank owns (begin == end: none).
  std::int64_t begin = 0, end = 0;
  /// kParts: the parts this rank read, in name order.
  std::vector<std::string> parts;
  /// Bytes this rank fetched from the file or object store (compressed bytes for gzip),
  /// including the header and boundary look-ups; the whole input for kRowModulo.
  std::int64_t bytesFetched = 0;
  /// LibSVM: the dimension this shard's rows need (its largest feature index); 0 otherwise.
  /// readFrameShard with a Communicator agrees on the largest over the ranks.
  std::int64_t libsvmDim = 0;
};

/// Rank `rank`'s share (0 <= rank < size) of the dataset at `url` for data-parallel training;
/// the shards of ranks 0..size-1 hold every row of readFrame(url, options) exactly once.
///  - One uncompressed file or swift://container/object (CSV, TSV, LibSVM, JSON Lines): the
///    rank owns the records whose first byte lies in [rank*S/size, (rank+1)*S/size) (S: the
///    size in bytes) and fetches only that range plus the few bytes needed to find record
///    boundaries (local files with pread, Swift objects with ranged GETs). With a header every
///    rank also fetches the header record, so every shard has the same column names. CSV/TSV
///    with quoting on: a quoted field may hold line breaks, so a boundary is a line break
///    outside quotes; to know the quoting state where its range starts, this variant scans
///    (without parsing) the bytes before the range (the Communicator variant does not).
///  - A local directory or swift:// prefix of part files: the parts (as listParts finds them)
///    are dealt to ranks whole, balanced by size (largest first to the least loaded rank, ties
///    by name and lowest rank); a rank reads its parts in name order and gets no rows when it
///    has none (with a CSV header it still reads the first part's header for the names).
///  - Gzip-compressed input (recognised by its content) cannot be split: every rank streams
///    all of it and keeps the rows whose 0-based index i has i % size == rank.
/// Column types are inferred from the shard's own rows, and a LibSVM shard's vector dimension
/// is its own largest index, unless the options fix them (csv.schema, jsonl.schema,
/// libsvm.numFeatures): shards may then disagree; the Communicator variant (thunderdome/dist/
/// read_shard.h) makes them agree.
/// Rows keep the input's order within a shard. Error messages name the shard and count lines
/// from the start of the shard's text (the header first). `info` (optional) receives what was
/// read. Throws ParamError for a bad rank/size and the readers' errors otherwise.
Frame readFrameShard(const std::string& url, const ReadOptions& options, int rank, int size,
                     ShardInfo* info = nullptr);

// The collective form, readFrameShard(url, options, dist::Communicator&, info), is declared in
// thunderdome/dist/read_shard.h (td_dist).

/// Options of writeFrame.
struct WriteOptions {
  /// Format name; nullopt chooses it from the path's extension.
  std::optional<std::string> format;
  /// CSV/TSV options; for TSV the separator is a tab unless it was changed from ','.
  CsvOptions csv;
  /// LibSVM: the numeric label column.
  std::string labelCol = "label";
  /// LibSVM: the vector features column.
  std::string featuresCol = "features";
  /// Where the output goes; null: a Storage from the environment made for this call.
  std::shared_ptr<const storage::Storage> storage;
};

/// Writes `frame` to `path` atomically (nothing is left there on error; a Swift object is one
/// checked upload of the rendered text) in the format the options or its extension name; throws
/// ParamError for an unknown format or a ".gz" path (compressed output is not supported).
void writeFrame(const Frame& frame, const std::string& path, const WriteOptions& options = {});

}  // namespace td
