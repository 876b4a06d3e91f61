// tests/storage/memory_fs.h — an in-memory FileSystem for tests ("mem://name" URLs): proves that
// callers reach storage only through the interface, and counts what they asked for.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/storage/storage.h"

namespace td::testing {

/// Files kept in a map keyed by their full URL; a URL ending in '/' is a directory.
class MemoryFileSystem final : public storage::FileSystem {
 public:
  std::map<std::string, std::string> files;
  std::int64_t rangedBytes = 0;  ///< Bytes served by ranged reads.
  int wholeReads = 0;            ///< read() and stream() calls.
  int streamChunk = 5;           ///< stream() delivers chunks of this many bytes.

  [[nodiscard]] bool remote() const override { return true; }
  std::string read(const std::string& url) override {
    std::lock_guard lock(mu_);
    ++wholeReads;
    return at(url);
  }
  void stream(const std::string& url, const std::function<void(std::string_view)>& sink) override {
    const std::string data = read(url);
    for (std::size_t i = 0; i < data.size(); i += static_cast<std::size_t>(streamChunk))
      sink(std::string_view(data).substr(i, static_cast<std::size_t>(streamChunk)));
  }
  std::unique_ptr<storage::RandomAccessFile> openRandomAccess(const std::string& url) override {
    std::lock_guard lock(mu_);
    return std::make_unique<File>(*this, at(url));
  }
  storage::FileInfo stat(const std::string& url) override {
    std::lock_guard lock(mu_);
    return {url, url, static_cast<std::int64_t>(at(url).size()), "v1"};
  }
  bool exists(const std::string& url) override {
    std::lock_guard lock(mu_);
    if (files.count(url)) return true;
    const std::string dir = url.back() == '/' ? url : url + "/";
    return std::any_of(files.begin(), files.end(), [&](const auto& f) { return f.first.rfind(dir, 0) == 0; });
  }
  bool isDirectory(const std::string& url) override { return !url.empty() && url.back() == '/'; }
  std::vector<storage::FileInfo> list(const std::string& url, bool recursive) override {
    std::lock_guard lock(mu_);
    const std::string dir = url.back() == '/' ? url : url + "/";
    std::vector<storage::FileInfo> out;
    for (const auto& [name, bytes] : files) {
      if (name.rfind(dir, 0) != 0) continue;
      const std::string rel = name.substr(dir.size());
      if (!recursive && rel.find('/') != std::string::npos) continue;
      out.push_back({name, rel, static_cast<std::int64_t>(bytes.size()), {}});
    }
    return out;
  }
  void write(const std::string& url, std::string_view data) override {
    std::lock_guard lock(mu_);
    files[url] = std::string(data);
  }
  std::unique_ptr<storage::OutputFile> create(const std::string& url) override {
    return std::make_unique<Output>(*this, url);
  }
  void remove(const std::string& url) override {
    std::lock_guard lock(mu_);
    files.erase(url);
  }
  bool treeExists(const std::string& url, const std::string& marker) override {
    std::lock_guard lock(mu_);
    return files.count(url + "/" + marker) > 0;
  }
  void writeTree(const std::string& url, const storage::FileMap& tree, const std::string&) override {
    std::lock_guard lock(mu_);
    for (auto it = files.begin(); it != files.end();)
      it = it->first.rfind(url + "/", 0) == 0 ? files.erase(it) : std::next(it);
    for (const auto& [rel, bytes] : tree) files[url + "/" + rel] = bytes;
  }
  storage::FileMap readTree(const std::string& url) override {
    std::lock_guard lock(mu_);
    storage::FileMap out;
    for (const auto& [name, bytes] : files)
      if (name.rfind(url + "/", 0) == 0) out[name.substr(url.size() + 1)] = bytes;
    return out;
  }

 private:
  const std::string& at(const std::string& url) const {
    const auto it = files.find(url);
    if (it == files.end()) throw IoError("mem: no file '" + url + "'");
    return it->second;
  }

  class File final : public storage::RandomAccessFile {
   public:
    File(MemoryFileSystem& fs, std::string data) : fs_(fs), data_(std::move(data)) {}
    [[nodiscard]] std::int64_t size() const override { return static_cast<std::int64_t>(data_.size()); }
    std::string read(std::int64_t b, std::int64_t e) override {
      std::lock_guard lock(fs_.mu_);
      fs_.rangedBytes += e - b;
      return data_.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b));
    }

   private:
    MemoryFileSystem& fs_;
    std::string data_;
  };

  class Output final : public storage::OutputFile {
   public:
    Output(MemoryFileSystem& fs, std::string url) : fs_(fs), url_(std::move(url)) {}
    void write(std::string_view d) override { data_ += d; }
    void commit() override { fs_.write(url_, data_); }

   private:
    MemoryFileSystem& fs_;
    std::string url_, data_;
  };

  std::mutex mu_;
};

}  // namespace td::testing
