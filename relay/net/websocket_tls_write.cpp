// websocket_tls_write.cpp: the WebSocket channel over TLS: writing messages, closing.
// Instantiated here once; websocket_channel_impl.hpp says why the operations are split.
#include "net/websocket_channel_ops.hpp"

namespace donna::relay::net_detail {

DONNA_WEBSOCKET_WRITE_MEMBERS(tls_stream);

} // namespace donna::relay::net_detail
