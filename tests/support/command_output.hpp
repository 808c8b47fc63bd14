// command_output.hpp: runs a shell command to the end and keeps what it printed, for tests
// that drive a program of their own (node with the openai SDK, Chromium via playwright-core).
//
//   auto r = donna::test::run_command("node script.mjs 2>&1");
//   ASSERT_EQ(r.exit_code, 0) << r.output;
#pragma once

#include <string>

namespace donna::test {

struct command_result {
    int exit_code = -1; // -1 when the command could not start or did not exit normally
    std::string output; // stdout (redirect stderr into it with 2>&1)
    // The last non-empty line: where the scripts put their JSON summary.
    std::string last_line() const;
};

command_result run_command(const std::string& shell_command);

} // namespace donna::test
