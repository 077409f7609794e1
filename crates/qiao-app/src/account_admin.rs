//! What an admin changes of an account: its password and whether it may sign in, shared by
//! `PATCH /api/v1/accounts/{id}` and the admin page `/admin`.
//!
//! Either change ends the account's sessions and revokes its tokens in the transaction that
//! writes it, so a reset password or a disabled account locks out whoever held the old
//! credentials at once.

use std::sync::Arc;

use qiao_domain::{Account, AccountChange};
use qiao_store::Store;

use crate::credentials::hash_password_queued;

/// Applies an admin's [`AccountChange`] to account `id` (already validated): the new password
/// first, then the disabled state, each in a transaction of its own that also revokes the
/// account's sessions and tokens and writes the audit log. The password itself is hashed here
/// and goes nowhere else: not to the log, not to the audit entry. Shared by the API and the
/// admin page.
pub async fn apply_change(
    store: &Arc<dyn Store>,
    admin: &Account,
    id: i64,
    change: &AccountChange,
) -> Result<Account, qiao_store::StoreError> {
    let store = store.acting_as(admin.id);
    let mut account = store.get_account(id).await?;
    if let Some(password) = &change.password {
        account = store
            .set_password(id, &hash_password_queued(password).await)
            .await?;
        tracing::info!(account_id = id, by = admin.id, "password reset by an admin");
    }
    if let Some(disabled) = change.disabled {
        account = store.set_account_disabled(id, disabled).await?;
        tracing::info!(
            account_id = id,
            by = admin.id,
            disabled,
            "account access changed"
        );
    }
    Ok(account)
}
