// circuit_breaker.cpp: the three-state breaker.
#include "upstream/circuit_breaker.hpp"

#include <algorithm>

namespace donna::relay {

bool circuit_breaker::allow(clock::time_point now)
{
    switch (state_) {
    case state::closed:
        return true;
    case state::open:
        if (now < retry_at())
            return false;
        state_ = state::half_open;
        probe_in_flight_ = true;
        return true;
    case state::half_open:
        if (probe_in_flight_)
            return false;
        probe_in_flight_ = true;
        return true;
    }
    return false;
}

void circuit_breaker::record_success()
{
    state_ = state::closed;
    consecutive_failures_ = 0;
    probe_in_flight_ = false;
}

void circuit_breaker::record_failure(clock::time_point now)
{
    probe_in_flight_ = false;
    if (state_ == state::half_open ||
        ++consecutive_failures_ >= std::max(settings_.failure_threshold, 1)) {
        state_ = state::open;
        opened_at_ = now;
        consecutive_failures_ = 0;
    }
}

void circuit_breaker::record_abandoned()
{
    probe_in_flight_ = false;
}

std::string_view to_string(circuit_breaker::state s)
{
    switch (s) {
    case circuit_breaker::state::closed:
        return "closed";
    case circuit_breaker::state::open:
        return "open";
    case circuit_breaker::state::half_open:
        return "half_open";
    }
    return "closed";
}

} // namespace donna::relay
