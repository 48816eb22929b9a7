#!/bin/sh
# Writes .env for docker compose from .env.example: every empty VALUE whose comment block has a
# `# generate: <command>` line gets that command's output; everything else is copied as it is.
# Never overwrites an existing .env. Needs openssl. Run from anywhere: sh deploy/make-env.sh
set -eu
cd "$(dirname "$0")/.."

if [ -e .env ]; then
  echo ".env already exists; edit it, or remove it and run this again" >&2
  exit 1
fi
command -v openssl >/dev/null 2>&1 || { echo "openssl is needed to generate the secrets" >&2; exit 1; }

umask 077
tmp=$(mktemp .env.XXXXXX)
trap 'rm -f "$tmp"' EXIT
generate=""
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    "# generate: "*)
      generate=${line#"# generate: "}
      printf '%s\n' "$line" ;;
    [A-Za-z_]*=)
      name=${line%=}
      if [ -n "$generate" ]; then
        value=$(sh -c "$generate")
        printf '%s=%s\n' "$name" "$value"
      else
        printf '%s\n' "$line"
        echo "note: $name is empty in .env: fill it in" >&2
      fi
      generate="" ;;
    *)
      case "$line" in [A-Za-z_]*=*) generate="" ;; esac
      printf '%s\n' "$line" ;;
  esac
done < .env.example > "$tmp"
mv "$tmp" .env
trap - EXIT
echo "wrote .env (secrets generated); review PUBLIC_URL, SLACK_BOT_TOKEN and GITHUB_TOKEN in it" >&2
