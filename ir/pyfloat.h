#pragma once
// CPython's float floor division, bit for bit (Objects/floatobject.c, float_divmod). Jaxley
// computes step counts as `int(t_max // delta_t + 1)` in Python floats, and 10.0 // 0.025 is
// 399.0 there (0.025 is slightly larger than its decimal value), so this matters.
#include <cmath>

namespace ranvier::ir {

inline double python_floordiv(double vx, double wx) {
  double mod = std::fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0.0) {
    if ((wx < 0) != (mod < 0)) div -= 1.0;
  }
  double floordiv;
  if (div != 0.0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, vx / wx);
  }
  return floordiv;
}

// Python's int(x) for a finite float: truncation toward zero.
inline long long python_int(double x) { return static_cast<long long>(std::trunc(x)); }

}  // namespace ranvier::ir
