#!/usr/bin/env bash
# publish-artifact.sh: put a build's artifact into the artifact repository and print its URL.
# Used by the hotfix build pipeline (`hotfixPublish` step).
#
# Usage:
#   publish-artifact.sh --type TYPE --file FILE --version VERSION --name NAME
#                       [--repository URL] [--group GROUP_ID] [--build-url URL]
#
#   --type        nexus-raw  PUT <repository>/<name>/<version>/<file name> (+ <...>.sha256)
#                 maven      PUT <repository>/<group as path>/<name>/<version>/<name>-<version>.<ext>
#                            and a minimal .pom beside it (needs --group)
#                 npm        npm publish FILE --registry <repository> --tag hotfix; the URL is the
#                            registry's tarball URL. The package's version must be VERSION.
#                 jenkins    nothing is uploaded: the pipeline archives FILE, and the URL is
#                            <build-url>artifact/<FILE>
#   --file        the artifact, relative to the workspace
#   --version     the artifact version reported to the service
#   --name        artifact name (raw: a folder, maven: the artifactId)
#
# Environment: HOTFIX_ARTIFACT_USER / HOTFIX_ARTIFACT_PASSWORD, the repository's credentials
# (optional; passed to curl in a private config file, never on a command line).
#
# Publishing is idempotent, so the pipeline may retry it: when the target already exists with
# the same bytes it is left alone; with different bytes the script fails rather than overwrite
# a published artifact.
#
# Prints `ARTIFACT_URL=<url>` and `ARTIFACT_SHA256=<hex>` on stdout. Exit 0 published, 1 failed,
# 64 usage error.
set -euo pipefail

readonly PROG=publish-artifact
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
fail() {
  log "$*"
  exit 1
}
usage_error() {
  log "$*"
  exit 64
}

type='' file='' version='' name='' repository='' group='' build_url=''
while (($# > 0)); do
  (($# >= 2)) || usage_error "$1 needs a value"
  case $1 in
    --type) type=$2 ;;
    --file) file=$2 ;;
    --version) version=$2 ;;
    --name) name=$2 ;;
    --repository) repository=${2%/} ;;
    --group) group=$2 ;;
    --build-url) build_url=$2 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift 2
done

[[ $type =~ ^(nexus-raw|maven|npm|jenkins)$ ]] || usage_error "--type must be nexus-raw, maven, npm or jenkins (got '${type}')"
[[ -n $file && -f $file ]] || usage_error "--file must name the artifact file (got '${file}')"
[[ $version =~ ^[0-9A-Za-z][0-9A-Za-z._+-]*$ ]] || usage_error "--version must be a version string (got '${version}')"
[[ $name =~ ^[A-Za-z0-9@][A-Za-z0-9._/@-]*$ ]] || usage_error "--name must be an artifact name (got '${name}')"
if [[ $type != jenkins ]]; then
  [[ $repository =~ ^https?:// ]] || usage_error "--repository must be the repository's http(s) URL for type ${type}"
fi

sha256=$(openssl dgst -sha256 -r <"$file" | cut -d' ' -f1)
base=$(basename -- "$file")

workdir=$(mktemp -d "${TMPDIR:-/tmp}/publish-artifact.XXXXXX")
trap 'rm -rf -- "$workdir"' EXIT
curl_config=$workdir/curl.conf
(
  umask 077
  : >"$curl_config"
  if [[ -n ${HOTFIX_ARTIFACT_USER:-} ]]; then
    user=${HOTFIX_ARTIFACT_USER//\\/\\\\}
    user=${user//\"/\\\"}
    password=${HOTFIX_ARTIFACT_PASSWORD:-}
    password=${password//\\/\\\\}
    password=${password//\"/\\\"}
    printf 'user = "%s:%s"\n' "$user" "$password" >"$curl_config"
  fi
)

curl_common=(--silent --show-error --proto '=http,https' --connect-timeout 15 --max-time 900
  --retry 3 --retry-delay 5 --retry-connrefused -K "$curl_config")

# 0 when url holds exactly our bytes, 1 when nothing is there; fails when something else is.
already_there() {
  local url=$1 code
  code=$(curl "${curl_common[@]}" -o "$workdir/existing" -w '%{http_code}' -- "$url") || fail "cannot reach ${url}"
  case $code in
    200)
      [[ $(openssl dgst -sha256 -r <"$workdir/existing" | cut -d' ' -f1) == "$sha256" ]] ||
        fail "${url} already holds a different artifact: refusing to overwrite it (was this build number used before?)"
      log "${url} already holds this artifact (sha256 ${sha256}); not uploading it again"
      return 0
      ;;
    404) return 1 ;;
    *) fail "checking ${url}: HTTP ${code}" ;;
  esac
}

put() { # put FILE URL [content-type]
  local src=$1 url=$2 content_type=${3:-application/octet-stream} code
  code=$(curl "${curl_common[@]}" -o "$workdir/answer" -w '%{http_code}' -H "Content-Type: ${content_type}" \
    --upload-file "$src" -- "$url") || fail "uploading to ${url} failed"
  [[ $code =~ ^20[0-9]$ ]] || fail "uploading to ${url}: HTTP ${code} $(head -c 400 "$workdir/answer")"
  log "uploaded ${src} to ${url} (HTTP ${code})"
}

case $type in
  jenkins)
    [[ $build_url =~ ^https?:// ]] || usage_error "--build-url (Jenkins' BUILD_URL) is required for type jenkins"
    url="${build_url%/}/artifact/${file#./}"
    ;;
  nexus-raw)
    url="${repository}/${name}/${version}/${base}"
    if ! already_there "$url"; then
      put "$file" "$url"
      printf '%s  %s\n' "$sha256" "$base" >"$workdir/checksum"
      put "$workdir/checksum" "${url}.sha256" text/plain
    fi
    ;;
  maven)
    [[ $group =~ ^[A-Za-z0-9_.-]+$ ]] || usage_error "--group (MAVEN_GROUP_ID) is required for type maven"
    ext=${base##*.}
    [[ $base == *.tar.gz ]] && ext=tar.gz
    dir="${repository}/${group//.//}/${name}/${version}"
    url="${dir}/${name}-${version}.${ext}"
    if ! already_there "$url"; then
      put "$file" "$url"
      cat >"$workdir/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${group}</groupId>
  <artifactId>${name}</artifactId>
  <version>${version}</version>
  <packaging>${ext}</packaging>
</project>
EOF
      put "$workdir/pom.xml" "${dir}/${name}-${version}.pom" application/xml
    fi
    ;;
  npm)
    command -v npm >/dev/null 2>&1 || fail "npm is required for type npm"
    manifest=$(tar -xOzf "$file" package/package.json) || fail "${file} is not an npm package tarball"
    pkg_name=$(printf '%s' "$manifest" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).name))')
    pkg_version=$(printf '%s' "$manifest" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).version))')
    [[ $pkg_version == "$version" ]] ||
      fail "the package says version ${pkg_version}, the build computed ${version}: stamp it (VERSION_STAMP_CMD) before packaging"
    url="${repository}/${pkg_name}/-/${pkg_name##*/}-${version}.tgz"
    if ! already_there "$url"; then
      npmrc=$workdir/npmrc
      (
        umask 077
        registry_key=${repository#http:}
        registry_key=${registry_key#https:}
        printf 'registry=%s/\n' "$repository" >"$npmrc"
        if [[ -n ${HOTFIX_ARTIFACT_USER:-} ]]; then
          auth=$(printf '%s:%s' "$HOTFIX_ARTIFACT_USER" "${HOTFIX_ARTIFACT_PASSWORD:-}" | base64 | tr -d '\n')
          printf '%s/:_auth=%s\n' "$registry_key" "$auth" >>"$npmrc"
        fi
      )
      npm publish "$file" --userconfig "$npmrc" --registry "${repository}/" --tag hotfix --ignore-scripts >&2 ||
        fail "npm publish to ${repository} failed"
    fi
    ;;
esac

printf 'ARTIFACT_URL=%s\nARTIFACT_SHA256=%s\n' "$url" "$sha256"
