"""An aiosmtpd server for the Mail tests.

Saves every accepted message as DIR/msg-N.eml (the bytes as received, after dot-unstuffing)
with DIR/msg-N.json (envelope, ESMTP parameters, AUTH mechanism, TLS, pipelining). Prints
"ready PORT" on stdout once it accepts connections, then runs until SIGTERM.

Options:
  --tls starttls|implicit   certificate for "localhost" from a throwaway CA (trustme),
                            the CA written to DIR/ca.pem
  --require-starttls        refuse commands before STARTTLS
  --auth USER:PASSWORD      require AUTH (PLAIN and LOGIN offered)
  --reject ADDRESS=REPLY    answer RCPT TO for ADDRESS with REPLY, e.g. "550 5.1.1 No such user"
  --reject-data REPLY       answer the end of DATA with REPLY
  --pipelining              advertise PIPELINING
  --smtputf8                advertise SMTPUTF8
  --no-ehlo                 answer EHLO with 502 (the client must fall back to HELO)
  --announce                print "msg N" on stdout once message N is on disk
"""

import argparse
import base64
import json
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls", choices=["starttls", "implicit"])
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--auth")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--reject-data")
    parser.add_argument("--pipelining", action="store_true")
    parser.add_argument("--smtputf8", action="store_true")
    parser.add_argument("--no-ehlo", action="store_true")
    parser.add_argument("--announce", action="store_true")
    args = parser.parse_args()

    rejects = {}
    for item in args.reject:
        address, reply = item.split("=", 1)
        rejects[address.lower()] = reply

    counter = {"n": 0}
    lock = threading.Lock()

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            if args.pipelining:
                responses.insert(1, "250-PIPELINING")
            return responses

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            # Were RCPT TO and DATA already waiting when MAIL FROM was read? Then the client
            # pipelined them.
            waiting = bytes(server._reader._buffer)
            session.x_pipelined = b"RCPT TO" in waiting.upper() and b"DATA" in waiting.upper()
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            reply = rejects.get(address.lower())
            if reply:
                return reply
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if args.reject_data:
                return args.reject_data
            with lock:
                counter["n"] += 1
                n = counter["n"]
            base = os.path.join(args.dir, "msg-%d" % n)
            content = envelope.original_content or envelope.content
            with open(base + ".eml", "wb") as f:
                f.write(content)
            meta = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "mail_options": envelope.mail_options,
                "auth_mechanism": getattr(session, "x_mechanism", None),
                "auth_login": getattr(session, "x_login", None),
                "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                "pipelined": getattr(session, "x_pipelined", False),
                "helo": session.host_name,
                "extended": session.extended_smtp,
            }
            with open(base + ".json.tmp", "w") as f:
                json.dump(meta, f)
            os.rename(base + ".json.tmp", base + ".json")
            if args.announce:
                print("msg %d" % n, flush=True)
            return "250 2.0.0 Message accepted for delivery"

    def authenticator(server, session, envelope, mechanism, auth_data):
        user, password = args.auth.split(":", 1)
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        if ok:
            session.x_mechanism = mechanism
            session.x_login = auth_data.login.decode()
        # handled=False: aiosmtpd itself answers 535 (otherwise it would say nothing).
        return AuthResult(success=ok, handled=False)

    class _KeepHandler:
        def cancel(self):
            pass

    class TestSMTP(SMTP):
        def connection_lost(self, error):
            # A real MTA keeps a message whose final dot it has received even if the client
            # vanishes before reading the 250 (Postfix queues it first); aiosmtpd would cancel its
            # handler and drop it. Let the handler finish the input it already has: its loop ends
            # once the transport is gone.
            self._handler_coroutine = _KeepHandler()
            super().connection_lost(error)

        async def smtp_EHLO(self, hostname):
            if args.no_ehlo:
                await self.push("502 5.5.1 EHLO not implemented")
                return
            await super().smtp_EHLO(hostname)

    server_kwargs = {"enable_SMTPUTF8": args.smtputf8}
    ssl_context = None
    if args.tls:
        import ssl
        import trustme
        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        ca.cert_pem.write_to_path(os.path.join(args.dir, "ca.pem"))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        if args.tls == "starttls":
            server_kwargs["tls_context"] = context
            server_kwargs["require_starttls"] = args.require_starttls
        else:
            ssl_context = context
    if args.auth:
        server_kwargs["authenticator"] = authenticator
        server_kwargs["auth_required"] = True
        # Without TLS the test exercises starttls=off; with TLS, AUTH only after it.
        server_kwargs["auth_require_tls"] = bool(args.tls)

    class TestController(Controller):
        def factory(self):
            return TestSMTP(self.handler, **self.SMTP_kwargs)

    # A free port: bind to 0, read it, release it for the controller.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    controller = TestController(Handler(), hostname="127.0.0.1", port=port,
                                ssl_context=ssl_context, server_hostname="localhost", **server_kwargs)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready %d" % port, flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
