// The similar-incident search on PostgreSQL: search_documents with a stored, weighted tsvector
// (migration 2 of the PostgreSQL schema) and ts_rank. Words are untrusted text: they reach
// to_tsquery only one word at a time, each of letters and digits (query_words()), and the
// same-alert test compares word sequences (strpos), never patterns.
#include <algorithm>

#include "net/encoding.hpp"
#include "store/pg_ops.hpp"
#include "store/search_words.hpp"

namespace alertbot::store::pg {
namespace {

constexpr const char* kUpsertDocument =
    "INSERT INTO search_documents (investigation_id, service, alert_name, alert_key, top_cause, suspect_kind, "
    "suspect_ref, body, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
    "ON CONFLICT (investigation_id) DO UPDATE SET service = excluded.service, alert_name = excluded.alert_name, "
    "alert_key = excluded.alert_key, top_cause = excluded.top_cause, suspect_kind = excluded.suspect_kind, "
    "suspect_ref = excluded.suspect_ref, body = excluded.body, finished_at = excluded.finished_at";

// Scoring as on SQLite (store/store.hpp), with r computed the way bm25 weighs evidence: for each
// query word, its inverse document frequency ln((N - n + 0.5) / (n + 0.5)) (at least 1e-6, as
// FTS5 clamps it: a word most documents hold says nothing) times ts_rank_cd of the word in the
// document's weighted vector (alert_name A = 1.0, top_cause B = 0.5, suspect_ref and body D = 0.25:
// the 4:2:1:1 column weights of the SQLite backend), summed over the words. Scores differ a little
// between backends (no length normalisation here); the order rules are the same.
#define ALERTBOT_PG_SEARCH_TAIL                                                                                   \
  "best (id, r) AS (SELECT id, MAX(r) FROM matched GROUP BY id), "                                                \
  "scored AS (SELECT d.investigation_id, d.service, d.alert_name, d.top_cause, d.suspect_kind, d.suspect_ref, "    \
  "d.finished_at, 0.40 * best.r / (1.0 + best.r) "                                                                 \
  "+ CASE WHEN $2 <> '' AND d.service = $2 THEN 0.25 ELSE 0.0 END "                                               \
  "+ CASE WHEN d.alert_key <> '' AND strpos($3, d.alert_key) > 0 THEN 0.35 ELSE 0.0 END AS score "                \
  "FROM best JOIN search_documents d ON d.investigation_id = best.id WHERE d.finished_at < $4) "                  \
  "SELECT top.*, COALESCE((SELECT f.verdict FROM feedback f WHERE f.investigation_id = top.investigation_id "     \
  "AND f.verdict IN ('helpful', 'wrong') ORDER BY f.created_at DESC, f.id DESC LIMIT 1), '') "                   \
  "FROM (SELECT * FROM scored ORDER BY score DESC, finished_at DESC, investigation_id DESC LIMIT $5) AS top "      \
  "ORDER BY score DESC, finished_at DESC, investigation_id DESC"

#define ALERTBOT_PG_SERVICE_ARM                                                                               \
  "SELECT * FROM (SELECT investigation_id, 0.0::float8 FROM search_documents WHERE $2 <> '' AND service = $2 " \
  "AND finished_at < $4 ORDER BY finished_at DESC LIMIT 200) AS by_service"

// $1 the query words as a text[] literal (never empty), $2 service, $3 the words as " w1 w2 ",
// $4 before, $5 limit.
constexpr const char* kSearchByWords =
    "WITH total AS (SELECT COUNT(*)::float8 AS n FROM search_documents), "
    "terms AS (SELECT x.q, GREATEST(ln((total.n - c.df + 0.5) / (c.df + 0.5)), 1e-6) AS idf "
    "FROM (SELECT to_tsquery('simple', w) AS q FROM unnest($1::text[]) AS w) AS x CROSS JOIN total, "
    "LATERAL (SELECT COUNT(*)::float8 AS df FROM search_documents WHERE tsv @@ x.q) AS c), "
    "matched (id, r) AS ("
    "SELECT * FROM (SELECT d.investigation_id, SUM(terms.idf * ts_rank_cd('{0.25, 0.25, 0.5, 1.0}', d.tsv, terms.q)) "
    "AS r FROM search_documents d JOIN terms ON d.tsv @@ terms.q GROUP BY d.investigation_id "
    "ORDER BY r DESC LIMIT 200) AS by_text "
    "UNION ALL " ALERTBOT_PG_SERVICE_ARM "), " ALERTBOT_PG_SEARCH_TAIL;

// As kSearchByWords with no usable word: $1 is "" and only the service arm runs.
constexpr const char* kSearchByService =
    "WITH matched (id, r) AS (" ALERTBOT_PG_SERVICE_ARM " WHERE $1 = ''), " ALERTBOT_PG_SEARCH_TAIL;

#undef ALERTBOT_PG_SERVICE_ARM
#undef ALERTBOT_PG_SEARCH_TAIL

// The query words as a PostgreSQL text[] literal: a word holds only letters, digits and
// non-ASCII characters, so it needs no quoting. "" when no word is left.
std::string words_array(const std::vector<std::string>& words) {
  if (words.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < words.size(); ++i) out += (i ? "," : "") + words[i];
  return out + "}";
}

SearchHit read_hit(const pqxx::row& r) {
  SearchHit hit;
  hit.investigation_id = int64(r, 0);
  hit.service = text(r, 1);
  hit.alert_name = text(r, 2);
  hit.top_cause = text(r, 3);
  hit.suspect_kind = text(r, 4);
  hit.suspect_ref = text(r, 5);
  hit.finished_at = time(r, 6);
  hit.score = std::clamp(real(r, 7), 0.0, 1.0);
  hit.feedback = text(r, 8);
  return hit;
}

}  // namespace

Result<void> index_investigation(Conn& db, const SearchDocument& doc) {
  auto done = in_tx(db, "index_investigation", [&](Tx& tx) -> Result<void> {
    const Params p(doc.investigation_id, doc.service, doc.alert_name, word_sequence(doc.alert_name), doc.top_cause,
                   doc.suspect_kind, doc.suspect_ref, doc.text, doc.finished_at);
    tx.exec(kUpsertDocument, "index_investigation", p);
    return {};
  });
  if (!done && done.error().code == Errc::NotFound) {
    return fail(Errc::NotFound, "index_investigation: no investigation " + std::to_string(doc.investigation_id));
  }
  return done;
}

Result<std::vector<SearchHit>> search_investigations(Conn& db, const std::string& service, const std::string& words,
                                                     Time before, int limit) {
  // PostgreSQL refuses malformed text, and untrusted words may hold any bytes: a bad byte only
  // separates words.
  const std::string clean = replace_invalid_utf8(words, ' ');
  const std::string query = words_array(query_words(clean));
  if (limit <= 0 || (query.empty() && service.empty())) return std::vector<SearchHit>{};
  const char* sql = query.empty() ? kSearchByService : kSearchByWords;
  const Params p(query, service, word_sequence(clean), before, std::min(limit, kMaxSearchLimit));
  return select_all<SearchHit>(db, sql, "search_investigations", p, read_hit);
}

}  // namespace alertbot::store::pg
