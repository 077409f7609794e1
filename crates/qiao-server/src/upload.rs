//! Reading a message form (multipart/form-data: a text `body` and up to five `file` fields),
//! shared by the API (`POST /api/v1/…/messages`) and the pages (`POST /requests/{id}/messages`,
//! `POST /deals/{id}/messages`), so both refuse the same things the same way.
//!
//! Memory stays bounded by the route's body limit ([`MAX_MESSAGE_UPLOAD`]): each file is read
//! chunk by chunk and dropped (its chunks drained) as soon as it passes
//! `qiao_domain::attachment::MAX_BYTES`; the text field is cut at [`MAX_TEXT_BYTES`].

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use qiao_domain::attachment::{MAX_BYTES, MAX_PER_MESSAGE, NewAttachment};
use qiao_domain::{Invalid, Rule};

/// The largest message form a route accepts: its files at their limit, and the text.
pub const MAX_MESSAGE_UPLOAD: usize = MAX_PER_MESSAGE * MAX_BYTES + (256 << 10);

/// The most bytes of the text field read (4,000 characters of up to 4 bytes each, and room).
const MAX_TEXT_BYTES: usize = 20_000;

/// The longest `_csrf` field read (tokens are 64 hex characters).
const MAX_TOKEN: usize = 256;

/// A message form as read, before its files are checked.
#[derive(Debug, Default)]
pub struct MessageForm {
    /// The `_csrf` field, if sent (pages only).
    pub csrf: Option<String>,
    /// The text.
    pub body: String,
    /// Each file's name and bytes; `None` when it was larger than the limit.
    pub files: Vec<(String, Option<Vec<u8>>)>,
    /// Whether a file came before `_csrf` (a page refuses the form then).
    pub file_before_token: bool,
}

/// Reads a field whole, or `None` (the rest drained) when it is longer than `max` bytes.
pub async fn read_at_most(
    field: &mut Field<'_>,
    max: usize,
) -> Result<Option<Vec<u8>>, MultipartError> {
    let mut bytes = Vec::new();
    let mut over = false;
    while let Some(chunk) = field.chunk().await? {
        if over {
            continue;
        }
        if bytes.len() + chunk.len() > max {
            over = true;
            bytes = Vec::new();
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok((!over).then_some(bytes))
}

/// Reads the fields of a message form. A `file` field without a file (a form's empty file
/// input) is skipped; unknown fields are drained and ignored.
pub async fn read_message_form(mut mp: Multipart) -> Result<MessageForm, MultipartError> {
    let mut form = MessageForm::default();
    while let Some(mut field) = mp.next_field().await? {
        match field.name().unwrap_or_default() {
            "_csrf" => {
                form.csrf = read_at_most(&mut field, MAX_TOKEN)
                    .await?
                    .map(|b| String::from_utf8_lossy(&b).into_owned());
            }
            "body" => {
                let bytes = read_at_most(&mut field, MAX_TEXT_BYTES)
                    .await?
                    .unwrap_or_else(|| vec![b'x'; MAX_TEXT_BYTES]);
                form.body = String::from_utf8_lossy(&bytes).into_owned();
            }
            "file" | "files" => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = read_at_most(&mut field, MAX_BYTES).await?;
                if name.is_empty() && bytes.as_ref().is_some_and(Vec::is_empty) {
                    continue;
                }
                if form.csrf.is_none() {
                    form.file_before_token = true;
                }
                if form.files.len() <= MAX_PER_MESSAGE {
                    form.files.push((name, bytes));
                }
            }
            _ => while field.chunk().await?.is_some() {},
        }
    }
    Ok(form)
}

/// Checks every file of a form (off the async runtime), reporting each problem on `file`
/// (with the file's position when there are several).
pub async fn check_files(
    files: Vec<(String, Option<Vec<u8>>)>,
) -> Result<Vec<NewAttachment>, qiao_app::AppError> {
    if files.len() > MAX_PER_MESSAGE {
        return Err(Invalid::field(
            "file",
            Rule::TooMany {
                max: MAX_PER_MESSAGE,
                found: files.len(),
            },
        )
        .into());
    }
    let several = files.len() > 1;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, (name, bytes)) in files.into_iter().enumerate() {
        let field = if several {
            format!("file[{i}]")
        } else {
            "file".to_string()
        };
        let Some(bytes) = bytes else {
            errors.push(qiao_domain::FieldError::new(
                field,
                Rule::OutOfRange {
                    min: 1,
                    max: MAX_BYTES as i64,
                    found: (MAX_BYTES + 1) as f64,
                },
            ));
            continue;
        };
        match qiao_app::attachments::check(&field, &name, bytes).await {
            Ok(a) => out.push(a),
            Err(qiao_app::AppError::Invalid(Invalid(e))) => errors.extend(e),
            Err(e) => return Err(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Invalid(errors).into())
    }
}
