//! Where webhooks may post: an `https` URL whose host resolves to public addresses only, so that
//! a subscription cannot make the service call into Sunet's own network (server-side request
//! forgery). Development, or `webhooks.allow_private = true`, also allows `http` and private,
//! loopback and link-local targets (a receiver on the developer's machine).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

/// A webhook's URL, parsed: scheme http(s), a host, no credentials, no fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    pub fn parse(text: &str, allow_private: bool) -> Result<Self, String> {
        let url = Url::parse(text).map_err(|e| format!("is not a URL ({e})"))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            _ => return Err("must be an https URL".into()),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("must name a host".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry credentials (the secret signs each delivery)".into());
        }
        if url.fragment().is_some() {
            return Err("must not have a fragment".into());
        }
        if let Some(ip) = literal_ip(&url) {
            if !allow_private && !is_public(ip) {
                return Err(format!("points to {ip}, which is not a public address"));
            }
        }
        Ok(WebhookUrl(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(443)
    }
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// Whether `ip` is an address of the public internet: not loopback, private (RFC 1918, unique
/// local), link-local, shared (RFC 6598), documentation, benchmarking, multicast, broadcast or
/// unspecified — also when an IPv6 address carries an IPv4 address (mapped `::ffff:a.b.c.d`,
/// compatible `::a.b.c.d`, 6to4, Teredo), which must then be public too.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6) && embedded_v4(v6).into_iter().all(is_public_v4),
        },
    }
}

/// The IPv4 addresses an IPv6 address routes to: IPv4-compatible (`::a.b.c.d`, deprecated but
/// still routed by some stacks), 6to4 (`2002:aabb:ccdd::/48`), Teredo (`2001:0::/32`: the
/// server, and the client with its bits inverted).
fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    if s[..6] == [0; 6] && !(ip.is_unspecified() || ip.is_loopback()) {
        return vec![v4(s[6], s[7])];
    }
    match (s[0], s[1]) {
        (0x2002, _) => vec![v4(s[1], s[2])],
        (0x2001, 0x0000) => vec![v4(s[2], s[3]), v4(!s[6], !s[7])],
        _ => Vec::new(),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..=127).contains(&b)) // shared address space, RFC 6598
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..=19).contains(&b)) // benchmarking, RFC 2544
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)) // NAT64 of any IPv4 (and local-use)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::a00:1",
            "2001:db8::1",
            // IPv4 inside IPv6: compatible, 6to4 and Teredo (client 127.0.0.1 inverted).
            "::7f00:1",
            "::a00:1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "2001:0:a00:1::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "193.10.252.1",
            "8.8.8.8",
            "2001:6b0::1",
            "::ffff:193.10.252.1",
            "2002:c10a:fc01::1",
            "2001:0:4136:e378:8000:63bf:3ef5:fe01",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_https_without_credentials_or_private_literals() {
        assert!(WebhookUrl::parse("https://hooks.sunet.se/forvaltning", false).is_ok());
        for (bad, why) in [
            ("http://hooks.sunet.se/x", "https"),
            ("ftp://hooks.sunet.se/x", "https"),
            ("https://user:pw@hooks.sunet.se/x", "credentials"),
            ("https://10.0.0.5/x", "not a public address"),
            ("https://[::1]:8443/x", "not a public address"),
            ("https://hooks.sunet.se/x#frag", "fragment"),
            ("hooks.sunet.se", "not a URL"),
        ] {
            let error = WebhookUrl::parse(bad, false).expect_err(bad);
            assert!(error.contains(why), "{bad}: {error}");
        }
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", true).is_ok());
    }
}
