// text_file.cpp: status first (to tell missing from unreadable), then one read.
#include "config/text_file.hpp"

#include <fstream>
#include <iterator>

namespace donna::relay {

result<std::string> read_text_file(const std::filesystem::path& path)
{
    std::error_code ec;
    const auto type = std::filesystem::status(path, ec).type();
    if (type == std::filesystem::file_type::not_found)
        return make_error(errc::not_found, path.string() + ": no such file");
    if (ec)
        return make_error(errc::io_error, path.string() + ": " + ec.message());
    if (type != std::filesystem::file_type::regular)
        return make_error(errc::io_error, path.string() + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.is_open() || in.bad())
        return make_error(errc::io_error, path.string() + ": cannot be read");
    return text;
}

} // namespace donna::relay
