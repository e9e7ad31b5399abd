#!/bin/sh
# The IMAP side of the "imap-legacy" demo target, run by stunnel once per TLS
# connection with the decrypted stream on stdin/stdout. It says what Exchange
# 2010's IMAP4 service says before login (greeting verbatim; CAPABILITY as on
# 993 with the default SecureLogin) and refuses every login: there is no
# mailbox behind it.
set -u
crlf() { printf '%s\r\n' "$@"; }

crlf '* OK The Microsoft Exchange IMAP4 service is ready.'
while IFS= read -r line; do
    line=$(printf '%s' "$line" | tr -d '\r')
    tag=${line%% *}
    rest=${line#"$tag"}
    rest=${rest# }
    command=$(printf '%s' "${rest%% *}" | tr '[:lower:]' '[:upper:]')
    case "$command" in
        CAPABILITY)
            crlf '* CAPABILITY IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI AUTH=PLAIN UIDPLUS CHILDREN IDLE NAMESPACE LITERAL+' \
                 "$tag OK CAPABILITY completed." ;;
        NOOP)
            crlf "$tag OK NOOP completed." ;;
        LOGIN | AUTHENTICATE)
            crlf "$tag NO LOGIN failed." ;;
        LOGOUT)
            crlf '* BYE Microsoft Exchange Server 2010 IMAP4 server signing off.' \
                 "$tag OK LOGOUT completed."
            exit 0 ;;
        *)
            crlf "$tag BAD Command Error. 10" ;;
    esac
done
