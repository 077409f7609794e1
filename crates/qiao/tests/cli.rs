//! The built `qiao` binary, driven as a user would: import, export, backup, restore, check,
//! a server killed with SIGKILL in the middle of a bulk import, and semantic matching turned
//! on by `serve` itself (vectors computed in the background, kept across a restart, read by
//! `qiao match`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/records.jsonl");

/// A data directory of its own and the binary pointed at it.
struct Qiao {
    dir: tempfile::TempDir,
}

impl Qiao {
    fn new() -> Qiao {
        Qiao {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_qiao"));
        c.arg("--data-dir")
            .arg(self.path("data"))
            .env_remove("QIAO_DATABASE_URL")
            .env("RUST_LOG", "warn");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "qiao {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The export as JSONL text: a faithful picture of every record.
    fn snapshot(&self) -> String {
        let file = self.path(&format!("snapshot-{}.jsonl", rand_suffix()));
        self.ok(&["export", file.to_str().unwrap()]);
        std::fs::read_to_string(file).unwrap()
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn lines(s: &str) -> usize {
    s.lines().filter(|l| !l.trim().is_empty()).count()
}

#[test]
fn help_documents_every_subcommand() {
    let q = Qiao::new();
    let help = q.ok(&["--help"]);
    for sub in [
        "serve", "import", "export", "backup", "restore", "check", "account", "bench", "doc",
        "model",
    ] {
        assert!(help.contains(sub), "--help lacks {sub}:\n{help}");
    }
    let serve = q.ok(&["serve", "--help"]);
    for flag in ["--demo", "--data-dir", "--listen", "--database"] {
        assert!(serve.contains(flag), "serve --help lacks {flag}");
    }
}

const DOC_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../qiao-docs/tests/fixtures");

#[test]
fn doc_inspect_json_is_one_object_of_the_documented_shape() {
    let q = Qiao::new();
    let file = format!("{DOC_FIXTURES}/003_853fbbfa8443af7f.txt");
    let out = q.ok(&["doc", "inspect", &file, "--json"]);
    // Exactly one JSON value on stdout, and it is an object.
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out.trim().lines().count(), 1);
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "encoding",
        "script",
        "title",
        "published",
        "source",
        "doc_number",
        "text",
        "removed",
        "figures",
    ] {
        assert!(keys.contains(&key), "no {key} in {keys:?}");
    }
    assert_eq!(doc["encoding"], "utf-8");
    assert_eq!(doc["script"], "hans");
    assert_eq!(doc["published"], "2023-02-24");
    assert_eq!(doc["doc_number"], "闵科委〔2023〕14号");
    assert!(
        doc["text"]
            .as_str()
            .unwrap()
            .contains("技术合同成交额达230亿元")
    );
    let removed = doc["removed"].as_array().unwrap();
    assert!(
        removed
            .iter()
            .all(|r| r["text"].is_string() && r["reason"].is_string())
    );
    assert!(removed.iter().any(|r| r["reason"] == "doc_number"));
    let figures = doc["figures"].as_array().unwrap();
    let contract = figures
        .iter()
        .find(|f| f["indicator"] == "技术合同成交额")
        .expect("技术合同成交额");
    // A whole value is a JSON integer in base units.
    assert_eq!(contract["value"].as_u64(), Some(23_000_000_000));
    assert_eq!(contract["unit"], "元");
    assert_eq!(contract["raw"], "230亿元");
    assert_eq!(contract["qualifier"], "达");
    assert_eq!(contract["year"], 2023);
    assert_eq!(contract["subject"], "闵行区");
    assert_eq!(contract["kind"], "target");
    assert!(contract["sentence"].as_str().unwrap().contains("230亿元"));
    let rd = figures.iter().find(|f| f["unit"] == "%").unwrap();
    assert_eq!(rd["value"].as_u64(), Some(10));
}

#[test]
fn doc_inspect_reads_a_big5_page_and_summarises_it() {
    let q = Qiao::new();
    let text = std::fs::read_to_string(format!("{DOC_FIXTURES}/002_fa69439dd6a4a0b4.txt")).unwrap();
    let page = format!(
        "<html><head><meta charset=\"big5\"><title>楊浦區科委</title></head><body>{}\
         <p>版權所有 上海市楊浦區人民政府 滬ICP備12345678號</p></body></html>",
        text.lines()
            .map(|l| format!("<p>{l}</p>"))
            .collect::<String>()
    );
    let file = q.path("page.htm");
    std::fs::write(&file, qiao_docs::Encoding::Big5.encode(&page)).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&q.ok(&["doc", "inspect", file.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(doc["encoding"], "big5");
    assert_eq!(doc["script"], "hant");
    assert!(
        doc["text"]
            .as_str()
            .unwrap()
            .contains("創新是楊浦服務國家戰略")
    );
    assert!(
        doc["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["reason"] == "icp")
    );
    let summary = q.ok(&["doc", "inspect", file.to_str().unwrap()]);
    for want in ["big5", "hant", "icp", "30條"] {
        assert!(summary.contains(want), "summary lacks {want}:\n{summary}");
    }
    let missing = q.run(&["doc", "inspect", q.path("nope.txt").to_str().unwrap()]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn import_docs_stores_a_folder_of_mixed_files_and_skips_what_it_has() {
    let q = Qiao::new();
    let folder = q.path("docs");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    let plan = std::fs::read(format!("{DOC_FIXTURES}/003_853fbbfa8443af7f.txt")).unwrap();
    std::fs::write(folder.join("plan.txt"), &plan).unwrap();
    // The traditional page as Big5 HTML, one folder down.
    let text = std::fs::read_to_string(format!("{DOC_FIXTURES}/002_fa69439dd6a4a0b4.txt")).unwrap();
    let page = format!(
        "<html><head><meta charset=\"big5\"><title>楊浦區科委</title></head><body>{}</body></html>",
        text.lines()
            .map(|l| format!("<p>{l}</p>"))
            .collect::<String>()
    );
    std::fs::write(
        folder.join("sub/yangpu.HTM"),
        qiao_docs::Encoding::Big5.encode(&page),
    )
    .unwrap();
    // UTF-8 with one stray byte: stored, with the bad byte reported.
    let mut damaged = std::fs::read(format!("{DOC_FIXTURES}/000_03cb8c32e2444fbc.txt")).unwrap();
    let at = damaged.iter().position(|b| *b == b'\n').unwrap() + 1;
    damaged.insert(at, 0xff);
    std::fs::write(folder.join("sub/news.txt"), &damaged).unwrap();
    // The same bytes under another name, and a file that is not a document.
    std::fs::write(folder.join("sub/plan-copy.txt"), &plan).unwrap();
    std::fs::write(folder.join("sub/scan.pdf"), b"%PDF-1.4").unwrap();

    let missing = q.path("nope.html");
    let pdf = folder.join("sub/scan.pdf");
    let out = q.run(&[
        "import",
        "docs",
        "--publish",
        folder.to_str().unwrap(),
        missing.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no line for {name}:\n{stdout}"))
            .to_string()
    };
    let plan_line = line("plan.txt:");
    assert!(
        plan_line.contains(", utf-8, hans, 「关于印发《闵行区科委2023年工作要点》的通知」, "),
        "{plan_line}"
    );
    let plan_id: i64 = plan_line
        .split("document ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(line("yangpu.HTM").contains(", big5, hant, 「"));
    assert!(line("news.txt").contains(", utf-8, "));
    assert!(
        stderr.contains(&format!(
            "news.txt: warning: 1 spans of bytes are not valid utf-8: byte {at} (ff); stored with U+FFFD in their place"
        )),
        "{stderr}"
    );
    assert_eq!(
        line("plan-copy.txt"),
        format!(
            "{}: skipped, already imported as document {plan_id}",
            folder.join("sub/plan-copy.txt").display()
        )
    );
    // A folder's other files are left alone; one named on its own is an error.
    assert!(!stdout.contains("scan.pdf"));
    assert!(
        stderr.contains("scan.pdf: error: not a .txt, .html or .htm file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nope.html: error: no such file or folder"),
        "{stderr}"
    );
    assert!(
        stdout.ends_with("3 imported, 1 already imported, 2 failed\n"),
        "{stdout}"
    );

    // Again: nothing new, nothing failed.
    let again = q.ok(&["import", "docs", folder.to_str().unwrap()]);
    assert!(
        again.ends_with("0 imported, 4 already imported, 0 failed\n"),
        "{again}"
    );
    // Published at once with --publish (none of these pages looks like spam); without it a
    // file is a draft, which the index leaves out.
    assert!(!stdout.contains("draft"), "{stdout}");
    let draft = q.path("draft.txt");
    std::fs::write(&draft, "科技创新券管理办法\n本办法自发布之日起施行。\n").unwrap();
    let out = q.ok(&["import", "docs", draft.to_str().unwrap()]);
    assert!(
        out.contains("draft.txt: draft: publish it on its page"),
        "{out}"
    );
    // Kept in backups (drafts too), indexed by a rebuild (drafts not).
    let backup = q.path("backup.jsonl");
    q.ok(&["backup", backup.to_str().unwrap()]);
    let lines = std::fs::read_to_string(&backup).unwrap();
    assert_eq!(lines.matches("\"table\":\"document\"").count(), 4);
    let out = q.ok(&["reindex"]);
    assert!(out.contains("reindexed 3 listings and documents"), "{out}");
}

#[test]
fn model_status_tells_a_missing_and_a_damaged_model_apart() {
    let q = Qiao::new();
    let status = || {
        let out = q
            .cmd()
            .env_remove("QIAO_MODEL_DIR")
            .args(["model", "status"])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, text) = status();
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("model missing") && text.contains("qiao model setup"),
        "{text}"
    );

    std::fs::create_dir_all(q.path("data/model")).unwrap();
    std::fs::write(q.path("data/model/e5-small-q4.bin"), b"E5S1 cut short").unwrap();
    let (code, text) = status();
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("model damaged") && text.contains("14 bytes"),
        "{text}"
    );
}

#[test]
fn export_then_import_is_lossless_in_every_format() {
    let source = Qiao::new();
    source.ok(&["import", "listings", DEMO]);
    let original = source.snapshot();
    assert!(lines(&original) > 500, "the demo set is loaded");
    for ext in ["jsonl", "csv", "xlsx"] {
        let file = source.path(&format!("export.{ext}"));
        source.ok(&["export", file.to_str().unwrap()]);
        let target = Qiao::new();
        target.ok(&["import", "listings", file.to_str().unwrap()]);
        assert_eq!(
            target.snapshot(),
            original,
            "{ext} export → import changed the records"
        );
    }
}

#[test]
fn a_file_with_bad_rows_imports_nothing_unless_told_to_skip() {
    let q = Qiao::new();
    let csv = q.path("listings.csv");
    // Chinese headers; line 3 has a wrong check character, line 4 an unknown owner,
    // line 5 a TRL of 12.
    std::fs::write(
        &csv,
        "类型,机构名称,统一社会信用代码,机构类型,标题,摘要,所属机构,技术成熟度\n\
         organisation,上海示例大学,91350100M000100Y43,university,,,,\n\
         organisation,错误代码公司,91350100M000100Y44,enterprise,,,,\n\
         科技成果,,,,无主成果,摘要,91310000MA1K00001X,\n\
         科技成果,,,,成熟度错误,摘要,91350100M000100Y43,12\n\
         科技成果,,,,好成果,摘要,91350100M000100Y43,6\n",
    )
    .unwrap();
    let out = q.run(&["import", "listings", csv.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [":3:", ":4:", ":5:"] {
        assert!(stderr.contains(line), "line {line} not reported:\n{stderr}");
    }
    assert!(stderr.contains("expected `3`"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(lines(&q.snapshot()), 0, "nothing stored");

    let rejects = q.path("rejects.csv");
    q.ok(&[
        "import",
        "listings",
        csv.to_str().unwrap(),
        "--skip-invalid",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    let stored = q.snapshot();
    assert_eq!(
        lines(&stored),
        2,
        "the good organisation and the good achievement:\n{stored}"
    );
    assert!(stored.contains("好成果"));
    let rejected = std::fs::read_to_string(rejects).unwrap();
    assert!(
        rejected.contains("错误代码公司")
            && rejected.contains("#reason")
            && rejected.contains("无主成果"),
        "{rejected}"
    );
}

#[test]
fn backup_and_restore_round_trip() {
    let source = Qiao::new();
    source.ok(&["import", "listings", DEMO]);
    let mut create = source.cmd();
    let out = create
        .args(["account", "create", "--username", "root", "--role", "admin"])
        .env("QIAO_PASSWORD", "a long password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let backup = source.path("qiao.backup");
    source.ok(&["backup", backup.to_str().unwrap()]);

    let target = Qiao::new();
    target.ok(&["restore", backup.to_str().unwrap()]);
    assert_eq!(target.snapshot(), source.snapshot());
    assert!(target.ok(&["check"]).contains("ok"));
    // The restored account can still be issued tokens.
    assert!(
        target
            .ok(&["account", "token", "--username", "root"])
            .starts_with("qiao_")
    );
    // Restoring over records is refused.
    assert!(
        !target
            .run(&["restore", backup.to_str().unwrap()])
            .status
            .success()
    );
    // A truncated backup is refused whole.
    let text = std::fs::read_to_string(&backup).unwrap();
    let cut = source.path("cut.backup");
    // Cut at a character boundary near the middle (the backup holds Chinese text).
    let half = (0..=text.len() / 2)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap();
    std::fs::write(&cut, &text[..half]).unwrap();
    let fresh = Qiao::new();
    assert!(
        !fresh
            .run(&["restore", cut.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(lines(&fresh.snapshot()), 0);
}

/// A JSONL file of one organisation and `n` achievements.
fn big_import(path: &Path, n: usize) {
    let first17 = "12310000MB0000001";
    let check = qiao_domain::codes::credit_code_check_char(first17).unwrap();
    let code = format!("{first17}{check}");
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, r#"{{"kind":"organisation","org_kind":"university","name":"压力测试大学","credit_code":"{code}"}}"#).unwrap();
    for i in 0..n {
        writeln!(
            f,
            r#"{{"kind":"achievement","owner":"{code}","title":"一种相变材料电池热管理方法 {i}","summary":"本发明公开了一种基于相变材料的电池包热管理结构，降低电芯温差。","keywords":["相变材料","热管理"],"trl":6}}"#
        )
        .unwrap();
    }
}

struct Server {
    child: Child,
    addr: String,
}

/// A server on words alone (the crash tests are about the store and the word index).
fn start_server(q: &Qiao) -> Server {
    start_server_with(q, &["--lexical-only"])
}

fn start_server_with(q: &Qiao, extra: &[&str]) -> Server {
    start_server_in(q.cmd(), extra)
}

/// `qiao serve` from `cmd` (its environment and data directory) with `extra` flags.
fn start_server_in(mut cmd: Command, extra: &[&str]) -> Server {
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The server prints its address once it listens; it was asked for port 0, so the OS
    // picked a free one and no test depends on a fixed port.
    while out.read_line(&mut line).unwrap_or(0) > 0 {
        if let Some(addr) = line.trim().split("http://").nth(1) {
            return Server {
                child,
                addr: addr.to_string(),
            };
        }
        line.clear();
    }
    child.kill().ok();
    child.wait().ok();
    panic!("the server exited before listening");
}

fn count_listings(q: &Qiao) -> usize {
    q.snapshot()
        .lines()
        .filter(|l| l.contains("\"kind\":\"achievement\""))
        .count()
}

#[test]
fn server_killed_mid_import_keeps_all_or_nothing() {
    const N: usize = 30_000;
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("big.jsonl");
    big_import(&file, N);
    let body = std::fs::read(&file).unwrap();

    let mut interrupted = 0;
    // Kill at growing delays after the request is sent: early kills land while parsing or
    // writing, late ones may find the import done. Every outcome must be all or nothing.
    for delay_ms in [300u64, 1000, 2500, 5000] {
        let q = Qiao::new();
        let mut create = q.cmd();
        let out = create
            .args([
                "account",
                "create",
                "--username",
                "admin",
                "--role",
                "admin",
            ])
            .env("QIAO_PASSWORD", "admin password")
            .output()
            .unwrap();
        assert!(out.status.success());
        let token = q
            .ok(&["account", "token", "--username", "admin"])
            .trim()
            .to_string();
        let mut server = start_server(&q);

        let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
        let head = format!(
            "POST /api/v1/imports?format=jsonl HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(delay_ms)))
            .unwrap();
        let mut reply = Vec::new();
        let finished = stream.read_to_end(&mut reply).is_ok() && !reply.is_empty();
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        if !finished {
            interrupted += 1;
        }

        let check = q.run(&["check"]);
        assert!(
            check.status.success(),
            "integrity check after kill at {delay_ms} ms: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        let stored = count_listings(&q);
        assert!(
            stored == 0 || stored == N,
            "kill at {delay_ms} ms left {stored} of {N} achievements"
        );
        if finished {
            assert_eq!(stored, N, "the import answered, so all of it is stored");
        }
    }
    assert!(
        interrupted > 0,
        "no kill landed while the import was running; raise N"
    );
}

/// GET over loopback with `Connection: close`; returns the status code and the body as JSON.
fn get_json(addr: &str, path_and_query: &str) -> (u16, serde_json::Value) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path_and_query} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn search_index_survives_sigkill_and_agrees_with_the_database() {
    const N: usize = 20_000;
    let q = Qiao::new();
    let file = q.path("big.jsonl");
    big_import(&file, N);
    // Stored before the server starts: the server's index follower catches up at start.
    q.ok(&["import", "listings", file.to_str().unwrap()]);

    // Kill the server at several moments of its catch-up, each restart resuming from the last
    // commit: as soon as a first commit shows, and then some way into later batches (reading
    // the feed, analysing, writing), so that a kill lands inside a batch as well as between two.
    let seq = |server: &Server| {
        let (_, s) = get_json(&server.addr, "/api/v1/search/status");
        let at = s["indexed_seq"].as_i64().unwrap();
        (at, s["database_seq"].as_i64().unwrap())
    };
    let mut killed_mid_way = 0;
    for delay_ms in [0, 150, 400, 250, 700, 100, 0, 300] {
        let mut server = start_server(&q);
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        let mut finished = false;
        loop {
            let (at, of) = seq(&server);
            if at >= of || std::time::Instant::now() > deadline {
                finished = true;
                break;
            }
            if delay_ms > 0 || at > 0 {
                std::thread::sleep(Duration::from_millis(delay_ms));
                let (at, of) = seq(&server);
                killed_mid_way += usize::from(at < of);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        if finished && killed_mid_way < 2 {
            // Indexing ended before enough kills landed (a fast machine): start over empty.
            std::fs::remove_dir_all(q.path("data").join("index")).unwrap();
        }
    }
    assert!(
        killed_mid_way >= 2,
        "{killed_mid_way} kills landed while indexing; raise N"
    );

    // After a restart the follower resumes from the last commit and reaches the database.
    let mut server = start_server(&q);
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    let status = loop {
        let (_, s) = get_json(&server.addr, "/api/v1/search/status");
        if s["up_to_date"] == true {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "index never caught up: {s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        status["documents"], N,
        "every stored listing is indexed once: {status}"
    );
    // Search agrees with the database: each numbered record is found by its number, first.
    for i in [0, 1, 4_999, 5_000, 12_345, N - 1] {
        let (code, r) = get_json(
            &server.addr,
            &format!(
                "/api/v1/search?q={}",
                percent_encode(&format!("热管理方法 {i}"))
            ),
        );
        assert_eq!(code, 200, "{r}");
        let top = &r["hits"][0];
        assert!(
            top["title"].as_str().unwrap().ends_with(&format!(" {i}")),
            "search for record {i} found {top}"
        );
        assert!(r["matched"].as_u64().unwrap() > 1);
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    // `qiao reindex` rebuilds the same index from the database.
    let out = q.ok(&["reindex"]);
    assert!(
        out.contains(&format!("reindexed {N} listings and documents")),
        "{out}"
    );
}

#[test]
fn the_document_import_benchmark_stores_and_indexes_every_copy() {
    let q = Qiao::new();
    // The smallest run: one copy of each of the fixtures' 29 variants.
    let out = q.ok(&[
        "bench",
        "import-docs",
        "--fixtures",
        DOC_FIXTURES,
        "--megabytes",
        "0",
        "--json",
    ]);
    let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let documents = r["documents"].as_u64().unwrap();
    assert_eq!(documents, r["variants"].as_u64().unwrap());
    assert!(documents >= 20, "{r}");
    for key in ["read_s", "import_s", "index_s", "end_to_end_mb_per_s"] {
        assert!(r[key].as_f64().unwrap() > 0.0, "{key}: {r}");
    }
    assert!(r["total_s"].as_f64().unwrap() >= r["import_s"].as_f64().unwrap());
    // It worked on a scratch database, not the data directory.
    assert!(!q.path("data").join("qiao.db").exists());
}

/// The model directory the tests use (scripts/test fetches it there).
fn model_dir() -> PathBuf {
    std::env::var_os("QIAO_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/model")))
}

fn wait_for_vectors(server: &Server, want: u64) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        let (_, s) = get_json(&server.addr, "/api/v1/search/status");
        if s["semantic"]["in_use"] == true && s["semantic"]["embedded"] == want {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "vectors never caught up: {s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_turns_meaning_on_keeps_the_vectors_and_match_reads_them() {
    let q = Qiao::new();
    let file = q.path("few.jsonl");
    let rows = [
        r#"{"kind":"organisation","org_kind":"university","name":"测试大学","credit_code":"123100004250061179"}"#,
        r#"{"kind":"achievement","owner":"123100004250061179","title":"基于相变材料的动力电池热管理系统","summary":"在电池模组间填充复合相变材料，吸收高温环境下电芯产生的热量，缩小电芯间温差，无需改动电池包结构。"}"#,
        r#"{"kind":"achievement","owner":"123100004250061179","title":"水稻病虫害图像识别方法","summary":"利用卷积神经网络识别稻飞虱、稻瘟病等病虫害，指导精准施药。"}"#,
        r#"{"kind":"achievement","owner":"123100004250061179","title":"高强度铝合金焊接工艺","summary":"一种搅拌摩擦焊工艺参数优化方法，提高焊缝强度。"}"#,
    ];
    std::fs::write(&file, rows.join("\n")).unwrap();
    q.ok(&["import", "listings", file.to_str().unwrap()]);
    let model = model_dir();
    let model = model.to_str().unwrap();

    let mut server = start_server_with(&q, &["--model-dir", model]);
    let status = wait_for_vectors(&server, 3);
    assert_eq!(status["semantic"]["state"], "on", "{status}");
    let prose = percent_encode("储能柜夏天电芯温差大，电池包发烫，想找不大改结构的办法");
    let (code, r) = get_json(
        &server.addr,
        &format!("/api/v1/search?q={prose}&type=achievement"),
    );
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["ranker"], "hybrid", "{r}");
    assert!(
        r["hits"][0]["title"].as_str().unwrap().contains("相变材料"),
        "{r}"
    );
    let names: Vec<&str> = r["hits"][0]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"semantic"), "{names:?}");

    // While the server runs, `qiao match` reads its vectors (never writes them).
    let out = q.ok(&[
        "match",
        "储能柜夏天电芯温差大，电池包发烫，想找不大改结构的办法",
        "--type",
        "achievement",
        "--json",
        "--model-dir",
        model,
    ]);
    let m: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(m["ranker"], "hybrid", "{m}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    // Restarted: the vectors are read back, not computed again.
    let mut server = start_server_with(&q, &["--model-dir", model]);
    let started = std::time::Instant::now();
    wait_for_vectors(&server, 3);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "vectors were recomputed after a restart"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    // Without the model and without pip to fetch it, serve says why meaning is off and how to
    // turn it on, and search works on words.
    let mut without_pip = q.cmd();
    without_pip.env("PATH", "/nonexistent");
    let no_model = q.path("no-model");
    let mut server = start_server_in(without_pip, &["--model-dir", no_model.to_str().unwrap()]);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        let (_, s) = get_json(&server.addr, "/api/v1/search/status");
        if s["semantic"]["state"] == "off" {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "{s}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status["semantic"]["note"]
            .as_str()
            .unwrap()
            .contains("qiao model setup"),
        "{status}"
    );
    let (code, r) = get_json(
        &server.addr,
        &format!("/api/v1/search?q={prose}&type=achievement"),
    );
    assert_eq!((code, r["ranker"].as_str()), (200, Some("lexical")), "{r}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// SIGTERM stops the server within 10 s whatever is running: here an upload whose client
/// sends its headers and then nothing more, which graceful shutdown alone waits for forever.
#[test]
fn sigterm_stops_the_server_within_ten_seconds_even_with_a_request_open() {
    let q = Qiao::new();
    let mut server = start_server(&q);
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    stream
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername=a",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = std::time::Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(20) {
            server.child.kill().ok();
            server.child.wait().ok();
            panic!("the server was still running 20 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = signalled.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "the server took {took:?} to stop after SIGTERM"
    );
    assert!(status.success(), "{status:?}");
    drop(stream);
}

/// Issue #29, item 10: a backup holds password and token hashes, so only its owner may read
/// it, even where the umask would let others, and even over an older world-readable file.
#[cfg(unix)]
#[test]
fn backups_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let q = Qiao::new();
    q.ok(&["import", "listings", DEMO]);
    let backup = q.path("qiao.backup");
    std::fs::write(&backup, "old").unwrap();
    std::fs::set_permissions(&backup, std::fs::Permissions::from_mode(0o644)).unwrap();
    q.ok(&["backup", backup.to_str().unwrap()]);
    let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    assert!(
        std::fs::read_to_string(&backup)
            .unwrap()
            .contains("qiao-backup")
    );
}

const CONTRACT_LIST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../qiao-io/tests/fixtures/contract_list.csv"
);

/// Issue #24: a registry list in, bad rows named by line, all or nothing; the export reads
/// back as the same list, only its owner may read it, and a re-import updates by 登记号.
#[test]
fn contract_lists_import_all_or_nothing_and_export_back() {
    let q = Qiao::new();
    let out = q.ok(&["import", "contracts", CONTRACT_LIST]);
    assert!(out.contains("contracts 20 created, 0 updated"), "{out}");

    let exported = q.path("contracts.csv");
    q.ok(&["export", "contracts", exported.to_str().unwrap()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exported).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
    }
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(
        text.starts_with('\u{feff}') || text.contains("登记号"),
        "{text}"
    );
    assert_eq!(lines(&text), 21, "a header and twenty contracts");
    // The registered rows are known by their 登记号: importing the export updates them, and
    // the two rows without one are new drafts.
    let again = q.ok(&["import", "contracts", exported.to_str().unwrap()]);
    assert!(again.contains("contracts 2 created, 18 updated"), "{again}");

    // One bad row: nothing stored, the line named.
    let original = std::fs::read_to_string(CONTRACT_LIST).unwrap();
    let mut rows: Vec<&str> = original.lines().collect();
    let broken = rows[3].replacen("技术", "魔法", 1);
    rows[3] = &broken;
    let bad = q.path("bad.csv");
    std::fs::write(&bad, rows.join("\n")).unwrap();
    let fresh = Qiao::new();
    let out = fresh.run(&["import", "contracts", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":4:"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let empty = fresh.path("empty.csv");
    fresh.ok(&["export", "contracts", empty.to_str().unwrap()]);
    assert_eq!(
        lines(&std::fs::read_to_string(&empty).unwrap()),
        1,
        "only the header"
    );
}

/// `qiao value`: starting inputs for an achievement, a valuation from a file (as JSON, saved as
/// versions 1 and 2), and a bad input named by its path with nothing saved.
#[test]
fn value_an_achievement_from_a_file() {
    let q = Qiao::new();
    q.ok(&["import", "listings", DEMO]);
    // The first listing id that is an achievement.
    let (id, template) = (1..200)
        .find_map(|id| {
            let out = q.run(&["value", "--achievement", &id.to_string(), "--template"]);
            out.status
                .success()
                .then(|| (id, String::from_utf8(out.stdout).unwrap()))
        })
        .expect("the demo has an achievement");
    let mut inputs: serde_json::Value = serde_json::from_str(&template).unwrap();
    assert!(
        inputs["market"]["comparables"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let file = q.path("inputs.json");
    std::fs::write(&file, inputs.to_string()).unwrap();
    let id = id.to_string();
    let args = [
        "value",
        "--achievement",
        &id,
        "--inputs",
        file.to_str().unwrap(),
        "--json",
        "--save",
    ];
    for version in [1, 2] {
        let out: serde_json::Value = serde_json::from_str(&q.ok(&args)).unwrap();
        assert_eq!(out["saved"]["version"], version);
        assert!(out["result"]["income"]["point_fen"].as_i64().unwrap() > 0);
        assert!(out["result"]["cost"]["point_fen"].as_i64().unwrap() > 0);
        // No registered contract in this database: the market approach says so.
        assert_eq!(out["result"]["market"]["outcome"], "too_few");
    }
    let report = q.ok(&[
        "value",
        "--achievement",
        &id,
        "--inputs",
        file.to_str().unwrap(),
    ]);
    assert!(report.contains("收益法价值 Value"), "{report}");
    assert!(report.contains("不是法定资产评估"), "{report}");

    inputs["income"]["share"]["low_pct"] = serde_json::json!(-1);
    std::fs::write(&file, inputs.to_string()).unwrap();
    let out = q.run(&args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("income.share.low_pct"), "{err}");
}
