//! `qiao value --achievement ID --inputs FILE [--json] [--save]`: a valuation from the command
//! line, computed by the same operations as the pages and the API (`qiao_app::valuations`).
//!
//! The comparables index is built in memory from the store's registered contracts for the
//! run (the server keeps one on disk). The operator holds the database, so no account is
//! checked; a saved version records no account.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use qiao_app::{valuation_report, valuations};
use qiao_domain::valuation::Inputs;
use qiao_search::{Comparables, ContractIndex};
use qiao_store::{Store, ValuationSubject};

use crate::cli::ValueArgs;

pub async fn run(store: &Arc<dyn Store>, args: &ValueArgs) -> anyhow::Result<ExitCode> {
    let subject = match (args.achievement, args.deal) {
        (Some(id), _) => ValuationSubject::Listing(id),
        (None, Some(id)) => ValuationSubject::Deal(id),
        (None, None) => anyhow::bail!("name the subject: --achievement ID or --deal ID"),
    };
    let view = valuations::subject_view(store, subject).await?;
    let reference = store.valuation_reference().await?;
    if args.template {
        let inputs = valuations::starting_inputs(&view, &reference, qiao_domain::today());
        println!("{}", serde_json::to_string_pretty(&inputs)?);
        return Ok(ExitCode::SUCCESS);
    }
    let path = args.inputs.as_ref().context("--inputs FILE is needed")?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut de = serde_json::Deserializer::from_str(&text);
    let inputs: Inputs = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| anyhow::anyhow!("{}: `{}`: {}", path.display(), e.path(), e.inner()))?;
    let comparables = Comparables::new(store.clone(), ContractIndex::in_memory()?).await?;
    comparables.catch_up().await?;
    let computed = match valuations::compute_for(store, &comparables, &view, inputs).await {
        Ok(c) => c,
        Err(qiao_app::AppError::Invalid(invalid)) => {
            for e in &invalid.0 {
                eprintln!("{}: {e}", path.display());
            }
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let saved = if args.save {
        Some(
            store
                .create_valuation(subject, &args.note, &computed.inputs, &computed.valuation)
                .await?,
        )
    } else {
        None
    };
    if args.json {
        let out = serde_json::json!({
            "subject": subject, "title": view.title, "inputs": computed.inputs,
            "result": computed.valuation,
            "saved": saved.as_ref().map(|r| serde_json::json!({"id": r.id, "version": r.version})),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("估值 Valuation: {}", view.title);
        let lines = valuation_report::lines(&computed.inputs, &computed.valuation, &reference);
        let mut section = "";
        for l in &lines {
            if l.section != section {
                section = l.section;
                println!("\n{section}");
            }
            println!("  {:<28} {:<24} {}", l.item, l.value, l.note);
        }
        println!(
            "\n{}\n{}",
            valuation_report::DISCLAIMER_ZH,
            valuation_report::DISCLAIMER_EN
        );
        if let Some(r) = saved {
            println!("\nsaved as version {} (id {})", r.version, r.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}
