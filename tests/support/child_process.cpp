// child_process.cpp: fork, exec, a pipe and waitpid.
#include "child_process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <thread>

namespace donna::test {

child_process::child_process(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env,
                             const std::filesystem::path& stderr_file)
{
    int out[2];
    if (::pipe(out) != 0)
        throw std::runtime_error("pipe failed");
    // Everything exec needs is made before fork: the child only calls async-signal-safe
    // functions.
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (const auto& e : env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const std::string err_path = stderr_file.string();
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(out[1], 1);
        ::close(out[0]);
        ::close(out[1]);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (err >= 0)
            ::dup2(err, 2);
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
}

child_process::~child_process()
{
    if (pid_ > 0 && !exited_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr)
        ::fclose(out_);
}

std::optional<std::string> child_process::read_line()
{
    if (out_ == nullptr)
        return std::nullopt;
    std::string line;
    int c = 0;
    while ((c = std::fgetc(out_)) != EOF) {
        if (c == '\n')
            return line;
        line += static_cast<char>(c);
    }
    if (line.empty())
        return std::nullopt;
    return line;
}

void child_process::signal(int s)
{
    if (pid_ > 0 && !exited_)
        ::kill(pid_, s);
}

int child_process::wait_exit(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return -1;
        // waitpid has no timeout; a child's exit is polled, briefly.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace donna::test
