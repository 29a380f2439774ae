#!/usr/bin/env bash
# Runs TokenTally in local mode on http://127.0.0.1:7071 (SQLite and files under ./.data).
# Extra arguments go to the server, e.g. ./run.sh --TokenTally:Local:Port=8080
#   ./run.sh --demo   also back-fills three weeks of demo traffic and streams live calls (see README)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
require_dotnet

echo "Building TokenTally (Release)…"
dotnet build functions/TokenTally.Functions -c Release -nologo -v quiet -clp:ErrorsOnly
app=functions/TokenTally.Functions/bin/Release/net10.0
# The content root is the build output (appsettings.json); the working directory stays here (./.data, functions/).
exec dotnet "$app/TokenTally.Functions.dll" --contentRoot "$PWD/$app" "$@"
