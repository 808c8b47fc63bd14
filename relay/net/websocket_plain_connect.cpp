// websocket_plain_connect.cpp: the WebSocket channel over plain TCP: connecting to a server (TCP, TLS, upgrade).
// Instantiated here once; websocket_channel_impl.hpp says why the operations are split.
#include "net/websocket_channel_ops.hpp"

namespace donna::relay::net_detail {

DONNA_WEBSOCKET_CONNECT_MEMBERS(plain_stream);

} // namespace donna::relay::net_detail
