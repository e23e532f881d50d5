#include "adapters/ats/ats_hl7_adapter.h"

#include "adapters/ats/ats_hl7_decoder.h"

namespace raccordo {

namespace {

using ats::CxId;
using hl7::Segment;

const std::vector<std::string> kTables = {
    "identifier-authorities", "patient-class",      "hl7-sex",           "hl7-report-status",
    "hl7-observation-status", "hl7-interpretation", "hl7-coding-system", "hl7-address-type",
    "hl7-telecom-type"};

/// Stateless after construction: the vocabulary is read-only, so one
/// instance serves every listener and worker thread.
// A batch file may be far larger than one message (files.max_file_bytes
// bounds it first).
constexpr std::size_t kMaxBatchBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxBatchSegments = 10'000'000;

class AtsHl7Adapter final : public Adapter {
 public:
  explicit AtsHl7Adapter(ats::Hl7Vocabulary vocabulary) : v_(std::move(vocabulary)) {}

  std::string name() const override { return "ats-hl7"; }
  std::vector<std::string> mediaTypes() const override {
    return {"x-application/hl7-v2+er7", "application/hl7-v2", "text/plain"};
  }

  // Parsing, MSH-9, MSH-10 and PID-3 only: no code table but the authorities.
  Result<Envelope> inspect(std::string_view bytes) const override {
    auto m = hl7::parse(bytes);
    if (!m.ok()) return m.error();
    const Segment& msh = m->segments().front();
    auto key = messageKey(msh);
    if (!key.ok()) return key.error();
    Envelope env;
    env.source_message_id = std::move(key.value());
    const Segment* pid = m->segment("PID");
    if (pid == nullptr) return Error(ErrorCode::kInvalidInput, "the message has no PID segment", "PID");
    std::vector<CxId> ids = ats::readIdentifiers(*pid, 3, v_.authorities, msh.get(4, 1, 1));
    const CxId* id = ats::citizenId(ids);
    if (id == nullptr) {
      return Error(ErrorCode::kInvalidInput, "PID-3 has no codice fiscale, STP or ENI code", "PID-3");
    }
    env.citizen_key = id->value;
    return env;
  }

  // A dropped file may be an FHS/BHS batch or bare messages one after
  // another: each message is journaled on its own (its own MSH-10 key).
  Result<std::vector<std::string_view>> split(std::string_view bytes) const override {
    std::size_t start = bytes.find_first_not_of(" \t\r\n");
    std::string_view head = start == std::string_view::npos ? bytes : bytes.substr(start);
    bool batch = head.starts_with("FHS") || head.starts_with("BHS") || head.find("\rMSH") != std::string_view::npos ||
                 head.find("\nMSH") != std::string_view::npos;
    if (!batch) return std::vector<std::string_view>{bytes};
    hl7::ParseOptions options;
    options.max_bytes = kMaxBatchBytes;
    options.max_segments = kMaxBatchSegments;
    return hl7::splitBatch(bytes, options);
  }

  Result<DecodedMessage> decode(std::string_view bytes, const MessageMeta&) const override {
    auto m = hl7::parse(bytes);
    if (!m.ok()) return m.error();
    const Segment& msh = m->segments().front();
    auto key = messageKey(msh);
    if (!key.ok()) return key.error();
    DecodedMessage out;
    out.source = "ats";
    out.source_message_id = std::move(key.value());
    ats::Decoder decoder(v_, *m, out);
    if (auto st = decoder.run(ats::MessageType::of(msh)); !st) return st.error();
    return out;
  }

 private:
  /// Checks MSH-9 and MSH-10 and returns the duplicate key
  /// "<MSH-3.1>|<MSH-4.1>|<MSH-10>".
  static Result<std::string> messageKey(const Segment& msh) {
    std::string control = msh.get(10);
    if (ats::trimmed(control).empty()) {
      return Error(ErrorCode::kInvalidInput, "MSH-10 (message control id) is empty", "MSH-10");
    }
    ats::MessageType type = ats::MessageType::of(msh);
    if (type.code.empty()) return Error(ErrorCode::kInvalidInput, "MSH-9 (message type) is empty", "MSH-9");
    if (!type.supported()) {
      return Error(ErrorCode::kUnsupported, "message type " + type.text() + " is not supported", "MSH-9");
    }
    return msh.get(3, 1, 1) + "|" + msh.get(4, 1, 1) + "|" + control;
  }

  ats::Hl7Vocabulary v_;
};

}  // namespace

Result<AdapterPtr> makeAtsHl7Adapter(const std::filesystem::path& tables_dir, std::string cf_system) {
  auto tables = CodeTables::loadNamed(tables_dir, kTables);
  if (!tables.ok()) return tables.error();
  auto authorities = ats::AuthorityTable::build(*tables, cf_system);
  if (!authorities.ok()) return authorities.error();
  return AdapterPtr(std::make_shared<AtsHl7Adapter>(
      ats::Hl7Vocabulary{std::move(tables.value()), std::move(authorities.value()), ats::TimeConverter()}));
}

}  // namespace raccordo
