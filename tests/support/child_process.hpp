// child_process.hpp: a program the test starts and ends itself (donna-relay under real
// signals, the SMTP server of the mail tests): its stdout read line by line through a pipe,
// its stderr to a file, signals, and a bounded wait for its exit.
//
//   child_process relay({"/path/donna-relay"}, {"DONNA_PORT=0", ...}, dir / "log");
//   auto line = relay.read_line();          // "donna-relay: listening on port 40123"
//   relay.signal(SIGTERM);
//   EXPECT_EQ(relay.wait_exit(std::chrono::seconds(20)), 0);
//
// The destructor kills (SIGKILL) and reaps a child still running, so no test leaves one.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace donna::test {

class child_process {
public:
    // argv[0] is the program's path. `env` is the whole environment (none inherited).
    child_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  const std::filesystem::path& stderr_file);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    // The next line of its stdout without the line end; nullopt once it closed stdout.
    std::optional<std::string> read_line();
    void signal(int s);
    // Its exit code (128 + the signal when a signal ended it), or -1 if it did not exit
    // within the timeout.
    int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    FILE* out_ = nullptr;
    bool exited_ = false;
};

} // namespace donna::test
