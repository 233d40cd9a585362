//! Importing from a Hugging Face Hub and from URLs, both stood in for by a server on 127.0.0.1:
//! the ref resolved to a commit, paginated listings, LFS digests taken from the listing, the token
//! sent and never shown, retries, `ETag`s.

mod common;

use std::fs;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cognix_io::digest::Digest;
use cognix_weights::lock::Lock;
use common::{import_project, project, remote, sha256_hex, Reply, Request, Server};

const COMMIT: &str = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41";
const TOKEN: &str = "hf_secret_token_0123";

fn hub_yaml(uri: &str) -> String {
    format!(
        "model: r8.im/acme/remote\nbuild:\n  python_version: \"3.12\"\npredict: predict.py:Predictor\nweights:\n  - name: tiny\n    target: /src/weights/tiny\n    source:\n      uri: {uri}\n      exclude: [\"onnx/\", \"README.md\"]\n"
    )
}

/// Files of the fake repository: path, content, stored with LFS.
fn repo_files() -> Vec<(&'static str, Vec<u8>, bool)> {
    vec![
        ("config.json", b"{\"hidden_size\": 384}".to_vec(), false),
        ("1_Pooling/config.json", b"{\"mean\": true}".to_vec(), false),
        ("README.md", b"# tiny".to_vec(), false),
        ("model.safetensors", vec![42; 5000], true),
        ("onnx/model.onnx", vec![1; 3000], true),
    ]
}

fn listing(files: &[(&str, Vec<u8>, bool)]) -> String {
    let entries: Vec<String> = files
        .iter()
        .map(|(path, content, lfs)| {
            let lfs = if *lfs {
                format!(", \"lfs\": {{\"oid\": \"{}\", \"size\": {}}}", sha256_hex(content), content.len())
            } else {
                String::new()
            };
            format!("{{\"type\": \"file\", \"path\": \"{path}\", \"size\": {}{lfs}}}", content.len())
        })
        .collect();
    format!("[{}]", entries.join(", "))
}

/// A Hub with two pages of listing, a token on every request, and one transient failure.
fn hub() -> Server {
    let failed_once = Arc::new(AtomicUsize::new(0));
    Server::start(move |request: &Request| {
        if request.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {TOKEN}")) {
            return Reply::status(401, "{\"error\": \"Invalid credentials\"}");
        }
        let files = repo_files();
        let target = request.target.as_str();
        match target {
            "/api/models/acme/tiny/revision/main" => Reply::ok(format!("{{\"id\": \"acme/tiny\", \"sha\": \"{COMMIT}\"}}")),
            t if t == format!("/api/models/acme/tiny/tree/{COMMIT}?recursive=true") => {
                if failed_once.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Reply::status(503, "try again");
                }
                let mut page = listing(&files[..2]);
                page.insert_str(1, "{\"type\": \"directory\", \"path\": \"1_Pooling\"}, ");
                let host = request.headers.get("host").cloned().unwrap_or_default();
                Reply::ok(page)
                    .header("Link", &format!("<http://{host}/api/models/acme/tiny/tree/{COMMIT}?recursive=true&cursor=2>; rel=\"next\""))
            }
            t if t == format!("/api/models/acme/tiny/tree/{COMMIT}?recursive=true&cursor=2") => Reply::ok(listing(&files[2..])),
            t => match t.strip_prefix(&format!("/acme/tiny/resolve/{COMMIT}/")) {
                Some(path) => files.iter().find(|(p, _, _)| *p == path).map_or(Reply::status(404, ""), |(_, c, _)| Reply::ok(c.clone())),
                None => Reply::status(404, "no such endpoint"),
            },
        }
    })
}

#[test]
fn a_hub_repository_is_resolved_to_a_commit_and_imported() {
    let server = hub();
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("p"), &hub_yaml("hf://acme/tiny"));
    let imported = import_project(&dir, &work.path().join("store"), &remote(&server.url(), Some(TOKEN)), false).unwrap();
    assert_eq!((imported[0].files, imported[0].layers), (3, 1));

    let lock = Lock::parse(&fs::read_to_string(dir.join("weights.lock")).unwrap()).unwrap();
    let entry = &lock.weights[0];
    assert_eq!((entry.sources[0].uri.as_str(), entry.sources[0].fingerprint.as_str()), ("hf://acme/tiny", &*format!("commit:{COMMIT}")));
    let got: Vec<(String, String)> = entry.files.iter().map(|f| (f.path.clone(), f.digest.clone())).collect();
    let want: Vec<(String, String)> = ["1_Pooling/config.json", "config.json", "model.safetensors"]
        .iter()
        .map(|p| ((*p).to_owned(), Digest::of(&repo_files().into_iter().find(|(q, _, _)| q == p).unwrap().1).to_string()))
        .collect();
    assert_eq!(got, want);

    let requests = server.requests();
    let fetched: Vec<&str> = requests.iter().filter_map(|r| r.target.strip_prefix(&format!("/acme/tiny/resolve/{COMMIT}/"))).collect();
    // Inline files are hashed by downloading them; LFS files only when they are kept.
    assert_eq!(fetched, ["config.json", "1_Pooling/config.json", "README.md", "model.safetensors"]);
    assert!(requests.iter().all(|r| r.headers.get("authorization").is_some_and(|a| a.ends_with(TOKEN))));
}

#[test]
fn a_refused_token_is_explained_and_never_shown() {
    let server = hub();
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("p"), &hub_yaml("huggingface://acme/tiny@main"));
    let wrong = "hf_wrong_token_4567";
    let message = import_project(&dir, &work.path().join("store"), &remote(&server.url(), Some(wrong)), false).unwrap_err();
    assert_eq!(
        message,
        format!(
            "weight \"tiny\" source[0] (hf://acme/tiny): resolve ref \"main\" for acme/tiny: HTTP 401 from {}/api/models/acme/tiny/revision/main: \
             authentication failed; set HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) to a token that can read the repository",
            server.url()
        )
    );
    assert!(!message.contains(wrong));
    assert!(!fs::exists(dir.join("weights.lock")).unwrap());
}

#[test]
fn a_url_is_one_file_fingerprinted_by_its_etag() {
    let content = vec![9u8; 4096];
    let body = content.clone();
    let server = Server::start(move |request: &Request| match request.target.as_str() {
        "/releases/RealESRGAN_x4plus.pth" => Reply::ok(body.clone()).header("ETag", "\"v1-abc\""),
        "/weak/model.pth" => Reply::ok(body.clone()).header("ETag", "W/\"weak\""),
        _ => Reply::status(404, ""),
    });
    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("store");
    for (path, fingerprint) in
        [("/releases/RealESRGAN_x4plus.pth", "etag:\"v1-abc\"".to_owned()), ("/weak/model.pth", Digest::of(&content).to_string())]
    {
        let url = format!("{}{path}", server.url());
        let yaml = format!("model: r8.im/acme/u\npredict: predict.py:Predictor\nweights:\n  - name: esrgan\n    target: /src/w\n    source:\n      uri: {url}\n");
        let dir = project(&work.path().join(path.replace('/', "_")), &yaml);
        import_project(&dir, &store, &remote("http://127.0.0.1:9", None), false).unwrap();
        let lock = Lock::parse(&fs::read_to_string(dir.join("weights.lock")).unwrap()).unwrap();
        let entry = &lock.weights[0];
        assert_eq!((entry.sources[0].uri.as_str(), entry.sources[0].fingerprint.as_str()), (url.as_str(), fingerprint.as_str()));
        assert_eq!(entry.files[0].path, path.rsplit('/').next().unwrap());
        assert_eq!(entry.files[0].digest, Digest::of(&content).to_string());
    }
    // Each file was downloaded once (a HEAD, then one GET into the store).
    let gets = server.requests().iter().filter(|r| r.method == "GET").count();
    assert_eq!(gets, 2);
}
