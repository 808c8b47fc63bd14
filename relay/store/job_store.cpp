// job_store.cpp: the jobs table, parameterised SQL only.
#include "store/job_store.hpp"

namespace donna::relay {
namespace {

constexpr const char* job_columns = "id, kind, idempotency_key, payload, attempts, max_attempts, "
                                    "run_after, state, last_error";

job job_of(const sql_row& row)
{
    job j;
    j.id = integer_of(row.at(0));
    j.kind = text_of(row.at(1));
    j.idempotency_key = text_of(row.at(2));
    j.payload = text_of(row.at(3));
    j.attempts = integer_of(row.at(4));
    j.max_attempts = integer_of(row.at(5));
    j.run_after_ms = integer_of(row.at(6));
    j.state = text_of(row.at(7));
    j.last_error = text_of(row.at(8));
    return j;
}

} // namespace

result<std::int64_t> enqueue_job(sql_connection& sql, const job_spec& spec, std::int64_t now_ms)
{
    if (spec.kind.empty() || spec.idempotency_key.empty())
        return make_error(errc::invalid_argument, "a job needs a kind and an idempotency key");
    if (spec.max_attempts < 1)
        return make_error(errc::invalid_argument, "a job needs at least one attempt");
    auto inserted = sql.run(
        "INSERT INTO jobs(kind, idempotency_key, payload, max_attempts, run_after, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(idempotency_key) DO NOTHING",
        {spec.kind, spec.idempotency_key, spec.payload, spec.max_attempts,
         spec.run_after_ms > 0 ? spec.run_after_ms : now_ms, now_ms, now_ms});
    if (!inserted)
        return inserted.error();
    auto rows = sql.query("SELECT id FROM jobs WHERE idempotency_key = ?", {spec.idempotency_key});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::io_error, "a job vanished as it was enqueued");
    return integer_of(rows->front().at(0));
}

result<std::int64_t> job_store::enqueue(const job_spec& spec, std::int64_t now_ms)
{
    std::int64_t id = 0;
    auto done = db_.transaction([&](sql_connection& sql) -> status {
        auto queued = enqueue_job(sql, spec, now_ms);
        if (!queued)
            return queued.error();
        id = *queued;
        return ok();
    });
    if (!done)
        return done.error();
    return id;
}

result<std::vector<job>> job_store::claim(const std::vector<std::string>& kinds, std::size_t limit,
                                          std::int64_t now_ms, std::int64_t lease_ms)
{
    if (kinds.empty() || limit == 0)
        return std::vector<job>{};
    std::string marks;
    for (std::size_t n = 0; n < kinds.size(); ++n)
        marks += n == 0 ? "?" : ",?";
    const auto wanted = static_cast<std::int64_t>(limit);
    std::vector<sql_value> params{now_ms + lease_ms, now_ms, now_ms};
    params.insert(params.end(), kinds.begin(), kinds.end());
    params.emplace_back(wanted);
    params.emplace_back(now_ms);
    params.insert(params.end(), kinds.begin(), kinds.end());
    params.emplace_back(wanted);
    params.emplace_back(wanted);
    // Two index range scans (jobs_due: state, run_after), each stopping at `limit`: the due
    // queued jobs in order, and the running ones whose lease lapsed. One scan with an OR
    // would read and sort the whole table on every claim, and the table keeps every job.
    auto rows = db_.query(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?, "
        "updated_at = ? WHERE id IN (SELECT id FROM ("
        "SELECT * FROM (SELECT id, run_after FROM jobs WHERE state = 'queued' AND run_after <= ? "
        "AND kind IN (" +
            marks +
            ") ORDER BY run_after, id LIMIT ?) "
            "UNION ALL "
            "SELECT * FROM (SELECT id, run_after FROM jobs WHERE state = 'running' AND "
            "lease_until <= ? AND kind IN (" +
            marks + ") LIMIT ?)) ORDER BY run_after, id LIMIT ?) RETURNING " + job_columns,
        params);
    if (!rows)
        return rows.error();
    std::vector<job> out;
    out.reserve(rows->size());
    for (const auto& row : *rows)
        out.push_back(job_of(row));
    return out;
}

result<bool> job_store::finish(std::int64_t id, std::int64_t attempt, std::int64_t now_ms)
{
    auto changed = db_.run("UPDATE jobs SET state = 'done', last_error = '', updated_at = ? "
                           "WHERE id = ? AND attempts = ? AND state = 'running'",
                           {now_ms, id, attempt});
    if (!changed)
        return changed.error();
    return *changed == 1;
}

result<bool> job_store::retry_at(std::int64_t id, std::int64_t attempt, std::int64_t run_after_ms,
                                 const std::string& error, std::int64_t now_ms)
{
    auto changed = db_.run("UPDATE jobs SET state = 'queued', run_after = ?, last_error = ?, "
                           "updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running'",
                           {run_after_ms, error, now_ms, id, attempt});
    if (!changed)
        return changed.error();
    return *changed == 1;
}

result<bool> job_store::bury(std::int64_t id, std::int64_t attempt, const std::string& error,
                             std::int64_t now_ms)
{
    auto changed = db_.run("UPDATE jobs SET state = 'dead', last_error = ?, updated_at = ? "
                           "WHERE id = ? AND attempts = ? AND state = 'running'",
                           {error, now_ms, id, attempt});
    if (!changed)
        return changed.error();
    return *changed == 1;
}

result<std::vector<job_count>> job_store::counts(std::int64_t now_ms)
{
    auto rows = db_.query("SELECT kind, state, COUNT(*), MIN(CASE WHEN state = 'queued' AND "
                          "run_after <= ? THEN run_after END) FROM jobs GROUP BY kind, state "
                          "ORDER BY kind, state",
                          {now_ms});
    if (!rows)
        return rows.error();
    std::vector<job_count> out;
    for (const auto& row : *rows)
        out.push_back(
            {text_of(row.at(0)), text_of(row.at(1)), integer_of(row.at(2)), integer_of(row.at(3))});
    return out;
}

result<job> job_store::get(std::int64_t id)
{
    auto rows = db_.query(std::string("SELECT ") + job_columns + " FROM jobs WHERE id = ?", {id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::not_found, "no job " + std::to_string(id));
    return job_of(rows->front());
}

} // namespace donna::relay
