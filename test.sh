#!/usr/bin/env bash
# Runs every TokenTally test: installs what is missing (npm packages from package-lock.json, curl and jq),
# then the xunit suites. Test fixtures start Azurite and the Cosmos DB test server themselves,
# on free loopback ports. Ends with the line "Totals: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
require_dotnet
require_node_packages
require_walkthrough_tools

results=artifacts/test-results
rm -rf "$results"
status=0
dotnet test TokenTally.slnx -c Release --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

scripts/summarize-tests.sh "$results" || status=$?
exit "$status"
