// multipart.hpp: multipart/form-data request bodies (RFC 7578), for the uploads the upstream
// APIs take that way: Whisper transcriptions (file, model, language...) and ElevenLabs voice
// cloning (name, files...).
//
//   multipart_form form;
//   form.add_field("model", "whisper-1");
//   form.add_file("file", "turn.wav", "audio/wav", wav_bytes);
//   request.body = form.body();
//   request.headers.emplace_back("Content-Type", form.content_type());
#pragma once

#include <string>
#include <string_view>

namespace donna::relay {

class multipart_form {
public:
    // A random 192-bit boundary: no part contains it unless made to.
    multipart_form();

    void add_field(std::string_view name, std::string_view value);
    void add_file(std::string_view name, std::string_view filename, std::string_view content_type,
                  std::string_view data);

    // "multipart/form-data; boundary=..."
    std::string content_type() const;
    // The whole body, closing delimiter included.
    std::string body() const;

private:
    void begin_part(std::string_view disposition, std::string_view content_type);

    std::string boundary_;
    std::string parts_;
};

} // namespace donna::relay
