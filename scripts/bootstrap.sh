#!/usr/bin/env bash
# Make this checkout runnable: system tools (JDK 17, Maven, Chromium), the Python venv from the lock file.
# Idempotent and cache-friendly: the venv is reused while requirements.lock + pyproject.toml are
# unchanged; pip's cache and ~/.m2 make a rebuild cheap, but nothing depends on them existing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${CARTOGRAPH_VENV:-.venv}

need_apt=()
java_ok() {
  for j in "${JAVA_HOME:-/nonexistent}/bin/java" /usr/lib/jvm/*-17-*/bin/java /usr/lib/jvm/*-21-*/bin/java; do
    [ -x "$j" ] && return 0
  done
  command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(17|21)\.' && return 0
  return 1
}
java_ok || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
# Headless Chromium for the real Neo4j Browser test (tests/integration/test_browser.py).
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing ${need_apt[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "bootstrap: please install: ${need_apt[*]} (needs root)" >&2; exit 1
  fi
fi

PY=""
for cand in python3.11 python3; do
  if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    PY=$(command -v "$cand"); break
  fi
done
[ -n "$PY" ] || { echo "bootstrap: Python 3.11 is required" >&2; exit 1; }

stamp=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.cartograph-stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
echo "bootstrap: building $VENV (torch is large: the first install takes a few minutes)"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r requirements.lock
"$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
echo "$stamp" > "$VENV/.cartograph-stamp"
echo "bootstrap: $VENV ready"
