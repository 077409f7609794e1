//! E-mail delivery (issue #26): a small SMTP client and the background sender that empties the
//! outbox the notifications fill.
//!
//! Sending never happens on the request path: [`crate::notifications`] queues each e-mail in
//! the `outbox` table in the same transaction as its notification, and [`spawn_sender`] polls
//! it (an indexed query on the due rows) and sends a bounded batch at a time. A failed send is
//! logged and tried again later, [`MAX_ATTEMPTS`] times in all with a growing pause, then given
//! up (still logged, and kept in the table with its last error).
//!
//! Why a client of our own rather than a crate (lettre): Qiao hands its mail to a relay on the
//! network it runs in (the commission's mail server, or a local MTA), so what it needs is the
//! plain SMTP conversation of RFC 5321 (EHLO, MAIL, RCPT, DATA, QUIT) and a UTF-8 message:
//! about 150 lines here. lettre (the well-kept choice) brings, for its SMTP transport and
//! message builder, its own address parser, header encoders, IDNA, MIME types and a TLS
//! back-end for STARTTLS: several crates to build on a machine whose two cores the whole
//! workspace shares, for features this path does not use (judged from its manifest, not
//! measured here). The message is base64 throughout (subject as RFC 2047 encoded words, body
//! as base64 text), so no line of it can start with a dot or exceed SMTP's line length, and no
//! header can be injected through an address (addresses with spaces, line breaks or angle
//! brackets are refused). Without `--smtp`, each e-mail is a log line instead.
//!
//! Not done here: TLS (STARTTLS) and authentication; a relay that requires them is reached
//! through a local MTA that holds the credentials.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::Utc;
use qiao_store::{Mail, Store, StoreError};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How many times an e-mail is tried before it is given up.
pub const MAX_ATTEMPTS: i64 = 5;
/// How many e-mails one round of the sender takes from the outbox.
pub const BATCH: u32 = 20;
/// How long one SMTP conversation may take.
const CONVERSATION: Duration = Duration::from_secs(30);

/// Where e-mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// An SMTP relay.
    Smtp(SmtpConfig),
    /// No relay configured: each e-mail is a log line.
    Log,
}

/// An SMTP relay and the sender's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The relay's host name or address.
    pub host: String,
    /// Its port (25 unless the URL names one).
    pub port: u16,
    /// The address e-mails come from.
    pub from: String,
}

impl SmtpConfig {
    /// Reads `smtp://host[:port]` and the from address.
    pub fn parse(url: &str, from: &str) -> Result<SmtpConfig, String> {
        let rest = url.strip_prefix("smtp://").ok_or_else(|| {
            format!("SMTP URL `{url}` must start with smtp:// (smtp://host:port)")
        })?;
        let rest = rest.trim_end_matches('/');
        if rest.contains('@') || rest.contains('/') {
            return Err(format!(
                "SMTP URL `{url}` may only name a host and port (no user, password or path)"
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("SMTP URL `{url}` has a bad port `{p}`"))?,
            ),
            _ => (rest, 25),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!("SMTP URL `{url}` names no host"));
        }
        check_address(from).map_err(|e| format!("the from address: {e}"))?;
        Ok(SmtpConfig {
            host: host.to_string(),
            port,
            from: from.to_string(),
        })
    }
}

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The connection failed or broke.
    #[error("SMTP connection: {0}")]
    Io(#[from] std::io::Error),
    /// The server refused a step.
    #[error("SMTP server answered `{0}` to {1}")]
    Refused(String, &'static str),
    /// An address that cannot be put on an envelope.
    #[error("address: {0}")]
    Address(String),
    /// The conversation took too long.
    #[error("SMTP conversation took longer than {0:?}")]
    Timeout(Duration),
}

fn check_address(a: &str) -> Result<(), MailError> {
    let bad = a.is_empty()
        || a.len() > 254
        || !a.contains('@')
        || a.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c));
    if bad {
        Err(MailError::Address(format!(
            "`{a}` is not an e-mail address"
        )))
    } else {
        Ok(())
    }
}

/// `subject` as RFC 2047 encoded words (UTF-8, base64), each at most 75 characters, folded.
pub fn encode_subject(subject: &str) -> String {
    if subject.chars().all(|c| c.is_ascii_graphic() || c == ' ') && subject.len() < 70 {
        return subject.to_string();
    }
    // 36 bytes of UTF-8 become 48 characters of base64, plus 12 of `=?UTF-8?B?…?=`: with
    // `Subject: ` before the first, every line stays under 76 characters (RFC 2047). A word
    // never splits a character.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in subject.chars() {
        if chunk.len() + c.len_utf8() > 36 {
            words.push(format!("=?UTF-8?B?{}?=", B64.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", B64.encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// The whole message: headers and the base64 body, lines ending in CRLF.
pub fn message(from: &str, mail: &Mail) -> String {
    let body = B64.encode(mail.body.as_bytes());
    let mut lines: Vec<String> = vec![
        format!("From: Qiao <{from}>"),
        format!("To: <{}>", mail.to),
        format!("Subject: {}", encode_subject(&mail.subject)),
        format!("Date: {}", Utc::now().to_rfc2822()),
        format!(
            "Message-ID: <{}.{}@qiao>",
            Utc::now().timestamp_micros(),
            rand::random::<u32>()
        ),
        "MIME-Version: 1.0".into(),
        "Content-Type: text/plain; charset=UTF-8".into(),
        "Content-Transfer-Encoding: base64".into(),
        String::new(),
    ];
    lines.extend(
        body.as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned()),
    );
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out
}

/// Reads one reply (all its lines) and checks its code starts with `want`.
async fn expect(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    want: char,
    step: &'static str,
) -> Result<(), MailError> {
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(MailError::Refused("connection closed".into(), step));
        }
        if line.len() > 1000 {
            return Err(MailError::Refused("an over-long line".into(), step));
        }
        // `250-…` continues the reply; `250 …` ends it.
        if line.as_bytes().get(3) == Some(&b'-') {
            continue;
        }
        return if line.starts_with(want) {
            Ok(())
        } else {
            Err(MailError::Refused(line.trim_end().to_string(), step))
        };
    }
}

async fn conversation(cfg: &SmtpConfig, mail: &Mail) -> Result<(), MailError> {
    let stream = TcpStream::connect((cfg.host.as_str(), cfg.port)).await?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    expect(&mut reader, '2', "the greeting").await?;
    write.write_all(b"EHLO qiao\r\n").await?;
    expect(&mut reader, '2', "EHLO").await?;
    write
        .write_all(format!("MAIL FROM:<{}>\r\n", cfg.from).as_bytes())
        .await?;
    expect(&mut reader, '2', "MAIL FROM").await?;
    write
        .write_all(format!("RCPT TO:<{}>\r\n", mail.to).as_bytes())
        .await?;
    expect(&mut reader, '2', "RCPT TO").await?;
    write.write_all(b"DATA\r\n").await?;
    expect(&mut reader, '3', "DATA").await?;
    write.write_all(message(&cfg.from, mail).as_bytes()).await?;
    write.write_all(b".\r\n").await?;
    expect(&mut reader, '2', "the message").await?;
    write.write_all(b"QUIT\r\n").await?;
    // The message is accepted once the server answered the final dot; QUIT's reply is a
    // courtesy, so a server that hangs up at once is no failure.
    let _ = expect(&mut reader, '2', "QUIT").await;
    Ok(())
}

/// Sends `mail` through the relay `cfg`.
pub async fn send(cfg: &SmtpConfig, mail: &Mail) -> Result<(), MailError> {
    check_address(&mail.to)?;
    check_address(&cfg.from)?;
    tokio::time::timeout(CONVERSATION, conversation(cfg, mail))
        .await
        .map_err(|_| MailError::Timeout(CONVERSATION))?
}

/// The address with its local part hidden, for logs (personal data stays out of them).
fn masked(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            format!("{}***@{domain}", local.chars().next().unwrap_or('*'))
        }
        None => "***".into(),
    }
}

/// What one round of the sender did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Sent (or logged, without a relay).
    pub sent: usize,
    /// Failed this time and to be tried again.
    pub retrying: usize,
    /// Failed for the last time.
    pub given_up: usize,
}

/// Sends (or logs) the e-mails due now, at most [`BATCH`].
pub async fn send_due(store: &Arc<dyn Store>, transport: &Transport) -> Result<Round, StoreError> {
    let mut round = Round::default();
    for queued in store.due_mail(Utc::now(), BATCH).await? {
        let outcome = match transport {
            Transport::Log => {
                tracing::info!(
                    outbox_id = queued.id,
                    to = %masked(&queued.mail.to),
                    subject = %queued.mail.subject,
                    "e-mail not sent (no SMTP relay configured; start with --smtp to send)"
                );
                Ok(())
            }
            Transport::Smtp(cfg) => send(cfg, &queued.mail).await,
        };
        match outcome {
            Ok(()) => {
                store.mail_sent(queued.id).await?;
                round.sent += 1;
            }
            Err(e) => {
                let attempts = queued.attempts + 1;
                let retry_at = (attempts < MAX_ATTEMPTS)
                    .then(|| Utc::now() + chrono::Duration::minutes(2_i64.pow(attempts as u32)));
                tracing::warn!(
                    outbox_id = queued.id,
                    to = %masked(&queued.mail.to),
                    attempts,
                    error = %e,
                    given_up = retry_at.is_none(),
                    "e-mail not sent"
                );
                store
                    .mail_failed(queued.id, &e.to_string(), retry_at)
                    .await?;
                if retry_at.is_some() {
                    round.retrying += 1;
                } else {
                    round.given_up += 1;
                }
            }
        }
    }
    Ok(round)
}

/// How long sent and given-up e-mails stay in the outbox (to see what went out, and why a send
/// failed) before [`spawn_sender`] deletes them: without it the table grows with every
/// notification for as long as the platform runs.
pub const KEEP_SENT: chrono::Duration = chrono::Duration::days(30);

/// How often [`spawn_sender`] prunes the outbox.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Sends the outbox every `every` in the background, for `qiao serve`, and once an hour deletes
/// what was sent or given up more than [`KEEP_SENT`] ago.
pub fn spawn_sender(store: Arc<dyn Store>, transport: Transport, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pruned: Option<tokio::time::Instant> = None;
        loop {
            tick.tick().await;
            if let Err(e) = send_due(&store, &transport).await {
                tracing::warn!(error = %e, "outbox not read");
            }
            if pruned.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                pruned = Some(tokio::time::Instant::now());
                match store.prune_mail(Utc::now() - KEEP_SENT).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(deleted = n, "old sent e-mails pruned from the outbox"),
                    Err(e) => tracing::warn!(error = %e, "outbox not pruned"),
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_subjects() {
        let c = SmtpConfig::parse("smtp://127.0.0.1:2525", "qiao@example.cn").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 2525));
        assert_eq!(
            SmtpConfig::parse("smtp://mail.example.cn", "a@b.cn")
                .unwrap()
                .port,
            25
        );
        assert!(SmtpConfig::parse("http://x", "a@b.cn").is_err());
        assert!(SmtpConfig::parse("smtp://u:p@x", "a@b.cn").is_err());
        assert!(SmtpConfig::parse("smtp://x:port", "a@b.cn").is_err());
        assert!(SmtpConfig::parse("smtp://x", "no address").is_err());
        assert_eq!(encode_subject("Hello"), "Hello");
        let long = "桥 Qiao · 《固态电解质低温制备工艺》收到新的联系请求";
        let encoded = encode_subject(long);
        let decoded: String = encoded
            .split("\r\n ")
            .map(|w| {
                assert!(w.len() <= 75, "{w}");
                let inner = w
                    .strip_prefix("=?UTF-8?B?")
                    .unwrap()
                    .strip_suffix("?=")
                    .unwrap();
                String::from_utf8(B64.decode(inner).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(decoded, long);
        assert!(check_address("a@b.cn\r\nBcc: x@y").is_err());
        assert_eq!(masked("liming@jia.example.cn"), "l***@jia.example.cn");
    }
}
