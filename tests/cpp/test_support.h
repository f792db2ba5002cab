#pragma once
// Helpers shared by the tests: locating reference data and reading CSV traces.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ranvier::test {

// The repository root and the shared/ folder beside the clone.
inline std::string source_dir() { return RANVIER_SOURCE_DIR; }
inline std::string shared_dir() { return std::string(RANVIER_SOURCE_DIR) + "/../shared"; }

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> columns;  // one vector per header entry
  const std::vector<double>& column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return columns[i];
    throw std::runtime_error("no column " + name);
  }
};

inline Csv read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  Csv csv;
  std::string line;
  std::getline(in, line);
  std::stringstream hs(line);
  for (std::string cell; std::getline(hs, cell, ',');) csv.header.push_back(cell);
  csv.columns.resize(csv.header.size());
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ls(line);
    std::size_t i = 0;
    for (std::string cell; std::getline(ls, cell, ','); ++i) csv.columns.at(i).push_back(std::stod(cell));
  }
  return csv;
}

}  // namespace ranvier::test
