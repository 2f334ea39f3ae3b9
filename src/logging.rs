//! The process's logger: env_logger (`RUST_LOG`, `info` by default), with one correction: the
//! HTTP layer logs a request it cannot parse (a URI past what it reads, a broken head) as an
//! error, but that is the client's fault and no fault of the service, so it is a warning.

use log::{Level, Log, Metadata, Record};

/// Installs the logger; call once, first thing.
pub fn init() {
    let inner =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).build();
    let max = inner.filter();
    if log::set_boxed_logger(Box::new(ClientFaultsAsWarnings { inner })).is_ok() {
        log::set_max_level(max);
    }
}

struct ClientFaultsAsWarnings<L> {
    inner: L,
}

/// A record of actix-http's that says a client sent what HTTP cannot parse.
fn is_client_fault(record: &Record) -> bool {
    record.level() == Level::Error
        && record.target().starts_with("actix_http::h1")
        && record
            .args()
            .to_string()
            .starts_with("stream error: request parse error")
}

impl<L: Log> Log for ClientFaultsAsWarnings<L> {
    fn enabled(&self, metadata: &Metadata) -> bool {
        self.inner.enabled(metadata)
    }

    fn log(&self, record: &Record) {
        if !is_client_fault(record) {
            return self.inner.log(record);
        }
        let warning = Record::builder()
            .args(*record.args())
            .level(Level::Warn)
            .target(record.target())
            .module_path(record.module_path())
            .file(record.file())
            .line(record.line())
            .build();
        if self.inner.enabled(warning.metadata()) {
            self.inner.log(&warning);
        }
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Kept(Mutex<Vec<(Level, String)>>);

    impl Log for &Kept {
        fn enabled(&self, _: &Metadata) -> bool {
            true
        }
        fn log(&self, record: &Record) {
            let line = (record.level(), record.args().to_string());
            self.0.lock().unwrap().push(line);
        }
        fn flush(&self) {}
    }

    #[test]
    fn an_unparsable_request_is_a_warning_and_nothing_else_changes() {
        let kept = Kept::default();
        let logger = ClientFaultsAsWarnings { inner: &kept };
        let parse = format_args!("stream error: request parse error: URI error: uri too long");
        logger.log(
            &Record::builder()
                .args(parse)
                .level(Level::Error)
                .target("actix_http::h1::dispatcher")
                .build(),
        );
        let other = format_args!("internal error: database: disk full");
        logger.log(
            &Record::builder()
                .args(other)
                .level(Level::Error)
                .target("forvaltning::error")
                .build(),
        );
        let lines = kept.0.lock().unwrap();
        assert_eq!(lines[0].0, Level::Warn);
        assert_eq!(lines[1].0, Level::Error);
    }
}
