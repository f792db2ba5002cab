#pragma once
// RANVIER_DUMP=all or a comma-separated list of stage names: compile() writes those stages of
// every model it compiles to ranvier_dump/<hash of key>.<stage>.txt.
#include <functional>
#include <string>

#include "api/stages.h"

namespace ranvier::api {

// Writes the requested stages of the pipeline and of `backend` ("llvm" or "cuda"); `text`
// gives a stage's text. A folder that cannot be written warns on stderr and never fails the
// compilation.
void dump_stages(const std::string& key, const std::function<std::string(Stage)>& text, const std::string& backend);

}  // namespace ranvier::api
