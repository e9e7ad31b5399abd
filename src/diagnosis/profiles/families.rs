//! The TLS library behind each client profile: clients on the same library
//! answer the same server the same way for the same offer, so a probe that
//! predicts trials still sends one offer per family (issue 21). Each entry
//! names its source; an entry without one is marked unverified.

/// (profile id, TLS library family, source).
const FAMILIES: &[(&str, &str, &str)] = &[
    (
        "exchange-online",
        "SChannel",
        "unverified: Exchange Online runs on Windows servers; Microsoft does not document the TLS stack of the IMAP migration service",
    ),
    (
        "outlook-windows",
        "SChannel",
        "https://learn.microsoft.com/en-us/windows/win32/secauthn/protocols-in-tls-ssl--schannel-ssp-",
    ),
    (
        "google-workspace",
        "BoringSSL",
        "unverified: Google's servers use BoringSSL (https://boringssl.googlesource.com/boringssl/), the migration service's stack is not documented",
    ),
    (
        "imapsync",
        "OpenSSL",
        "https://metacpan.org/pod/IO::Socket::SSL (imapsync connects through IO::Socket::SSL, which is OpenSSL via Net::SSLeay)",
    ),
    (
        "openssl-seclevel2",
        "OpenSSL",
        "https://docs.openssl.org/3.0/man3/SSL_CTX_set_security_level/",
    ),
    (
        "thunderbird",
        "NSS",
        "https://firefox-source-docs.mozilla.org/security/nss/index.html (Thunderbird uses NSS)",
    ),
    (
        "apple-mail",
        "BoringSSL",
        "https://github.com/firebase/flutterfire/issues/1411 (Apple's networking stack logs its TLS from libboringssl.dylib, subsystem com.apple.network.boringssl; https://github.com/firebase/firebase-ios-sdk/issues/314 shows Apple's build, boringssl-109.200.32): Apple platforms' TLS is Apple's build of BoringSSL",
    ),
    (
        "java-17",
        "JSSE",
        "https://docs.oracle.com/en/java/javase/17/security/java-secure-socket-extension-jsse-reference-guide.html",
    ),
];

/// The TLS library family of a profile and the source for it; `None` for
/// configuration guidelines (no client behind them).
pub fn tls_family(profile: &str) -> Option<(&'static str, &'static str)> {
    FAMILIES
        .iter()
        .find(|(id, _, _)| *id == profile)
        .map(|(_, family, source)| (*family, *source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_that_is_not_a_guideline_has_a_family_with_a_source() {
        for p in super::super::all() {
            let family = tls_family(p.id);
            match p.kind {
                super::super::ProfileKind::Compliance => assert!(family.is_none(), "{}", p.id),
                _ => {
                    let (_, source) = family.unwrap_or_else(|| panic!("{} has no family", p.id));
                    assert!(
                        source.starts_with("https://") || source.starts_with("unverified: "),
                        "{}",
                        p.id
                    );
                }
            }
        }
    }
}
