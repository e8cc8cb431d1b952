// The similar-incident search on SQLite: search_documents plus its FTS5 index (migration 2).
// Words are untrusted text: they reach FTS5 only as quoted strings built by fts5_query(), and the
// same-alert test compares word sequences, never patterns.
#include <algorithm>

#include "store/search_words.hpp"
#include "store/sqlite_ops.hpp"

namespace alertbot::store::sqlite {
namespace {

constexpr const char* kUpsertDocument =
    "INSERT INTO search_documents (investigation_id, service, alert_name, alert_key, top_cause, suspect_kind, "
    "suspect_ref, body, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (investigation_id) DO UPDATE SET service = excluded.service, alert_name = excluded.alert_name, "
    "alert_key = excluded.alert_key, top_cause = excluded.top_cause, suspect_kind = excluded.suspect_kind, "
    "suspect_ref = excluded.suspect_ref, body = excluded.body, finished_at = excluded.finished_at";

// Both searches end the same way: score the candidates in `best (id, r)` (r = -bm25 >= 0, 0 for a
// service-only match), keep those finished before ?4, best first, then look up the feedback of
// the ?5 kept. Score, in 0..1:
//   0.40 * r / (1 + r)   full-text relevance, saturating (r = 1 gives 0.2; r grows with rare,
//                        repeated words and with matches in the weighted columns)
// + 0.25                 same service (?2)
// + 0.35                 same alert: the document's alert_key occurs in ?3 (the words as " w1 w2 ")
// bm25 column weights: alert_name 4, top_cause 2, suspect_ref 1, body 1. Each arm brings at most 200
// candidates (the best full-text matches; the service's most recent), which bounds the work
// when common words match most documents.
#define ALERTBOT_SEARCH_TAIL                                                                                     \
  "best (id, r) AS (SELECT id, MAX(r) FROM matched GROUP BY id), "                                              \
  "scored AS (SELECT d.investigation_id, d.service, d.alert_name, d.top_cause, d.suspect_kind, d.suspect_ref, "  \
  "d.finished_at, 0.40 * best.r / (1.0 + best.r) "                                                               \
  "+ CASE WHEN ?2 <> '' AND d.service = ?2 THEN 0.25 ELSE 0.0 END "                                             \
  "+ CASE WHEN d.alert_key <> '' AND instr(?3, d.alert_key) > 0 THEN 0.35 ELSE 0.0 END AS score "              \
  "FROM best JOIN search_documents d ON d.investigation_id = best.id WHERE d.finished_at < ?4) "                \
  "SELECT top.*, COALESCE((SELECT f.verdict FROM feedback f WHERE f.investigation_id = top.investigation_id "   \
  "AND f.verdict IN ('helpful', 'wrong') ORDER BY f.created_at DESC, f.id DESC LIMIT 1), '') "                 \
  "FROM (SELECT * FROM scored ORDER BY score DESC, finished_at DESC, investigation_id DESC LIMIT ?5) AS top "    \
  "ORDER BY score DESC, finished_at DESC, investigation_id DESC"

#define ALERTBOT_SERVICE_ARM                                                                                 \
  "SELECT * FROM (SELECT investigation_id, 0.0 FROM search_documents WHERE ?2 <> '' AND service = ?2 "       \
  "AND finished_at < ?4 ORDER BY finished_at DESC LIMIT 200)"

// ?1 the FTS5 query (never empty), ?2 service, ?3 the words as " w1 w2 ", ?4 before, ?5 limit.
constexpr const char* kSearchByWords =
    "WITH matched (id, r) AS ("
    "SELECT * FROM (SELECT rowid, -bm25(search_index, 4.0, 2.0, 1.0, 1.0) AS r FROM search_index "
    "WHERE search_index MATCH ?1 ORDER BY r DESC LIMIT 200) "
    "UNION ALL " ALERTBOT_SERVICE_ARM "), " ALERTBOT_SEARCH_TAIL;

// As kSearchByWords with no usable word: ?1 is bound to "" and only the service arm runs.
constexpr const char* kSearchByService =
    "WITH matched (id, r) AS (" ALERTBOT_SERVICE_ARM " WHERE ?1 = ''), " ALERTBOT_SEARCH_TAIL;

#undef ALERTBOT_SERVICE_ARM
#undef ALERTBOT_SEARCH_TAIL

SearchHit read_hit(const Stmt& s) {
  SearchHit hit;
  hit.investigation_id = s.int64(0);
  hit.service = s.text(1);
  hit.alert_name = s.text(2);
  hit.top_cause = s.text(3);
  hit.suspect_kind = s.text(4);
  hit.suspect_ref = s.text(5);
  hit.finished_at = s.time(6);
  hit.score = std::clamp(s.real(7), 0.0, 1.0);
  hit.feedback = s.text(8);
  return hit;
}

}  // namespace

std::string fts5_query(std::string_view words) {
  std::string query;
  for (const auto& w : query_words(words)) {
    // A word holds no '"' (it is a separator), so quoting needs no escapes.
    if (!query.empty()) query += " OR ";
    query += '"' + w + '"';
  }
  return query;
}

Result<void> index_investigation(Db& db, const SearchDocument& doc) {
  auto stmt = db.prepare(kUpsertDocument, "index_investigation");
  if (!stmt) return stmt.error();
  auto done = stmt->bind_all(doc.investigation_id, doc.service, doc.alert_name, word_sequence(doc.alert_name),
                             doc.top_cause, doc.suspect_kind, doc.suspect_ref, doc.text, doc.finished_at)
                  .run();
  if (!done && done.error().code == Errc::NotFound) {
    return fail(Errc::NotFound, "index_investigation: no investigation " + std::to_string(doc.investigation_id));
  }
  return done;
}

Result<std::vector<SearchHit>> search_investigations(Db& db, const std::string& service, const std::string& words,
                                                     Time before, int limit) {
  const std::string query = fts5_query(words);
  if (limit <= 0 || (query.empty() && service.empty())) return std::vector<SearchHit>{};
  const bool by_words = !query.empty();
  auto stmt = by_words ? db.prepare(kSearchByWords, "search_investigations.words")
                       : db.prepare(kSearchByService, "search_investigations.service");
  if (!stmt) return stmt.error();
  stmt->bind_all(query, service, word_sequence(words), before, std::min(limit, kMaxSearchLimit));
  return fetch_all(*stmt, read_hit);
}

}  // namespace alertbot::store::sqlite
