#!/usr/bin/env python3
"""A real SMTP server on loopback for the relay's tests: Debian's aiosmtpd (python3-aiosmtpd).

    python3 smtp_server.py --spool DIR [--host 127.0.0.1] [--port N] [--mode starttls|ssl|plain]
                           [--cert server.pem --key server.key] [--user U --password P]
                           [--reject-domain example.org] [--tempfail-domain example.net]

Prints "smtp_server: listening on port N" once it accepts connections, then serves until
SIGTERM or SIGKILL. Every accepted message is written to DIR as <n>.eml (written to a
temporary name, then renamed: a reader never sees half a message), with the envelope in
<n>.json ({"mail_from", "rcpt_tos", "peer_tls"}). Connections are counted in DIR/connections
(one line each), so a test can tell a kept-alive connection from new ones.

starttls: STARTTLS offered and required before MAIL and AUTH; ssl: TLS from the first byte;
plain: no TLS (AUTH then allowed in the clear, for loopback tests only). With --user, AUTH
(PLAIN or LOGIN) is required and anything but U/P is refused with 535. A recipient at
--reject-domain is refused with 550, at --tempfail-domain with 451.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Spool:
    def __init__(self, directory, reject_domain, tempfail_domain):
        self.directory = directory
        self.reject_domain = reject_domain
        self.tempfail_domain = tempfail_domain
        self.count = len([n for n in os.listdir(directory) if n.endswith(".eml")])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rsplit("@", 1)[-1].lower()
        if self.reject_domain and domain == self.reject_domain:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if self.tempfail_domain and domain == self.tempfail_domain:
            return "451 4.3.0 <%s>: Temporary failure, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "peer_tls": server.transport.get_extra_info("ssl_object") is not None}, f)
        os.rename(base + ".json.tmp", base + ".json")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as %d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spool", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mode", choices=["starttls", "ssl", "plain"], default="starttls")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--reject-domain")
    p.add_argument("--tempfail-domain")
    a = p.parse_args()
    os.makedirs(a.spool, exist_ok=True)

    context = None
    if a.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and a.user is not None
              and auth_data.login == a.user.encode() and auth_data.password == a.password.encode())
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself

    spool = Spool(a.spool, a.reject_domain, a.tempfail_domain)
    connections = os.path.join(a.spool, "connections")

    def factory():
        with open(connections, "a") as f:
            f.write("connection\n")
        return SMTP(spool,
                    hostname="localhost",
                    tls_context=context if a.mode == "starttls" else None,
                    require_starttls=a.mode == "starttls",
                    authenticator=authenticate if a.user else None,
                    auth_required=a.user is not None,
                    auth_require_tls=a.mode == "starttls")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        factory, a.host, a.port, ssl=context if a.mode == "ssl" else None,
        reuse_address=True))
    port = server.sockets[0].getsockname()[1]
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    print("smtp_server: listening on port %d" % port, flush=True)
    loop.run_forever()
    server.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
