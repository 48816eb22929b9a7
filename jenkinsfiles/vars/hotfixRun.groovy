// hotfixRun(label: 'build', command: 'npm ci'[, returnStdout: true]): runs one of the project's
// configured commands with bash in the workspace. The command reaches the shell through the
// environment, never spliced into the script text. An empty command is skipped, with a note.
def call(Map args) {
    String command = args.command ?: ''
    if (!command.trim()) {
        echo "hotfix: ${args.label}: no command configured, skipped"
        return args.returnStdout ? '' : null
    }
    echo "hotfix: ${args.label}: ${command}"
    return withEnv(["HOTFIX_COMMAND=${command}"]) {
        sh(label: args.label, returnStdout: args.returnStdout == true,
            script: '#!/bin/bash\nexec bash -eo pipefail -c "$HOTFIX_COMMAND"')
    }
}
