#!/usr/bin/env bash
# Adds up the TRX files of a dotnet test run: the contract suites per backend, then the totals line.
# Exits non-zero when a test failed or when no test ran.
set -euo pipefail
results=${1:?usage: summarize-tests.sh <results-dir>}
shopt -s nullglob
files=("$results"/*.trx)
if [ ${#files[@]} -eq 0 ]; then
  echo "No test results found in $results." >&2
  echo "Totals: 0 passed, 0 failed"
  exit 1
fi

count() { # count <outcome> <class-name pattern>
  cat "${files[@]}" | grep -o "<UnitTestResult [^>]*" | grep "testName=\"[^\"]*$2" | grep -c "outcome=\"$1\"" || true
}

echo
echo "Storage contract suites by backend:"
for backend in "SQLite:Sqlite" "Cosmos DB test server:CosmosTestServer" "Cosmos DB (real account):CosmosDb" \
               "Azurite:Azurite" "File system:FileSystem" "Azure Storage (real account):AzureBlobStoreContract"; do
  name=${backend%%:*}; pattern=${backend#*:}
  printf '  %-30s %4s passed, %s failed, %s skipped\n' "$name" "$(count Passed "$pattern")" "$(count Failed "$pattern")" "$(count NotExecuted "$pattern")"
done

sum() { grep -ho "<Counters [^>]*" "${files[@]}" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | awk '{ s += $1 } END { print s + 0 }'; }
passed=$(sum passed); failed=$(sum failed); total=$(sum total); executed=$(sum executed)
skipped=$((total - executed))
echo
echo "Totals: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
