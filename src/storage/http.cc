// src/storage/http.cc
#include "http.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace td::storage {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Transfer {
  const HttpRequest* req;
  HttpResponse* resp;
  std::size_t sent = 0;
  bool aborted = false;
};

size_t onWrite(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * nmemb;
  // Error statuses keep their body for messages; data callbacks only see success bodies.
  if (t->req->onData && t->resp->status >= 200 && t->resp->status < 300) {
    if (!t->req->onData(std::string_view(ptr, n))) {
      t->aborted = true;
      return 0;
    }
    return n;
  }
  t->resp->body.append(ptr, n);
  return n;
}

size_t onHeader(char* buffer, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * nitems;
  std::string line(buffer, n);
  if (line.rfind("HTTP/", 0) == 0) {  // a new status line (also after redirects / 100-continue)
    t->resp->headers.clear();
    const auto sp = line.find(' ');
    if (sp != std::string::npos) t->resp->status = std::strtol(line.c_str() + sp + 1, nullptr, 10);
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string::npos) return n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = line.substr(colon + 1);
  const auto b = value.find_first_not_of(" \t");
  const auto e = value.find_last_not_of(" \t\r\n");
  value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  t->resp->headers[name] = value;
  return n;
}

size_t onRead(char* buffer, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = std::min(size * nitems, t->req->body.size() - t->sent);
  std::memcpy(buffer, t->req->body.data() + t->sent, n);
  t->sent += n;
  return n;
}

}  // namespace

HttpClient::HttpClient(HttpSettings settings) : settings_(std::move(settings)) {
  static CurlGlobal init;
}

HttpClient::~HttpClient() {
  for (CURL* h : idle_) curl_easy_cleanup(h);
}

CURL* HttpClient::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      CURL* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::release(CURL* h) {
  std::lock_guard lock(mu_);
  idle_.push_back(h);
}

bool HttpClient::perform(const HttpRequest& req, HttpResponse& resp, TransportError& error) {
  CURL* h = acquire();
  curl_easy_reset(h);  // keeps the connection cache of the handle
  resp = HttpResponse{};
  Transfer t{&req, &resp};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, settings_.connectTimeoutMs);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, settings_.lowSpeedTimeSec);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, settings_.verifyTls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, settings_.verifyTls ? 2L : 0L);
  if (!settings_.caBundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings_.caBundle.c_str());
  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, onRead);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  struct curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  release(h);
  if (rc != CURLE_OK && !(t.aborted && rc == CURLE_WRITE_ERROR)) {
    error = {rc, errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc))};
    return false;
  }
  if (t.aborted) {
    error = {CURLE_WRITE_ERROR, "transfer aborted by the receiver"};
    return false;
  }
  return true;
}

}  // namespace td::storage
