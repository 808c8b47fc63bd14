// call_store.cpp: calls and their timelines in SQLite.
#include "store/call_store.hpp"

#include <algorithm>

namespace donna::relay {
namespace {

constexpr std::string_view call_columns =
    "SELECT id, site, direction, from_number, to_number, status, call_control_id, call_leg_id, "
    "call_session_id, created_at, answered_at_ms, ended_at_ms, hangup_cause, hangup_source, "
    "error, cost, status_at_ms FROM calls ";

call_record call_of(const sql_row& r)
{
    call_record c;
    c.id = integer_of(r[0]);
    c.site = text_of(r[1]);
    c.direction = text_of(r[2]);
    c.from = text_of(r[3]);
    c.to = text_of(r[4]);
    c.status = text_of(r[5]);
    c.call_control_id = text_of(r[6]);
    c.call_leg_id = text_of(r[7]);
    c.call_session_id = text_of(r[8]);
    c.created_at = integer_of(r[9]);
    c.answered_at_ms = integer_of(r[10]);
    c.ended_at_ms = integer_of(r[11]);
    c.hangup_cause = text_of(r[12]);
    c.hangup_source = text_of(r[13]);
    c.error = text_of(r[14]);
    c.cost = text_of(r[15]);
    c.status_at_ms = integer_of(r[16]);
    return c;
}

// The status an event moves a call to ("" : none).
std::string status_after(const std::string& event_type)
{
    if (event_type == "call.initiated")
        return "initiated";
    if (event_type == "call.answered")
        return "answered";
    if (event_type == "call.bridged")
        return "bridged";
    if (event_type == "call.hangup")
        return "ended";
    return {};
}

// The row an event is about: ours by client_state, else by the provider's ids.
result<std::optional<call_record>> find_call(sql_connection& sql, const call_event& e)
{
    const auto one = [&](const std::string& where,
                         const sql_value& value) -> result<std::optional<call_record>> {
        auto rows = sql.query(std::string(call_columns) + "WHERE " + where + " LIMIT 1", {value});
        if (!rows)
            return rows.error();
        if (rows->empty())
            return std::optional<call_record>();
        return std::optional<call_record>(call_of(rows->front()));
    };
    const std::pair<std::string, sql_value> keys[] = {
        {"id = ?", e.call_id},
        {"call_control_id = ?", e.call_control_id},
        {"call_leg_id = ?", e.call_leg_id},
        {"call_session_id = ?", e.call_session_id},
    };
    for (const auto& [where, value] : keys) {
        const auto* text = std::get_if<std::string>(&value);
        const auto* number = std::get_if<std::int64_t>(&value);
        if ((text != nullptr && text->empty()) || (number != nullptr && *number == 0))
            continue;
        auto found = one(where, value);
        if (!found || *found)
            return found;
    }
    return std::optional<call_record>();
}

} // namespace

result<std::int64_t> call_store::create(const call_record& call)
{
    return db_.insert(
        "INSERT INTO calls(site, direction, from_number, to_number, status, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        {call.site, call.direction, call.from, call.to, call.status, call.created_at});
}

status call_store::dialed(std::int64_t id, const std::string& call_control_id,
                          const std::string& call_leg_id, const std::string& call_session_id)
{
    auto changed = db_.run("UPDATE calls SET call_control_id = ?, call_leg_id = ?, "
                           "call_session_id = ? WHERE id = ?",
                           {call_control_id, call_leg_id, call_session_id, id});
    if (!changed)
        return changed.error();
    return ok();
}

status call_store::failed(std::int64_t id, const std::string& why, std::int64_t now_ms)
{
    auto changed = db_.run("UPDATE calls SET status = 'failed', error = ?, status_at_ms = ? "
                           "WHERE id = ?",
                           {why, now_ms, id});
    if (!changed)
        return changed.error();
    return ok();
}

result<std::int64_t> call_store::apply(const call_event& e)
{
    std::int64_t call_id = 0;
    if (e.transfer_of != 0)
        return apply_transfer_leg(e);
    auto done = db_.transaction([&](sql_connection& sql) -> status {
        auto found = find_call(sql, e);
        if (!found)
            return found.error();
        call_record call;
        if (*found) {
            call = **found;
        } else if (e.event_type == "call.initiated" && e.direction == "incoming") {
            call.site = e.site;
            call.direction = "inbound";
            call.from = e.from;
            call.to = e.to;
            call.status = "initiated";
            call.created_at = e.occurred_at_ms / 1000;
            auto made = sql.insert(
                "INSERT INTO calls(site, direction, from_number, to_number, "
                "status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                {call.site, call.direction, call.from, call.to, call.status, call.created_at});
            if (!made)
                return made.error();
            call.id = *made;
        } else {
            return ok(); // about no call of ours
        }
        call_id = call.id;
        auto added = sql.run("INSERT INTO call_events(call_id, event_id, event_type, "
                             "occurred_at_ms, detail) VALUES (?, ?, ?, ?, ?) "
                             "ON CONFLICT DO NOTHING",
                             {call.id, e.event_id, e.event_type, e.occurred_at_ms,
                              e.detail.empty() ? std::string("{}") : e.detail});
        if (!added)
            return added.error();
        if (*added == 0)
            return ok(); // this event was applied before

        // The provider's ids, where the row has none yet (an event before dialed()).
        if (call.call_control_id.empty())
            call.call_control_id = e.call_control_id;
        if (call.call_leg_id.empty())
            call.call_leg_id = e.call_leg_id;
        if (call.call_session_id.empty())
            call.call_session_id = e.call_session_id;
        if (e.event_type == "call.answered" && call.answered_at_ms == 0)
            call.answered_at_ms = e.occurred_at_ms;
        if (e.event_type == "call.hangup") {
            call.ended_at_ms = e.occurred_at_ms;
            call.hangup_cause = e.hangup_cause;
            call.hangup_source = e.hangup_source;
        }
        if (!e.cost.empty())
            call.cost = e.cost;
        const auto next = status_after(e.event_type);
        const bool final_now = call.status == "ended" || call.status == "failed";
        if (!next.empty() && !final_now &&
            (next == "ended" || e.occurred_at_ms >= call.status_at_ms)) {
            call.status = next;
            call.status_at_ms = std::max(call.status_at_ms, e.occurred_at_ms);
        }
        auto saved =
            sql.run("UPDATE calls SET status = ?, call_control_id = ?, call_leg_id = ?, "
                    "call_session_id = ?, answered_at_ms = ?, ended_at_ms = ?, hangup_cause = ?, "
                    "hangup_source = ?, cost = ?, status_at_ms = ? WHERE id = ?",
                    {call.status, call.call_control_id, call.call_leg_id, call.call_session_id,
                     call.answered_at_ms, call.ended_at_ms, call.hangup_cause, call.hangup_source,
                     call.cost, call.status_at_ms, call.id});
        if (!saved)
            return saved.error();
        return ok();
    });
    if (!done)
        return done.error();
    return call_id;
}

result<std::int64_t> call_store::apply_transfer_leg(const call_event& e)
{
    const auto what = e.event_type.starts_with("call.") ? e.event_type.substr(5) : e.event_type;
    auto added = db_.run("INSERT INTO call_events(call_id, event_id, event_type, occurred_at_ms, "
                         "detail) SELECT id, ?, ?, ?, ? FROM calls WHERE id = ? "
                         "ON CONFLICT DO NOTHING",
                         {e.event_id, "transfer_leg." + what, e.occurred_at_ms,
                          e.detail.empty() ? std::string("{}") : e.detail, e.transfer_of});
    if (!added)
        return added.error();
    if (*added != 0)
        return e.transfer_of;
    auto call = get(e.transfer_of); // applied before (still about our call), or no such call
    if (!call)
        return call.error().code == errc::not_found ? result<std::int64_t>(std::int64_t{0})
                                                    : result<std::int64_t>(call.error());
    return e.transfer_of;
}

result<call_record> call_store::get(std::int64_t id)
{
    auto rows = db_.query(std::string(call_columns) + "WHERE id = ?", {id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::not_found, "there is no call #" + std::to_string(id));
    return call_of(rows->front());
}

status call_store::note(std::int64_t call_id, const std::string& event_type,
                        const std::string& detail, std::int64_t occurred_at_ms)
{
    return db_.transaction([&](sql_connection& sql) -> status {
        auto count = sql.query("SELECT COUNT(*) FROM calls WHERE id = ?", {call_id});
        if (!count)
            return count.error();
        if (count->empty() || integer_of(count->front()[0]) == 0)
            return make_error(errc::not_found, "there is no call #" + std::to_string(call_id));
        auto noted = sql.query("SELECT COUNT(*) FROM call_events WHERE call_id = ? AND "
                               "event_id LIKE 'relay-%'",
                               {call_id});
        if (!noted)
            return noted.error();
        const auto n = noted->empty() ? 0 : integer_of(noted->front()[0]);
        auto added =
            sql.run("INSERT INTO call_events(call_id, event_id, event_type, "
                    "occurred_at_ms, detail) VALUES (?, ?, ?, ?, ?)",
                    {call_id, "relay-" + std::to_string(call_id) + "-" + std::to_string(n + 1),
                     event_type, occurred_at_ms, detail});
        if (!added)
            return added.error();
        return ok();
    });
}

result<std::vector<call_event_row>> call_store::timeline(std::int64_t id)
{
    auto rows = db_.query("SELECT event_id, event_type, occurred_at_ms, detail FROM call_events "
                          "WHERE call_id = ? ORDER BY occurred_at_ms, rowid",
                          {id});
    if (!rows)
        return rows.error();
    std::vector<call_event_row> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back({text_of(r[0]), text_of(r[1]), integer_of(r[2]), text_of(r[3])});
    return out;
}

result<std::vector<call_record>> call_store::list(const call_filter& f)
{
    auto rows = db_.query(
        std::string(call_columns) + "WHERE (? = '' OR site = ?) "
                                    "AND (? = '' OR from_number = ? OR to_number = ?) "
                                    "AND (? = '' OR direction = ?) AND (? = '' OR status = ?) "
                                    "AND (? = 0 OR created_at >= ?) AND (? = 0 OR created_at < ?) "
                                    "AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
        {f.site, f.site, f.number, f.number, f.number, f.direction, f.direction, f.status, f.status,
         f.since, f.since, f.until, f.until, f.before_id, f.before_id,
         static_cast<std::int64_t>(std::clamp<std::size_t>(f.limit, 1, max_list))});
    if (!rows)
        return rows.error();
    std::vector<call_record> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back(call_of(r));
    return out;
}

} // namespace donna::relay
