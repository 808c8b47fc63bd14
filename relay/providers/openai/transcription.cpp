// transcription.cpp: the transcription request and its answer.
#include "providers/openai/transcription.hpp"

#include "config/config.hpp"
#include "upstream/multipart.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {

upstream_request transcription_request(const config& cfg, std::string_view wav)
{
    multipart_form form;
    form.add_file("file", "turn.wav", "audio/wav", wav);
    form.add_field("model", cfg.transcription_model);
    if (!cfg.transcription_language.empty())
        form.add_field("language", cfg.transcription_language);
    // No temperature: 0 is the API's default (the seed's Whisper setting), and whether
    // gpt-transcribe takes the field is not documented.
    form.add_field("response_format", "json");
    return upstream_request{.method = "POST",
                            .url = cfg.openai_base_url + "/audio/transcriptions",
                            .headers = {{"Authorization", "Bearer " + cfg.openai_api_key},
                                        {"Content-Type", form.content_type()},
                                        {"Accept", "application/json"}},
                            .body = form.body()};
}

result<std::string> parse_transcription(std::string_view body)
{
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return make_error(errc::invalid_json, "the transcription answer is not a JSON object");
    const auto text = doc.find("text");
    if (text == doc.end() || !text->is_string())
        return make_error(errc::invalid_json, "the transcription answer has no \"text\" string");
    auto s = text->get<std::string>();
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return std::string();
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

} // namespace donna::relay
