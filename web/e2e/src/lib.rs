//! Harness for the end-to-end browser tests (standard library only): a static file server for the
//! release build in `dist/`, a `chromedriver` process, and Chrome DevTools commands through it.
//!
//! The tests themselves are in `tests/browser.rs`; run them with `cargo xtask e2e`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The release build (`trunk build --release` writes it).
pub fn dist_dir() -> PathBuf {
    repo_root().join("dist")
}

/// The shared third-party corpus, beside the repository.
pub fn corpus_dir() -> PathBuf {
    repo_root().join("../shared/corpus")
}

/// The Content-Security-Policy the server also sends as a header, so the worker (which does not
/// inherit the page's `<meta>` policy) is held to the same rule.
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'";

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// A static file server on 127.0.0.1 serving `root` under the URL path `prefix` (e.g. `/` or
/// `/vpc-reach/`, as on a GitHub Pages project site). It records every request path.
pub struct StaticServer {
    addr: SocketAddr,
    prefix: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl StaticServer {
    pub fn start(root: &Path, prefix: &str) -> std::io::Result<StaticServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, prefix_owned) = (root.to_path_buf(), prefix.to_owned());
        let (log, stopping) = (requests.clone(), stop.clone());
        let thread = thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (root, prefix, log) = (root.clone(), prefix_owned.clone(), log.clone());
                        thread::spawn(move || {
                            let _ = serve_one(stream, &root, &prefix, &log);
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
        });
        Ok(StaticServer {
            addr,
            prefix: prefix.to_owned(),
            requests,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port><prefix>`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.prefix)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request path so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The file a URL path names, if it is inside `root` under `prefix`.
pub fn resolve(root: &Path, prefix: &str, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("");
    let rest = path.strip_prefix(prefix)?;
    let rest = if rest.is_empty() || rest.ends_with('/') {
        format!("{rest}index.html")
    } else {
        rest.to_owned()
    };
    let rel = Path::new(&rest);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = root.join(rel);
    full.is_file().then_some(full)
}

fn serve_one(
    stream: TcpStream,
    root: &Path,
    prefix: &str,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("").to_owned();
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(path.clone());
    let mut out = stream;
    match (method, resolve(root, prefix, &path)) {
        ("GET" | "HEAD", Some(file)) => {
            let body = fs::read(&file)?;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nContent-Security-Policy: {CSP}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                content_type(&file),
                body.len()
            );
            out.write_all(head.as_bytes())?;
            if method == "GET" {
                out.write_all(&body)?;
            }
        }
        _ => {
            out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
            )?;
        }
    }
    out.flush()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// A `chromedriver` child process. Dropping it ends its sessions (so Chromium exits even when a
/// test panics before closing its client), then kills it.
pub struct ChromeDriver {
    child: Child,
    port: u16,
    sessions: Mutex<Vec<String>>,
}

impl ChromeDriver {
    pub fn start() -> Result<ChromeDriver, String> {
        let port = free_port().map_err(|e| e.to_string())?;
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start chromedriver ({e}); run `cargo xtask setup` to install it")
            })?;
        let driver = ChromeDriver {
            child,
            port,
            sessions: Mutex::new(Vec::new()),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start listening within 20 s".to_owned());
            }
            thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Remembers a session to end when the driver is dropped.
    pub fn track(&self, session: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(session.to_owned());
    }

    /// Runs a Chrome DevTools Protocol command in `session` (chromedriver's `goog/cdp/execute`).
    pub fn cdp(&self, session: &str, cmd: &str, params: &str) -> Result<String, String> {
        let body = format!("{{\"cmd\":\"{cmd}\",\"params\":{params}}}");
        let (status, text) = http_request(
            self.port,
            "POST",
            &format!("/session/{session}/goog/cdp/execute"),
            &body,
        )
        .map_err(|e| e.to_string())?;
        if status == 200 {
            Ok(text)
        } else {
            Err(format!("{cmd} failed with HTTP {status}: {text}"))
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let sessions =
            std::mem::take(&mut *self.sessions.lock().unwrap_or_else(PoisonError::into_inner));
        for s in sessions {
            // Already closed by the test, or ended now: either way Chromium exits.
            let _ = http_request(self.port, "DELETE", &format!("/session/{s}"), "");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 request with a JSON body to 127.0.0.1; returns (status, body). Reads
/// exactly `Content-Length` bytes (chromedriver keeps the connection open).
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut w = s.try_clone()?;
    write!(
        w,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    w.flush()?;
    let mut reader = BufReader::new(s);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut buf = vec![0; length];
    reader.read_exact(&mut buf)?;
    Ok((status, String::from_utf8_lossy(&buf).into_owned()))
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> std::io::Result<TempDir> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vpc-reach-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The flags Chromium needs as root in a container, plus no background traffic of its own.
pub fn chrome_args(user_data_dir: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--window-size=1280,1600",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([format!("--user-data-dir={}", user_data_dir.display())])
    .collect()
}

/// Counts the files under `dist/` by extension, for messages.
pub fn dist_listing(dir: &Path) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let ext = p
                .extension()
                .and_then(|x| x.to_str())
                .unwrap_or("")
                .to_owned();
            *m.entry(ext).or_insert(0) += 1;
        }
    }
    m
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn get(url_path: &str, port: u16) -> (u16, String, String) {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        write!(s, "GET {url_path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut r = String::new();
        s.read_to_string(&mut r).unwrap();
        let status = r.split_whitespace().nth(1).unwrap().parse().unwrap();
        let (head, body) = r.split_once("\r\n\r\n").unwrap();
        (status, head.to_owned(), body.to_owned())
    }

    #[test]
    fn serves_files_under_the_prefix_only() {
        let dir = TempDir::new("server-test").unwrap();
        fs::write(dir.path().join("index.html"), "<p>hi</p>").unwrap();
        fs::write(dir.path().join("app.wasm"), "\0asm").unwrap();
        fs::write(dir.path().join("../outside-secret.txt"), "no").unwrap();
        let server = StaticServer::start(dir.path(), "/sub/").unwrap();
        let port = server.addr.port();

        let (status, head, body) = get("/sub/", port);
        assert_eq!((status, body.as_str()), (200, "<p>hi</p>"));
        assert!(head.contains("Content-Type: text/html"));
        assert!(head.contains("Content-Security-Policy: default-src 'self'"));
        let (status, head, _) = get("/sub/app.wasm?v=1", port);
        assert_eq!(status, 200);
        assert!(head.contains("Content-Type: application/wasm"));
        assert_eq!(get("/app.wasm", port).0, 404, "outside the prefix");
        assert_eq!(get("/sub/../outside-secret.txt", port).0, 404);
        assert_eq!(get("/sub/missing.js", port).0, 404);
        assert_eq!(
            server.requests(),
            vec![
                "/sub/",
                "/sub/app.wasm?v=1",
                "/app.wasm",
                "/sub/../outside-secret.txt",
                "/sub/missing.js"
            ]
        );
        let _ = fs::remove_file(dir.path().join("../outside-secret.txt"));
    }
}
