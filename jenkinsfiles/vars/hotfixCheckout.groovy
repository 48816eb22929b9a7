// hotfixCheckout(commit: SHA[, branch: NAME]) or hotfixCheckout(ref: BRANCH): checks out the
// service's repository into the workspace and returns the commit checked out.
//  - commit: exactly this commit (a detached HEAD); the build fails if HEAD is anything else.
//  - branch: with commit, fetch only this branch (and tags) and require the commit to be on it
//    (`git merge-base --is-ancestor`), so a build can only ship what the hotfix branch holds.
//  - ref: the head of this branch (qa-down, which has no COMMIT, takes its hook from here).
// The repository is `HOTFIX_<SERVICE>_REPO_URL` or `HOTFIX_REPO_URL`, read with the credential
// `HOTFIX_<SERVICE>_GIT_CREDENTIALS` or `HOTFIX_GIT_CREDENTIALS` when set (see hotfixSetting).
String call(Map args = [:]) {
    String repo = hotfixSetting('REPO_URL')
    if (!repo) {
        error("hotfix: no repository configured for service '${env.SERVICE}': set HOTFIX_REPO_URL " +
            '(or HOTFIX_<SERVICE>_REPO_URL) in the Jenkins global environment')
    }
    String commit = args.commit
    String branch = args.branch
    String ref = args.ref
    if (!commit && !ref) {
        error('hotfixCheckout: give commit or ref')
    }
    Map remote = [
        url: repo,
        refspec: branch ?
            "+refs/heads/${branch}:refs/remotes/origin/${branch}" :
            '+refs/heads/*:refs/remotes/origin/* +refs/tags/*:refs/tags/*',
    ]
    String credentials = hotfixSetting('GIT_CREDENTIALS')
    if (credentials) {
        remote.credentialsId = credentials
    }
    checkout(changelog: false, poll: false, scm: [
        $class: 'GitSCM',
        branches: [[name: commit ?: "refs/heads/${ref}"]],
        userRemoteConfigs: [remote],
        extensions: [
            [$class: 'CleanBeforeCheckout', deleteUntrackedNestedRepositories: true],
            [$class: 'CloneOption', honorRefspec: true, noTags: false, shallow: false, timeout: 30],
        ],
    ])
    String head = sh(label: 'checked-out commit', returnStdout: true, script: 'git rev-parse HEAD').trim()
    if (commit && head != commit) {
        error("hotfix: the checkout is at ${head}, not at COMMIT ${commit}")
    }
    if (branch) {
        int rc = withEnv(["HOTFIX_COMMIT=${commit}", "HOTFIX_BRANCH=${branch}"]) {
            sh(label: 'COMMIT is on BRANCH', returnStatus: true,
                script: 'git merge-base --is-ancestor "$HOTFIX_COMMIT" "refs/remotes/origin/$HOTFIX_BRANCH"')
        }
        if (rc == 1) {
            error("hotfix: COMMIT ${commit} is not on BRANCH ${branch}: refusing to build it")
        }
        if (rc != 0) {
            error("hotfix: could not check that COMMIT ${commit} is on BRANCH ${branch} (git exit ${rc})")
        }
        echo "hotfix: ${commit} is on ${branch}"
    }
    return head
}
