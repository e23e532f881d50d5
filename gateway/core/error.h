#pragma once
// One error type for the whole gateway: a stable code, a human message and
// where in the input the problem is. Converted once at the edge into an HTTP
// OperationOutcome, an HL7 ACK with ERR, or a CSV reject row.

#include <string>
#include <string_view>
#include <utility>

namespace raccordo {

enum class ErrorCode {
  kInvalidInput,      // malformed or schema-invalid input (permanent)
  kUnknownCode,       // a code missing from a mapping table (permanent until the table is fixed)
  kNotFound,          // a resource, message or adapter that does not exist
  kConflict,          // a state that forbids the operation (e.g. replay of a done message)
  kTooLarge,          // input over a configured size limit
  kUnsupported,       // a media type or operation the target does not handle
  kUnauthorized,      // no or bad credentials
  kForbidden,         // authenticated but not allowed
  kUnavailable,       // a transient failure (store busy, shutting down): retryable
  kConfig,            // configuration error at start
  kInternal,          // a broken invariant
};

/// Stable, lower-case name of a code ("invalid-input"), used in logs, JSON and tests.
const char* errorCodeName(ErrorCode code);

/// The code of a name errorCodeName gave; kInternal for anything else.
ErrorCode errorCodeFromName(std::string_view name);

/// HTTP status for a code.
int httpStatusFor(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;   // for humans: what is wrong, Italian or English
  std::string location;  // where: JSON pointer, HL7 SEG-n.c, CSV row/col, XPath, config key

  Error() = default;
  Error(ErrorCode c, std::string msg, std::string loc = {})
      : code(c), message(std::move(msg)), location(std::move(loc)) {}

  /// Transient errors are retried with backoff; the others go straight to the dead letters.
  bool retryable() const { return code == ErrorCode::kUnavailable; }

  /// "message (at location)".
  std::string describe() const;
};

/// Exception carrying an Error, for code paths where unwinding is clearer than
/// Result plumbing (store callbacks, configuration loading). Caught at the edges.
class RaccordoException : public std::exception {
 public:
  explicit RaccordoException(Error error) : error_(std::move(error)), what_(error_.describe()) {}
  RaccordoException(ErrorCode code, std::string message, std::string location = {})
      : RaccordoException(Error(code, std::move(message), std::move(location))) {}
  const Error& error() const { return error_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  Error error_;
  std::string what_;
};

}  // namespace raccordo
