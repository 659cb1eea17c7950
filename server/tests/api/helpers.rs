//! `spawn_app()` and friends: start the real server on port 0 with a fresh database.

use std::{collections::HashMap, io::Cursor, net::SocketAddr, time::Duration};

use image::{GrayImage, ImageFormat, Luma};

use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::oneshot;
use trazo_server::{AppState, config::Config};

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// Stops the server the way a signal would, and waits for it to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(server) => server.await.expect("server task panicked"),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Settings for a test server; the map overrides the defaults below.
pub struct Settings {
    pub vars: HashMap<String, String>,
}

impl Settings {
    pub fn new() -> Self {
        Self {
            vars: HashMap::new(),
        }
    }

    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.vars.insert(name.to_owned(), value.into());
        self
    }
}

/// A server on SQLite in a fresh temporary folder, without Redis.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings::new()).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    spawn_router_with(settings, axum::Router::new()).await
}

/// Like [`spawn_app_with`], with `extra` routes (e.g. a slow one) behind every layer of the
/// real router.
pub async fn spawn_router_with(settings: Settings, extra: axum::Router<AppState>) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut vars = settings.vars;
    vars.entry("DATABASE_URL".into())
        .or_insert_with(|| format!("sqlite://{}", dir.path().join("data/trazo.db").display()));
    vars.entry("BIND_ADDR".into())
        .or_insert_with(|| "127.0.0.1:0".into());
    vars.entry("SITE_ROOT".into())
        .or_insert_with(|| dir.path().join("site").display().to_string());
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");

    let limits = trazo_server::ConnectionLimits::from(&config);
    let state = AppState::build(config).await.expect("state builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let app = trazo_server::routes::router_with(state.clone(), extra);
    let server = tokio::spawn(trazo_server::serve(
        listener,
        app,
        async move {
            let _ = stop_rx.await;
        },
        Duration::from_secs(5),
        limits,
    ));
    TestApp {
        addr,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        state,
        stop: Some(stop_tx),
        server: Some(server),
        _dir: dir,
    }
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run the tests with `make test`, which starts the services they need"
        )
    })
}

/// The Redis that `make test` started.
pub fn redis_url() -> String {
    required_env("TEST_REDIS_URL")
}

/// A new, empty PostgreSQL database on the server `make test` started; its URL.
pub async fn fresh_postgres_database() -> String {
    let admin_url = required_env("TEST_POSTGRES_URL");
    let name = format!("trazo_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .expect("create test database");
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("TEST_POSTGRES_URL ends in /database");
    format!("{base}/{name}")
}

/// An address where nothing listens, for dependencies that are down.
pub fn closed_port_url(scheme: &str) -> String {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = socket.local_addr().expect("addr").port();
    drop(socket);
    format!("{scheme}://127.0.0.1:{port}")
}

/// The signing key the account tests use, so they can forge tokens signed with it (or not).
pub const KEY: &str = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
/// A password zxcvbn rates strong enough.
pub const PASSWORD: &str = "correct horse battery staple";

/// A known signing key, and sign-ups and log-ins not limited per address (every test client is
/// 127.0.0.1; the per-address limits have tests of their own in `abuse`).
pub fn settings() -> Settings {
    Settings::new()
        .set("SIGNING_KEY", KEY)
        .set("SIGNUPS_PER_HOUR", "1000")
        .set("AUTH_IN_FLIGHT_PER_ADDRESS", "1000")
        .set("LOGIN_FAILURES_PER_ADDRESS", "100000")
        .set("AUTH_QUEUE", "1000")
}

pub async fn post_json(app: &TestApp, path: &str, body: serde_json::Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// A fresh lowercase username: `prefix` and 12 hex digits.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The status of a log-in as `name` with `password`.
pub async fn login_status(app: &TestApp, name: &str, password: &str) -> reqwest::StatusCode {
    post_json(
        app,
        "/api/login",
        serde_json::json!({"username": name, "password": password}),
    )
    .await
    .status()
}

/// A logged-in client's credentials: the bearer token and the cookies as a `Cookie` header.
pub struct Session {
    pub token: String,
    pub cookie: String,
}

pub fn cookies_of(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect()
}

/// The `Cookie` header a browser would send back after these `Set-Cookie`s.
pub fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .map(|c| c.split(';').next().expect("name=value"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn login(app: &TestApp, username: &str, password: &str) -> Session {
    let response = post_json(
        app,
        "/api/login",
        serde_json::json!({"username": username, "password": password}),
    )
    .await;
    assert_eq!(response.status(), 200, "login of {username}");
    let cookie = cookie_header(&cookies_of(&response));
    let body: serde_json::Value = response.json().await.expect("json");
    Session {
        token: body["access_token"].as_str().expect("token").to_owned(),
        cookie,
    }
}

/// Two instances behind one imaginary load balancer: the same fresh PostgreSQL database and the
/// same Redis, with [`settings`].
pub async fn two_instances_sharing_redis_and_postgres() -> (TestApp, TestApp) {
    let database = fresh_postgres_database().await;
    let shared = || {
        settings()
            .set("REDIS_URL", redis_url())
            .set("DATABASE_URL", database.clone())
    };
    (
        spawn_app_with(shared()).await,
        spawn_app_with(shared()).await,
    )
}

/// A new administrator, made the way `server create-admin` makes one, logged in.
pub async fn new_admin(app: &TestApp) -> Session {
    let name = format!("a{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    app.state
        .accounts_port
        .admin
        .create_or_promote(&name, Some("the admin's own passphrase".into()))
        .await
        .expect("admin");
    login(app, &name, "the admin's own passphrase").await
}

/// A JSON POST with a Bearer token.
pub async fn post_as(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// `POST /api/predict` with `png` as the `file` field, as `token`'s owner.
pub async fn predict_png(app: &TestApp, token: &str, png: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png).file_name("digit.png"),
    );
    app.client
        .post(app.url("/api/predict"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("predict")
}

/// Registers a fresh user and logs them in: their name and session.
pub async fn new_user(app: &TestApp) -> (String, Session) {
    let name = format!("u{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let created = post_json(
        app,
        "/api/register",
        serde_json::json!({"username": name, "password": PASSWORD}),
    )
    .await;
    assert_eq!(created.status(), 201, "registration of {name}");
    let session = login(app, &name, PASSWORD).await;
    (name, session)
}

/// The real `server` binary in its own process (its own runtime, as in production), on a free
/// port with a fresh SQLite database, everything it prints going to a log file; killed when
/// dropped. `vars` override the environment (`LOG_LEVEL` is `warn` unless given). The one way the
/// tests start the binary.
pub struct ServerProcess {
    pub base: String,
    child: std::process::Child,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts the server and waits until it answers `/healthz`.
    pub async fn start(vars: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let port = free_port();
        let log = dir.path().join("server.log");
        let output = std::fs::File::create(&log).expect("log file");
        let child = server_command(dir.path(), port, vars)
            .stdout(output.try_clone().expect("log file"))
            .stderr(output)
            .spawn()
            .expect("start server binary");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{base}/healthz")).await.is_err() {
            assert!(std::time::Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            base,
            child,
            log,
            _dir: dir,
        }
    }

    /// Runs the binary set up as [`start`](Self::start) does, for a configuration it must refuse:
    /// waits for it to exit by itself and returns its exit status and output.
    pub fn run_to_exit(vars: &[(&str, &str)]) -> std::process::Output {
        Self::run_command(&[], vars)
    }

    /// Runs one of the binary's commands (`args`, e.g. `["migrate"]`) set up as
    /// [`start`](Self::start) does, with its own temporary folder, and returns its output.
    pub fn run_command(args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
        let dir = tempfile::tempdir().expect("dir");
        server_command(dir.path(), free_port(), vars)
            .args(args)
            .output()
            .expect("run server binary")
    }

    /// Registers `name` (with [`PASSWORD`]) and logs in: the session cookies as a `Cookie`
    /// header.
    pub async fn logged_in_cookie(&self, name: &str) -> String {
        let client = reqwest::Client::new();
        let credentials = serde_json::json!({"username": name, "password": PASSWORD});
        let post = |path: &str| {
            client
                .post(format!("{}{path}", self.base))
                .json(&credentials)
                .send()
        };
        let created = post("/api/register").await.expect("register");
        assert_eq!(created.status(), 201, "registration of {name}");
        let login = post("/api/login").await.expect("login");
        assert_eq!(login.status(), 200, "login of {name}");
        cookie_header(&cookies_of(&login))
    }

    /// The server's process id (to read its memory use from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.base
            .trim_start_matches("http://")
            .parse()
            .expect("base is http://ip:port")
    }

    /// Sends `signal` (as `kill` spells it: `-TERM`, `-INT`), waits at most `within` for the
    /// server to exit, and returns its exit status and everything it printed.
    pub fn stop_with(
        mut self,
        signal: &str,
        within: Duration,
    ) -> (std::process::ExitStatus, String) {
        let sent = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill {signal} failed");
        let deadline = std::time::Instant::now() + within;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "server did not exit within {within:?} of {signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let log = std::fs::read_to_string(&self.log).expect("server log");
        (status, log)
    }

    /// Stops the server with SIGTERM, waits for it (longer than the 30 s default shutdown grace
    /// could take), and returns everything it printed.
    pub fn stop_and_read_log(self) -> String {
        self.stop_with("-TERM", Duration::from_secs(60)).1
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The `server` binary with nothing of the test's environment but `PATH`: listening on `port`,
/// its database and site in `dir`, logging at `warn`; then `vars`.
fn server_command(
    dir: &std::path::Path,
    port: u16,
    vars: &[(&str, &str)],
) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("t.db").display()),
        )
        .env("SITE_ROOT", dir)
        .env("LOG_LEVEL", "warn")
        .envs(vars.iter().copied())
        .stdin(std::process::Stdio::null());
    command
}

fn distance_to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

/// A hand-drawn-looking digit: dark anti-aliased strokes on white, `size` pixels square.
/// `shift` moves it a little, so different uploads have different bytes.
/// A stroke from one point to another, in a 224 x 224 frame.
pub type Segment = ((f32, f32), (f32, f32));

pub fn digit_png(segments: &[Segment], size: u32, shift: f32) -> Vec<u8> {
    let scale = size as f32 / 224.0;
    let image = GrayImage::from_fn(size, size, |x, y| {
        let p = ((x as f32 + 0.5) / scale - shift, (y as f32 + 0.5) / scale);
        let d = segments
            .iter()
            .map(|&(a, b)| distance_to_segment(p, a, b))
            .fold(f32::INFINITY, f32::min);
        let ink = (1.0 - (d - 9.0) / 2.0).clamp(0.0, 1.0);
        Luma([(255.0 * (1.0 - ink)) as u8])
    });
    encode(image, ImageFormat::Png)
}

pub const SEVEN: &[Segment] = &[
    ((60.0, 50.0), (170.0, 45.0)),
    ((170.0, 45.0), (95.0, 185.0)),
];
pub const ONE: &[Segment] = &[((112.0, 35.0), (112.0, 190.0))];

pub fn encode(image: GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// A real SMTP server (aiosmtpd, from `$TEST_SMTPD_PYTHON`) on a port of its own, storing every
/// message it accepts as a file in a maildir; it can be stopped and started again on the same
/// port and maildir. Killed when dropped.
pub struct MailServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl MailServer {
    /// Starts a server and waits until it accepts connections.
    pub async fn spawn() -> Self {
        let mut server = Self {
            port: free_port(),
            dir: tempfile::tempdir().expect("dir"),
            child: None,
        };
        server.start().await;
        server
    }

    /// `smtp://127.0.0.1:PORT` (plain SMTP, no TLS).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// [`settings`] with mail going to this server, retried after 1 s (doubling).
    pub fn settings(&self) -> Settings {
        settings()
            .set("SMTP_URL", self.url())
            .set("MAIL_FROM", "trazo <trazo@example.test>")
            .set("MAIL_RETRY_SECS", "1")
    }

    fn maildir(&self) -> std::path::PathBuf {
        self.dir.path().join("maildir")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("smtpd.log")).unwrap_or_default()
    }

    /// Starts the server (again) on its port and maildir, and waits until it accepts
    /// connections.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "the mail server is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("smtpd.log"))
            .expect("smtpd log");
        let child = std::process::Command::new(required_env("TEST_SMTPD_PYTHON"))
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().expect("smtpd log"))
            .stderr(log)
            .spawn()
            .expect("start aiosmtpd with $TEST_SMTPD_PYTHON");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten());
            if let Some(status) = exited {
                self.child = None;
                panic!("aiosmtpd exited ({status}):\n{}", self.log());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not listen on port {} within 30 s:\n{}",
                self.port,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the server and waits for it to exit; its port then refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files = Vec::new();
        for folder in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir().join(folder)) else {
                continue;
            };
            for entry in entries.flatten() {
                let modified = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                files.push((modified, entry.path()));
            }
        }
        files.sort();
        files
            .iter()
            .filter_map(|(_, path)| std::fs::read(path).ok())
            .map(|bytes| Mail::parse(&String::from_utf8_lossy(&bytes)))
            .collect()
    }

    /// Waits until at least `n` messages have arrived (all of them, to anyone); panics after
    /// `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let mails = self.messages();
            if mails.len() >= n {
                return mails;
            }
            if std::time::Instant::now() >= deadline {
                panic!(
                    "{} of {n} mails arrived within {timeout:?}: {}",
                    mails.len(),
                    summary(&mails)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until at least `n` messages to `recipient` have arrived, and returns those (all of
    /// the messages to `recipient`, oldest first); panics after `timeout`.
    pub async fn wait_for_to(&self, recipient: &str, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let all = self.messages();
            let mails: Vec<Mail> = all.iter().filter(|m| m.to == recipient).cloned().collect();
            if mails.len() >= n {
                return mails;
            }
            if std::time::Instant::now() >= deadline {
                panic!(
                    "{} of {n} mails to {recipient} arrived within {timeout:?}; all mail: {}",
                    mails.len(),
                    summary(&all)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// "to: subject" of each mail, for failure messages.
fn summary(mails: &[Mail]) -> String {
    mails
        .iter()
        .map(|m| format!("[{}: {}]", m.to, m.subject))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One received mail.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The address of the `To:` header (or, without one, the envelope's), lowercased, without a
    /// display name.
    pub to: String,
    pub subject: String,
    /// The text/plain part, decoded (every text part, if it has none).
    pub text: String,
    /// The whole message as received, line endings as `\n`.
    pub raw: String,
}

impl Mail {
    /// Parses a message as stored by the SMTP server or written to the development outbox.
    pub fn parse(raw: &str) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let (headers, _) = mime_entity(&raw);
        let to = mime_header(&headers, "to")
            .or_else(|| mime_header(&headers, "x-rcptto"))
            .map(bare_address)
            .unwrap_or_default();
        let subject = mime_header(&headers, "subject")
            .unwrap_or_default()
            .to_owned();
        let mut parts = Vec::new();
        mime_text_parts(&raw, &mut parts);
        let text = parts
            .iter()
            .find(|(content_type, _)| content_type.starts_with("text/plain"))
            .map(|(_, body)| body.clone())
            .unwrap_or_else(|| {
                parts
                    .iter()
                    .map(|(_, body)| body.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        Self {
            to,
            subject,
            text,
            raw,
        }
    }
}

/// The token of the link to `path` (e.g. `/confirm-email`) in the mail's plain text:
/// `…{path}?token=TOKEN`. Panics, showing the mail, when there is none.
pub fn link_token(mail: &Mail, path: &str) -> String {
    let marker = format!("{path}?token=");
    mail.text
        .find(&marker)
        .map(|at| {
            mail.text[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        })
        .filter(|token| !token.is_empty())
        .unwrap_or_else(|| panic!("no {marker} link in the mail to {}:\n{}", mail.to, mail.raw))
}

/// `a@b.example` from `Name <A@b.example>` or `a@b.example`.
fn bare_address(value: &str) -> String {
    let value = match (value.rfind('<'), value.rfind('>')) {
        (Some(start), Some(end)) if start < end => &value[start + 1..end],
        _ => value,
    };
    value.trim().to_lowercase()
}

/// The headers (names lowercased, folded lines joined) and the body of a message or part
/// whose line endings are `\n`.
fn mime_entity(entity: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = if let Some(body) = entity.strip_prefix('\n') {
        ("", body)
    } else {
        match entity.find("\n\n") {
            Some(at) => (&entity[..at], &entity[at + 2..]),
            None => (entity, ""),
        }
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn mime_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, value)| value.as_str())
}

/// Every leaf part of `entity` as (content type lowercased, decoded body), in order.
fn mime_text_parts(entity: &str, out: &mut Vec<(String, String)>) {
    let (headers, body) = mime_entity(entity);
    let content_type = mime_header(&headers, "content-type")
        .unwrap_or("text/plain")
        .to_owned();
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = content_type.split(';').find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"').to_owned())
        });
        let Some(boundary) = boundary else {
            out.push((content_type.to_ascii_lowercase(), body.to_owned()));
            return;
        };
        let delimiter = format!("--{boundary}");
        for chunk in body.split(delimiter.as_str()).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            // The rest of the delimiter line.
            let part = chunk.split_once('\n').map_or("", |(_, part)| part);
            mime_text_parts(part, out);
        }
    } else {
        out.push((
            content_type.to_ascii_lowercase(),
            mime_decode(&headers, body),
        ));
    }
}

/// A body undone from its Content-Transfer-Encoding (7bit, 8bit, quoted-printable, base64).
fn mime_decode(headers: &[(String, String)], body: &str) -> String {
    use base64::Engine as _;
    let encoding = mime_header(headers, "content-transfer-encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    match encoding.as_str() {
        "quoted-printable" => {
            let joined = body.replace("=\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'='
                    && i + 2 < bytes.len()
                    && bytes[i + 1].is_ascii_hexdigit()
                    && bytes[i + 2].is_ascii_hexdigit()
                {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
                    out.push(u8::from_str_radix(hex, 16).expect("hex"));
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_else(|_| body.to_owned())
        }
        _ => body.to_owned(),
    }
}
