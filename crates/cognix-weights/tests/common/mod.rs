//! What the tests share: a project on disk, and an HTTP server on 127.0.0.1 that the test
//! programs with a handler and that records every request. The server stops when dropped.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use cognix_io::progress::Quiet;
use cognix_weights::http::Client;
use cognix_weights::import::{self, Imported, Options};
use cognix_weights::source::Remote;
use cognix_weights::spec::Project;
use cognix_weights::store::Store;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Lower-case names.
    pub headers: BTreeMap<String, String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply { status: 200, headers: Vec::new(), body: body.into() }
    }

    pub fn status(status: u16, body: &str) -> Reply {
        Reply { status, headers: Vec::new(), body: body.as_bytes().to_vec() }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct Server {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (log, flag) = (requests.clone(), stop.clone());
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, log) = (handler.clone(), log.clone());
                thread::spawn(move || serve(stream, handler.as_ref(), &log));
            }
        });
        Server { addr, requests, stop, thread: Some(thread) }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request per connection, then close.
fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or_default().to_owned(), parts.next().unwrap_or_default().to_owned());
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let request = Request { method, target, headers };
    log.lock().unwrap().push(request.clone());
    let reply = handler(&request);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (name, value) in &reply.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    if request.method != "HEAD" {
        let _ = out.write_all(&reply.body);
    }
    let _ = out.flush();
}

/// A project directory with `cog_yaml` as its cog.yaml.
pub fn project(dir: &Path, cog_yaml: &str) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("cog.yaml"), cog_yaml).unwrap();
    fs::write(dir.join("predict.py"), "class Predictor: pass\n").unwrap();
    dir.to_path_buf()
}

pub fn write(path: &Path, content: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

/// A sparse file of `size` bytes (zeros) with `marker` at its start.
pub fn sparse(path: &Path, size: u64, marker: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = fs::File::create(path).unwrap();
    file.write_all(marker).unwrap();
    file.set_len(size).unwrap();
}

/// A client that retries fast, for servers that fail on purpose.
pub fn remote(hf_endpoint: &str, hf_token: Option<&str>) -> Remote {
    Remote { client: Client::new(1, Duration::from_millis(10)), hf_endpoint: hf_endpoint.to_owned(), hf_token: hf_token.map(str::to_owned) }
}

/// Imports the project at `dir` with a store at `store`.
pub fn import_project(dir: &Path, store: &Path, remote: &Remote, repack: bool) -> Result<Vec<Imported>, String> {
    import_named(dir, store, remote, repack, &[])
}

/// Imports only the weights `names` (all when empty).
pub fn import_named(dir: &Path, store: &Path, remote: &Remote, repack: bool, names: &[&str]) -> Result<Vec<Imported>, String> {
    let project = Project::read(dir).map_err(|e| e.join("\n"))?;
    let store = Store::new(store);
    let names = names.iter().map(|n| (*n).to_owned()).collect();
    let options = Options { store: &store, remote, repack, names, now: "2026-01-02T03:04:05Z".to_owned() };
    import::run(&project, &options, &mut Quiet).map_err(|e| e.to_string())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().concat()
}
