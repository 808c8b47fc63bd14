// routes.cpp: one row per endpoint; each row is built in its endpoint's file.
#include "api/routes.hpp"

#include "api/chat_endpoint.hpp"
#include "api/embed_endpoint.hpp"
#include "api/memory_endpoint.hpp"
#include "api/messages_endpoint.hpp"
#include "api/readiness.hpp"
#include "api/realtime_auth.hpp"
#include "api/session_endpoint.hpp"
#include "api/speech_endpoint.hpp"
#include "api/static_endpoint.hpp"
#include "api/voice_chat_endpoint.hpp"

namespace donna::relay {

std::shared_ptr<const router> relay_routes(const std::shared_ptr<services>& svc)
{
    return std::make_shared<const router>(std::vector<route>{
        healthz_route(),
        readiness_route(svc),
        metrics_route(svc),
        session_route(svc),
        realtime_route(svc),
        chat_route(svc),
        memory_route(svc),
        messages_route(svc),
        speech_route(svc),
        voices_route(svc),
        voice_chat_route(svc),
        embed_route(svc),
        static_files_route(svc),
    });
}

} // namespace donna::relay
