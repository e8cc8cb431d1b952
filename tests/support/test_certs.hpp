// Test certificates made at run time: a throwaway CA and a server certificate it signs for
// 127.0.0.1 and localhost, written as PEM files into a fresh temporary directory.
#pragma once

#include <string>

namespace alertbot::testing {

struct TestCerts {
  std::string dir;
  std::string ca_cert;      // PEM file of the CA certificate (what a client must trust)
  std::string server_cert;  // PEM chain: server certificate
  std::string server_key;   // PEM private key of the server
};

// Throws std::runtime_error if OpenSSL fails (a broken test environment, not a test failure).
TestCerts make_test_certs();

// A fresh temporary directory (mkdtemp under $TMPDIR or /tmp).
std::string make_temp_dir(const std::string& prefix = "alertbot-test");

}  // namespace alertbot::testing
