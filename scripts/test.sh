#!/usr/bin/env bash
# The whole test suite: every test on the embedded store (PGlite), and the store contract suite and
# the API tests on a real PostgreSQL server too. A throwaway server is started when none is given
# through VIGIL_TEST_POSTGRES_URL (a server where the tests may create databases) and PostgreSQL's
# binaries are installed (Debian: apt-get install postgresql), or when VIGIL_REQUIRE_POSTGRES=1.
# The mysql, postgres and redis probe tests start (and kill, and restart) servers of their own
# (test/helpers/); they are skipped when the binaries are missing, unless VIGIL_REQUIRE_SERVERS=1.
# vitest's global setup first brings dist/ up to date (test/helpers/build-dist.ts): the tests that
# start bin/vigil.js run the compiled program, as users do.
# Ends with one line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VIGIL_TEST_POSTGRES_URL:-}" ]; then
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ "${VIGIL_REQUIRE_POSTGRES:-}" = 1 ]; then
    source ci/services.sh
    trap services_down EXIT
    pg_up || { echo "tests: 0 passed, 1 failed (could not start PostgreSQL)"; exit 1; }
  else
    echo "note: no PostgreSQL binaries here: the PostgreSQL half of the store contract suite is skipped (apt-get install postgresql)"
  fi
fi

if [ "${VIGIL_REQUIRE_SERVERS:-}" != 1 ]; then
  missing=()
  [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "note: the database probe tests for ${missing[*]} are skipped: not installed (apt-get install ${missing[*]})"
  fi
fi

rm -f .vitest.json
NO_COLOR=1 npx vitest run --reporter=default --reporter=json --outputFile=.vitest.json "$@"
rc=$?
if [ -f .vitest.json ]; then
  node -e 'const j=require("./.vitest.json");console.log(`tests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests+j.numTodoTests} skipped`); if (j.numFailedTests===0 && j.numFailedTestSuites>0) console.log(`(${j.numFailedTestSuites} test files failed to run)`)'
  node -e 'const j=require("./.vitest.json"); process.exit(j.numFailedTestSuites>0 && j.numFailedTests===0 ? 1 : 0)' || { echo "tests: 0 passed, 1 failed"; rc=1; }
else
  echo "tests: 0 passed, 1 failed"
  [ "$rc" -eq 0 ] && rc=1
fi
rm -f .vitest.json
exit $rc
