//! Organisations as a viewer may see them.
//!
//! Anyone may read an organisation's public profile. Revenue and R&D expenses are seen only
//! by the organisation's members, commission staff and admins; everyone else reads the record
//! with them removed, in the API, on the pages and in policy checks alike.

use qiao_domain::{Account, Role};
use qiao_store::OrgRecord;

/// The organisation as `viewer` may see it: revenue and R&D figures only for itself, commission
/// staff and admins.
pub fn view(viewer: Option<&Account>, mut record: OrgRecord) -> OrgRecord {
    let privileged =
        viewer.is_some_and(|a| a.may_change(Some(record.id)) || a.role == Role::CommissionStaff);
    if !privileged {
        record.org.strip_private();
    }
    record
}
