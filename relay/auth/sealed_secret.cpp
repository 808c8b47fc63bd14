// sealed_secret.cpp: sealing with libsodium's crypto_aead_xchacha20poly1305_ietf.
#include "auth/sealed_secret.hpp"

#include "auth/sodium_base64.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace donna::relay {
namespace {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

constexpr std::string_view sealed_prefix = "ds1.";
constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t tag_size = crypto_aead_xchacha20poly1305_ietf_ABYTES;

void sodium_ready_for_sealing()
{
    static const bool ready = sodium_init() >= 0;
    if (!ready) {
        std::fputs("donna-relay: sodium_init failed (no source of randomness)\n", stderr);
        std::abort();
    }
}

const unsigned char* bytes_of(std::string_view text)
{
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::string id_of(const std::array<unsigned char, 32>& key)
{
    std::array<unsigned char, 16> hash{};
    constexpr std::string_view context = "donna data key id";
    crypto_generichash(hash.data(), hash.size(), bytes_of(context), context.size(), key.data(),
                       key.size());
    std::array<char, 9> hex{};
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), 4);
    return {hex.data(), 8};
}

error refused(std::string message)
{
    return make_error(errc::unauthorized, "sealed secret " + std::move(message));
}

} // namespace

result<data_keys> data_keys::from(std::string_view current_base64, std::string_view previous_base64)
{
    sodium_ready_for_sealing();
    data_keys keys;
    const auto read = [](std::string_view text, const char* setting) -> result<std::optional<key>> {
        if (text.empty())
            return std::optional<key>{};
        const auto bytes = base64_standard_decode(text);
        if (!bytes || bytes->size() != 32)
            return make_error(errc::invalid_argument,
                              std::string(setting) +
                                  " must be 32 random bytes in base64 (openssl rand -base64 32)");
        key k;
        std::copy(bytes->begin(), bytes->end(), k.bytes.begin());
        k.id = id_of(k.bytes);
        return std::optional<key>(std::move(k));
    };
    auto current = read(current_base64, "DONNA_DATA_KEY");
    if (!current)
        return current.error();
    auto previous = read(previous_base64, "DONNA_DATA_KEY_PREVIOUS");
    if (!previous)
        return previous.error();
    if (*previous && !*current)
        return make_error(errc::invalid_argument,
                          "DONNA_DATA_KEY_PREVIOUS is set without DONNA_DATA_KEY: the new key "
                          "goes in DONNA_DATA_KEY, the one it replaces in _PREVIOUS");
    keys.current_ = std::move(*current);
    keys.previous_ = std::move(*previous);
    return keys;
}

data_keys::~data_keys()
{
    if (current_)
        sodium_memzero(current_->bytes.data(), current_->bytes.size());
    if (previous_)
        sodium_memzero(previous_->bytes.data(), previous_->bytes.size());
}

std::string data_keys::key_id() const
{
    return current_ ? current_->id : std::string();
}

std::string data_keys::seal(std::string_view secret, std::string_view place) const
{
    sodium_ready_for_sealing();
    if (!current_)
        std::abort(); // a caller that did not check has_key(): nothing may be kept unsealed
    std::vector<unsigned char> out(nonce_size + secret.size() + tag_size);
    randombytes_buf(out.data(), nonce_size);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + nonce_size, &written, bytes_of(secret),
                                               secret.size(), bytes_of(place), place.size(),
                                               nullptr, out.data(), current_->bytes.data());
    out.resize(nonce_size + static_cast<std::size_t>(written));
    return std::string(sealed_prefix) + current_->id + "." +
           base64url_encode(out.data(), out.size());
}

result<std::string> data_keys::open(std::string_view sealed, std::string_view place) const
{
    sodium_ready_for_sealing();
    if (!sealed.starts_with(sealed_prefix))
        return refused("is not one (no ds1. prefix)");
    const auto rest = sealed.substr(sealed_prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos)
        return refused("is malformed");
    const auto id = rest.substr(0, dot);
    const key* k = current_ && current_->id == id     ? &*current_
                   : previous_ && previous_->id == id ? &*previous_
                                                      : nullptr;
    if (k == nullptr)
        return refused("was sealed under key " + std::string(id) +
                       ", which is neither DONNA_DATA_KEY nor DONNA_DATA_KEY_PREVIOUS");
    const auto box = base64url_decode(rest.substr(dot + 1));
    if (!box || box->size() < nonce_size + tag_size)
        return refused("is malformed");
    std::string secret(box->size() - nonce_size - tag_size, '\0');
    unsigned long long size = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(secret.data()),
                                                   &size, nullptr, box->data() + nonce_size,
                                                   box->size() - nonce_size, bytes_of(place),
                                                   place.size(), box->data(), k->bytes.data()) != 0)
        return refused("does not open: altered, or sealed for another place");
    secret.resize(static_cast<std::size_t>(size));
    return secret;
}

bool data_keys::sealed_with_previous(std::string_view sealed) const
{
    if (!previous_ || !sealed.starts_with(sealed_prefix))
        return false;
    const auto rest = sealed.substr(sealed_prefix.size());
    return rest.substr(0, rest.find('.')) == previous_->id;
}

} // namespace donna::relay
