//! `cunyi user create`: an account from the command line (the first sysadmin).

use anyhow::Context;

use crate::audit::Actor;
use crate::auth::password;
use crate::roster::PersonName;
use crate::state::AppState;
use crate::users::{CreateUserBody, rules, store};
use crate::{regions, time};

/// `cunyi user create --username U --password P --role R --region CODE
/// [--display-name NAME]`. Without a display name, the username (when it is a valid
/// name), else the role's Chinese name.
pub fn create(
    state: &AppState,
    username: String,
    password: String,
    role: String,
    region: String,
    display_name: Option<String>,
) -> anyhow::Result<()> {
    let display_name = display_name.unwrap_or_else(|| {
        if PersonName::parse(&username).is_ok() {
            username.clone()
        } else {
            crate::auth::Role::parse(&role)
                .map_or_else(|| username.clone(), |r| r.label().to_owned())
        }
    });
    let body = CreateUserBody {
        display_name: Some(display_name),
        username: Some(username),
        password: Some(password),
        role: Some(role),
        region_code: Some(region),
        email: None,
    };
    create_user(state, &body)
}

fn create_user(state: &AppState, body: &CreateUserBody) -> anyhow::Result<()> {
    let new = rules::check_new_user(body).map_err(|e| {
        let details: Vec<String> = e
            .field_errors()
            .iter()
            .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
            .collect();
        anyhow::anyhow!("{}", details.join("; "))
    })?;
    let mut conn = state.pool.get()?;
    let region = regions::find(&mut conn, new.region_code.as_str())?
        .with_context(|| format!("--region: unknown region code {}", new.region_code))?;
    rules::check_region_level(new.role, region.level())
        .map_err(|m| anyhow::anyhow!("--region: {m}"))?;
    let hash =
        password::hash_blocking(new.password.expose()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = store::insert(&mut conn, &new, &hash, &Actor::cli(), time::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "created user {} (id {}), role {}, region {} {}",
        user.username, user.id, user.role, region.code, region.name
    );
    Ok(())
}
