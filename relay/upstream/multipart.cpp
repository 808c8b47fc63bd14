// multipart.cpp: the form body. Names and filenames are quoted with '"', CR and LF
// percent-encoded, as browsers do (the HTML standard's multipart/form-data encoding).
#include "upstream/multipart.hpp"

#include "auth/random_id.hpp"

namespace donna::relay {
namespace {

std::string quoted(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"')
            out += "%22";
        else if (c == '\r')
            out += "%0D";
        else if (c == '\n')
            out += "%0A";
        else
            out += c;
    }
    return out + '"';
}

} // namespace

multipart_form::multipart_form() : boundary_("donna-" + random_hex(24))
{}

void multipart_form::begin_part(std::string_view disposition, std::string_view content_type)
{
    parts_ += "--" + boundary_ + "\r\n";
    parts_ += "Content-Disposition: form-data; ";
    parts_.append(disposition);
    parts_ += "\r\n";
    if (!content_type.empty()) {
        parts_ += "Content-Type: ";
        parts_.append(content_type);
        parts_ += "\r\n";
    }
    parts_ += "\r\n";
}

void multipart_form::add_field(std::string_view name, std::string_view value)
{
    begin_part("name=" + quoted(name), "");
    parts_.append(value);
    parts_ += "\r\n";
}

void multipart_form::add_file(std::string_view name, std::string_view filename,
                              std::string_view content_type, std::string_view data)
{
    begin_part("name=" + quoted(name) + "; filename=" + quoted(filename),
               content_type.empty() ? "application/octet-stream" : content_type);
    parts_.append(data);
    parts_ += "\r\n";
}

std::string multipart_form::content_type() const
{
    return "multipart/form-data; boundary=" + boundary_;
}

std::string multipart_form::body() const
{
    return parts_ + "--" + boundary_ + "--\r\n";
}

} // namespace donna::relay
