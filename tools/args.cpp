#include "tools/args.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/error.h"

namespace ranvier::tools {

Options::Options(const Args& args, std::string command, std::vector<std::string> valued, std::vector<std::string> switches)
    : command_(std::move(command)) {
  auto contains = [](const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool takes_value = contains(valued, a);
    if (!takes_value && !contains(switches, a)) {
      std::vector<std::string> known = valued;
      known.insert(known.end(), switches.begin(), switches.end());
      if (a.rfind("-", 0) == 0) fail("{}: unknown option '{}'; options are {}", command_, a, fmt::join(known, ", "));
      fail("{}: unexpected argument '{}' (every argument is an option: {})", command_, a, fmt::join(known, ", "));
    }
    if (find(a)) fail("{}: option {} is given twice", command_, a);
    if (!takes_value) {
      given_.emplace_back(a, "");
      continue;
    }
    if (i + 1 >= args.size()) fail("{}: option {} needs a value", command_, a);
    given_.emplace_back(a, args[++i]);
  }
}

const std::string* Options::find(const std::string& key) const {
  for (const auto& [k, v] : given_)
    if (k == key) return &v;
  return nullptr;
}

bool Options::has(const std::string& key) const { return find(key) != nullptr; }

std::string Options::text(const std::string& key, const std::string& fallback) const {
  const std::string* v = find(key);
  return v ? *v : fallback;
}

double parse_number(const std::string& text, const std::string& what) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(begin, &end);
  if (text.empty() || end == begin || *end != '\0')
    fail("{} = '{}' is not a number", what, text);
  if (errno == ERANGE && std::isinf(x)) fail("{} = '{}' is out of range", what, text);
  if (!std::isfinite(x)) fail("{} = '{}' must be finite", what, text);
  return x;
}

double Options::positive(const std::string& key, double fallback) const {
  const std::string* v = find(key);
  if (!v) return fallback;
  const double x = parse_number(*v, fmt::format("{} {}", command_, key));
  if (!(x > 0.0)) fail("{} {} = {} must be positive", command_, key, *v);
  return x;
}

int Options::integer(const std::string& key, int fallback, int lowest) const {
  const std::string* v = find(key);
  if (!v) return fallback;
  const char* begin = v->c_str();
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(begin, &end, 10);
  if (v->empty() || end == begin || *end != '\0') fail("{} {} = '{}' is not an integer", command_, key, *v);
  if (errno == ERANGE || n > std::numeric_limits<int>::max()) fail("{} {} = '{}' is too large", command_, key, *v);
  if (n < lowest) fail("{} {} = {} must be at least {}", command_, key, *v, lowest);
  return static_cast<int>(n);
}

std::string Options::output_path(const std::string& key, const std::string& fallback) const {
  const std::string path = text(key, fallback);
  if (path.empty()) return path;
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec))
    fail("{} {} = '{}': the folder '{}' does not exist", command_, key, path, parent.string());
  if (fs::is_directory(path, ec)) fail("{} {} = '{}' is a folder; give a file name", command_, key, path);
  return path;
}

std::string Options::input_path(const std::string& key, const std::string& fallback) const {
  const std::string path = text(key, fallback);
  if (path.empty()) return path;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) fail("{} {} = '{}': no such file", command_, key, path);
  if (!fs::is_regular_file(path, ec)) fail("{} {} = '{}' is not a regular file", command_, key, path);
  return path;
}

}  // namespace ranvier::tools
