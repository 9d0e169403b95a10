//! Servers on 127.0.0.1 and collectors that are not there.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A multi-threaded Tokio runtime with `workers` threads named `name`, I/O and timers on.
pub fn runtime(name: &str, workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name(name)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Serves `router` with `axum::serve` on an ephemeral port of 127.0.0.1, with peer
/// addresses (`ConnectInfo<SocketAddr>`), on the current Tokio runtime.
pub async fn serve_axum(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a server");
    let addr = listener.local_addr().expect("server address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    addr
}

/// [`serve_axum`] on `runtime`, from synchronous code: the server runs there until the
/// runtime stops.
///
/// ```
/// use baton_test_support::loopback::{runtime, serve_axum_on};
/// let rt = runtime("doc-server", 1);
/// let addr = serve_axum_on(&rt, axum::Router::new());
/// assert!(addr.ip().is_loopback());
/// assert!(std::net::TcpStream::connect(addr).is_ok());
/// ```
pub fn serve_axum_on(runtime: &tokio::runtime::Runtime, router: axum::Router) -> SocketAddr {
    runtime.block_on(serve_axum(router))
}

/// A loopback address nothing listens on (bound, then released): connections are refused.
///
/// ```
/// let addr = baton_test_support::loopback::refused();
/// assert!(std::net::TcpStream::connect(addr).is_err());
/// ```
pub fn refused() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

/// A loopback server that accepts connections, reads nothing and answers nothing, like a
/// collector that has hung. Connections are held until the value is dropped.
///
/// ```
/// let hole = baton_test_support::loopback::Blackhole::start();
/// let _stream = std::net::TcpStream::connect(hole.addr()).unwrap();
/// assert!(baton_test_support::wait::until(std::time::Duration::from_secs(5), || {
///     hole.connections() == 1
/// }));
/// ```
pub struct Blackhole {
    addr: SocketAddr,
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Blackhole {
    /// Listens on an ephemeral port of 127.0.0.1.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let held = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&held);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                keep.lock().unwrap().push(stream);
            }
        });
        Blackhole { addr, held }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.held.lock().unwrap().len()
    }
}
