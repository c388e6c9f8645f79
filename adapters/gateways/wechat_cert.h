// X.509 for WeChat Pay platform certificates: reading the serial, validity
// and key of a downloaded certificate, and making a self-signed one for the
// sandbox's platform key (the sandbox serves it from /v3/certificates).
//
// Only what the WeChat Pay flow needs: no chain building, no CA check. The
// trust in a downloaded certificate comes from the APIv3 key that encrypts
// it and the response signature (docs/gateways.md, "Certificate rotation").
// Thread-safe (no shared state), never throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/gateways/crypto.h"
#include "events/status.h"

namespace folio::gateways {

struct X509Facts {
  std::string serial_hex;  // upper-case hex, no leading zeros ("5157F09E...")
  std::int64_t not_before_s = 0;
  std::int64_t not_after_s = 0;
  crypto::Pkey public_key;  // RSA, >= 2048 bits
};

// One "-----BEGIN CERTIFICATE-----" PEM. Errors: gateway_response_invalid
// (not a certificate, a validity time OpenSSL cannot read), or the codes of
// crypto::LoadRsaPublicKey for its key (gateway_config_invalid).
Result<X509Facts> ReadX509(std::string_view pem);

// Serial numbers compare as hex numbers written either case, leading zeros
// ignored ("0a1B" == "A1b").
bool SameCertSerial(std::string_view a, std::string_view b);

struct SelfSignedSpec {
  std::string private_key_pem;  // RSA; the certificate holds its public half
  std::string serial_hex;       // 1 to 40 hex digits, not all zero
  std::int64_t not_before_s = 0;
  std::int64_t not_after_s = 0;
  std::string common_name = "Folio sandbox WeChat Pay platform";
};

// A self-signed X.509 v3 certificate (SHA256withRSA) as PEM.
// Errors: gateway_config_invalid (key does not parse, serial not hex,
// not_after_s <= not_before_s).
Result<std::string> MakeSelfSignedCert(const SelfSignedSpec& spec);

}  // namespace folio::gateways
