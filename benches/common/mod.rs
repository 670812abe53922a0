//! What the benches share: the real server on a free local port, in a thread of its own.

use std::net::TcpListener;
use std::time::Duration;

/// Serve `state` on 127.0.0.1 (a free port) from its own thread; returns the base URL
/// (`http://127.0.0.1:PORT`) once the server has had a moment to start.
pub fn serve(state: cunyi::state::AppState) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        actix_web::rt::System::new()
            .block_on(async move { cunyi::app::server(state, listener, None).unwrap().await })
    });
    std::thread::sleep(Duration::from_millis(300));
    addr
}
