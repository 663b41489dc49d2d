#!/usr/bin/env bash
# Runs every Scorpius test on a fresh Debian machine.
#   1. installs what is missing and can be installed (PostgreSQL server, Node.js/npm) with apt-get when run as root;
#   2. installs anvil (a real local Ethereum node) from npm into .tools/;
#   3. starts a throwaway PostgreSQL cluster on a free loopback port for the whole run (SCORPIUS_TEST_POSTGRES);
#   4. builds Scorpius.sln with warnings as errors and runs `dotnet test` on it.
# Each test fixture makes its own database on that server and starts its own anvil node, so tests never share state.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ANVIL_PACKAGE="@foundry-rs/anvil-linux-amd64@1.7.1"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

command -v dotnet >/dev/null || die ".NET 10 SDK not found: install it (https://dot.net), then run this script again."

find_initdb() {
  command -v initdb 2>/dev/null && return 0
  ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}

missing=()
[ -n "$(find_initdb)" ] || missing+=(postgresql)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing ${missing[*]}: install them (e.g. sudo apt-get install ${missing[*]}) and run this script again."
  fi
fi

ANVIL="$ROOT/.tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
if [ ! -x "$ANVIL" ]; then
  say "installing anvil ($ANVIL_PACKAGE) into .tools/"
  npm install --prefix "$ROOT/.tools" --no-save --no-package-lock --no-audit --no-fund "$ANVIL_PACKAGE" >/dev/null
fi
"$ANVIL" --version >/dev/null || die "anvil at $ANVIL does not run."
export SCORPIUS_ANVIL_BIN="$ANVIL"

# A throwaway PostgreSQL cluster for this run, unless the caller names one.
if [ -z "${SCORPIUS_TEST_POSTGRES:-}" ]; then
  INITDB=$(find_initdb)
  PGBIN=$(dirname "$INITDB")
  PGROOT=$(mktemp -d "${TMPDIR:-/tmp}/scorpius-pg-XXXXXX")
  port=55432
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  as_pg=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PGROOT"   # initdb refuses to run as root
    as_pg=(runuser -u postgres --)
  fi
  stop_pg() {
    "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGROOT"
  }
  trap stop_pg EXIT
  say "starting PostgreSQL ($("$PGBIN/postgres" --version)) on 127.0.0.1:$port"
  "${as_pg[@]}" "$INITDB" -D "$PGROOT/data" -A trust -U scorpius -E UTF8 --no-sync >/dev/null
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
    -o "-p $port -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
  export SCORPIUS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=scorpius;Database=postgres"
fi

say "building Scorpius.sln (warnings are errors)"
dotnet build Scorpius.sln -c Debug -warnaserror -nologo -clp:ErrorsOnly

say "running the tests"
LOG=$(mktemp)
set +e
dotnet test Scorpius.sln -c Debug --no-build --nologo "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite, summed over the test projects.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$LOG"
rm -f "$LOG"
exit "$status"
