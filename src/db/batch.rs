//! SQLite's group commit: the writes of concurrent requests committed together.
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` a commit waits until its log is
//! on the disk (0.36 ms a flush on the development machine). Committed one by one, writes can
//! never outrun the disk's flushes; PostgreSQL shares one flush among the commits waiting for it
//! (group commit), SQLite does not. So here one thread takes the writes waiting at that moment
//! (at most [`BATCH`]) and runs each in a savepoint of one transaction — in order, each seeing
//! those before it, exactly as if they had run one after another — then commits them with one
//! flush. A write that fails is rolled back to its savepoint alone. No write is answered before
//! the commit that holds it is durable; if that commit fails, every write of the batch is told
//! so and none of them happened.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};

use super::{ConnectionManager, DbConnection};
use crate::error::{AppError, AppResult};

/// At most this many writes share one commit (a burst is committed in several).
const BATCH: usize = 64;

type Manager = <DbConnection as Connection>::TransactionManager;

/// The queue of writes waiting for the writer thread (SQLite only).
pub struct GroupCommit {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

impl GroupCommit {
    /// Starts the writer thread; it ends when the last handle to the queue is dropped.
    pub fn start(pool: r2d2::Pool<ConnectionManager>) -> GroupCommit {
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    commit_together(&pool, batch);
                }
            })
            .expect("the SQLite writer thread starts");
        GroupCommit { jobs }
    }

    /// Runs `work` in the next batch's transaction; its outcome once that has committed.
    pub async fn write<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(Work { work, reply }))
            .map_err(|_| AppError::Unavailable("the SQLite writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::internal("the SQLite writer dropped a write"))?
    }
}

/// A write of the queue, whatever its result type.
trait Job: Send {
    /// Runs the write (in its savepoint); how to answer it once the batch's fate is known.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Ran;
    /// Answers without running (no connection, or no transaction could begin).
    fn refuse(self: Box<Self>, why: &str);
}

/// A write that ran: whether it succeeded, and its answer, sent after the commit with the
/// commit's failure if there was one.
struct Ran {
    succeeded: bool,
    answer: Answer,
}

/// Sends a write's outcome, or the batch's commit failure (its text) instead.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

struct Work<T, F> {
    work: F,
    reply: tokio::sync::oneshot::Sender<AppResult<T>>,
}

impl<T, F> Job for Work<T, F>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Ran {
        let Work { work, reply } = *self;
        // A panic fails this write alone; the writer thread lives on.
        let outcome = catch_unwind(AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(AppError::internal("a write panicked")));
        Ran {
            succeeded: outcome.is_ok(),
            answer: Box::new(move |commit_failed: Option<&str>| {
                let answer = match commit_failed {
                    None => outcome,
                    Some(why) => Err(AppError::Unavailable(why.to_string())),
                };
                // The request may have gone (client away): nothing to tell.
                let _ = reply.send(answer);
            }),
        }
    }

    fn refuse(self: Box<Self>, why: &str) {
        let _ = self.reply.send(Err(AppError::Unavailable(why.to_string())));
    }
}

/// One transaction for `batch`: each write in a savepoint, one commit, then every answer.
fn commit_together(pool: &r2d2::Pool<ConnectionManager>, batch: Vec<Box<dyn Job>>) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            let why = format!("no database connection for the write: {e}");
            batch.into_iter().for_each(|job| job.refuse(&why));
            return;
        }
    };
    let conn: &mut DbConnection = &mut conn;
    // This process's other writers (background work, first sight) queue behind the batch.
    let _writer = super::SQLITE_WRITER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let began = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgresql(_) => Err(diesel::result::Error::BrokenTransactionManager),
    };
    if let Err(e) = began {
        let why = format!("the write transaction could not begin: {e}");
        batch.into_iter().for_each(|job| job.refuse(&why));
        return;
    }
    let mut ran = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for job in batch {
        if let Some(why) = &broken {
            job.refuse(why);
            continue;
        }
        if let Err(e) = Manager::begin_transaction(conn) {
            broken = Some(format!("a savepoint could not be set: {e}"));
            job.refuse(broken.as_deref().unwrap_or_default());
            continue;
        }
        let done = job.run(conn);
        let closed = if done.succeeded {
            Manager::commit_transaction(conn)
        } else {
            Manager::rollback_transaction(conn)
        };
        if let Err(e) = closed {
            // The transaction can no longer be trusted: none of the batch is committed.
            broken = Some(format!("a write's savepoint could not be closed: {e}"));
        }
        ran.push(done);
    }
    let failed = match broken {
        Some(why) => {
            if let Err(e) = Manager::rollback_transaction(conn) {
                log::error!("rolling back a failed batch of writes failed: {e}");
            }
            Some(why)
        }
        None => Manager::commit_transaction(conn)
            .err()
            .map(|e| format!("the writes could not be committed: {e}")),
    };
    if let Some(why) = &failed {
        log::warn!("{} writes failed together: {why}", ran.len());
    }
    for done in ran {
        (done.answer)(failed.as_deref());
    }
}
