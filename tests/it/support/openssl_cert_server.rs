//! A real TLS server on the vendored OpenSSL, for what rustls will not
//! serve (RSA keys under 2048 bits). Each connection gets a thread: these
//! fixtures see a handful of connections per test.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};

use openssl::pkey::PKey;
use openssl::ssl::{Ssl, SslContextBuilder, SslMethod, SslVersion};
use openssl::x509::X509;

/// Serves `chain` (DER, leaf first) with `key_pem`, then an IMAP greeting.
pub fn start(chain: &[Vec<u8>], key_pem: &str, min: SslVersion, max: SslVersion) -> SocketAddr {
    // A plain context: the `SslAcceptor::mozilla_*` presets also set
    // `NO_TLSv1`/`NO_TLSv1_1` options, which a minimum version does not undo.
    let mut b = SslContextBuilder::new(SslMethod::tls_server()).expect("context");
    // Level 0: let OpenSSL load and use a 1024-bit RSA key, as old servers do.
    b.set_security_level(0);
    b.set_min_proto_version(Some(min)).expect("min");
    b.set_max_proto_version(Some(max)).expect("max");
    b.set_cipher_list("ALL:@SECLEVEL=0").expect("ciphers");
    let leaf = X509::from_der(&chain[0]).expect("leaf");
    b.set_certificate(&leaf).expect("cert");
    for extra in &chain[1..] {
        b.add_extra_chain_cert(X509::from_der(extra).expect("chain cert"))
            .expect("extra");
    }
    let key = PKey::private_key_from_pem(key_pem.as_bytes()).expect("key");
    b.set_private_key(&key).expect("key");
    let context = b.build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            let Ok(ssl) = Ssl::new(&context) else { return };
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)));
                let Ok(mut tls) = ssl.accept(tcp) else {
                    return;
                };
                let _ = tls.write_all(b"* OK OpenSSL fixture ready.\r\n");
                let mut buf = [0u8; 512];
                while let Ok(n) = tls.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                }
            });
        }
    });
    addr
}
