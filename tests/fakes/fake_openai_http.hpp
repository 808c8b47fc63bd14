// fake_openai_http.hpp: a faithful fake of OpenAI's REST API (HTTP/1.1, keep-alive, optionally
// HTTPS) on loopback, so that tests can point the upstream client at it instead of
// api.openai.com.
//
//   donna::fakes::fake_openai_http fake({.reply_text = "Hi there.", .tls = true});
//   ASSERT_TRUE(fake.start());
//   cfg.openai_base_url = fake.base_url();   // "https://127.0.0.1:<port>/v1"
//   ... drive the relay, then:
//   ASSERT_TRUE(fake.wait_until([](const auto& r) { return r.size() == 2; }));
//   EXPECT_EQ(fake.accepted_connections(), 1);   // both requests rode one connection
//
// What it speaks (openai-node src/resources/chat/completions/completions.ts, moderations.ts,
// audio/transcriptions.ts, src/core/error.ts, src/core/streaming.ts; ../shared/API-NOTES.md
// section 9). Every request needs `Authorization: Bearer <api_key>` (else 401); every refusal
// carries OpenAI's `{"error":{"message","type","param","code"}}` body and an x-request-id.
//   POST /v1/chat/completions: a JSON body with `model` (string) and `messages` (a non-empty
//   array of {role, content}); anything else is a 400. With `stream` false or absent the
//   answer is one chat.completion; with `stream: true` it is text/event-stream, sent chunked,
//   one `data: {json}\n\n` event per HTTP chunk: a chat.completion.chunk whose delta is the
//   assistant role, one per word of the reply (each word with its leading space), one with
//   finish_reason "stop", a usage chunk with empty choices when
//   `stream_options.include_usage` is true, then `data: [DONE]`.
//   Tool calls: when a tool call is scripted (tool_call_name) and the request's `tools` offers
//   a function of that name, the reply is that call instead of text: a message with
//   `content: null` and one `tool_calls` entry {id "call_...", type "function", function
//   {name, arguments}}, finish_reason "tool_calls". Streamed, the first delta carries the role
//   and the call's identity (index 0, id, type, name) with empty arguments, the arguments
//   follow in up to three fragments (index 0 only), then finish_reason "tool_calls". A request
//   whose last message is a "tool" message (the calls' results), or that says
//   "tool_choice":"none", gets text instead (the queued or scripted reply), as a model answers
//   once it has its results. Messages must pair as the API requires: each "tool" message needs
//   a tool_call_id that a call of the assistant message just before it (other tool messages
//   aside) made, and every such call needs its tool message before anything else comes; else
//   a 400 in the API's words ("messages with role 'tool' must be a response to a preceeding
//   message with 'tool_calls'", sic). Reasoning models (o1/o3/o4, gpt-5*, gpt-6*) are held
//   to OpenAI's rules for them: max_tokens refused ("Use 'max_completion_tokens' instead"),
//   temperature refused unless reasoning_effort is "none" (GPT-6's default is medium), and a
//   gpt-6* request offering function tools refused unless reasoning_effort is "none"
//   (developers.openai.com/api/docs/guides/deployment-checklist); other models refuse
//   reasoning_effort (unsupported_parameter).
//   POST /v1/moderations: {input: string | string[] | [{type:"text", text}], model?}; one
//   result per input with all 13 categories, their scores and applied input types. Whether
//   an input is flagged is scripted: it is when it contains one of `flagged_words` (ignoring
//   case), and then only as violence (score 0.97; every other score is 1e-6). The
//   text-moderation-* models answer null for the illicit categories, as the API does.
//   POST /v1/audio/transcriptions: multipart/form-data with `file` (a file part whose name
//   ends in a supported extension) and `model` required, `language`, `prompt`,
//   `response_format` (json, the default, or text) and `temperature` optional. A .wav file
//   that is no RIFF/WAVE is refused as the API refuses undecodable audio. The transcript is
//   scripted (transcript_text): `{"text": ...}` for json, the text and a newline as
//   text/plain for text.
//   GET /v1/models: {"object":"list","data":[...]}, one {id, object "model", created,
//   owned_by, shutdown_date} per scripted model (`models`), shutdown_date a "YYYY-MM-DD"
//   string or null (openai-python src/openai/types/model.py; the OpenAPI spec's Model).
//   Any other path or method is a 404 "Invalid URL (<METHOD> <path>)", as the API answers.
// Token counts are the fake's own estimate (words plus a per-message overhead), not tiktoken's.
//
// Not simulated (yet): refusals, `n` > 1, logprobs, parallel tool calls, image moderation
// inputs (an image item counts as unflagged text), transcription formats other than json and
// text (srt, vtt, verbose_json, diarized_json are refused with a 400 that says so), streamed
// transcriptions, the usage of gpt-4o-transcribe, the x-ratelimit-* headers on successful
// answers.
//
// Thread safety: as fake_http_server's; the set_* members may be called while it serves.
#pragma once

#include "fake_http_server.hpp"

#include <memory>
#include <string>
#include <vector>

namespace donna::fakes {

// One entry of GET /v1/models.
struct fake_model {
    std::string id;
    std::string shutdown_date = {}; // "YYYY-MM-DD"; empty: null (no shutdown announced)
};
// The models the fake lists unless told otherwise: the relay's defaults and the seed's
// models, with the shutdown dates OpenAI announced for the latter (docs/relay.md "Models").
std::vector<fake_model> fake_openai_default_models();

// The faults, by the name the OpenAI tests have always used.
using openai_http_fault = http_fault;

// The key every request needs, assembled at run time so that no key-like literal sits in
// the source.
std::string fake_openai_default_key();

struct fake_openai_http_options {
    std::string api_key = fake_openai_default_key(); // Authorization: Bearer <key>, else 401
    std::string reply_text = "Hello from the fake."; // the assistant's scripted reply
    openai_http_fault fault = openai_http_fault::none;
    int fault_count = 1;         // see http_fault
    int retry_after_seconds = 1; // the Retry-After value of a 429
    bool tls = false;            // HTTPS with the test PKI's certificate (SAN localhost, 127.0.0.1)
    // A scripted tool call (none when empty), made when the request offers a function of that
    // name; arguments is the JSON text the model "wrote".
    std::string tool_call_name = {};
    std::string tool_call_arguments = "{}";
    // Moderation flags (as violence) any input containing one of these, ignoring case.
    std::vector<std::string> flagged_words = {"attack"};
    std::string transcript_text = "What is on my calendar today?"; // every transcription's text
    // A pause between streamed chunks, as a model's tokens come (0: all at once).
    std::chrono::milliseconds chunk_interval = std::chrono::milliseconds(0);
    std::vector<fake_model> models = fake_openai_default_models(); // GET /v1/models
};

class fake_openai_http : public fake_http_server {
public:
    explicit fake_openai_http(const fake_openai_http_options& options = {});

    // "http://127.0.0.1:<port>/v1" (https with tls), as OPENAI_BASE_URL would be.
    std::string base_url() const;

    // The reply of chat completions from now on (those not taken from the queue).
    void set_reply_text(std::string text);
    // Replies for the next text completions, one each in order; then reply_text again.
    void queue_replies(std::vector<std::string> replies);
    // The scripted tool call from now on; an empty name turns tool calls off.
    void set_tool_call(std::string name, std::string arguments);
    void set_transcript_text(std::string text);
    // What GET /v1/models lists from now on.
    void set_models(std::vector<fake_model> models);

private:
    struct api; // the handler, in the .cpp
    api& scripted() const;
};

} // namespace donna::fakes
