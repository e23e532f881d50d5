#pragma once
// The ACK Raccordo answers an HL7 v2 message with, once the journal has
// answered. Original mode (AA/AE/AR) unless the sender fills MSH-15 or
// MSH-16, which asks for enhanced mode (commit ACKs CA/CE/CR, sent or not as
// MSH-15 says). An accept always means "stored durably": what happens next is
// in GET /messages/{id}, whose id MSA-3 names.

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/journal/journal.h"

namespace raccordo::ats {

struct AckSettings {
  std::string application = "RACCORDO";  // MSH-3 of our ACKs; empty: the original's MSH-5
  std::string facility;                  // MSH-4 of our ACKs; empty: the original's MSH-6
};

/// What became of a message, in the terms an ACK can tell.
struct AckOutcome {
  bool accepted = false;       // journaled durably
  Error error;                 // why not, when not accepted
  int64_t message_id = 0;      // journal id; 0 when the message was not journaled
  int64_t received_at_ms = 0;  // stamps the ACK, so a re-send gets the same bytes
};

AckOutcome outcomeOf(const IngestAnswer& answer);

/// The ACK (unframed) for the message `bytes`; empty when the sender's MSH-15
/// asks for none in this case (NE; ER on success; SU on error). Input that is
/// not HL7 at all still gets an AR built from whatever MSH could be read.
std::string ackFor(std::string_view bytes, const AckOutcome& outcome, const AckSettings& settings);

/// HL7 table 0357 error code for an error: 101 required field missing, 102
/// data type, 103 table value not found, 200 unsupported message type, 203
/// unsupported version, 207 application internal error.
std::string hl7ErrorCode(const Error& error);

/// HL7 TS in UTC, to the millisecond: 20261123101500.123+0000.
std::string hl7Timestamp(int64_t epoch_ms);

}  // namespace raccordo::ats
