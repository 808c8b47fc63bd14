// realtime_session.hpp: one proxied OpenAI Realtime session: the client's WebSocket (plain
// or TLS) on one side, the upstream (OpenAI or the demo) on the other, the policy between.
// Included only by the HTTP session, which hands over the upgraded stream; instantiated in
// realtime_session.cpp for the two stream types the relay serves.
//
//   run_realtime_session(std::move(stream), std::move(upgrade_request), std::move(grant),
//                        services);
//
// Both sockets' handlers run on the connection's strand, in order: client events reach the
// upstream in the order sent, upstream events reach the client in the order received.
#pragma once

#include "api/realtime_auth.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>

namespace donna::relay {

class services;

template <class Stream>
void run_realtime_session(Stream stream,
                          boost::beast::http::request<boost::beast::http::string_body> upgrade,
                          realtime_grant grant, std::shared_ptr<services> services);

extern template void run_realtime_session<boost::beast::tcp_stream>(
    boost::beast::tcp_stream, boost::beast::http::request<boost::beast::http::string_body>,
    realtime_grant, std::shared_ptr<services>);
extern template void run_realtime_session<boost::beast::ssl_stream<boost::beast::tcp_stream>>(
    boost::beast::ssl_stream<boost::beast::tcp_stream>,
    boost::beast::http::request<boost::beast::http::string_body>, realtime_grant,
    std::shared_ptr<services>);

} // namespace donna::relay
