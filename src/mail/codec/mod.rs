//! The mail protocols' own grammar, one module each: IMAP responses
//! (decoded by imap-codec), POP3 `+OK` / `-ERR` responses and SMTP replies,
//! read over a [`MailConnection`](crate::mail::connection::MailConnection).
//! What to say and in which order is the dialogue's ([`crate::mail::dialogue`]).

pub mod encoded_words;
pub mod imap;
pub mod imap_data;
pub mod mutf7;
pub mod pop3;
pub mod smtp;
