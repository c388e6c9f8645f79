// Every projection Folio keeps, for the CLI, the server and replay.
#pragma once

#include <memory>
#include <vector>

#include "projections/projection.h"

namespace folio::projections {

// A fresh instance of each known projection, in a fixed order.
std::vector<std::unique_ptr<Projection>> AllProjections();

}  // namespace folio::projections
