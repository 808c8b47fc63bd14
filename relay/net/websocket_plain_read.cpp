// websocket_plain_read.cpp: the WebSocket channel over plain TCP: reading messages.
// Instantiated here once; websocket_channel_impl.hpp says why the operations are split.
#include "net/websocket_channel_ops.hpp"

namespace donna::relay::net_detail {

DONNA_WEBSOCKET_READ_MEMBERS(plain_stream);

} // namespace donna::relay::net_detail
