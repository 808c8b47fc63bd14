// websocket_tls_accept.cpp: the WebSocket channel over TLS: accepting a client's upgrade.
// Instantiated here once; websocket_channel_impl.hpp says why the operations are split.
#include "net/websocket_channel_ops.hpp"

namespace donna::relay::net_detail {

DONNA_WEBSOCKET_ACCEPT_MEMBERS(tls_stream);

} // namespace donna::relay::net_detail
