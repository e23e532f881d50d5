#pragma once
// A synthetic citizen whose integrated record holds about `resources` FHIR
// resources (many services and assessments), for $everything measurements.

#include <string>

#include "gateway/synth/synth.h"

namespace raccordo::bench {

/// Returns the SISA document; the codice fiscale is the synthetic citizen's.
std::string heavyCitizenJson(const synth::SynthCitizen& base, int resources, const std::string& message_id);

}  // namespace raccordo::bench
