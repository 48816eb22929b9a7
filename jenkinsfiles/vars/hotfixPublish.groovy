// hotfixPublish(config, version): publishes the one file ARTIFACT_PATH matches to the artifact
// repository (resources/hotfix/publish-artifact.sh) and returns [version: ..., url: ...] for
// the build's callback. Publishing is idempotent (an identical upload is left alone, a
// different one refused), so it is retried.
Map<String, String> call(Map config, String version) {
    List<String> files = []
    for (Object found : findFiles(glob: config.ARTIFACT_PATH ?: '')) {
        if (!found.directory) {
            files << found.path
        }
    }
    if (files.size() != 1) {
        error("hotfix: ARTIFACT_PATH '${config.ARTIFACT_PATH}' must match exactly one file after packaging; " +
            "it matches ${files}")
    }
    String file = files[0]
    if (config.ARTIFACT_REPOSITORY == 'jenkins') {
        archiveArtifacts(artifacts: file, fingerprint: true)
    }
    List<String> vars = [
        "HOTFIX_PUBLISH=${hotfixScript('publish-artifact.sh')}",
        "HOTFIX_PUBLISH_TYPE=${config.ARTIFACT_REPOSITORY}",
        "HOTFIX_PUBLISH_FILE=${file}",
        "HOTFIX_PUBLISH_VERSION=${version}",
        "HOTFIX_PUBLISH_NAME=${config.ARTIFACT_NAME}",
        "HOTFIX_PUBLISH_REPOSITORY=${config.ARTIFACT_REPOSITORY_URL ?: ''}",
        "HOTFIX_PUBLISH_GROUP=${config.MAVEN_GROUP_ID ?: ''}",
    ]
    String out = ''
    retry(3) {
        out = hotfixArtifactCredentials {
            withEnv(vars) {
                sh(label: "publish ${file}", returnStdout: true, script: '''#!/bin/bash
set -euo pipefail
exec bash "$HOTFIX_PUBLISH" --type "$HOTFIX_PUBLISH_TYPE" --file "$HOTFIX_PUBLISH_FILE" \\
  --version "$HOTFIX_PUBLISH_VERSION" --name "$HOTFIX_PUBLISH_NAME" \\
  --repository "$HOTFIX_PUBLISH_REPOSITORY" --group "$HOTFIX_PUBLISH_GROUP" --build-url "${BUILD_URL:-}"
''')
            }
        }
    }
    Map<String, String> artifact = [version: version, url: hotfixOutput(out, 'ARTIFACT_URL')]
    echo "hotfix: published ${artifact.version} at ${artifact.url}"
    return artifact
}
