// eventually.hpp: waits for a condition that the code under test reaches on threads of its own
// (a metric, a stored row, a file another process writes), re-checking every few
// milliseconds; the wait ends as soon as it holds. A bounded wait for a state, never a sleep
// standing in for one.
//
//   ASSERT_TRUE(donna::test::eventually([&] { return relay.metric("...") == 1; }));
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace donna::test {

inline bool eventually(const std::function<bool()>& holds,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!holds()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

} // namespace donna::test
