#!/usr/bin/env bash
# Runs the whole Scorpius platform locally on the embedded default components (components/):
# checks the prerequisites, builds the solution, then starts every app with its Dapr sidecar through `dapr run -f .`.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { printf 'error: %s\n' "$*" >&2; exit 2; }

command -v dotnet >/dev/null || die ".NET 10 SDK not found: install it (https://dot.net) and run this script again."
command -v dapr >/dev/null || die "Dapr CLI not found: install it (https://docs.dapr.io/getting-started/install-dapr-cli/), run 'dapr init', then this script again."
DAPR_HOME="${DAPR_HOME:-$HOME/.dapr}"
[ -x "$DAPR_HOME/bin/daprd" ] || die "Dapr is not initialised (no $DAPR_HOME/bin/daprd): run 'dapr init' (or 'dapr init --slim' and start placement and scheduler yourself), then this script again."

dotnet build Scorpius.sln -nologo -clp:ErrorsOnly
exec dapr run -f . "$@"
