// Small files that must be whole or absent after a crash: written to a
// temporary name, fsynced, renamed over the target, and the directory
// fsynced (so the rename itself survives).
#pragma once

#include <string>
#include <string_view>

#include "events/status.h"

namespace folio::files {

// Errors: io_error (with the path and errno's text).
Status WriteFileDurably(const std::string& path, std::string_view bytes);
// Errors: not_found when absent, io_error.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace folio::files
