// The static file cache on a real temporary web root: types, ETags, 304s and gzip.
#include "server/static_cache.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace donna::relay {
namespace {

std::string gunzip(const std::string& compressed)
{
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return "<inflateInit2 failed>";
    std::string out(1 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    zs.avail_in = static_cast<uInt>(compressed.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    out.resize(static_cast<std::size_t>(zs.total_out));
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : "<inflate failed>";
}

class StaticCache : public ::testing::Test {
protected:
    void SetUp() override
    {
        root_ = std::filesystem::temp_directory_path() /
                ("donna-static-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(root_ / "sub");
        write("index.html", html_);
        write("app.js", script_);
        write("donna.wasm", std::string("\0asm\1\0\0\0", 8) + std::string(4000, '\0'));
        write("logo.png", std::string(300, 'p'));
        write("secret.txt", "outside");
        std::filesystem::rename(root_ / "secret.txt", root_.parent_path() / secret_name());
    }

    void TearDown() override
    {
        std::filesystem::remove_all(root_);
        std::filesystem::remove(root_.parent_path() / secret_name());
    }

    std::string secret_name() const { return root_.filename().string() + "-secret.txt"; }

    void write(const std::string& name, const std::string& bytes)
    {
        std::ofstream(root_ / name, std::ios::binary) << bytes;
    }

    std::filesystem::path root_;
    std::string html_ = "<!doctype html><title>DONNA</title>" + std::string(2000, ' ') + "</html>";
    std::string script_ = [] {
        std::string s;
        for (int i = 0; i < 200; ++i)
            s += "console.log('line " + std::to_string(i) + "');\n";
        return s;
    }();
};

TEST_F(StaticCache, ServesFilesWithTheirContentTypes)
{
    static_cache cache(root_);
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"/", "text/html; charset=utf-8"},
        {"/app.js?v=3", "text/javascript; charset=utf-8"},
        {"/donna.wasm", "application/wasm"},
        {"/logo.png", "image/png"},
    };
    for (const auto& [target, type] : cases) {
        const auto r = cache.get(target, "", "");
        EXPECT_EQ(r.status, 200) << target;
        EXPECT_EQ(r.content_type, type) << target;
        EXPECT_EQ(r.cache_control, "no-cache") << target;
        EXPECT_EQ(r.content_encoding, "") << target;
    }
    EXPECT_EQ(*cache.get("/", "", "").body, html_);
    EXPECT_EQ(*cache.get("/app.js", "", "").body, script_);
}

TEST_F(StaticCache, EtagsAreStrongQuotedAndDifferPerFile)
{
    static_cache cache(root_);
    const auto html = cache.get("/index.html", "", "");
    const auto js = cache.get("/app.js", "", "");
    EXPECT_EQ(html.etag.size(), 34U) << html.etag;
    EXPECT_EQ(html.etag.front(), '"');
    EXPECT_EQ(html.etag.back(), '"');
    EXPECT_NE(html.etag, js.etag);
    EXPECT_EQ(cache.get("/", "", "").etag, html.etag) << "same bytes, same tag";
}

TEST_F(StaticCache, AMatchingIfNoneMatchGets304WithNoBody)
{
    static_cache cache(root_);
    const std::string etag = cache.get("/app.js", "", "").etag;
    for (const std::string& header : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
        const auto r = cache.get("/app.js", "", header);
        EXPECT_EQ(r.status, 304) << header;
        EXPECT_EQ(r.etag, etag) << header;
        ASSERT_NE(r.body, nullptr);
        EXPECT_TRUE(r.body->empty()) << header;
    }
    EXPECT_EQ(cache.get("/app.js", "", "\"other\"").status, 200);
    EXPECT_EQ(cache.get("/app.js", "", etag.substr(1, etag.size() - 2)).status, 200)
        << "an unquoted tag is not a match";
}

TEST_F(StaticCache, GzipBodyDecompressesToTheFile)
{
    static_cache cache(root_);
    const auto r = cache.get("/app.js", "gzip, deflate, br", "");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_encoding, "gzip");
    EXPECT_EQ(r.vary, "Accept-Encoding");
    EXPECT_LT(r.body->size(), script_.size());
    EXPECT_EQ(gunzip(*r.body), script_);
    const auto wasm = cache.get("/donna.wasm", "gzip", "");
    EXPECT_EQ(wasm.content_encoding, "gzip");
    EXPECT_EQ(gunzip(*wasm.body), std::string("\0asm\1\0\0\0", 8) + std::string(4000, '\0'));
}

TEST_F(StaticCache, TheGzipVariantHasItsOwnEtag)
{
    static_cache cache(root_);
    const auto plain = cache.get("/app.js", "", "");
    const auto gz = cache.get("/app.js", "gzip", "");
    EXPECT_EQ(gz.etag, plain.etag.substr(0, plain.etag.size() - 1) + "-gz\"");
    EXPECT_EQ(cache.get("/app.js", "gzip", gz.etag).status, 304);
    EXPECT_EQ(cache.get("/app.js", "gzip", plain.etag).status, 200);
    EXPECT_EQ(cache.get("/app.js", "", gz.etag).status, 200);
}

TEST_F(StaticCache, IncompressibleTypesAreNeverGzipped)
{
    static_cache cache(root_);
    const auto r = cache.get("/logo.png", "gzip", "");
    EXPECT_EQ(r.content_encoding, "");
    EXPECT_EQ(r.vary, "");
    EXPECT_EQ(*r.body, std::string(300, 'p'));
}

TEST_F(StaticCache, AcceptEncodingQValuesDecideGzip)
{
    static_cache cache(root_);
    const std::pair<std::string_view, bool> cases[] = {
        {"gzip", true},
        {"GZIP;q=0.5", true},
        {"br, gzip;q=0.001", true},
        {"*", true},
        {"x-gzip", true},
        {"", false},
        {"br", false},
        {"gzip;q=0", false},
        {"gzip; q=0.000, br", false},
        {"*;q=0", false},
        {"gzip;q=0, *", false},
        {"*;q=0, gzip", true},
        {"gzip;q=bogus", false},
        {"gzip;q=1.5", false},
        {"gzipper", false},
    };
    for (const auto& [header, gzip] : cases) {
        EXPECT_EQ(accepts_gzip(header), gzip) << header;
        EXPECT_EQ(cache.get("/app.js", header, "").content_encoding, gzip ? "gzip" : "") << header;
    }
}

TEST_F(StaticCache, AChangedFileGetsANewEtagAndBody)
{
    static_cache cache(root_);
    const auto before = cache.get("/app.js", "", "");
    const auto before_gz = cache.get("/app.js", "gzip", "");
    const auto mtime = std::filesystem::last_write_time(root_ / "app.js");
    write("app.js", "console.log('v2');\n");
    // A size change is enough; the mtime bump covers filesystems with coarse timestamps.
    std::filesystem::last_write_time(root_ / "app.js", mtime + std::chrono::seconds(2));
    const auto after = cache.get("/app.js", "", before.etag);
    EXPECT_EQ(after.status, 200);
    EXPECT_NE(after.etag, before.etag);
    EXPECT_EQ(*after.body, "console.log('v2');\n");
    EXPECT_NE(cache.get("/app.js", "gzip", "").etag, before_gz.etag);
    EXPECT_EQ(*before.body, script_) << "a response already handed out keeps its bytes";
}

TEST_F(StaticCache, SameSizeEditsAreNoticedThroughTheMtime)
{
    static_cache cache(root_);
    write("same.txt", "version-1");
    const auto before = cache.get("/same.txt", "", "");
    const auto mtime = std::filesystem::last_write_time(root_ / "same.txt");
    write("same.txt", "version-2");
    std::filesystem::last_write_time(root_ / "same.txt", mtime + std::chrono::seconds(2));
    const auto after = cache.get("/same.txt", "", "");
    EXPECT_EQ(*after.body, "version-2");
    EXPECT_NE(after.etag, before.etag);
}

TEST_F(StaticCache, TraversalAndMissingFilesAre404)
{
    static_cache cache(root_);
    const std::string hostile[] = {"/../" + secret_name(),
                                   "/%2e%2e/" + secret_name(),
                                   "/sub/../../" + secret_name(),
                                   "/missing.js",
                                   "/sub",
                                   "/sub/",
                                   "relative",
                                   ""};
    for (const auto& target : hostile) {
        const auto r = cache.get(target, "gzip", "*");
        EXPECT_EQ(r.status, 404) << target;
        ASSERT_NE(r.body, nullptr);
        EXPECT_TRUE(r.body->empty()) << target;
        EXPECT_EQ(r.etag, "") << target;
    }
}

TEST_F(StaticCache, FilesOverTheCacheLimitAreStillServed)
{
    static_cache cache(root_, {.max_total_bytes = 1000, .max_file_bytes = 100});
    const auto js = cache.get("/app.js", "gzip", "");
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(*js.body, script_) << "too large to cache: served as is";
    write("small.txt", "small");
    EXPECT_EQ(*cache.get("/small.txt", "gzip", "").body, "small");
}

TEST_F(StaticCache, EvictedFilesAreReadAgain)
{
    static_cache cache(root_, {.max_total_bytes = 3000, .max_file_bytes = 3000});
    write("a.txt", std::string(2000, 'a'));
    write("b.txt", std::string(2000, 'b'));
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(*cache.get("/a.txt", "", "").body, std::string(2000, 'a'));
        EXPECT_EQ(*cache.get("/b.txt", "", "").body, std::string(2000, 'b'));
    }
}

TEST(EtagMatches, HandlesListsWeakTagsAndStar)
{
    EXPECT_TRUE(etag_matches("\"a\"", "\"a\""));
    EXPECT_TRUE(etag_matches(" \"x\" ,W/\"a\"", "\"a\""));
    EXPECT_TRUE(etag_matches("*", "\"a\""));
    EXPECT_FALSE(etag_matches("\"ab\"", "\"a\""));
    EXPECT_FALSE(etag_matches("", "\"a\""));
    EXPECT_FALSE(etag_matches("a", "\"a\""));
}

} // namespace
} // namespace donna::relay
