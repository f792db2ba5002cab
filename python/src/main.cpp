// ranvier._core: the nanobind extension behind the Python package `ranvier`.
#include <Python.h>

#include "bindings.h"
#include "ir/error.h"

NB_MODULE(_core, m) {
  using namespace ranvier::python;
  m.doc() = "Ranvier's C++ core: expression DAG, modules and views, integrate, LLVM JIT";

  // ranvier::KeyError -> KeyError, NotSupported -> NotImplementedError, Error -> ValueError,
  // each with the C++ message. (Internal errors, std::logic_error, stay RuntimeError.)
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const ranvier::KeyError& e) {
      PyErr_SetString(PyExc_KeyError, e.what());
    } catch (const ranvier::NotSupported& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const ranvier::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  bind_expr(m);
  bind_module(m);
  bind_network(m);
  bind_integrate(m);
  bind_gradient(m);
}
