// src/storage/storage.cc — the scheme registry (Storage) and the FileSystem defaults.
#include "thunderdome/storage/storage.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "thunderdome/core/error.h"
#include "thunderdome/storage/local.h"
#include "thunderdome/storage/swift.h"

namespace td::storage {

void FileSystem::writeNewTree(const std::string& url, const FileMap& files,
                              const std::string& marker) {
  if (treeExists(url, marker))
    throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", url));
  writeTree(url, files, marker);
}

// ---------------------------------------------------------------- FileSystem defaults

void FileSystem::stream(const std::string& url, const std::function<void(std::string_view)>& sink) {
  const std::string data = read(url);
  sink(data);
}

std::string FileSystem::readRange(const std::string& url, std::int64_t begin, std::int64_t end) {
  const auto file = openRandomAccess(url);
  begin = std::clamp<std::int64_t>(begin, 0, file->size());
  end = std::clamp<std::int64_t>(end, begin, file->size());
  return begin == end ? std::string() : file->read(begin, end);
}

// ---------------------------------------------------------------- Storage

Storage::Storage() {
  auto local = std::make_shared<LocalFileSystem>();
  add("file", local);
  add("swift", [] { return std::shared_ptr<FileSystem>(SwiftFileSystem::fromEnvironment()); });
}

Storage::Storage(Empty) {}

void Storage::add(const std::string& scheme, Factory factory) {
  std::lock_guard lock(mu_);
  schemes_[scheme] = Entry{std::move(factory), nullptr};
}

void Storage::add(const std::string& scheme, std::shared_ptr<FileSystem> fileSystem) {
  std::lock_guard lock(mu_);
  schemes_[scheme] = Entry{nullptr, std::move(fileSystem)};
}

std::string Storage::schemeOf(std::string_view url) {
  // RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://" here.
  const auto colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return "file";
  const std::string_view s = url.substr(0, colon);
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return "file";
  for (const char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return "file";
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::shared_ptr<FileSystem> Storage::fileSystem(std::string_view url) const {
  const std::string scheme = schemeOf(url);
  std::lock_guard lock(mu_);
  const auto it = schemes_.find(scheme);
  if (it == schemes_.end()) {
    std::vector<std::string> known;
    for (const auto& [name, entry] : schemes_) known.push_back(name + "://");
    throw ParamError(fmt::format("'{}': unknown storage scheme '{}://' (known schemes: {}; a plain "
                                 "path is a local file)",
                                 url, scheme, known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", "))));
  }
  Entry& e = it->second;
  if (!e.made) {
    e.made = e.factory();
    if (!e.made)
      throw InternalError(fmt::format("storage scheme '{}://' made no file system", scheme));
  }
  return e.made;
}

std::vector<std::string> Storage::schemes() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, entry] : schemes_) out.push_back(name);
  return out;
}

}  // namespace td::storage
