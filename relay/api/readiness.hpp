// readiness.hpp: GET /readyz: which features are configured, and whether their upstreams
// answer a TCP connection right now (probed in parallel, 2 s each, never blocking a thread).
//
//   {"status":"ready","features":{
//      "realtime":{"configured":true,"mode":"openai","reachable":true,"detail":"..."},
//      "elevenlabs":{"configured":false,"detail":"ELEVENLABS_API_KEY is not set"}, ...}}
//
// The relay answers 200 while it can serve (it works with no keys at all); "status" is
// "degraded" when a configured upstream cannot be reached, and each feature says why.
#pragma once

#include "api/http_answer.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>

namespace donna::relay {

struct live_settings;

void check_readiness(const boost::asio::any_io_executor& executor,
                     const std::shared_ptr<const live_settings>& settings,
                     std::function<void(http_answer)> done);

} // namespace donna::relay
