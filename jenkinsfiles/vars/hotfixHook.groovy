// hotfixHook(hook: '.hotfix/qa-up.sh'[, expectUrl: 'QA_URL'][, env: ['ARTIFACT_FILE=...']]):
// runs a team's hook script from the checked-out repository with resources/hotfix/run-hook.sh.
// The job's parameters are in its environment already; `env` adds more. With expectUrl the hook
// must print `QA_URL=<http(s) URL>`, and the URL is returned. No retry: a hook is not assumed
// to be safe to run twice.
String call(Map args) {
    List<String> vars = [
        "HOTFIX_RUN_HOOK=${hotfixScript('run-hook.sh')}",
        "HOTFIX_HOOK=${args.hook}",
        "HOTFIX_HOOK_EXPECT=${args.expectUrl ?: ''}",
    ] + (args.env ?: [])
    String out = withEnv(vars) {
        sh(label: "hook ${args.hook}", returnStdout: true, script: '''#!/bin/bash
set -euo pipefail
args=(--hook "$HOTFIX_HOOK")
if [[ -n $HOTFIX_HOOK_EXPECT ]]; then args+=(--expect-url "$HOTFIX_HOOK_EXPECT"); fi
exec bash "$HOTFIX_RUN_HOOK" "${args[@]}"
''')
    }
    return args.expectUrl ? hotfixOutput(out, args.expectUrl) : null
}
