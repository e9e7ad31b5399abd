//! The Report's `mail` section: what the dialogue saw ([`MailSeen`]) plus
//! the diagnosis' judgement of it (which software answered).

use crate::mail::dialogue::MailSeen;
use crate::mail::software;
use crate::report::Mail;
use crate::vocab::Protocol;

/// Builds the Report's `mail` from the dialogue's record.
pub fn section(protocol: Protocol, seen: MailSeen) -> Mail {
    let software_guess = software::identify(protocol, &seen);
    Mail {
        greeting: seen.greeting,
        software_guess,
        capabilities_before_tls: seen.capabilities_before_tls,
        capabilities_after_tls: seen.capabilities_after_tls,
        starttls: seen.starttls,
        tls: seen.tls,
        login_disabled: seen.login_disabled,
        auth_mechanisms_before_tls: seen.auth_mechanisms_before_tls,
        auth_mechanisms: seen.auth_mechanisms,
        login: seen.login,
        login_disabled_after_tls: seen.login_disabled_after_tls,
        imap4rev1: seen.imap4rev1,
        imap4rev2: seen.imap4rev2,
        sasl_ir: seen.sasl_ir,
        id: seen.id,
        transcript: seen.transcript,
        undecoded: seen.undecoded,
    }
}
