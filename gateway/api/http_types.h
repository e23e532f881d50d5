#pragma once
// HTTP request and response as plain values, so that handlers are pure
// functions testable without sockets and Beast stays out of headers.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raccordo {

/// Who is calling, as decided by the authenticator before the body is read.
struct Principal {
  std::string subject;  // e.g. "anonymous" in open mode, a certificate or token subject later
  std::string role;     // e.g. "open"
};

/// What is known before the body is read: what an authenticator may look at.
struct RequestHead {
  std::string method;
  std::string target;                          // raw path and query
  std::map<std::string, std::string> headers;  // lower-case names
  std::string remote_address;

  std::string header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpRequest : RequestHead {
  std::string path;                                        // decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string body;
  Principal principal;

  /// Parses target into path and query (percent-decoding both).
  void splitTarget();
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

std::string percentDecode(std::string_view s, bool plus_is_space);
std::string percentEncode(std::string_view s);

}  // namespace raccordo
