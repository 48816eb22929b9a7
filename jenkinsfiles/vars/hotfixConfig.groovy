// hotfixConfig(): how this repository is built, packaged and deployed, as a Map. Call it after
// the checkout. Each key comes from, last one winning:
//   1. defaults for the kind of project found (package.json: npm; pom.xml: Maven),
//   2. the Jenkins environment: HOTFIX_<SERVICE>_<KEY> or HOTFIX_<KEY> (see hotfixSetting),
//   3. the repository's .hotfix/pipeline.properties (Java properties syntax).
// Where the artifact goes (ARTIFACT_REPOSITORY_URL) and with which credential
// (ARTIFACT_CREDENTIALS) only the Jenkins environment can say: the code being built must not
// choose where the repository's credentials are sent.
import groovy.transform.Field

@Field static final String CONFIG_FILE = '.hotfix/pipeline.properties'
@Field static final List<String> KEYS = [
    'BUILD_CMD', 'TEST_CMD', 'PACKAGE_CMD', 'ARTIFACT_PATH', 'JUNIT_REPORTS',
    'VERSION_CMD', 'VERSION_STAMP_CMD',
    'ARTIFACT_REPOSITORY', 'ARTIFACT_NAME', 'MAVEN_GROUP_ID',
    'QA_UP_HOOK', 'QA_DOWN_HOOK', 'DEPLOY_HOOK',
]
@Field static final List<String> ADMIN_KEYS = ['ARTIFACT_REPOSITORY_URL', 'ARTIFACT_CREDENTIALS']
@Field static final List<String> REPOSITORY_TYPES = ['nexus-raw', 'maven', 'npm', 'jenkins']
@Field static final String GIT_TAG_VERSION =
    "git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null | sed 's/^v//' || true"

Map<String, String> defaults() {
    Map<String, String> hooks = [
        QA_UP_HOOK: '.hotfix/qa-up.sh',
        QA_DOWN_HOOK: '.hotfix/qa-down.sh',
        DEPLOY_HOOK: '.hotfix/deploy.sh',
        VERSION_CMD: GIT_TAG_VERSION,
    ]
    if (fileExists('package.json')) {
        return hooks + [
            BUILD_CMD: 'npm ci',
            TEST_CMD: 'npm test',
            PACKAGE_CMD: 'npm pack',
            ARTIFACT_PATH: '*.tgz',
            VERSION_CMD: 'node -p "require(\'./package.json\').version"',
            VERSION_STAMP_CMD:
                'npm version --no-git-tag-version --allow-same-version --ignore-scripts "$ARTIFACT_VERSION"',
        ]
    }
    if (fileExists('pom.xml')) {
        return hooks + [
            BUILD_CMD: 'mvn -B -DskipTests compile',
            TEST_CMD: 'mvn -B test',
            PACKAGE_CMD: 'mvn -B -DskipTests package',
            ARTIFACT_PATH: 'target/*.jar',
            JUNIT_REPORTS: 'target/surefire-reports/*.xml',
            VERSION_CMD: 'mvn -B -q help:evaluate -Dexpression=project.version -DforceStdout',
            VERSION_STAMP_CMD:
                'mvn -B -q versions:set -DnewVersion="$ARTIFACT_VERSION" -DgenerateBackupPoms=false',
        ]
    }
    return hooks
}

Map<String, String> call() {
    Map<String, String> config = defaults()
    for (String key : KEYS) {
        String value = hotfixSetting(key)
        if (value != null) {
            config[key] = value
        }
    }
    if (fileExists(CONFIG_FILE)) {
        Map properties = readProperties(file: CONFIG_FILE)
        List<String> unknown = []
        for (Object key : properties.keySet()) {
            String name = key
            if (KEYS.contains(name)) {
                config[name] = properties[key].toString().trim()
            } else {
                unknown << name
            }
        }
        if (unknown) {
            error("hotfix: ${CONFIG_FILE} has unknown keys ${unknown}; the known keys are ${KEYS}")
        }
        echo "hotfix: read ${CONFIG_FILE}"
    }
    for (String key : ADMIN_KEYS) {
        config[key] = hotfixSetting(key, '')
    }
    String defaultType = config.ARTIFACT_REPOSITORY_URL ? 'nexus-raw' : 'jenkins'
    config.ARTIFACT_REPOSITORY = config.ARTIFACT_REPOSITORY ?: defaultType
    if (!REPOSITORY_TYPES.contains(config.ARTIFACT_REPOSITORY)) {
        error("hotfix: ARTIFACT_REPOSITORY must be one of ${REPOSITORY_TYPES}, not '${config.ARTIFACT_REPOSITORY}'")
    }
    config.ARTIFACT_NAME = config.ARTIFACT_NAME ?: env.SERVICE
    List<String> shown = []
    for (String key : KEYS + ADMIN_KEYS) {
        shown << "  ${key}=${config[key] ?: ''}"
    }
    echo "hotfix: configuration\n${shown.join('\n')}"
    return config
}
