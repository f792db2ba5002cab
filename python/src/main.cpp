// ranvier._core: the nanobind extension behind the Python package `ranvier`.
#include <Python.h>

#include <new>

#include "bindings.h"
#include "ir/error.h"

NB_MODULE(_core, m) {
  using namespace ranvier::python;
  m.doc() = "Ranvier's C++ core: expression DAG, modules and views, integrate, LLVM JIT";

  // ranvier::KeyError -> KeyError, OutOfMemory and std::bad_alloc -> MemoryError,
  // NotSupported -> NotImplementedError, Error -> ValueError,
  // each with the C++ message. (Internal errors, std::logic_error, stay RuntimeError.)
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const ranvier::KeyError& e) {
      PyErr_SetString(PyExc_KeyError, e.what());
    } catch (const ranvier::OutOfMemory& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const std::bad_alloc&) {
      // An allocation no guard named (ir/memory.h): still a MemoryError, never a crash.
      PyErr_SetString(PyExc_MemoryError,
                      "ranvier: out of memory in a native call (std::bad_alloc); reduce the batch, t_max, the recordings or the "
                      "model size");
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
  bind_cache(m);
  bind_graph(m);
}
