// routes.hpp: the relay's route table, every endpoint's row in one list: the one place that
// says what is served where (how to add an endpoint: docs/architecture.md).
//
//   server s(ioc, connection_deps, relay_routes(parts));   // as app/relay_app does
//
// Each row gets only the pieces its endpoint uses, from `parts` (the composition root's list).
#pragma once

#include "http/router.hpp"
#include "realtime/upstream.hpp"

#include <memory>

namespace donna::relay {

class chat_service;
class database;
class google_account;
class http_client;
class logger;
class memory_store;
class metrics_registry;
class model_watch;
class session_registry;
class settings_source;
class speech_service;
class static_cache;
class job_runner;
class webhook_intake;
class phone_providers;
class sms_store;
class voice_chat_service;
struct relay_metrics;

// Everything the endpoints are built from. The composition root fills it in and keeps what it
// refers to alive until every connection is gone.
struct endpoint_parts {
    const settings_source& settings;
    relay_metrics& metrics;
    metrics_registry& registry;
    logger& log;
    static_cache& files;
    session_registry& sessions;
    database& db;
    memory_store& memories;
    chat_service& chat;
    speech_service& speech;
    voice_chat_service& voice_chat;
    model_watch& models;
    job_runner& jobs;
    webhook_intake& intake;
    sms_store& sms;
    const phone_providers& phones;
    google_account& google;
    http_client& upstreams; // the HTTP client every REST upstream goes through
    realtime_deps realtime;
};

std::shared_ptr<const router> relay_routes(const endpoint_parts& parts);

} // namespace donna::relay
