#include "adapters/ats/ats_ack.h"

#include <ctime>

#include "adapters/ats/hl7/hl7.h"

namespace raccordo::ats {

namespace {

// The message to answer: the whole message if it parses, else its first
// segment alone (an MSH whose body is broken still names the sender and
// MSH-10), else a bare MSH so the sender at least gets an AR.
hl7::Message originalForAck(std::string_view bytes) {
  if (auto whole = hl7::parse(bytes); whole.ok()) return std::move(whole.value());
  std::string_view first = bytes.substr(0, bytes.find_first_of("\r\n"));
  if (auto head = hl7::parse(first); head.ok()) return std::move(head.value());
  return std::move(hl7::parse("MSH|^~\\&|||||||||P|2.5\r").value());
}

enum class Mode { kOriginal, kEnhanced };

// Does MSH-15 (accept acknowledgement type) ask for an ACK in this case?
bool wanted(std::string_view accept_type, bool success) {
  if (accept_type == "NE") return false;
  if (accept_type == "ER") return !success;
  if (accept_type == "SU") return success;
  return true;  // AL, or empty in enhanced mode
}

// Reject (xR) for what is not about the content: a type or version we do not
// take, a size over the limit, a store that could not keep it. Error (xE) for
// content the sender can fix.
bool isReject(const Error& e) {
  switch (e.code) {
    case ErrorCode::kUnsupported:
    case ErrorCode::kTooLarge:
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      return true;
    default:
      return false;
  }
}

}  // namespace

AckOutcome outcomeOf(const IngestAnswer& answer) {
  AckOutcome out;
  out.accepted = answer.status == 202;
  out.message_id = answer.message_id;
  out.received_at_ms = answer.received_at_ms;
  if (!out.accepted) out.error = answer.error;
  return out;
}

std::string hl7ErrorCode(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnsupported:
      return error.location.starts_with("MSH-12") ? "203" : "200";
    case ErrorCode::kUnknownCode:
      return "103";
    case ErrorCode::kInvalidInput:
      return error.message.find("missing") != std::string::npos || error.message.find("empty") != std::string::npos
                 ? "101"
                 : "102";
    default:
      return "207";
  }
}

std::string hl7Timestamp(int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d.%03d+0000", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string ackFor(std::string_view bytes, const AckOutcome& outcome, const AckSettings& settings) {
  hl7::Message original = originalForAck(bytes);
  std::string accept_type = original.get("MSH-15");
  Mode mode = accept_type.empty() && original.get("MSH-16").empty() ? Mode::kOriginal : Mode::kEnhanced;
  if (mode == Mode::kEnhanced && !wanted(accept_type, outcome.accepted)) return {};

  hl7::AckSpec spec;
  const char* prefix = mode == Mode::kOriginal ? "A" : "C";
  spec.timestamp = hl7Timestamp(outcome.received_at_ms);
  spec.sending_application = settings.application;
  spec.sending_facility = settings.facility;
  // The ACK's own control id names the journal entry, so it is stable across re-sends.
  spec.control_id = outcome.message_id > 0 ? "RAC" + std::to_string(outcome.message_id) : "RAC0";
  std::string ref = outcome.message_id > 0 ? " (messaggio " + std::to_string(outcome.message_id) + ")" : "";
  if (outcome.accepted) {
    spec.code = std::string(prefix) + "A";
    spec.text = "ricevuto" + ref;
  } else {
    spec.code = std::string(prefix) + (isReject(outcome.error) ? "R" : "E");
    spec.text = outcome.error.message + ref;
    spec.error_location = outcome.error.location;
    spec.error_code = hl7ErrorCode(outcome.error);
    spec.error_text = outcome.error.describe();
  }
  auto ack = hl7::makeAck(original, spec);
  return ack.ok() ? std::move(ack.value()) : std::string();
}

}  // namespace raccordo::ats
