// The authentication seam in open mode: no credentials, loopback only, and
// never on a listen address other machines can reach.

#include <gtest/gtest.h>

#include "gateway/config/config.h"
#include "gateway/security/authenticator.h"

namespace raccordo {
namespace {

TEST(OpenAuthenticator, AcceptsLoopbackClientsOnly) {
  OpenAuthenticator auth;
  RequestHead head;
  for (const char* addr : {"127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"}) {
    head.remote_address = addr;
    EXPECT_TRUE(auth.authenticate(head).ok()) << addr;
  }
  for (const char* addr : {"10.0.0.7", "192.168.1.20", "::ffff:10.0.0.7", "2001:db8::1", ""}) {
    head.remote_address = addr;
    auto r = auth.authenticate(head);
    ASSERT_FALSE(r.ok()) << addr;
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  }
}

TEST(MakeAuthenticator, OpenModeIsRefusedOnANonLoopbackListenAddress) {
  for (const char* key : {"http.listen=0.0.0.0:8080", "mllp.listen=192.168.1.5:2575"}) {
    auto config = Config::parse("{}", {key});
    ASSERT_TRUE(config.ok());
    auto auth = makeAuthenticator(*config);
    ASSERT_FALSE(auth.ok()) << key;
    EXPECT_EQ(auth.error().code, ErrorCode::kConfig);
    EXPECT_EQ(auth.error().location, std::string(key).substr(0, std::string(key).find('=')));
  }
  auto loopback = Config::parse("{}", {"http.listen=127.0.0.1:0"});
  EXPECT_TRUE(makeAuthenticator(*loopback).ok());
}

}  // namespace
}  // namespace raccordo
