//! The e-mail address and telephone a person gives on their own account page (issue #26):
//! notifications are e-mailed there, and the other side of an accepted contact request sees
//! them (`threads::contact_details`). Only the account holder changes them.

use std::sync::Arc;

use qiao_domain::{Account, AccountContact};
use qiao_store::Store;

use crate::error::AppResult;

/// Sets `user`'s own e-mail address and telephone (an empty text clears one).
pub async fn set(
    store: &Arc<dyn Store>,
    user: &Account,
    mut contact: AccountContact,
) -> AppResult<Account> {
    contact.validate()?;
    Ok(store
        .acting_as(user.id)
        .set_account_contact(user.id, &contact)
        .await?)
}
