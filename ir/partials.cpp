#include "ir/partials.h"

#include <cmath>

#include "ir/error.h"

namespace ranvier::ir {

void partials(Op op, std::span<const double> a, double value, double result, double* d) {
  switch (op) {
    case Op::Add: d[0] = 1.0; d[1] = 1.0; return;
    case Op::Sub: d[0] = 1.0; d[1] = -1.0; return;
    case Op::Mul: d[0] = a[1]; d[1] = a[0]; return;
    case Op::Div: d[0] = 1.0 / a[1]; d[1] = -result / a[1]; return;
    case Op::Neg: d[0] = -1.0; return;
    case Op::IntPow: {
      // n x^(n-1), as JAX's integer_pow rule (x^0 has derivative 0).
      const int n = static_cast<int>(value);
      double p = 1.0;
      for (int i = 0; i < n - 1; ++i) p *= a[0];
      d[0] = n == 0 ? 0.0 : n * p;
      return;
    }
    case Op::Pow:
      d[0] = a[1] * std::pow(a[0], a[1] - 1.0);
      d[1] = a[0] == 0.0 ? 0.0 : std::log(a[0]) * result;
      return;
    case Op::Exp: d[0] = result; return;
    case Op::Log: d[0] = 1.0 / a[0]; return;
    case Op::Tanh: d[0] = 1.0 - result * result; return;
    case Op::Sqrt: d[0] = 0.5 / result; return;
    case Op::Min:
    case Op::Max: {
      // The argument that was selected gets the cotangent; a tie splits it (JAX).
      if (a[0] == a[1]) {
        d[0] = d[1] = 0.5;
      } else {
        const bool first = op == Op::Min ? a[0] < a[1] : a[0] > a[1];
        d[0] = first ? 1.0 : 0.0;
        d[1] = first ? 0.0 : 1.0;
      }
      return;
    }
    case Op::Less:
    case Op::LessEq: d[0] = d[1] = 0.0; return;
    case Op::Select:
      d[0] = 0.0;
      d[1] = a[0] != 0.0 ? 1.0 : 0.0;
      d[2] = a[0] != 0.0 ? 0.0 : 1.0;
      return;
    default: RANVIER_ASSERT(false && "partials() called on a leaf");
  }
}

}  // namespace ranvier::ir
