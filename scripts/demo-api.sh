# Sourced by demo.sh and demo-mail-http.sh: calls to `crmsync serve` with JWTs minted here, as
# the CRM's backend (Supabase) would issue them. Needs $top and $serve_url.
token() {  # user uuid: an HS256 token signed with .local/jwt-secret
  python3 - "$1" "$top/.local/jwt-secret" <<'PY'
import base64, hashlib, hmac, json, sys, time
enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
header = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = enc(json.dumps({"sub": sys.argv[1], "aud": "authenticated", "role": "authenticated", "exp": int(time.time()) + 600}).encode())
secret = open(sys.argv[2]).read().strip().encode()
print(f"{header}.{claims}.{enc(hmac.new(secret, f'{header}.{claims}'.encode(), hashlib.sha256).digest())}")
PY
}
api() {  # user org method path [json]
  curl -sS -X "$3" -H "Authorization: Bearer $(token "$1")" -H "X-Organization-Id: $2" \
    ${5:+-H 'Content-Type: application/json' --data "$5"} "$serve_url$4"
}
