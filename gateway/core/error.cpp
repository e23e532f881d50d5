#include "gateway/core/error.h"

namespace raccordo {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput: return "invalid-input";
    case ErrorCode::kUnknownCode: return "unknown-code";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kTooLarge: return "too-large";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kConfig: return "config";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

ErrorCode errorCodeFromName(std::string_view name) {
  for (ErrorCode c : {ErrorCode::kInvalidInput, ErrorCode::kUnknownCode, ErrorCode::kNotFound, ErrorCode::kConflict,
                      ErrorCode::kTooLarge, ErrorCode::kUnsupported, ErrorCode::kUnauthorized, ErrorCode::kForbidden,
                      ErrorCode::kUnavailable, ErrorCode::kConfig}) {
    if (name == errorCodeName(c)) return c;
  }
  return ErrorCode::kInternal;
}

int httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput: return 400;
    case ErrorCode::kUnknownCode: return 422;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnsupported: return 415;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kConfig:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

std::string Error::describe() const {
  if (location.empty()) return message;
  return message + " (at " + location + ")";
}

}  // namespace raccordo
