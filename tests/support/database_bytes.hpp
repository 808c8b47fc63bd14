// database_bytes.hpp: every byte SQLite keeps for a database file: the file and its
// write-ahead log, for tests that prove what is (and is not) on disk.
//
//   EXPECT_EQ(donna::test::database_bytes(dir / "donna.db").find(secret), std::string::npos);
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace donna::test {

inline std::string database_bytes(const std::filesystem::path& database_file)
{
    std::string bytes;
    for (const auto& path :
         {database_file, std::filesystem::path(database_file.string() + "-wal")}) {
        std::ifstream in(path, std::ios::binary);
        bytes.append(std::istreambuf_iterator<char>(in), {});
    }
    return bytes;
}

} // namespace donna::test
