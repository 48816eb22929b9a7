// hotfixValidate('build' | 'qa-up' | 'qa-down' | 'deploy'): fails the build, naming every
// problem, unless the job's parameters are what the hotfix service sends for that stage
// (CONTRACT.md section 5). Values are checked before any of them reaches git or a shell.
import groovy.transform.Field

@Field static final List<String> COMMON = ['HOTFIX_ID', 'SERVICE', 'CALLBACK_URL']
@Field static final Map<String, List<String>> STAGE_PARAMETERS = [
    'build': ['BRANCH', 'COMMIT'],
    'qa-up': ['QA_ENV', 'COMMIT', 'ARTIFACT_VERSION', 'ARTIFACT_URL'],
    'qa-down': ['QA_ENV'],
    'deploy': ['COMMIT', 'ARTIFACT_VERSION', 'ARTIFACT_URL', 'DEPLOY_KIND'],
]
@Field static final String HTTP_URL = 'https?://[^\\s]{1,2000}'
@Field static final Map<String, String> PATTERNS = [
    HOTFIX_ID: 'HF-[0-9]{4}-[0-9]{2}-[0-9]{3,}',
    SERVICE: '[a-z0-9][a-z0-9-]{0,99}',
    CALLBACK_URL: HTTP_URL,
    BRANCH: '[A-Za-z0-9][A-Za-z0-9._/-]{0,254}',
    COMMIT: '[0-9a-f]{40}',
    QA_ENV: '[a-z0-9][a-z0-9-]{0,62}',
    ARTIFACT_VERSION: '[0-9A-Za-z][0-9A-Za-z._+-]{0,199}',
    ARTIFACT_URL: HTTP_URL,
    DEPLOY_KIND: 'hotfix|rollback',
]

void call(String stage) {
    List<String> expected = STAGE_PARAMETERS[stage]
    if (expected == null) {
        error("hotfixValidate: unknown stage '${stage}'")
    }
    List<String> problems = []
    if (params.STAGE != stage) {
        problems << "STAGE must be '${stage}' for this job, got '${params.STAGE ?: ''}'"
    }
    for (String name : COMMON + expected) {
        String value = params[name] ?: ''
        if (!value) {
            problems << "${name} is required"
        } else if (!(value ==~ PATTERNS[name])) {
            problems << "${name} is not valid: '${value}'"
        }
    }
    if (!problems && stage == 'build') {
        int rc = withEnv(["HOTFIX_BRANCH=${params.BRANCH}"]) {
            sh(label: 'check BRANCH', returnStatus: true,
                script: 'git check-ref-format --branch "$HOTFIX_BRANCH" >/dev/null')
        }
        if (rc != 0) {
            problems << "BRANCH is not a valid branch name: '${params.BRANCH}'"
        }
    }
    if (problems) {
        error("hotfix: this ${stage} job was started with bad parameters:\n  " + problems.join('\n  '))
    }
}
