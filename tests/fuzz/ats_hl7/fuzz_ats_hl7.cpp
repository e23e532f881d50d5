// Fuzzes the whole ats-hl7 path a message takes: inspect (what the MLLP
// listener runs before journaling), decode, the FHIR mapping, and the ACK
// built for the outcome. No input may crash, hang or leak; every failure is
// an Error that says what and where; every ACK parses and echoes MSH-10.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/ats/ats_ack.h"
#include "adapters/ats/ats_hl7_adapter.h"
#include "adapters/ats/hl7/hl7.h"
#include "gateway/mapping/fhir_mapping.h"

namespace {

const raccordo::Adapter& adapter() {
  static const raccordo::AdapterPtr a = [] {
    auto made = raccordo::makeAtsHl7Adapter(std::string(RACCORDO_SOURCE_DIR) + "/mappings/ats",
                                            "http://hl7.it/sid/codiceFiscale");
    if (!made.ok()) __builtin_trap();
    return std::move(made.value());
  }();
  return *a;
}

void checkError(const raccordo::Error& e) {
  if (e.message.empty() || e.location.empty()) __builtin_trap();
}

void checkAck(std::string_view message, const raccordo::ats::AckOutcome& outcome) {
  std::string ack = raccordo::ats::ackFor(message, outcome, {});
  if (ack.empty()) return;  // enhanced mode may ask for none
  auto parsed = raccordo::hl7::parse(ack);
  if (!parsed.ok()) __builtin_trap();
  auto original = raccordo::hl7::parse(message);
  if (original.ok() && parsed->get("MSA-2") != original->controlId() &&
      original->segment("MSH")->get(10).size() < 200) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  raccordo::ats::AckOutcome outcome;
  outcome.message_id = 7;
  outcome.received_at_ms = 1795000000000;
  auto envelope = adapter().inspect(bytes);
  if (!envelope.ok()) {
    checkError(envelope.error());
    outcome.error = envelope.error();
    checkAck(bytes, outcome);
    return 0;
  }
  outcome.accepted = true;
  checkAck(bytes, outcome);
  raccordo::MessageMeta meta{7, "ats-hl7", "fuzz", "x-application/hl7-v2+er7"};
  auto decoded = adapter().decode(bytes, meta);
  if (!decoded.ok()) {
    checkError(decoded.error());
    return 0;
  }
  auto mapped = raccordo::mapToFhir(*decoded, raccordo::MappingContext{});
  if (!mapped.ok()) checkError(mapped.error());
  return 0;
}
