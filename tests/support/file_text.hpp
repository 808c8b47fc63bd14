// file_text.hpp: a whole file's bytes, for tests that read what a program wrote (a log, a
// certificate, a spooled mail); "" when it cannot be read.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace donna::test {

inline std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace donna::test
