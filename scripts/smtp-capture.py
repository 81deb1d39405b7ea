"""crmsync's loopback SMTP submission server for tests and the demo (aiosmtpd 1.4, Debian's
python3-aiosmtpd; run with /usr/bin/python3).

Two listeners, one mailbox store:
  --port P        STARTTLS required before AUTH (like submission on 587)
  --tls-port P    implicit TLS (like 465), optional
AUTH PLAIN/LOGIN is checked against the users file (lines "user:{PLAIN}password", the same file
Dovecot reads); XOAUTH2 against --tokens (lines "token user"), with Gmail's failure answer
(334 + base64 JSON, then 535). RCPT to an unknown user of a local domain gets 550 (the other
domains are captured only). Each accepted message is written to DIR/<n>.eml plus <n>.json
(envelope, login, TLS) and, with --lmtp-port, delivered to the local recipients' mailboxes
through Dovecot's LMTP so IMAP tests can read it back.
With --userinfo-port it also answers GET /userinfo with "Authorization: Bearer <token>" as an
OAuth userinfo endpoint ({"email": user}, or 401), which Dovecot's oauth2 passdb asks to check
IMAP XOAUTH2 logins.
Prints "ready" once every port answers; stops on SIGTERM/SIGINT."""
import argparse, asyncio, base64, json, os, signal, smtplib, ssl, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def read_users(path):
    users = {}
    with open(path) as f:
        for line in f:
            user, _, secret = line.strip().partition(":")
            if user:
                users[user] = secret.removeprefix("{PLAIN}")
    return users


class LiveUsers:
    """The users file, read again whenever it changes: tests add mailbox users while we run."""

    def __init__(self, path):
        self.path, self.stamp, self.users = path, None, {}

    def current(self):
        stamp = os.stat(self.path).st_mtime_ns
        if stamp != self.stamp:
            self.stamp, self.users = stamp, read_users(self.path)
        return self.users


def read_tokens(path):
    tokens = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                token, _, user = line.strip().partition(" ")
                if token:
                    tokens[token] = user
    return tokens


class Handler:
    def __init__(self, options, users, tokens):
        self.options, self.users, self.tokens = options, users, tokens
        self.lock = threading.Lock()
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # Test hook: a recipient named slow-… holds the transaction 3 s before the message is
        # taken, so a test can kill its sender mid-send, before the server accepted anything.
        if address.lower().startswith("slow-"):
            await asyncio.sleep(3)
        domain = address.rpartition("@")[2].lower()
        users = self.users.current()
        if domain in {u.rpartition("@")[2] for u in users} and address.lower() not in users:
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def auth_XOAUTH2(self, server, args):
        raw = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        if not isinstance(raw, bytes):
            return AuthResult(success=False)
        fields = dict(f.split("=", 1) for f in raw.decode(errors="replace").split("\x01") if "=" in f)
        token = fields.get("auth", "").removeprefix("Bearer ")
        if token in self.tokens and self.tokens[token] == fields.get("user"):
            return AuthResult(success=True, auth_data=fields.get("user"))
        await server.challenge_auth('{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}')
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = "%d-%04d" % (time.time_ns(), self.count)
        users = self.users.current()
        local = [r for r in envelope.rcpt_tos if r.lower() in users]
        if self.options.lmtp_port and local:
            try:
                with smtplib.LMTP("127.0.0.1", self.options.lmtp_port) as lmtp:
                    lmtp.sendmail(envelope.mail_from, local, envelope.original_content)
            except (smtplib.SMTPException, OSError) as error:
                return "451 4.3.0 delivery to the mailbox failed: %s" % str(error)[:120]
        base = os.path.join(self.options.dir, name)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            login = session.auth_data
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "delivered": local, "login": login.decode() if isinstance(login, bytes) else str(login),
                       "tls": session.ssl is not None}, f)
        os.rename(base + ".eml.tmp", base + ".eml")  # a reader never sees half a message
        return "250 2.0.0 Ok: queued as %s" % name


def userinfo_server(port, tokens):
    class UserInfo(BaseHTTPRequestHandler):
        def do_GET(self):
            token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            user = tokens.get(token) if self.path.split("?")[0] == "/userinfo" else None
            # Dovecot 2.3 takes a 401 for an internal error ("temporary failure" after a delay);
            # an inactive token is what makes it answer NO [AUTHENTICATIONFAILED] like Gmail.
            body = json.dumps({"email": user, "active": "true"} if user else {"email": "", "active": "false"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: the test log is the SMTP one
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), UserInfo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--tls-port", type=int)
    a.add_argument("--dir", required=True)
    a.add_argument("--cert", required=True)
    a.add_argument("--key", required=True)
    a.add_argument("--users", required=True)
    a.add_argument("--tokens")
    a.add_argument("--lmtp-port", type=int)
    a.add_argument("--userinfo-port", type=int)
    o = a.parse_args()
    os.makedirs(o.dir, exist_ok=True)
    users = LiveUsers(o.users)

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode(errors="replace")
        known = users.current()
        ok = login in known and known[login] == auth_data.password.decode(errors="replace")
        # handled=False on failure: aiosmtpd then answers 535 (handled=True, the default,
        # would leave the client waiting for a reply that never comes).
        return AuthResult(success=True, auth_data=login) if ok else AuthResult(success=False, handled=False)

    tokens = read_tokens(o.tokens)
    handler = Handler(o, users, tokens)
    userinfo = userinfo_server(o.userinfo_port, tokens) if o.userinfo_port else None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(o.cert, o.key)
    common = dict(hostname="127.0.0.1", server_hostname="localhost", auth_required=True,
                  authenticator=authenticator, data_size_limit=64 * 1024 * 1024)
    controllers = [Controller(handler, port=o.port, tls_context=context, require_starttls=True,
                              auth_require_tls=True, **common)]
    if o.tls_port:
        # The whole connection is TLS already: AUTH needs no STARTTLS first.
        controllers.append(Controller(handler, port=o.tls_port, ssl_context=context,
                                      auth_require_tls=False, **common))
    for c in controllers:
        c.start()  # returns once the port answers
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for c in controllers:
        c.stop()
    if userinfo:
        userinfo.shutdown()


if __name__ == "__main__":
    main()
