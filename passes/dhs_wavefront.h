#pragma once
// Regroups a DHS schedule into wavefronts for a CPU: the same eliminations, each moved to the
// earliest level at which its inputs are final, so consecutive eliminations are independent
// and an out-of-order core overlaps their divisions instead of waiting on each one.
//
// The result is bit-identical to the original schedule: an elimination reads its child's
// row once every update into it is done, and the updates into each parent keep their
// original order (floating-point addition is not associative, so only that order matters).
// With allowed_nodes_per_level = 1 (Jaxley's CPU default) the original is one long chain.
#include "passes/dhs_schedule.h"

namespace ranvier::passes {

DhsSchedule dhs_wavefront(const DhsSchedule& schedule);

}  // namespace ranvier::passes
