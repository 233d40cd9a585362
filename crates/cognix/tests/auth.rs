//! Credentials and refusals, against fake registries on 127.0.0.1: docker's config.json and
//! credential helpers, `--username/--password-stdin`, Replicate's token flow, Bearer token
//! services, 401/403/5xx answers. Secrets never show in any output.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use serde_json::{json, Value};
use support::fake_http::{FakeServer, Reply};
use support::image::Image;
use support::run::{Env, Output};
use support::script::executable;

/// A registry that lets in only `Basic <expected>` (base64 of user:password).
fn basic_registry(expected: &'static str) -> FakeServer {
    FakeServer::start(None, move |head, _| {
        if head.header("authorization") == Some(&format!("Basic {expected}")) {
            Reply::json(200, "{}")
        } else {
            Reply::json(401, r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
                .with_header("WWW-Authenticate", r#"Basic realm="fake""#)
        }
    })
}

fn push_to(env: &Env, registry: &FakeServer, stdin: &[u8], extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("i.tar");
    Image::new(1, 1, 1000).write(&archive);
    let reference = format!("{}/acme/model", registry.address());
    let mut args = vec!["push", "--progress", "plain", "--image", archive.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(&reference);
    env.run_with(&args, stdin, Duration::from_secs(60))
}

fn write_docker_config(env: &Env, config: &Value) {
    std::fs::create_dir_all(env.docker_config()).unwrap();
    std::fs::write(env.docker_config().join("config.json"), config.to_string()).unwrap();
}

#[test]
fn without_credentials_a_401_says_how_to_log_in() {
    let registry = basic_registry("dTpw");
    let output = push_to(&Env::new(), &registry, b"", &[]);
    assert_eq!(output.code, 1);
    let address = registry.address();
    assert_eq!(
        output.stderr.trim(),
        format!(
            "error: {address}: connecting was refused (401: UNAUTHORIZED: authentication required); log in first (`cognix login \
             {address}`, `docker login {address}`, or `cog login` for r8.im), or pass --username and --password-stdin"
        )
    );
}

#[test]
fn refused_stored_credentials_are_reported_without_showing_them() {
    let env = Env::new();
    let registry = basic_registry("dTpw");
    // alice:hunter2
    write_docker_config(&env, &json!({ "auths": { registry.address(): { "auth": "YWxpY2U6aHVudGVyMg==" } } }));
    let output = push_to(&env, &registry, b"", &[]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("the credentials were refused: log in again (`cognix login"), "{}", output.stderr);
    assert!(!output.all().contains("hunter2") && !output.all().contains("YWxpY2U6aHVudGVyMg"), "{}", output.all());
    let sent: Vec<_> = registry.heads().iter().filter_map(|h| h.header("authorization").map(str::to_owned)).collect();
    assert_eq!(sent, ["Basic YWxpY2U6aHVudGVyMg=="], "the stored credentials were sent once, after the challenge");
}

#[test]
fn credentials_on_the_command_line_are_used_and_not_shown() {
    let registry = basic_registry("dTpzM2NyZXQ=");
    let output = push_to(&Env::new(), &registry, b"s3cret\n", &["--username", "u", "--password-stdin"]);
    // The registry lets the push in; this fake has no blob API, so it ends at the first upload.
    assert!(output.stderr.contains("answered 200 to POST /v2/acme/model/blobs/uploads/"), "{}", output.stderr);
    assert!(!output.all().contains("s3cret") && !output.all().contains("dTpzM2NyZXQ"), "{}", output.all());
    assert!(registry.heads().iter().any(|h| h.path == "/v2/" && h.header("authorization") == Some("Basic dTpzM2NyZXQ=")));
}

#[test]
fn a_403_says_the_repository_is_not_yours() {
    let registry = FakeServer::start(None, |_, _| {
        Reply::json(403, r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#)
    });
    let output = push_to(&Env::new(), &registry, b"", &[]);
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.contains("connecting was refused (403: DENIED: requested access to the resource is denied)"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("these credentials may not push to this repository"), "{}", output.stderr);
}

#[test]
fn server_errors_are_retried_then_reported() {
    let registry = FakeServer::start(None, |_, _| Reply::json(503, r#"{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}"#));
    let output = push_to(&Env::new(), &registry, b"", &[]);
    assert_eq!(output.code, 1);
    assert!(
        output
            .stderr
            .contains(&format!("error: {} answered 503 to GET /v2/: UNAVAILABLE: maintenance (after retrying)", registry.address())),
        "{}",
        output.stderr
    );
    assert_eq!(registry.heads().len(), 6, "one attempt and five retries");
}

#[test]
fn a_token_service_that_refuses_says_how_to_log_in() {
    let tokens = FakeServer::start(None, |_, _| Reply::json(401, r#"{"details":"incorrect username or password"}"#));
    let realm = format!("http://{}/token", tokens.address());
    let registry = FakeServer::start(None, move |_, _| {
        Reply::json(401, "{}").with_header("WWW-Authenticate", &format!(r#"Bearer realm="{realm}",service="fake""#))
    });
    let output = push_to(&Env::new(), &registry, b"pw\n", &["--username", "bob", "--password-stdin"]);
    assert_eq!(output.code, 1);
    let expected = format!(
        "error: {}: the token service http://{}/token answered 401 ({{\"details\":\"incorrect username or password\"}}); the credentials \
         were refused: log in again (`cognix login {}`",
        registry.address(),
        tokens.address(),
        registry.address()
    );
    assert!(output.stderr.starts_with(&expected), "{}", output.stderr);
    assert!(tokens.heads()[0].path.contains("scope=repository%3Aacme%2Fmodel%3Apull%2Cpush"), "{:?}", tokens.heads()[0].path);
    assert_eq!(tokens.heads()[0].header("authorization"), Some("Basic Ym9iOnB3"));
}

#[test]
fn login_checks_the_credentials_then_stores_them_in_config_json() {
    let env = Env::new();
    let registry = basic_registry("dTpzM2NyZXQ=");
    let wrong = env.run_with(&["login", "--username", "u", "--password-stdin", &registry.address()], b"nope\n", Duration::from_secs(30));
    assert_eq!(wrong.code, 1);
    assert!(!env.docker_config().join("config.json").exists(), "refused credentials are not stored");

    let output = env.run_with(&["login", "--username", "u", "--password-stdin", &registry.address()], b"s3cret\n", Duration::from_secs(30));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(!output.all().contains("s3cret"));
    let path = env.docker_config().join("config.json");
    let config: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(config["auths"][registry.address()]["auth"], "dTpzM2NyZXQ=");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn replicate_tokens_are_verified_for_their_username() {
    let env_for = |registry: &FakeServer| Env::new().set("COG_REGISTRY_HOST", &registry.address());
    let replicate = FakeServer::start(None, |head, _| match head.path.as_str() {
        "/cog/v1/verify-token" => Reply::json(200, r#"{"username":"acme"}"#),
        _ => Reply::json(200, "{}"),
    });
    let env = env_for(&replicate);
    let output = env.run_with(&["login", "--password-stdin"], b"cli-token-123\n", Duration::from_secs(30));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains(&format!("logged in to {} as acme", replicate.address())), "{}", output.stderr);
    assert!(!output.all().contains("cli-token-123"));
    let verify = &replicate.heads()[0];
    assert_eq!((verify.method.as_str(), verify.body.as_slice()), ("POST", &b"token=cli-token-123"[..]));
    let config: Value = serde_json::from_slice(&std::fs::read(env.docker_config().join("config.json")).unwrap()).unwrap();
    // acme:cli-token-123
    assert_eq!(config["auths"][replicate.address()]["auth"], "YWNtZTpjbGktdG9rZW4tMTIz");

    let api_token = env.run_with(&["login", "--password-stdin"], b"r8_abcdef\n", Duration::from_secs(30));
    assert_eq!(api_token.code, 1);
    assert!(api_token.stderr.contains("that is a Replicate API token (r8_…), not a CLI token"), "{}", api_token.stderr);
    assert!(!api_token.all().contains("r8_abcdef"));

    // A push with the token alone takes the same way: verify, then Basic acme:token.
    let registry = FakeServer::start(None, |head, _| match (head.path.as_str(), head.header("authorization")) {
        ("/cog/v1/verify-token", _) => Reply::json(200, r#"{"username":"acme"}"#),
        (_, Some("Basic YWNtZTpjbGktdG9rZW4tMTIz")) => Reply::json(200, "{}"),
        _ => Reply::json(401, "{}").with_header("WWW-Authenticate", "Basic realm=r8"),
    });
    let output = push_to(&env_for(&registry), &registry, b"cli-token-123\n", &["--password-stdin"]);
    assert!(
        registry.heads().iter().any(|h| h.path == "/v2/" && h.header("authorization") == Some("Basic YWNtZTpjbGktdG9rZW4tMTIz")),
        "{}",
        output.stderr
    );
    assert!(!output.all().contains("cli-token-123"));
}

#[test]
fn a_credential_helper_stores_and_gives_the_credentials() {
    let env = Env::new();
    let bin = env.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let store = env.home.path().join("helper-store.json");
    // store: keep the record; get: answer from it, or say "not found" as real helpers do.
    executable(
        &bin.join("docker-credential-fake"),
        &format!(
            "#!/bin/sh\ncase \"$1\" in\n  store) cat > {store};;\n  get) cat >/dev/null; if [ -f {store} ]; then sed 's/ServerURL/Server/' {store}; else echo 'credentials not found in native keychain'; exit 1; fi;;\nesac\n",
            store = store.display()
        ),
    );
    let env = env.with_path(&bin);
    write_docker_config(&env, &json!({ "credsStore": "fake" }));
    let registry = basic_registry("dTpzM2NyZXQ=");

    let anonymous = push_to(&env, &registry, b"", &[]);
    assert!(anonymous.stderr.contains("log in first"), "a helper without an entry means no credentials: {}", anonymous.stderr);

    let login = env.run_with(&["login", "--username", "u", "--password-stdin", &registry.address()], b"s3cret\n", Duration::from_secs(30));
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(login.stderr.contains("credentials stored in the credential helper docker-credential-fake"), "{}", login.stderr);
    let record: Value = serde_json::from_slice(&std::fs::read(&store).unwrap()).unwrap();
    assert_eq!(record, json!({ "ServerURL": registry.address(), "Username": "u", "Secret": "s3cret" }));
    assert!(
        !std::fs::read_to_string(env.docker_config().join("config.json")).unwrap().contains("s3cret"),
        "the secret is only in the helper's store"
    );

    let output = push_to(&env, &registry, b"", &[]);
    assert!(
        registry.heads().iter().any(|h| h.path == "/v2/" && h.header("authorization") == Some("Basic dTpzM2NyZXQ=")),
        "{}",
        output.stderr
    );
    assert!(!output.all().contains("s3cret"));
}
