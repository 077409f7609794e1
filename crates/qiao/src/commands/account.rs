//! `qiao account create` and `qiao account token`: the way to the first admin account on a
//! fresh installation, and tokens for scripts.

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use qiao_domain::{NewAccount, Role};
use qiao_store::Store;

use crate::cli::AccountCommand;

pub async fn run(store: &Arc<dyn Store>, cmd: &AccountCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AccountCommand::Create {
            username,
            role,
            org,
            display_name,
            password,
        } => {
            let role = Role::parse(role).with_context(|| format!("--role `{role}` is not one of admin, commission_staff, technology_manager, member"))?;
            let org_id = match org {
                None => None,
                Some(code) => Some(
                    store
                        .org_by_credit_code(code)
                        .await?
                        .with_context(|| {
                            format!("--org: no organisation has credit code `{code}`")
                        })?
                        .id,
                ),
            };
            let password = match password.clone() {
                Some(p) => p,
                None => {
                    eprintln!("password (from standard input):");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let mut new = NewAccount {
                username: username.clone(),
                display_name: display_name.clone(),
                password,
                role,
                org_id,
            };
            new.validate()?;
            let account = store
                .create_account(&new, &qiao_app::credentials::hash_password(&new.password))
                .await?;
            println!(
                "created account {} ({}) with id {}",
                account.username,
                account.role.as_str(),
                account.id
            );
        }
        AccountCommand::Token { username, name } => {
            let Some((account, _)) = store.account_for_login(username).await? else {
                bail!("no account is called `{username}`")
            };
            let (token, hash) = qiao_app::credentials::new_token();
            store.create_token(account.id, name, &hash).await?;
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
