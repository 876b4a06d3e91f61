// src/io/file.cc
#include "thunderdome/io/file.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <utility>

#include "thunderdome/core/error.h"

namespace td {

namespace {

bool endsWithGz(std::string_view path) {
  if (path.size() < 3) return false;
  const std::string_view ext = path.substr(path.size() - 3);
  return ext[0] == '.' && (ext[1] == 'g' || ext[1] == 'G') && (ext[2] == 'z' || ext[2] == 'Z');
}

}  // namespace

// ---------------------------------------------------------------- gzip

bool hasGzipMagic(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string gunzip(std::string_view data, std::string_view sourceName) {
  // zlib counts in uInt; larger inputs and outputs are fed in pieces.
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK)  // 16: expect a gzip header and trailer
    throw IoError(fmt::format("cannot read '{}': zlib initialisation failed", sourceName));
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};

  std::string out;
  out.resize(std::max<std::size_t>(data.size() * 4, std::size_t{1} << 16));
  std::size_t inPos = 0;   // input handed to zlib so far
  std::size_t outPos = 0;  // output produced so far
  int member = 1;
  for (;;) {
    if (zs.avail_in == 0 && inPos < data.size()) {
      const std::size_t n = std::min(kPiece, data.size() - inPos);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + inPos));
      zs.avail_in = static_cast<uInt>(n);
      inPos += n;
    }
    if (outPos == out.size()) out.resize(out.size() * 2);
    const std::size_t room = std::min(kPiece, out.size() - outPos);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + outPos);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    outPos += room - zs.avail_out;
    if (rc == Z_STREAM_END) {
      const std::size_t consumed = inPos - zs.avail_in;
      if (consumed == data.size()) break;
      // Another member may follow (as `cat a.gz b.gz` makes); anything else is an error.
      if (!hasGzipMagic(data.substr(consumed)))
        throw DataError(fmt::format(
            "cannot read '{}': invalid gzip data: {} bytes of trailing garbage after member {}",
            sourceName, data.size() - consumed, member));
      ++member;
      if (inflateReset(&zs) != Z_OK)
        throw IoError(fmt::format("cannot read '{}': zlib reset failed", sourceName));
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      if (zs.avail_in == 0 && inPos == data.size())
        throw DataError(fmt::format(
            "cannot read '{}': truncated gzip data (the input ends inside member {})", sourceName,
            member));
      continue;  // the output was full; the loop grows it
    }
    throw DataError(fmt::format("cannot read '{}': corrupt gzip data in member {}: {}",
                                sourceName, member, zs.msg != nullptr ? zs.msg : zError(rc)));
  }
  out.resize(outPos);
  return out;
}

// ---------------------------------------------------------------- reading and paths

std::string readFileToString(const std::string& path) {
  return readFileToString(path, storage::Storage());
}

std::string readFileToString(const std::string& path, const storage::Storage& storage) {
  std::string raw = storage.fileSystem(path)->read(path);
  if (hasGzipMagic(raw)) return gunzip(raw, path);
  return raw;
}

bool isGzipPath(std::string_view path) { return endsWithGz(path); }

std::string stripGzExtension(std::string_view path) {
  return std::string(endsWithGz(path) ? path.substr(0, path.size() - 3) : path);
}

std::vector<std::string> listParts(const std::string& path) {
  return listParts(path, storage::Storage());
}

std::vector<std::string> listParts(const std::string& path, const storage::Storage& storage) {
  const auto fs = storage.fileSystem(path);
  if (!fs->isDirectory(path)) return {path};
  // Spark skips hidden and bookkeeping files (_SUCCESS, .crc) in a directory of part files, and
  // everything under such a folder (_temporary/0/part-00000.csv): every component counts.
  auto visible = [](std::string_view name) {
    std::size_t from = 0;
    for (;;) {
      const auto slash = name.find('/', from);
      const std::string_view part =
          name.substr(from, slash == std::string_view::npos ? slash : slash - from);
      if (part.empty() || part[0] == '_' || part[0] == '.') return false;
      if (slash == std::string_view::npos) return true;
      from = slash + 1;
    }
  };
  std::vector<std::string> parts;
  for (const auto& f : fs->list(path, /*recursive=*/false))
    if (visible(f.name)) parts.push_back(f.url);
  if (parts.empty())
    throw IoError(fmt::format("'{}': no data files in this directory or under this prefix", path));
  return parts;
}

void writeStringToFile(const std::string& path, std::string_view data) {
  writeStringToFile(path, data, storage::Storage());
}

void writeStringToFile(const std::string& path, std::string_view data,
                       const storage::Storage& storage) {
  storage.fileSystem(path)->write(path, data);
}

}  // namespace td
