//! `qiao serve`: open the store, load the demo set if asked, and serve HTTP.

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{Cli, ServeArgs};
use qiao_app::demo;

use crate::config;

pub async fn run(cli: &Cli, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let url = config::database_url(&cli.data_dir, cli.database.as_deref())?;
    println!(
        "Qiao {} — data dir {}, database {}",
        env!("CARGO_PKG_VERSION"),
        cli.data_dir.display(),
        config::redact(&url)
    );
    let store = config::open_store(cli).await?;
    if args.demo {
        if !args.listen.ip().is_loopback() {
            eprintln!(
                "warning: --demo creates accounts with published passwords; do not expose it beyond this machine"
            );
        }
        match demo::load_if_empty(&store).await? {
            None => {
                println!("演示数据已存在 · demo data already present (the database is not empty)")
            }
            Some(loaded) => {
                println!(
                    "已载入演示数据 · demo data loaded: {} organisations, {} listings, {} policies, {} targets, {} deals, {} technology contracts, {} challenge applications, {} instrument slots, {} bookings",
                    loaded.organisations,
                    loaded.listings,
                    loaded.policies,
                    loaded.targets,
                    loaded.deals,
                    loaded.contracts,
                    loaded.applications,
                    loaded.slots,
                    loaded.bookings
                );
                println!("演示账号 · demo accounts (username / password):");
                for (username, password, role, _) in demo::ACCOUNTS {
                    println!("  {username} / {password}  ({})", role.label_zh());
                }
            }
        }
    }
    // Checked before listening: a bad relay URL stops the start with its reason.
    let transport = match &args.smtp {
        Some(url) => qiao_app::mail::Transport::Smtp(
            qiao_app::mail::SmtpConfig::parse(url, &args.smtp_from)
                .map_err(|e| anyhow::anyhow!("--smtp: {e}"))?,
        ),
        None => qiao_app::mail::Transport::Log,
    };
    // Listening for Ctrl-C and SIGTERM before the address is announced: a stop sent at any time
    // after that is a clean one.
    let shutdown = qiao_server::Shutdown::on_signals();
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!(
        "桥 Qiao 已启动 · listening on http://{}",
        listener.local_addr()?
    );
    let state = qiao_server::AppState::open(store, Some(&super::search::index_dir(cli))).await?;
    let setup = qiao_server::semantic::SemanticSetup {
        model_dir: args.model.resolve(&cli.data_dir),
        vectors_dir: Some(cli.data_dir.join("vectors")),
        fetch: true,
    };
    if args.lexical_only {
        // Logged, not printed: the listening line above is the last thing written to stdout
        // (a supervisor may stop reading it there).
        tracing::info!("semantic matching off (--lexical-only): matching on words alone");
        qiao_server::semantic::switched_off(&state.semantic, "started with --lexical-only");
    } else {
        let state = state.clone();
        tokio::spawn(async move {
            qiao_server::semantic::start(&state.store, &state.search, &state.semantic, setup).await
        });
    }
    // Notifications that time brings (certificates expiring, followed challenges closing) are
    // checked at start and hourly; queued e-mails are sent every few seconds. Both run beside
    // the requests, never in them.
    match &transport {
        qiao_app::mail::Transport::Smtp(c) => {
            tracing::info!(host = %c.host, port = c.port, "notification e-mails sent through SMTP")
        }
        qiao_app::mail::Transport::Log => {
            tracing::info!("no --smtp relay: notification e-mails are written to the log")
        }
    }
    qiao_app::notifications::spawn_date_checks(
        state.store.clone(),
        std::time::Duration::from_secs(3600),
    );
    qiao_app::mail::spawn_sender(
        state.store.clone(),
        transport,
        std::time::Duration::from_secs(5),
    );
    qiao_server::serve(listener, state, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}
