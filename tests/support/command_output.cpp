// command_output.cpp
#include "command_output.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace donna::test {

std::string command_result::last_line() const
{
    std::size_t end = output.size();
    while (end > 0 && output[end - 1] == '\n')
        --end;
    const auto start = output.find_last_of('\n', end == 0 ? 0 : end - 1);
    const std::size_t from = start == std::string::npos ? 0 : start + 1;
    return output.substr(from, end - from);
}

command_result run_command(const std::string& shell_command)
{
    command_result r;
    FILE* pipe = ::popen(shell_command.c_str(), "r");
    if (pipe == nullptr)
        return r;
    std::array<char, 4096> chunk{};
    while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe) != nullptr)
        r.output += chunk.data();
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

} // namespace donna::test
