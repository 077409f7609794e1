//! `qiao doc inspect FILE [--json]` and `qiao bench docs`: the document reader of `qiao-docs`
//! on a file, and its measurement. No database is opened: reading a document is pure.

use std::io::Write;
use std::process::ExitCode;

use qiao_docs::Document;

use crate::cli::{DocCommand, DocsBenchArgs};

pub fn run(cmd: &DocCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DocCommand::Inspect { file, json } => {
            let doc = qiao_docs::inspect_path(file)?;
            let out = if *json {
                serde_json::to_string(&doc)? + "\n"
            } else {
                summary(&file.display().to_string(), &doc)
            };
            // `qiao doc inspect big.html --json | head` closes the pipe early: not an error.
            match std::io::stdout().lock().write_all(out.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(ExitCode::SUCCESS),
            }
        }
    }
}

/// At most `n` characters of `s`, with an ellipsis when cut.
fn cut(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

fn or_none(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("—")
}

/// The readable report: metadata, the start of the text, what was removed and why, figures.
fn summary(file: &str, doc: &Document) -> String {
    let m = &doc.meta;
    let mut out = format!("文件 File        {file}\n");
    out += &format!("编码 Encoding    {}\n", m.encoding.name());
    out += &format!("文字 Script      {}\n", m.script);
    out += &format!("标题 Title       {}\n", or_none(&m.title));
    out += &format!("日期 Published   {}\n", or_none(&m.published));
    out += &format!("来源 Source      {}\n", or_none(&m.source));
    out += &format!("文号 Doc number  {}\n", or_none(&m.doc_number));
    let lines: Vec<&str> = doc.text.lines().collect();
    out += &format!(
        "\n正文 Text: {} lines, {} characters\n",
        lines.len(),
        doc.text.chars().count()
    );
    for line in lines.iter().take(5) {
        out += &format!("  {}\n", cut(line, 60));
    }
    if lines.len() > 5 {
        out += "  …\n";
    }
    out += &format!("\n删除 Removed: {}\n", doc.removed.len());
    for r in &doc.removed {
        out += &format!("  {:<12} {}\n", r.reason.code(), cut(&r.text, 50));
    }
    out += &format!("\n数据 Figures: {}\n", doc.figures.len());
    for f in &doc.figures {
        let mut tags = vec![match f.kind {
            qiao_docs::Kind::Target => "target 目标".to_string(),
            qiao_docs::Kind::Fact => "fact 实绩".to_string(),
        }];
        tags.extend(f.year.map(|y| y.to_string()));
        tags.extend(f.subject.clone());
        tags.extend(f.qualifier.clone());
        out += &format!(
            "  {}  {} = {} {}  [{}]\n",
            cut(&f.indicator, 24),
            f.raw,
            f.value,
            f.unit,
            tags.join(", ")
        );
    }
    if let Some(first) = doc.undecodable.first() {
        out += &format!(
            "\n无法解码 Undecodable: {} spans, the first at byte {} ({})\n",
            doc.undecodable.len(),
            first.offset,
            first.bytes
        );
    }
    out
}

pub fn bench(args: &DocsBenchArgs) -> anyhow::Result<ExitCode> {
    let r = qiao_docs::eval::bench(&args.fixtures, args.megabytes * 1_000_000)?;
    if args.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "document reading (decode + clean + extract, one thread): {} documents, {:.1} MB \
         ({} variants of the labelled fixtures in {}, repeated)",
        r.documents,
        r.bytes as f64 / 1e6,
        r.variants,
        args.fixtures.display()
    );
    println!("  time        {:>8.2} s", r.seconds);
    println!("  throughput  {:>8.1} MB/s", r.mb_per_s);
    let f = &r.figures;
    println!(
        "figures, fixtures as stored:  precision {:.3}  recall {:.3}  ({} found right, {} wrong, {} missed)",
        f.precision(),
        f.recall(),
        f.true_positives,
        f.false_positives,
        f.false_negatives
    );
    let f = &r.figures_all_variants;
    println!(
        "figures, every variant:       precision {:.3}  recall {:.3}  ({} found right, {} wrong, {} missed)",
        f.precision(),
        f.recall(),
        f.true_positives,
        f.false_positives,
        f.false_negatives
    );
    let c = &r.cleaning;
    println!(
        "cleaning, every variant:      article lines kept {}/{}, boilerplate removed with the labelled reason {}/{}",
        c.kept, c.must_keep, c.removed_right, c.must_remove
    );
    if let Some(h) = &r.held_out {
        println!(
            "figures, held-out texts:      precision {:.3}  recall {:.3}  ({} found right, {} wrong, {} missed)",
            h.precision(),
            h.recall(),
            h.true_positives,
            h.false_positives,
            h.false_negatives
        );
    }
    for line in c.lost.iter().take(10) {
        println!("  lost: {line}");
    }
    for line in c.wrong.iter().take(10) {
        println!("  wrong: {line}");
    }
    Ok(ExitCode::SUCCESS)
}
