#include "gateway/core/ids.h"

#include <openssl/evp.h>

namespace raccordo {

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string stableId(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (auto p : parts) {
    if (!joined.empty()) joined.push_back('|');
    joined.append(p);
  }
  return sha256Hex(joined).substr(0, 32);
}

}  // namespace raccordo
