// hotfixFetchArtifact(): downloads ARTIFACT_URL (the artifact the hotfix build published and QA
// tested) into this build's temporary directory with resources/hotfix/fetch-artifact.sh, and
// returns the file's path. Downloading is safe to repeat, so it is retried. Credentials
// (ARTIFACT_CREDENTIALS) are sent only to the artifact repository or to this Jenkins.
String call(Map args = [:]) {
    String url = args.url ?: params.ARTIFACT_URL
    List<String> vars = [
        "HOTFIX_FETCH=${hotfixScript('fetch-artifact.sh')}",
        "HOTFIX_FETCH_URL=${url}",
        "HOTFIX_FETCH_DEST=${pwd(tmp: true)}/hotfix-artifact",
        "HOTFIX_AUTH_REPOSITORY=${hotfixSetting('ARTIFACT_REPOSITORY_URL', '')}",
        "HOTFIX_AUTH_JENKINS=${env.JENKINS_URL ?: ''}",
    ]
    String out = ''
    retry(3) {
        out = hotfixArtifactCredentials {
            withEnv(vars) {
                sh(label: "fetch ${url}", returnStdout: true, script: '''#!/bin/bash
set -euo pipefail
exec bash "$HOTFIX_FETCH" --url "$HOTFIX_FETCH_URL" --dest "$HOTFIX_FETCH_DEST" \\
  --auth-prefix "$HOTFIX_AUTH_REPOSITORY" --auth-prefix "$HOTFIX_AUTH_JENKINS"
''')
            }
        }
    }
    String file = hotfixOutput(out, 'ARTIFACT_FILE')
    echo "hotfix: fetched ${params.ARTIFACT_VERSION ?: ''} to ${file} (sha256 ${hotfixOutput(out, 'ARTIFACT_SHA256')})"
    return file
}
