//! Collectors that are not there, copied from `crates/baton-sdk/tests/common/endpoints.rs`:
//! a port nothing listens on, and one that accepts connections but never answers.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A loopback address nothing listens on (bound, then released): connections are refused.
pub fn refused() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

/// A loopback server that accepts connections, reads nothing and answers nothing, like a
/// collector that has hung. Connections are held until the value is dropped.
pub struct Blackhole {
    addr: SocketAddr,
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Blackhole {
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

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.held.lock().unwrap().len()
    }
}
