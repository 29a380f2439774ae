#!/usr/bin/env bash
# Runs TokenTally in local mode on http://127.0.0.1:7071 (SQLite and files under ./.data).
# Extra arguments go to the server, e.g. ./run.sh --TokenTally:Local:Port=8080
#   ./run.sh --demo   also runs the demo traffic beside it (see the README): history, then live calls
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
require_dotnet

demo=false
args=()
for arg in "$@"; do
  if [ "$arg" = "--demo" ]; then demo=true; else args+=("$arg"); fi
done

echo "Building TokenTally (Release)…"
dotnet build functions/TokenTally.Local -c Release -nologo -v quiet -clp:ErrorsOnly
server=functions/TokenTally.Local/bin/Release/net10.0
if [ "$demo" = false ]; then
  # The content root is the build output (appsettings.json); the working directory stays here (./.data).
  exec dotnet "$server/TokenTally.Local.dll" --contentRoot "$PWD/$server" "${args[@]}"
fi

dotnet build tools/TokenTally.Demo -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet "$server/TokenTally.Local.dll" --contentRoot "$PWD/$server" "${args[@]}" &
server_pid=$!
# The demo reads the same settings (port, data folder) and waits for the server.
dotnet tools/TokenTally.Demo/bin/Release/net10.0/TokenTally.Demo.dll "${args[@]}" &
demo_pid=$!
stop() { kill "$demo_pid" "$server_pid" 2>/dev/null || true; wait "$demo_pid" "$server_pid" 2>/dev/null || true; }
trap stop EXIT INT TERM
wait "$server_pid"
