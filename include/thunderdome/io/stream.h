// include/thunderdome/io/stream.h — byte streams for the readers: sources that deliver a file or
// object chunk by chunk, gzip inflation on the fly, and the line splitter of the line-based
// formats. The streaming readers themselves are readCsvStream, readLibSvmStream and
// readJsonlStream.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace td::storage {
class Storage;
}

namespace td {

/// Receives consecutive byte chunks of one stream; a chunk is valid only during the call.
using ChunkSink = std::function<void(std::string_view)>;

/// Produces a byte stream: called with a sink, it passes every chunk of the input to it, in
/// order, and returns when the input ends (or throws). Chunks may have any size, empty included.
using ChunkSource = std::function<void(const ChunkSink&)>;

/// Progress of a streaming reader: the number of data rows parsed so far. A reader calls it
/// after each chunk it has parsed (from the thread that delivers the chunks) and once at the
/// end; the first call with a positive count marks the time to the first row.
using RowsCallback = std::function<void(std::int64_t rowsSoFar)>;

/// A source that delivers `data` as one chunk (the whole-buffer readers go through it).
inline ChunkSource bufferSource(std::string_view data) {
  return [data](const ChunkSink& sink) { sink(data); };
}

/// A source for the file or object at `path`, through a Storage from the environment: from a
/// remote file system (swift://container/object) the bytes as they download (parallel ranged
/// GETs, delivered in order), inflated on the fly when gzip-compressed; for a local file its
/// whole (gunzipped) content in one chunk. Throws IoError at once when `path` names a directory
/// or a prefix (not one file), otherwise as readFileToString does when the source runs.
ChunkSource pathSource(const std::string& path);
/// As above, through `storage` (the source keeps the file system it needs alive).
ChunkSource pathSource(const std::string& path, const storage::Storage& storage);

/// Passes the bytes `source` produces on to `sink`; when they start with the gzip magic bytes
/// 1f 8b they are inflated incrementally (concatenated members included) as they arrive.
/// Corrupt, truncated or trailing-garbage gzip data throws the DataError gunzip() throws, naming
/// `sourceName`.
void inflateStream(const ChunkSource& source, const ChunkSink& sink, std::string_view sourceName);

/// Splits a byte stream into lines for the line-based readers (LibSVM, JSON Lines): a UTF-8 BOM
/// at the very start is dropped, lines end at "\n", "\r\n" or a lone "\r" (the terminator is not
/// part of the line), a last line without one counts, and lines are numbered from 1.
/// `onLine(line, lineNo)` gets each line, a view that is valid only during the call; a line split across chunks is
/// reassembled. Blank lines are passed on too.
template <class OnLine>
class LineSplitter {
 public:
  explicit LineSplitter(OnLine onLine) : onLine_(std::move(onLine)) {}

  /// Splits the next chunk; complete lines are passed on at once.
  void feed(std::string_view chunk) {
    if (!started_) {
      // The BOM check needs the first three bytes, which may arrive in several chunks.
      if (head_.empty() && chunk.size() >= 3) {
        started_ = true;
        if (isBom(chunk)) chunk.remove_prefix(3);
        split(chunk);
        return;
      }
      head_.append(chunk);
      if (head_.size() < 3) return;
      started_ = true;
      const std::string head = std::move(head_);
      head_.clear();
      std::string_view h = head;
      if (isBom(h)) h.remove_prefix(3);
      split(h);
      return;
    }
    split(chunk);
  }

  /// Ends the stream: passes on the last line if it had no '\n'.
  void finish() {
    if (!started_) {
      started_ = true;
      const std::string head = std::move(head_);  // under 3 bytes: never a BOM
      head_.clear();
      split(head);
    }
    if (!carry_.empty()) {
      const std::string last = std::move(carry_);
      carry_.clear();
      onLine_(std::string_view(last), ++lineNo_);
    }
  }

  /// Lines passed on so far.
  [[nodiscard]] std::int64_t lines() const { return lineNo_; }

 private:
  static bool isBom(std::string_view s) { return s.substr(0, 3) == "\xEF\xBB\xBF"; }

  // Lines end at "\n", "\r\n" or a lone "\r" (old Mac files); the terminator is not part of
  // the line. A '\r' that ends a chunk may be the first half of a CRLF: skipLf_ remembers it.
  void split(std::string_view s) {
    std::size_t pos = 0;
    if (skipLf_ && !s.empty()) {
      skipLf_ = false;
      if (s[0] == '\n') pos = 1;
    }
    while (pos < s.size()) {
      const std::size_t nl = s.find('\n', pos);
      const std::size_t end = nl == std::string_view::npos ? s.size() : nl;
      const void* cr = std::memchr(s.data() + pos, '\r', end - pos);
      std::size_t lineEnd = 0, next = 0;
      if (cr != nullptr) {
        lineEnd = static_cast<std::size_t>(static_cast<const char*>(cr) - s.data());
        next = lineEnd + 1;
        if (next == nl)
          ++next;  // CRLF
        else if (next == s.size())
          skipLf_ = true;
      } else if (nl != std::string_view::npos) {
        lineEnd = nl;
        next = nl + 1;
      } else {
        carry_.append(s.substr(pos));
        return;
      }
      if (carry_.empty()) {
        onLine_(s.substr(pos, lineEnd - pos), ++lineNo_);
      } else {  // the rest of a line begun in an earlier chunk
        carry_.append(s.substr(pos, lineEnd - pos));
        onLine_(std::string_view(carry_), ++lineNo_);
        carry_.clear();
      }
      pos = next;
    }
  }

  OnLine onLine_;
  bool started_ = false;
  std::string head_;   // the first bytes, until there are three (BOM check)
  std::string carry_;  // an incomplete line from the previous chunks
  std::int64_t lineNo_ = 0;
  bool skipLf_ = false;  // the last chunk ended with '\r': a leading '\n' completes a CRLF
};

}  // namespace td
