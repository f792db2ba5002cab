#pragma once
// Errors a user can act on (ranvier::Error) versus broken internal invariants (internal_error).
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace ranvier {

// Bad input: the message names the object and the offending value.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A name (parameter, state, channel, stage) that does not exist; Python maps it to KeyError.
class KeyError : public Error {
 public:
  using Error::Error;
};

// A feature that is deliberately not implemented.
class NotSupported : public Error {
 public:
  using Error::Error;
};

// A job that would need more memory than allowed (ir/memory.h), or an allocation that failed;
// the message names what was being allocated. Python maps it to MemoryError.
class OutOfMemory : public Error {
 public:
  using Error::Error;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void fail_key(fmt::format_string<Args...> f, Args&&... args) {
  throw KeyError(fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void fail_unsupported(fmt::format_string<Args...> f, Args&&... args) {
  throw NotSupported(fmt::format(f, std::forward<Args>(args)...));
}

// Internal invariant; a failure is a bug in Ranvier, not in the user's model.
#define RANVIER_ASSERT(cond)                                                        \
  do {                                                                              \
    if (!(cond))                                                                    \
      throw std::logic_error(std::string("ranvier internal error: ") + #cond + " at " + \
                             __FILE__ + ":" + std::to_string(__LINE__));            \
  } while (0)

}  // namespace ranvier
