#!/usr/bin/env bash
# fetch-artifact.sh: download the artifact a hotfix build published (ARTIFACT_URL), so that
# QA and production get exactly the bytes that were built and tested. Never rebuilds.
# Used by the qa-up and deploy pipelines (`hotfixFetchArtifact` step).
#
# Usage:
#   fetch-artifact.sh --url URL --dest DIR [--auth-prefix PREFIX]...
#
#   --url          the artifact's URL (the ARTIFACT_URL parameter)
#   --dest         directory to put it in (created); the file keeps the URL's last path segment
#   --auth-prefix  send HOTFIX_ARTIFACT_USER / HOTFIX_ARTIFACT_PASSWORD only when the URL starts
#                  with this prefix (the artifact repository, or Jenkins for archived
#                  artifacts); repeatable. Credentials never go to any other host.
#
# When the repository publishes `<URL>.sha256` (publish-artifact.sh does for nexus-raw) the
# download is checked against it and a mismatch fails. Prints `ARTIFACT_FILE=<path>` and
# `ARTIFACT_SHA256=<hex>` on stdout. Exit 0 fetched, 1 failed, 64 usage error.
set -euo pipefail

readonly PROG=fetch-artifact
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
fail() {
  log "$*"
  exit 1
}
usage_error() {
  log "$*"
  exit 64
}

url='' dest=''
prefixes=()
while (($# > 0)); do
  (($# >= 2)) || usage_error "$1 needs a value"
  case $1 in
    --url) url=$2 ;;
    --dest) dest=$2 ;;
    --auth-prefix) [[ -z $2 ]] || prefixes+=("$2") ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift 2
done
[[ $url =~ ^https?://[^[:space:]]+$ ]] || usage_error "--url must be an http(s) URL (got '${url}')"
[[ -n $dest ]] || usage_error "--dest is required"

# The file name: the URL's last path segment, without query or fragment, made safe.
path=${url%%[?#]*}
name=${path##*/}
name=${name//[^A-Za-z0-9._+-]/_}
[[ -n $name && $name != . && $name != .. ]] || name=artifact
mkdir -p -- "$dest"
target=$dest/$name

workdir=$(mktemp -d "${TMPDIR:-/tmp}/fetch-artifact.XXXXXX")
trap 'rm -rf -- "$workdir"' EXIT
curl_config=$workdir/curl.conf
(
  umask 077
  : >"$curl_config"
  for prefix in "${prefixes[@]}"; do
    if [[ $url == "$prefix"* && -n ${HOTFIX_ARTIFACT_USER:-} ]]; then
      user=${HOTFIX_ARTIFACT_USER//\\/\\\\}
      user=${user//\"/\\\"}
      password=${HOTFIX_ARTIFACT_PASSWORD:-}
      password=${password//\\/\\\\}
      password=${password//\"/\\\"}
      printf 'user = "%s:%s"\n' "$user" "$password" >"$curl_config"
      break
    fi
  done
)

curl_common=(--silent --show-error --proto '=http,https' --location --connect-timeout 15 --max-time 1800
  --retry 3 --retry-delay 5 --retry-connrefused -K "$curl_config")

code=$(curl "${curl_common[@]}" -o "$workdir/download" -w '%{http_code}' -- "$url") || fail "downloading ${url} failed"
[[ $code == 200 ]] || fail "downloading ${url}: HTTP ${code}"
sha256=$(openssl dgst -sha256 -r <"$workdir/download" | cut -d' ' -f1)

code=$(curl "${curl_common[@]}" -o "$workdir/checksum" -w '%{http_code}' -- "${url}.sha256") || code=000
if [[ $code == 200 ]]; then
  expected=$(grep -Eo '^[0-9a-fA-F]{64}' "$workdir/checksum" | head -n1 | tr 'A-F' 'a-f' || true)
  [[ -n $expected ]] || fail "${url}.sha256 holds no SHA-256"
  [[ $expected == "$sha256" ]] || fail "${url} does not match its published SHA-256 (${expected}, got ${sha256})"
  log "verified against ${url}.sha256"
else
  log "no checksum published at ${url}.sha256 (HTTP ${code}); SHA-256 of the download: ${sha256}"
fi

mv -f -- "$workdir/download" "$target"
printf 'ARTIFACT_FILE=%s\nARTIFACT_SHA256=%s\n' "$target" "$sha256"
