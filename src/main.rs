//! The `forvaltning` binary: `serve` (default), `migrate`, `token`, `demo`, `openapi`,
//! `model`, `check-config`, `audit`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use forvaltning::auth::jwt::{sign_token, DevClaims};
use forvaltning::config::Settings;
use forvaltning::domain::model::Model;
use forvaltning::domain::role::RoleCode;
use forvaltning::startup::{migrate_database, Application};

#[derive(Parser)]
#[command(
    name = "forvaltning",
    version,
    about = "Sunet's service management model as a REST/JSON API"
)]
struct Cli {
    /// Optional TOML configuration file (environment variables win over it).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print a signed development token for curl (HS256 with the configured secret).
    Token {
        /// The person (`sub` claim), e.g. an eduPersonPrincipalName.
        #[arg(long)]
        sub: String,
        /// A global role code for the `roles` claim; repeat for several.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 8 * 3600)]
        ttl: u64,
    },
    /// Fill an empty database with a small Sunet to look at, and print a token per role.
    Demo,
    /// Print the OpenAPI document.
    Openapi,
    /// The governance model: check a model file, or show the model in force.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Check the configuration and print it (without secrets).
    CheckConfig,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Read and check a model file; name every problem with its line and key (exit 1).
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print who may do what in the model in force (the configured one, else Sunet's).
    Show {
        #[arg(long, value_enum, default_value = "markdown")]
        format: ModelFormat,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ModelFormat {
    Markdown,
    Json,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain of the audit trail; name the first event altered, removed or
    /// inserted behind the service's back (exit 1), or say how many are intact (exit 0).
    Verify,
}

fn main() -> ExitCode {
    forvaltning::logging::init();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        match serde_json::to_string_pretty(&forvaltning::openapi::document()) {
            Ok(json) => {
                println!("{json}");
                return ExitCode::SUCCESS;
            }
            Err(e) => return fail(e),
        }
    }
    if let Command::Model {
        command: ModelCommand::Check { file },
    } = &command
    {
        return check_model(file);
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match command {
        Command::Serve => serve(settings),
        Command::Migrate => match migrate_database(&settings) {
            Ok(_) => {
                log::info!("the database is up to date");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Token {
            sub,
            roles,
            name,
            email,
            ttl,
        } => token(&settings, sub, roles, name, email, ttl),
        Command::Demo => demo(settings),
        Command::CheckConfig => {
            println!("{}", settings.describe());
            ExitCode::SUCCESS
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => verify_audit(&settings),
        Command::Model {
            command: ModelCommand::Show { format },
        } => show_model(&settings.governance_model, format),
        Command::Openapi | Command::Model { .. } => ExitCode::SUCCESS,
    }
}

fn check_model(file: &std::path::Path) -> ExitCode {
    match forvaltning::config::governance_model(Some(file)) {
        Ok(model) => {
            println!(
                "{}: the governance model '{}' version {} is valid (sha256 {})",
                file.display(),
                model.name,
                model.version,
                model.sha256
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.message);
            ExitCode::FAILURE
        }
    }
}

fn show_model(model: &Model, format: ModelFormat) -> ExitCode {
    match format {
        ModelFormat::Markdown => print!("{}", model.markdown()),
        ModelFormat::Json => match serde_json::to_string_pretty(&model.document()) {
            Ok(json) => println!("{json}"),
            Err(e) => return fail(e),
        },
    }
    ExitCode::SUCCESS
}

fn verify_audit(settings: &Settings) -> ExitCode {
    use forvaltning::db::seal::{verify, Verdict};
    let mut conn = match forvaltning::startup::connect_migrated(settings) {
        Ok(conn) => conn,
        Err(e) => return fail(e),
    };
    match verify(&mut conn, forvaltning::db::now()) {
        Ok(Verdict::Intact { sealed, unsealed }) => {
            println!("the audit trail is intact: {sealed} events sealed and verified; {unsealed} settled events not sealed yet");
            ExitCode::SUCCESS
        }
        Ok(Verdict::Broken { event_id, problem }) => {
            println!("the audit trail is broken at event {event_id}: {problem}");
            ExitCode::FAILURE
        }
        Err(e) => fail(e),
    }
}

fn serve(settings: Settings) -> ExitCode {
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)
            .await
            .map_err(|e| e.to_string())?;
        app.run_until_stopped().await.map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn token(
    settings: &Settings,
    sub: String,
    roles: Vec<String>,
    name: Option<String>,
    email: Option<String>,
    ttl: u64,
) -> ExitCode {
    let model = &settings.governance_model;
    for role in &roles {
        let code: RoleCode = match role.parse() {
            Ok(code) => code,
            Err(e) => return fail(e),
        };
        match model.role(&code) {
            Some(r) if r.from_claims => {}
            Some(r) if !r.is_global() => {
                return fail(format!(
                    "{role} is a scoped role: it comes from a role assignment, not from the token"
                ))
            }
            Some(_) => {
                return fail(format!(
                    "{role} is not taken from token claims in the governance model '{}'",
                    model.name
                ))
            }
            None => {
                return fail(format!(
                    "{role} is not a role of the governance model '{}'",
                    model.name
                ))
            }
        }
    }
    let now = jsonwebtoken::get_current_timestamp();
    let claims = DevClaims {
        sub,
        roles,
        name,
        email,
        iat: now,
        nbf: now,
        exp: now + ttl,
        iss: None,
        aud: None,
    };
    match sign_token(settings, claims) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// The demo's tokens go to stdout as shell assignments (`eval "$(forvaltning demo)"`), each
/// with who it is.
fn demo(settings: Settings) -> ExitCode {
    let result = actix_web::rt::System::new().block_on(forvaltning::demo::run(settings));
    match result {
        Ok(tokens) => {
            println!("# A small Sunet, filled in: three portfolios, twelve services, customers, contracts and plans.");
            for (person, token) in tokens {
                println!("# {} — {} ({})", person.key, person.what, person.sub);
                println!("export {}={token}", person.key);
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("forvaltning: {message}");
    ExitCode::FAILURE
}
