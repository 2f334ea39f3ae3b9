//! `?q=` on the lists that grow large (services, people): a case-insensitive substring search
//! answered from an index, on both databases (migration `search_indexes`).
//!
//! The search texts are stored lowercased (Rust folds å, ä, ö; SQLite's `lower()` would not).
//! PostgreSQL answers `LIKE '%…%'` from pg_trgm's GIN index as it stands. SQLite's LIKE cannot
//! use an index for a leading wildcard, so there a query of at least three characters becomes
//! a phrase query of FTS5's trigram index, which matches exactly the rows containing it;
//! shorter ones keep the scan (a trigram index has nothing to offer them).

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{Bool, Text};

use super::{DbConnection, MultiBackend};

/// Which database answers (taken before a list builds its queries, which borrow the connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchBackend {
    Sqlite,
    Postgresql,
}

impl SearchBackend {
    pub fn of(conn: &DbConnection) -> Self {
        match conn {
            DbConnection::Sqlite(_) => SearchBackend::Sqlite,
            DbConnection::Postgresql(_) => SearchBackend::Postgresql,
        }
    }
}

/// A search index of the trigram migration: the table and its FTS5 companion.
#[derive(Debug, Clone, Copy)]
pub enum Indexed {
    Services,
    People,
}

impl Indexed {
    fn tables(self) -> (&'static str, &'static str) {
        match self {
            Indexed::Services => ("services", "services_search"),
            Indexed::People => ("people", "people_search"),
        }
    }
}

/// A condition a boxed query of any table can take.
pub type Condition<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>;

/// The FTS5 condition for `q` on SQLite, or `None` where the caller's LIKE is the right tool
/// (PostgreSQL, whose trigram index serves LIKE; or fewer than three characters).
pub fn sqlite_trigram_match<QS>(
    on: SearchBackend,
    index: Indexed,
    q: &str,
) -> Option<Condition<QS>> {
    let (condition, phrase) = fts_phrase(on, index, q)?;
    Some(Box::new(
        sql::<Bool>(&condition).bind::<Text, _>(phrase).sql(")"),
    ))
}

/// [`sqlite_trigram_match`] in parts, for a query built on SQLite's own connection: the
/// condition's SQL up to its one parameter (close it with `)`), and the FTS5 phrase to bind.
pub fn fts_phrase(on: SearchBackend, index: Indexed, q: &str) -> Option<(String, String)> {
    let text = q.trim().to_lowercase();
    if on != SearchBackend::Sqlite || text.chars().count() < 3 {
        return None;
    }
    let (table, fts) = index.tables();
    // One FTS5 phrase: the text as it is, a double quote written twice.
    let phrase = format!("\"{}\"", text.replace('"', "\"\""));
    Some((
        format!("{table}.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH "),
        phrase,
    ))
}

/// Whether a searched page is ordered by `id + 0` rather than `id`: on PostgreSQL, so that the
/// matches are found through the trigram index and sorted, never by walking the primary key and
/// testing every row until a page is full. The planner's choice between the two rests on its
/// guess of how many rows a `LIKE '%…%'` matches, which ANALYZE's sample makes differ from run to
/// run: a search for `4711` in 100 000 services took 2.4 ms one run and 110 ms the next
/// (bench/scale.sh); a surname all 20 000 people share, plus a number: 8 ms walking, 1 ms
/// sorted. The price is paid by a search that matches nearly every row: the matches are all read
/// and sorted (every service for `tjänst`: ~130 ms instead of the ~35 ms the count of them costs
/// anyway) — bounded by the table either way, and a search is mostly for something specific.
pub fn sort_matches_first(on: SearchBackend, searched: bool) -> bool {
    on == SearchBackend::Postgresql && searched
}
