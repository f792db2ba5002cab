#pragma once
// read_swc: a Cell from an SWC file, with Jaxley's semantics (frontend/swc.h does the
// parsing and geometry; this builds the module: frustum areas and resistive loads per
// compartment, and the groups soma/axon/basal/apical/custom<id> as views).
#include <string>

#include "frontend/module.h"
#include "frontend/swc.h"

namespace ranvier {

Cell read_swc(const std::string& path, const swc::ReadOptions& options = {});
Cell cell_from_morphology(const swc::Morphology& morphology);

}  // namespace ranvier
