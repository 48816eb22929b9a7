#!/usr/bin/env bash
# hotfix-callback.sh: report a Jenkins build to the hotfix service (CONTRACT.md section 5).
#
# Builds the callback JSON, signs the exact body bytes with HMAC-SHA256 and POSTs it to
# CALLBACK_URL with `X-Hotfix-Signature: sha256=<hex>`. Used by all four hotfix pipelines
# through the `hotfixCallback` shared-library step; it runs just as well by hand.
#
# Usage:
#   hotfix-callback.sh --status STATUS [options]
#
#   --status S             STARTED | SUCCESS | FAILURE | UNSTABLE | ABORTED (required)
#   --commit SHA           full commit id the build used (default: $COMMIT, omitted when empty)
#   --artifact-version V   with --artifact-url: the artifact a successful build published
#   --artifact-url URL
#   --qa-url URL           the environment a successful qa-up created
#   --build-url URL        this build's URL (default: $BUILD_URL, omitted when empty)
#   --out FILE             also write the body that was (or would have been) sent to FILE
#   --dry-run              build and validate the body (and write --out), send nothing;
#                          needs no secret
#   --hotfix-id, --stage, --job, --build-number, --callback-url
#                          override $HOTFIX_ID, $STAGE, $JOB_NAME, $BUILD_NUMBER, $CALLBACK_URL
#   -h, --help
#
# Environment:
#   HOTFIX_ID, STAGE, CALLBACK_URL   the job's parameters (set by the service)
#   JOB_NAME, BUILD_NUMBER, BUILD_URL, COMMIT
#                                    set by Jenkins / the job's parameters
#   HOTFIX_CALLBACK_SECRET           the shared secret (required unless --dry-run). Read from
#                                    the environment only, never from the command line, and
#                                    never passed to another program's arguments.
#   HOTFIX_CALLBACK_RETRIES          retries after the first attempt (default 6)
#   HOTFIX_CALLBACK_BACKOFF          first retry delay in seconds, doubled each time (default 2;
#                                    decimals allowed)
#   HOTFIX_CALLBACK_BACKOFF_MAX      cap on one delay, seconds (default 60)
#   HOTFIX_CALLBACK_CONNECT_TIMEOUT  seconds (default 10)
#   HOTFIX_CALLBACK_TIMEOUT          seconds for one whole attempt (default 30)
#   HOTFIX_CALLBACK_JSON             `jq` (default when jq is installed) or `builtin` (the
#                                    script's own JSON encoder)
#
# Answers and exit status:
#   200 (duplicate) and 202 (taken) are success: exit 0.
#   Connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff (a
#   429's numeric Retry-After is honoured); each attempt is signed afresh with a new timestamp.
#   Exit 75 when every retry failed.
#   Any other answer (400 bad body, 401 bad signature or clock skew, 404 unknown hotfix, 3xx,
#   ...) will not get better by retrying: exit 65 at once, printing the service's message.
#   Exit 64 for a usage error (bad argument, missing parameter or secret).
set -euo pipefail

readonly PROG=hotfix-callback
readonly EX_OK=0 EX_USAGE=64 EX_REFUSED=65 EX_TEMPFAIL=75

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
usage_error() {
  log "$*"
  log "see the usage at the top of $0"
  exit "$EX_USAGE"
}

status=''
commit=${COMMIT:-}
artifact_version=''
artifact_url=''
qa_url=''
build_url=${BUILD_URL:-}
out_file=''
dry_run=0
hotfix_id=${HOTFIX_ID:-}
stage=${STAGE:-}
job=${JOB_NAME:-}
build_number=${BUILD_NUMBER:-}
callback_url=${CALLBACK_URL:-}

while (($# > 0)); do
  opt=$1
  case $opt in
    -h | --help)
      sed -n '2,/^set -euo pipefail$/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit "$EX_OK"
      ;;
    --dry-run)
      dry_run=1
      shift
      continue
      ;;
    --status | --commit | --artifact-version | --artifact-url | --qa-url | --build-url | --out | \
      --hotfix-id | --stage | --job | --build-number | --callback-url)
      (($# >= 2)) || usage_error "$opt needs a value"
      value=$2
      shift 2
      ;;
    *) usage_error "unknown argument: $opt" ;;
  esac
  case $opt in
    --status) status=$value ;;
    --commit) commit=$value ;;
    --artifact-version) artifact_version=$value ;;
    --artifact-url) artifact_url=$value ;;
    --qa-url) qa_url=$value ;;
    --build-url) build_url=$value ;;
    --out) out_file=$value ;;
    --hotfix-id) hotfix_id=$value ;;
    --stage) stage=$value ;;
    --job) job=$value ;;
    --build-number) build_number=$value ;;
    --callback-url) callback_url=$value ;;
  esac
done

# --- validate what the service would refuse anyway, so a mistake is named here -----------
readonly url_re='^https?://[^[:space:]]+$'
[[ $status =~ ^(STARTED|SUCCESS|FAILURE|UNSTABLE|ABORTED)$ ]] ||
  usage_error "--status must be STARTED, SUCCESS, FAILURE, UNSTABLE or ABORTED (got '${status}')"
[[ $hotfix_id =~ ^HF-[0-9]{4}-[0-9]{2}-[0-9]{3,}$ ]] || usage_error "HOTFIX_ID must look like HF-2026-11-001 (got '${hotfix_id}')"
[[ $stage =~ ^(build|qa-up|qa-down|deploy)$ ]] || usage_error "STAGE must be build, qa-up, qa-down or deploy (got '${stage}')"
[[ -n $job && ${#job} -le 400 ]] || usage_error "JOB_NAME (--job) is required"
[[ $build_number =~ ^[1-9][0-9]{0,15}$ ]] || usage_error "BUILD_NUMBER must be a positive integer (got '${build_number}')"
[[ $callback_url =~ $url_re ]] || usage_error "CALLBACK_URL must be an http(s) URL (got '${callback_url}')"
[[ -z $commit || $commit =~ ^[0-9a-f]{40}$ ]] || usage_error "the commit must be a full, lower-case commit id (got '${commit}')"
if [[ -n $artifact_version || -n $artifact_url ]]; then
  [[ -n $artifact_version && ${#artifact_version} -le 200 ]] || usage_error "--artifact-version is required with --artifact-url"
  [[ $artifact_url =~ $url_re ]] || usage_error "--artifact-url must be an http(s) URL (got '${artifact_url}')"
fi
[[ -z $qa_url || $qa_url =~ $url_re ]] || usage_error "--qa-url must be an http(s) URL (got '${qa_url}')"
[[ -z $build_url || $build_url =~ $url_re ]] || usage_error "--build-url must be an http(s) URL (got '${build_url}')"

number_re='^[0-9]+([.][0-9]+)?$'
retries=${HOTFIX_CALLBACK_RETRIES:-6}
backoff=${HOTFIX_CALLBACK_BACKOFF:-2}
backoff_max=${HOTFIX_CALLBACK_BACKOFF_MAX:-60}
connect_timeout=${HOTFIX_CALLBACK_CONNECT_TIMEOUT:-10}
attempt_timeout=${HOTFIX_CALLBACK_TIMEOUT:-30}
[[ $retries =~ ^[0-9]{1,3}$ ]] || usage_error "HOTFIX_CALLBACK_RETRIES must be a whole number (got '${retries}')"
for setting in backoff backoff_max connect_timeout attempt_timeout; do
  [[ ${!setting} =~ $number_re ]] || usage_error "the ${setting} setting must be a number of seconds (got '${!setting}')"
done

json_mode=${HOTFIX_CALLBACK_JSON:-}
if [[ -z $json_mode ]]; then
  if command -v jq >/dev/null 2>&1; then json_mode=jq; else json_mode=builtin; fi
fi
[[ $json_mode == jq || $json_mode == builtin ]] || usage_error "HOTFIX_CALLBACK_JSON must be jq or builtin (got '${json_mode}')"

secret=''
if ((dry_run == 0)); then
  secret=${HOTFIX_CALLBACK_SECRET:-}
  [[ -n $secret ]] || usage_error "HOTFIX_CALLBACK_SECRET is not set (bind the Jenkins credential 'hotfix-callback-secret')"
fi
# Nothing below runs with tracing, whatever the caller did: the secret must not reach a log.
set +x
unset HOTFIX_CALLBACK_SECRET

for tool in curl openssl od; do
  command -v "$tool" >/dev/null 2>&1 || usage_error "$tool is required"
done

workdir=$(mktemp -d "${TMPDIR:-/tmp}/hotfix-callback.XXXXXX")
trap 'rm -rf -- "$workdir"' EXIT
body_file=$workdir/body.json

# --- the body -------------------------------------------------------------------------------

# A JSON string literal for $1. Quotes, backslashes and control characters are escaped; every
# other byte is passed through (the inputs are UTF-8 from Jenkins parameters).
json_string() {
  local s=$1 escaped='' c code i
  if [[ $s != *[\"\\[:cntrl:]]* ]]; then
    printf '"%s"' "$s"
    return
  fi
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      '"') escaped+='\"' ;;
      \\) escaped+="\\\\" ;;
      $'\n') escaped+='\n' ;;
      $'\r') escaped+='\r' ;;
      $'\t') escaped+='\t' ;;
      *)
        if [[ $c == [[:cntrl:]] ]]; then
          printf -v code '\\u%04x' "'$c"
          escaped+=$code
        else
          escaped+=$c
        fi
        ;;
    esac
  done
  printf '"%s"' "$escaped"
}

# Writes the body for timestamp $1 to $2: exactly these bytes are signed and sent.
write_body() {
  local timestamp=$1 dest=$2
  if [[ $json_mode == jq ]]; then
    jq -cnj \
      --arg hotfixId "$hotfix_id" --arg stage "$stage" --arg job "$job" \
      --argjson buildNumber "$build_number" --arg status "$status" --arg commit "$commit" \
      --arg artifactVersion "$artifact_version" --arg artifactUrl "$artifact_url" \
      --arg qaUrl "$qa_url" --arg url "$build_url" --arg timestamp "$timestamp" \
      '{hotfixId: $hotfixId, stage: $stage, job: $job, buildNumber: $buildNumber, status: $status}
       + (if $commit != "" then {commit: $commit} else {} end)
       + (if $artifactUrl != "" then {artifact: {version: $artifactVersion, url: $artifactUrl}} else {} end)
       + (if $qaUrl != "" then {qaUrl: $qaUrl} else {} end)
       + (if $url != "" then {url: $url} else {} end)
       + {timestamp: $timestamp}' >"$dest"
    return
  fi
  {
    printf '{"hotfixId":%s,"stage":%s,"job":%s,"buildNumber":%s,"status":%s' \
      "$(json_string "$hotfix_id")" "$(json_string "$stage")" "$(json_string "$job")" \
      "$build_number" "$(json_string "$status")"
    [[ -z $commit ]] || printf ',"commit":%s' "$(json_string "$commit")"
    [[ -z $artifact_url ]] ||
      printf ',"artifact":{"version":%s,"url":%s}' "$(json_string "$artifact_version")" "$(json_string "$artifact_url")"
    [[ -z $qa_url ]] || printf ',"qaUrl":%s' "$(json_string "$qa_url")"
    [[ -z $build_url ]] || printf ',"url":%s' "$(json_string "$build_url")"
    printf ',"timestamp":%s}' "$(json_string "$timestamp")"
  } >"$dest"
}

# Keeps a copy of the body for the caller (archived as hotfix-callback.json by the pipelines).
save_body() {
  [[ -n $out_file ]] || return 0
  cp -- "$body_file" "$out_file.tmp.$$"
  mv -f -- "$out_file.tmp.$$" "$out_file"
}

# --- the signature --------------------------------------------------------------------------

hex() { od -An -v -tx1 | tr -d ' \n'; }

# HMAC-SHA256 (RFC 2104) of the file $1 with the secret, as lower-case hex. Built from two
# plain SHA-256 digests so the key never appears in any process's arguments (`openssl dgst
# -hmac KEY` would show it to everyone on the agent); the key only travels through pipes.
hmac_sha256_hex() {
  local file=$1 key_hex ipad='' opad='' inner inner_bytes='' byte i
  key_hex=$(printf '%s' "$secret" | hex)
  if ((${#key_hex} > 128)); then
    key_hex=$(printf '%s' "$secret" | openssl dgst -sha256 -binary | hex)
  fi
  while ((${#key_hex} < 128)); do key_hex+=00; done
  for ((i = 0; i < 128; i += 2)); do
    byte=$((16#${key_hex:i:2}))
    printf -v ipad '%s\\x%02x' "$ipad" $((byte ^ 0x36))
    printf -v opad '%s\\x%02x' "$opad" $((byte ^ 0x5c))
  done
  inner=$({
    printf '%b' "$ipad"
    cat -- "$file"
  } | openssl dgst -sha256 -binary | hex)
  for ((i = 0; i < ${#inner}; i += 2)); do inner_bytes+="\\x${inner:i:2}"; done
  {
    printf '%b' "$opad"
    printf '%b' "$inner_bytes"
  } | openssl dgst -sha256 -binary | hex
}

# --- sending --------------------------------------------------------------------------------

delay_for() { # the delay before retry number $1 (1-based)
  awk -v b="$backoff" -v n="$1" -v m="$backoff_max" 'BEGIN { d = b * 2 ^ (n - 1); if (d > m) d = m; printf "%.3f", d }'
}

# curl exit codes that no retry can fix: unsupported protocol, bad URL, TLS certificate trouble.
permanent_curl_error() {
  case $1 in
    1 | 2 | 3 | 43 | 58 | 59 | 60 | 77) return 0 ;;
    *) return 1 ;;
  esac
}

short_answer() { # the service's answer, trimmed for the log
  tr -d '\r' <"$workdir/answer" | tr '\n' ' ' | cut -c1-400
}

if ((dry_run == 1)); then
  write_body "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$body_file"
  save_body
  log "dry run: ${status} for ${job} #${build_number} (${hotfix_id}, ${stage}) not sent"
  exit "$EX_OK"
fi

attempts=$((retries + 1))
attempt=0
while :; do
  attempt=$((attempt + 1))
  # A fresh timestamp (and so a fresh signature) each attempt: a late retry is still fresh.
  write_body "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$body_file"
  save_body
  signature=$(hmac_sha256_hex "$body_file")
  : >"$workdir/answer"
  : >"$workdir/headers"
  curl_rc=0
  http_code=$(curl --silent --show-error --proto '=http,https' \
    --connect-timeout "$connect_timeout" --max-time "$attempt_timeout" \
    -X POST -H 'Content-Type: application/json' -H "X-Hotfix-Signature: sha256=${signature}" \
    --data-binary "@${body_file}" -o "$workdir/answer" -D "$workdir/headers" \
    -w '%{http_code}' -- "$callback_url" 2>"$workdir/curl-error") || curl_rc=$?
  what="${status} for ${job} #${build_number} (${hotfix_id}, ${stage})"
  retry_after=''
  if ((curl_rc != 0)); then
    reason="$(tr '\n' ' ' <"$workdir/curl-error")(curl exit ${curl_rc})"
    if permanent_curl_error "$curl_rc"; then
      log "attempt ${attempt}/${attempts}: ${reason}; not retrying"
      exit "$EX_REFUSED"
    fi
  else
    case $http_code in
      200 | 202)
        log "delivered ${what}: HTTP ${http_code} $(short_answer)"
        if grep -q '"status" *: *"ignored"' "$workdir/answer"; then
          # Taken, but matched to no run: usually JOB_NAME is not the job the service's config names.
          log "WARNING: the service ignored this report (see its reason above): check services[].jobs in its config"
        fi
        exit "$EX_OK"
        ;;
      408 | 429 | 5??)
        reason="HTTP ${http_code} $(short_answer)"
        retry_after=$(tr -d '\r' <"$workdir/headers" | awk 'tolower($1) == "retry-after:" && $2 ~ /^[0-9]+$/ { print $2; exit }')
        ;;
      *)
        log "refused ${what}: HTTP ${http_code} $(short_answer)"
        log "not retrying: the same request would be refused again (check the secret, the clock, the URL and the body)"
        exit "$EX_REFUSED"
        ;;
    esac
  fi
  if ((attempt >= attempts)); then
    log "attempt ${attempt}/${attempts}: ${reason}; giving up on ${what}"
    exit "$EX_TEMPFAIL"
  fi
  delay=$(delay_for "$attempt")
  if [[ -n $retry_after ]]; then
    delay=$(awk -v d="$delay" -v r="$retry_after" -v m="$backoff_max" 'BEGIN { if (r > d) d = r; if (d > m) d = m; printf "%.3f", d }')
  fi
  log "attempt ${attempt}/${attempts}: ${reason}; retrying in ${delay}s"
  sleep "$delay"
done
