// The demo history: the commands `folio demo` and `folio serve --demo` run
// (JSON Lines of adapters/json/command_json.h), and the reports fixture test
// replays at fixed times.
#pragma once

#include <string_view>

namespace folio::json {

std::string_view DemoHistory();

}  // namespace folio::json
