//! A tiny HTTP/1.1 server on 127.0.0.1 for fault and auth tests. Each request's head goes to a
//! handler that answers it, forwards it to a real registry (as a proxy that can fail on cue),
//! or drops the connection halfway through the body. Every connection serves one request
//! (`Connection: close`), so clients never reuse one the test cut.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

#[derive(Clone, Debug)]
pub struct Head {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The body, for requests answered here (not forwarded or dropped).
    pub body: Vec<u8>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn content_length(&self) -> usize {
        self.header("content-length").and_then(|l| l.parse().ok()).unwrap_or(0)
    }
}

pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Pass the request to the upstream registry and its answer back.
    Forward,
    /// Read half the body, then close the connection without an answer.
    Drop,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Self::Respond { status, headers: Vec::new(), body: Vec::new() }
    }

    pub fn json(status: u16, body: &str) -> Self {
        Self::Respond { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.as_bytes().to_vec() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Self::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Head, usize) -> Reply + Send + Sync;

pub struct FakeServer {
    pub port: u16,
    heads: Arc<Mutex<Vec<Head>>>,
    stop: Arc<AtomicBool>,
}

impl FakeServer {
    /// `upstream`: the registry port `Reply::Forward` goes to. The handler gets each head and
    /// its number (0 first).
    pub fn start(upstream: Option<u16>, handler: impl Fn(&Head, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (heads_, stop_) = (heads.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (heads, handler) = (heads_.clone(), handler.clone());
                thread::spawn(move || serve(stream, upstream, &heads, &*handler));
            }
        });
        Self { port, heads, stop }
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn heads(&self) -> Vec<Head> {
        self.heads.lock().unwrap().clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(stream: TcpStream, upstream: Option<u16>, heads: &Mutex<Vec<Head>>, handler: &Handler) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let Some(head) = read_head(&mut reader) else { return };
    let number = {
        let mut heads = heads.lock().unwrap();
        heads.push(head.clone());
        heads.len() - 1
    };
    let mut stream = stream;
    match handler(&head, number) {
        Reply::Drop => {
            let mut half = vec![0; head.content_length() / 2];
            let _ = reader.read_exact(&mut half);
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Reply::Respond { status, headers, body } => {
            let mut rest = vec![0; head.content_length()];
            let _ = reader.read_exact(&mut rest);
            heads.lock().unwrap()[number].body = rest;
            let mut text = format!("HTTP/1.1 {status} Fake\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
            for (name, value) in headers {
                let _ = write!(text, "{name}: {value}\r\n");
            }
            text.push_str("\r\n");
            let _ = stream.write_all(text.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Forward => {
            let mut body = vec![0; head.content_length()];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let mut upstream = TcpStream::connect(("127.0.0.1", upstream.expect("a proxy has an upstream"))).unwrap();
            let mut request = format!("{} {} HTTP/1.1\r\n", head.method, head.path);
            for (name, value) in head.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("connection")) {
                let _ = write!(request, "{name}: {value}\r\n");
            }
            request.push_str("Connection: close\r\n\r\n");
            upstream.write_all(request.as_bytes()).unwrap();
            upstream.write_all(&body).unwrap();
            let mut answer = Vec::new();
            let _ = upstream.read_to_end(&mut answer);
            // Add Connection: close to the answer's head, so the client does not reuse this one.
            let split = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |p| p + 2);
            let _ = stream.write_all(&answer[..split]);
            let _ = stream.write_all(b"Connection: close\r\n");
            let _ = stream.write_all(&answer[split..]);
        }
    }
}

fn read_head(reader: &mut BufReader<TcpStream>) -> Option<Head> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let (method, path) = (words.next()?.to_owned(), words.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Some(Head { method, path, headers, body: Vec::new() })
}
