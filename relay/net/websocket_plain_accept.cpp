// websocket_plain_accept.cpp: the WebSocket channel over plain TCP: accepting a client's upgrade.
// Instantiated here once; websocket_channel_impl.hpp says why the operations are split.
#include "net/websocket_channel_ops.hpp"

namespace donna::relay::net_detail {

DONNA_WEBSOCKET_ACCEPT_MEMBERS(plain_stream);

} // namespace donna::relay::net_detail
