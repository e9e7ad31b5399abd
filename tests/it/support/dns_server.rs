//! An in-process authoritative DNS server on a random loopback UDP port:
//! answers A, AAAA, SRV and MX from a fixed zone, NXDOMAIN for anything else.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, MX, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::BinEncodable;
use tokio::net::UdpSocket;

#[derive(Clone, Default)]
pub struct Zone {
    pub a: Vec<(&'static str, Ipv4Addr)>,
    pub aaaa: Vec<(&'static str, Ipv6Addr)>,
    /// (name, priority, weight, port, target)
    pub srv: Vec<(&'static str, u16, u16, u16, &'static str)>,
    /// (name, preference, exchange)
    pub mx: Vec<(&'static str, u16, &'static str)>,
}

pub struct DnsServer {
    pub addr: SocketAddr,
    pub queries: Arc<AtomicUsize>,
}

fn name(s: &str) -> Name {
    Name::from_ascii(if s.ends_with('.') {
        s.to_string()
    } else {
        format!("{s}.")
    })
    .expect("name")
}

pub async fn start(zone: Zone) -> DnsServer {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
    let addr = socket.local_addr().expect("addr");
    let queries = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&queries);
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            let Ok(request) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut response = Message::new();
            response
                .set_id(request.id())
                .set_message_type(MessageType::Response)
                .set_op_code(request.op_code())
                .set_authoritative(true)
                .set_recursion_desired(request.recursion_desired())
                .set_recursion_available(true);
            let mut known = false;
            for q in request.queries() {
                response.add_query(q.clone());
                let qname = q.name().to_ascii().to_ascii_lowercase();
                let same = |n: &str| name(n).to_ascii().to_ascii_lowercase() == qname;
                known |= zone.a.iter().any(|(n, _)| same(n))
                    || zone.aaaa.iter().any(|(n, _)| same(n))
                    || zone.srv.iter().any(|s| same(s.0))
                    || zone.mx.iter().any(|m| same(m.0));
                match q.query_type() {
                    RecordType::A => {
                        for (n, ip) in zone.a.iter().filter(|(n, _)| same(n)) {
                            response.add_answer(Record::from_rdata(name(n), 60, RData::A(A(*ip))));
                        }
                    }
                    RecordType::AAAA => {
                        for (n, ip) in zone.aaaa.iter().filter(|(n, _)| same(n)) {
                            response.add_answer(Record::from_rdata(
                                name(n),
                                60,
                                RData::AAAA(AAAA(*ip)),
                            ));
                        }
                    }
                    RecordType::SRV => {
                        for (n, prio, weight, port, target) in zone.srv.iter().filter(|s| same(s.0))
                        {
                            response.add_answer(Record::from_rdata(
                                name(n),
                                60,
                                RData::SRV(SRV::new(*prio, *weight, *port, name(target))),
                            ));
                        }
                    }
                    RecordType::MX => {
                        for (n, pref, exchange) in zone.mx.iter().filter(|m| same(m.0)) {
                            response.add_answer(Record::from_rdata(
                                name(n),
                                60,
                                RData::MX(MX::new(*pref, name(exchange))),
                            ));
                        }
                    }
                    _ => {}
                }
            }
            response.set_response_code(if known {
                ResponseCode::NoError
            } else {
                ResponseCode::NXDomain
            });
            if let Ok(bytes) = response.to_bytes() {
                let _ = socket.send_to(&bytes, peer).await;
            }
        }
    });
    DnsServer { addr, queries }
}
