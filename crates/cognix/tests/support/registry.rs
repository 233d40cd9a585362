//! A real registry on 127.0.0.1: Debian's docker-registry (the CNCF distribution registry
//! 2.8), with a temporary storage directory, started on a free port and killed when dropped.
//! Its access log is the witness of what a push sent. A fixed `http.secret` signs upload
//! state, so upload sessions survive a restart, as they do on a real deployment.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct LocalRegistry {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// `COGNIX_TEST_REGISTRY`, else `docker-registry` on PATH (checks/run installs it).
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("COGNIX_TEST_REGISTRY") {
        return PathBuf::from(path);
    }
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("docker-registry"))
        .find(|path| path.is_file())
        .expect("docker-registry is not installed: run checks/run push (it installs Debian's docker-registry) or set COGNIX_TEST_REGISTRY")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl LocalRegistry {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        fs::create_dir(dir.path().join("storage")).unwrap();
        fs::write(
            dir.path().join("config.yml"),
            format!(
                "version: 0.1\nlog:\n  level: info\n  formatter: text\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: cognix-test\n",
                dir.path().join("storage").display()
            ),
        )
        .unwrap();
        let mut registry = Self { port, dir, child: None };
        registry.restart();
        registry
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("registry.log")
    }

    /// Starts the registry (again), on the same port and storage.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "the registry is running");
        let log = OpenOptions::new().create(true).append(true).open(self.log_path()).unwrap();
        let child = Command::new(binary())
            .args(["serve", &self.dir.path().join("config.yml").display().to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("docker-registry starts");
        self.child = Some(child);
        let start = Instant::now();
        while !self.answers() {
            assert!(start.elapsed() < Duration::from_secs(20), "the registry did not start: {}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = stream.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n");
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200")
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.log_path()) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// A position in the log: requests after it are those of what ran since.
    pub fn mark(&self) -> usize {
        self.log().len()
    }

    /// `(method, uri, status)` of every request logged since `mark` (the access log's
    /// `"PATCH /v2/… HTTP/1.1" 202` lines).
    pub fn requests_since(&self, mark: usize) -> Vec<(String, String, u16)> {
        self.log()[mark..]
            .lines()
            .filter_map(|line| {
                let (_, rest) = line.split_once("] \"")?;
                let (request, after) = rest.split_once("\" ")?;
                let mut words = request.split(' ');
                let (method, uri) = (words.next()?.to_owned(), words.next()?.to_owned());
                let status = after.split(' ').next()?.parse().ok()?;
                Some((method, uri, status))
            })
            .collect()
    }

    /// Upload sessions opened since `mark` (a mount request is not one), i.e. blobs sent.
    pub fn uploads_since(&self, mark: usize) -> usize {
        self.requests_since(mark)
            .iter()
            .filter(|(method, uri, _)| method == "POST" && uri.contains("/blobs/uploads/") && !uri.contains("mount="))
            .count()
    }

    /// Requests since `mark` that carried blob data (PATCH, or PUT with data) or opened an
    /// upload.
    pub fn blob_writes_since(&self, mark: usize) -> Vec<(String, String, u16)> {
        self.requests_since(mark).into_iter().filter(|(_, uri, _)| uri.contains("/blobs/uploads/")).collect()
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        self.kill();
    }
}
