// unix_time.hpp: the wall clock as Unix seconds, the unit of every timestamp the relay keeps
// (tokens, audit rows, actions) and of the dates OpenAI's model list gives.
#pragma once

#include <chrono>
#include <cstdint>

namespace donna {

inline std::int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace donna
