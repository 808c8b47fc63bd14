// routes.cpp: one row per endpoint; each row is built in its endpoint's file.
#include "api/routes.hpp"

#include "api/calls_endpoint.hpp"
#include "api/chat_endpoint.hpp"
#include "api/embed_endpoint.hpp"
#include "api/fanout_endpoint.hpp"
#include "api/google_endpoint.hpp"
#include "api/memory_endpoint.hpp"
#include "api/messages_endpoint.hpp"
#include "api/phone_media_route.hpp"
#include "api/phone_whisper_route.hpp"
#include "api/readiness.hpp"
#include "api/realtime_auth.hpp"
#include "api/session_endpoint.hpp"
#include "api/sms_threads_endpoint.hpp"
#include "api/speech_endpoint.hpp"
#include "api/static_endpoint.hpp"
#include "api/telnyx_webhook_endpoint.hpp"
#include "api/voice_chat_endpoint.hpp"

namespace donna::relay {

std::shared_ptr<const router> relay_routes(const endpoint_parts& p)
{
    return std::make_shared<const router>(std::vector<route>{
        healthz_route(),
        readiness_route({p.settings, p.models, &p.google}),
        metrics_route(p.registry),
        session_route({p.settings, p.metrics, &p.db}),
        realtime_route({p.settings, p.metrics, p.sessions, p.realtime}),
        chat_route({p.settings, p.metrics, p.chat}),
        memory_route({p.settings, p.metrics, p.log, p.db, p.memories}),
        messages_route({p.settings, p.metrics, p.log, p.db}),
        telnyx_webhook_route({p.settings, p.metrics, p.log, p.intake, p.jobs}),
        calls_route({p.settings, p.metrics, p.log, p.db, p.phones}),
        phone_media_route({p.settings, p.metrics, p.sessions, p.db, p.phones, p.realtime}),
        phone_whisper_route({p.settings, p.metrics, p.db, p.realtime}),
        sms_threads_route({p.settings, p.metrics, p.log, p.db}),
        google_route({p.settings, p.metrics, p.log, p.google, p.upstreams}),
        google_callback_route({p.settings, p.metrics, p.log, p.google, p.upstreams}),
        dead_letters_route({p.settings, p.metrics, p.log, p.db, p.jobs}),
        speech_route({p.settings, p.metrics, p.log, p.db, p.speech}),
        voices_route({p.settings, p.metrics, p.log, p.db, p.speech}),
        voice_chat_route({p.settings, p.metrics, p.voice_chat}),
        embed_route({p.settings, p.metrics, p.files}),
        static_files_route(p.files),
    });
}

} // namespace donna::relay
