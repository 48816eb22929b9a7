#!/usr/bin/env bash
# run-hook.sh: run a team's hook script from the repository checkout (the current directory)
# and collect what it reports. Used by the qa-up, qa-down and deploy pipelines (`hotfixHook`).
#
# Usage:
#   run-hook.sh --hook PATH [--expect-url KEY]
#
#   --hook        the hook, relative to the repository root (e.g. .hotfix/qa-up.sh). Run
#                 directly when executable (any language, with a #! line), else with bash.
#   --expect-url  the hook must print a line `KEY=<http(s) URL>` (the last such line counts);
#                 it is printed again, alone, as the script's last line of stdout
#
# The hook inherits the environment: the job's parameters (HOTFIX_ID, SERVICE, STAGE, QA_ENV,
# COMMIT, ARTIFACT_VERSION, ARTIFACT_URL, DEPLOY_KIND, ...) plus whatever the pipeline adds
# (ARTIFACT_FILE). Its output goes to stderr (the build log). Exit: the hook's own status when
# it fails; 1 when it succeeded but did not print the expected URL; 64 usage error.
set -euo pipefail

readonly PROG=run-hook
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
usage_error() {
  log "$*"
  exit 64
}

hook='' expect=''
while (($# > 0)); do
  (($# >= 2)) || usage_error "$1 needs a value"
  case $1 in
    --hook) hook=$2 ;;
    --expect-url) expect=$2 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift 2
done
[[ -n $hook && $hook != /* && $hook != -* && /$hook/ != */../* ]] ||
  usage_error "--hook must be a path inside the repository (got '${hook}')"
[[ -z $expect || $expect =~ ^[A-Z][A-Z0-9_]*$ ]] || usage_error "--expect-url must be a variable name (got '${expect}')"
if [[ ! -f $hook ]]; then
  log "the repository has no ${hook} at $(git rev-parse --short HEAD 2>/dev/null || echo 'this commit')."
  log "Add it (see jenkinsfiles/README.md, 'Hooks'), or point the pipeline at another path in .hotfix/pipeline.properties."
  exit 1
fi

output=$(mktemp "${TMPDIR:-/tmp}/hotfix-hook.XXXXXX")
trap 'rm -f -- "$output"' EXIT

log "running ${hook}"
rc=0
if [[ -x $hook ]]; then
  "./${hook}" </dev/null | tee "$output" >&2 || rc=$?
else
  bash "$hook" </dev/null | tee "$output" >&2 || rc=$?
fi
if ((rc != 0)); then
  log "${hook} failed (exit ${rc})"
  exit "$rc"
fi

if [[ -n $expect ]]; then
  value=$(sed -n "s/^${expect}=//p" "$output" | tail -n 1 | tr -d '\r')
  if [[ ! $value =~ ^https?://[^[:space:]]+$ ]]; then
    log "${hook} succeeded but printed no '${expect}=<http(s) URL>' line (got '${value}')"
    exit 1
  fi
  printf '%s=%s\n' "$expect" "$value"
fi
