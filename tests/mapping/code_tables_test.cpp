#include "gateway/mapping/code_tables.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace raccordo {
namespace {

constexpr const char* kStatus =
    R"({"table": "status", "system": "urn:s", "codes": {"ON": {"code": "on"}, "Off": {"code": "off"}}})";

class CodeTablesTest : public ::testing::Test {
 protected:
  void write(const std::string& file, const std::string& text) { std::ofstream(dir_.path() / file) << text; }
  testing::TempDir dir_;
};

TEST_F(CodeTablesTest, LoadNamedReadsOnlyTheNamedFiles) {
  write("status.json", kStatus);
  write("other.json", R"(["not a code table"])");
  auto tables = CodeTables::loadNamed(dir_.path(), {"status"});
  ASSERT_TRUE(tables.ok()) << tables.error().describe();
  EXPECT_TRUE(tables->has("status"));
  EXPECT_FALSE(tables->has("other"));
  EXPECT_FALSE(CodeTables::loadFolder(dir_.path()).ok());  // the folder loader reads every file
}

TEST_F(CodeTablesTest, UnknownCodeNamesTheTableFileWithoutTheServersPath) {
  write("status.json", kStatus);
  auto tables = CodeTables::loadNamed(dir_.path(), {"status"});
  ASSERT_TRUE(tables.ok()) << tables.error().describe();
  std::string shown = (dir_.path().filename() / "status.json").string();
  for (const auto& e : {tables->lookup("status", "MAYBE", "row 2").error(),
                        tables->lookupAnyCase("status", "MAYBE", "row 2").error()}) {
    EXPECT_EQ(e.code, ErrorCode::kUnknownCode);
    EXPECT_EQ(e.location, "row 2");
    EXPECT_NE(e.message.find("'MAYBE' is not in table 'status' (" + shown + ")"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find(dir_.path().parent_path().string()), std::string::npos) << e.message;
  }
}

TEST_F(CodeTablesTest, LookupIsExactAndLookupAnyCaseFallsBackToAnyCase) {
  write("status.json", kStatus);
  auto tables = CodeTables::loadNamed(dir_.path(), {"status"});
  ASSERT_TRUE(tables.ok()) << tables.error().describe();
  EXPECT_FALSE(tables->lookup("status", "on", "x").ok());
  auto on = tables->lookupAnyCase("status", "on", "x");
  ASSERT_TRUE(on.ok()) << on.error().describe();
  EXPECT_EQ(on->key, "ON");
  EXPECT_EQ(on->coding->system, "urn:s");
  EXPECT_EQ(on->coding->code, "on");
  auto off = tables->findAnyCase("status", "OFF");
  ASSERT_TRUE(off.has_value());
  EXPECT_EQ(off->key, "Off");
  auto missing = tables->lookupAnyCase("status", std::string(100, 'z'), "PID-8");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnknownCode);
  EXPECT_EQ(missing.error().location, "PID-8");
  EXPECT_EQ(missing.error().message.find(std::string(41, 'z')), std::string::npos);  // cut
}

TEST_F(CodeTablesTest, NamedTablesAreCheckedWithTheFileAndPointerNamed) {
  write("a.json", R"({"table": "b", "system": "urn:s", "codes": {}})");
  auto wrong_name = CodeTables::loadNamed(dir_.path(), {"a"});
  ASSERT_FALSE(wrong_name.ok());
  EXPECT_EQ(wrong_name.error().code, ErrorCode::kConfig);
  EXPECT_NE(wrong_name.error().location.find("a.json"), std::string::npos);

  write("c.json", R"({"table": "c", "system": "urn:s", "codes": {"x/y": {"code": "1"}, "X/Y": {"code": "2"}}})");
  auto twice = CodeTables::loadNamed(dir_.path(), {"c"});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().location.find("c.json /codes/X~1Y"), std::string::npos) << twice.error().location;

  auto absent = CodeTables::loadNamed(dir_.path(), {"nope"});
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.error().location.find("nope.json"), std::string::npos);
}

}  // namespace
}  // namespace raccordo
