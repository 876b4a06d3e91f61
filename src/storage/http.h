// src/storage/http.h — internal: a small synchronous HTTP client over libcurl easy handles.
#pragma once

#include <curl/curl.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace td::storage {

/// One HTTP request.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  ///< Sent for PUT/POST (not owned).
  /// When set, response body bytes go here as they arrive instead of into HttpResponse::body;
  /// return false to abort the transfer.
  std::function<bool(std::string_view)> onData;
};

/// One HTTP response; header names are lower-cased.
struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  [[nodiscard]] std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// Transport failure (no HTTP status): connection refused, reset, timeout, TLS error.
struct TransportError {
  CURLcode code;
  std::string message;
};

/// TLS and timeout settings shared by every request.
struct HttpSettings {
  bool verifyTls = true;           ///< Verify server certificates (on by default).
  std::string caBundle;            ///< CA bundle path; empty = system default.
  long connectTimeoutMs = 10000;   ///< Connect timeout.
  long lowSpeedTimeSec = 30;       ///< Abort when slower than 1 byte/s for this long.
};

/// Sends requests over a pool of reusable curl handles (keep-alive connection reuse); safe to
/// use from several threads at once.
class HttpClient {
 public:
  explicit HttpClient(HttpSettings settings);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Performs `req`; returns the response, or a TransportError when no response arrived.
  /// `error` is filled and false returned on transport failure.
  bool perform(const HttpRequest& req, HttpResponse& resp, TransportError& error);

 private:
  CURL* acquire();
  void release(CURL* h);
  HttpSettings settings_;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace td::storage
