// upstream.hpp: where a realtime session's events go: the OpenAI Realtime API over
// WebSocket (ws or wss, from OPENAI_BASE_URL), or the local demo. Both run their handlers on
// the session's strand, so the session never needs a lock.
//
//   auto up = make_openai_upstream(strand, settings, dialect::ga, deps);
//   up->start({.on_open = ..., .on_event = ..., .on_failure = ...});
//   up->send(text);           // queued in order; sent once open
//   up->close();              // no callbacks after this
//
// Connecting retries refused connections, timeouts, and 408/429/5xx upgrade answers with
// exponential backoff and jitter, within DONNA_UPSTREAM_CONNECT_ATTEMPTS and a total of three
// connect timeouts; any other 4xx fails at once. on_failure carries a wire code
// (upstream_unauthorized for 401/403, upstream_rate_limited for 429, upstream_unavailable,
// upstream_timeout, upstream_tls_error, upstream_closed, upstream_error) and a message.
#pragma once

#include "protocol/realtime_events.hpp"

#include <boost/asio/any_io_executor.hpp>

namespace boost::asio::ssl {
class context;
}

#include <functional>
#include <memory>
#include <string>

namespace donna::relay {

class action_store;
class chat_service;
class logger;
class speech_synth;
class usage_meter;
struct live_settings;
struct relay_metrics;

// What a realtime session and its upstreams use of the relay, and nothing more. The
// composition root (app/relay_app) builds it and keeps what it refers to alive until every
// session is gone.
struct realtime_deps {
    relay_metrics& metrics;
    logger& log;
    chat_service& chat; // the text chat inside a voice session (donna.chat.message)
    usage_meter& usage;
    boost::asio::ssl::context& upstream_tls; // the trust of every upstream connection
    action_store* actions = nullptr;         // DONNA's actions (chat/chat_actions); null: no tools
    std::function<speech_synth*()> demo_voice = {}; // espeak-ng, made on first use (or null)
};

struct upstream_failure {
    std::string code;
    std::string message;
};

struct upstream_callbacks {
    std::function<void()> on_open;
    std::function<void(std::string text)> on_event;
    std::function<void(upstream_failure)> on_failure; // at most once; nothing follows it
};

class upstream_link {
public:
    virtual ~upstream_link() = default;
    virtual void start(upstream_callbacks callbacks) = 0;
    virtual void send(std::string text) = 0;
    virtual void close() = 0;
};

std::shared_ptr<upstream_link> make_openai_upstream(const boost::asio::any_io_executor& strand,
                                                    std::shared_ptr<const live_settings> settings,
                                                    donna::dialect spelling,
                                                    const realtime_deps& deps);

// The demo's simulated Realtime server (demo/demo_conversation), answering on the strand.
std::shared_ptr<upstream_link> make_demo_upstream(const boost::asio::any_io_executor& strand,
                                                  std::string greeting, donna::dialect spelling,
                                                  const realtime_deps& deps);

} // namespace donna::relay
