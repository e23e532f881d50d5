// Fuzzes the ATS CSV reader and the ats-csv/<flow> adapters: no input may
// crash, hang or leak; every failure must be an Error that says what is
// wrong and where; every row the reader returns respects the limits.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/ats/csv/ats_csv_adapter.h"
#include "adapters/ats/csv/csv_reader.h"

namespace {

const std::vector<raccordo::AdapterPtr>& flows() {
  static const std::vector<raccordo::AdapterPtr> all = [] {
    raccordo::AdapterEnvironment env;
    env.mappings_dir = std::string(RACCORDO_SOURCE_DIR) + "/mappings";
    env.schemas_dir = std::string(RACCORDO_SOURCE_DIR) + "/schemas";
    auto loaded = raccordo::loadAtsCsvAdapters(env);
    if (!loaded.ok() || loaded->empty()) __builtin_trap();
    return std::move(loaded.value());
  }();
  return all;
}

void checkError(const raccordo::Error& e) {
  if (e.message.empty() || e.location.empty()) __builtin_trap();
}

// Small limits, so the fuzzer reaches every limit check.
void readWithSmallLimits(std::string_view bytes) {
  raccordo::csv::Options o;
  o.limits.max_bytes = 4096;
  o.limits.max_rows = 16;
  o.limits.max_fields = 12;
  o.limits.max_field_length = 64;
  auto t = raccordo::csv::readCsv(bytes, o);
  if (!t.ok()) {
    checkError(t.error());
    return;
  }
  if (t->rows().size() > o.limits.max_rows) __builtin_trap();
  std::size_t last = t->header().row;
  for (const auto& row : t->rows()) {
    if (row.row <= last || row.fields.empty() || row.fields.size() > o.limits.max_fields) __builtin_trap();
    for (auto f : row.fields) {
      if (f.size() > o.limits.max_field_length) __builtin_trap();
    }
    last = row.row;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  readWithSmallLimits(bytes);
  auto header = raccordo::csv::readCsvHeader(bytes, {});
  if (!header.ok()) checkError(header.error());

  // Every input goes through one flow, chosen by its length.
  const raccordo::Adapter& adapter = *flows()[size % flows().size()];
  auto envelope = adapter.inspect(bytes);
  if (!envelope.ok()) checkError(envelope.error());
  auto decoded = adapter.decode(bytes, raccordo::MessageMeta{});
  if (!decoded.ok()) {
    checkError(decoded.error());
    return 0;
  }
  if (decoded->records.empty()) __builtin_trap();  // zero good rows is an error
  for (const auto& r : decoded->records) {
    if (r.citizen_key.size() != 16 || r.source_id.empty()) __builtin_trap();
  }
  for (const auto& e : decoded->rejects) checkError(e);
  return 0;
}
