// CTest registers every doctest case by name, and a ';' in a name is a CMake
// list separator: the case becomes two tests that each match nothing, and CI
// fails far from the cause. This keeps names free of it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace folio {
namespace {

TEST_CASE("test names: no test case name holds a semicolon") {
  const std::filesystem::path root = std::filesystem::path(FOLIO_SOURCE_DIR) / "tests";
  const std::regex test_case(R"re(TEST_CASE\(\s*"([^"]*)")re");
  std::size_t names = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), test_case);
         it != std::sregex_iterator(); ++it) {
      ++names;
      const std::string name = (*it)[1].str();
      CHECK_MESSAGE(name.find(';') == std::string::npos, entry.path().string()
                                                             << ": \"" << name << "\"");
    }
  }
  CHECK(names > 400);  // the scan found the suite
}

}  // namespace
}  // namespace folio
