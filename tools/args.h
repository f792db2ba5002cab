#pragma once
// Strict parsing of a subcommand's options: every argument must be one of the command's
// options ("--key value" or a switch), given once; numbers must be whole, finite and in range.
// Each error names the option and the text given (no std::stod "stod" messages).
#include <string>
#include <vector>

#include "tools/commands.h"

namespace ranvier::tools {

class Options {
 public:
  // `valued`: options that take a value; `switches`: options that take none.
  Options(const Args& args, std::string command, std::vector<std::string> valued, std::vector<std::string> switches = {});

  bool has(const std::string& key) const;
  std::string text(const std::string& key, const std::string& fallback) const;
  // A finite number > 0 (ms, s, ...).
  double positive(const std::string& key, double fallback) const;
  // An integer >= lowest.
  int integer(const std::string& key, int fallback, int lowest) const;
  // A path to write: its folder must exist (checked before any work is done).
  std::string output_path(const std::string& key, const std::string& fallback) const;
  // A path to read: it must be a regular file.
  std::string input_path(const std::string& key, const std::string& fallback) const;

 private:
  const std::string* find(const std::string& key) const;
  std::string command_;
  std::vector<std::pair<std::string, std::string>> given_;  // (key, value; "" for switches)
};

// The whole text as a finite double, else an error naming `what` and the text.
double parse_number(const std::string& text, const std::string& what);

}  // namespace ranvier::tools
