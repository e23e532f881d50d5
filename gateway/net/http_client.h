#pragma once
// A small blocking HTTP/1.1 client with keep-alive, for the demo loader, the
// load tool and the tests (loopback only). One instance per thread.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace raccordo {

struct ClientResponse {
  int status = 0;  // 0: transport failure (see error)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;

  std::string header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  ClientResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
  ClientResponse get(const std::string& target) { return request("GET", target); }
  ClientResponse post(const std::string& target, const std::string& body, const std::string& content_type,
                      const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace raccordo
