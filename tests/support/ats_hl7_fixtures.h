#pragma once
// Synthetic HL7 v2 messages for the ats-hl7 adapter and mapping tests. The
// people are invented; their codici fiscali carry correct check characters.

#include <initializer_list>
#include <map>
#include <string>

namespace raccordo::testing::hl7fx {

// Verdi Giulia, born in Milano on 15 April 1990.
inline constexpr const char* kCf = "VRDGLI90D55F205R";
// Bianchi Luca, a GP.
inline constexpr const char* kGpCf = "BNCLCU75C12F205G";
// Ferrari Anna, the record an A40 merges away.
inline constexpr const char* kOldCf = "FRRNNA52T41L219M";
inline constexpr const char* kStp = "STP0303081234567";
inline constexpr const char* kEni = "ENI0303080000042";

inline constexpr const char* kCfOid = "2.16.840.1.113883.2.9.4.3.2";
inline constexpr const char* kRegionalOid = "2.16.840.1.113883.2.9.2.30.4.1";

/// One segment from field number -> value; MSH numbering counts MSH-1 and MSH-2.
inline std::string seg(const std::string& name, const std::map<int, std::string>& fields) {
  std::string out = name;
  int first = 1;
  if (name == "MSH") {
    out += "|^~\\&";
    first = 3;
  }
  int last = fields.empty() ? 0 : fields.rbegin()->first;
  for (int i = first; i <= last; ++i) {
    out += '|';
    if (auto it = fields.find(i); it != fields.end()) out += it->second;
  }
  return out;
}

/// Segments joined with CR, the HL7 terminator.
inline std::string message(std::initializer_list<std::string> segments) {
  std::string out;
  for (const auto& s : segments) out += s + "\r";
  return out;
}

inline std::string msh(const std::string& type, const std::string& control = "CTRL0001",
                       std::map<int, std::string> extra = {}) {
  std::map<int, std::string> f = {{3, "ANAGRAFE"}, {4, "ATS_MI^2.16.840.1.113883.2.9.2.30.3^ISO"}, {5, "RACCORDO"},
                                  {6, "COMUNE_MI"},  {7, "20240115103000"}, {9, type},
                                  {10, control},      {11, "P"},            {12, "2.5"}};
  for (auto& [k, v] : extra) f[k] = v;
  return seg("MSH", f);
}

/// PID-3 repetition for a codice fiscale, as the regional synth writes it.
inline std::string cfId(const std::string& cf = kCf) {
  return cf + "^^^MEF&" + std::string(kCfOid) + "&ISO^NNITA";
}

inline std::string regionalId(const std::string& digits = "4455667788") {
  return digits + "^^^SISS&" + std::string(kRegionalOid) + "&ISO^PI";
}

/// A PID with the usual demographics; `pid3` replaces the identifier list.
inline std::string pid(const std::string& pid3 = cfId() + "~" + regionalId(),
                       std::map<int, std::string> extra = {}) {
  std::map<int, std::string> f = {
      {1, "1"},
      {3, pid3},
      {5, "VERDI^GIULIA^^^^^L"},
      {7, "19900415"},
      {8, "F"},
      {11, "VIA ROMA 10^SCALA B^MILANO^MI^20121^ITA^H^^F205"},
      {13, "^PRN^PH^^39^02^1234567~^NET^Internet^giulia.verdi@example.org"},
      {14, "^WPN^CP^^^^^^^^^3331234567"},
      {23, "F205"},
      {26, "ITA"}};
  for (auto& [k, v] : extra) f[k] = v;
  return seg("PID", f);
}

inline std::string pd1Gp() {
  return seg("PD1", {{4, std::string(kGpCf) + "^BIANCHI^LUCA^^^^^^MEF&" + kCfOid + "&ISO"}});
}

inline std::string pv1(std::map<int, std::string> fields) { return seg("PV1", fields); }

/// ADT^A01: an admission to cardiology of the Niguarda hospital, in winter time.
inline std::string adtA01(const std::string& control = "ADM0001") {
  return message({msh("ADT^A01^ADT_A01", control), seg("EVN", {{1, "A01"}, {2, "20240115103000"}}), pid(),
                  pv1({{1, "1"},
                       {2, "I"},
                       {3, "CARD^101^2^NIGUARDA"},
                       {7, "12345^ROSSI^MARCO^^^DR"},
                       {10, "MED"},
                       {19, "V2024-000123"},
                       {44, "20240115103000"}})});
}

/// ORU^R01 with two reports: a blood count (numeric and coded results with
/// flags) and a note (text).
inline std::string oruR01(const std::string& control = "LAB0001") {
  return message(
      {msh("ORU^R01^ORU_R01", control, {{3, "LIS"}, {4, "LAB_NIGUARDA"}}), pid(),
       seg("ORC", {{1, "RE"}}),
       seg("OBR", {{1, "1"},
                   {2, "ORD-77"},
                   {3, "FIL-5001"},
                   {4, "24317-0^Emocromo^LN"},
                   {7, "20240710083000"},
                   {22, "20240710120000+0200"},
                   {25, "F"}}),
       seg("OBX", {{1, "1"},
                   {2, "NM"},
                   {3, "718-7^Emoglobina^LN"},
                   {5, "11.2"},
                   {6, "g/dL"},
                   {7, "12.0-16.0"},
                   {8, "L"},
                   {11, "F"},
                   {14, "20240710083000"}}),
       seg("OBX", {{1, "2"}, {2, "NM"}, {3, "777-3^Piastrine^LN"}, {5, "250"}, {6, "10*3/uL"}, {8, "N"}, {11, "F"}}),
       seg("OBX", {{1, "3"},
                   {2, "CWE"},
                   {3, "882-1^Gruppo sanguigno^LN"},
                   {5, "LA19710-5^Gruppo A^LN"},
                   {11, "F"}}),
       seg("OBX", {{1, "4"}, {2, "SN"}, {3, "5905-5^Monociti^LN"}, {5, "<^1"}, {6, "%"}, {8, "A"}, {11, "P"}}),
       seg("OBR", {{1, "2"}, {2, "ORD-78"}, {4, "NOTE^Nota di laboratorio^L"}, {7, "20240710"}, {25, "P"}}),
       seg("OBX", {{1, "1"}, {2, "FT"}, {3, "NOTE^Nota^L"}, {5, "Campione emolizzato\\.br\\ripetere"}, {11, "P"}})});
}

/// ADT^A40: Ferrari Anna's record (and her STP) merged into Giulia Verdi.
inline std::string adtA40(const std::string& control = "MRG0001") {
  return message({msh("ADT^A40^ADT_A39", control), seg("EVN", {{1, "A40"}, {2, "20240301090000"}}), pid(),
                  seg("MRG", {{1, cfId(kOldCf) + "~" + std::string(kStp) + "^^^STP&2.16.840.1.113883.2.9.4.3.17&ISO"}})});
}

}  // namespace raccordo::testing::hl7fx
