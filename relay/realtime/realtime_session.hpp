// realtime_session.hpp: one proxied OpenAI Realtime session: the client's WebSocket (plain
// or TLS, behind net/websocket_channel) on one side, the upstream (OpenAI or the demo) on the
// other, the policy between. Included only by the HTTP session, which hands over the
// upgraded connection:
//
//   run_realtime_session(make_websocket_channel(std::move(stream)), upgrade_request,
//                        std::move(grant), deps);
//
// Both sockets' handlers run on the connection's strand, in order: client events reach the
// upstream in the order sent, upstream events reach the client in the order received.
#pragma once

#include "net/websocket_channel.hpp"
#include "realtime/realtime_grant.hpp"
#include "realtime/upstream.hpp"

#include <memory>

namespace donna::relay {

void run_realtime_session(std::unique_ptr<websocket_channel> client,
                          const websocket_channel::upgrade_request& upgrade, realtime_grant grant,
                          const realtime_deps& deps);

} // namespace donna::relay
