//! A small HTTP/1.1 server on 127.0.0.1, for `kuzet demo` and the tests: a static site, or any
//! behaviour a test needs (slow drip, huge bodies, redirects, 429). It binds loopback only, logs
//! every request with its arrival time (so politeness is checked from the server's side), and
//! runs on its own thread until dropped.
//!
//! Not a production server: GET only, one request per connection.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// Path and query.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub at: Instant,
}

impl Request {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What to send.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes(Vec<u8>),
    /// `chunk` every `every`, `times` times (no Content-Length).
    Drip { chunk: Vec<u8>, every: Duration, times: usize },
    /// `len` copies of `byte`, streamed.
    Repeat { byte: u8, len: usize },
}

/// A reply.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Reply {
    /// A reply with `body` and one Content-Type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status, headers: vec![("Content-Type".into(), content_type.into())], body: Body::Bytes(body.into()) }
    }

    /// A redirect.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply { status, headers: vec![("Location".into(), location.into())], body: Body::Bytes(Vec::new()) }
    }

    /// 404.
    pub fn not_found() -> Reply {
        Reply::new(404, "text/plain", "not found")
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Answers requests.
pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running server; stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server on 127.0.0.1 (a free port) on its own thread.
    pub fn start(handler: Handler) -> std::io::Result<Server> {
        Server::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), handler)
    }

    /// Starts a server on `addr`, which must be a loopback address (port 0: any free port).
    pub fn start_on(addr: SocketAddr, handler: Handler) -> std::io::Result<Server> {
        if !addr.ip().is_loopback() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{addr}: the test server binds loopback addresses only")));
        }
        let std_listener = std::net::TcpListener::bind(addr).map_err(|e| std::io::Error::new(e.kind(), format!("binding {addr}: {e}")))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let thread_log = log.clone();
        let thread = std::thread::Builder::new().name("kuzet-serve".into()).spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                tokio::spawn(serve_one(stream, handler.clone(), thread_log.clone()));
                            }
                        }
                    }
                }
            });
        })?;
        Ok(Server { addr, log, stop: Some(stop), thread: Some(thread) })
    }

    /// The server's root URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve_one(mut stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Request>>>) {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 16 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let mut lines = head.split("\r\n");
    let path = lines.next().and_then(|l| l.split_whitespace().nth(1)).unwrap_or("/").to_string();
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let request = Request { path, headers, at: Instant::now() };
    if let Ok(mut l) = log.lock() {
        l.push(request.clone());
    }
    let reply = handler(&request);
    let _ = write_reply(&mut stream, reply).await;
}

async fn write_reply(stream: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\nConnection: close\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match &reply.body {
        Body::Bytes(b) => head.push_str(&format!("Content-Length: {}\r\n", b.len())),
        Body::Repeat { len, .. } => head.push_str(&format!("Content-Length: {len}\r\n")),
        Body::Drip { .. } => {}
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    match reply.body {
        Body::Bytes(b) => stream.write_all(&b).await?,
        Body::Repeat { byte, len } => {
            let block = vec![byte; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(block.len());
                stream.write_all(&block[..n]).await?;
                left -= n;
            }
        }
        Body::Drip { chunk, every, times } => {
            for _ in 0..times {
                stream.write_all(&chunk).await?;
                stream.flush().await?;
                tokio::time::sleep(every).await;
            }
        }
    }
    stream.shutdown().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A handler serving the files under `root`: a folder serves its `index.html`; HTML is sent as
/// `text/html` with no charset, so pages declare (or do not declare) their own encoding. Every
/// file has an ETag (a hash of its bytes); `If-None-Match` with it gets 304 Not Modified.
pub fn static_site(root: PathBuf) -> Handler {
    Arc::new(move |req: &Request| {
        let path = req.path.split(['?', '#']).next().unwrap_or("/");
        let Some(file) = resolve(&root, path) else { return Reply::not_found() };
        match std::fs::read(&file) {
            Ok(bytes) => file_reply(req, &file, bytes),
            Err(_) => Reply::not_found(),
        }
    })
}

/// A handler serving `files` (paths `/`-separated, as [`crate::bundled::SITE_FILES`]) exactly
/// as [`static_site`] serves a folder holding them.
pub fn files_site(files: &'static [crate::bundled::File]) -> Handler {
    Arc::new(move |req: &Request| {
        let path = req.path.split(['?', '#']).next().unwrap_or("/");
        let Some(rel) = relative(path) else { return Reply::not_found() };
        let key = rel.iter().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("/");
        let key = key.as_str();
        let is_dir = key.is_empty() || files.iter().any(|(k, _)| k.strip_prefix(key).is_some_and(|rest| rest.starts_with('/')));
        let key = if is_dir { format!("{}{}index.html", key, if key.is_empty() { "" } else { "/" }) } else { key.to_string() };
        match files.iter().find(|(k, _)| *k == key) {
            Some((k, bytes)) => file_reply(req, Path::new(k), bytes.to_vec()),
            None => Reply::not_found(),
        }
    })
}

/// 200 with `bytes` and their ETag, or 304 when the request already has it.
fn file_reply(req: &Request, file: &Path, bytes: Vec<u8>) -> Reply {
    let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..16]);
    if req.header("if-none-match").is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        return Reply { status: 304, headers: vec![("ETag".into(), etag)], body: Body::Bytes(Vec::new()) };
    }
    Reply::new(200, content_type(file), bytes).with_header("ETag", &etag)
}

/// The request path as a relative path, `None` if it has `..` or other special parts.
fn relative(path: &str) -> Option<&Path> {
    let rel = Path::new(path.trim_start_matches('/'));
    rel.components().all(|c| matches!(c, Component::Normal(_))).then_some(rel)
}

fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let file = root.join(relative(path)?);
    if file.is_dir() { Some(file.join("index.html")) } else { Some(file) }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => "text/html",
        Some("txt") => "text/plain",
        Some("css") => "text/css",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_site_answers_like_the_folder() {
        let folder = static_site(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/site"));
        let bundled = files_site(crate::bundled::SITE_FILES);
        let req = |path: &str| Request { path: path.into(), headers: Vec::new(), at: Instant::now() };
        for path in ["/", "/index.html", "/robots.txt", "/blog", "/blog/", "/about.html?x=1", "/missing.html", "/../Cargo.toml", "/blo", "//etc/passwd"] {
            let (a, b) = (folder(&req(path)), bundled(&req(path)));
            let body = |r: &Reply| match &r.body {
                Body::Bytes(b) => b.clone(),
                _ => Vec::new(),
            };
            assert_eq!((a.status, &a.headers, body(&a)), (b.status, &b.headers, body(&b)), "{path}");
        }
        assert_eq!(bundled(&req("/")).status, 200);
    }
}
