//! Replicate's registry (r8.im) takes a CLI token (<https://replicate.com/auth/token>): the
//! registry's `/cog/v1/verify-token` says whose it is, and the pair is then plain Basic auth —
//! what `cog login` stores in docker's `config.json`.

use cognix_io::http;

use super::{AuthError, Credentials, Secret};

pub const REGISTRY: &str = "r8.im";

/// r8.im, or the registry `COG_REGISTRY_HOST` names (cog's own override, for staging).
pub fn is_replicate(registry: &str) -> bool {
    registry == REGISTRY || std::env::var("COG_REGISTRY_HOST").is_ok_and(|host| host == registry)
}

/// Verifies a CLI token and returns it with its username.
pub fn credentials(registry: &str, token: Secret) -> Result<Credentials, AuthError> {
    if token.expose().starts_with("r8_") {
        return Err(AuthError::Replicate(
            "that is a Replicate API token (r8_…), not a CLI token; get a CLI token from https://replicate.com/auth/token".into(),
        ));
    }
    let scheme = if crate::reference::is_local_host(registry) { "http" } else { "https" };
    let url = format!("{scheme}://{registry}/cog/v1/verify-token");
    let mut response = http::agent(crate::USER_AGENT)
        .post(&url)
        .send_form([("token", token.expose())])
        .map_err(|e| AuthError::Replicate(format!("cannot reach {url} to verify the token: {e}")))?;
    match response.status().as_u16() {
        200 => {}
        404 => {
            return Err(AuthError::Replicate(format!(
                "{registry} does not know this token's user; get a new token from https://replicate.com/auth/token"
            )))
        }
        status => {
            let detail = http::body_excerpt(&mut response);
            return Err(AuthError::Replicate(format!(
                "{url} refused the token ({status} {detail}); get a new one from https://replicate.com/auth/token"
            )));
        }
    }
    let text = response.body_mut().read_to_string().map_err(|e| AuthError::Replicate(format!("{url}: the answer broke off ({e})")))?;
    let body: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| AuthError::Replicate(format!("{url} answered something that is not JSON ({e})")))?;
    let username = body.get("username").and_then(serde_json::Value::as_str).filter(|u| !u.is_empty());
    let username = username.ok_or_else(|| AuthError::Replicate(format!("{url} answered without a username")))?;
    Ok(Credentials { username: username.to_owned(), secret: token })
}
