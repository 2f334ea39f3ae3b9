//! Who a request comes from: the peer's address, or, when the peer is a configured trusted proxy
//! (`FORVALTNING_TRUSTED_PROXIES`), the client its `Forwarded` (RFC 7239) or `X-Forwarded-For`
//! header names. Headers from anyone else are ignored: a client cannot choose its own address.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The networks whose forwarding headers are believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of CIDRs or single addresses (`10.0.0.0/8, 192.0.2.7`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                IpNet::from_str(item)
                    .or_else(|_| IpAddr::from_str(item).map(IpNet::from))
                    .map_err(|_| format!("'{item}' is not a CIDR (10.0.0.0/8) or an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "[{}]", list.join(", "))
    }
}

/// The client's address. Going from the peer towards the client, every hop a trusted proxy
/// vouches for is taken, up to the first address that is not itself a trusted proxy; a hop
/// that cannot be read (`unknown`, an obfuscated name) ends the walk at the last proxy.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = canonical(peer);
    if trusted.is_empty() || !trusted.trusts(peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(address) => {
                client = canonical(*address);
                if !trusted.trusts(client) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// The addresses a request passed through, client first: from `Forwarded` when present (its
/// `for=` parameters), else from `X-Forwarded-For`. `None` for a hop that is no address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| node_address(value.trim().trim_matches('"')))
                })
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|hop| node_address(hop.trim()))
        .collect()
}

/// An address as a hop names it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`, `2001:db8::1`.
fn node_address(node: &str) -> Option<IpAddr> {
    if let Ok(address) = IpAddr::from_str(node) {
        return Some(address);
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (address, _) = rest.split_once(']')?;
        return IpAddr::from_str(address).ok();
    }
    let (address, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    IpAddr::from_str(address).ok()
}

/// An IPv4 address that arrived as IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is that IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").unwrap();
        let xff = headers(&[("x-forwarded-for", "198.51.100.9, 10.1.2.3")]);
        let cases = [
            // No proxy is trusted: the peer, whatever it says.
            (TrustedProxies::default(), "10.0.0.1", &xff, "10.0.0.1"),
            // An untrusted peer's header is ignored.
            (trusted.clone(), "203.0.113.5", &xff, "203.0.113.5"),
            // Through two trusted proxies to the client.
            (trusted.clone(), "192.0.2.7", &xff, "198.51.100.9"),
            (trusted.clone(), "::ffff:10.0.0.1", &xff, "198.51.100.9"),
        ];
        for (trusted, peer, headers, client) in cases {
            assert_eq!(client_address(ip(peer), headers, &trusted), ip(client));
        }
    }

    #[test]
    fn a_client_cannot_prepend_its_own_address() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the client's address.
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.9")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &spoofed, &trusted),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn forwarded_is_read_before_x_forwarded_for() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let both = headers(&[
            (
                "forwarded",
                "for=\"[2001:db8::17]:4711\";proto=https, for=10.0.0.2;by=10.0.0.1",
            ),
            ("x-forwarded-for", "198.51.100.9"),
        ]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &both, &trusted),
            ip("2001:db8::17")
        );
        let obfuscated = headers(&[("forwarded", "for=_hidden, for=10.0.0.2")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &obfuscated, &trusted),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn bad_lists_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.sunet.se").is_err());
        assert_eq!(
            TrustedProxies::parse(" ").unwrap(),
            TrustedProxies::default()
        );
    }
}
