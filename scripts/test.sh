#!/usr/bin/env bash
# Run every test (unit, integration, e2e) with line coverage of nexus_gw; fails below 80 % or if no test ran.
# Two pytest-xdist workers: the end-to-end tests one after the other on one, everything else beside them
# (tests/e2e/conftest.py). NEXUSGW_TEST_WORKERS=0 runs everything in this one process.
set -uo pipefail
cd "$(dirname "$0")/.."
export COVERAGE_PROCESS_START="$PWD/pyproject.toml"
site=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "import importlib.util as _u; _u.find_spec('coverage') and __import__('coverage').process_startup()" > "$site/nexusgw-coverage.pth"
trap 'rm -f "$site/nexusgw-coverage.pth"' EXIT
rm -f .coverage .coverage.*
workers="${NEXUSGW_TEST_WORKERS:-2}"
python -m pytest -p no:cacheprovider --cov=nexus_gw --cov-report= -n "$workers" --dist loadgroup "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "no tests were collected: failing" >&2
    exit 1
fi
[ "$status" -eq 0 ] || exit "$status"
python -m coverage combine -q 2>/dev/null || true
python -m coverage report --fail-under=80
