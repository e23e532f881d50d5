// HL7 v2 writing: segments are built from decoded values and escaped only
// when serialised, so callers never handle delimiters themselves.

#include <algorithm>
#include <string>

#include "adapters/ats/hl7/hl7.h"

namespace raccordo::hl7 {

namespace {

// Far above any real segment; stops a bad index from allocating gigabytes.
constexpr std::size_t kMaxIndex = 10000;

bool isValidName(std::string_view name) {
  return name.size() == 3 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

}  // namespace

SegmentWriter& SegmentWriter::set(std::size_t field, std::size_t repetition, std::size_t component,
                                  std::size_t subcomponent, std::string_view value) {
  if (field == 0 || repetition == 0 || component == 0 || subcomponent == 0 || field > kMaxIndex ||
      repetition > kMaxIndex || component > kMaxIndex || subcomponent > kMaxIndex) {
    if (error_.empty()) {
      error_ = "position " + std::to_string(field) + "[" + std::to_string(repetition) + "]." +
               std::to_string(component) + "." + std::to_string(subcomponent) + " is out of range";
    }
    return *this;
  }
  if ((name_ == "MSH" || name_ == "FHS" || name_ == "BHS") && field <= 2) {
    if (error_.empty()) error_ = name_ + "-1 and " + name_ + "-2 come from the delimiters";
    return *this;
  }
  if (fields_.size() < field) fields_.resize(field);
  Field& f = fields_[field - 1];
  if (f.size() < repetition) f.resize(repetition);
  Repetition& r = f[repetition - 1];
  if (r.size() < component) r.resize(component);
  Component& c = r[component - 1];
  if (c.size() < subcomponent) c.resize(subcomponent);
  c[subcomponent - 1] = std::string(value);
  return *this;
}

SegmentWriter& SegmentWriter::copyField(std::size_t field, const Segment& from, std::size_t fromField) {
  const std::size_t reps = from.repetitionCount(fromField);
  for (std::size_t r = 1; r <= reps; ++r) {
    const std::size_t comps = std::max<std::size_t>(from.componentCount(fromField, r), 1);
    for (std::size_t c = 1; c <= comps; ++c) {
      const std::size_t subs = std::max<std::size_t>(from.subcomponentCount(fromField, r, c), 1);
      for (std::size_t s = 1; s <= subs; ++s) set(field, r, c, s, from.get(fromField, r, c, s));
    }
  }
  return *this;
}

SegmentWriter& MessageWriter::addSegment(std::string name) {
  segments_.emplace_back(std::move(name));
  return segments_.back();
}

Result<std::string> MessageWriter::serialize() const {
  Status valid = validateDelimiters(delimiters_);
  if (!valid.ok()) return Error(valid.error().code, valid.error().message, "MSH-2");
  if (segments_.empty() || segments_.front().name() != "MSH") {
    return Error(ErrorCode::kInvalidInput, "a message must start with MSH", "segment 1");
  }
  const Delimiters& d = delimiters_;
  std::string out;
  std::string charsetName;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const SegmentWriter& seg = segments_[i];
    const std::string where = "segment " + std::to_string(i + 1) + " (" + seg.name() + ")";
    if (!isValidName(seg.name())) {
      return Error(ErrorCode::kInvalidInput, "segment name must be 3 of [A-Z0-9]", "segment " + std::to_string(i + 1));
    }
    if (!seg.error_.empty()) return Error(ErrorCode::kInvalidInput, seg.error_, where);
    if (i > 0 && seg.name() == "MSH") {
      return Error(ErrorCode::kInvalidInput, "only one MSH per message", where);
    }
    out += seg.name();
    const bool header = i == 0;
    if (header) {
      out += d.field;
      out += d.encodingCharacters();
    }
    // Header fields 1 and 2 are written above, so numbering starts at 3.
    for (std::size_t f = header ? 2 : 0; f < seg.fields_.size(); ++f) {
      out += d.field;
      const auto& field = seg.fields_[f];
      for (std::size_t r = 0; r < field.size(); ++r) {
        if (r > 0) out += d.repetition;
        for (std::size_t c = 0; c < field[r].size(); ++c) {
          if (c > 0) out += d.component;
          for (std::size_t s = 0; s < field[r][c].size(); ++s) {
            if (s > 0) out += d.subcomponent;
            out += escape(field[r][c][s], d);
          }
        }
      }
    }
    if (header) {
      // Read MSH-18 from the written text exactly as the parser will, so a
      // custom sub-component separator such as '/' cannot split "8859/1".
      std::string_view line = out;
      std::size_t pos = 0;
      for (int i = 1; i < 18 && pos != std::string_view::npos; ++i) {
        pos = line.find(d.field, pos);
        if (pos != std::string_view::npos) ++pos;
      }
      if (pos != std::string_view::npos) {
        std::string_view value = line.substr(pos);
        charsetName = unescape(value.substr(0, value.find_first_of(std::string{d.field, d.repetition})), d);
      }
    }
    out += '\r';
  }
  auto charset = charsetFromName(charsetName);
  if (!charset.ok()) return charset.error();
  return *charset == Charset::kLatin1 ? utf8ToLatin1(out) : out;
}

Result<std::string> makeAck(const Message& original, const AckSpec& spec) {
  const Segment* msh = original.segment("MSH");
  if (msh == nullptr) return Error(ErrorCode::kInvalidInput, "original message has no MSH", "MSH");
  // The ACK answers with the sender's delimiters, minus the v2.7 truncation
  // char, which an ACK never needs.
  Delimiters d = original.delimiters();
  d.truncation = '\0';
  MessageWriter writer(d);
  SegmentWriter& ackMsh = writer.addSegment("MSH");
  // Copied field by field so that HD components (app^OID^ISO) stay components.
  if (spec.sending_application.empty()) ackMsh.copyField(3, *msh, 5);
  else ackMsh.set(3, spec.sending_application);
  if (spec.sending_facility.empty()) ackMsh.copyField(4, *msh, 6);
  else ackMsh.set(4, spec.sending_facility);
  ackMsh.copyField(5, *msh, 3)
      .copyField(6, *msh, 4)
      .set(7, spec.timestamp)
      .setComponent(9, 1, "ACK")
      .setComponent(9, 2, msh->get(9, 1, 2))
      .set(10, spec.control_id)
      .copyField(11, *msh, 11)
      .copyField(12, *msh, 12)
      .copyField(18, *msh, 18);
  if (!msh->get(9, 1, 2).empty()) ackMsh.setComponent(9, 3, "ACK");  // message structure ACK
  writer.addSegment("MSA").set(1, spec.code).set(2, original.controlId()).set(3, spec.text);
  if (!spec.error_code.empty() || !spec.error_location.empty()) {
    SegmentWriter& err = writer.addSegment("ERR");
    Result<Path> path = parsePath(spec.error_location);
    std::string version = original.version();
    bool before_25 = version.starts_with("2.3") || version.starts_with("2.4") || version.starts_with("2.2");
    if (before_25) {
      // ERR-1 (ELD): segment^sequence^field^code&text.
      if (path.ok()) {
        err.set(1, 1, 1, 1, path->segment).set(1, 1, 2, 1, std::to_string(path->occurrence));
        if (path->field > 0) err.set(1, 1, 3, 1, std::to_string(path->field));
      }
      err.set(1, 1, 4, 1, spec.error_code).set(1, 1, 4, 2, spec.error_text);
    } else {
      if (path.ok()) {
        err.set(2, 1, 1, 1, path->segment).set(2, 1, 2, 1, std::to_string(path->occurrence));
        if (path->field > 0) {
          err.set(2, 1, 3, 1, std::to_string(path->field)).set(2, 1, 4, 1, std::to_string(path->repetition));
          if (path->component > 0) err.set(2, 1, 5, 1, std::to_string(path->component));
          if (path->subcomponent > 0) err.set(2, 1, 6, 1, std::to_string(path->subcomponent));
        }
      }
      err.set(3, 1, 1, 1, spec.error_code).set(3, 1, 3, 1, "HL70357").set(4, "E").set(8, spec.error_text);
    }
  }
  return writer.serialize();
}

Result<std::string> makeAck(const Message& original, std::string_view ackCode, std::string_view text,
                            std::string_view controlId, std::string_view timestamp) {
  AckSpec spec;
  spec.code = ackCode;
  spec.text = text;
  spec.control_id = controlId;
  spec.timestamp = timestamp;
  return makeAck(original, spec);
}

}  // namespace raccordo::hl7
