// hotfixArtifactCredentials { ... }: runs the block with HOTFIX_ARTIFACT_USER and
// HOTFIX_ARTIFACT_PASSWORD bound from the username/password credential named by the
// ARTIFACT_CREDENTIALS setting (see hotfixSetting), or without them when none is set.
def call(Closure body) {
    String id = hotfixSetting('ARTIFACT_CREDENTIALS')
    if (!id) {
        return body()
    }
    return withCredentials([usernamePassword(credentialsId: id,
        usernameVariable: 'HOTFIX_ARTIFACT_USER', passwordVariable: 'HOTFIX_ARTIFACT_PASSWORD')]) {
        body()
    }
}
