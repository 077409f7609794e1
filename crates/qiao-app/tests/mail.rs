//! E-mail delivery for real: a small SMTP server on 127.0.0.1 (a real TCP conversation) takes
//! what the outbox sender sends; the test checks the envelope's recipient, the subject (Chinese,
//! RFC 2047-encoded) and the body, and that a relay that refuses leaves the e-mail queued for a
//! later try instead of losing it.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qiao_app::mail::{self, Round, SmtpConfig, Transport};
use qiao_domain::notification::{NewNotification, NotificationKind, Target, TargetKind};
use qiao_store::test_support::TestDb;
use qiao_store::{Delivery, Store};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the server received in one conversation.
#[derive(Debug, Default)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// Accepts one conversation on `listener`; `refuse_rcpt` answers RCPT with 550.
async fn smtp_server(listener: TcpListener, refuse_rcpt: bool) -> Received {
    let (stream, _) = listener.accept().await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut got = Received::default();
    write.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
    let mut in_data = false;
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await.unwrap() == 0 {
            break;
        }
        if in_data {
            if line == ".\r\n" {
                in_data = false;
                write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
            } else {
                got.data.push_str(&line);
            }
            continue;
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-test.local\r\n250 8BITMIME\r\n")
                .await
                .unwrap();
        } else if upper.starts_with("MAIL FROM:") {
            got.mail_from = line[10..].trim().to_string();
            write.write_all(b"250 ok\r\n").await.unwrap();
        } else if upper.starts_with("RCPT TO:") {
            if refuse_rcpt {
                write.write_all(b"550 no such user\r\n").await.unwrap();
            } else {
                got.rcpt_to.push(line[8..].trim().to_string());
                write.write_all(b"250 ok\r\n").await.unwrap();
            }
        } else if upper.starts_with("DATA") {
            in_data = true;
            write.write_all(b"354 go ahead\r\n").await.unwrap();
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await.unwrap();
            break;
        } else {
            write.write_all(b"250 ok\r\n").await.unwrap();
        }
    }
    got
}

/// Queues one e-mail for `to` as a notification would.
async fn queue(store: &Arc<dyn Store>, to: &str) {
    let n = NewNotification {
        account_id: 1,
        kind: NotificationKind::ContactRequest,
        target: Target {
            kind: TargetKind::ContactRequest,
            id: 7,
        },
        title: "张三请求《固态电解质低温制备工艺》的联系方式".into(),
        title_en: "张三 asks for the contact details of “固态电解质低温制备工艺”".into(),
        once_key: None,
    };
    let mail = qiao_app::notifications::mail_for(to, &n);
    // The notification row itself is not wanted here (account 1 need not exist).
    store
        .deliver(&[Delivery {
            notification: n,
            in_app: false,
            mail: Some(mail),
        }])
        .await
        .unwrap();
}

/// Decodes every RFC 2047 base64 word of a (possibly folded) header value.
fn decode_header(value: &str) -> String {
    value
        .split_whitespace()
        .map(|w| {
            let inner = w
                .strip_prefix("=?UTF-8?B?")
                .and_then(|w| w.strip_suffix("?="))
                .unwrap_or_else(|| panic!("not an encoded word: {w}"));
            String::from_utf8(B64.decode(inner).unwrap()).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn an_email_arrives_through_smtp_with_its_chinese_subject() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    queue(&store, "li.ming@jia.example.cn").await;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(smtp_server(listener, false));
    let transport = Transport::Smtp(
        SmtpConfig::parse(&format!("smtp://127.0.0.1:{port}"), "qiao@example.cn").unwrap(),
    );
    let round = mail::send_due(&store, &transport).await.unwrap();
    assert_eq!(
        round,
        Round {
            sent: 1,
            retrying: 0,
            given_up: 0
        }
    );
    let got = server.await.unwrap();
    assert_eq!(got.mail_from, "<qiao@example.cn>");
    assert_eq!(got.rcpt_to, ["<li.ming@jia.example.cn>"]);

    // Headers: unfold continuation lines, then read the subject.
    let (head, body) = got.data.split_once("\r\n\r\n").unwrap();
    let unfolded = head.replace("\r\n ", " ");
    let subject = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap();
    assert!(subject.is_ascii(), "the header is 7-bit: {subject}");
    assert_eq!(
        decode_header(subject),
        "桥 Qiao · 张三请求《固态电解质低温制备工艺》的联系方式"
    );
    assert!(unfolded.contains("To: <li.ming@jia.example.cn>"));
    assert!(unfolded.contains("Content-Type: text/plain; charset=UTF-8"));
    assert!(head.lines().all(|l| l.len() <= 78), "{head}");
    let text = String::from_utf8(B64.decode(body.replace("\r\n", "")).unwrap()).unwrap();
    assert!(text.contains("查看 · View: /requests/7"), "{text}");

    // Sent once: nothing is due any more.
    assert_eq!(
        mail::send_due(&store, &transport).await.unwrap(),
        Round::default()
    );
}

#[tokio::test]
async fn a_refused_email_stays_queued_for_a_later_try() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    queue(&store, "nobody@jia.example.cn").await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(smtp_server(listener, true));
    let transport = Transport::Smtp(
        SmtpConfig::parse(&format!("smtp://127.0.0.1:{port}"), "qiao@example.cn").unwrap(),
    );
    let round = mail::send_due(&store, &transport).await.unwrap();
    assert_eq!(round.retrying, 1);
    server.abort();
    // Not due again at once (it waits before the next try), but still queued for later.
    assert!(
        store
            .due_mail(chrono::Utc::now(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = store
        .due_mail(chrono::Utc::now() + chrono::Duration::hours(1), 10)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].attempts, 1);

    // Without a relay, an e-mail is a log line and counts as sent.
    queue(&store, "li.ming@jia.example.cn").await;
    assert_eq!(
        mail::send_due(&store, &Transport::Log).await.unwrap().sent,
        1
    );
}
