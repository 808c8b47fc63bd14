// process_stats.hpp: what a test or benchmark reads of another process on this machine (a
// donna-relay it started): its resident memory and CPU time from /proc, and a loopback port
// free to give it before it starts.
//
//   const auto port = free_loopback_port();          // DONNA_PORT=<port>
//   const auto kib = resident_kib(relay.pid());      // VmRSS
//   const auto cpu = cpu_seconds(relay.pid());       // user + system
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace donna::test {

// A port free on 127.0.0.1 now (the OS's choice for port 0, released at once).
inline std::uint16_t free_loopback_port()
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(
        io, {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(0)});
    return probe.local_endpoint().port();
}

// The process's resident memory in KiB (/proc/<pid>/status VmRSS); -1 when unreadable.
inline long resident_kib(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("VmRSS:"))
            return std::stol(line.substr(6));
    return -1;
}

// Its CPU time so far, user and system, in seconds (/proc/<pid>/stat fields 14 and 15).
inline double cpu_seconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto name_end = text.rfind(')'); // the command's name may hold spaces
    if (name_end == std::string::npos)
        return 0;
    std::istringstream rest(text.substr(name_end + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i == 14 || i == 15)
            ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

} // namespace donna::test
