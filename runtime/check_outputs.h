#pragma once
// A run that produced NaN or inf says so: the first non-finite recorded sample, described by its
// time, recording, state and compartment (a scan of the recordings, cheap next to the run).
#include <optional>
#include <string>

#include "ir/model.h"
#include "runtime/options.h"

namespace ranvier::runtime {

// Where the first non-finite value is: sample (time index), recording, and the value itself.
struct NonFinite {
  int sample;
  int recording;
  double value;
};

std::optional<NonFinite> first_nonfinite(const Result& result);

std::optional<std::string> describe_nonfinite(const ir::Model& model, const Result& result, double delta_t);

}  // namespace ranvier::runtime
