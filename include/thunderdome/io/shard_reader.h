// include/thunderdome/io/shard_reader.h — the steps of readFrameShard, one at a time, so that a
// collective variant (thunderdome/dist/read_shard.h) can exchange what the ranks know between
// them without the I/O library knowing about communicators.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "thunderdome/frame/frame.h"
#include "thunderdome/io/frame_io.h"

namespace td {

/// One rank's read of its shard of a dataset (see readFrameShard), step by step: prepare(),
/// then read(), then optionally reparse() with options the ranks agreed on.
class ShardReader {
 public:
  /// The states of the record-boundary scanner (CSV quoting); kRecordStart is "at a record start".
  static constexpr int kScanStates = 7;
  static constexpr std::uint8_t kRecordStart = 0;
  /// For each scanner state at the start of this rank's byte range, the state at its end.
  using Transitions = std::array<std::uint8_t, kScanStates>;

  /// Rank `rank` of `size` reading `url`; nothing is fetched yet.
  ShardReader(std::string url, ReadOptions options, int rank, int size);
  ~ShardReader();
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  /// Checks rank and size, lists the parts, opens the input, decides the mode and fetches this
  /// rank's raw byte range. Throws ParamError (bad rank/size) and the storage's IoErrors.
  void prepare();
  /// The format being read (after prepare()).
  [[nodiscard]] FileFormat format() const;
  /// Whether the scanner state at this rank's range start depends on the bytes before it (CSV
  /// with quoting, split by byte ranges): then read() needs it, or scans those bytes itself.
  [[nodiscard]] bool needsStartState() const;
  /// The scanner's transitions over this rank's raw range (after prepare()); chaining those of
  /// ranks 0..r-1 from kRecordStart gives rank r's start state.
  [[nodiscard]] Transitions transitions() const;
  /// This rank's rows: `startState` is the scanner state at the range start when known (from
  /// the other ranks' transitions); without it the bytes before the range are scanned when
  /// needed. Keeps the shard's text for reparse().
  Frame read(std::optional<std::uint8_t> startState = std::nullopt);
  /// Whether read() read every row and kept those of this rank (gzip input): there is no
  /// shard text to reparse; the schema was inferred over all rows.
  [[nodiscard]] bool readAllRows() const;
  /// The shard's text parsed again with `options` (an agreed schema or LibSVM dimension).
  [[nodiscard]] Frame reparse(const ReadOptions& options) const;
  /// The LibSVM dimension `frame`'s rows need (0 for other formats).
  [[nodiscard]] std::int64_t libsvmDim(const Frame& frame) const;
  /// What was read so far.
  [[nodiscard]] ShardInfo& info();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace td
