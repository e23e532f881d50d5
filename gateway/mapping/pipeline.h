#pragma once
// The worker's path for one journaled message: adapter.decode -> mapToFhir ->
// (in the write transaction) upsert every resource and one Provenance.

#include "gateway/adapter/adapter.h"
#include "gateway/journal/journal.h"
#include "gateway/mapping/fhir_mapping.h"

namespace raccordo {

class Pipeline final : public MessageProcessor {
 public:
  Pipeline(const AdapterRegistry& adapters, MappingContext context) : adapters_(adapters), context_(std::move(context)) {}
  Result<ApplyFn> prepare(const MessageRecord& message) const override;

 private:
  const AdapterRegistry& adapters_;
  MappingContext context_;
};

/// Fills every write's `prepared` (before the write transaction, which
/// re-prepares only the writes the stored version adds to).
void prepareWrites(std::vector<ResourceWrite>& writes);

/// Writes the resources and a Provenance naming the message; returns the
/// summary kept in the message's state. Shared with tools that apply records
/// without the journal.
std::string applyResources(WriteTx& tx, std::vector<ResourceWrite>& writes, const MessageRecord& message,
                           const std::string& patient_id, int64_t now_ms);

}  // namespace raccordo
