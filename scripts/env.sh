# Sourced by demo.sh and test.sh: exports what crmsync needs to run here.
#   DATABASE_URL          given → used as is (superuser or a role allowed to create roles);
#                         absent → a throwaway cluster under .local/ is started.
#   CRMSYNC_TOKEN_KEY     given → used; absent → a random key kept in .local/token-key.
#   CRMSYNC_APP_PASSWORD  for an external database, the service role's password
#                         (generated into .local/app-password when absent).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$top/.local"

if [ -z "${DATABASE_URL:-}" ]; then
  eval "$("$top/scripts/dev-db.sh" start)"
  export DATABASE_URL
elif [ -z "${CRMSYNC_APP_PASSWORD:-}" ]; then
  [ -s "$top/.local/app-password" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$top/.local/app-password")
  CRMSYNC_APP_PASSWORD=$(cat "$top/.local/app-password")
  export CRMSYNC_APP_PASSWORD
fi

if [ -z "${CRMSYNC_TOKEN_KEY:-}" ] && [ -z "${CRMSYNC_TOKEN_KEY_FILE:-}" ]; then
  [ -s "$top/.local/token-key" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n' >"$top/.local/token-key")
  export CRMSYNC_TOKEN_KEY_FILE="$top/.local/token-key"
fi
export CRMSYNC_ROOT="$top"
