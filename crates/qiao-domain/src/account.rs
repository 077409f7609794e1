//! People who use Qiao, their roles, and what each role may do.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Format, Invalid, Rule};

/// A role decides what an account may do beyond its own organisation's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 平台管理员: may change any record and manage accounts.
    Admin,
    /// 科委工作人员: publishes scenarios and policies, registers organisations.
    CommissionStaff,
    /// 技术经理人: works matches into contracts.
    TechnologyManager,
    /// 机构成员: acts for one organisation.
    Member,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::CommissionStaff,
        Role::TechnologyManager,
        Role::Member,
    ];

    /// The name used in URLs, the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CommissionStaff => "commission_staff",
            Role::TechnologyManager => "technology_manager",
            Role::Member => "member",
        }
    }

    /// Parses [`Role::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Chinese name shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "平台管理员",
            Role::CommissionStaff => "科委工作人员",
            Role::TechnologyManager => "技术经理人",
            Role::Member => "机构成员",
        }
    }
}

/// An account as stored (without its password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Account {
    /// Account id.
    pub id: i64,
    /// Login name, unique.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
    /// The organisation the person acts for.
    pub org_id: Option<i64>,
    /// When an admin disabled the account (e.g. the person left); `None` while it is in use.
    /// A disabled account cannot sign in, and its sessions and tokens were revoked when it was
    /// disabled. Absent in backups made before accounts could be disabled.
    #[serde(default)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// E-mail address the person gave (notifications are sent there); shown to the other side
    /// of an accepted contact request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone the person gave; shown like the e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Account {
    /// Whether an admin has disabled the account.
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }

    /// Whether this account may change a record owned by `owner_org_id`:
    /// admins may change anything, everyone else only their own organisation's records.
    pub fn may_change(&self, owner_org_id: Option<i64>) -> bool {
        self.role == Role::Admin || (owner_org_id.is_some() && owner_org_id == self.org_id)
    }

    /// Whether this account is the commission's: staff or an admin.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Admin | Role::CommissionStaff)
    }

    /// Whether this account may register organisations for others.
    pub fn may_register_organisations(&self) -> bool {
        self.is_staff()
    }

    /// Whether this account sets policies and targets and sees which enterprises a policy
    /// reaches (that verdict rests on private figures such as revenue).
    pub fn may_manage_policies(&self) -> bool {
        self.is_staff()
    }
}

/// How to reach a person: the e-mail address and telephone an account holder gives on their
/// account page (both optional; an empty text clears one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountContact {
    /// E-mail address (at most 120 characters), or none.
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone: digits with `+`, `-`, spaces or brackets, 5 to 30 characters; or none.
    #[serde(default)]
    pub phone: Option<String>,
}

impl AccountContact {
    /// Trims both, turns empty texts into none, and checks what is left.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        for v in [&mut self.email, &mut self.phone] {
            *v = v
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string);
        }
        if let Some(e) = &self.email {
            let ok = e.chars().count() <= 120
                && !e.contains(char::is_whitespace)
                && e.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains('@')
                })
                && !e.chars().any(|ch| ch.is_control() || "<>,;\"".contains(ch));
            c.ensure(ok, "email", || Rule::BadFormat {
                found: e.clone(),
                format: Format::Email,
            });
        }
        if let Some(p) = &self.phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let ok = (5..=30).contains(&p.chars().count())
                && digits >= 5
                && p.chars()
                    .all(|ch| ch.is_ascii_digit() || "+-() ".contains(ch));
            c.ensure(ok, "phone", || Rule::BadFormat {
                found: p.clone(),
                format: Format::Phone,
            });
        }
        c.finish()
    }
}

/// An account to create.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Login name: 3-40 letters, digits, `_`, `-` or `.`.
    pub username: String,
    /// Name shown to others; defaults to the username.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Password, at least 8 characters.
    pub password: String,
    /// Role.
    pub role: Role,
    /// Organisation the person acts for (required for members).
    #[serde(default)]
    pub org_id: Option<i64>,
}

impl NewAccount {
    /// Checks the fields.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.username = self.username.trim().to_string();
        let u = &self.username;
        c.ensure(
            (3..=40).contains(&u.chars().count())
                && u.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch)),
            "username",
            || Rule::BadFormat {
                found: u.clone(),
                format: Format::Username,
            },
        );
        if let Some(d) = &self.display_name {
            c.text("display_name", d, 80);
        }
        check_password(&mut c, "password", &self.password);
        c.ensure(
            self.role != Role::Member || self.org_id.is_some(),
            "org_id",
            || Rule::MemberNeedsOrganisation,
        );
        c.finish()
    }
}

/// The fewest characters a password may have, wherever one is set (registration, an admin
/// creating an account or resetting its password).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A password must have [`MIN_PASSWORD_CHARS`] characters besides the spaces around it, and
/// more than one character: eight spaces, or `aaaaaaaa`, are guessed first.
fn check_password(c: &mut Checker, field: &str, password: &str) {
    let trimmed = password.trim();
    let n = trimmed.chars().count();
    if n < MIN_PASSWORD_CHARS {
        c.fail(
            field,
            Rule::TooShort {
                min: MIN_PASSWORD_CHARS,
                found: n,
            },
        );
        return;
    }
    let mut chars = trimmed.chars();
    let first = chars.next();
    c.ensure(!chars.all(|ch| Some(ch) == first), field, || {
        Rule::OneCharacterRepeated
    });
}

/// What an admin changes about an account besides its role: disabling or re-enabling it, and
/// resetting its password. Either change revokes the account's sessions and API tokens (a
/// re-enabled account starts with none: it signs in again).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    /// `true` disables the account (it can no longer sign in; its sessions and tokens stop
    /// working at once); `false` enables it again.
    #[serde(default)]
    pub disabled: Option<bool>,
    /// A new password, at least 8 characters; the old one stops working, and so do the
    /// account's sessions and tokens.
    #[serde(default)]
    pub password: Option<String>,
}

impl AccountChange {
    /// Checks the change `actor_id` asks for on account `target_id`: something to change, a
    /// long enough password, and no admin disabling themselves (which would lock them out,
    /// and possibly everyone out of the admin pages).
    pub fn validate(&self, actor_id: i64, target_id: i64) -> Result<(), Invalid> {
        let mut c = Checker::default();
        if self.disabled.is_none() && self.password.is_none() {
            c.fail("disabled", Rule::NothingToChange);
        }
        if let Some(p) = &self.password {
            check_password(&mut c, "password", p);
        }
        c.ensure(
            !(self.disabled == Some(true) && actor_id == target_id),
            "disabled",
            || Rule::OwnAccount,
        );
        c.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_trimmed_and_checked() {
        let mut ok = AccountContact {
            email: Some("  li.ming@jia.example.cn ".into()),
            phone: Some("+86 (21) 6489-0000".into()),
        };
        ok.validate().unwrap();
        assert_eq!(ok.email.as_deref(), Some("li.ming@jia.example.cn"));
        let mut cleared = AccountContact {
            email: Some("   ".into()),
            phone: None,
        };
        cleared.validate().unwrap();
        assert_eq!(cleared.email, None);
        for (email, phone, fields) in [
            ("a@b", "12345", vec!["email"]),
            ("x y@b.cn", "12345", vec!["email"]),
            ("<a@b.cn>", "12345", vec!["email"]),
            ("a@b.cn", "12ab345", vec!["phone"]),
            ("a@b.cn", "123", vec!["phone"]),
            ("a@@b.cn", "电话", vec!["email", "phone"]),
        ] {
            let Invalid(errors) = AccountContact {
                email: Some(email.into()),
                phone: Some(phone.into()),
            }
            .validate()
            .unwrap_err();
            let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(named, fields, "{email} {phone}");
        }
    }

    #[test]
    fn a_password_is_more_than_spaces_or_one_repeated_character() {
        let refused = |p: &str| {
            AccountChange {
                disabled: None,
                password: Some(p.into()),
            }
            .validate(1, 2)
            .err()
            .map(|Invalid(e)| e[0].rule.clone())
        };
        for weak in [
            "        ",
            " \t \n    ",
            "  abcdefg  ",
            "aaaaaaaa",
            "11111111111",
            "\u{3000}".repeat(9).as_str(),
        ] {
            assert!(refused(weak).is_some(), "{weak:?} accepted");
        }
        assert_eq!(refused("aaaaaaaa"), Some(Rule::OneCharacterRepeated));
        for fine in ["12345678", "correct horse", " pass word "] {
            assert_eq!(refused(fine), None, "{fine:?} refused");
        }
    }

    #[test]
    fn an_account_change_needs_something_to_change_and_spares_oneself() {
        assert!(AccountChange::default().validate(1, 2).is_err());
        let off = AccountChange {
            disabled: Some(true),
            password: None,
        };
        assert!(off.validate(1, 2).is_ok());
        let Err(Invalid(e)) = off.validate(2, 2) else {
            panic!("self-disable accepted")
        };
        assert_eq!(e[0].field, "disabled");
        let short = AccountChange {
            disabled: None,
            password: Some("1234567".into()),
        };
        let Err(Invalid(e)) = short.validate(1, 2) else {
            panic!("short password accepted")
        };
        assert_eq!(
            (e[0].field.as_str(), &e[0].rule),
            ("password", &Rule::TooShort { min: 8, found: 7 })
        );
        let own = AccountChange {
            disabled: Some(false),
            password: Some("12345678".into()),
        };
        assert!(
            own.validate(2, 2).is_ok(),
            "one may reset one's own password"
        );
    }
}
